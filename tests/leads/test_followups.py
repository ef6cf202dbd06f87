"""Tasks on leads: the services, SOP tasks on stage entry, My tasks and the detail panel."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from leads.errors import LeadError
from leads.models import Activity, SopTemplate, Stage, Task
from leads.services import lead as lead_services
from leads.services.followups import (
    followup_cancel,
    followup_complete,
    followup_create,
    followup_reopen,
    sop_followups_create,
)
from leads.services.sharing import lead_member_add
from tests.conftest import tenant_client


def _in(hours: float):
    return timezone.now() + timedelta(hours=hours)


@pytest.fixture
def rep_lead(in_tenant_a):
    return lead_services.lead_create(actor=in_tenant_a.rep, owner=in_tenant_a.rep, name="Wang Fang")


# Services ------------------------------------------------------------------------------------


def test_task_goes_to_the_leads_owner_by_default(in_tenant_a, rep_lead):
    cast = in_tenant_a
    task = followup_create(
        lead=rep_lead, actor=cast.manager, title="  Send   the quote ", due_at=_in(4)
    )
    assert (task.assignee, task.created_by, task.status) == (cast.rep, cast.manager, "open")
    assert task.title == "Send the quote"


def test_task_on_an_unassigned_lead_goes_to_whoever_schedules_it(in_tenant_a):
    cast = in_tenant_a
    lead = lead_services.lead_create(actor=cast.admin, name="Nobody's Lead")
    task = followup_create(lead=lead, actor=cast.admin, title="Qualify", due_at=_in(1))
    assert task.assignee == cast.admin


def test_who_may_not_write_the_lead_cannot_schedule_tasks_on_it(in_tenant_a, rep_lead):
    cast = in_tenant_a
    with pytest.raises(LeadError, match="cannot schedule"):
        followup_create(lead=rep_lead, actor=cast.teammate, title="Snoop", due_at=_in(1))
    lead_member_add(lead=rep_lead, user=cast.teammate, access="read", actor=cast.rep)
    with pytest.raises(LeadError, match="cannot schedule"):
        followup_create(lead=rep_lead, actor=cast.teammate, title="Snoop", due_at=_in(1))
    assert not Task.objects.exists()


def test_a_rep_gives_tasks_only_to_themselves_or_the_leads_owner(in_tenant_a, rep_lead):
    cast = in_tenant_a
    with pytest.raises(LeadError) as error:
        followup_create(
            lead=rep_lead, actor=cast.rep, title="Hand off", due_at=_in(1), assignee=cast.teammate
        )
    assert error.value.field == "assignee"
    task = followup_create(
        lead=rep_lead, actor=cast.manager, title="Coach", due_at=_in(1), assignee=cast.teammate
    )
    assert task.assignee == cast.teammate  # the teammate reports to the manager


def test_assignee_must_be_active(in_tenant_a, rep_lead):
    cast = in_tenant_a
    cast.teammate.is_active = False
    cast.teammate.save()
    with pytest.raises(LeadError, match="deactivated") as error:
        followup_create(
            lead=rep_lead, actor=cast.admin, title="X", due_at=_in(1), assignee=cast.teammate
        )
    assert error.value.field == "assignee"


def test_a_task_needs_a_title(in_tenant_a, rep_lead):
    with pytest.raises(LeadError) as error:
        followup_create(lead=rep_lead, actor=in_tenant_a.rep, title="   ", due_at=_in(1))
    assert error.value.field == "title"


def test_a_due_time_in_the_past_is_allowed_and_the_task_is_overdue(in_tenant_a, rep_lead):
    task = followup_create(lead=rep_lead, actor=in_tenant_a.rep, title="Late call", due_at=_in(-3))
    assert task.is_overdue


def test_completing_is_idempotent_and_logs_nothing_else(in_tenant_a, rep_lead):
    cast = in_tenant_a
    task = followup_create(lead=rep_lead, actor=cast.rep, title="Call", due_at=_in(1))
    first = followup_complete(task=task, actor=cast.rep)
    assert first.status == "done"
    assert first.completed_at is not None
    again = followup_complete(task=task, actor=cast.rep)
    assert (again.status, again.completed_at) == ("done", first.completed_at)
    assert not Activity.objects.filter(lead=rep_lead).exists()


def test_the_assignee_may_complete_a_task_on_a_lead_they_cannot_write(in_tenant_a):
    cast = in_tenant_a
    boss_lead = lead_services.lead_create(actor=cast.manager, owner=cast.manager, name="Boss Lead")
    task = followup_create(
        lead=boss_lead, actor=cast.manager, title="Prepare", due_at=_in(2), assignee=cast.rep
    )
    assert followup_complete(task=task, actor=cast.rep).status == "done"
    with pytest.raises(LeadError, match="cannot change"):
        followup_reopen(task=task, actor=cast.teammate)


def test_cancel_reopen_and_complete_follow_the_task_lifecycle(in_tenant_a, rep_lead):
    cast = in_tenant_a
    task = followup_create(lead=rep_lead, actor=cast.rep, title="Call", due_at=_in(1))
    task = followup_cancel(task=task, actor=cast.rep)
    assert followup_cancel(task=task, actor=cast.rep).status == "cancelled"
    with pytest.raises(LeadError, match="cancelled"):
        followup_complete(task=task, actor=cast.rep)
    task = followup_reopen(task=task, actor=cast.rep)
    assert (task.status, task.completed_at) == ("open", None)
    task = followup_complete(task=task, actor=cast.rep)
    with pytest.raises(LeadError, match="already done"):
        followup_cancel(task=task, actor=cast.rep)


# SOP tasks -----------------------------------------------------------------------------------


@pytest.fixture
def stages(in_tenant_a):
    return list(Stage.objects.order_by("position"))


def test_entering_a_stage_creates_its_sop_tasks_exactly_once(in_tenant_a, rep_lead, stages):
    cast = in_tenant_a
    SopTemplate.objects.create(stage=stages[2], title="Send the brochure", due_in_hours=24)
    SopTemplate.objects.create(stage=stages[2], title="Retired step", is_active=False)
    SopTemplate.objects.create(stage=stages[3], title="Other stage step")
    before = timezone.now()
    lead_services.lead_change_stage(lead=rep_lead, stage=stages[2], actor=cast.manager)
    lead_services.lead_change_stage(lead=rep_lead, stage=stages[2], actor=cast.manager)
    assert sop_followups_create(lead=rep_lead, stage=stages[2], actor=cast.manager) == []
    task = Task.objects.get(lead=rep_lead)
    assert (task.title, task.assignee, task.created_by) == (
        "Send the brochure",
        cast.rep,
        cast.manager,
    )
    assert before + timedelta(hours=24) <= task.due_at <= timezone.now() + timedelta(hours=24)


def test_re_entering_a_stage_keeps_one_open_sop_task_and_makes_a_new_one_once_done(
    in_tenant_a, rep_lead, stages
):
    cast = in_tenant_a
    SopTemplate.objects.create(stage=stages[2], title="Send the brochure")
    for stage in (stages[2], stages[3], stages[2]):
        lead_services.lead_change_stage(lead=rep_lead, stage=stage, actor=cast.rep)
    open_task = Task.objects.get(lead=rep_lead, status="open")
    followup_complete(task=open_task, actor=cast.rep)
    for stage in (stages[3], stages[2]):
        lead_services.lead_change_stage(lead=rep_lead, stage=stage, actor=cast.rep)
    assert Task.objects.filter(lead=rep_lead).count() == 2
    assert Task.objects.filter(lead=rep_lead, status="open").count() == 1


def test_a_new_lead_gets_its_first_stages_sop_tasks_only_when_it_has_an_owner(in_tenant_a, stages):
    cast = in_tenant_a
    SopTemplate.objects.create(stage=stages[0], title="Call within 24 h")
    owned = lead_services.lead_create(actor=cast.rep, owner=cast.rep, name="Owned")
    unowned = lead_services.lead_create(actor=cast.rep, name="Unowned")
    assert list(Task.objects.filter(lead=owned).values_list("title", flat=True)) == [
        "Call within 24 h"
    ]
    assert not Task.objects.filter(lead=unowned).exists()


def test_sop_tasks_survive_a_retry_inside_the_same_transaction(in_tenant_a, rep_lead, stages):
    SopTemplate.objects.create(stage=stages[4], title="Proposal follow-up")
    first = sop_followups_create(lead=rep_lead, stage=stages[4], actor=None)
    second = sop_followups_create(lead=rep_lead, stage=stages[4], actor=None)
    assert (len(first), second) == (1, [])


# My tasks page -------------------------------------------------------------------------------


def _section(html: str, name: str) -> str:
    order = ["tasks-overdue", "tasks-today", "tasks-upcoming", "tasks-later", "tasks-done"]
    start = html.index(f'id="{name}"')
    following = [html.index(f'id="{n}"') for n in order[order.index(name) + 1 :]]
    return html[start : min(following) if following else len(html)]


@pytest.fixture
def task_world(cast_a):
    with tenant_context(cast_a.tenant):
        lead = lead_services.lead_create(actor=cast_a.rep, owner=cast_a.rep, name="Zhou Lei")
        now = timezone.now()
        # "Today" is the tenant's today: pages render in the tenant's time zone.
        local_now = timezone.localtime(now, ZoneInfo(cast_a.tenant.time_zone))
        midnight = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
        midnight += timedelta(days=1)
        later_today = now + (midnight - now) / 2
        made = {
            "overdue": followup_create(
                lead=lead, actor=cast_a.rep, title="Overdue call", due_at=_in(-5)
            ),
            "today": followup_create(
                lead=lead, actor=cast_a.rep, title="Today call", due_at=later_today
            ),
            "upcoming": followup_create(
                lead=lead,
                actor=cast_a.rep,
                title="Upcoming call",
                due_at=midnight + timedelta(days=2),
            ),
            "far": followup_create(
                lead=lead, actor=cast_a.rep, title="Far call", due_at=_in(24 * 30)
            ),
            "done": followup_create(lead=lead, actor=cast_a.rep, title="Done call", due_at=_in(-1)),
        }
        followup_complete(task=made["done"], actor=cast_a.rep)
    return lead, made


def test_my_tasks_page_splits_overdue_today_upcoming_later_and_done(cast_a, task_world):
    lead, _made = task_world
    html = tenant_client(cast_a, cast_a.rep).get("/tasks/").content.decode()
    assert "Overdue call" in _section(html, "tasks-overdue")
    assert "Today call" in _section(html, "tasks-today")
    assert "Upcoming call" in _section(html, "tasks-upcoming")
    assert "Done call" in _section(html, "tasks-done")
    assert "Far call" in _section(html, "tasks-later")  # beyond seven days: Later
    assert f'href="/leads/{lead.uuid}/"' in html
    assert re.search(r'class="nav-badge"[^>]*>2<', html)  # overdue + today


def test_managers_look_at_their_reports_tasks_and_nobody_else_does(cast_a, task_world):
    url = f"/tasks/?user={cast_a.rep.uuid}"
    manager_page = tenant_client(cast_a, cast_a.manager).get(url)
    assert "Overdue call" in manager_page.content.decode()
    assert "Riley Rep" in manager_page.content.decode()
    assert tenant_client(cast_a, cast_a.teammate).get(url).status_code == 404
    assert tenant_client(cast_a, cast_a.rep).get("/tasks/?user=not-a-uuid").status_code == 404
    assert tenant_client(cast_a, cast_a.admin).get(url).status_code == 200


def test_switching_people_with_htmx_returns_the_page_region_only(cast_a, task_world):
    response = tenant_client(cast_a, cast_a.manager).get(
        f"/tasks/?user={cast_a.rep.uuid}", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="task-page"
    )
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="task-page"' in html
    assert "Overdue call" in html


def test_complete_button_swaps_the_row_with_htmx_and_falls_back_to_a_redirect(cast_a, task_world):
    _lead, made = task_world
    client = tenant_client(cast_a, cast_a.rep)
    row = client.post(
        f"/leads/tasks/{made['today'].uuid}/complete/",
        {"show_lead": "1"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET=f"task-{made['today'].uuid}",
    ).content.decode()
    assert "<html" not in row
    assert f'id="task-{made["today"].uuid}"' in row
    assert "is-done" in row
    assert "Zhou Lei" in row
    assert re.search(r'id="nav-tasks-due"[^>]*hx-swap-oob="true"[^>]*>.*>1<', row)  # overdue only
    plain = client.post(f"/leads/tasks/{made['overdue'].uuid}/complete/", {"next": "/tasks/"})
    assert (plain.status_code, plain.headers["Location"]) == (302, "/tasks/")
    evil = client.post(
        f"/leads/tasks/{made['upcoming'].uuid}/complete/", {"next": "https://evil.example/"}
    )
    assert evil.headers["Location"] == f"/leads/{_lead.uuid}/"
    with tenant_context(cast_a.tenant):
        assert set(Task.objects.filter(status="done").values_list("title", flat=True)) == {
            "Done call",
            "Today call",
            "Overdue call",
            "Upcoming call",
        }


# The detail page's panel ---------------------------------------------------------------------


def test_detail_panel_lists_open_tasks_and_schedules_one_with_htmx(cast_a):
    with tenant_context(cast_a.tenant):
        lead = lead_services.lead_create(actor=cast_a.rep, owner=cast_a.rep, name="Sun Mei")
        followup_create(lead=lead, actor=cast_a.rep, title="Existing call", due_at=_in(2))
    client = tenant_client(cast_a, cast_a.rep)
    page = client.get(f"/leads/{lead.uuid}/").content.decode()
    start = page.index('id="lead-tasks"')
    panel = page[start : page.index("</section>", start)]
    assert "Existing call" in panel
    assert f'action="/leads/{lead.uuid}/tasks/"' in panel
    assert f'value="{cast_a.teammate.uuid}"' not in panel  # not someone the rep may assign to
    response = client.post(
        f"/leads/{lead.uuid}/tasks/",
        {"title": "Send samples", "due_at": "2031-03-04T10:30", "assignee": str(cast_a.rep.uuid)},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="lead-tasks",
    )
    html = response.content.decode()
    assert "<html" not in html
    assert "Send samples" in html
    assert "Existing call" in html
    with tenant_context(cast_a.tenant):
        task = Task.objects.get(title="Send samples")
        assert (task.assignee, task.lead) == (cast_a.rep, lead)
        local_due = timezone.localtime(task.due_at, ZoneInfo(cast_a.tenant.time_zone))
        assert local_due.strftime("%Y-%m-%d %H:%M") == "2031-03-04 10:30"  # the tenant's 10:30


def test_scheduling_without_javascript_redirects_with_a_message(cast_a):
    with tenant_context(cast_a.tenant):
        lead = lead_services.lead_create(actor=cast_a.rep, owner=cast_a.rep, name="Sun Mei")
    client = tenant_client(cast_a, cast_a.rep)
    page = client.post(
        f"/leads/{lead.uuid}/tasks/", {"title": "", "due_at": "2031-03-04T10:30"}, follow=True
    )
    assert "This field is required." in page.content.decode()
    page = client.post(
        f"/leads/{lead.uuid}/tasks/",
        {"title": "Call back", "due_at": "2031-03-04T10:30", "assignee": str(cast_a.teammate.uuid)},
        follow=True,
    )
    assert "only to yourself or your team" in page.content.decode()
    page = client.post(
        f"/leads/{lead.uuid}/tasks/", {"title": "Call back", "due_at": "2031-03-04T10:30"}
    )
    assert page.headers["Location"] == f"/leads/{lead.uuid}/"
    with tenant_context(cast_a.tenant):
        assert list(Task.objects.values_list("title", "assignee")) == [("Call back", cast_a.rep.pk)]


def test_another_rep_can_neither_schedule_nor_complete_tasks_on_the_lead(cast_a):
    with tenant_context(cast_a.tenant):
        lead = lead_services.lead_create(actor=cast_a.rep, owner=cast_a.rep, name="Sun Mei")
        task = followup_create(lead=lead, actor=cast_a.rep, title="Mine", due_at=_in(2))
    other = tenant_client(cast_a, cast_a.teammate)
    data = {"title": "Intrude", "due_at": "2031-03-04T10:30"}
    assert other.post(f"/leads/{lead.uuid}/tasks/", data).status_code == 404
    assert other.post(f"/leads/tasks/{task.uuid}/complete/").status_code == 404
    assert other.get(f"/leads/tasks/{task.uuid}/complete/").status_code in (404, 405)
    with tenant_context(cast_a.tenant):
        task.refresh_from_db()
        assert task.status == "open"
        assert Task.objects.count() == 1


def test_a_read_only_member_sees_the_tasks_but_cannot_add_or_complete_them(cast_a):
    with tenant_context(cast_a.tenant):
        lead = lead_services.lead_create(actor=cast_a.rep, owner=cast_a.rep, name="Sun Mei")
        task = followup_create(lead=lead, actor=cast_a.rep, title="Visible task", due_at=_in(2))
        lead_member_add(lead=lead, user=cast_a.teammate, access="read", actor=cast_a.rep)
    member = tenant_client(cast_a, cast_a.teammate)
    page = member.get(f"/leads/{lead.uuid}/").content.decode()
    assert "Visible task" in page
    assert f"/leads/{lead.uuid}/tasks/" not in page
    assert f"/leads/tasks/{task.uuid}/complete/" not in page
    data = {"title": "Intrude", "due_at": "2031-03-04T10:30"}
    assert member.post(f"/leads/{lead.uuid}/tasks/", data).status_code == 403
    assert member.post(f"/leads/tasks/{task.uuid}/complete/").status_code == 404
