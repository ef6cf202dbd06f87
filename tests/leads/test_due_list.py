"""My tasks holds everything that is due: open tasks and the next follow-up dates of one's
leads, grouped overdue / today / next 7 days / later, counted the same way by the page, the
nav badge and the home tiles (leads.selectors.due_scope is the one definition)."""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from leadcrm.home import home_context
from leads.models import Activity, Lead, LeadStatus
from leads.selectors import DueCounts, due_counts, due_list
from leads.services import lead as lead_services
from leads.services.followups import followup_complete, followup_create
from leads.services.sharing import lead_member_add
from tests.conftest import tenant_client

SECTIONS = ["tasks-overdue", "tasks-today", "tasks-upcoming", "tasks-later", "tasks-done"]


def _section(html: str, name: str) -> str:
    start = html.index(f'id="{name}"')
    following = [html.index(f'id="{n}"') for n in SECTIONS[SECTIONS.index(name) + 1 :]]
    return html[start : min(following) if following else len(html)]


class Clock:
    """The tenant's today: its midnight and the end of the next seven days, as the pages see
    them (they render in the tenant's time zone)."""

    def __init__(self, tenant):
        self.zone = ZoneInfo(tenant.time_zone)
        self.now = timezone.now()
        today = timezone.localtime(self.now, self.zone).date()
        self.midnight = datetime.combine(today + timedelta(days=1), time.min, self.zone)
        self.week_end = self.midnight + timedelta(days=7)

    def later_today(self):
        return self.now + (self.midnight - self.now) / 2


def _lead_due(cast, owner, name, due_at, **fields):
    """A lead of ``owner`` whose next follow-up date is ``due_at``, set the way a rep sets it:
    by logging a call."""
    lead = lead_services.lead_create(actor=owner, owner=owner, name=name, **fields)
    lead_services.activity_log(
        lead=lead, actor=owner, kind=Activity.Kind.CALL, next_follow_up_at=due_at
    )
    return lead


@pytest.fixture
def due_world(cast_a):
    """Riley's week: a follow-up date and a task in every group, plus things that must never
    show on Riley's page (Robin's lead and task, a lost lead, a merged tombstone)."""
    cast = cast_a
    with tenant_context(cast.tenant):
        clock = Clock(cast.tenant)
        leads = {
            "overdue": _lead_due(cast, cast.rep, "Overdue Li", clock.now - timedelta(days=2)),
            "today": _lead_due(cast, cast.rep, "Today Wang", clock.later_today()),
            "next_week": _lead_due(
                cast, cast.rep, "Week Zhao", clock.midnight + timedelta(days=3, hours=10)
            ),
            "later": _lead_due(cast, cast.rep, "Later Chen", clock.week_end + timedelta(days=20)),
        }
        host = lead_services.lead_create(actor=cast.rep, owner=cast.rep, name="Task Host")
        tasks = {
            "overdue": followup_create(
                lead=host, actor=cast.rep, title="Send the quote", due_at=clock.now - timedelta(1)
            ),
            "later": followup_create(
                lead=host,
                actor=cast.rep,
                title="Quarterly check-in",
                due_at=clock.week_end + timedelta(hours=1),
            ),
        }
        robin = _lead_due(cast, cast.teammate, "Robin Secret", clock.now - timedelta(days=1))
        followup_create(lead=robin, actor=cast.teammate, title="Robin's own call", due_at=clock.now)
        lost = _lead_due(cast, cast.rep, "Lost Sun", clock.now - timedelta(days=3))
        Lead.objects.filter(pk=lost.pk).update(status=LeadStatus.LOST)
        merged = _lead_due(cast, cast.rep, "Merged Ghost", clock.now - timedelta(days=3))
        Lead.objects.filter(pk=merged.pk).update(merged_into=host)
    return clock, leads, tasks


# The page ------------------------------------------------------------------------------------


def test_follow_up_dates_appear_on_my_tasks_in_their_group_next_to_tasks(cast_a, due_world):
    _clock, leads, _tasks = due_world
    html = tenant_client(cast_a, cast_a.rep).get("/tasks/").content.decode()
    for group, section in [
        ("overdue", "tasks-overdue"),
        ("today", "tasks-today"),
        ("next_week", "tasks-upcoming"),
        ("later", "tasks-later"),
    ]:
        lead = leads[group]
        part = _section(html, section)
        assert lead.name in part, (group, section)
        assert f'href="/leads/{lead.uuid}/"' in part  # the row opens the lead
        assert f'action="/leads/{lead.uuid}/follow-up/log/"' in part  # and logs the touch
    overdue = _section(html, "tasks-overdue")
    assert "Send the quote" in overdue  # a task and a follow-up date side by side
    assert overdue.index("Overdue Li") < overdue.index("Send the quote")  # soonest first
    assert "Overdue Li" not in _section(html, "tasks-today")


def test_later_holds_tasks_and_follow_ups_due_beyond_seven_days(cast_a, due_world):
    _clock, leads, tasks = due_world
    html = tenant_client(cast_a, cast_a.rep).get("/tasks/").content.decode()
    later = _section(html, "tasks-later")
    assert leads["later"].name in later
    assert tasks["later"].title in later  # due one hour after the seven days end
    upcoming = _section(html, "tasks-upcoming")
    assert leads["later"].name not in upcoming
    assert tasks["later"].title not in upcoming


def test_a_follow_up_due_exactly_when_the_week_ends_is_later(in_tenant_a):
    cast = in_tenant_a
    clock = Clock(cast.tenant)
    edge = _lead_due(cast, cast.rep, "Edge Case", clock.week_end)
    inside = _lead_due(cast, cast.rep, "Inside", clock.week_end - timedelta(minutes=1))
    with timezone.override(clock.zone):
        due = due_list(user=cast.rep, now=clock.now)
    assert [i.lead for i in due.later] == [edge]
    assert [i.lead for i in due.next_week] == [inside]


def test_leads_that_are_closed_or_merged_away_are_not_due(cast_a, due_world):
    html = tenant_client(cast_a, cast_a.rep).get("/tasks/").content.decode()
    assert "Lost Sun" not in html
    assert "Merged Ghost" not in html


# Counting ------------------------------------------------------------------------------------


def _page_counts(html: str) -> dict[str, int]:
    return {group: int(n) for group, n in re.findall(r'data-due-count="(\w+)">(\d+)<', html)}


def _nav_badge(html: str) -> int:
    found = re.search(r'class="nav-badge"[^>]*>(\d+)<', html)
    return int(found.group(1)) if found else 0


def test_home_tiles_nav_badge_and_page_count_the_same_things(cast_a, due_world):
    html = tenant_client(cast_a, cast_a.rep).get("/tasks/").content.decode()
    page = _page_counts(html)
    # Riley: a follow-up date and a task overdue, a follow-up date today, one in the next
    # seven days, and a follow-up date and a task later.
    assert page == {"overdue": 1 + 1, "today": 1, "next_week": 1, "later": 1 + 1}
    assert _nav_badge(html) == page["overdue"] + page["today"]
    with tenant_context(cast_a.tenant), timezone.override(ZoneInfo(cast_a.tenant.time_zone)):
        counts = due_counts(user=cast_a.rep)
        tiles = {tile.key: tile.value for tile in home_context(cast_a.rep)["figures"].tiles}
    assert counts == DueCounts(**page)
    assert (tiles["overdue"], tiles["due_today"]) == (page["overdue"], page["today"])
    # The rows the page lists are the ones it counts.
    assert html.count('class="task-row') - html.count("is-done") == sum(page.values())


def test_counts_follow_what_is_done(cast_a, due_world):
    clock, leads, tasks = due_world
    with tenant_context(cast_a.tenant), timezone.override(clock.zone):
        followup_complete(task=tasks["overdue"], actor=cast_a.rep)
        lead_services.activity_log(
            lead=leads["overdue"],
            actor=cast_a.rep,
            kind=Activity.Kind.CALL,
            next_follow_up_at=clock.week_end + timedelta(days=1),
        )
        counts = due_counts(user=cast_a.rep)
    assert (counts.overdue, counts.today, counts.later) == (0, 1, 3)
    html = tenant_client(cast_a, cast_a.rep).get("/tasks/").content.decode()
    assert _page_counts(html)["overdue"] == 0
    assert _nav_badge(html) == 1


# Whose follow-ups ----------------------------------------------------------------------------


def test_another_reps_follow_ups_never_appear(cast_a, due_world):
    rep_page = tenant_client(cast_a, cast_a.rep).get("/tasks/").content.decode()
    assert "Robin Secret" not in rep_page
    assert "Robin&#x27;s own call" not in rep_page
    robin = tenant_client(cast_a, cast_a.teammate)
    robin_page = robin.get("/tasks/").content.decode()
    assert "Robin Secret" in robin_page
    assert "Overdue Li" not in robin_page
    assert robin.get(f"/tasks/?user={cast_a.rep.uuid}").status_code == 404
    # Their manager looks at Riley's list: Riley's follow-ups, not Robin's.
    manager_view = tenant_client(cast_a, cast_a.manager).get(f"/tasks/?user={cast_a.rep.uuid}")
    assert "Overdue Li" in manager_view.content.decode()
    assert "Robin Secret" not in manager_view.content.decode()


def test_another_tenant_sees_and_counts_nothing_of_it(cast_a, cast_b, due_world):
    _clock, leads, _tasks = due_world
    intruder = tenant_client(cast_a, cast_b.rep)  # beta's rep, on alpha's address
    page = intruder.get("/tasks/")
    assert page.status_code in (302, 403, 404)
    assert "Overdue Li" not in page.content.decode()
    log = intruder.post(
        f"/leads/{leads['overdue'].uuid}/follow-up/log/",
        {"kind": "call", "next_follow_up_at": "2031-05-06T09:00"},
    )
    assert log.status_code in (302, 403, 404)
    if log.status_code == 302:
        assert "/login" in log.headers["Location"]
    beta_page = tenant_client(cast_b, cast_b.rep).get("/tasks/").content.decode()
    assert "Overdue Li" not in beta_page
    assert _page_counts(beta_page) == {"overdue": 0, "today": 0, "next_week": 0, "later": 0}
    with tenant_context(cast_a.tenant):
        leads["overdue"].refresh_from_db()
        assert leads["overdue"].activities.count() == 1  # only the call that set the date


# Logging and rescheduling from My tasks ------------------------------------------------------


def test_log_and_reschedule_swaps_the_row_and_moves_the_date(cast_a, due_world):
    clock, leads, _tasks = due_world
    lead = leads["overdue"]
    client = tenant_client(cast_a, cast_a.rep)
    row = client.post(
        f"/leads/{lead.uuid}/follow-up/log/",
        {"kind": "email", "body": "Sent the catalogue", "next_follow_up_at": "2031-05-06T09:00"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET=f"due-lead-{lead.uuid}",
    ).content.decode()
    assert "<html" not in row
    assert f'id="due-lead-{lead.uuid}"' in row
    assert "is-logged" in row
    assert "Logged" in row
    # The nav badge comes along: the task overdue and the follow-up date today are left.
    assert re.search(r'id="nav-tasks-due"[^>]*hx-swap-oob="true"[^>]*>.*>2<', row)
    # ...and so do the page's group counts: the follow-up date moved from Overdue to Later.
    assert re.search(r'id="due-count-overdue"[^>]*hx-swap-oob="true">1<', row)
    assert re.search(r'id="due-count-later"[^>]*hx-swap-oob="true">3<', row)
    with tenant_context(cast_a.tenant):
        lead.refresh_from_db()
        local = timezone.localtime(lead.next_follow_up_at, clock.zone)
        assert local.strftime("%Y-%m-%d %H:%M") == "2031-05-06 09:00"  # the tenant's 09:00
        latest = lead.activities.order_by("-occurred_at", "-id").first()
        assert (latest.kind, latest.body, latest.created_by) == (
            "email",
            "Sent the catalogue",
            cast_a.rep,
        )


def test_log_without_javascript_returns_to_my_tasks_with_a_message(cast_a, due_world):
    _clock, leads, _tasks = due_world
    client = tenant_client(cast_a, cast_a.rep)
    response = client.post(
        f"/leads/{leads['today'].uuid}/follow-up/log/",
        {"kind": "call", "next_follow_up_at": "2031-05-06T09:00", "next": "/tasks/"},
    )
    assert (response.status_code, response.headers["Location"]) == (302, "/tasks/")
    page = client.get("/tasks/").content.decode()
    assert "Logged. Next follow-up with Today Wang: 2031-05-06 09:00" in page
    assert "Today Wang" in _section(page, "tasks-later")
    evil = client.post(
        f"/leads/{leads['today'].uuid}/follow-up/log/",
        {"kind": "call", "next_follow_up_at": "2031-05-07T09:00", "next": "https://evil.example/"},
    )
    assert evil.headers["Location"] == "/tasks/"


def test_log_needs_the_next_date_and_logs_nothing_without_it(cast_a, due_world):
    _clock, leads, _tasks = due_world
    lead = leads["overdue"]
    row = (
        tenant_client(cast_a, cast_a.rep)
        .post(
            f"/leads/{lead.uuid}/follow-up/log/",
            {"kind": "call", "body": "Kept this", "next_follow_up_at": ""},
            HTTP_HX_REQUEST="true",
        )
        .content.decode()
    )
    assert 'role="alert"' in row
    assert "Next follow-up" in row
    assert 'value="Kept this"' in row  # what was typed comes back
    assert '<details class="menu due-log" open>' in row  # the form stays open, with its error
    with tenant_context(cast_a.tenant):
        assert lead.activities.count() == 1


def test_who_may_not_write_the_lead_cannot_log_on_it(cast_a, due_world):
    _clock, leads, _tasks = due_world
    lead = leads["today"]
    data = {"kind": "call", "next_follow_up_at": "2031-05-06T09:00"}
    robin = tenant_client(cast_a, cast_a.teammate)
    assert robin.post(f"/leads/{lead.uuid}/follow-up/log/", data).status_code == 404
    with tenant_context(cast_a.tenant):
        lead_member_add(lead=lead, user=cast_a.teammate, access="read", actor=cast_a.rep)
    assert robin.post(f"/leads/{lead.uuid}/follow-up/log/", data).status_code == 403
    manager = tenant_client(cast_a, cast_a.manager)  # Riley reports to the manager
    assert manager.post(f"/leads/{lead.uuid}/follow-up/log/", data).status_code == 302
    assert (
        tenant_client(cast_a, cast_a.rep).get(f"/leads/{lead.uuid}/follow-up/log/").status_code
        == 405
    )
    with tenant_context(cast_a.tenant):
        assert lead.activities.filter(created_by=cast_a.teammate).count() == 0
        assert lead.activities.filter(created_by=cast_a.manager).count() == 1


def test_completing_a_task_on_my_tasks_refreshes_the_group_counts_but_not_on_the_lead(
    cast_a, due_world
):
    _clock, _leads, tasks = due_world
    client = tenant_client(cast_a, cast_a.rep)
    row = client.post(
        f"/leads/tasks/{tasks['overdue'].uuid}/complete/",
        {"show_lead": "1"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert re.search(r'id="due-count-overdue"[^>]*hx-swap-oob="true">1<', row)
    panel_row = client.post(
        f"/leads/tasks/{tasks['later'].uuid}/complete/", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "due-count-" not in panel_row  # the lead's page has no such counts to refresh
    assert 'id="nav-tasks-due"' in panel_row
