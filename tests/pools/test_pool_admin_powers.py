"""Pool admins process their pools' leads (edit, status, activities, reassign, transfer), and a
held lead is returned by the people around it: one rule for the lead page, the list and bulk."""

import threading

import pytest
from django.contrib.messages import get_messages
from django.db import connection, connections
from django.urls import reverse
from django_tenants.utils import tenant_context

from leadcrm.accounts.models import User
from leadcrm.accounts.services import user_create
from leadcrm.notifications.models import Notification
from leads.models import Activity, Lead, LeadStatus
from leads.selectors import lead_can_write
from leads.services import lead as lead_services
from leads.services.sharing import lead_member_add, sharing_rule_create
from pools.errors import LeadAlreadyClaimedError, PoolError
from pools.models import Pool, PoolEntry, PoolEvent
from pools.services.claim import (
    pool_allocate,
    pool_claim,
    pool_lead_add,
    pool_return,
    pool_return_rights,
)
from tests.conftest import _load_cast, tenant_client


def _held(pool, name, holder, actor):
    """A lead of ``pool`` that ``holder`` claimed (Pending)."""
    lead = lead_services.lead_create(actor=actor, name=name)
    pool_lead_add(pool=pool, lead=lead, actor=actor)
    return pool_claim(pool=pool, lead=lead, actor=holder)


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _lead_page(client, lead) -> str:
    return client.get(reverse("leads-detail", kwargs={"uuid": lead.uuid})).content.decode()


@pytest.fixture
def around(in_tenant_a, pool):
    """A lead Riley (rep) claimed from the pool, and the people around it: a read-write team
    member and her manager, a read-only member, a read-write share. Morgan (manager) is Riley's
    superior; Robin (teammate) is another member of the pool with no tie to the lead."""
    cast = in_tenant_a
    lead = _held(pool, "Huadong Valves", cast.rep, cast.pool_admin)
    boss = user_create(email="boss@alpha.example.com", full_name="Bai Boss", roles=["manager"])
    writer = user_create(
        email="writer@alpha.example.com",
        full_name="Wen Writer",
        roles=["sales_rep"],
        reports_to=boss,
    )
    reader = user_create(
        email="reader@alpha.example.com", full_name="Lu Reader", roles=["sales_rep"]
    )
    sharer = user_create(
        email="sharer@alpha.example.com", full_name="Shi Sharer", roles=["sales_rep"]
    )
    lead_member_add(lead=lead, user=writer, access="write", actor=cast.rep)
    lead_member_add(lead=lead, user=reader, access="read", actor=cast.rep)
    sharing_rule_create(
        actor=cast.admin, name="Cover Riley", access="write", from_user=cast.rep, to_user=sharer
    )
    people = {
        "owner": cast.rep,
        "owner's manager": cast.manager,
        "read-write member": writer,
        "read-write member's manager": boss,
        "read-write share": sharer,
        "read-only member": reader,
        "unrelated rep": cast.teammate,
        "pool admin": cast.pool_admin,
        "tenant admin": cast.admin,
    }
    return lead, people


ALLOWED = [
    "owner",
    "owner's manager",
    "read-write member",
    "read-write member's manager",
    "read-write share",
    "tenant admin",
]
REFUSED = {
    "read-only member": "Only its owner",
    "unrelated rep": "Only its owner",
    "pool admin": "withdraw it instead",
}


@pytest.mark.parametrize("who", ALLOWED)
def test_the_people_around_a_held_lead_may_return_it(around, pool, who):
    lead, people = around
    returned = pool_return(lead=lead, actor=people[who], reason="Wrong region")
    assert (returned.owner, returned.status) == (None, LeadStatus.UNASSIGNED)
    assert PoolEntry.objects.get(lead=lead).pool == pool
    event = PoolEvent.objects.get(lead=lead, action="return")
    assert (event.actor, event.reason) == (people[who], "Wrong region")


@pytest.mark.parametrize("who", sorted(REFUSED))
def test_others_are_refused_the_return_in_words(around, who):
    lead, people = around
    with pytest.raises(PoolError, match=REFUSED[who]):
        pool_return(lead=lead, actor=people[who], reason="Wrong region")
    lead.refresh_from_db()
    assert lead.owner == people["owner"]
    assert not PoolEvent.objects.filter(lead=lead, action="return").exists()


def test_return_by_someone_else_tells_the_former_owner(around):
    lead, people = around
    pool_return(lead=lead, actor=people["owner's manager"], reason="Rebalance", note="Too many")
    note = Notification.objects.get(recipient=people["owner"], kind="lead_withdrawn")
    assert "returned your lead Huadong Valves" in note.title
    assert note.body == "Rebalance: Too many"


def test_return_from_the_lead_page_offers_it_only_to_those_allowed(cast_b, in_tenant_a, around):
    cast = in_tenant_a
    lead, people = around
    url = reverse("pools-lead-return", kwargs={"uuid": lead.uuid})
    for who in ("owner's manager", "read-write member", "read-write share"):
        assert "data-pool-return" in _lead_page(tenant_client(cast, people[who]), lead), who
    reader = tenant_client(cast, people["read-only member"])
    assert "data-pool-return" not in _lead_page(reader, lead)
    refused = reader.post(url, {"reason": "Not mine"})
    assert any("Only its owner" in m for m in _messages(refused))
    # Robin has no tie to the held lead: she does not even learn it exists.
    assert (
        tenant_client(cast, people["unrelated rep"]).post(url, {"reason": "x"}).status_code == 404
    )
    # Nor does the other tenant's admin (the request leaves the connection in tenant beta).
    assert tenant_client(cast_b, cast_b.admin).post(url, {"reason": "x"}).status_code == 404
    with tenant_context(cast.tenant):
        lead.refresh_from_db()
        assert lead.owner == people["owner"]
    sharer = tenant_client(cast, people["read-write share"])
    assert sharer.post(url, {"reason": "Covering"}).status_code == 302
    lead.refresh_from_db()
    assert lead.owner is None


def test_a_lead_in_no_pool_goes_back_into_a_pool_the_user_belongs_to(in_tenant_a, pool):
    cast = in_tenant_a
    lead = lead_services.lead_create(actor=cast.rep, owner=cast.rep, name="Walk-in")
    elsewhere = Pool.objects.create(name="Not Riley's")
    with pytest.raises(PoolError, match="choose the pool"):
        pool_return(lead=lead, actor=cast.rep, reason="Wrong fit")
    with pytest.raises(PoolError, match="only into a pool you belong to"):
        pool_return(lead=lead, actor=cast.rep, reason="Wrong fit", pool=elsewhere)
    assert not PoolEntry.objects.filter(lead=lead).exists()
    client = tenant_client(cast, cast.rep)
    page = _lead_page(client, lead)
    assert "data-pool-return" in page
    assert "Yangtze Delta" in page
    assert "Not Riley" not in page
    client.post(
        reverse("pools-lead-return", kwargs={"uuid": lead.uuid}),
        {"reason": "Wrong fit", "pool": str(pool.uuid)},
    )
    lead.refresh_from_db()
    assert lead.owner is None
    assert PoolEntry.objects.get(lead=lead).pool == pool
    assert PoolEvent.objects.get(lead=lead, action="return").actor == cast.rep


def test_one_rule_answers_for_the_page_and_the_bulk_action(around):
    lead, people = around
    for who, person in people.items():
        refusal = pool_return_rights(person).refusal(lead, pool_id=lead.pool_entry.pool_id)
        assert (refusal == "") == (who in ALLOWED), who


# Pool admins process their pools' leads ------------------------------------------------------


def test_pool_admin_edits_changes_status_and_logs_activity_on_a_pool_lead(in_tenant_a, pool):
    cast = in_tenant_a
    lead = _held(pool, "Ningbo Pumps", cast.rep, cast.pool_admin)
    assert lead_can_write(cast.pool_admin, lead)
    client = tenant_client(cast, cast.pool_admin)
    edited = client.post(
        reverse("leads-edit", kwargs={"uuid": lead.uuid}),
        {"name": "Ningbo Pumps Ltd", "priority": "high"},
    )
    assert edited.status_code == 302
    client.post(
        reverse("leads-status", kwargs={"uuid": lead.uuid}), {"status": LeadStatus.FOLLOWING_UP}
    )
    client.post(
        reverse("leads-activity-create", kwargs={"uuid": lead.uuid}),
        {"kind": "call", "outcome": "connected", "body": "Checked in for Riley"},
    )
    lead.refresh_from_db()
    assert (lead.name, lead.priority, lead.status) == (
        "Ningbo Pumps Ltd",
        "high",
        LeadStatus.FOLLOWING_UP,
    )
    assert lead.owner == cast.rep  # processing does not take the lead
    assert Activity.objects.filter(lead=lead, created_by=cast.pool_admin).count() == 1
    assert lead.history.first().history_user == cast.pool_admin


def test_pool_admin_is_refused_on_a_lead_of_a_pool_they_do_not_administer(in_tenant_a, pool):
    cast = in_tenant_a
    other = Pool.objects.create(name="Pearl River")
    other.members.add(cast.pool_admin, cast.teammate)  # Pat is a member there, not an admin
    waiting = lead_services.lead_create(actor=cast.admin, name="Foshan Tiles")
    pool_lead_add(pool=other, lead=waiting, actor=cast.admin)
    held = _held(other, "Zhuhai Glass", cast.teammate, cast.admin)
    assert not lead_can_write(cast.pool_admin, waiting)
    client = tenant_client(cast, cast.pool_admin)
    assert client.get(reverse("leads-detail", kwargs={"uuid": waiting.uuid})).status_code == 200
    edit = client.post(reverse("leads-edit", kwargs={"uuid": waiting.uuid}), {"name": "Mine"})
    assert edit.status_code == 403
    status = client.post(
        reverse("leads-status", kwargs={"uuid": waiting.uuid}), {"status": LeadStatus.INVALID}
    )
    assert status.status_code == 403
    log = reverse("leads-activity-create", kwargs={"uuid": held.uuid})
    assert client.post(log, {"kind": "call", "body": "x"}).status_code == 404
    waiting.refresh_from_db()
    assert (waiting.name, waiting.status) == ("Foshan Tiles", LeadStatus.UNASSIGNED)
    assert not Activity.objects.filter(lead=held).exists()


# Reassign --------------------------------------------------------------------------------------


def test_pool_admin_reassigns_a_pending_lead_to_another_member(in_tenant_a, pool):
    cast = in_tenant_a
    lead = _held(pool, "Suzhou Optics", cast.rep, cast.pool_admin)
    url = reverse("pools-lead-allocate", kwargs={"uuid": lead.uuid})
    form = {"to_user": str(cast.teammate.uuid), "from_user": str(cast.rep.uuid)}
    assert "Reassign to another member" in _lead_page(tenant_client(cast, cast.pool_admin), lead)
    rep = tenant_client(cast, cast.rep)
    assert "Reassign to another member" not in _lead_page(rep, lead)
    refused = rep.post(url, form)
    assert any("Only the pool's admins" in m for m in _messages(refused))
    lead.refresh_from_db()
    assert lead.owner == cast.rep

    response = tenant_client(cast, cast.pool_admin).post(url, form)
    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.owner, lead.status) == (cast.teammate, LeadStatus.PENDING)
    record = lead.history.first()
    assert record.history_user == cast.pool_admin
    assert record.history_change_reason == f"reassigned from {cast.rep}"
    event = PoolEvent.objects.get(lead=lead, action="allocate")
    assert (event.actor, event.to_user) == (cast.pool_admin, cast.teammate)
    assert event.reason_text == f"reassigned from {cast.rep}"
    assert Notification.objects.filter(recipient=cast.teammate, kind="lead_assigned").exists()
    told = Notification.objects.get(recipient=cast.rep, kind="lead_withdrawn")
    assert told.title == f"Suzhou Optics was reassigned to {cast.teammate}"
    # The page the admin had open is stale now: a second reassign "from Riley" is refused.
    pool.members.add(cast.manager)
    again = tenant_client(cast, cast.pool_admin).post(
        url, form | {"to_user": str(cast.manager.uuid)}
    )
    said = _messages(again)
    assert said == [f"Suzhou Optics is now held by {cast.teammate}, no longer by {cast.rep}."]
    lead.refresh_from_db()
    assert lead.owner == cast.teammate


def test_reassign_is_for_pending_following_up_or_invalid_leads_and_pool_members(in_tenant_a, pool):
    cast = in_tenant_a
    invalid = _held(pool, "Wuxi Cables", cast.rep, cast.pool_admin)
    lead_services.lead_change_status(lead=invalid, to_status=LeadStatus.INVALID, actor=cast.rep)
    moved = pool_allocate(
        pool=pool, lead=invalid, to_user=cast.teammate, actor=cast.pool_admin, from_user=cast.rep
    )
    assert (moved.owner, moved.status) == (cast.teammate, LeadStatus.INVALID)
    qualified = _held(pool, "Hefei Motors", cast.rep, cast.pool_admin)
    lead_services.lead_change_status(lead=qualified, to_status=LeadStatus.QUALIFIED, actor=cast.rep)
    with pytest.raises(PoolError, match="Pending, Following up or Invalid"):
        pool_allocate(
            pool=pool,
            lead=qualified,
            to_user=cast.teammate,
            actor=cast.pool_admin,
            from_user=cast.rep,
        )
    with pytest.raises(PoolError, match="not a member"):
        pool_allocate(
            pool=pool,
            lead=moved,
            to_user=cast.manager,
            actor=cast.pool_admin,
            from_user=cast.teammate,
        )
    with pytest.raises(PoolError, match="already holds"):
        pool_allocate(
            pool=pool,
            lead=moved,
            to_user=cast.teammate,
            actor=cast.pool_admin,
            from_user=cast.teammate,
        )
    assert Lead.objects.get(pk=qualified.pk).owner == cast.rep
    assert Lead.objects.get(pk=moved.pk).owner == cast.teammate


def test_pool_admin_allocates_a_waiting_lead_from_its_page_unless_members_claim(in_tenant_a, pool):
    cast = in_tenant_a
    lead = lead_services.lead_create(actor=cast.admin, name="Jinan Steel")
    pool_lead_add(pool=pool, lead=lead, actor=cast.admin)
    url = reverse("pools-lead-allocate", kwargs={"uuid": lead.uuid})
    admin = tenant_client(cast, cast.pool_admin)
    assert "Allocate to a member" in _lead_page(admin, lead)
    pool.mode = Pool.Mode.CLAIM
    pool.save()
    assert "Allocate to a member" not in _lead_page(admin, lead)
    refused = admin.post(url, {"to_user": str(cast.rep.uuid)})
    assert _messages(refused) == ["Members claim the leads of Yangtze Delta."]
    assert Lead.objects.get(pk=lead.pk).owner is None
    pool.mode = Pool.Mode.BOTH
    pool.save()
    admin.post(url, {"to_user": str(cast.rep.uuid)})
    assert Lead.objects.get(pk=lead.pk).owner == cast.rep
    assert PoolEvent.objects.get(lead=lead, action="allocate").reason_text == ""


# Bulk return -----------------------------------------------------------------------------------


def test_bulk_return_from_the_list_reports_each_lead(cast_b, in_tenant_a, pool):
    cast = in_tenant_a
    mine = _held(pool, "Back To Pool", cast.rep, cast.pool_admin)
    walk_in = lead_services.lead_create(actor=cast.rep, owner=cast.rep, name="Walk In")
    picky = Pool.objects.create(name="Picky", return_reasons=["Duplicate"])
    picky.members.add(cast.rep)
    strict = _held(picky, "Strict Reasons", cast.rep, cast.admin)
    theirs = lead_services.lead_create(actor=cast.manager, owner=cast.manager, name="Read Only")
    sharing_rule_create(
        actor=cast.admin, name="Morgan to Riley", access="read", from_user=cast.manager,
        to_user=cast.rep,
    )  # fmt: skip
    with tenant_context(cast_b.tenant):
        foreign = lead_services.lead_create(actor=cast_b.rep, owner=cast_b.rep, name="Beta Lead")

    client = tenant_client(cast, cast.rep)
    listing = client.get(reverse("leads-index") + "?scene=all").content.decode()
    assert "data-bulk-return" in listing
    chosen = [mine, walk_in, strict, theirs, foreign]
    form = {
        "lead": [str(lead.uuid) for lead in chosen],
        "return_reason": "Wrong region",
        "return_pool": str(pool.uuid),
        "next": "scene=all",
    }
    response = client.post(reverse("pools-leads-return"), form)
    assert response["Location"] == reverse("leads-index") + "?scene=all"
    said = _messages(response)
    assert "2 leads returned to their pools." in said
    assert any(m.startswith("Only its owner") and "(Read Only)" in m for m in said)
    assert any("return reasons of Picky" in m and "(Strict Reasons)" in m for m in said)
    assert "not yours (1)" in said
    owners = dict(
        Lead.objects.filter(pk__in=[x.pk for x in chosen[:4]]).values_list("name", "owner")
    )
    assert owners == {
        "Back To Pool": None,
        "Walk In": None,
        "Strict Reasons": cast.rep.pk,
        "Read Only": cast.manager.pk,
    }
    assert PoolEntry.objects.get(lead=walk_in).pool == pool
    with tenant_context(cast_b.tenant):
        assert Lead.objects.get(pk=foreign.pk).owner == cast_b.rep


def test_bulk_return_without_a_reason_changes_nothing(in_tenant_a, pool):
    cast = in_tenant_a
    lead = _held(pool, "Kept", cast.rep, cast.pool_admin)
    response = tenant_client(cast, cast.rep).post(
        reverse("pools-leads-return"), {"lead": [str(lead.uuid)], "return_reason": " "}
    )
    assert _messages(response) == ["Say why you return the lead."]
    lead.refresh_from_db()
    assert lead.owner == cast.rep


# Transfer from the lead page -------------------------------------------------------------------


def test_pool_admin_transfers_a_lead_to_another_pool_from_the_lead_page(in_tenant_a, pool):
    cast = in_tenant_a
    south = Pool.objects.create(name="South China")
    south.admins.add(cast.pool_admin)
    foreign = Pool.objects.create(name="Not Pat's")
    lead = _held(pool, "Xiamen Ports", cast.rep, cast.pool_admin)
    url = reverse("pools-lead-transfer", kwargs={"uuid": lead.uuid})
    page = _lead_page(tenant_client(cast, cast.pool_admin), lead)
    assert "Transfer to another pool" in page
    assert "South China" in page
    assert "Not Pat&#x27;s" not in page
    rep = tenant_client(cast, cast.rep)
    assert "Transfer to another pool" not in _lead_page(rep, lead)
    refused = rep.post(url, {"to_pool": str(south.uuid)})
    assert any("Only the admins of South China" in m for m in _messages(refused))
    admin = tenant_client(cast, cast.pool_admin)
    not_theirs = admin.post(url, {"to_pool": str(foreign.uuid)})
    assert any("Only the admins of Not Pat's" in m for m in _messages(not_theirs))
    assert PoolEntry.objects.get(lead=lead).pool == pool

    moved = admin.post(url, {"to_pool": str(south.uuid), "reason": "Customer moved to Xiamen"})
    assert moved["Location"] == reverse("leads-detail", kwargs={"uuid": lead.uuid})
    assert PoolEntry.objects.get(lead=lead).pool == south
    lead.refresh_from_db()
    assert lead.owner == cast.rep  # the holder keeps it
    event = PoolEvent.objects.get(lead=lead, action="transfer")
    assert (event.pool, event.reason) == (south, "Customer moved to Xiamen")
    same = admin.post(url, {"to_pool": str(south.uuid)})
    assert any("already in South China" in m for m in _messages(same))


# Concurrency -----------------------------------------------------------------------------------


def test_two_admins_reassigning_the_same_lead_at_once_one_wins(committed_db):
    """Real threads with their own connections: both admins saw Riley holding the lead and
    reassign it at the same moment to different members; exactly one wins and the other is
    told who holds it now. Committed data, removed at the end."""
    cast = _load_cast("alpha")
    with tenant_context(cast.tenant):
        second_admin = user_create(
            email="admin2@alpha.example.com", full_name="Ada Second", roles=["pool_admin"]
        )
        pool = Pool.objects.create(name="Race Pool")
        pool.members.add(cast.rep, cast.teammate, cast.manager)
        pool.admins.add(cast.pool_admin, second_admin)
        lead = _held(pool, "Contested Lead", cast.rep, cast.pool_admin)
    attempts = [(cast.pool_admin, cast.teammate), (second_admin, cast.manager)]
    outcomes: dict[int, str] = {}
    barrier = threading.Barrier(len(attempts))

    def worker(admin, member):
        connection.set_tenant(cast.tenant)
        try:
            barrier.wait()
            try:
                pool_allocate(pool=pool, lead=lead, to_user=member, actor=admin, from_user=cast.rep)
                outcomes[admin.pk] = "won"
            except LeadAlreadyClaimedError as exc:
                outcomes[admin.pk] = exc.message
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=attempt) for attempt in attempts]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        with tenant_context(cast.tenant):
            winners = [pk for pk, outcome in outcomes.items() if outcome == "won"]
            assert len(outcomes) == 2, outcomes
            assert len(winners) == 1, outcomes
            (loser_message,) = [o for o in outcomes.values() if o != "won"]
            held = Lead.objects.select_related("owner").get(pk=lead.pk).owner
            assert held in (cast.teammate, cast.manager)
            assert f"now held by {held}" in loser_message
            assert PoolEvent.objects.filter(lead=lead, action="allocate").count() == 1
    finally:
        with tenant_context(cast.tenant):
            PoolEvent.objects.filter(pool=pool).delete()
            PoolEntry.objects.filter(pool=pool).delete()
            Lead.objects.filter(pk=lead.pk).delete()
            Lead.history.filter(id=lead.pk).delete()
            pool.delete()
            User.history.filter(email="admin2@alpha.example.com").delete()
            User.objects.filter(pk=second_admin.pk).delete()
