"""The follow-up forms: scheduling a task, and logging the touch a follow-up date asks for."""

from django import forms
from django.utils.translation import gettext_lazy

from leadcrm.accounts.models import User
from leadcrm.formfields import BoundedDateTimeField
from leads.models import Activity
from leads.services import followups as followup_services


class _FirstErrorMixin:
    def first_error(self) -> str:
        name, errors = next(iter(self.errors.items()))
        field = self.fields.get(name)
        return f"{field.label}: {errors[0]}" if field else errors[0]


class FollowupForm(_FirstErrorMixin, forms.Form):
    """Parses the "Schedule a task" form; the rules live in leads.services.followups."""

    title = forms.CharField(label=gettext_lazy("Task"), max_length=followup_services.TITLE_MAX)
    due_at = BoundedDateTimeField(label=gettext_lazy("Due"))
    assignee = forms.ModelChoiceField(
        label=gettext_lazy("Assignee"),
        queryset=User.objects.filter(is_active=True),
        to_field_name="uuid",
        required=False,
    )


class FollowupLogForm(_FirstErrorMixin, forms.Form):
    """Parses My tasks' "Log and reschedule" on a lead's follow-up date: what was done and when
    the next touch is due (required here: a follow-up date is done by moving it on). The rules
    live in leads.services.lead.activity_log."""

    kind = forms.ChoiceField(
        label=gettext_lazy("Type"), choices=Activity.Kind.choices, initial=Activity.Kind.CALL
    )
    body = forms.CharField(label=gettext_lazy("Notes"), required=False, max_length=5000)
    next_follow_up_at = BoundedDateTimeField(label=gettext_lazy("Next follow-up"))
