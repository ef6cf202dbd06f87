"""Forms of the tenant admin's lead settings pages. They parse input; the rules (ranges, unique
keys and names, the last active stage) live in leads.services.config and .custom_fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from leads.hooks import custom_field_records
from leads.models import CustomFieldDefinition, LeadSettings, Stage


class LeadSettingsForm(forms.Form):
    require_bant = forms.BooleanField(
        label=_("Require the BANT checklist before a lead can be marked Qualified"),
        required=False,
    )
    hot_score = forms.IntegerField(
        label=_("A lead is hot from score"),
        help_text=_("1 to 100. The Hot filter of the lead list shows leads from this score."),
        widget=forms.NumberInput(attrs={"min": 1, "max": 100, "class": "input-short"}),
    )
    require_email_or_phone = forms.BooleanField(
        label=_("A lead needs an email or a phone number"),
        help_text=_(
            "A new lead without an email, a mobile or a phone number is refused, whether it "
            "is typed in, imported, sent by a web form or by the API. Leads you already have "
            "are kept as they are."
        ),
        required=False,
    )
    open_tasks_on_reassign = forms.ChoiceField(
        label=_("The previous owner's open tasks"),
        choices=LeadSettings.OpenTasks.choices,
        widget=forms.RadioSelect,
        required=False,  # not posted: left as it is
        help_text=_(
            "Either way, the new owner gets the SOP tasks of the lead's stage that are not "
            "open yet."
        ),
    )


def choice_lines(raw: str) -> list[str]:
    """The choices typed in the textarea, one per line (a choice may contain commas)."""
    return [line.strip() for line in (raw or "").splitlines() if line.strip()]


CHOICES_HELP = _("For Choice and Multiple choice: one choice per line.")


class CustomFieldCreateForm(forms.Form):
    record = forms.ChoiceField(
        label=_("Record"),
        choices=custom_field_records,
        initial="lead",
        required=False,  # a lead field when not given
        help_text=_("Which form and page the field is on. Cannot change later."),
    )
    label = forms.CharField(
        label=_("Label"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Budget (CNY)")}),
    )
    key = forms.CharField(
        label=_("Key"),
        max_length=40,
        help_text=_(
            "Lower-case letters, digits and _, starting with a letter. Imports and rules refer "
            "to it, so it cannot change later."
        ),
        widget=forms.TextInput(attrs={"placeholder": _("e.g. budget_cny"), "class": "mono"}),
    )
    field_type = forms.ChoiceField(
        label=_("Type"),
        choices=CustomFieldDefinition.FieldType.choices,
        help_text=_("Cannot change later."),
    )
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        help_text=CHOICES_HELP,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    required = forms.BooleanField(label=_("Required on the form"), required=False)
    filterable = forms.BooleanField(
        label=_("Filterable in the lead list"),
        help_text=_("Lead fields only."),
        required=False,
        initial=True,
    )


class CustomFieldEditForm(forms.Form):
    """The key is shown read-only; a different key posted anyway is refused by the service."""

    label = CustomFieldCreateForm.base_fields["label"]
    key = forms.CharField(
        label=_("Key"),
        help_text=_("Imports and rules refer to the key, so it never changes."),
        widget=forms.TextInput(attrs={"readonly": True, "class": "mono"}),
    )
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        help_text=_("One choice per line. Leads keep a removed choice until someone edits them."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    required = CustomFieldCreateForm.base_fields["required"]
    filterable = CustomFieldCreateForm.base_fields["filterable"]

    def __init__(self, *args, definition: CustomFieldDefinition, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "label": definition.label,
                "key": definition.key,
                "choices": "\n".join(definition.choices),
                "required": definition.required,
                "filterable": definition.filterable,
            },
        )
        super().__init__(*args, **kwargs)
        if definition.field_type not in (
            CustomFieldDefinition.FieldType.CHOICE,
            CustomFieldDefinition.FieldType.MULTI_CHOICE,
        ):
            del self.fields["choices"]


class SopTemplateForm(forms.Form):
    stage = forms.ModelChoiceField(
        label=_("Stage"),
        queryset=Stage.objects.filter(is_active=True),
        to_field_name="uuid",
        empty_label=None,
    )
    title = forms.CharField(
        label=_("Task"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Call within 24 h")}),
    )
    due_in_hours = forms.IntegerField(
        label=_("Due within (hours)"),
        initial=24,
        widget=forms.NumberInput(attrs={"min": 1, "max": 24 * 90, "class": "input-short"}),
    )
