"""The web-to-lead form editor's form."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from leadcrm.accounts.models import User
from leads.hooks import destination_choices
from leads.models import Lead, SourceChannel, WebForm
from leads.services.campaign_attach import campaigns_attachable


def webform_field_labels() -> dict[str, str]:
    """The lead fields a web form may show, with their labels in the current language."""
    meta = Lead._meta
    return {
        f: str(meta.get_field(f).verbose_name).capitalize()
        for f in ("name", *WebForm.FIELD_CHOICES)
    }


class WebFormForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    title = forms.CharField(
        label=gettext_lazy("Title shown on the form"), max_length=150, required=False
    )
    fields = forms.MultipleChoiceField(
        label=gettext_lazy("Fields (the name is always asked)"),
        choices=(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    required = forms.MultipleChoiceField(
        label=gettext_lazy("Required"),
        choices=(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    source = forms.ModelChoiceField(
        label=gettext_lazy("Source"),
        queryset=SourceChannel.objects.filter(is_active=True),
        required=False,
    )
    campaign = forms.ModelChoiceField(
        label=gettext_lazy("Campaign"),
        queryset=campaigns_attachable(),
        to_field_name="uuid",
        required=False,
        help_text=gettext_lazy(
            "Every lead of this form joins it. Empty: a utm_campaign naming a campaign does."
        ),
    )
    owner = forms.ModelChoiceField(
        label=gettext_lazy("Owner"),
        queryset=User.objects.filter(is_active=True).order_by("full_name"),
        required=False,
        help_text=gettext_lazy("Empty: the assignment rules route the leads."),
    )
    destination = forms.ChoiceField(
        label=gettext_lazy("Or send them to"),
        choices=(),
        required=False,
        help_text=gettext_lazy("A pool takes the leads as they arrive (when no owner is set)."),
    )
    thank_you = forms.CharField(
        label=gettext_lazy("Thank-you message"), max_length=300, required=False
    )
    redirect_url = forms.URLField(label=gettext_lazy("Or redirect to"), required=False)
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def __init__(self, *args, instance: WebForm | None = None, user=None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {f: getattr(instance, f) for f in self.base_fields}
        super().__init__(*args, **kwargs)
        labels = webform_field_labels()
        choices = [(f, labels[f]) for f in WebForm.FIELD_CHOICES]
        self.fields["fields"].choices = choices
        self.fields["required"].choices = choices
        self.fields["campaign"].queryset = campaigns_attachable(
            instance.campaign_id if instance is not None else None
        )
        destinations = destination_choices(user) if user is not None else []
        current = getattr(instance, "destination", "")
        if current and current not in dict(destinations):
            destinations.append((current, _("(no longer available: the rules route the leads)")))
        self.fields["destination"].choices = [("", "—"), *destinations]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("owner") and cleaned.get("destination"):
            raise forms.ValidationError(_("Choose an owner or a pool, not both."))
        return cleaned
