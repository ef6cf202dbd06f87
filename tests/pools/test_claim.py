"""Claiming, allocating and returning pooled leads, including real concurrent claims."""

import threading
from collections import Counter

import pytest
from django.db import connection, connections
from django_tenants.utils import tenant_context

from leadcrm.accounts.models import User
from leadcrm.accounts.services import user_create
from leads.models import Lead, LeadStatus
from leads.services import lead as lead_services
from pools.errors import LeadAlreadyClaimedError, PoolError
from pools.models import Pool, PoolEntry, PoolEvent
from pools.services.claim import pool_allocate, pool_claim, pool_lead_add, pool_return
from tests.conftest import _load_cast


def _pooled(pool, name, actor):
    lead = lead_services.lead_create(actor=actor, name=name)
    pool_lead_add(pool=pool, lead=lead, actor=actor)
    return lead


def test_member_claims_and_the_second_claim_names_the_winner(in_tenant_a, pool):
    cast = in_tenant_a
    lead = _pooled(pool, "Pooled", cast.pool_admin)
    claimed = pool_claim(pool=pool, lead=lead, actor=cast.rep)
    assert (claimed.owner, claimed.status) == (cast.rep, LeadStatus.PENDING)
    with pytest.raises(LeadAlreadyClaimedError, match=cast.rep.full_name):
        pool_claim(pool=pool, lead=lead, actor=cast.teammate)
    assert PoolEvent.objects.filter(lead=lead, action="claim", to_user=cast.rep).count() == 1
    assert claimed.history.first().history_user == cast.rep  # the owner change is in history


def test_limits_and_membership_are_enforced(in_tenant_a, pool):
    cast = in_tenant_a
    leads = [_pooled(pool, f"L{i}", cast.pool_admin) for i in range(3)]
    pool_claim(pool=pool, lead=leads[0], actor=cast.rep)
    pool_claim(pool=pool, lead=leads[1], actor=cast.rep)
    with pytest.raises(PoolError, match="limit"):
        pool_claim(pool=pool, lead=leads[2], actor=cast.rep)
    with pytest.raises(PoolError, match="not a member"):
        pool_claim(pool=pool, lead=leads[2], actor=cast.manager)
    assert Lead.objects.get(pk=leads[2].pk).owner is None


def test_return_needs_a_reason_and_starts_a_cooldown(in_tenant_a, pool):
    cast = in_tenant_a
    lead = _pooled(pool, "Back", cast.pool_admin)
    pool_claim(pool=pool, lead=lead, actor=cast.rep)
    with pytest.raises(PoolError, match="why"):
        pool_return(lead=lead, actor=cast.rep, reason=" ")
    with pytest.raises(PoolError, match="owner"):
        pool_return(lead=lead, actor=cast.teammate, reason="not mine")
    returned = pool_return(lead=lead, actor=cast.rep, reason="Wrong region")
    assert (returned.owner, returned.status) == (None, LeadStatus.UNASSIGNED)
    with pytest.raises(PoolError, match="returned this lead"):
        pool_claim(pool=pool, lead=lead, actor=cast.rep)
    assert pool_claim(pool=pool, lead=lead, actor=cast.teammate).owner == cast.teammate


def test_allocation_is_for_pool_admins_and_notifies_the_member(in_tenant_a, pool):
    from leadcrm.notifications.models import Notification

    cast = in_tenant_a
    lead = _pooled(pool, "Given", cast.pool_admin)
    with pytest.raises(PoolError, match="admins"):
        pool_allocate(pool=pool, lead=lead, to_user=cast.teammate, actor=cast.rep)
    allocated = pool_allocate(pool=pool, lead=lead, to_user=cast.teammate, actor=cast.pool_admin)
    assert allocated.owner == cast.teammate
    assert Notification.objects.filter(recipient=cast.teammate, kind="lead_assigned").exists()


def test_claim_mode_allocate_only_refuses_claims(in_tenant_a, pool):
    pool.mode = Pool.Mode.ALLOCATE
    pool.save()
    lead = _pooled(pool, "Admin only", in_tenant_a.pool_admin)
    with pytest.raises(PoolError, match="allocated by its admins"):
        pool_claim(pool=pool, lead=lead, actor=in_tenant_a.rep)


def test_200_concurrent_claims_on_50_leads(committed_db):
    """Real threads, each with its own Postgres connection: every lead gets exactly one
    owner, losers get a clear refusal, and the per-member limit holds. Committed data (no
    test transaction), so the threads see it; the test removes what it made."""
    cast_a = _load_cast("alpha")
    with tenant_context(cast_a.tenant):
        members = [
            user_create(
                email=f"claimer{i}@alpha.example.com", full_name=f"Claimer {i}", roles=["sales_rep"]
            )
            for i in range(10)
        ]
        pool = Pool.objects.create(name="Concurrency", max_open_per_member=4)
        pool.members.add(*members)
        leads = [_pooled(pool, f"Race {i}", cast_a.admin) for i in range(50)]
    attempts = [(members[i % 10], leads[(i * 7) % 50]) for i in range(200)]
    outcomes: Counter = Counter()
    barrier = threading.Barrier(20)
    lock = threading.Lock()

    def worker(chunk):
        connection.set_tenant(cast_a.tenant)
        try:
            barrier.wait()
            for member, lead in chunk:
                try:
                    pool_claim(pool=pool, lead=lead, actor=member)
                    result = "won"
                except LeadAlreadyClaimedError:
                    result = "already claimed"
                except PoolError as exc:
                    result = "limit" if "limit" in exc.message else exc.message
                with lock:
                    outcomes[result] += 1
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(attempts[i::20],)) for i in range(20)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        with tenant_context(cast_a.tenant):
            owned = Lead.objects.filter(pk__in=[lead.pk for lead in leads])
            held = Counter(owned.exclude(owner=None).values_list("owner_id", flat=True))
            claims = PoolEvent.objects.filter(pool=pool, action="claim")
            assert sum(outcomes.values()) == 200
            assert set(outcomes) <= {"won", "already claimed", "limit"}, outcomes
            assert outcomes["won"] == claims.count() == sum(held.values())
            assert max(held.values()) <= 4  # the limit held under concurrency
            assert outcomes["limit"] > 0  # ...and was really reached
            assert claims.values("lead").distinct().count() == claims.count()  # one winner a lead
            assert outcomes["already claimed"] > 0
    finally:
        with tenant_context(cast_a.tenant):
            PoolEvent.objects.filter(pool=pool).delete()
            PoolEntry.objects.filter(pool=pool).delete()
            Lead.objects.filter(pk__in=[lead.pk for lead in leads]).delete()
            Lead.history.filter(id__in=[lead.pk for lead in leads]).delete()
            pool.delete()
            User.history.filter(email__startswith="claimer").delete()
            User.objects.filter(email__startswith="claimer").delete()
