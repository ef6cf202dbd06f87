"""Trends: new, converted and lost leads per week over 52 weeks, in the tenant's weeks, scoped
to the reader; the page shows the charts and the table."""

import io
import zoneinfo
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from openpyxl import load_workbook

from analytics.filters import ReportFilters
from analytics.selectors.trends import WEEKS, lead_trends
from leads.models import Lead, LeadStatus
from tests.conftest import tenant_client

TODAY = date(2026, 11, 25)  # a Wednesday
MONDAY = date(2026, 11, 23)


def _at(day: date, hour: int = 10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def test_leads_count_in_their_week(in_tenant_a):
    cast = in_tenant_a
    a = Lead.objects.create(name="A", owner=cast.rep, status=LeadStatus.CONVERTED)
    b = Lead.objects.create(name="B", owner=cast.rep, status=LeadStatus.LOST)
    c = Lead.objects.create(name="C", owner=cast.teammate)
    old = Lead.objects.create(name="Old", owner=cast.rep)
    Lead.objects.filter(pk=a.pk).update(created_at=_at(MONDAY, 0), converted_at=_at(TODAY))
    Lead.objects.filter(pk=b.pk).update(
        created_at=_at(MONDAY - timedelta(days=1), 23), status_changed_at=_at(TODAY)
    )  # Sunday 23:00: the week before
    Lead.objects.filter(pk=c.pk).update(created_at=_at(TODAY))
    Lead.objects.filter(pk=old.pk).update(created_at=_at(TODAY - timedelta(weeks=60)))
    weeks = lead_trends(cast.admin, ReportFilters.from_query({}), today=TODAY)
    assert len(weeks) == WEEKS
    assert (weeks[-1].start, weeks[-1].new, weeks[-1].converted, weeks[-1].lost) == (
        MONDAY, 2, 1, 1,
    )  # fmt: skip
    assert (weeks[-2].start, weeks[-2].new) == (MONDAY - timedelta(weeks=1), 1)
    assert sum(w.new for w in weeks) == 3  # the 60-week-old lead is outside the window
    mine = lead_trends(cast.teammate, ReportFilters.from_query({}), today=TODAY)
    assert sum(w.new for w in mine) == 1


def test_the_page_shows_charts_and_the_table(in_tenant_a):
    page = tenant_client(in_tenant_a, in_tenant_a.admin).get("/analytics/trends/")
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count('class="trend-chart') == 3
    assert body.count("<rect ") == 3 * WEEKS
    assert "Per week" in body


def test_every_report_has_the_filter_bar_and_it_narrows(in_tenant_a):
    cast = in_tenant_a
    Lead.objects.create(name="Mine", owner=cast.rep)
    Lead.objects.create(name="Theirs", owner=cast.teammate)
    client = tenant_client(cast, cast.admin)
    for path in ("/analytics/", "/analytics/losses/", "/analytics/aging/", "/analytics/trends/"):
        body = client.get(path).content.decode()
        assert 'name="owner"' in body, path
        assert 'name="source"' in body, path
    assert 'name="period"' not in client.get("/analytics/aging/").content.decode()
    narrowed = client.get("/analytics/trends/", {"owner": str(cast.teammate.uuid)})
    assert "1 in 52 weeks" in narrowed.content.decode()
    assert "2 in 52 weeks" in client.get("/analytics/trends/").content.decode()


def test_the_table_downloads_newest_week_first(in_tenant_a):
    cast = in_tenant_a
    Lead.objects.create(name="This week", owner=cast.rep)
    client = tenant_client(cast, cast.admin)
    xlsx = client.get("/analytics/trends/", {"format": "xlsx"})
    assert xlsx["Content-Disposition"] == 'attachment; filename="lead-trends.xlsx"'
    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(xlsx.content)).active.rows]
    assert rows[0] == ["Week of", "New leads", "Converted", "Lost or invalid"]
    assert len(rows) == 1 + WEEKS
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(cast.tenant.time_zone))  # the page's
    this_week = today - timedelta(days=today.weekday())
    assert rows[1] == [this_week.isoformat(), 1, 0, 0]
    assert sum(r[1] for r in rows[1:]) == 1
