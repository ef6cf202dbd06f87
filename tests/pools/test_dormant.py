"""The tenant's dormant-lead rules, "no follow-up in the last N days", and timed-out leads.

Any held lead nobody works is warned, then returned to a pool (the one a "reclaimed" rule
chooses, else the fallback pool); a pool's own rules win for the leads claimed from it; the
warning marks the lead timed out, which the lead list shows and its "My timed-out leads" scene
gathers. Same job, lock and cap as the pools' reclaim.
"""

import re
import threading
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from django_tenants.utils import tenant_context

from leadcrm.accounts.models import User
from leadcrm.notifications.models import Notification
from leads.models import Lead, LeadStatus, LossReason
from leads.selectors import LeadFilters, lead_list
from leads.services import lead as lead_services
from pools.errors import PoolError
from pools.models import AssignmentRule, Pool, PoolEntry, PoolEvent, RoutingSettings
from pools.services.claim import pool_claim, pool_lead_add
from pools.services.dormant import dormant_settings_save
from pools.services.reclaim import lead_reclaim_forecast, pool_reclaim_due
from pools.services.routing import fallback_pool
from pools.services.rules import rule_save
from tests.conftest import _load_cast, tenant_client

HAN = re.compile(r"[\u4e00-\u9fff]")
RECLAIMED = AssignmentRule.Trigger.RECLAIMED


def _rules(cast, *, no_follow_up=None, no_touch=None, not_qualified=None, warning=0):
    return dormant_settings_save(
        actor=cast.admin,
        enabled=True,
        no_follow_up_days=no_follow_up,
        no_touch_days=no_touch,
        not_qualified_days=not_qualified,
        warning_days=warning,
    )


def _held(cast, name, *, days_ago, owner="rep", touched_days_ago=None, **fields) -> Lead:
    """A lead in no pool, assigned to ``owner`` ``days_ago`` (and touched then, if given)."""
    owner = getattr(cast, owner)
    lead = lead_services.lead_create(actor=cast.admin, owner=owner, name=name, **fields)
    then = timezone.now() - timedelta(days=days_ago)
    Lead.objects.filter(pk=lead.pk).update(assigned_at=then, created_at=then)
    if touched_days_ago is not None:
        lead_services.activity_log(
            lead=lead,
            actor=owner,
            kind="call",
            body="Spoke to them",
            occurred_at=timezone.now() - timedelta(days=touched_days_ago),
        )
    return Lead.objects.get(pk=lead.pk)


def _claimed(cast, pool, name, *, days_ago) -> Lead:
    lead = lead_services.lead_create(actor=cast.admin, name=name)
    pool_lead_add(pool=pool, lead=lead, actor=cast.admin)
    pool_claim(pool=pool, lead=lead, actor=cast.rep)
    then = timezone.now() - timedelta(days=days_ago)
    PoolEntry.objects.filter(lead=lead).update(claimed_at=then)
    Lead.objects.filter(pk=lead.pk).update(assigned_at=then)
    return Lead.objects.get(pk=lead.pk)


def _names(user, scene) -> set[str]:
    filters = LeadFilters.from_query({"scene": scene}, user=user)
    return set(lead_list(user=user, filters=filters).values_list("name", flat=True))


# Warned, then returned -----------------------------------------------------------------------


def test_a_lead_held_in_no_pool_is_warned_then_returned_to_the_fallback_pool(in_tenant_a):
    cast = in_tenant_a
    _rules(cast, no_follow_up=5, warning=2)
    lead = _held(cast, "Quiet Quan", days_ago=4)

    first = pool_reclaim_due()

    assert (first.warned, first.reclaimed) == (1, 0)
    lead.refresh_from_db()
    assert lead.owner == cast.rep
    assert lead.timed_out_at is not None
    warning = Notification.objects.get(recipient=cast.rep, kind="reclaim_warning")
    fallback = fallback_pool()
    assert fallback.name in warning.title
    assert "Quiet Quan" in warning.title
    warned = PoolEvent.objects.get(lead=lead, action=PoolEvent.Action.WARN)
    assert (warned.pool, warned.to_user) == (fallback, cast.rep)

    later = pool_reclaim_due(now=timezone.now() + timedelta(days=2))

    assert later.reclaimed == 1
    lead.refresh_from_db()
    assert (lead.owner, lead.status, lead.timed_out_at) == (None, LeadStatus.UNASSIGNED, None)
    entry = PoolEntry.objects.get(lead=lead)
    assert (entry.pool, entry.claimed_at) == (fallback, None)
    event = PoolEvent.objects.get(lead=lead, action=PoolEvent.Action.RECLAIM)
    assert (event.pool, event.to_user, event.actor) == (fallback, cast.rep, None)
    assert event.reason_text == "no follow-up within 5 days of assignment"
    notice = Notification.objects.get(recipient=cast.rep, kind="lead_reclaimed")
    assert "no follow-up within 5 days of assignment" in notice.body
    record = lead.history.order_by("-history_date").first()
    assert record.history_change_reason == "reclaimed: no follow-up within 5 days of assignment"
    # The former holder sees it no more (no member of the fallback pool): no dead link.
    assert notice.url == ""


def test_a_returned_lead_goes_to_the_pool_a_reclaimed_rule_chooses(in_tenant_a, pool):
    cast = in_tenant_a
    _rules(cast, no_follow_up=3)
    rule_save(
        actor=cast.admin,
        name="Reclaimed to a person (routing, not a return)",
        triggers=[RECLAIMED],
        conditions=[],
        target_type=AssignmentRule.Target.USER,
        target_user=cast.teammate,
    )
    rule_save(
        actor=cast.admin,
        name="Shanghai back to the delta",
        triggers=[RECLAIMED],
        conditions=[[{"field": "city", "op": "eq", "value": "Shanghai"}]],
        target_type=AssignmentRule.Target.POOL,
        target_pool=pool,
    )
    shanghai = _held(cast, "Shanghai Shi", days_ago=4, city="Shanghai")
    beijing = _held(cast, "Beijing Bai", days_ago=4, city="Beijing")

    assert pool_reclaim_due().reclaimed == 2

    assert PoolEntry.objects.get(lead=shanghai).pool == pool
    assert PoolEntry.objects.get(lead=beijing).pool == fallback_pool()
    assert Lead.objects.get(pk=shanghai.pk).owner is None  # returned, not handed to Robin
    # The rep is a member of the delta pool: the notice links to the lead they still see.
    notice = Notification.objects.get(recipient=cast.rep, title__contains="Shanghai Shi")
    assert notice.url == reverse("leads-detail", kwargs={"uuid": shanghai.uuid})


def test_a_pool_that_routes_returned_leads_routes_them_again(in_tenant_a, pool):
    cast = in_tenant_a
    _rules(cast, no_follow_up=3)
    pool.reroute_returned = True
    pool.save()
    rule_save(
        actor=cast.admin,
        name="Back to the delta",
        triggers=[RECLAIMED],
        conditions=[],
        target_type=AssignmentRule.Target.POOL,
        target_pool=pool,
    )
    pool.default_assignee = cast.teammate
    pool.save()
    lead = _held(cast, "Routed Again", days_ago=4)

    summary = pool_reclaim_due()

    assert (summary.reclaimed, summary.rerouted) == (1, 1)
    assert Lead.objects.get(pk=lead.pk).owner == cast.teammate


def test_pool_rules_win_for_the_leads_claimed_from_the_pool(in_tenant_a, pool):
    cast = in_tenant_a
    _rules(cast, no_follow_up=5)
    pool.max_open_per_member = None
    pool.reclaim_no_follow_up_days = 10
    pool.reclaim_warning_days = 0
    pool.save()
    by_pool = _claimed(cast, pool, "Pool Rules Apply", days_ago=7)
    rules_free = Pool.objects.create(name="No rules of its own")
    rules_free.members.add(cast.rep)
    by_tenant = _claimed(cast, rules_free, "Tenant Rules Apply", days_ago=7)

    first = pool_reclaim_due()

    assert first.reclaimed == 1
    assert Lead.objects.get(pk=by_pool.pk).owner == cast.rep  # its pool allows 10 days
    assert Lead.objects.get(pk=by_tenant.pk).owner is None
    assert PoolEntry.objects.get(lead=by_tenant).pool == rules_free  # back where it came from
    assert lead_reclaim_forecast(Lead.objects.get(pk=by_pool.pk)).by_pool_rules is True

    later = pool_reclaim_due(now=timezone.now() + timedelta(days=4))

    assert later.reclaimed == 1
    event = PoolEvent.objects.get(lead=by_pool, action=PoolEvent.Action.RECLAIM)
    assert (event.pool, event.reason_text) == (pool, "no follow-up within 10 days of claiming")


def test_the_last_n_days_rule_catches_a_lead_touched_once_long_ago(in_tenant_a, pool):
    cast = in_tenant_a
    _rules(cast, no_touch=7)
    long_ago = _held(cast, "Touched Long Ago", days_ago=30, touched_days_ago=20)
    recent = _held(cast, "Touched Lately", days_ago=30, touched_days_ago=2)
    new = _held(cast, "Given Lately", days_ago=3)  # never touched, but held only 3 days
    pool.max_open_per_member = None
    pool.reclaim_no_touch_days = 7
    pool.reclaim_warning_days = 0
    pool.save()
    claimed = _claimed(cast, pool, "Claimed Touched Long Ago", days_ago=30)
    lead_services.activity_log(
        lead=claimed,
        actor=cast.rep,
        kind="call",
        body="Once",
        occurred_at=timezone.now() - timedelta(days=20),
    )

    summary = pool_reclaim_due()

    assert summary.reclaimed == 2
    assert Lead.objects.get(pk=long_ago.pk).owner is None
    assert Lead.objects.get(pk=claimed.pk).owner is None
    assert Lead.objects.get(pk=recent.pk).owner == cast.rep
    assert Lead.objects.get(pk=new.pk).owner == cast.rep
    reasons = {
        e.lead_id: e.reason_text for e in PoolEvent.objects.filter(action=PoolEvent.Action.RECLAIM)
    }
    assert reasons == {
        long_ago.pk: "no follow-up in the last 7 days",
        claimed.pk: "no follow-up in the last 7 days",
    }
    # The recent touch buys 7 days from that touch, not from the assignment.
    forecast = lead_reclaim_forecast(Lead.objects.get(pk=recent.pk))
    assert forecast.at.date() == (timezone.now() + timedelta(days=5)).date()


def test_worked_qualified_closed_unowned_and_merged_leads_are_left_alone(in_tenant_a):
    cast = in_tenant_a
    _rules(cast, no_follow_up=5, not_qualified=10)
    worked = _held(cast, "Worked", days_ago=6, touched_days_ago=1)
    qualified = _held(cast, "Qualified", days_ago=30, touched_days_ago=20)
    Lead.objects.filter(pk=qualified.pk).update(bant_budget=True, bant_authority=True,
                                                bant_need=True, bant_timeline=True)  # fmt: skip
    lead_services.lead_change_status(lead=qualified, to_status=LeadStatus.QUALIFIED, actor=cast.rep)
    lost = _held(cast, "Lost", days_ago=30)
    lead_services.lead_change_status(
        lead=lost, to_status=LeadStatus.LOST, actor=cast.rep, loss_reason=LossReason.objects.first()
    )
    unowned = lead_services.lead_create(actor=cast.admin, name="Nobody's")
    Lead.objects.filter(pk=unowned.pk).update(created_at=timezone.now() - timedelta(days=30))
    merged = _held(cast, "Merged Away", days_ago=30)
    Lead.objects.filter(pk=merged.pk).update(merged_into=worked)

    summary = pool_reclaim_due()

    assert (summary.warned, summary.reclaimed) == (0, 0)
    for lead in (worked, qualified, lost, merged):
        assert Lead.objects.get(pk=lead.pk).owner == cast.rep, lead.name
    assert not PoolEntry.objects.exists()
    assert not Notification.objects.filter(kind__in=["reclaim_warning", "lead_reclaimed"]).exists()


def test_nothing_happens_while_the_rules_are_off(in_tenant_a):
    cast = in_tenant_a
    lead = _held(cast, "Left Alone", days_ago=400)
    settings = RoutingSettings.load()
    assert settings.dormant_enabled is False
    assert pool_reclaim_due().reclaimed == 0
    assert Lead.objects.get(pk=lead.pk).owner == cast.rep
    assert lead_reclaim_forecast(lead) is None


def test_running_twice_returns_once_and_warns_once(in_tenant_a):
    cast = in_tenant_a
    _rules(cast, no_follow_up=5, warning=2)
    due = _held(cast, "Due", days_ago=6)
    soon = _held(cast, "Soon", days_ago=4)

    first = pool_reclaim_due()
    second = pool_reclaim_due()

    assert (first.warned, first.reclaimed) == (1, 1)
    assert (second.warned, second.reclaimed) == (0, 0)
    assert PoolEvent.objects.filter(lead=due, action=PoolEvent.Action.RECLAIM).count() == 1
    assert PoolEvent.objects.filter(lead=soon, action=PoolEvent.Action.WARN).count() == 1
    notices = Notification.objects.filter(
        recipient=cast.rep, kind__in=["lead_reclaimed", "reclaim_warning"]
    )
    assert sorted(notices.values_list("kind", flat=True)) == ["lead_reclaimed", "reclaim_warning"]


def test_the_cap_is_shared_with_the_pool_rules_and_leaves_the_rest_for_the_next_run(
    in_tenant_a, pool
):
    cast = in_tenant_a
    _rules(cast, no_follow_up=5)
    pool.max_open_per_member = None
    pool.reclaim_no_follow_up_days = 5
    pool.reclaim_warning_days = 0
    pool.save()
    claimed = [_claimed(cast, pool, f"Claimed {i}", days_ago=6) for i in range(2)]
    held = [_held(cast, f"Held {i}", days_ago=6) for i in range(3)]

    capped = pool_reclaim_due(limit=3)

    assert (capped.reclaimed, capped.left) == (3, 2)
    rest = pool_reclaim_due(limit=3)
    assert (rest.reclaimed, rest.left) == (2, 0)
    leads = [*claimed, *held]
    assert not Lead.objects.filter(pk__in=[lead.pk for lead in leads], owner__isnull=False).exists()


# Timed out: the mark, the scene, the lead page -------------------------------------------


def test_a_warned_lead_is_timed_out_in_my_scene_and_lists_until_it_is_worked(cast_b, in_tenant_a):
    cast = in_tenant_a
    _rules(cast, no_follow_up=5, warning=2)
    mine = _held(cast, "Mine Timed Out", days_ago=4)
    _held(cast, "Mine Fresh", days_ago=1)
    _held(cast, "Robin Timed Out", days_ago=4, owner="teammate")
    pool_reclaim_due()

    assert _names(cast.rep, "my_timed_out") == {"Mine Timed Out"}
    assert _names(cast.teammate, "my_timed_out") == {"Robin Timed Out"}
    assert _names(cast.manager, "my_timed_out") == set()  # mine means mine, even to a boss
    page = tenant_client(cast, cast.rep).get(reverse("leads-index"), {"scene": "my_timed_out"})
    body = page.content.decode()
    assert "My timed-out leads" in body
    assert "Mine Timed Out" in body
    assert "Robin Timed Out" not in body
    assert body.count("data-timed-out") == 1

    lead_services.activity_log(lead=mine, actor=cast.rep, kind="call", body="Back on track")

    assert _names(cast.rep, "my_timed_out") == set()
    assert Lead.objects.get(pk=mine.pk).timed_out_at is None
    assert pool_reclaim_due().warned == 0  # worked: neither warned again nor returned
    assert Lead.objects.get(pk=mine.pk).owner == cast.rep
    # Another tenant's rep finds nothing of it (asked last: the request moves the schema).
    other = tenant_client(cast_b, cast_b.rep).get(reverse("leads-index"), {"scene": "my_timed_out"})
    assert "Robin Timed Out" not in other.content.decode()


def test_a_touched_lead_still_not_qualified_is_marked_again_without_a_second_notice(
    in_tenant_a,
):
    cast = in_tenant_a
    _rules(cast, not_qualified=10, warning=3)
    lead = _held(cast, "Never Qualified", days_ago=8)
    assert pool_reclaim_due().warned == 1
    lead_services.activity_log(lead=lead, actor=cast.rep, kind="call", body="Still thinking")
    assert Lead.objects.get(pk=lead.pk).timed_out_at is None

    assert pool_reclaim_due().warned == 0

    assert Lead.objects.get(pk=lead.pk).timed_out_at is not None  # still goes back on day 10
    assert Notification.objects.filter(recipient=cast.rep, kind="reclaim_warning").count() == 1
    assert PoolEvent.objects.filter(lead=lead, action=PoolEvent.Action.WARN).count() == 1


def test_the_mark_comes_off_when_no_rule_returns_the_lead_any_more(in_tenant_a, pool):
    cast = in_tenant_a
    _rules(cast, no_follow_up=5, warning=2)
    held = _held(cast, "Rules Switched Off", days_ago=4)
    pool.max_open_per_member = None
    pool.reclaim_no_follow_up_days = 5
    pool.reclaim_warning_days = 2
    pool.save()
    claimed = _claimed(cast, pool, "Pool Rule Relaxed", days_ago=4)
    assert pool_reclaim_due().warned == 2
    assert PoolEntry.objects.get(lead=claimed).warned_at is not None

    dormant_settings_save(
        actor=cast.admin, enabled=False, no_follow_up_days=5, no_touch_days=None,
        not_qualified_days=None, warning_days=2,
    )  # fmt: skip
    pool.reclaim_no_follow_up_days = 30
    pool.save()
    summary = pool_reclaim_due()

    assert summary.cleared == 2
    assert not Lead.objects.filter(timed_out_at__isnull=False).exists()
    assert PoolEntry.objects.get(lead=claimed).warned_at is None
    assert Lead.objects.get(pk=held.pk).owner == cast.rep


def test_the_lead_page_says_when_and_where_a_held_lead_goes_back(in_tenant_a):
    cast = in_tenant_a
    _rules(cast, no_follow_up=5, warning=2)
    lead = _held(cast, "Shown Date", days_ago=1)
    url = reverse("leads-detail", kwargs={"uuid": lead.uuid})
    when = (lead.assigned_at + timedelta(days=5)).astimezone(ZoneInfo(cast.tenant.time_zone))

    body = tenant_client(cast, cast.rep).get(url).content.decode()

    assert "data-reclaim-at" in body
    fallback = fallback_pool().name
    assert f"Goes back to {fallback} on {when:%Y-%m-%d} unless it is worked." in body
    assert "data-timed-out" not in body

    pool_reclaim_due(now=timezone.now() + timedelta(days=3))  # within the warning days
    body = tenant_client(cast, cast.rep).get(url).content.decode()
    assert "data-timed-out" in body
    assert "Timed out" in body

    # Without any rule that returns it, nothing is said.
    RoutingSettings.objects.update(dormant_enabled=False)
    assert "data-reclaim-at" not in tenant_client(cast, cast.rep).get(url).content.decode()


def test_the_reason_and_the_notices_read_in_chinese(in_tenant_a):
    cast = in_tenant_a
    User.objects.filter(pk=cast.rep.pk).update(language="zh-hans")
    _rules(cast, no_follow_up=5, no_touch=6)
    lead = _held(cast, "Li Lei", days_ago=9)
    with translation.override("en"):
        assert pool_reclaim_due().reclaimed == 1

    event = PoolEvent.objects.get(lead=lead, action=PoolEvent.Action.RECLAIM)
    with translation.override("zh-hans"):
        reason = event.reason_text
        assert HAN.search(reason)
        assert "5" in reason
        assert "6" in reason
        assert "assignment" not in reason
        assert "follow-up" not in reason
    with translation.override("en"):
        assert event.reason_text == (
            "no follow-up within 5 days of assignment; no follow-up in the last 6 days"
        )
    notice = Notification.objects.get(recipient=cast.rep, kind="lead_reclaimed")
    assert HAN.search(notice.body)  # written in the recipient's language
    with translation.override("zh-hans"):
        assert "Li Lei" in notice.title_text
        assert "went back" not in notice.title_text
        assert "assignment" not in notice.body_text


# The settings page -----------------------------------------------------------------------


def _post(client, **values):
    data = {
        "dormant_enabled": "on",
        "dormant_no_follow_up_days": "5",
        "dormant_no_touch_days": "",
        "dormant_not_qualified_days": "30",
        "dormant_warning_days": "1",
    }
    data.update(values)
    return client.post(reverse("pools-dormant-settings"), {k: v for k, v in data.items() if v})


def test_the_settings_page_shows_saves_and_counts(in_tenant_a):
    cast = in_tenant_a
    _held(cast, "Due Now", days_ago=6)
    _held(cast, "Due Soon", days_ago=5 - 0.5)
    client = tenant_client(cast, cast.admin)

    page = client.get(reverse("pools-dormant-settings")).content.decode()
    assert "Dormant-lead rules" in page
    assert "data-dormant-off" in page
    assert 'aria-current="page">Dormant leads' in page  # its tab in Settings

    response = _post(client)
    assert response.status_code == 302
    settings = RoutingSettings.load()
    assert (
        settings.dormant_enabled,
        settings.dormant_no_follow_up_days,
        settings.dormant_no_touch_days,
        settings.dormant_not_qualified_days,
        settings.dormant_warning_days,
    ) == (True, 5, None, 30, 1)
    page = client.get(reverse("pools-dormant-settings")).content.decode()
    assert "1 held lead would go back to a pool now." in page
    assert "1 held lead is within its warning days." in page
    assert fallback_pool().name in page


def test_a_pool_admin_may_change_the_rules(in_tenant_a):
    cast = in_tenant_a
    client = tenant_client(cast, cast.pool_admin)
    assert client.get(reverse("pools-dormant-settings")).status_code == 200
    assert reverse("pools-dormant-settings") in client.get(reverse("pools-index")).content.decode()
    assert _post(client, dormant_no_touch_days="14").status_code == 302
    assert RoutingSettings.load().dormant_no_touch_days == 14


@pytest.mark.parametrize(
    ("values", "error"),
    [
        ({"dormant_no_follow_up_days": "0"}, "greater than or equal to 1"),
        ({"dormant_warning_days": "-1"}, "greater than or equal to 0"),
        ({"dormant_no_touch_days": "abc"}, "Enter a whole number"),
        ({"dormant_warning_days": "5"}, "Warn fewer days ahead than the shortest time limit"),
        (
            {"dormant_no_follow_up_days": "", "dormant_not_qualified_days": ""},
            "Set at least one time limit",
        ),
    ],
)
def test_the_settings_page_refuses_bad_values_with_a_message(in_tenant_a, values, error):
    cast = in_tenant_a
    response = _post(tenant_client(cast, cast.admin), **values)
    assert response.status_code == 422
    body = response.content.decode()
    assert error in body
    assert "were not saved" in body
    assert RoutingSettings.load().dormant_enabled is False


def test_reps_and_managers_may_not_see_or_change_the_rules(in_tenant_a):
    cast = in_tenant_a
    for who in (cast.rep, cast.manager):
        client = tenant_client(cast, who)
        assert client.get(reverse("pools-dormant-settings")).status_code == 403
        assert _post(client).status_code == 403
    assert RoutingSettings.load().dormant_enabled is False
    with pytest.raises(PoolError):
        dormant_settings_save(
            actor=cast.rep, enabled=True, no_follow_up_days=1, no_touch_days=None,
            not_qualified_days=None, warning_days=0,
        )  # fmt: skip


def test_another_tenant_keeps_its_own_rules(cast_a, cast_b):
    with tenant_context(cast_a.tenant):
        assert _post(tenant_client(cast_a, cast_a.admin)).status_code == 302
    # B's admin sees B's own rules, still off, and nothing of A's.
    page = tenant_client(cast_b, cast_b.admin).get(reverse("pools-dormant-settings"))
    assert page.status_code == 200
    assert "data-dormant-off" in page.content.decode()
    assert cast_a.tenant.name not in page.content.decode()
    with tenant_context(cast_b.tenant):
        assert RoutingSettings.load().dormant_enabled is False


def test_the_pool_form_saves_the_last_n_days_rule(in_tenant_a, pool):
    cast = in_tenant_a
    client = tenant_client(cast, cast.admin)
    form = client.get(reverse("pools-edit", kwargs={"uuid": pool.uuid})).content.decode()
    assert 'name="reclaim_no_touch_days"' in form
    response = client.post(
        reverse("pools-edit", kwargs={"uuid": pool.uuid}),
        {
            "name": pool.name,
            "kind": pool.kind,
            "mode": pool.mode,
            "return_cooldown_days": "0",
            "reclaim_no_touch_days": "21",
            "reclaim_warning_days": "2",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert Pool.objects.get(pk=pool.pk).reclaim_no_touch_days == 21


# The job: its lock, and two runs at once -----------------------------------------------------


def test_the_job_skips_a_tenant_whose_run_holds_the_lock(in_tenant_a):
    from leadcrm.tasking import tenant_lock
    from pools.tasks import pools_reclaim

    cast = in_tenant_a
    _rules(cast, no_follow_up=5)
    lead = _held(cast, "Locked Out", days_ago=6)
    with tenant_lock("pools_reclaim", seconds=60):
        assert pools_reclaim.run() == {}
    assert Lead.objects.get(pk=lead.pk).owner == cast.rep
    assert pools_reclaim.run() == {
        "warned": 0, "reclaimed": 1, "rerouted": 0, "left": 0, "cleared": 0,
    }  # fmt: skip


@pytest.fixture
def committed_dormant(committed_db):
    """In tenant alpha, committed: the tenant's rules on (no follow-up within 5 days) and a
    factory of due leads held by the rep. Removed afterwards."""
    cast = _load_cast("alpha")
    made: list[int] = []
    with tenant_context(cast.tenant):
        _rules(cast, no_follow_up=5)

    def make(count: int) -> list[int]:
        with tenant_context(cast.tenant):
            old = timezone.now() - timedelta(days=9)
            for i in range(count):
                lead = Lead.objects.create(
                    name=f"Committed dormant {i}",
                    owner=cast.rep,
                    status=LeadStatus.PENDING,
                    assigned_at=old,
                )
                made.append(lead.pk)
        return made[-count:]

    yield cast, make
    with tenant_context(cast.tenant):
        PoolEvent.objects.filter(lead__in=made).delete()
        PoolEntry.objects.filter(lead__in=made).delete()
        Notification.objects.filter(dedup_key__startswith="reclaimed:").delete()
        Lead.history.filter(id__in=made).delete()
        Lead.objects.filter(pk__in=made).delete()
        RoutingSettings.objects.all().delete()


def test_two_runs_at_once_return_each_lead_once(committed_dormant):
    cast, make = committed_dormant
    ids = make(30)
    results: list[int] = []
    barrier = threading.Barrier(2)

    def run():
        try:
            with tenant_context(cast.tenant):
                barrier.wait(timeout=10)
                results.append(pool_reclaim_due().reclaimed)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(results) == 2  # both runs finished
    assert sum(results) == 30
    with tenant_context(cast.tenant):
        events = PoolEvent.objects.filter(lead__in=ids, action=PoolEvent.Action.RECLAIM)
        assert events.count() == 30
        assert events.values("lead").distinct().count() == 30
        assert not Lead.objects.filter(pk__in=ids, owner__isnull=False).exists()
        assert Notification.objects.filter(dedup_key__startswith="reclaimed:").count() == 30


@pytest.mark.worker
def test_the_job_runs_through_the_worker_in_its_tenant(celery_worker, committed_dormant):
    from celery.result import AsyncResult

    from pools.tasks import pools_reclaim

    cast, make = committed_dormant
    ids = make(3)
    with tenant_context(cast.tenant):
        result = pools_reclaim.delay()
    summary = AsyncResult(result.id).get(timeout=30)
    assert (summary["reclaimed"], summary["left"]) == (3, 0)
    with tenant_context(cast.tenant):
        assert not Lead.objects.filter(pk__in=ids, owner__isnull=False).exists()
        assert set(PoolEntry.objects.filter(lead__in=ids).values_list("pool", flat=True)) == {
            fallback_pool().pk
        }
        second = pools_reclaim.delay()
    assert AsyncResult(second.id).get(timeout=30)["reclaimed"] == 0
