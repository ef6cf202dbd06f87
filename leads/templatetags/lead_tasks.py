"""Template tags for tasks: the lead detail panel and the "My tasks" nav badge.

They only read (through leads.services.tasks' read functions); nothing here decides or writes.
"""

from django import template

from leads.services import tasks as task_services

register = template.Library()


@register.simple_tag
def lead_open_tasks(lead, user, can_write):
    """The lead's open tasks, each marked with whether ``user`` may complete it."""
    tasks = list(task_services.lead_open_tasks(lead=lead))
    for task in tasks:
        task.can_complete = bool(can_write) or task.assignee_id == user.pk
    return tasks


@register.simple_tag
def task_assignees(lead, user):
    """Whom ``user`` may give a task on ``lead`` to (the panel's assignee menu)."""
    return task_services.task_assignees_for(actor=user, lead=lead)


@register.simple_tag(takes_context=True)
def tasks_due_count(context):
    """How many of the signed-in user's open tasks are overdue or due today (0 if signed out)."""
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return 0
    return task_services.task_due_count(assignee=user)


@register.simple_tag
def task_default_due():
    """Tomorrow at 09:00, as a datetime-local input wants it: the usual "call back" time."""
    from datetime import timedelta

    from django.utils import timezone

    tomorrow = timezone.localtime() + timedelta(days=1)
    return tomorrow.replace(hour=9, minute=0, second=0, microsecond=0).strftime("%Y-%m-%dT%H:%M")
