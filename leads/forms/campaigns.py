"""The campaign editor's form: it reads the input; the rules are leads.services.campaigns'."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy

from leadcrm.accounts.models import User
from leads.models import Campaign, CampaignKind, CampaignStatus, SourceChannel

#: The fields of a campaign a person edits, in the form's order (all of campaign_save's).
FIELDS = (
    "name",
    "kind",
    "status",
    "source",
    "start_date",
    "end_date",
    "budget",
    "actual_cost",
    "owner",
    "description",
)


class CampaignForm(forms.Form):
    # Lengths, the name's emptiness after trimming and amounts are checked by campaign_save,
    # so a caller that is not this form meets the same rules and the same messages.
    name = forms.CharField(label=gettext_lazy("Name"), strip=False, required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Type"), choices=CampaignKind.choices)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=CampaignStatus.choices,
        initial=CampaignStatus.ACTIVE,
        help_text=gettext_lazy("Completed or Cancelled archives it; its leads keep it."),
    )
    source = forms.ModelChoiceField(
        label=gettext_lazy("Source"),
        queryset=SourceChannel.objects.none(),
        required=False,
        help_text=gettext_lazy("The channel its leads come through."),
    )
    start_date = forms.DateField(
        label=gettext_lazy("Start date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end_date = forms.DateField(
        label=gettext_lazy("End date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    budget = forms.DecimalField(label=gettext_lazy("Budget"), decimal_places=2, required=False)
    actual_cost = forms.DecimalField(
        label=gettext_lazy("Actual cost"), decimal_places=2, required=False
    )
    owner = forms.ModelChoiceField(
        label=gettext_lazy("Owner"), queryset=User.objects.none(), required=False
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        widget=forms.Textarea(attrs={"rows": 4}),
        strip=False,
        required=False,
    )

    def __init__(self, *args, instance: Campaign | None = None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {f: getattr(instance, f) for f in FIELDS}
        super().__init__(*args, **kwargs)
        # Inactive choices stay offered when the campaign already has them.
        source_id = getattr(instance, "source_id", None)
        owner_id = getattr(instance, "owner_id", None)
        self.fields["source"].queryset = SourceChannel.objects.filter(
            Q(is_active=True) | Q(pk=source_id)
        )
        self.fields["owner"].queryset = User.objects.filter(
            Q(is_active=True) | Q(pk=owner_id)
        ).order_by("full_name")
