"""Withdraw, transfer, return reasons, re-routing, reclaim, visibility and masking."""

from datetime import timedelta

import pytest
from django.utils import timezone

from leadcrm.notifications.models import Notification
from leads.masking import mask_email, mask_phone
from leads.models import Lead, LeadStatus
from leads.selectors import lead_contacts_masked, leads_visible_to
from leads.services import lead as lead_services
from pools.errors import PoolError
from pools.models import AssignmentRule, ContactReveal, Pool, PoolEntry, PoolEvent
from pools.services.claim import (
    pool_claim,
    pool_claim_many,
    pool_lead_add,
    pool_return,
    pool_transfer,
    pool_transfer_all,
    pool_withdraw,
)
from pools.services.pool import contact_reveal
from pools.services.reclaim import pool_reclaim_due
from pools.services.rules import rule_save


def _pooled(pool, actor, **fields):
    fields.setdefault("name", "Pooled")
    lead = lead_services.lead_create(actor=actor, **fields)
    pool_lead_add(pool=pool, lead=lead, actor=actor)
    return lead


def test_masks():
    assert mask_phone("13800138000") == "138****8000"
    assert mask_phone("+86 138 0013 8000") == "+861****8000"
    assert mask_phone("12345") == "*****"
    assert mask_email("alice@example.com") == "a****@example.com"
    assert mask_email("") == ""


def test_members_see_pooled_leads_masked_until_they_claim(in_tenant_a, pool):
    cast = in_tenant_a
    lead = _pooled(pool, cast.pool_admin, email="li@hq.cn", mobile="13800138000")
    other_pool = Pool.objects.create(name="Elsewhere")
    hidden = _pooled(other_pool, cast.admin, name="Not my pool")
    visible = leads_visible_to(cast.rep)
    assert visible.filter(pk=lead.pk).exists()
    assert not visible.filter(pk=hidden.pk).exists()
    assert lead_contacts_masked(user=cast.rep, lead=lead)
    assert not lead_contacts_masked(user=cast.pool_admin, lead=lead)  # pool admins see all
    assert not lead_contacts_masked(user=cast.admin, lead=lead)
    assert contact_reveal(lead=lead, user=cast.rep, field="mobile") == "13800138000"
    assert ContactReveal.objects.filter(lead=lead, user=cast.rep, field="mobile").exists()
    pool_claim(pool=pool, lead=lead, actor=cast.rep)
    assert not lead_contacts_masked(user=cast.rep, lead=lead)
    # Once claimed by Riley, Robin (a member, not in Riley's line) no longer sees it.
    assert not leads_visible_to(cast.teammate).filter(pk=lead.pk).exists()
    # The pool admin still sees it, to withdraw it.
    assert leads_visible_to(cast.pool_admin).filter(pk=lead.pk).exists()


def test_claim_many_stops_at_the_limit_with_one_message(in_tenant_a, pool):
    cast = in_tenant_a
    leads = [_pooled(pool, cast.pool_admin, name=f"Batch {i}") for i in range(4)]
    claimed, refused = pool_claim_many(pool=pool, leads=leads, actor=cast.rep)
    assert len(claimed) == 2
    assert len(refused) == 2
    assert all("limit" in why for _lead, why in refused)


def test_withdraw_notifies_the_owner_and_empties_it(in_tenant_a, pool):
    cast = in_tenant_a
    lead = _pooled(pool, cast.pool_admin)
    pool_claim(pool=pool, lead=lead, actor=cast.rep)
    with pytest.raises(PoolError, match="admins"):
        pool_withdraw(lead=lead, actor=cast.teammate, reason="mine now")
    with pytest.raises(PoolError, match="why"):
        pool_withdraw(lead=lead, actor=cast.pool_admin, reason="")
    withdrawn = pool_withdraw(lead=lead, actor=cast.pool_admin, reason="No calls in a week")
    assert (withdrawn.owner, withdrawn.status) == (None, LeadStatus.UNASSIGNED)
    event = PoolEvent.objects.get(lead=lead, action="withdraw")
    assert (event.actor, event.to_user, event.reason) == (
        cast.pool_admin,
        cast.rep,
        "No calls in a week",
    )
    assert Notification.objects.filter(recipient=cast.rep, kind="lead_withdrawn").exists()
    # A lead that never was in a pool can be withdrawn into a chosen one.
    own = lead_services.lead_create(actor=cast.rep, owner=cast.rep, name="Own lead")
    with pytest.raises(PoolError, match="Choose the pool"):
        pool_withdraw(lead=own, actor=cast.pool_admin, reason="x")
    pool_withdraw(lead=own, actor=cast.pool_admin, reason="rebalancing", pool=pool)
    assert PoolEntry.objects.get(lead=own).pool == pool


def test_transfer_selected_leads_and_whole_pools(in_tenant_a, pool):
    cast = in_tenant_a
    target = Pool.objects.create(name="South")
    target.admins.add(cast.pool_admin)
    leads = [_pooled(pool, cast.pool_admin, name=f"T{i}") for i in range(3)]
    with pytest.raises(PoolError, match="admins"):
        pool_transfer(leads=leads[:1], to_pool=target, actor=cast.rep)
    assert pool_transfer(leads=leads[:1], to_pool=target, actor=cast.pool_admin) == 1
    assert PoolEntry.objects.get(lead=leads[0]).pool == target
    assert pool_transfer_all(from_pool=pool, to_pool=target, actor=cast.pool_admin) == 2
    assert PoolEntry.objects.filter(pool=target).count() == 3
    assert PoolEvent.objects.filter(pool=target, action="transfer").count() == 3
    # Admins of the receiving pool hear of it, the one who moved them does not.
    target.admins.add(cast.admin)
    more = _pooled(pool, cast.pool_admin, name="T late")
    pool_transfer(leads=[more], to_pool=target, actor=cast.pool_admin, reason="Rebalance")
    assert Notification.objects.filter(
        recipient=cast.admin, title__contains="moved 1 lead"
    ).exists()
    assert not Notification.objects.filter(
        recipient=cast.pool_admin, title__contains="moved"
    ).exists()


def test_return_reasons_and_rerouting(in_tenant_a, pool):
    cast = in_tenant_a
    pool.return_reasons = ["Wrong region", "Not reachable"]
    pool.reroute_returned = True
    pool.save()
    rule_save(
        actor=cast.admin,
        name="Returned leads to Robin",
        triggers=[AssignmentRule.Trigger.RETURNED],
        conditions=[],
        target_type="user",
        target_user=cast.teammate,
    )
    lead = _pooled(pool, cast.pool_admin)
    pool_claim(pool=pool, lead=lead, actor=cast.rep)
    with pytest.raises(PoolError, match="return reasons"):
        pool_return(lead=lead, actor=cast.rep, reason="Bored")
    pool_return(lead=lead, actor=cast.rep, reason="Wrong region", note="They are in Chengdu")
    lead.refresh_from_db()
    assert lead.owner == cast.teammate  # routed again by the "returned" rule
    assert PoolEvent.objects.get(lead=lead, action="return").reason == (
        "Wrong region: They are in Chengdu"
    )
    note = Notification.objects.get(recipient=cast.pool_admin, title__contains="returned")
    assert note.body == "Wrong region: They are in Chengdu"


def test_returned_lead_with_no_matching_rule_stays_in_its_pool(in_tenant_a, pool):
    cast = in_tenant_a
    pool.reroute_returned = True
    pool.save()
    lead = _pooled(pool, cast.pool_admin)
    pool_claim(pool=pool, lead=lead, actor=cast.rep)
    pool_return(lead=lead, actor=cast.rep, reason="Not now")
    assert PoolEntry.objects.get(lead=lead).pool == pool


def _claimed(pool, cast, *, days_ago: int, name="Held"):
    lead = _pooled(pool, cast.pool_admin, name=name)
    pool_claim(pool=pool, lead=lead, actor=cast.rep)
    PoolEntry.objects.filter(lead=lead).update(claimed_at=timezone.now() - timedelta(days=days_ago))
    return lead


def test_reclaim_warns_first_then_reclaims_once(in_tenant_a, pool):
    cast = in_tenant_a
    pool.max_open_per_member = None
    pool.reclaim_no_follow_up_days = 5
    pool.reclaim_warning_days = 2
    pool.save()
    fresh = _claimed(pool, cast, days_ago=1, name="Fresh")
    soon = _claimed(pool, cast, days_ago=4, name="Soon")
    due = _claimed(pool, cast, days_ago=6, name="Due")
    worked = _claimed(pool, cast, days_ago=6, name="Worked")
    lead_services.activity_log(lead=worked, actor=cast.rep, kind="call", body="Talked to them")

    first = pool_reclaim_due()
    assert (first.warned, first.reclaimed) == (1, 1)
    assert Notification.objects.filter(recipient=cast.rep, kind="reclaim_warning").count() == 1
    assert Notification.objects.filter(recipient=cast.rep, kind="lead_reclaimed").count() == 1
    assert Lead.objects.get(pk=due.pk).owner is None
    assert Lead.objects.get(pk=soon.pk).owner == cast.rep
    assert Lead.objects.get(pk=worked.pk).owner == cast.rep
    assert Lead.objects.get(pk=fresh.pk).owner == cast.rep
    event = PoolEvent.objects.get(lead=due, action="reclaim")
    assert event.to_user == cast.rep
    assert "follow-up" in event.reason

    second = pool_reclaim_due()  # idempotent: nothing new to do
    assert (second.warned, second.reclaimed) == (0, 0)
    assert Notification.objects.filter(recipient=cast.rep, kind="reclaim_warning").count() == 1


def test_reclaim_not_qualified_in_time_and_batch_cap(in_tenant_a, pool):
    cast = in_tenant_a
    pool.max_open_per_member = None
    pool.reclaim_not_qualified_days = 10
    pool.reclaim_warning_days = 0
    pool.save()
    stale = [_claimed(pool, cast, days_ago=11, name=f"Stale {i}") for i in range(3)]
    qualified = _claimed(pool, cast, days_ago=11, name="Qualified")
    lead_services.activity_log(lead=qualified, actor=cast.rep, kind="call", body="Good call")
    lead_services.lead_change_status(lead=qualified, to_status=LeadStatus.QUALIFIED, actor=cast.rep)
    capped = pool_reclaim_due(limit=2)
    assert (capped.reclaimed, capped.left) == (2, 1)
    rest = pool_reclaim_due(limit=2)
    assert rest.reclaimed == 1
    assert Lead.objects.filter(pk__in=[s.pk for s in stale], owner__isnull=True).count() == 3
    assert Lead.objects.get(pk=qualified.pk).owner == cast.rep


def test_merged_tombstones_leave_the_pool_figures(in_tenant_a, pool):
    from leads.services.merge import lead_merge
    from pools.selectors import pool_leads, pool_stats

    cast = in_tenant_a
    a = _pooled(pool, cast.pool_admin, name="Twin A")
    b = _pooled(pool, cast.pool_admin, name="Twin B")
    before = pool_stats(pool).waiting
    lead_merge(survivor=a, others=[b], values={}, actor=cast.admin)
    assert pool_stats(pool).waiting == before - 1
    assert not pool_leads(pool).filter(pk=b.pk).exists()
