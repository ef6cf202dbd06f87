"""Tasks: follow-ups with a due time, usually about a lead; SOP tasks; reminders.

Writes (``task_*``, ``sop_followups_create``) come first; the reads the task pages need follow at
the end (they would sit in ``leads.selectors`` but are kept here with the feature for now).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import CharField, Exists, OuterRef, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from leadcrm.accounts.models import User
from leadcrm.notifications.models import Notification
from leadcrm.notifications.services import notification_send
from leadcrm.notifications.texts import at, text
from leadcrm.parsing import DUE_YEARS, year_within
from leads.errors import LeadError
from leads.models import OPEN_STATUSES, Lead, LeadStatus, SopTemplate, Stage, Task
from leads.selectors import due_counts, lead_can_write, leads_visible_to, owners_assignable_by

TITLE_MAX = 200
#: "Due soon" reminders go out for open tasks due within this window.
DUE_SOON = timedelta(hours=1)
REMINDER_BATCH = 500


def followup_assignees_for(*, actor: User, lead: Lead | None = None) -> QuerySet[User]:
    """Whom ``actor`` may give a task to: themselves and the people who report to them
    (tenant admins: anyone active), plus the lead's owner, who gets its tasks by default."""
    assignees = owners_assignable_by(actor)
    if lead is not None and lead.owner_id is not None:
        assignees = assignees | User.objects.filter(pk=lead.owner_id, is_active=True)
    return assignees.distinct().order_by("full_name")


def followup_create(
    *,
    lead: Lead,
    actor: User,
    title: str,
    due_at: datetime,
    assignee: User | None = None,
    description: str = "",
) -> Task:
    """Schedule a task on ``lead``.

    Whoever may write the lead may schedule tasks on it (raises LeadError otherwise). The
    assignee defaults to the lead's owner, else the actor; an explicit assignee must be active
    and one the actor may assign to (see ``followup_assignees_for``). A due time in the past is
    allowed: the task is simply overdue. Void leads take no tasks.
    """
    title = " ".join((title or "").split())
    if not title:
        raise LeadError(_("Say what is to be done."), field="title")
    if len(title) > TITLE_MAX:
        raise LeadError(
            _("A task title has at most %(max)d characters.") % {"max": TITLE_MAX}, field="title"
        )
    if due_at is None:
        raise LeadError(_("Choose when it is due."), field="due_at")
    if not year_within(due_at, DUE_YEARS):
        raise LeadError(
            _("Choose a due date between %(first)d and %(last)d.")
            % {"first": DUE_YEARS[0], "last": DUE_YEARS[1]},
            field="due_at",
        )
    if timezone.is_naive(due_at):
        due_at = timezone.make_aware(due_at)
    if not lead_can_write(actor, lead):
        raise LeadError(_("You cannot schedule tasks on this lead."))
    if lead.status == LeadStatus.VOID:
        raise LeadError(_("This lead is void."))
    if assignee is None:
        assignee = lead.owner if lead.owner_id and lead.owner.is_active else actor
    if not assignee.is_active:
        raise LeadError(_("%(name)s is deactivated.") % {"name": assignee}, field="assignee")
    if not followup_assignees_for(actor=actor, lead=lead).filter(pk=assignee.pk).exists():
        raise LeadError(_("You can give tasks only to yourself or your team."), field="assignee")
    return Task.objects.create(
        lead=lead,
        title=title,
        description=(description or "").strip(),
        due_at=due_at,
        assignee=assignee,
        created_by=actor,
    )


def followup_can_change(user: User, task: Task) -> bool:
    """Who may complete, reopen or cancel a task: its assignee, and whoever may write its lead
    (a task without a lead: its assignee, its creator and tenant admins)."""
    if task.assignee_id == user.pk:
        return True
    if task.lead_id is not None:
        return lead_can_write(user, task.lead)
    return task.created_by_id == user.pk or user.is_tenant_admin


def _check_may_change(task: Task, actor: User) -> None:
    if not followup_can_change(actor, task):
        raise LeadError(_("You cannot change this task."))


def followup_complete(*, task: Task, actor: User) -> Task:
    """Mark an open task done. Idempotent: completing a done task changes nothing (its first
    completion time stays). A cancelled task cannot be completed (raises LeadError). Nothing
    else is logged on the lead."""
    _check_may_change(task, actor)
    done = Task.objects.filter(pk=task.pk, status=Task.Status.OPEN).update(
        status=Task.Status.DONE, completed_at=timezone.now()
    )
    task.refresh_from_db()
    if not done and task.status == Task.Status.CANCELLED:
        raise LeadError(_("This task was cancelled."))
    return task


def followup_reopen(*, task: Task, actor: User) -> Task:
    """Open a done or cancelled task again (an open task stays as it is). An SOP task is not
    reopened while a newer open task of the same SOP step exists (raises LeadError)."""
    _check_may_change(task, actor)
    try:
        with transaction.atomic():
            Task.objects.filter(
                pk=task.pk, status__in=[Task.Status.DONE, Task.Status.CANCELLED]
            ).update(status=Task.Status.OPEN, completed_at=None)
    except IntegrityError as exc:  # task_sop_once: one open task per lead and SOP step
        raise LeadError(_("This step already has an open task.")) from exc
    task.refresh_from_db()
    return task


def followup_cancel(*, task: Task, actor: User) -> Task:
    """Cancel an open task. Idempotent for cancelled tasks; a done task stays done (raises
    LeadError)."""
    _check_may_change(task, actor)
    Task.objects.filter(pk=task.pk, status=Task.Status.OPEN).update(
        status=Task.Status.CANCELLED, completed_at=None
    )
    task.refresh_from_db()
    if task.status == Task.Status.DONE:
        raise LeadError(_("This task is already done."))
    return task


def lead_followups_cancel(*, lead: Lead, actor: User) -> int:
    """Cancel every open follow-up of ``lead`` (a converted lead whose tenant closes them);
    returns how many. Runs in the caller's transaction."""
    return Task.objects.filter(lead=lead, status=Task.Status.OPEN).update(
        status=Task.Status.CANCELLED, completed_at=None
    )


def sop_followups_create(*, lead: Lead, stage: Stage, actor: User | None) -> list[Task]:
    """Create the SOP tasks of ``stage`` for a lead that has just entered it: one per active
    SopTemplate, due now + its hours, assigned to the lead's owner.

    Called by lead_change_stage inside its transaction. Idempotent: the ``task_sop_once``
    constraint allows one open task per lead and template, so a retry (or a second call)
    returns the existing task instead of making another. A lead with no active owner gets no
    SOP tasks now; it gets them when it gets an owner (``sop_followups_create_for_owners``).
    Returns the tasks created by this call.
    """
    if lead.owner_id is None or not lead.owner.is_active:
        return []
    now = timezone.now()
    created = []
    for template in SopTemplate.objects.filter(stage=stage, is_active=True):
        task, was_created = Task.objects.get_or_create(
            lead=lead,
            sop_template=template,
            status=Task.Status.OPEN,
            defaults={
                "title": template.title,
                "due_at": now + timedelta(hours=template.due_in_hours),
                "assignee_id": lead.owner_id,
                "created_by": actor,
            },
        )
        if was_created:
            created.append(task)
    return created


def sop_followups_create_for_owners(*, lead_ids, actor: User | None) -> None:
    """Create the SOP tasks of each lead's current stage for its owner, those it does not have
    open yet: what a lead that just got an owner is due (leads.services.ownership).

    Set-based: two reads and one INSERT for any number of leads. Only open leads with an
    active owner get them. Safe to run twice, and against a concurrent run: the
    ``task_sop_once`` constraint (one open task per lead and template) lets the INSERT skip
    the tasks that exist (ON CONFLICT DO NOTHING), so nothing is created twice."""
    leads = list(
        Lead.objects.filter(
            pk__in=list(lead_ids),
            owner__is_active=True,
            status__in=OPEN_STATUSES,
            stage__isnull=False,
        ).values_list("pk", "owner_id", "stage_id")
    )
    if not leads:
        return
    templates: dict[int, list[SopTemplate]] = {}
    for template in SopTemplate.objects.filter(
        stage_id__in={stage_id for _pk, _owner, stage_id in leads}, is_active=True
    ):
        templates.setdefault(template.stage_id, []).append(template)
    if not templates:
        return
    now = timezone.now()
    Task.objects.bulk_create(
        [
            Task(
                lead_id=pk,
                sop_template=template,
                title=template.title,
                due_at=now + timedelta(hours=template.due_in_hours),
                assignee_id=owner_id,
                created_by=actor,
            )
            for pk, owner_id, stage_id in leads
            for template in templates.get(stage_id, [])
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )


def _not_yet_notified(kind_prefix: str):
    key = Concat(Value(kind_prefix), Cast(OuterRef("uuid"), CharField()))
    return ~Exists(
        Notification.objects.filter(recipient=OuterRef("assignee"), dedup_key=key).exclude(
            dedup_key=""
        )
    )


def _remind(task: Task, *, overdue: bool) -> bool:
    assignee = task.assignee
    url = reverse("leads-detail", kwargs={"uuid": task.lead.uuid}) if task.lead else ""
    url = url or reverse("leads-task-list")
    lead = str(task.lead or "—")
    if overdue:
        title = text("leads.task_overdue", task=task.title)
        body = text("leads.task_was_due", due=at(task.due_at), lead=lead)
    else:
        title = text("leads.task_due_soon", task=task.title)
        body = text("leads.task_due", due=at(task.due_at), lead=lead)
    sent = notification_send(
        recipient=assignee,
        kind=Notification.Kind.TASK_OVERDUE if overdue else Notification.Kind.TASK_DUE,
        title=title,
        body=body,
        url=url,
        email=True,
        dedup_key=f"task_{'overdue' if overdue else 'due'}:{task.uuid}",
    )
    return sent is not None


def followup_reminders_send(*, now: datetime | None = None, limit: int = REMINDER_BATCH):
    """Remind assignees of open tasks: "due soon" for tasks due within the hour, "overdue" for
    tasks past due. Returns (due_soon, overdue): how many notifications went out.

    1. pick open tasks of active assignees not yet reminded of that kind (void leads skipped),
       due soon first, at most ``limit`` in all (the rest go on the next run)
    2. notify each assignee in the app and by email (the emails leave after commit)
    Idempotent: the notifications' dedup keys (``task_due:<uuid>``, ``task_overdue:<uuid>``)
    make a second run, or a concurrent one, notify nobody twice.
    """
    now = now or timezone.now()
    open_tasks = (
        Task.objects.filter(status=Task.Status.OPEN, assignee__is_active=True)
        .exclude(lead__status=LeadStatus.VOID)
        .select_related("assignee", "lead")
        .order_by("due_at", "id")
    )
    due_soon = list(
        open_tasks.filter(due_at__gte=now, due_at__lt=now + DUE_SOON).filter(
            _not_yet_notified("task_due:")
        )[:limit]
    )
    overdue = list(
        open_tasks.filter(due_at__lt=now).filter(_not_yet_notified("task_overdue:"))[
            : max(0, limit - len(due_soon))
        ]
    )
    with transaction.atomic():
        sent_soon = sum(_remind(t, overdue=False) for t in due_soon)
        sent_overdue = sum(_remind(t, overdue=True) for t in overdue)
    return sent_soon, sent_overdue


# Reads ---------------------------------------------------------------------------------------

#: What "Done recently" covers on the My tasks page.
DONE_RECENTLY = timedelta(days=7)
DONE_MAX = 50


def followup_done_recently(*, assignee: User, now: datetime | None = None) -> list[Task]:
    """The tasks ``assignee`` completed in the last seven days, newest first (My tasks' side
    column; what is still due comes from ``leads.selectors.due_list``)."""
    now = now or timezone.now()
    return list(
        Task.objects.filter(
            assignee=assignee, status=Task.Status.DONE, completed_at__gte=now - DONE_RECENTLY
        )
        .select_related("lead", "assignee")
        .order_by("-completed_at", "-id")[:DONE_MAX]
    )


def followup_due_count(*, assignee: User, now: datetime | None = None) -> int:
    """How many things are overdue or due today for ``assignee`` (the nav badge): tasks and
    follow-up dates, counted as My tasks counts them (``leads.selectors.due_counts``)."""
    return due_counts(user=assignee, now=now).due_now


def lead_open_followups(*, lead: Lead) -> QuerySet[Task]:
    """The lead's open tasks, soonest first (the detail page's panel)."""
    return Task.objects.filter(lead=lead, status=Task.Status.OPEN).select_related("assignee")


def followup_get_for_user(*, user: User, uuid) -> Task:
    """The task if ``user`` may change it (its assignee, or someone who may write its lead);
    Http404 otherwise, never a hint that it exists."""
    from django.http import Http404

    task = Task.objects.filter(uuid=uuid).select_related("lead", "lead__owner").first()
    if task is None or not followup_can_change(user, task):
        raise Http404
    return task


def followup_viewable_owners(*, viewer: User) -> QuerySet[User]:
    """Whose tasks ``viewer`` may look at on the My tasks page: themselves and the people who
    report to them; tenant admins anyone."""
    return owners_assignable_by(viewer)


def followup_visible_lead_ids(*, viewer: User, lead_ids) -> set[int]:
    """Of these leads (those My tasks' rows are about), the ones ``viewer`` may open (one
    query)."""
    lead_ids = {pk for pk in lead_ids if pk}
    if not lead_ids:
        return set()
    return set(leads_visible_to(viewer).filter(pk__in=lead_ids).values_list("pk", flat=True))
