from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from leadcrm.accounts.models import User
from leadcrm.accounts.roles import Role
from leadcrm.formfields import BoundedDateField, BoundedDateTimeField
from leadcrm.parsing import uuid_or_none
from leads.fields import EDITABLE_FIELDS, custom_fields_active
from leads.hooks import destination_choices
from leads.models import Activity, Campaign, Lead, LossReason, SourceChannel, Stage
from leads.selectors import owners_assignable_by
from leads.services.campaign_attach import campaigns_attachable

#: Fields whose input triggers the live duplicate check.
DUPLICATE_WATCHED = ("name", "company", "email", "phone", "mobile", "address", "city", "postcode")
#: The lead form shows every editable field; tags and custom fields get their own widgets.
LEAD_FORM_FIELDS = [f for f in EDITABLE_FIELDS if f not in ("tags", "custom_data")]


class LeadForm(forms.ModelForm):
    """Parses the lead form; the rules live in leads.services."""

    tags = forms.CharField(
        label=_("Tags"), required=False, help_text=_("Separate tags with commas.")
    )

    class Meta:
        model = Lead
        fields = LEAD_FORM_FIELDS
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = SourceChannel.objects.filter(is_active=True)
        self.fields["campaign"] = forms.ModelChoiceField(
            label=_("Campaign"),
            queryset=campaigns_attachable(self.instance.campaign_id if self.instance else None),
            to_field_name="uuid",
            required=False,
        )
        if self.instance and self.instance.pk:
            self.initial["tags"] = ", ".join(self.instance.tags)
            if self.instance.campaign_id and "campaign" not in kwargs.get("initial", {}):
                self.initial["campaign"] = self.instance.campaign.uuid
        self.custom_definitions = custom_fields_active()
        for definition in self.custom_definitions:
            name = f"cf_{definition.key}"
            self.fields[name] = custom_form_field(definition)
            if self.instance and self.instance.pk and definition.key in self.instance.custom_data:
                self.initial[name] = self.instance.custom_data[definition.key]
        # The live duplicate check: typing in these fields asks the server (debounced).
        check = reverse_lazy("leads-duplicates")
        for name in DUPLICATE_WATCHED:
            self.fields[name].widget.attrs.update(
                {
                    "hx-post": check,
                    "hx-trigger": "input changed delay:400ms, change",
                    "hx-target": "#duplicate-panel",
                    "hx-include": "closest form",
                    "hx-sync": "closest form:replace",
                    "autocomplete": "off",
                }
            )

    @property
    def custom_field_names(self) -> list[str]:
        return [f"cf_{d.key}" for d in self.custom_definitions]

    def lead_data(self) -> dict:
        data = {f: self.cleaned_data[f] for f in LEAD_FORM_FIELDS}
        data["tags"] = self.cleaned_data["tags"]
        data["custom_data"] = {
            d.key: self.cleaned_data.get(f"cf_{d.key}") for d in self.custom_definitions
        }
        return data


#: The new-lead form's "Assign to" values besides "user:<uuid>" and destinations ("pool:<uuid>").
ASSIGN_ME, ASSIGN_RULES = "me", "rules"


def assign_to_default(user: User) -> str:
    """Reps keep the leads they create; those who hand leads out (tenant admins, managers,
    pool admins) leave them to the assignment rules unless they choose otherwise."""
    if user.has_role(Role.TENANT_ADMIN, Role.MANAGER, Role.POOL_ADMIN):
        return ASSIGN_RULES
    return ASSIGN_ME


class LeadCreateForm(LeadForm):
    """The new-lead form: the lead form plus who gets the lead. It offers the user's own
    choices (the people they may assign to, the pools they may send to); lead_create checks
    them again."""

    assign_to = forms.ChoiceField(
        label=_("Assign to"),
        required=False,  # not sent: the user's default
        help_text=_("Left to the assignment rules, the lead goes to whom or where they say."),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        people = [
            (f"user:{person.uuid}", person.full_name)
            for person in owners_assignable_by(user).exclude(pk=user.pk)
        ]
        choices = [(ASSIGN_ME, _("Me")), (ASSIGN_RULES, _("The assignment rules decide"))]
        if people:
            choices.append((_("Someone else"), people))
        if pools := destination_choices(user):
            choices.append((_("Into a pool"), pools))
        self.fields["assign_to"].choices = choices
        if not self.initial.get("assign_to"):
            self.initial["assign_to"] = assign_to_default(user)

    def recipient(self) -> dict:
        """``owner`` and ``destination`` for lead_create, from the chosen "Assign to"."""
        choice = self.cleaned_data.get("assign_to") or assign_to_default(self.user)
        if choice == ASSIGN_ME:
            return {"owner": self.user, "destination": ""}
        if choice.startswith("user:"):
            owner = User.objects.filter(uuid=uuid_or_none(choice[5:])).first()
            return {"owner": owner, "destination": ""}
        if choice == ASSIGN_RULES:
            return {"owner": None, "destination": ""}
        return {"owner": None, "destination": choice}


def campaign_initial(value) -> Campaign | None:
    """The campaign a ``?campaign=<uuid>`` link names, if a lead may be attached to it
    (a malformed, unknown or cancelled one is ignored)."""
    found = uuid_or_none(value)
    return campaigns_attachable().filter(uuid=found).first() if found else None


def custom_form_field(definition) -> forms.Field:
    """A form field for a custom field; the service validates the value again."""
    T = definition.field_type
    common = {"label": definition.label, "required": definition.required}
    choices = [(c, c) for c in definition.choices]
    if T == "number":
        return forms.DecimalField(**common)
    if T == "date":
        return BoundedDateField(**common)
    if T == "boolean":
        return forms.NullBooleanField(**{**common, "required": False})
    if T == "choice":
        return forms.ChoiceField(choices=[("", "—"), *choices], **common)
    if T == "multi_choice":
        return forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, **common
        )
    return forms.CharField(max_length=1000, **common)


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=Activity.Kind.choices)
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", "—"), *Activity.CallOutcome.choices], required=False
    )
    duration_minutes = forms.IntegerField(
        label=_("Minutes"), min_value=0, max_value=24 * 60, required=False
    )
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    body = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    next_follow_up_at = BoundedDateTimeField(label=_("Next follow-up"), required=False)
    recording = forms.FileField(
        label=_("Call recording"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "audio/*"}),
    )


class StatusForm(forms.Form):
    status = forms.CharField()
    loss_reason = forms.ModelChoiceField(
        label=_("Reason"), queryset=LossReason.objects.filter(is_active=True), required=False
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class StageForm(forms.Form):
    stage = forms.ModelChoiceField(
        queryset=Stage.objects.filter(is_active=True), to_field_name="uuid"
    )


class AssignForm(forms.Form):
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=User.objects.filter(is_active=True),
        to_field_name="uuid",
        required=False,
        empty_label=_("Nobody (unassigned)"),
    )
