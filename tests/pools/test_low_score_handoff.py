"""The low-score handoff: leads whose score stays low leave their owner for the nurture pool."""

import threading
from datetime import timedelta

import pytest
from celery.result import AsyncResult
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import tenant_context

from leadcrm.notifications.models import Notification
from leads.models import Lead, LeadStatus
from leads.services import lead as lead_services
from pools.errors import PoolError
from pools.models import AssignmentRule, Pool, PoolEntry, PoolEvent, RoutingSettings
from pools.services.claim import pool_claim, pool_lead_add
from pools.services.handoff import low_score_due, low_score_handoff_due
from pools.services.rules import rule_save
from tests.conftest import _load_cast, tenant_client

LOW_SCORE = AssignmentRule.Trigger.LOW_SCORE


def _enable(*, below=20, days=14, enabled=True) -> RoutingSettings:
    settings = RoutingSettings.load()
    settings.low_score_enabled, settings.low_score_below, settings.low_score_days = (
        enabled,
        below,
        days,
    )
    settings.save()
    return settings


@pytest.fixture
def nurture(in_tenant_a):
    """The nurture pool, an active low-score rule that targets it, and the handoff switched on
    (below 20 for 14 days)."""
    cast = in_tenant_a
    pool = Pool.objects.create(name="Nurture", mode=Pool.Mode.CLAIM)
    pool.members.add(cast.teammate)
    rule_save(
        actor=cast.admin,
        name="Low scores to nurture",
        triggers=[LOW_SCORE],
        conditions=[],
        target_type=AssignmentRule.Target.POOL,
        target_pool=pool,
    )
    _enable()
    return pool


def _lead(cast, *, score, days_ago=30, owner="rep", **fields) -> Lead:
    """A lead held by the rep (or ``owner=None``), assigned (else created) ``days_ago``,
    scored ``score``."""
    owner = getattr(cast, owner) if owner else None
    lead = lead_services.lead_create(actor=cast.admin, owner=owner, name=f"Lead {score}", **fields)
    then = timezone.now() - timedelta(days=days_ago)
    Lead.objects.filter(pk=lead.pk).update(
        score=score, assigned_at=then if owner else None, created_at=then
    )
    return Lead.objects.get(pk=lead.pk)


def test_due_lead_goes_to_the_nurture_pool_and_its_owner_is_told(in_tenant_a, nurture):
    cast = in_tenant_a
    lead = _lead(cast, score=12)

    summary = low_score_handoff_due()

    assert summary.handed_off == 1
    lead.refresh_from_db()
    assert lead.owner is None
    assert lead.status == LeadStatus.UNASSIGNED
    assert PoolEntry.objects.get(lead=lead).pool == nurture
    assert PoolEntry.objects.get(lead=lead).claimed_at is None
    event = PoolEvent.objects.get(lead=lead, action=PoolEvent.Action.HANDOFF)
    assert (event.pool, event.to_user, event.actor) == (nurture, cast.rep, None)
    # The reason is kept as values, rendered when read (never a stored English sentence).
    assert event.reason == ""
    assert event.params == {"score": 12, "below": 20, "days": 14, "rule": "Low scores to nurture"}
    assert event.reason_text == "The score (12) stayed below 20 for 14 days or more"
    notice = Notification.objects.get(recipient=cast.rep, dedup_key__startswith="handoff:")
    assert notice.kind == Notification.Kind.LEAD_RECLAIMED
    assert "Nurture" in notice.title
    # The rep is no member of the nurture pool: no link to a page they could not open.
    assert notice.url == ""
    # The pool's members can now claim it.
    pool_claim(pool=nurture, lead=lead, actor=cast.teammate)


def test_the_notice_links_to_the_lead_when_its_former_owner_still_sees_it(in_tenant_a, nurture):
    cast = in_tenant_a
    nurture.members.add(cast.rep)
    lead = _lead(cast, score=12)

    low_score_handoff_due()

    notice = Notification.objects.get(recipient=cast.rep, dedup_key__startswith="handoff:")
    assert notice.url == reverse("leads-detail", kwargs={"uuid": lead.uuid})


def test_leads_that_are_not_due_stay_with_their_owner(in_tenant_a, nurture):
    cast = in_tenant_a
    above = _lead(cast, score=25)
    at_threshold = _lead(cast, score=20)
    recent = _lead(cast, score=5, days_ago=3)
    unscored = _lead(cast, score=None)
    lost = _lead(cast, score=5)
    invalid = _lead(cast, score=5)
    qualified = _lead(cast, score=5)
    Lead.objects.filter(pk=lost.pk).update(status=LeadStatus.LOST)
    Lead.objects.filter(pk=invalid.pk).update(status=LeadStatus.INVALID)
    Lead.objects.filter(pk=qualified.pk).update(status=LeadStatus.QUALIFIED)
    merged = _lead(cast, score=5)
    Lead.objects.filter(pk=merged.pk).update(merged_into=above)
    nowhere = _lead(cast, score=5, owner=None)  # neither owned nor in a pool
    handed_before = _lead(cast, score=5)
    PoolEvent.objects.create(
        lead=handed_before,
        pool=nurture,
        action=PoolEvent.Action.HANDOFF,
        at=handed_before.assigned_at + timedelta(days=1),
    )
    staying = [above, at_threshold, recent, unscored, lost, invalid, qualified, merged]
    staying += [handed_before]

    summary = low_score_handoff_due()

    assert summary.handed_off == 0
    for lead in staying:
        assert Lead.objects.get(pk=lead.pk).owner == cast.rep, lead.name
    assert not PoolEntry.objects.filter(lead__in=[*staying, nowhere]).exists()
    assert not Notification.objects.filter(dedup_key__startswith="handoff:").exists()


def test_nothing_moves_while_the_setting_is_off(in_tenant_a, nurture):
    cast = in_tenant_a
    lead = _lead(cast, score=3)
    _enable(enabled=False)

    assert low_score_handoff_due().handed_off == 0
    assert Lead.objects.get(pk=lead.pk).owner == cast.rep
    assert RoutingSettings.objects.get().low_score_enabled is False


def test_the_setting_is_off_by_default(in_tenant_a):
    settings = RoutingSettings.load()
    assert (settings.low_score_enabled, settings.low_score_below, settings.low_score_days) == (
        False,
        20,
        14,
    )


def test_running_twice_moves_once_and_a_new_claim_starts_the_clock_again(in_tenant_a, nurture):
    cast = in_tenant_a
    lead = _lead(cast, score=8)

    assert low_score_handoff_due().handed_off == 1
    assert low_score_handoff_due().handed_off == 0
    assert PoolEvent.objects.filter(lead=lead, action=PoolEvent.Action.HANDOFF).count() == 1
    assert Notification.objects.filter(dedup_key__startswith="handoff:").count() == 1

    # Claimed again: not due until it has been held N days with a low score.
    pool_claim(pool=nurture, lead=lead, actor=cast.teammate)
    assert low_score_handoff_due().handed_off == 0
    later = timezone.now() + timedelta(days=15)
    assert low_score_handoff_due(now=later).handed_off == 1
    assert PoolEvent.objects.filter(lead=lead, action=PoolEvent.Action.HANDOFF).count() == 2
    assert Lead.objects.get(pk=lead.pk).owner is None


def test_a_lead_no_low_score_rule_matches_is_left_alone(in_tenant_a, nurture):
    cast = in_tenant_a
    AssignmentRule.objects.filter(triggers__contains=[LOW_SCORE]).update(
        conditions=[[{"field": "city", "op": "eq", "value": "Shanghai"}]]
    )
    shanghai = _lead(cast, score=5, city="Shanghai")
    beijing = _lead(cast, score=5, city="Beijing")

    summary = low_score_handoff_due()

    assert (summary.handed_off, summary.unmatched) == (1, 1)
    assert Lead.objects.get(pk=shanghai.pk).owner is None
    assert Lead.objects.get(pk=beijing.pk).owner == cast.rep
    assert not PoolEntry.objects.filter(lead=beijing).exists()
    # Without any active low-score rule nothing moves (no fallback pool for this trigger).
    AssignmentRule.objects.update(is_active=False)
    other = _lead(cast, score=5, city="Shanghai")
    assert low_score_handoff_due().handed_off == 0
    assert Lead.objects.get(pk=other.pk).owner == cast.rep


def test_a_rule_may_also_set_the_status_to_nurture(in_tenant_a, nurture):
    cast = in_tenant_a
    AssignmentRule.objects.filter(triggers__contains=[LOW_SCORE]).update(set_nurture=True)
    lead = _lead(cast, score=5)
    lead_services.lead_change_status(lead=lead, to_status=LeadStatus.FOLLOWING_UP, actor=cast.rep)

    low_score_handoff_due()

    lead.refresh_from_db()
    assert (lead.owner, lead.status) == (None, LeadStatus.NURTURE)
    pool_claim(pool=nurture, lead=lead, actor=cast.teammate)  # Nurture leads are claimable


def test_an_unowned_lead_moves_from_its_pool_but_leads_waiting_in_nurture_stay(
    in_tenant_a, nurture, pool
):
    cast = in_tenant_a
    waiting = _lead(cast, score=5, owner=None)
    pool_lead_add(pool=pool, lead=waiting, actor=cast.admin)
    parked = _lead(cast, score=5, owner=None)
    pool_lead_add(pool=nurture, lead=parked, actor=cast.admin)
    assert set(low_score_due().values_list("pk", flat=True)) == {waiting.pk}

    assert low_score_handoff_due().handed_off == 1

    assert PoolEntry.objects.get(lead=waiting).pool == nurture
    assert PoolEvent.objects.get(lead=waiting, action="handoff").to_user is None
    assert not PoolEvent.objects.filter(lead=parked, action="handoff").exists()
    assert not Notification.objects.filter(dedup_key__startswith="handoff:").exists()


def test_a_low_score_rule_must_hand_leads_to_a_pool(in_tenant_a):
    cast = in_tenant_a
    with pytest.raises(PoolError, match="to a pool"):
        rule_save(
            actor=cast.admin,
            name="Low to Robin",
            triggers=[LOW_SCORE],
            conditions=[],
            target_type=AssignmentRule.Target.USER,
            target_user=cast.teammate,
        )
    # "Also set Nurture" means nothing for the other triggers and is not kept.
    rule = rule_save(
        actor=cast.admin,
        name="New to Robin",
        triggers=["new"],
        conditions=[],
        target_type=AssignmentRule.Target.USER,
        target_user=cast.teammate,
        set_nurture=True,
    )
    assert rule.set_nurture is False


def test_the_pool_page_and_the_lead_page_say_why(in_tenant_a, nurture):
    cast = in_tenant_a
    lead = _lead(cast, score=7)
    low_score_handoff_due()
    client = tenant_client(cast, cast.admin)
    events = client.get(reverse("pools-detail", kwargs={"uuid": nurture.uuid}) + "?tab=events")
    assert "The score (7) stayed below 20 for 14 days or more" in events.content.decode()
    page = client.get(reverse("leads-detail", kwargs={"uuid": lead.uuid})).content.decode()
    assert "data-handoff-reason" in page
    assert "The score (7) stayed below 20" in page


# The rules page: the setting, its count, and its validation.


def test_the_rules_page_shows_and_saves_the_setting(in_tenant_a, nurture):
    cast = in_tenant_a
    _lead(cast, score=5)
    _lead(cast, score=15)
    _lead(cast, score=50)
    _enable(enabled=False)
    client = tenant_client(cast, cast.admin)

    page = client.get(reverse("pools-rules")).content.decode()
    assert "Low-score handoff" in page
    assert "2 leads would be handed off now." in page
    assert 'action="' + reverse("pools-low-score-settings") + '"' in page

    response = client.post(
        reverse("pools-low-score-settings"),
        {"low_score_enabled": "on", "low_score_below": "10", "low_score_days": "7"},
    )
    assert response.status_code == 302
    settings = RoutingSettings.load()
    assert (settings.low_score_enabled, settings.low_score_below, settings.low_score_days) == (
        True,
        10,
        7,
    )
    page = client.get(reverse("pools-rules")).content.decode()
    assert "1 lead would be handed off now." in page


@pytest.mark.parametrize(
    ("below", "days", "error"),
    [
        ("20", "-3", "greater than or equal to 1"),
        ("101", "14", "less than or equal to 100"),
        ("abc", "14", "Enter a whole number"),
        ("20", "", "This field is required"),
    ],
)
def test_the_rules_page_refuses_bad_settings_with_a_message(in_tenant_a, below, days, error):
    cast = in_tenant_a
    client = tenant_client(cast, cast.admin)
    response = client.post(
        reverse("pools-low-score-settings"),
        {"low_score_enabled": "on", "low_score_below": below, "low_score_days": days},
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert error in body
    assert "were not saved" in body
    assert RoutingSettings.load().low_score_enabled is False


def test_only_tenant_admins_change_the_setting(in_tenant_a):
    cast = in_tenant_a
    for who in (cast.rep, cast.manager, cast.pool_admin):
        response = tenant_client(cast, who).post(
            reverse("pools-low-score-settings"),
            {"low_score_enabled": "on", "low_score_below": "50", "low_score_days": "1"},
        )
        assert response.status_code == 403
    assert RoutingSettings.load().low_score_enabled is False


def test_the_rule_editor_offers_the_trigger_and_the_nurture_option(in_tenant_a, nurture):
    cast = in_tenant_a
    client = tenant_client(cast, cast.admin)
    form = client.get(reverse("pools-rule-create")).content.decode()
    assert 'value="low_score"' in form
    assert 'name="set_nurture"' in form
    response = client.post(
        reverse("pools-rule-create"),
        {
            "name": "Cold to nurture",
            "triggers": ["low_score"],
            "target_type": "pool",
            "target_pool": nurture.pk,
            "set_nurture": "on",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = AssignmentRule.objects.get(name="Cold to nurture")
    assert (rule.triggers, rule.set_nurture) == (["low_score"], True)
    assert "low score" in client.get(reverse("pools-rules")).content.decode()


# Committed data: concurrent runs, and the task through the real worker.


@pytest.fixture
def committed_handoff(committed_db):
    """In tenant alpha, committed: the nurture pool and rule, the handoff on, and a factory of
    due leads (held by the rep, score 5, assigned 30 days ago). Removed afterwards."""
    cast = _load_cast("alpha")
    made: list[int] = []
    with tenant_context(cast.tenant):
        pool = Pool.objects.create(name="Committed Nurture")
        rule = AssignmentRule.objects.create(
            name="Committed low scores",
            triggers=[LOW_SCORE],
            target_type=AssignmentRule.Target.POOL,
            target_pool=pool,
        )
        _enable()

    def make(count: int) -> list[int]:
        with tenant_context(cast.tenant):
            old = timezone.now() - timedelta(days=30)
            for i in range(count):
                lead = Lead.objects.create(
                    name=f"Committed cold {i}",
                    owner=cast.rep,
                    status=LeadStatus.PENDING,
                    score=5,
                    assigned_at=old,
                )
                made.append(lead.pk)
        return made[-count:]

    yield cast, pool, make
    with tenant_context(cast.tenant):
        PoolEvent.objects.filter(lead__in=made).delete()
        PoolEntry.objects.filter(lead__in=made).delete()
        Notification.objects.filter(dedup_key__startswith="handoff:").delete()
        Lead.history.filter(id__in=made).delete()
        Lead.objects.filter(pk__in=made).delete()
        rule.delete()
        pool.delete()
        RoutingSettings.objects.all().delete()


def _run_in_thread(cast, results: list, barrier: threading.Barrier) -> None:
    try:
        with tenant_context(cast.tenant):
            barrier.wait(timeout=10)
            results.append(low_score_handoff_due(batch_size=7).handed_off)
    finally:
        connection.close()


def test_two_runs_at_once_hand_off_each_lead_once(committed_handoff):
    cast, _pool, make = committed_handoff
    ids = make(40)
    results: list[int] = []
    barrier = threading.Barrier(2)
    threads = [
        threading.Thread(target=_run_in_thread, args=(cast, results, barrier)) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(results) == 2  # both runs finished
    assert sum(results) == 40
    with tenant_context(cast.tenant):
        events = PoolEvent.objects.filter(lead__in=ids, action=PoolEvent.Action.HANDOFF)
        assert events.count() == 40
        assert events.values("lead").distinct().count() == 40
        assert not Lead.objects.filter(pk__in=ids, owner__isnull=False).exists()


def test_a_lead_locked_by_another_transaction_is_skipped_not_waited_for(committed_handoff):
    cast, _pool, make = committed_handoff
    held, free = make(2)
    locked, release = threading.Event(), threading.Event()

    def hold_lock():
        try:
            with tenant_context(cast.tenant), transaction.atomic():
                Lead.objects.select_for_update().get(pk=held)
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        assert locked.wait(timeout=10)
        with tenant_context(cast.tenant):
            assert low_score_handoff_due().handed_off == 1  # returns without waiting
            assert Lead.objects.get(pk=free).owner_id is None
            assert Lead.objects.get(pk=held).owner_id == cast.rep.pk
    finally:
        release.set()
        holder.join(timeout=30)
    with tenant_context(cast.tenant):
        assert low_score_handoff_due().handed_off == 1  # the next run takes it
        assert Lead.objects.get(pk=held).owner_id is None


def test_the_daily_job_is_scheduled_for_every_tenant():
    entry = django_settings.CELERY_BEAT_SCHEDULE["pools-low-score-handoff"]
    assert entry["task"] == "pools.tasks.pools_low_score_handoff"
    assert entry["schedule"] == 60 * 60 * 24
    assert "tenant_schemas" not in entry  # per tenant, never the public schema


@pytest.mark.worker
def test_the_job_runs_through_the_worker_in_its_tenant(celery_worker, committed_handoff):
    from pools.tasks import pools_low_score_handoff

    cast, pool, make = committed_handoff
    ids = make(3)
    with tenant_context(cast.tenant):
        result = pools_low_score_handoff.delay()
    assert AsyncResult(result.id).get(timeout=30) == {"handed_off": 3, "unmatched": 0, "left": 0}
    with tenant_context(cast.tenant):
        assert set(PoolEntry.objects.filter(lead__in=ids).values_list("pool", flat=True)) == {
            pool.pk
        }
        assert (
            Notification.objects.filter(
                recipient=cast.rep, dedup_key__startswith="handoff:"
            ).count()
            == 1
        )  # one notice for the batch
        second = pools_low_score_handoff.delay()
    assert AsyncResult(second.id).get(timeout=30)["handed_off"] == 0


def test_the_job_skips_a_tenant_whose_run_holds_the_lock(in_tenant_a, nurture):
    from leadcrm.tasking import tenant_lock
    from pools.tasks import pools_low_score_handoff

    lead = _lead(in_tenant_a, score=5)
    with tenant_lock("pools_low_score_handoff", seconds=60):
        assert pools_low_score_handoff.run() == {}
    assert Lead.objects.get(pk=lead.pk).owner == in_tenant_a.rep
    assert pools_low_score_handoff.run()["handed_off"] == 1
