"""Template tags for tasks: the lead detail panel and the "My tasks" nav badge.

They only read (through leads.services.followups' read functions); nothing here decides or writes.
"""

from django import template

from leads.services import followups as followup_services

register = template.Library()


@register.simple_tag
def lead_open_followups(lead, user, can_write):
    """The lead's open tasks, each marked with whether ``user`` may complete it."""
    tasks = list(followup_services.lead_open_followups(lead=lead))
    for task in tasks:
        task.can_complete = bool(can_write) or task.assignee_id == user.pk
    return tasks


@register.simple_tag
def followup_assignees(lead, user):
    """Whom ``user`` may give a task on ``lead`` to (the panel's assignee menu)."""
    return followup_services.followup_assignees_for(actor=user, lead=lead)


@register.simple_tag(takes_context=True)
def followups_due_count(context):
    """How many of the signed-in user's open tasks are overdue or due today (0 if signed out)."""
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return 0
    return followup_services.followup_due_count(assignee=user)


@register.simple_tag
def followup_default_due():
    """Tomorrow at 09:00, as a datetime-local input wants it: the usual "call back" time."""
    from datetime import timedelta

    from django.utils import timezone

    tomorrow = timezone.localtime() + timedelta(days=1)
    return tomorrow.replace(hour=9, minute=0, second=0, microsecond=0).strftime("%Y-%m-%dT%H:%M")
