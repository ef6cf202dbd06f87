"""The follow-up to-do form."""

from django import forms
from django.utils.translation import gettext_lazy

from leadcrm.accounts.models import User
from leadcrm.formfields import BoundedDateTimeField
from leads.services import followups as followup_services


class FollowupForm(forms.Form):
    """Parses the "Schedule a task" form; the rules live in leads.services.followups."""

    title = forms.CharField(label=gettext_lazy("Task"), max_length=followup_services.TITLE_MAX)
    due_at = BoundedDateTimeField(label=gettext_lazy("Due"))
    assignee = forms.ModelChoiceField(
        label=gettext_lazy("Assignee"),
        queryset=User.objects.filter(is_active=True),
        to_field_name="uuid",
        required=False,
    )

    def first_error(self) -> str:
        name, errors = next(iter(self.errors.items()))
        field = self.fields.get(name)
        return f"{field.label}: {errors[0]}" if field else errors[0]
