"""Sources and channel ROI: leads, qualified, converted, conversion rate and won amount per
source and per campaign, the campaigns' cost figures (actual cost, budget only, neither, a
cost of zero), the period, the reader's scope, the downloads and the page, checked by hand."""

import io
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from analytics.filters import ReportFilters
from analytics.selectors.sources import sources_report
from conversion.models import Conversion, Customer, Opportunity, OpportunityStage
from leads.models import Campaign, Lead, LeadStatus, SourceChannel
from tests.conftest import tenant_client

TODAY = timezone.localdate()
#: The period: 20 to 10 days ago; the leads of the data set were created 15 days ago.
QUERY = {
    "period": "custom",
    "from": (TODAY - timedelta(days=20)).isoformat(),
    "to": (TODAY - timedelta(days=10)).isoformat(),
}
PERIOD = ReportFilters.from_query(QUERY)
SOURCES_HEADERS = ["Source", "Leads", "Qualified", "Converted", "Conversion rate", "Won amount"]
CAMPAIGN_HEADERS = [
    "Campaign", "Leads", "Qualified", "Converted", "Conversion rate", "Won amount",
    "Cost", "Cost per lead", "Cost per conversion", "ROI",
]  # fmt: skip


def _days_ago(days: int):
    return timezone.make_aware(datetime.combine(TODAY - timedelta(days=days), time(12)))


def _lead(owner, source, campaign, status=LeadStatus.PENDING, *, days_ago=15, won=None, open_=None):
    """A lead created ``days_ago``; converted (with a won or an open opportunity of that amount)
    when its status is Converted."""
    lead = Lead.objects.create(name="L", owner=owner, source=source, campaign=campaign,
                               status=status)  # fmt: skip
    converted_at = _days_ago(days_ago - 1) if status == LeadStatus.CONVERTED else None
    Lead.objects.filter(pk=lead.pk).update(
        created_at=_days_ago(days_ago), converted_at=converted_at
    )
    if converted_at:
        customer = Customer.objects.create(name=f"Customer {lead.pk}")
        opportunity = None
        if won is not None or open_ is not None:
            outcome = OpportunityStage.Outcome.WON if won is not None else "open"
            opportunity = Opportunity.objects.create(
                customer=customer, name="Deal", amount=Decimal(won if won is not None else open_),
                stage=OpportunityStage.objects.filter(outcome=outcome).first(),
                # Won today, after the period: the amount counts all the same.
                closed_at=timezone.now() if won is not None else None,
            )  # fmt: skip
        Conversion.objects.create(lead=lead, customer=customer, opportunity=opportunity,
                                  converted_at=converted_at)  # fmt: skip
    return lead


@pytest.fixture
def data(in_tenant_a):
    cast = in_tenant_a
    web = SourceChannel.objects.get(code="website")
    show = SourceChannel.objects.get(code="trade_show")
    expo = Campaign.objects.create(name="Canton Expo", source=show, budget=Decimal(5000),
                                   actual_cost=Decimal(6000))  # fmt: skip
    ads = Campaign.objects.create(name="Spring Ads", source=web, budget=Decimal(1000))
    free = Campaign.objects.create(name="Free Webinar", source=web)
    zero = Campaign.objects.create(name="Zero Cost Mailing", budget=Decimal(500),
                                   actual_cost=Decimal(0))  # fmt: skip
    rep, mate = cast.rep, cast.teammate
    _lead(rep, web, ads, LeadStatus.CONVERTED, won=3000)
    _lead(rep, web, ads, LeadStatus.QUALIFIED)
    _lead(mate, web, ads, LeadStatus.FOLLOWING_UP)
    _lead(mate, web, free, LeadStatus.CONVERTED, open_=9999)  # an open opportunity: not won
    _lead(cast.admin, web, None, LeadStatus.FOLLOWING_UP)  # outside the manager's line
    _lead(rep, show, expo, LeadStatus.CONVERTED, won=10000)
    _lead(mate, show, expo, LeadStatus.CONVERTED, won=2000)
    _lead(mate, show, expo, LeadStatus.LOST)
    _lead(mate, show, zero)
    _lead(rep, None, None, LeadStatus.QUALIFIED)
    _lead(rep, web, ads, LeadStatus.CONVERTED, days_ago=25, won=500)  # before the period
    _lead(rep, web, ads, days_ago=5)  # after the period
    return cast, web, show


def _sources(report):
    return [(r.name or None, r.leads, r.qualified, r.converted, r.won_amount)
            for r in report.sources]  # fmt: skip


def _campaigns(report):
    return [(r.name, r.leads, r.qualified, r.converted, r.won_amount, r.cost)
            for r in report.campaigns]  # fmt: skip


def test_figures_per_source_and_the_total(data):
    cast, web, show = data
    report = sources_report(cast.admin, PERIOD)
    assert _sources(report) == [
        (web.name, 5, 3, 2, Decimal(3000)),
        (show.name, 4, 2, 2, Decimal(12000)),
        (None, 1, 1, 0, Decimal(0)),
    ]
    assert [r.conversion_rate for r in report.sources] == [pytest.approx(0.4), 0.5, 0.0]
    total = report.total
    assert (total.leads, total.qualified, total.converted, total.won_amount) == (
        10, 6, 4, Decimal(15000),
    )  # fmt: skip
    assert total.conversion_rate == pytest.approx(0.4)
    assert report.narrowed is False


def test_figures_and_costs_per_campaign(data):
    cast, _web, _show = data
    report = sources_report(cast.admin, PERIOD)
    # A campaign without dates runs always: all its leads count, those created before and
    # after the period too (Spring Ads: 3 in it, 1 before, converted for 500, 1 after).
    assert _campaigns(report) == [
        ("Spring Ads", 5, 3, 2, Decimal(3500), Decimal(1000)),  # budget only
        ("Canton Expo", 3, 2, 2, Decimal(12000), Decimal(6000)),  # actual cost over budget
        ("Free Webinar", 1, 1, 1, Decimal(0), None),  # neither
        ("Zero Cost Mailing", 1, 0, 0, Decimal(0), Decimal(0)),  # actual cost 0, budget 500
    ]
    ads, expo, free, zero = report.campaigns
    assert (expo.conversion_rate, expo.cost_per_lead, expo.cost_per_conversion, expo.roi) == (
        pytest.approx(2 / 3), 2000.0, 3000.0, 1.0,  # (12000 - 6000) / 6000
    )  # fmt: skip
    assert (ads.conversion_rate, ads.cost_per_lead, ads.cost_per_conversion, ads.roi) == (
        pytest.approx(2 / 5), 200.0, 500.0, 2.5,  # (3500 - 1000) / 1000
    )  # fmt: skip
    assert (free.conversion_rate, free.cost_per_lead, free.cost_per_conversion, free.roi) == (
        1.0, None, None, None,
    )  # fmt: skip
    assert (zero.cost_per_lead, zero.cost_per_conversion, zero.roi) == (0.0, None, None)


def test_a_rep_counts_their_own_leads_against_the_whole_cost(data):
    cast, web, show = data
    report = sources_report(cast.rep, PERIOD)
    assert _sources(report) == [
        (web.name, 2, 2, 1, Decimal(3000)),
        (show.name, 1, 1, 1, Decimal(10000)),
        (None, 1, 1, 0, Decimal(0)),
    ]
    assert _campaigns(report) == [
        ("Spring Ads", 4, 3, 2, Decimal(3500), Decimal(1000)),
        ("Canton Expo", 1, 1, 1, Decimal(10000), Decimal(6000)),
    ]
    ads, expo = report.campaigns
    assert (ads.cost_per_lead, ads.cost_per_conversion, ads.roi) == (250.0, 500.0, 2.5)
    assert (expo.cost_per_lead, expo.cost_per_conversion) == (6000.0, 6000.0)
    assert expo.roi == pytest.approx(4000 / 6000)
    assert report.narrowed is True


def test_a_manager_counts_their_line_and_filters_narrow(data):
    cast, web, show = data
    report = sources_report(cast.manager, PERIOD)
    assert _sources(report) == [
        (show.name, 4, 2, 2, Decimal(12000)),  # as many as the website: by name
        (web.name, 4, 3, 2, Decimal(3000)),  # not the admin's own lead
        (None, 1, 1, 0, Decimal(0)),
    ]
    assert report.narrowed is True
    mine = sources_report(
        cast.admin, ReportFilters.from_query({**QUERY, "owner": str(cast.teammate.uuid)})
    )
    assert [(r.name, r.leads) for r in mine.campaigns] == [
        ("Canton Expo", 2), ("Free Webinar", 1), ("Spring Ads", 1), ("Zero Cost Mailing", 1),
    ]  # fmt: skip
    assert mine.narrowed is True


def test_only_leads_created_in_the_period_count(data):
    cast, web, _show = data
    around = sources_report(cast.admin, ReportFilters.from_query({
        "period": "custom",
        "from": (TODAY - timedelta(days=30)).isoformat(),
        "to": (TODAY - timedelta(days=20)).isoformat(),
    }))  # fmt: skip
    assert _sources(around) == [(web.name, 1, 1, 1, Decimal(500))]


def test_campaigns_running_in_the_period_count_all_their_leads(data):
    cast, _web, _show = data
    # Spring Ads ran only before the period, Canton Expo overlaps its first day, the webinar
    # starts after it; the others have no dates (always running).
    Campaign.objects.filter(name="Spring Ads").update(
        start_date=TODAY - timedelta(days=60), end_date=TODAY - timedelta(days=21)
    )
    Campaign.objects.filter(name="Canton Expo").update(
        start_date=TODAY - timedelta(days=40), end_date=TODAY - timedelta(days=20)
    )
    Campaign.objects.filter(name="Free Webinar").update(start_date=TODAY - timedelta(days=9))
    report = sources_report(cast.admin, PERIOD)
    assert [r.name for r in report.campaigns] == ["Canton Expo", "Zero Cost Mailing"]


def test_the_number_of_queries_does_not_grow_with_the_leads(data):
    cast, web, _show = data
    with CaptureQueriesContext(connection) as before:
        sources_report(cast.manager, PERIOD)
    for _ in range(5):
        _lead(cast.rep, web, Campaign.objects.create(name="More"), LeadStatus.CONVERTED, won=1)
    manager = type(cast.manager).objects.get(pk=cast.manager.pk)  # a new request's reader
    with CaptureQueriesContext(connection) as after:
        report = sources_report(manager, PERIOD)
    assert report.total.leads == 9 + 5
    assert len(after) == len(before)


def test_the_page_in_english(data):
    cast, _web, _show = data
    page = tenant_client(cast, cast.admin).get("/analytics/sources/", QUERY)
    body = page.content.decode()
    assert page.status_code == 200
    assert "10 new leads by source" in body
    assert body.count('class="funnel-bar"') == 3
    assert body.count('class="funnel-bar converted"') == 3
    # Website: 5 leads, 2 converted, 40.0 %, 3,000; the total: 15,000.
    assert '<td class="num">40.0 %</td><td class="num">3,000</td>' in body
    assert '<td class="num">15,000</td>' in body
    # Canton Expo's cost, cost per lead, per conversion, ROI; Spring Ads' cost per lead.
    assert (
        '<td class="num">6,000</td><td class="num">2,000.00</td>'
        '<td class="num">3,000.00</td><td class="num">100.0 %</td>'
    ) in body
    assert '<td class="num">200.00</td><td class="num">500.00</td>' in body
    assert '<td class="num">250.0 %</td>' in body
    # Free Webinar (no cost): every cost figure is a dash.
    assert ('<td class="num">—</td><td class="num">—</td><td class="num">—</td>'
            '<td class="num">—</td></tr>') in body  # fmt: skip
    assert "No source" in body
    assert "each with all of its leads whenever they came in" in body
    assert "whenever they were won" in body
    assert "This report covers only part of the leads" not in body
    period = f"?period=custom&amp;from={QUERY['from']}&amp;to={QUERY['to']}"
    assert f'href="{period}&amp;format=xlsx"' in body
    assert f'href="{period}&amp;format=xlsx&amp;table=campaigns"' in body
    assert 'aria-current="page">Sources & ROI</a>' in body


def test_a_narrowed_page_says_the_cost_is_the_whole_campaigns(data):
    cast, _web, _show = data
    body = tenant_client(cast, cast.rep).get("/analytics/sources/", QUERY).content.decode()
    assert "4 new leads by source" in body
    assert "This report covers only part of the leads" in body
    assert "Zero Cost Mailing" not in body  # none of the rep's leads came from it


def test_the_page_in_chinese(data):
    cast, _web, _show = data
    cast.admin.language = "zh-hans"
    cast.admin.save(update_fields=["language"])
    body = tenant_client(cast, cast.admin).get("/analytics/sources/", QUERY).content.decode()
    for chinese in ("来源", "线索", "合格", "已转化", "转化率", "赢单金额", "数据分析"):
        assert chinese in body, chinese
    assert '<th scope="col">Source</th>' not in body
    assert '<td class="num">15,000</td>' in body


def test_the_sources_download_as_csv_and_xlsx(data):
    cast, web, show = data
    client = tenant_client(cast, cast.admin)
    csv = client.get("/analytics/sources/", {**QUERY, "format": "csv"}).content.decode("utf-8-sig")
    lines = csv.splitlines()
    assert lines[0] == ",".join(SOURCES_HEADERS)
    assert lines[1] == f"{web.name},5,3,2,0.4,3000.0"
    xlsx = client.get("/analytics/sources/", {**QUERY, "format": "xlsx"})
    assert xlsx["Content-Disposition"] == 'attachment; filename="lead-sources.xlsx"'
    rows = [[c.value for c in row] for row in load_workbook(io.BytesIO(xlsx.content)).active.rows]
    assert rows == [
        SOURCES_HEADERS,
        [web.name, 5, 3, 2, 0.4, 3000],
        [show.name, 4, 2, 2, 0.5, 12000],
        ["No source", 1, 1, 0, 0, 0],
    ]


def test_the_campaigns_download_as_xlsx(data):
    cast, _web, _show = data
    client = tenant_client(cast, cast.admin)
    xlsx = client.get("/analytics/sources/", {**QUERY, "format": "xlsx", "table": "campaigns"})
    assert xlsx["Content-Disposition"] == 'attachment; filename="campaign-roi.xlsx"'
    rows = [[c.value for c in row] for row in load_workbook(io.BytesIO(xlsx.content)).active.rows]
    assert rows == [
        CAMPAIGN_HEADERS,
        ["Spring Ads", 5, 3, 2, 0.4, 3500, 1000, 200, 500, 2.5],
        ["Canton Expo", 3, 2, 2, 0.6667, 12000, 6000, 2000, 3000, 1],
        ["Free Webinar", 1, 1, 1, 1, 0, None, None, None, None],
        ["Zero Cost Mailing", 1, 0, 0, 0, 0, 0, 0, None, None],
    ]


def test_an_empty_workspace_says_so(in_tenant_a):
    cast = in_tenant_a
    client = tenant_client(cast, cast.manager)
    page = client.get("/analytics/sources/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "0 new leads by source" in body
    assert "No lead was created in this period and scope" in body
    assert "<table" not in body
    csv = client.get("/analytics/sources/", {"format": "csv", "table": "campaigns"})
    assert csv.content.decode("utf-8-sig").splitlines() == [",".join(CAMPAIGN_HEADERS)]


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(data):
    cast, _web, _show = data
    for params in (QUERY, {**QUERY, "format": "xlsx", "table": "campaigns"}):
        response = tenant_client(cast).get("/analytics/sources/", params)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts-login") + "?next=")
