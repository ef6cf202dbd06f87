"""Follow-ups: My tasks (everything due), scheduling a task on a lead, completing one, and
logging the touch a lead's follow-up date asks for."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from leadcrm.accounts.models import User
from leadcrm.redirects import next_or
from leads import selectors
from leads.errors import LeadError
from leads.forms.followups import FollowupForm, FollowupLogForm
from leads.models import Activity
from leads.services import followups as followup_services
from leads.services import lead as lead_services


def _back(request, fallback: str) -> str:
    """Where a plain (non-HTMX) POST returns: the page it came from, on this site only."""
    return next_or(request, fallback)


@login_required
def followup_list(request):
    """My tasks: everything due (tasks and the follow-up dates of one's leads) grouped overdue,
    today, the next seven days and later, and the tasks done recently. Managers may look at
    someone who reports to them (``?user=<uuid>``), tenant admins at anyone; anyone else's
    gives a 404."""
    viewable = followup_services.followup_viewable_owners(viewer=request.user)
    owner = request.user
    if request.GET.get("user"):
        try:
            owner = viewable.get(uuid=request.GET["user"])
        except (User.DoesNotExist, ValidationError, ValueError) as exc:
            raise Http404 from exc
    due = selectors.due_list(user=owner)
    done = followup_services.followup_done_recently(assignee=owner)
    items = due.items()
    tasks = [item.task for item in items if item.is_task] + done
    leads = [item.lead for item in items if not item.is_task]
    visible = followup_services.followup_visible_lead_ids(
        viewer=request.user, lead_ids=[t.lead_id for t in tasks] + [lead.pk for lead in leads]
    )
    # The viewer may complete tasks they are given and those on leads of people in their line
    # (a conservative reading of lead_can_write that needs no query per row); the POSTs check
    # again through the services and lead_get_for_user.
    line = set(viewable.values_list("pk", flat=True)) | {request.user.pk}
    for task in tasks:
        task.lead_visible = task.lead_id in visible
        task.can_complete = (
            task.assignee_id == request.user.pk
            or request.user.is_tenant_admin
            or (task.lead is not None and task.lead.owner_id in line)
        )
    for lead in leads:
        lead.lead_visible = lead.pk in visible
        lead.can_log = lead.lead_visible and (request.user.is_tenant_admin or lead.owner_id in line)
    context = {
        "owner": owner,
        "viewing_self": owner.pk == request.user.pk,
        "due": due,
        "done": done,
        "log_kinds": Activity.Kind.choices,
        "people": viewable if len(line) > 1 else None,
    }
    if request.htmx and request.htmx.target == "task-page":
        return render(request, "leads/followup_list.html#task-page", context)
    return render(request, "leads/followup_list.html", context)


@login_required
@require_POST
def followup_date_log(request, uuid):
    """My tasks' "Log and reschedule" on a lead's follow-up date: logs the touch and sets the
    next date (activity_log); needs write access to the lead. HTMX gets the row back (and the
    nav badge); a plain POST returns to the page it came from with a message."""
    lead = selectors.lead_get_for_user(user=request.user, uuid=uuid, write=True)
    form = FollowupLogForm(request.POST)
    error = form.first_error() if not form.is_valid() else ""
    if not error:
        try:
            lead_services.activity_log(lead=lead, actor=request.user, **form.cleaned_data)
        except LeadError as exc:
            error = exc.message
        else:
            lead.refresh_from_db()
    if request.htmx:
        lead.lead_visible = lead.can_log = True
        context = {
            "lead": lead,
            "logged": not error,
            "log_error": error,
            "posted": request.POST if error else None,
            "log_kinds": Activity.Kind.choices,
            "oob_badge": True,
            # My tasks shows the lead's owner's follow-up dates: their group counts change
            "due_counts": selectors.due_counts(user=lead.owner) if lead.owner_id else None,
        }
        return render(request, "leads/partials/_due_lead_row.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request,
            _("Logged. Next follow-up with %(lead)s: %(when)s")
            % {"lead": lead, "when": date_format(localtime(lead.next_follow_up_at), "Y-m-d H:i")},
        )
    return redirect(_back(request, reverse("leads-task-list")))


@login_required
@require_POST
def followup_create(request, uuid):
    """Schedule a task on a lead (the detail page's panel); needs write access to the lead.
    HTMX gets the panel back; a plain POST goes back to the lead with a message."""
    lead = selectors.lead_get_for_user(user=request.user, uuid=uuid, write=True)
    form = FollowupForm(request.POST)
    error = form.first_error() if not form.is_valid() else ""
    if not error:
        try:
            followup_services.followup_create(lead=lead, actor=request.user, **form.cleaned_data)
        except LeadError as exc:
            error = exc.message
    if request.htmx:
        context = {
            "lead": lead,
            "can_write": True,
            "task_error": error,
            "task_saved": not error,
            "posted": request.POST if error else None,
        }
        return render(request, "leads/partials/_detail_tasks_panel.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Task scheduled."))
    return redirect("leads-detail", uuid=lead.uuid)


@login_required
@require_POST
def followup_complete(request, uuid):
    """Mark a task done: its assignee or whoever may write its lead; anyone else gets a 404.
    HTMX gets the task's row back; a plain POST returns to the page it came from."""
    task = followup_services.followup_get_for_user(user=request.user, uuid=uuid)
    error = ""
    try:
        task = followup_services.followup_complete(task=task, actor=request.user)
    except LeadError as exc:
        error = exc.message
    if request.htmx:
        task.can_complete = True
        task.lead_visible = (
            task.lead_id is not None
            and selectors.leads_visible_to(request.user).filter(pk=task.lead_id).exists()
        )
        show_lead = request.POST.get("show_lead") == "1"  # the row is on My tasks
        context = {
            "task": task,
            "show_lead": show_lead,
            "task_error": error,
            "oob_badge": True,  # the nav's overdue + today count changes too
            # ...and so do My tasks' group counts (the page shows the assignee's tasks)
            "due_counts": selectors.due_counts(user=task.assignee) if show_lead else None,
        }
        return render(request, "leads/partials/_task_row.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Done: %(task)s") % {"task": task.title})
    if task.lead_id:
        fallback = reverse("leads-detail", kwargs={"uuid": task.lead.uuid})
    else:
        fallback = reverse("leads-task-list")
    return redirect(_back(request, fallback))
