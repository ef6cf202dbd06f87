"""The pools report: every figure of two pools checked against a hand count of a fixed trail of
events (written with known times in March 2024, Shanghai time), the period's edges, the scope,
the downloads, the page in English and Chinese, and a workspace without pools."""

import csv
import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from analytics.filters import ReportFilters
from analytics.selectors.pools import pool_report
from leads.models import Lead, LeadStatus
from pools.models import Pool, PoolEntry, PoolEvent
from tests.conftest import tenant_client

SHANGHAI = ZoneInfo("Asia/Shanghai")  # the tenant's time zone: the period's days are its days
MARCH = {"period": "custom", "from": "2024-03-01", "to": "2024-03-31"}
#: "Now" for the backlog's age in the selector tests.
NOW = datetime(2024, 4, 10, 12, 0, tzinfo=SHANGHAI)
A = PoolEvent.Action


def at(month, day, hour=0, minute=0):
    return datetime(2024, month, day, hour, minute, tzinfo=SHANGHAI)


def _filters(query=MARCH):
    with timezone.override(SHANGHAI):
        return ReportFilters.from_query(query)


def _lead(pool, name, *, entered, claimed=None, owner=None, status=LeadStatus.UNASSIGNED, **kw):
    lead = Lead.objects.create(name=name, owner=owner, status=status, **kw)
    PoolEntry.objects.create(lead=lead, pool=pool, entered_at=entered, claimed_at=claimed)
    return lead


def _events(lead, pool, *trail):
    for action, when, *rest in trail:
        reason = rest[0] if rest else ""
        PoolEvent.objects.create(lead=lead, pool=pool, action=action, at=when, reason=reason)


@pytest.fixture
def data(in_tenant_a):
    """North (the rep and the teammate are members) and South (only the teammate)."""
    cast = in_tenant_a
    north = Pool.objects.create(name="North", return_reasons=["Wrong number", "Not interested"])
    north.members.add(cast.rep, cast.teammate)
    north.admins.add(cast.pool_admin)
    south = Pool.objects.create(name="South")
    south.members.add(cast.teammate)
    south.admins.add(cast.pool_admin)

    # North. Waits before a claim or allocation in March: 4, 6, 10, 12, 1 hours.
    l1 = _lead(north, "L1", entered=at(2, 29, 22), claimed=at(3, 5, 16), owner=cast.teammate,
               status=LeadStatus.PENDING)  # fmt: skip
    _events(l1, north,
            (A.ENTER, at(2, 29, 22)),  # before the period
            (A.CLAIM, at(3, 1, 2)),  # 4 h; the period's first morning (still Feb 29 in UTC)
            (A.RETURN, at(3, 5, 10), "Wrong number: called twice"),
            (A.CLAIM, at(3, 5, 16)))  # 6 h since the return, not since entered_at  # fmt: skip
    l2 = _lead(north, "L2", entered=at(3, 2))
    _events(l2, north,
            (A.ENTER, at(3, 2)),
            (A.ALLOCATE, at(3, 2, 10)),  # 10 h
            (A.WARN, at(3, 18)),  # counted nowhere
            (A.RECLAIM, at(3, 20)))  # waiting since then: 21.5 days at NOW  # fmt: skip
    l3 = _lead(north, "L3", entered=at(3, 31, 23, 59), region="Shanghai")
    _events(l3, north, (A.ENTER, at(3, 31, 23, 59)))  # the period's last minute; 9.5007 days
    l4 = _lead(north, "L4", entered=at(4, 1))
    _events(l4, north, (A.ENTER, at(4, 1)))  # the first moment after the period; 9.5 days
    l5 = _lead(north, "L5", entered=at(2, 1), status=LeadStatus.NURTURE)
    _events(l5, north, (A.ENTER, at(2, 1)))  # before the period; 69.5 days
    l6 = _lead(north, "L6", entered=at(3, 7), status=LeadStatus.LOST)  # closed: no backlog
    _events(l6, north,
            (A.ENTER, at(3, 7)),
            (A.CLAIM, at(3, 7, 12)),  # 12 h
            (A.RETURN, at(3, 10), "Not interested"))  # fmt: skip
    l7 = _lead(north, "L7", entered=at(3, 11), merged_into=l1)  # merged: no backlog
    _events(l7, north,
            (A.ENTER, at(3, 11)),
            (A.CLAIM, at(3, 11, 1)),  # 1 h
            (A.RETURN, at(3, 12), "Wrong number"))  # fmt: skip

    # South. Waits: 0 (routed straight to the default assignee) and 24 hours.
    s1 = _lead(south, "S1", entered=at(3, 15, 9), claimed=at(3, 15, 9), owner=cast.teammate,
               status=LeadStatus.PENDING)  # fmt: skip
    _events(s1, south, (A.ROUTE, at(3, 15, 9), "new: Default"), (A.ALLOCATE, at(3, 15, 9)))
    s2 = _lead(south, "S2", entered=at(3, 16))
    _events(s2, south, (A.TRANSFER, at(3, 16), "from North"))  # waiting 25.5 days at NOW
    s3 = _lead(south, "S3", entered=at(3, 17), claimed=at(3, 18), owner=cast.teammate,
               status=LeadStatus.PENDING)  # fmt: skip
    _events(s3, south, (A.HANDOFF, at(3, 17)), (A.CLAIM, at(3, 18)))  # 24 h
    cast.north, cast.south = north, south
    return cast


def _rows(user, query=MARCH, now=NOW):
    with timezone.override(SHANGHAI):  # the tenant's days, as the middleware makes them
        return {row.pool.name: row for row in pool_report(user, _filters(query), now=now)}


def test_every_figure_of_north_matches_the_hand_count(data):
    north = _rows(data.admin)["North"]
    # In: L2 enter and reclaim, L3 enter, L1 return, L6 enter and return, L7 enter and return.
    assert north.inflow == 8
    assert (north.claims, north.allocations, north.returns, north.reclaims) == (4, 1, 3, 1)
    assert north.claim_median_hours == pytest.approx(6.0)  # of 1, 4, 6, 10, 12
    assert north.claim_p90_hours == pytest.approx(11.2)  # 10 + 0.6 * (12 - 10)
    # Waiting: L2 (21.5 d), L3 (9.5007 d), L4 (9.5 d), L5 (69.5 d); not L1 (owned), L6 (lost),
    # L7 (merged).
    assert north.backlog == 4
    # In whole days since the day they started waiting (the tenant's days): L4 9 (1 April),
    # L3 10 (31 March 23:59), L2 21, L5 70; the median is between L3 and L2.
    assert north.backlog_median_days == (10 + 21) / 2
    assert (north.backlog_over_7, north.backlog_over_30) == (4, 1)


def test_return_reasons_are_counted_without_their_note(data):
    north = _rows(data.admin)["North"]
    assert [(r.reason, r.returns) for r in north.reasons] == [
        ("Wrong number", 2),
        ("Not interested", 1),
    ]
    assert north.other_reasons == 0


def test_every_figure_of_south_matches_the_hand_count(data):
    south = _rows(data.admin)["South"]
    assert south.inflow == 3  # a route, a transfer in, a handoff
    assert (south.claims, south.allocations, south.returns, south.reclaims) == (1, 1, 0, 0)
    assert south.taken == 2
    assert south.claim_median_hours == pytest.approx(12.0)  # of 0 and 24
    assert south.claim_p90_hours == pytest.approx(21.6)
    assert (south.backlog, south.backlog_median_days) == (1, 25)  # 25.5 days: 25 whole days
    assert (south.backlog_over_7, south.backlog_over_30) == (1, 0)
    assert south.reasons == []
    assert south.other_reasons == 0


def test_a_pool_without_flows_or_backlog_has_no_time_and_no_age(data):
    empty = Pool.objects.create(name="Empty")
    row = _rows(data.admin)[empty.name]
    assert (row.inflow, row.taken, row.backlog) == (0, 0, 0)
    assert (row.claim_median_hours, row.claim_p90_hours, row.backlog_median_days) == (
        None,
        None,
        None,
    )


def test_the_period_before_counts_only_what_happened_in_it(data):
    north = _rows(data.admin, {"period": "custom", "from": "2024-02-01", "to": "2024-02-29"})[
        "North"
    ]
    # L5 and L1 entered on Feb 1 and on Feb 29 (leap year) at 22:00; L1's claim at 02:00 on Mar 1 in
    # Shanghai is already March there.
    assert (north.inflow, north.claims, north.allocations, north.returns) == (2, 0, 0, 0)
    assert north.claim_median_hours is None
    assert north.backlog == 4  # the backlog is now, whatever the period


def test_a_period_of_one_day_takes_its_first_and_last_minute(data):
    last_day = _rows(data.admin, {"period": "custom", "from": "2024-03-31", "to": "2024-03-31"})
    assert last_day["North"].inflow == 1  # L3 at 23:59; L4 at midnight belongs to April 1
    first_day = _rows(data.admin, {"period": "custom", "from": "2024-03-01", "to": "2024-03-01"})
    assert (first_day["North"].claims, first_day["North"].claim_median_hours) == (1, 4.0)


def test_source_and_region_narrow_the_leads_counted(data):
    north = _rows(data.admin, MARCH | {"region": "shanghai"})["North"]
    assert (north.inflow, north.claims, north.backlog) == (1, 0, 1)


def test_a_member_sees_only_their_pools(data):
    assert "South" not in _rows(data.rep)
    assert _rows(data.rep)["North"].inflow == 8
    assert {"North", "South"} <= set(_rows(data.teammate))
    assert {"North", "South"} <= set(_rows(data.pool_admin))
    assert not {"North", "South"} & set(_rows(data.manager))


def test_the_number_of_queries_does_not_grow_with_pools_or_leads(data):
    with CaptureQueriesContext(connection) as before:
        pool_report(data.admin, _filters(), now=NOW)
    for n in range(3):
        pool = Pool.objects.create(name=f"More {n}")
        for m in range(3):
            lead = _lead(pool, f"M{n}{m}", entered=at(3, 3))
            _events(lead, pool, (A.ENTER, at(3, 3)), (A.CLAIM, at(3, 4)),
                    (A.RETURN, at(3, 5), f"Reason {m}"))  # fmt: skip
    with CaptureQueriesContext(connection) as after:
        rows = _rows(data.admin)
    assert rows["More 2"].returns == 3
    # pools, rollups or not, counts, waits, reasons, backlog
    assert _sql(after) == _sql(before) == 6


def _sql(captured) -> int:
    """Queries made, without the schema switches django-tenants puts before each."""
    return sum(not q["sql"].startswith("SET search_path") for q in captured.captured_queries)


def _page_row(page, name):
    """The cells of ``name``'s row in the main table."""
    table = page[page.index('id="pools-table"') :]
    row = re.search(rf"<th scope=\"row\">{name}.*?</tr>", table, re.S).group(0)
    return [re.sub(r"<.*?>", "", cell).strip() for cell in re.findall(r"<td.*?</td>", row, re.S)]


def test_the_page_shows_the_figures_the_chart_and_the_reasons(data):
    Pool.objects.create(name="Quiet")
    client = tenant_client(data, data.admin)
    page = client.get("/analytics/pools/", MARCH).content.decode()
    north = _page_row(page, "North")
    assert north[:8] == ["8", "4", "1", "3", "1", "6.0 h", "11.2 h", "4"]
    assert _page_row(page, "South")[:8] == ["3", "1", "1", "0", "0", "12.0 h", "21.6 h", "1"]
    assert _page_row(page, "Quiet") == ["0", "0", "0", "0", "0", "—", "—", "0", "—", "—", "—"]
    # The chart: North's inflow (8) is the widest bar, its 5 taken are 62 %.
    assert '<rect width="100" height="10"' in page
    assert '<rect width="62" height="10"' in page
    reasons = page[page.index('id="pools-reasons"') :]
    assert re.search(r"North</th><td>Wrong number</td><td class=\"num\">2</td>", reasons)
    assert 'href="/analytics/pools/"' in page  # the tab
    assert "The team and owner filters do not apply here" in page


def test_a_rep_does_not_see_a_pool_they_are_not_in(data):
    page = tenant_client(data, data.rep).get("/analytics/pools/", MARCH).content.decode()
    assert "North" in page
    assert "South" not in page


def test_the_table_downloads_as_csv_and_excel(data):
    client = tenant_client(data, data.admin)
    now = timezone.now()
    xlsx = client.get("/analytics/pools/", MARCH | {"format": "xlsx"})
    assert xlsx["Content-Disposition"] == 'attachment; filename="pools.xlsx"'
    rows = [[c.value for c in row] for row in load_workbook(io.BytesIO(xlsx.content)).active.rows]
    assert rows[0] == [
        "Pool", "Inflow", "Claims", "Allocations", "Returns", "Reclaims",
        "Time to claim, median (hours)", "Time to claim, 90th percentile (hours)", "Backlog",
        "Backlog age, median (days)", "Waiting over 7 days", "Waiting over 30 days",
    ]  # fmt: skip
    by_name = {row[0]: row for row in rows[1:]}
    # The backlog's age is counted to the real now here: L3 and L2 are the middle two.
    middle = ((now - at(3, 31, 23, 59)) + (now - at(3, 20))).total_seconds() / 2 / 86400
    assert by_name["North"][:9] == ["North", 8, 4, 1, 3, 1, 6.0, 11.2, 4]
    assert by_name["North"][9] == pytest.approx(middle, abs=1)  # in whole days
    assert by_name["North"][10:] == [4, 4]  # over 30 days too, by now
    assert by_name["South"][:9] == ["South", 3, 1, 1, 0, 0, 12.0, 21.6, 1]
    csv_response = client.get("/analytics/pools/", MARCH | {"format": "csv"})
    assert csv_response["Content-Disposition"] == 'attachment; filename="pools.csv"'
    table = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    assert table[0][0] == "Pool"
    assert next(r for r in table if r[0] == "North")[:9] == [
        "North", "8", "4", "1", "3", "1", "6.0", "11.2", "4",
    ]  # fmt: skip
    page = client.get("/analytics/pools/", MARCH).content.decode()
    assert "format=xlsx" in page
    assert "format=csv" in page


def test_the_page_reads_in_chinese(data):
    data.admin.language = "zh-hans"
    data.admin.save(update_fields=["language"])
    page = tenant_client(data, data.admin).get("/analytics/pools/", MARCH).content.decode()
    assert "线索池" in page.split("</title>")[0]  # the title
    assert "数据分析" in page  # the crumb
    assert "其他原因" not in page  # no reason beyond the listed ones
    assert "Loss reasons" not in page
    assert "Analytics" not in page
    assert _page_row(page, "North")[:5] == ["8", "4", "1", "3", "1"]


def test_a_workspace_without_pools_says_what_pools_are(in_tenant_a):
    Pool.objects.all().delete()
    page = tenant_client(in_tenant_a, in_tenant_a.admin).get("/analytics/pools/").content.decode()
    assert "No pools yet" in page
    assert "A pool is a shared list of leads" in page
    assert 'href="/pools/"' in page
    assert 'id="pools-table"' not in page
    assert "format=xlsx" not in page


def test_someone_in_no_pool_is_told_so(data):
    page = tenant_client(data, data.manager).get("/analytics/pools/").content.decode()
    assert "You work with no pool" in page
    assert "North" not in page


def test_signing_in_is_required(data):
    response = tenant_client(data).get("/analytics/pools/")
    assert response.status_code == 302


def _figures(rows):
    return {
        name: (r.inflow, r.claims, r.allocations, r.returns, r.reclaims, r.claim_median_hours,
               r.claim_p90_hours, r.backlog, r.backlog_median_days, r.backlog_over_7,
               r.backlog_over_30, [(c.reason, c.returns) for c in r.reasons], r.other_reasons)
        for name, r in rows.items()
    }  # fmt: skip


def test_a_big_workspaces_rollups_give_the_same_figures(data):
    from analytics.rollups import rollups_refresh
    from analytics.selectors.dashboard import dashboard_kpis

    def pooled():  # the dashboard's "waiting in pools": the pools' backlog, now
        kpis = dashboard_kpis(data.admin, _filters(), now=NOW)
        return next(k.value for k in kpis if k.key == "pooled")

    periods = [MARCH, {"period": "custom", "from": "2024-03-10", "to": "2024-03-12"}]
    live = [_figures(_rows(data.admin, query)) for query in periods]
    live_pooled = pooled()
    with timezone.override(SHANGHAI):
        assert rollups_refresh(force=True) is not None
    rolled = [_figures(_rows(data.admin, query)) for query in periods]
    assert rolled == live
    backlog = sum(row[7] for row in live[0].values())
    assert live_pooled == pooled() == backlog
    assert live[0]["North"][7] == 4  # the figures are there to compare
