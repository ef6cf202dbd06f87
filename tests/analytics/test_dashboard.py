"""The dashboard's figures, computed by hand on a small fixed data set and compared: rates,
first-response median, cycle, period deltas, the funnel's reach, drop-off and dwell, and the
scoping to the reader (admin everything, manager their line, rep their own)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from analytics.filters import ReportFilters
from analytics.selectors.dashboard import dashboard_funnel, dashboard_kpis
from leads.models import Lead, LeadStageChange, LeadStatus, Stage
from tests.conftest import tenant_client

NOW = timezone.now()


def _lead(owner, name, *, days_ago, **fields):
    lead = Lead.objects.create(name=name, owner=owner, status=fields.pop("status", "pending"))
    created = NOW - timedelta(days=days_ago)
    Lead.objects.filter(pk=lead.pk).update(
        created_at=created,
        assigned_at=fields.pop("assigned_at", created),
        **{k: (created + v if isinstance(v, timedelta) else v) for k, v in fields.items()},
    )
    lead.refresh_from_db()
    return lead


def _moves(lead, *hours):
    """Stage changes through the first stages at created + each of ``hours``."""
    stages = list(Stage.objects.filter(is_active=True).order_by("position", "name"))
    for stage, hour in zip(stages, hours, strict=False):
        LeadStageChange.objects.create(
            lead=lead, to_stage=stage, changed_at=lead.created_at + timedelta(hours=hour)
        )


@pytest.fixture
def data(in_tenant_a):
    cast = in_tenant_a
    rep = cast.rep
    a = _lead(rep, "A", days_ago=5, status=LeadStatus.CONVERTED,
              first_follow_up_at=timedelta(hours=2), converted_at=timedelta(days=3))  # fmt: skip
    b = _lead(rep, "B", days_ago=4, status=LeadStatus.QUALIFIED,
              first_follow_up_at=timedelta(hours=4))  # fmt: skip
    c = _lead(rep, "C", days_ago=3)
    d = _lead(rep, "D", days_ago=2, status=LeadStatus.LOST, first_follow_up_at=timedelta(hours=6))
    _lead(rep, "Before", days_ago=40)  # the previous 30 days
    _moves(a, 0, 10, 30)
    _moves(b, 0, 20)
    _moves(c, 0)
    _moves(d, 0)
    return cast


def _kpis(user):
    return {k.key: k for k in dashboard_kpis(user, ReportFilters.from_query({}), now=NOW)}


def test_the_cards_are_computed_right(data):
    kpis = _kpis(data.admin)
    assert (kpis["new"].value, kpis["new"].previous, kpis["new"].change) == (4, 1, 300.0)
    assert kpis["contact"].value == pytest.approx(3 / 4)
    assert kpis["qualification"].value == pytest.approx(2 / 4)
    assert kpis["conversion"].value == pytest.approx(1 / 4)
    assert kpis["response"].value == pytest.approx(4.0)  # median of 2, 4 and 6 hours
    assert kpis["cycle"].value == pytest.approx(3.0)  # A: converted 3 days after creation
    assert kpis["won"].value == Decimal(0)
    # The previous period had one new lead, not contacted: 0 % -> 75 % is +75 points.
    assert kpis["contact"].change == 75.0
    assert kpis["response"].good is None  # no figure the period before


def test_the_funnel_reach_drop_off_and_dwell(data):
    steps = dashboard_funnel(data.admin, ReportFilters.from_query({}))
    first, second, third = steps[:3]
    assert (first.reached, second.reached, third.reached) == (4, 2, 1)
    assert (first.dropped, second.dropped) == (2, 1)
    assert second.conversion == pytest.approx(0.5)
    assert third.conversion == pytest.approx(0.5)
    # Stage 1 was left after 10 h (A) and 20 h (B): median 15, 90th percentile 19.
    assert (first.dwell_median, first.dwell_p90) == (pytest.approx(15.0), pytest.approx(19.0))
    assert second.dwell_median == pytest.approx(20.0)  # A: 30 - 10
    converted = steps[-1]
    assert (converted.stage, converted.reached) == (None, 1)


def test_there_now_counts_what_the_lead_list_shows_void_leads_not(data):
    first_stage = Stage.objects.filter(is_active=True).order_by("position", "name").first()
    _lead(data.rep, "Here", days_ago=1, stage=first_stage)
    _lead(data.rep, "Voided", days_ago=1, stage=first_stage, status=LeadStatus.VOID)
    steps = dashboard_funnel(data.admin, ReportFilters.from_query({}))
    assert steps[0].now == 1


def test_each_reader_sees_their_own_scope(data):
    assert _kpis(data.manager)["new"].value == 4  # the rep is in the manager's team
    assert _kpis(data.rep)["new"].value == 4
    assert _kpis(data.teammate)["new"].value == 0  # a teammate's leads are not theirs
    other = ReportFilters.from_query({"owner": str(data.teammate.uuid)})
    assert {k.key: k for k in dashboard_kpis(data.admin, other, now=NOW)}["new"].value == 0


def test_bad_filter_values_fall_back_to_the_defaults():
    for query in ({"period": "custom", "from": "0001-01-01", "to": "2026-01-01"},
                  {"period": "x\x00"}, {"owner": "not-a-uuid"}, {"period": "custom"}):  # fmt: skip
        filters = ReportFilters.from_query(query)
        assert filters.period in ("30d",)
        assert filters.owner == ""


def test_the_page_in_both_languages_and_the_empty_state(data):
    client = tenant_client(data, data.admin)
    page = client.get("/analytics/").content.decode()
    assert "New leads" in page
    assert (
        "Funnel of the period&#x27;s new leads" in page
        or "Funnel of the period's new leads" in page
    )
    assert "300.0 %" in page  # the change of new leads
    data.admin.language = "zh-hans"
    data.admin.save(update_fields=["language"])
    zh = client.get("/analytics/").content.decode()
    assert "新线索" in zh
    assert "New leads" not in zh
    empty = client.get("/analytics/", {"period": "custom", "from": "2001-01-01",
                                       "to": "2001-01-31"}).content.decode()  # fmt: skip
    assert "漏斗" in empty


def test_a_rep_reaches_the_page_with_their_own_figures(data):
    page = tenant_client(data, data.teammate).get("/analytics/")
    assert page.status_code == 200
