"""The rollups of a big workspace (analytics.rollups): the dashboard and the trends read from
them give exactly the live figures for every reader and period; a small workspace has none
and reads live; the rebuild runs through the worker, once per tenant at a time; the page
says how fresh the figures are."""

import zoneinfo
from datetime import timedelta
from decimal import Decimal

import pytest
from celery.result import AsyncResult
from django.test import override_settings
from django.utils import timezone
from django_tenants.utils import tenant_context

from analytics.filters import ReportFilters
from analytics.models import DailyLeadFigures, RollupState, StageVisit
from analytics.rollups import rollup_in_use, rollups_refresh
from analytics.selectors import aging, dashboard, losses, quality, reps, sources, trends
from analytics.tasks import rollups_rebuild
from conversion.models import Conversion, Customer, Opportunity, OpportunityStage
from leads.models import Campaign, Lead, LeadStatus, LossReason, SourceChannel, Stage
from pools.models import Pool, PoolEvent
from tests.analytics.test_dashboard import NOW, _lead, _moves
from tests.conftest import _load_cast, tenant_client

PERIODS = [{}, {"period": "7d"}, {"period": "90d"}, {"period": "year"},
           {"period": "last_month"}]  # fmt: skip


@pytest.fixture
def data(in_tenant_a):
    """The dashboard's fixed leads, and more: a converted lead of the previous period, a lost
    one, a void one at a stage, one without an owner, one converted long after creation."""
    cast = in_tenant_a
    # The tenant's days, as the middleware makes them for a request.
    timezone.activate(zoneinfo.ZoneInfo(cast.tenant.time_zone))
    rep, mate = cast.rep, cast.teammate
    stages = list(Stage.objects.filter(is_active=True).order_by("position", "name"))
    a = _lead(rep, "A", days_ago=5, status=LeadStatus.CONVERTED,
              first_follow_up_at=timedelta(hours=2), converted_at=timedelta(days=3))  # fmt: skip
    b = _lead(rep, "B", days_ago=4, status=LeadStatus.QUALIFIED, stage=stages[1],
              first_follow_up_at=timedelta(hours=4))  # fmt: skip
    c = _lead(mate, "C", days_ago=3, stage=stages[0], first_follow_up_at=timedelta(hours=30))
    price = LossReason.objects.create(name="Price")
    d = _lead(rep, "D", days_ago=2, status=LeadStatus.LOST, first_follow_up_at=timedelta(hours=6),
              status_changed_at=timedelta(days=1), loss_reason=price,
              source=SourceChannel.objects.first())  # fmt: skip
    _lead(mate, "Gone", days_ago=3, status=LeadStatus.LOST, loss_reason=price,
          status_changed_at=timedelta(days=1))  # fmt: skip
    e = _lead(mate, "E", days_ago=40, status=LeadStatus.CONVERTED,
              first_follow_up_at=timedelta(hours=1), converted_at=timedelta(days=38))  # fmt: skip
    _lead(mate, "Void", days_ago=1, status=LeadStatus.VOID, stage=stages[0])
    _lead(None, "Nobody's", days_ago=6, status=LeadStatus.UNASSIGNED, stage=stages[0],
          status_changed_at=timedelta(days=1), phone="021 5555 0100")  # fmt: skip
    _lead(mate, "Twice", days_ago=95, status=LeadStatus.NURTURE, email="t@example.com",
          tags=["possible duplicate"], status_changed_at=timedelta(days=20))  # fmt: skip
    _lead(rep, "Old", days_ago=200, status=LeadStatus.INVALID,
          status_changed_at=timedelta(days=190))  # fmt: skip
    # A campaign with a won deal (A) and a lead created long before the period (E).
    expo = Campaign.objects.create(name="Expo", budget=Decimal(900))
    Lead.objects.filter(pk__in=[a.pk, c.pk, e.pk]).update(campaign=expo)
    customer = Customer.objects.create(name="Won customer")
    won = Opportunity.objects.create(
        customer=customer, name="Deal", amount=Decimal(1200),
        stage=OpportunityStage.objects.filter(outcome=OpportunityStage.Outcome.WON).first(),
        closed_at=NOW,
    )  # fmt: skip
    Conversion.objects.create(lead=a, customer=customer, opportunity=won, converted_at=NOW)
    # Pool work: the rep claimed B and returned it, D was reclaimed from the rep, an old claim.
    pool = Pool.objects.create(name="East")
    for lead, action, actor, to_user, days in (
        (b, "claim", rep, None, 4),
        (b, "return", rep, None, 3),
        (d, "reclaim", None, rep, 1),
        (c, "claim", mate, None, 2),
        (e, "claim", mate, None, 45),
    ):
        PoolEvent.objects.create(
            lead=lead,
            pool=pool,
            action=action,
            actor=actor,
            to_user=to_user,
            at=NOW - timedelta(days=days),
        )
    _moves(a, 0, 10, 30)
    _moves(b, 0, 20)
    _moves(c, 0, 25.5)  # a part hour: dwell counts whole hours
    _moves(d, 0)
    _moves(e, 0, 50, 51)
    yield cast
    timezone.deactivate()


def _figures(user, query):
    filters = ReportFilters.from_query(query)
    kpis = [(k.key, k.value, k.previous) for k in dashboard.dashboard_kpis(user, filters, now=NOW)]
    funnel = [
        (s.stage, s.reached, s.dropped, s.now, s.dwell_median, s.dwell_p90, s.conversion)
        for s in dashboard.dashboard_funnel(user, filters)
    ]
    weeks = [(w.start, w.new, w.converted, w.lost) for w in trends.lead_trends(user, filters)]
    aged = [(r.status, tuple(r.counts), r.total, r.in_status_days)
            for r in aging.lead_aging(user, filters, now=NOW)]  # fmt: skip
    checked = quality.data_quality(user, filters)
    checks = (tuple(checked.open_by_status), checked.open_total,
              tuple((r.key, tuple(r.by_status), r.count) for r in checked.rows))  # fmt: skip
    pareto = [(r.reason_id, r.name, r.leads, r.share) for r in losses.loss_pareto(user, filters)]
    broken = [(g.label, g.leads, sorted(g.by_reason.items(), key=str))
              for by in ("source", "owner") for g in losses.loss_breakdown(user, filters, by=by)]  # fmt: skip
    report = sources.sources_report(user, filters)
    channels = [(r.key, r.name, r.leads, r.qualified, r.converted, r.won_amount)
                for r in [*report.sources, *report.campaigns]]  # fmt: skip
    rep_report = reps.rep_performance(user, filters)
    people = [(r.label, r.level, r.assigned, r.contacted, r.response_hours, r.converted,
               r.assigned_converted, r.won, r.claimed, r.returned, r.reclaimed) for r in
              [*rep_report.people, *rep_report.teams, rep_report.total]]  # fmt: skip
    return kpis, funnel, weeks, aged, checks, pareto, broken, channels, people


def _same(live, rolled):
    """Equal, floats to a millionth (sums of seconds in another order)."""
    assert len(live) == len(rolled)
    for x, y in zip(live, rolled, strict=True):
        if isinstance(x, tuple):
            _same(x, y)
        elif isinstance(x, float) or isinstance(y, float):
            assert x == pytest.approx(y, rel=1e-6)
        else:
            assert x == y


def test_the_rollups_give_exactly_the_live_figures_for_every_reader_and_period(data):
    readers = [data.admin, data.manager, data.rep, data.teammate]
    live = {(u.pk, i): _figures(u, q) for u in readers for i, q in enumerate(PERIODS)}
    assert rollups_refresh(force=True) is not None
    assert rollup_in_use(ReportFilters.from_query({})) is not None
    for user in readers:
        for i, query in enumerate(PERIODS):
            for part_live, part_rolled in zip(live[user.pk, i], _figures(user, query), strict=True):
                _same(part_live, part_rolled)


def test_the_rolled_figures_against_hand_counts(data):
    rollups_refresh(force=True)
    kpis = {k.key: k for k in dashboard.dashboard_kpis(data.admin, ReportFilters.from_query({}),
                                                        now=NOW)}  # fmt: skip
    # Created in the last 30 days: A, B, C, D, Gone, Void, Nobody's (E, Twice, Old older).
    assert kpis["new"].value == 7
    assert kpis["new"].previous == 1  # E, 40 days ago
    assert kpis["contact"].value == pytest.approx(4 / 7)  # A, B, C, D followed up
    assert kpis["conversion"].value == pytest.approx(1 / 7)  # A
    # First response, mean of 2, 4, 30 and 6 hours.
    assert kpis["response"].value == pytest.approx(10.5)
    # Converted in the period: A (3 days) and E (38 days after its creation, 2 days ago).
    assert kpis["cycle"].value == pytest.approx((3 + 38) / 2)
    steps = dashboard.dashboard_funnel(data.admin, ReportFilters.from_query({}))
    # Furthest stages: A third, B second, C second, D first.
    assert [s.reached for s in steps[:3]] == [4, 3, 1]
    # There now: C, Nobody's at the first stage (Void is out); B at the second.
    assert (steps[0].now, steps[1].now) == (2, 1)
    # Stage 1 left after 10 h (A), 20 h (B) and 25.5 h (C, 25 whole hours): median 20, 90th
    # percentile 20 + 0.8 x (25 - 20).
    assert (steps[0].dwell_median, steps[0].dwell_p90) == (20.0, pytest.approx(24.0))
    weeks = trends.lead_trends(data.admin, ReportFilters.from_query({}))
    assert sum(w.lost for w in weeks) == 3  # D, Gone, and Old closed 10 days ago
    pareto = losses.loss_pareto(data.admin, ReportFilters.from_query({}))
    assert [(r.name, r.leads) for r in pareto] == [("Price", 2), ("invalid", 1)]  # D, Gone; Old
    # Rep performance: the rep's leads of the period A, B, D (responses 2, 4, 6 h: median 4),
    # the teammate's C (first follow-up after 30 h), Gone and Void (none).
    rep_report = reps.rep_performance(data.admin, ReportFilters.from_query({}))
    by_name = {r.label: r for r in rep_report.people}
    assert (by_name[data.rep.full_name].assigned, by_name[data.rep.full_name].response_hours) == (
        3, 4.0,
    )  # fmt: skip
    assert by_name[data.teammate.full_name].response_hours == 30.0
    assert rep_report.total.response_hours == 5.0  # median of 2, 4, 6, 30
    rep_row = by_name[data.rep.full_name]
    assert (rep_row.claimed, rep_row.returned, rep_row.reclaimed) == (1, 1, 1)
    assert by_name[data.teammate.full_name].claimed == 1  # the 45-day-old claim is before
    # Expo runs always (no dates): A, C and E, whenever created; A won 1,200.
    report = sources.sources_report(data.admin, ReportFilters.from_query({}))
    assert [(r.name, r.leads, r.converted, r.won_amount, r.cost) for r in report.campaigns] == [
        ("Expo", 3, 2, Decimal(1200), Decimal(900))
    ]
    assert report.total.leads == 7


def test_a_source_or_region_filter_reads_the_leads_themselves(data):
    rollups_refresh(force=True)
    assert rollup_in_use(ReportFilters.from_query({"region": "Zhejiang"})) is None
    assert rollup_in_use(ReportFilters.from_query({"source": "web"})) is None
    region = ReportFilters.from_query({"region": "Nowhere"})
    assert dashboard.dashboard_kpis(data.admin, region, now=NOW)[0].value == 0


def test_a_small_workspace_has_no_rollups_and_loses_old_ones(data):
    rollups_refresh(force=True)
    assert DailyLeadFigures.objects.exists()
    assert StageVisit.objects.exists()
    with override_settings(ANALYTICS_ROLLUP_MIN_LEADS=1_000_000):
        assert rollups_refresh() is None
    assert not DailyLeadFigures.objects.exists()
    assert not StageVisit.objects.exists()
    assert not RollupState.objects.exists()
    assert rollup_in_use(ReportFilters.from_query({})) is None


def test_a_rebuild_replaces_the_figures_whole(data):
    rollups_refresh(force=True)
    rows = DailyLeadFigures.objects.count()
    rollups_refresh(force=True)
    assert DailyLeadFigures.objects.count() == rows
    assert RollupState.objects.count() == 1


def test_the_page_says_the_figures_are_hourly(data):
    rollups_refresh(force=True)
    page = tenant_client(data, data.admin).get("/analytics/").content.decode()
    assert "they are computed every hour" in page
    trends_page = tenant_client(data, data.admin).get("/analytics/trends/").content.decode()
    assert "they are computed every hour" in trends_page
    live = tenant_client(data, data.admin).get("/analytics/", {"region": "Nowhere"})
    assert "they are computed every hour" not in live.content.decode()


def test_the_rebuild_runs_through_the_worker_in_its_tenant(celery_worker, committed_db):
    cast = _load_cast("alpha")
    try:
        with tenant_context(cast.tenant):
            result = rollups_rebuild.delay(force=True)
        assert AsyncResult(result.id).get(timeout=60)["leads"] >= 0
        with tenant_context(cast.tenant):
            assert RollupState.objects.count() == 1
        with tenant_context(_load_cast("beta").tenant):
            assert not RollupState.objects.exists()  # the other tenant untouched
        with tenant_context(cast.tenant):
            small = rollups_rebuild.delay()  # the test tenants are small: no rollups
        assert AsyncResult(small.id).get(timeout=60) == {"leads": None}
        with tenant_context(cast.tenant):
            assert not RollupState.objects.exists()
    finally:
        with tenant_context(cast.tenant):
            RollupState.objects.all().delete()
            DailyLeadFigures.objects.all().delete()
            StageVisit.objects.all().delete()
