"""Loss reasons: the Pareto of the period's lost and invalid leads with running shares, the
breakdowns by source and owner, the csv, and the reader's scope, checked by hand."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from analytics.filters import ReportFilters
from analytics.selectors.losses import loss_breakdown, loss_pareto
from leads.models import Lead, LeadStatus, LossReason, SourceChannel
from tests.conftest import tenant_client

NOW = timezone.now()


def _closed(owner, status, reason=None, *, days_ago=2, source=None):
    lead = Lead.objects.create(name="L", owner=owner, status=status, loss_reason=reason,
                               source=source)  # fmt: skip
    Lead.objects.filter(pk=lead.pk).update(status_changed_at=NOW - timedelta(days=days_ago))
    return lead


@pytest.fixture
def data(in_tenant_a):
    cast = in_tenant_a
    price, timing = (
        LossReason.objects.create(name="Price"),
        LossReason.objects.create(name="Timing"),
    )
    web = SourceChannel.objects.get(code="website")
    for _ in range(3):
        _closed(cast.rep, LeadStatus.LOST, price, source=web)
    _closed(cast.teammate, LeadStatus.LOST, timing)
    _closed(cast.teammate, LeadStatus.LOST)  # no reason given
    _closed(cast.rep, LeadStatus.INVALID)
    _closed(cast.rep, LeadStatus.LOST, timing, days_ago=60)  # before the period
    _closed(cast.rep, LeadStatus.FOLLOWING_UP)  # not closed
    return cast, price, timing


def test_the_pareto_counts_shares_and_running_shares(data):
    cast, _price, _timing = data
    rows = loss_pareto(cast.admin, ReportFilters.from_query({}))
    assert [(r.name, r.leads) for r in rows] == [
        ("Price", 3), ("Timing", 1), ("invalid", 1), ("lost", 1),
    ]  # fmt: skip
    assert [round(r.share, 3) for r in rows] == [0.5, 0.167, 0.167, 0.167]
    assert rows[-1].cumulative == pytest.approx(1.0)
    assert rows[0].cumulative == pytest.approx(0.5)


def test_the_breakdowns_by_source_and_owner(data):
    cast, price, _timing = data
    by_source = loss_breakdown(cast.admin, ReportFilters.from_query({}), by="source")
    assert by_source[0].leads == 3
    assert by_source[0].by_reason == {price.pk: 3}
    by_owner = {g.label: g.leads for g in loss_breakdown(cast.admin, ReportFilters.from_query({}),
                                                         by="owner")}  # fmt: skip
    assert by_owner == {cast.rep.full_name: 4, cast.teammate.full_name: 2}


def test_a_rep_sees_only_their_own_losses(data):
    cast, _price, _timing = data
    rows = loss_pareto(cast.teammate, ReportFilters.from_query({}))
    assert sorted((r.name, r.leads) for r in rows) == [("Timing", 1), ("lost", 1)]


def test_the_page_the_csv_and_the_chinese_page(data):
    cast, _price, _timing = data
    client = tenant_client(cast, cast.admin)
    page = client.get("/analytics/losses/").content.decode()
    assert "6 leads lost or invalid" in page
    assert "Lost (no reason given)" in page
    csv = client.get("/analytics/losses/", {"format": "csv"}).content.decode("utf-8-sig")
    assert csv.splitlines()[0] == "Reason,Leads,Share,Cumulative share"
    assert csv.splitlines()[1] == "Price,3,0.5,0.5"
    xlsx = client.get("/analytics/losses/", {"format": "xlsx"})
    assert xlsx["Content-Disposition"] == 'attachment; filename="loss-reasons.xlsx"'
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["Reason", "Leads", "Share", "Cumulative share"]
    assert rows[1] == ["Price", 3, 0.5, 0.5]
    assert sum(row[1] for row in rows[1:]) == 6
    assert 'href="?period=30d&amp;format=xlsx"' in page
    cast.admin.language = "zh-hans"
    cast.admin.save(update_fields=["language"])
    zh = client.get("/analytics/losses/").content.decode()
    assert "流失原因" in zh
    assert "Loss reasons" not in zh
