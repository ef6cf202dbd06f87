"""Whatever path gives a lead an owner or takes it away, the same things follow
(leads.services.ownership.leads_owner_changed): the stage's SOP tasks for the new owner, the
previous owner's open tasks moved or cancelled as the tenant chooses, a lead left without an
owner routed by the rules like a new lead, and a deactivated user's leads handed over."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django_tenants.utils import tenant_context

from leadcrm.accounts.errors import AccountsError
from leadcrm.accounts.models import User
from leadcrm.accounts.services import user_create, user_update
from leadcrm.notifications.models import Notification
from leads.errors import LeadError
from leads.importing.services import import_job_create, import_job_start, import_run
from leads.models import Lead, LeadSettings, LeadStatus, SopTemplate, Stage, Task
from leads.services import lead as lead_services
from leads.services.bulk import lead_bulk_action, leads_hand_over
from leads.services.followups import followup_create
from leads.services.ownership import leads_owner_changed
from leads.tasks.ownership import leads_hand_over_task
from pools.models import AssignmentRule, Pool, PoolEntry, PoolEvent
from pools.services.claim import pool_allocate, pool_claim, pool_lead_add, pool_return
from pools.services.routing import OWNER_CLEARED, fallback_pool, leads_route
from pools.services.rules import rule_save
from tests.conftest import _load_cast, tenant_client

S = LeadStatus


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared in English, whatever language an earlier request left active."""
    with translation.override("en"):
        yield


@pytest.fixture
def first_stage_sop(in_tenant_a):
    """The first funnel stage's SOP step: what every lead getting an owner is due."""
    stage = Stage.objects.filter(is_active=True).order_by("position").first()
    return SopTemplate.objects.create(stage=stage, title="Call within 24 h", due_in_hours=24)


@pytest.fixture
def queued_routing(monkeypatch):
    """What pools' after-owner-change hook queues, recorded instead of sent to the broker:
    (lead ids, trigger). The tests then run the routing service itself on them."""
    queued: list[tuple[list[int], str]] = []

    def record(task, lead_ids, trigger, **_options):
        assert task.name == "pools.tasks.route_leads"
        queued.append((sorted(lead_ids), trigger))

    monkeypatch.setattr("pools.tasks.enqueue_on_commit", record)
    return queued


def _unowned(cast, name="Lin Hui", **fields):
    return lead_services.lead_create(actor=cast.admin, name=name, **fields)


def _sop_tasks(lead):
    return list(
        Task.objects.filter(lead=lead, sop_template__isnull=False, status="open").values_list(
            "assignee_id", flat=True
        )
    )


def _to_rep_rule(cast, target, *, detail="owner-change"):
    return rule_save(
        actor=cast.admin,
        name=f"{detail} to {target.full_name}",
        triggers=["new"],
        conditions=[[{"field": "source_detail", "op": "eq", "value": detail}]],
        target_type="user",
        target_user=target,
    )


# SOP tasks for whoever gets the lead, by every path -------------------------------------------


def test_assigning_on_the_lead_page_gives_the_new_owner_the_stages_sop_tasks(
    cast_a, first_stage_sop
):
    with tenant_context(cast_a.tenant):
        lead = _unowned(cast_a)
        assert _sop_tasks(lead) == []
    url = reverse("leads-assign", kwargs={"uuid": lead.uuid})
    # A rep may not write a lead that is not theirs: refused, nothing happens.
    rep = tenant_client(cast_a, cast_a.rep)
    assert rep.post(url, {"owner": cast_a.rep.uuid}).status_code in (403, 404)
    with tenant_context(cast_a.tenant):
        assert not Task.objects.filter(lead=lead).exists()
    admin = tenant_client(cast_a, cast_a.admin)
    assert admin.post(url, {"owner": cast_a.rep.uuid}).status_code == 302
    with tenant_context(cast_a.tenant):
        task = Task.objects.get(lead=lead, sop_template=first_stage_sop)
        assert (task.assignee, task.title, task.created_by) == (
            cast_a.rep,
            "Call within 24 h",
            cast_a.admin,
        )


def test_routing_gives_each_new_owner_their_sop_tasks(in_tenant_a, first_stage_sop):
    cast = in_tenant_a
    _to_rep_rule(cast, cast.teammate)
    leads = [_unowned(cast, f"Routed {i}", source_detail="owner-change") for i in range(3)]
    result = leads_route([lead.pk for lead in leads])
    assert result.assigned == 3
    assert [_sop_tasks(lead) for lead in leads] == [[cast.teammate.pk]] * 3


def test_claiming_and_allocating_from_a_pool_give_sop_tasks(in_tenant_a, first_stage_sop):
    cast = in_tenant_a
    claim_pool = Pool.objects.create(name="East China")
    claim_pool.members.add(cast.rep)
    both = Pool.objects.create(name="Key accounts", mode=Pool.Mode.BOTH)
    both.members.add(cast.teammate)
    both.admins.add(cast.pool_admin)
    claimed, allocated = _unowned(cast, "Claimed"), _unowned(cast, "Allocated")
    pool_lead_add(pool=claim_pool, lead=claimed, actor=cast.admin)
    pool_lead_add(pool=both, lead=allocated, actor=cast.admin)
    pool_claim(pool=claim_pool, lead=claimed, actor=cast.rep)
    pool_allocate(pool=both, lead=allocated, to_user=cast.teammate, actor=cast.pool_admin)
    assert _sop_tasks(claimed) == [cast.rep.pk]
    assert _sop_tasks(allocated) == [cast.teammate.pk]


def test_bulk_assignment_gives_sop_tasks_and_tells_the_hooks_once(
    in_tenant_a, first_stage_sop, monkeypatch
):
    cast = in_tenant_a
    calls = []
    monkeypatch.setattr(
        "leads.hooks._after_owner_change", [lambda *args: calls.append(args)]
    )  # pools' routing hook aside: only what the bulk action reports is looked at
    leads = [_unowned(cast, f"Bulk {i}") for i in range(3)]
    result = lead_bulk_action(
        actor=cast.admin, uuids=[lead.uuid for lead in leads], action="assign", owner=cast.rep
    )
    assert result.done == 3
    assert [_sop_tasks(lead) for lead in leads] == [[cast.rep.pk]] * 3
    assert calls == [(sorted(lead.pk for lead in leads), cast.rep, cast.admin, "bulk")]


def test_an_import_with_an_owner_gives_every_lead_its_sop_tasks(in_tenant_a, first_stage_sop):
    cast = in_tenant_a
    job = import_job_create(
        actor=cast.admin, filename="expo.csv", data=b"Name\nZhao Lei\nQian Yu\n"
    )
    import_job_start(
        job=job, actor=cast.admin, mapping=job.mapping, on_duplicate="skip", owner=cast.rep,
        source_detail="", run_rules=False,
    )  # fmt: skip
    assert import_run(job.pk).created == 2
    leads = Lead.objects.filter(import_job=job)
    assert [_sop_tasks(lead) for lead in leads] == [[cast.rep.pk]] * 2


def test_a_lost_lead_or_an_inactive_owner_gets_no_sop_tasks(in_tenant_a, first_stage_sop):
    cast = in_tenant_a
    lost, parked = _unowned(cast, "Gone cold"), _unowned(cast, "Parked")
    Lead.objects.filter(pk=lost.pk).update(status=S.LOST, owner=cast.rep)
    Lead.objects.filter(pk=parked.pk).update(status=S.PENDING, owner=cast.teammate)
    User.objects.filter(pk=cast.teammate.pk).update(is_active=False)
    for lead, owner in ((lost, cast.rep), (parked, cast.teammate)):
        leads_owner_changed(lead_ids=[lead.pk], owner=owner, actor=cast.admin, via="manual")
    assert (_sop_tasks(lost), _sop_tasks(parked)) == ([], [])


# Open tasks follow the lead, or are cancelled ---------------------------------------------


@pytest.fixture
def worked_lead(in_tenant_a, first_stage_sop):
    """A lead the rep works: the stage's SOP task, a task the rep set themselves, and a
    manager's own reminder on it (the manager never owned the lead)."""
    cast = in_tenant_a
    lead = lead_services.lead_create(actor=cast.rep, owner=cast.rep, name="Sun Mei")
    followup_create(lead=lead, actor=cast.rep, title="Send the quote", due_at=_soon())
    followup_create(
        lead=lead, actor=cast.manager, title="Review pricing", due_at=_soon(), assignee=cast.manager
    )
    return lead


def _soon():
    return timezone.now() + timedelta(days=1)


def _open(lead):
    return sorted(
        Task.objects.filter(lead=lead, status="open").values_list("title", "assignee__email")
    )


def _tasks_setting(choice):
    LeadSettings.load()
    LeadSettings.objects.update(open_tasks_on_reassign=choice)


def test_on_reassignment_the_previous_owners_open_tasks_move_to_the_new_owner(
    in_tenant_a, worked_lead
):
    cast = in_tenant_a
    lead_services.lead_assign(lead=worked_lead, owner=cast.teammate, actor=cast.manager)
    assert _open(worked_lead) == [
        ("Call within 24 h", cast.teammate.email),
        ("Review pricing", cast.manager.email),
        ("Send the quote", cast.teammate.email),
    ]
    assert Task.objects.filter(lead=worked_lead).count() == 3  # moved, none made twice


def test_on_reassignment_open_tasks_are_cancelled_when_the_tenant_says_so(in_tenant_a, worked_lead):
    cast = in_tenant_a
    _tasks_setting(LeadSettings.OpenTasks.CANCEL)
    lead_services.lead_assign(lead=worked_lead, owner=cast.teammate, actor=cast.manager)
    assert _open(worked_lead) == [
        ("Call within 24 h", cast.teammate.email),  # a fresh SOP task for the new owner
        ("Review pricing", cast.manager.email),
    ]
    cancelled = Task.objects.filter(lead=worked_lead, status="cancelled")
    assert sorted(cancelled.values_list("title", "assignee__email")) == [
        ("Call within 24 h", cast.rep.email),
        ("Send the quote", cast.rep.email),
    ]


def test_tasks_wait_with_their_holder_while_the_lead_has_no_owner_then_follow_it(
    in_tenant_a, worked_lead, queued_routing
):
    cast = in_tenant_a
    lead_services.lead_assign(lead=worked_lead, owner=None, actor=cast.manager)
    assert ("Send the quote", cast.rep.email) in _open(worked_lead)
    lead_services.lead_assign(lead=worked_lead, owner=cast.teammate, actor=cast.manager)
    assert ("Send the quote", cast.teammate.email) in _open(worked_lead)
    assert ("Review pricing", cast.manager.email) in _open(worked_lead)


def test_clearing_the_owner_cancels_the_tasks_at_once_under_cancel(
    in_tenant_a, worked_lead, queued_routing
):
    cast = in_tenant_a
    _tasks_setting(LeadSettings.OpenTasks.CANCEL)
    lead_services.lead_assign(lead=worked_lead, owner=None, actor=cast.manager)
    assert _open(worked_lead) == [("Review pricing", cast.manager.email)]


# A lead left without an owner is routed like a new lead -----------------------------------


def test_clearing_the_owner_on_the_lead_page_routes_the_lead_by_the_rules(
    cast_a, queued_routing, first_stage_sop
):
    with tenant_context(cast_a.tenant):
        lead = lead_services.lead_create(
            actor=cast_a.rep, owner=cast_a.rep, name="Qin Lan", source_detail="owner-change"
        )
        _to_rep_rule(cast_a, cast_a.teammate)
    url = reverse("leads-assign", kwargs={"uuid": lead.uuid})
    # The teammate may not write the rep's lead: refused, nothing queued.
    assert tenant_client(cast_a, cast_a.teammate).post(url, {"owner": ""}).status_code in (403, 404)
    assert queued_routing == []
    assert tenant_client(cast_a, cast_a.rep).post(url, {"owner": ""}).status_code == 302
    assert queued_routing == [([lead.pk], OWNER_CLEARED)]
    with tenant_context(cast_a.tenant):
        lead.refresh_from_db()
        assert (lead.owner, lead.status) == (None, S.UNASSIGNED)
        ids, trigger = queued_routing[0]
        leads_route(ids, trigger=trigger)  # what the queued task runs
        lead.refresh_from_db()
        assert (lead.owner, lead.status) == (cast_a.teammate, S.PENDING)
        assert _sop_tasks(lead) == [cast_a.teammate.pk]


def test_clearing_owners_in_bulk_routes_them_once_for_the_batch(cast_a, queued_routing):
    with tenant_context(cast_a.tenant):
        leads = [
            lead_services.lead_create(actor=cast_a.rep, owner=cast_a.rep, name=f"Bulk {i}")
            for i in range(3)
        ]
    form = {"action": "unassign", "lead": [str(lead.uuid) for lead in leads], "next": ""}
    # The teammate may not write the rep's leads: every one refused, nothing queued.
    tenant_client(cast_a, cast_a.teammate).post(reverse("leads-bulk"), form)
    assert queued_routing == []
    assert (
        tenant_client(cast_a, cast_a.manager).post(reverse("leads-bulk"), form).status_code == 302
    )
    ids = sorted(lead.pk for lead in leads)
    assert queued_routing == [(ids, OWNER_CLEARED)]
    with tenant_context(cast_a.tenant):
        assert set(Lead.objects.filter(pk__in=ids).values_list("owner", "status")) == {
            (None, S.UNASSIGNED)
        }
        routed = leads_route(ids, trigger=OWNER_CLEARED)
        assert routed.pooled == 3  # no rule matches: the fallback pool, none lost
        assert set(PoolEntry.objects.filter(lead_id__in=ids).values_list("pool", flat=True)) == {
            fallback_pool().pk
        }


def test_a_return_into_a_pool_is_not_routed_again_by_the_hook(in_tenant_a, queued_routing):
    cast = in_tenant_a
    pool = Pool.objects.create(name="West China")
    pool.members.add(cast.rep)
    lead = _unowned(cast, "Returned")
    pool_lead_add(pool=pool, lead=lead, actor=cast.admin)
    pool_claim(pool=pool, lead=lead, actor=cast.rep)
    pool_return(lead=lead, actor=cast.rep, reason="Wrong region")
    assert queued_routing == []
    # Even asked to, routing leaves a lead waiting in its pool where it is.
    assert leads_route([lead.pk], trigger=OWNER_CLEARED).skipped == 1
    assert PoolEntry.objects.get(lead=lead).pool == pool


def test_routing_a_cleared_lead_twice_routes_it_once(in_tenant_a, queued_routing):
    """A retried routing task, or two clearings queuing two: the second run finds the lead
    placed (in a pool, or with an owner) and does nothing."""
    cast = in_tenant_a
    pool = Pool.objects.create(name="North China")
    pool.members.add(cast.rep)
    pooled_once = _unowned(cast, "Claimed then let go")
    pool_lead_add(pool=pool, lead=pooled_once, actor=cast.admin)
    pool_claim(pool=pool, lead=pooled_once, actor=cast.rep)
    owned_once = lead_services.lead_create(actor=cast.rep, owner=cast.rep, name="Never pooled")
    for lead in (pooled_once, owned_once):
        lead_services.lead_assign(lead=lead, owner=None, actor=cast.rep)
    ids = sorted([pooled_once.pk, owned_once.pk])
    first = leads_route(ids, trigger=OWNER_CLEARED)
    again = leads_route(ids, trigger=OWNER_CLEARED)
    assert (first.pooled, again.pooled, again.skipped) == (2, 0, 2)
    assert PoolEvent.objects.filter(lead_id__in=ids, action="route").count() == 2
    # Let go outside its pool, the claimed lead went by the rules (here: the fallback pool).
    assert PoolEntry.objects.get(lead=pooled_once).pool == fallback_pool()


def test_a_rule_giving_a_once_claimed_lead_to_someone_restarts_its_reclaim_clock(
    in_tenant_a, queued_routing
):
    cast = in_tenant_a
    pool = Pool.objects.create(name="South China", reclaim_no_follow_up_days=3)
    pool.members.add(cast.rep)
    lead = _unowned(cast, "Handed on", source_detail="owner-change")
    pool_lead_add(pool=pool, lead=lead, actor=cast.admin)
    pool_claim(pool=pool, lead=lead, actor=cast.rep)
    PoolEntry.objects.filter(lead=lead).update(claimed_at=_soon().replace(year=2020))
    lead_services.lead_assign(lead=lead, owner=None, actor=cast.rep)
    _to_rep_rule(cast, cast.teammate)
    assert leads_route([lead.pk], trigger=OWNER_CLEARED).assigned == 1
    entry = PoolEntry.objects.get(lead=lead)
    assert entry.claimed_at.year != 2020


# No duplicate tasks on a retry, nor from two paths at once ---------------------------------


def test_the_same_owner_change_told_twice_creates_each_sop_task_once(in_tenant_a, first_stage_sop):
    cast = in_tenant_a
    lead = _unowned(cast)
    lead_services.lead_assign(lead=lead, owner=cast.rep, actor=cast.admin)
    for _retry in range(2):
        leads_owner_changed(lead_ids=[lead.pk], owner=cast.rep, actor=None, via="routing")
    assert _sop_tasks(lead) == [cast.rep.pk]


def test_two_paths_telling_the_same_owner_change_at_once_create_one_sop_task(committed_db):
    """Two connections run what follows the same owner change at the same moment (a routing
    run and a retried task): the constraint lets one insert win and the other skip it."""
    cast = _load_cast("alpha")
    with tenant_context(cast.tenant):
        stage = Stage.objects.filter(is_active=True).order_by("position").first()
        template = SopTemplate.objects.create(stage=stage, title="Race step")
        lead = lead_services.lead_create(actor=cast.admin, name="Raced Lead")
        Lead.objects.filter(pk=lead.pk).update(owner=cast.rep, status=S.PENDING)
    barrier = threading.Barrier(2)
    errors = []

    def path():
        connection.set_tenant(cast.tenant)
        try:
            with transaction.atomic():
                barrier.wait()
                leads_owner_changed(lead_ids=[lead.pk], owner=cast.rep, actor=None, via="race")
                time.sleep(0.2)  # both inside their transaction before either commits
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=path) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with tenant_context(cast.tenant):
        try:
            assert errors == []
            assert Task.objects.filter(lead=lead, sop_template=template).count() == 1
        finally:
            Task.objects.filter(lead=lead).delete()
            Lead.history.filter(id=lead.pk).delete()
            lead.delete()
            template.delete()


# Deactivating a user ----------------------------------------------------------------------


@pytest.fixture
def leaver(in_tenant_a, first_stage_sop):
    """Someone about to leave, with two open leads (each with its SOP task) and a lost one."""
    cast = in_tenant_a
    user = user_create(
        email="leaver@alpha.example.com", full_name="Lu Leaver", roles=["sales_rep"],
        team=cast.team,
    )  # fmt: skip
    for name in ("Open one", "Open two"):
        lead_services.lead_create(
            actor=cast.admin, owner=user, name=name, source_detail="owner-change"
        )
    lost = lead_services.lead_create(actor=cast.admin, owner=user, name="Lost one")
    Lead.objects.filter(pk=lost.pk).update(status=S.LOST)
    return user


def _edit(cast, user, **changes):
    data = {
        "full_name": user.full_name,
        "roles": user.roles,
        "team": user.team_id or "",
        "is_active": "on",
    } | changes
    return {k: v for k, v in data.items() if v is not None}


def test_deactivating_someone_with_open_leads_asks_what_happens_to_them(cast_a, leaver):
    admin = tenant_client(cast_a, cast_a.admin)
    url = reverse("accounts-user-edit", kwargs={"uuid": leaver.uuid})
    page = admin.get(url).content.decode()
    assert "Their 2 open leads, once deactivated" in page
    response = admin.post(url, _edit(cast_a, leaver, is_active=None))
    assert response.status_code == 200
    assert "Choose what happens to their open leads." in response.content.decode()
    response = admin.post(url, _edit(cast_a, leaver, is_active=None, handover="reassign"))
    assert "Choose who gets their open leads." in response.content.decode()
    with tenant_context(cast_a.tenant):
        assert User.objects.get(pk=leaver.pk).is_active  # nothing saved
    # Settings are for tenant admins: a rep is refused.
    assert tenant_client(cast_a, cast_a.rep).get(url).status_code == 403


def test_deactivating_with_reassign_hands_the_open_leads_to_the_chosen_person(
    cast_a, leaver, monkeypatch
):
    queued = []
    monkeypatch.setattr(
        "leads.services.bulk.enqueue_on_commit", lambda name, *args: queued.append((name, args))
    )
    with tenant_context(cast_a.tenant):
        notes_before = list(Notification.objects.values_list("pk", flat=True))
    admin = tenant_client(cast_a, cast_a.admin)
    url = reverse("accounts-user-edit", kwargs={"uuid": leaver.uuid})
    response = admin.post(
        url,
        _edit(
            cast_a, leaver, is_active=None, handover="reassign", handover_to=cast_a.teammate.uuid
        ),
    )
    assert response.status_code == 302
    assert queued == [
        (
            "leads.tasks.ownership.leads_hand_over_task",
            (leaver.pk, cast_a.teammate.pk, cast_a.admin.pk),
        )
    ]
    with tenant_context(cast_a.tenant):
        assert leads_hand_over_task(*queued[0][1]) == 2  # what the worker runs
        assert leads_hand_over_task(*queued[0][1]) == 0  # a retried task: nothing left
        moved = Lead.objects.filter(owner=cast_a.teammate, name__startswith="Open")
        assert moved.count() == 2
        assert {_sop_tasks(lead)[0] for lead in moved} == {cast_a.teammate.pk}
        assert Task.objects.filter(lead__in=moved).count() == 2  # followed, none made twice
        assert Lead.objects.get(name="Lost one").owner_id == leaver.pk  # closed: left alone
        notes = Notification.objects.filter(
            recipient=cast_a.teammate, kind="lead_assigned", url__contains="scene=mine"
        ).exclude(pk__in=notes_before)
        assert [n.title for n in notes] == ["2 new leads for you"]
        assert (
            Lead.history.filter(
                history_user_id=cast_a.admin.pk,
                owner_id=cast_a.teammate.pk,
                history_change_reason="handed over: deactivated",
            ).count()
            == 2
        )


def test_deactivating_and_leaving_the_leads_moves_nothing(in_tenant_a, leaver, monkeypatch):
    cast = in_tenant_a
    queued = []
    monkeypatch.setattr("leads.services.bulk.enqueue_on_commit", lambda *a: queued.append(a))
    user_update(
        user=leaver, actor=cast.admin, full_name=leaver.full_name, roles=leaver.roles,
        team=leaver.team, reports_to=leaver.reports_to, is_active=False, handover="leave",
    )  # fmt: skip
    assert queued == []
    assert Lead.objects.filter(owner=leaver).count() == 3


def test_a_handover_to_an_inactive_person_or_to_themselves_is_refused(in_tenant_a, leaver):
    cast = in_tenant_a
    common = {"full_name": leaver.full_name, "roles": leaver.roles, "team": leaver.team}
    with pytest.raises(AccountsError, match="Choose an active person"):
        user_update(
            user=leaver, actor=cast.admin, reports_to=None, is_active=False,
            handover="reassign", handover_to=leaver, **common,
        )  # fmt: skip
    User.objects.filter(pk__in=[leaver.pk, cast.teammate.pk]).update(is_active=False)
    for to_user in (leaver, User.objects.get(pk=cast.teammate.pk)):
        with pytest.raises(LeadError, match="deactivated"):
            leads_hand_over(from_user=leaver, to_user=to_user, actor=cast.admin)
    assert Lead.objects.filter(owner=leaver).count() == 3


def test_a_user_reactivated_before_the_handover_ran_keeps_their_leads(in_tenant_a, leaver):
    cast = in_tenant_a
    assert leads_hand_over(from_user=leaver, to_user=cast.teammate, actor=cast.admin) == 0
    assert Lead.objects.filter(owner=leaver).count() == 3


def test_another_tenants_admin_cannot_hand_over_a_user_and_its_leads_stay_put(
    cast_a, cast_b, leaver
):
    url = reverse("accounts-user-edit", kwargs={"uuid": leaver.uuid})
    other = tenant_client(cast_b, cast_b.admin)
    assert other.post(
        url, _edit(cast_a, leaver, is_active=None, handover="reroute")
    ).status_code in (
        403,
        404,
    )
    with tenant_context(cast_b.tenant):
        b_lead = lead_services.lead_create(actor=cast_b.rep, owner=cast_b.rep, name="Beta lead")
    with tenant_context(cast_a.tenant):
        User.objects.filter(pk=leaver.pk).update(is_active=False)
        assert leads_hand_over(from_user=leaver, to_user=None, actor=cast_a.admin) == 2
        assert Lead.objects.filter(owner__isnull=True, name__startswith="Open").count() == 2
    with tenant_context(cast_b.tenant):
        b_lead.refresh_from_db()
        assert (b_lead.owner_id, b_lead.status) == (cast_b.rep.pk, S.PENDING)


def test_deactivating_with_reroute_routes_the_leads_in_the_worker(committed_db, celery_worker):
    """The whole path in a real worker: the save queues the handover, the handover clears
    the owners, the hook queues their routing, and the rules give them to the teammate."""
    cast = _load_cast("alpha")
    with tenant_context(cast.tenant):
        user = user_create(
            email="departing@alpha.example.com", full_name="Dai Departing", roles=["sales_rep"]
        )
        rule = _to_rep_rule(cast, cast.teammate, detail="handover-worker")
        leads = [
            lead_services.lead_create(
                actor=cast.admin, owner=user, name=f"Departing {i}", source_detail="handover-worker"
            )
            for i in range(2)
        ]
        ids = [lead.pk for lead in leads]
        started = timezone.now()
        try:
            user_update(
                user=user, actor=cast.admin, full_name=user.full_name, roles=user.roles,
                team=None, reports_to=None, is_active=False, handover="reroute",
            )  # fmt: skip
            owners = set()
            for _ in range(200):
                owners = set(Lead.objects.filter(pk__in=ids).values_list("owner_id", flat=True))
                if owners == {cast.teammate.pk}:
                    break
                time.sleep(0.1)
            assert owners == {cast.teammate.pk}
            told = Notification.objects.filter(recipient=cast.teammate, kind="lead_assigned")
            for _ in range(100):  # sent right after the routing commits: wait, then remove it
                if told.filter(created_at__gte=started).exists():
                    break
                time.sleep(0.1)
            assert (
                Lead.history.filter(
                    id__in=ids, history_change_reason="handed over: deactivated", owner_id=None
                ).count()
                == 2
            )
        finally:
            Notification.objects.filter(created_at__gte=started).delete()
            Task.objects.filter(lead_id__in=ids).delete()
            PoolEvent.objects.filter(lead_id__in=ids).delete()
            Lead.history.filter(id__in=ids).delete()
            Lead.objects.filter(pk__in=ids).delete()
            rule.delete()
            AssignmentRule.history.filter(id=rule.pk).delete()
            user.history.all().delete()
            user.delete()


# The tenant's choice, on the lead settings page --------------------------------------------


def test_the_lead_settings_page_saves_the_open_tasks_choice_and_refuses_a_rep(cast_a):
    admin = tenant_client(cast_a, cast_a.admin)
    page = admin.get("/settings/leads/").content.decode()
    assert 'name="open_tasks_on_reassign"' in page
    saved = admin.post("/settings/leads/", {"hot_score": "70", "open_tasks_on_reassign": "cancel"})
    assert saved.status_code == 302
    refused = tenant_client(cast_a, cast_a.rep).post(
        "/settings/leads/", {"hot_score": "70", "open_tasks_on_reassign": "follow"}
    )
    assert refused.status_code == 403
    with tenant_context(cast_a.tenant):
        assert LeadSettings.load().open_tasks_on_reassign == "cancel"


def test_a_merge_that_keeps_another_records_owner_gives_them_the_sop_tasks(in_tenant_a):
    """The survivor (unowned) takes the owner of the record being worked: what follows any
    owner change follows this one too."""
    from leads.services.merge import lead_merge

    cast = in_tenant_a
    worked = lead_services.lead_create(
        actor=cast.admin, owner=cast.rep, name="Lin Hui", mobile="13800001111"
    )
    lead_services.lead_change_status(lead=worked, to_status=LeadStatus.FOLLOWING_UP, actor=cast.rep)
    newer = _unowned(cast, name="Lin Hui", mobile="13800001111")
    stage = Stage.objects.filter(is_active=True).order_by("position").first()
    Lead.objects.filter(pk__in=[worked.pk, newer.pk]).update(stage=stage)
    SopTemplate.objects.create(stage=stage, title="Call within 24 h", due_in_hours=24)
    assert _sop_tasks(newer) == []
    merge = lead_merge(survivor=newer, others=[worked], actor=cast.admin, values={})
    survivor = Lead.objects.get(pk=merge.survivor_id)
    assert survivor.owner == cast.rep
    assert _sop_tasks(survivor) == [cast.rep.pk]
