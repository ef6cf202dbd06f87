"""Lead aging: open leads by status and age bucket, the median time in status, the scope, and
that each count links to exactly those leads in the list."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from analytics.filters import ReportFilters
from analytics.selectors.aging import lead_aging
from leads.models import Lead, LeadStatus
from tests.conftest import tenant_client

NOW = timezone.now()


def _lead(owner, status, *, age_days, in_status_days):
    lead = Lead.objects.create(name="L", owner=owner, status=status)
    Lead.objects.filter(pk=lead.pk).update(
        created_at=NOW - timedelta(days=age_days, hours=1),
        status_changed_at=NOW - timedelta(days=in_status_days),
    )
    return lead


@pytest.fixture
def data(in_tenant_a):
    cast = in_tenant_a
    _lead(cast.rep, LeadStatus.PENDING, age_days=2, in_status_days=2)
    _lead(cast.rep, LeadStatus.PENDING, age_days=40, in_status_days=4)
    _lead(cast.rep, LeadStatus.FOLLOWING_UP, age_days=200, in_status_days=10)
    _lead(cast.teammate, LeadStatus.FOLLOWING_UP, age_days=10, in_status_days=6)
    _lead(cast.rep, LeadStatus.LOST, age_days=5, in_status_days=1)  # closed: not counted
    return cast


def test_open_leads_by_status_and_age(data):
    rows = {r.status: r for r in lead_aging(data.admin, ReportFilters.from_query({}), now=NOW)}
    assert set(rows) == {LeadStatus.PENDING, LeadStatus.FOLLOWING_UP}
    assert rows[LeadStatus.PENDING].counts == [1, 0, 1, 0, 0]
    assert rows[LeadStatus.FOLLOWING_UP].counts == [0, 1, 0, 0, 1]
    assert rows[LeadStatus.PENDING].in_status_days == pytest.approx(3.0)  # median of 2 and 4
    assert rows[LeadStatus.FOLLOWING_UP].in_status_days == pytest.approx(8.0)


def test_a_rep_sees_their_own(data):
    rows = lead_aging(data.teammate, ReportFilters.from_query({}), now=NOW)
    assert [(r.status, r.total) for r in rows] == [(LeadStatus.FOLLOWING_UP, 1)]


def test_each_count_opens_exactly_those_leads_in_the_list(data):
    client = tenant_client(data, data.admin)
    page = client.get("/analytics/aging/").content.decode()
    assert "4 open leads" in page
    start = page.index('href="/leads/?scene=all&amp;status=pending&amp;created_from=')
    link = page[start + 6 : page.index('"', start + 6)].replace("&amp;", "&")
    listed = client.get(link).content.decode()
    assert listed.count("data-lead-row") == 1


def test_the_table_downloads_as_csv_and_excel(data):
    client = tenant_client(data, data.admin)
    xlsx = client.get("/analytics/aging/", {"format": "xlsx"})
    assert xlsx["Content-Disposition"] == 'attachment; filename="lead-aging.xlsx"'
    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(xlsx.content)).active.rows]
    assert rows[0] == ["Status", "0-7 days", "8-30 days", "31-90 days", "91-180 days",
                       "181+ days", "All", "In this status, median (days)"]  # fmt: skip
    # Days in status are measured from the request's now: about 3 and 8.
    assert rows[1][:7] == ["Pending", 1, 0, 1, 0, 0, 2]
    assert rows[1][7] == pytest.approx(3.0, abs=0.1)
    assert rows[2][:7] == ["Following up", 0, 1, 0, 0, 1, 2]
    csv = client.get("/analytics/aging/", {"format": "csv"}).content.decode("utf-8-sig")
    assert csv.splitlines()[1].startswith("Pending,1,0,1,0,0,2,")
