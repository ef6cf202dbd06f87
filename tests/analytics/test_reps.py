"""Rep performance: every figure of every row against numbers worked out by hand on a small
fixed data set (two reps in one team, a manager, a pool admin and someone outside the
manager's line), the team and total medians recomputed over the leads, the period's edges, the
reader's scope, the sort whitelist, the downloads, the page in both languages, and a workspace
with nothing in it."""

import csv
import io
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from analytics.filters import ReportFilters
from analytics.selectors.reps import rep_performance, rows_sorted, sort_parse
from conversion.models import Customer, Opportunity, OpportunityStage
from leadcrm.accounts.roles import Role
from leadcrm.accounts.services import user_create
from leads.models import Activity, Lead
from pools.models import Pool, PoolEvent
from tests.conftest import tenant_client

MARCH = {"period": "custom", "from": "2025-03-01", "to": "2025-03-31"}
#: Periods are days of the tenant's time zone (the page activates it; so do these tests).
ZONE = ZoneInfo("Asia/Shanghai")


def _filters(query) -> ReportFilters:
    with timezone.override(ZONE):
        return ReportFilters.from_query(query)


F = _filters(MARCH)
S, E = F.start, F.end  # [S, E): March 2025 in Shanghai, from Feb 28 16:00 UTC
H, D = timedelta(hours=1), timedelta(days=1)


def _lead(owner, *, assigned=None, created=None, follow_up=None, converted=None):
    lead = Lead.objects.create(name="L", owner=owner, status="pending")
    Lead.objects.filter(pk=lead.pk).update(
        created_at=created or (assigned or S) - D,
        assigned_at=assigned,
        first_follow_up_at=follow_up,
        converted_at=converted,
    )
    return lead


def _activity(who, lead, kind, at):
    return Activity.objects.create(lead=lead, kind=kind, occurred_at=at, created_by=who)


def _event(pool, lead, action, at, *, actor=None, to_user=None):
    return PoolEvent.objects.create(pool=pool, lead=lead, action=action, at=at, actor=actor,
                                    to_user=to_user)  # fmt: skip


def _won(owner, amount, closed_at, *, outcome=OpportunityStage.Outcome.WON):
    stage = OpportunityStage.objects.create(name=f"S-{outcome}", outcome=outcome)
    customer = Customer.objects.create(name="Customer")
    return Opportunity.objects.create(customer=customer, name="Deal", amount=Decimal(amount),
                                      stage=stage, owner=owner, closed_at=closed_at)  # fmt: skip


@pytest.fixture
def data(in_tenant_a):
    cast = in_tenant_a
    cast.tenant.time_zone = "Asia/Shanghai"
    cast.tenant.save(update_fields=["time_zone"])
    rep, mate, manager = cast.rep, cast.teammate, cast.manager
    assert (rep.team_id, mate.team_id, manager.team_id) == (cast.team.pk, cast.team.pk, None)
    outsider = user_create(email="olive@alpha.example.com", full_name="Olive Outsider",
                           roles=[Role.SALES_REP])  # fmt: skip
    gone = user_create(email="gone@alpha.example.com", full_name="Gina Gone",
                       roles=[Role.SALES_REP], team=cast.team)  # fmt: skip
    pool = Pool.objects.create(name="North")

    # Riley (rep): assigned L1, L2, L3 (L3 at the very start); L4 at the end is out.
    l1 = _lead(rep, assigned=S + D, follow_up=S + D + 2 * H, converted=S + 5 * D)
    _lead(rep, assigned=S + 2 * D, follow_up=S + 2 * D + 6 * H)
    _lead(rep, assigned=S)
    _lead(rep, assigned=E)
    _lead(rep, assigned=S - 10 * D, converted=E - timedelta(seconds=1))  # converted, not assigned
    _activity(rep, l1, Activity.Kind.CALL, S + H)
    _activity(rep, l1, Activity.Kind.CALL, S + 2 * D)
    _activity(rep, l1, Activity.Kind.EMAIL, S + 3 * D)
    _activity(rep, l1, Activity.Kind.NOTE, E)  # out
    _activity(rep, l1, Activity.Kind.MEETING, S - timedelta(seconds=1))  # out
    _event(pool, l1, PoolEvent.Action.CLAIM, S + D, actor=rep, to_user=rep)
    _event(pool, l1, PoolEvent.Action.CLAIM, E, actor=rep, to_user=rep)  # out
    _event(pool, l1, PoolEvent.Action.RETURN, S + 4 * D, actor=rep)
    _event(pool, l1, PoolEvent.Action.RECLAIM, S + 6 * D, to_user=rep)
    _won(rep, "1000.50", S + 5 * D)
    _won(rep, "70", S - D)  # out
    _won(rep, "999", S + 5 * D, outcome=OpportunityStage.Outcome.LOST)  # not won

    # Robin (teammate): T2 was never assigned: its creation counts.
    t1 = _lead(mate, assigned=S + 3 * D, follow_up=S + 3 * D + 10 * H)
    _lead(mate, created=S + 4 * D, follow_up=S + 4 * D + H)
    _lead(mate, assigned=S + 5 * D, converted=S + 6 * D)
    _activity(mate, t1, Activity.Kind.MEETING, S + 3 * D)
    _event(pool, t1, PoolEvent.Action.CLAIM, S + D, actor=mate, to_user=mate)
    _event(pool, t1, PoolEvent.Action.CLAIM, S + 2 * D, actor=mate, to_user=mate)
    _won(mate, "500", S + 10 * D)

    # The pool admin (same team) only wrote a note; the manager (no team) holds one lead.
    _activity(cast.pool_admin, t1, Activity.Kind.NOTE, S + 2 * D)
    _lead(manager, assigned=S + D, follow_up=S + D + 20 * H)
    # Outside the manager's line; a deactivated person and an unowned lead never show.
    _lead(outsider, assigned=S + 2 * D)
    _lead(gone, assigned=S + 2 * D, converted=S + 3 * D)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    _lead(None, assigned=None, created=S + D)
    return cast, outsider


def _by_label(report):
    return {row.label: row for row in report.people}


def test_every_figure_of_each_person(data):
    cast, outsider = data
    rows = _by_label(rep_performance(cast.admin, F))
    assert sorted(rows) == sorted([cast.rep.full_name, cast.teammate.full_name,
                                   cast.pool_admin.full_name, cast.manager.full_name,
                                   outsider.full_name])  # fmt: skip
    rep = rows[cast.rep.full_name]
    assert (rep.assigned, rep.claimed, rep.contacted) == (3, 1, 2)
    assert rep.response_hours == pytest.approx(4.0)  # median of 2 and 6 hours
    assert rep.activities == {"call": 2, "email": 1, "meeting": 0, "note": 0}
    assert (rep.converted, rep.assigned_converted) == (2, 1)
    assert rep.conversion == pytest.approx(1 / 3)
    assert rep.won == Decimal("1000.50")
    assert (rep.returned, rep.reclaimed) == (1, 1)

    mate = rows[cast.teammate.full_name]
    assert (mate.assigned, mate.claimed, mate.contacted) == (3, 2, 2)
    assert mate.response_hours == pytest.approx(5.5)  # median of 10 and 1 hours
    assert mate.activities == {"call": 0, "email": 0, "meeting": 1, "note": 0}
    assert (mate.converted, mate.conversion) == (1, pytest.approx(1 / 3))
    assert (mate.won, mate.returned, mate.reclaimed) == (Decimal(500), 0, 0)

    pool_admin = rows[cast.pool_admin.full_name]
    assert pool_admin.activities["note"] == 1
    assert (pool_admin.assigned, pool_admin.conversion, pool_admin.response_hours) == (0, None,
                                                                                       None)  # fmt: skip
    manager = rows[cast.manager.full_name]
    assert (manager.assigned, manager.contacted, manager.response_hours) == (1, 1, 20.0)
    assert manager.team == ""
    olive = rows[outsider.full_name]
    assert (olive.assigned, olive.contacted, olive.response_hours, olive.conversion) == (
        1, 0, None, 0.0,
    )  # fmt: skip


def test_team_and_total_rows_sum_and_recompute_their_medians(data):
    cast, _outsider = data
    report = rep_performance(cast.admin, F)
    [team] = report.teams  # the manager and the outsider have no team
    assert team.label == cast.team.name
    assert (team.assigned, team.claimed, team.contacted, team.converted) == (6, 3, 4, 3)
    assert team.activities == {"call": 2, "email": 1, "meeting": 1, "note": 1}
    assert team.conversion == pytest.approx(2 / 6)
    assert (team.won, team.returned, team.reclaimed) == (Decimal("1500.50"), 1, 1)
    # Over the team's leads 2, 6, 10 and 1 hours: 4.0, not the mean of the medians (4.75).
    assert team.response_hours == pytest.approx(4.0)
    total = report.total
    assert (total.assigned, total.contacted, total.converted) == (8, 5, 3)
    assert total.conversion == pytest.approx(2 / 8)
    assert total.response_hours == pytest.approx(6.0)  # 1, 2, 6, 10, 20 hours
    assert total.won == Decimal("1500.50")


def test_a_rep_sees_only_their_own_row_and_a_manager_their_line(data):
    cast, outsider = data
    mine = rep_performance(cast.teammate, F)
    assert [row.label for row in mine.people] == [cast.teammate.full_name]
    assert (mine.total.assigned, mine.total.claimed, mine.total.won) == (3, 2, Decimal(500))
    assert [(t.label, t.assigned, t.response_hours) for t in mine.teams] == [
        (cast.team.name, 3, pytest.approx(5.5))
    ]
    line = _by_label(rep_performance(cast.manager, F))
    assert outsider.full_name not in line
    assert sorted(line) == sorted([cast.rep.full_name, cast.teammate.full_name,
                                   cast.pool_admin.full_name, cast.manager.full_name])  # fmt: skip
    narrowed = rep_performance(cast.manager, _filters(
        MARCH | {"owner": str(outsider.uuid)}))  # fmt: skip
    assert narrowed.people == []  # a person outside the line stays out when asked for


def test_the_period_edges_count_the_start_and_not_the_end(data):
    cast, _outsider = data
    # March 31 alone: L4 (assigned at the end of March) is out, the conversion just before is in.
    last_day = _filters({"period": "custom", "from": "2025-03-31",
                                         "to": "2025-03-31"})  # fmt: skip
    rep = _by_label(rep_performance(cast.admin, last_day))[cast.rep.full_name]
    assert (rep.assigned, rep.converted, rep.claimed) == (0, 1, 0)
    # April 1 alone: L4 is assigned, the end-of-March note and claim count.
    april = _filters({"period": "custom", "from": "2025-04-01",
                                      "to": "2025-04-01"})  # fmt: skip
    rep = _by_label(rep_performance(cast.admin, april))[cast.rep.full_name]
    assert (rep.assigned, rep.claimed, rep.activities["note"], rep.converted) == (1, 1, 1, 0)


def test_the_number_of_queries_does_not_grow_with_leads_or_people(data):
    cast, _outsider = data
    with CaptureQueriesContext(connection) as before:
        rep_performance(cast.admin, F)
    for i in range(5):
        person = user_create(email=f"extra{i}@alpha.example.com", full_name=f"Extra {i}",
                             roles=[Role.SALES_REP], team=cast.team)  # fmt: skip
        lead = _lead(person, assigned=S + D, follow_up=S + 2 * D)
        _activity(person, lead, Activity.Kind.CALL, S + D)
    with CaptureQueriesContext(connection) as after:
        report = rep_performance(cast.admin, F)
    assert len(report.people) == 10
    assert len(after.captured_queries) == len(before.captured_queries)


def test_the_sort_whitelist_and_its_fallback(data):
    cast, outsider = data
    report = rep_performance(cast.admin, F)
    assert sort_parse("-assigned") == ("assigned", True)
    assert sort_parse("activity_call") == ("activity_call", False)
    for bad in ("password", "-owner__email", "", None, "-"):
        assert sort_parse(bad) == ("name", False)
    by_response = [r.label for r in rows_sorted(report.people, "response", True)]
    assert by_response[:3] == [cast.manager.full_name, cast.teammate.full_name,
                               cast.rep.full_name]  # fmt: skip
    assert set(by_response[3:]) == {outsider.full_name, cast.pool_admin.full_name}  # no value
    client = tenant_client(cast, cast.admin)
    page = client.get("/analytics/reps/", MARCH | {"sort": "-claimed"}).content.decode()
    assert page.index(cast.teammate.full_name) < page.index(cast.rep.full_name)
    assert 'aria-sort="descending"' in page
    fallback = client.get("/analytics/reps/", MARCH | {"sort": "owner__password"})
    assert fallback.status_code == 200
    names = [cast.manager.full_name, outsider.full_name, cast.pool_admin.full_name,
             cast.rep.full_name, cast.teammate.full_name]  # fmt: skip
    body = fallback.content.decode()
    positions = [body.index(f'<th scope="row">{name}</th>') for name in names]
    assert sorted(names) == names
    assert positions == sorted(positions)


def test_the_downloads_have_every_row_with_numbers_as_numbers(data):
    cast, _outsider = data
    client = tenant_client(cast, cast.admin)
    xlsx = client.get("/analytics/reps/", MARCH | {"format": "xlsx", "sort": "-assigned"})
    assert xlsx["Content-Disposition"] == 'attachment; filename="rep-performance.xlsx"'
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["Row", "Name", "Team", "Leads assigned", "Claimed", "Contacted",
                       "First response (h, median)", "Call", "Email", "Meeting", "Note",
                       "Converted", "Conversion rate", "Won amount", "Returned",
                       "Reclaimed from them"]  # fmt: skip
    assert rows[1] == ["Salesperson", cast.rep.full_name, cast.team.name, 3, 1, 2, 4, 2, 1, 0, 0,
                       2, 0.3333, 1000.5, 1, 1]  # fmt: skip
    assert [row[0] for row in rows[1:]] == ["Salesperson"] * 5 + ["Team", "Total"]
    assert rows[-2][1:7] == [cast.team.name, None, 6, 3, 4, 4]
    assert rows[-1][:4] == ["Total", "Total", None, 8]
    pool_admin = next(row for row in rows if row[1] == cast.pool_admin.full_name)
    assert (pool_admin[6], pool_admin[12]) == (None, None)  # nothing to divide: an empty cell
    text = client.get("/analytics/reps/", MARCH | {"format": "csv"}).content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0][:4] == ["Row", "Name", "Team", "Leads assigned"]
    assert [line[1] for line in lines[1:6]] == sorted(line[1] for line in lines[1:6])  # by name
    assert lines[-1][3] == "8"


def test_the_page_in_english_and_chinese(data):
    cast, _outsider = data
    client = tenant_client(cast, cast.admin)
    page = client.get("/analytics/reps/", MARCH).content.decode()
    assert "Rep performance" in page
    assert "5 people" in page
    assert '<td class="num">4.0</td>' in page  # the team's median, one decimal
    assert '<td class="num">33.3 %</td>' in page  # Riley: 1 of 3 converted
    assert '<td class="num">—</td>' in page  # the pool admin: nothing to divide by
    assert '<td class="num">1,000</td>' in page  # the won amount, grouped
    download = "?period=custom&amp;from=2025-03-01&amp;to=2025-03-31&amp;sort=name&amp;format=xlsx"
    assert f'href="{download}"' in page
    assert '<svg class="funnel-bar converted"' in page
    cast.admin.language = "zh-hans"
    cast.admin.save(update_fields=["language"])
    zh = client.get("/analytics/reps/", MARCH).content.decode()
    with translation.override("zh-hans"):
        assert gettext("Rep performance") in zh
        assert gettext("How the figures are counted") in zh
    assert "流失原因" in zh  # the report tabs, in Chinese
    assert "Loss reasons" not in zh
    for english, chinese in (("Won amount", "赢单金额"), ("Conversion rate", "转化率")):
        assert chinese in zh
        assert f">{english}<" not in zh
    assert '<td class="num">4.0</td>' in zh


def test_an_empty_workspace(in_tenant_a):
    cast = in_tenant_a
    report = rep_performance(cast.admin, ReportFilters.from_query({}))
    assert (report.people, report.teams) == ([], [])
    assert (report.total.assigned, report.total.won, report.total.conversion,
            report.total.response_hours) == (0, Decimal(0), None, None)  # fmt: skip
    client = tenant_client(cast, cast.admin)
    page = client.get("/analytics/reps/").content.decode()
    assert "Nobody in your scope holds a lead or did anything in this period." in page
    text = client.get("/analytics/reps/", {"format": "csv"}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][:4] == ["Total", "Total", "", "0"]
    assert len(rows) == 2
    rep_page = tenant_client(cast, cast.rep).get("/analytics/reps/")
    assert rep_page.status_code == 200
