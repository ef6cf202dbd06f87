"""Parsing the opportunity pages' input: the list and board filters (from the query string;
a bad value is dropped, never a 500) and the create/edit form. The rules live in
conversion.services.records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django import forms
from django.db.models import F, Q, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from conversion.forms.custom import CustomFieldsMixin
from conversion.models import Contact, Opportunity, OpportunityStage
from leadcrm.accounts.models import User
from leadcrm.parsing import uuid_or_none
from leads.models import LossReason

SORTS = [
    ("newest", _("Newest")),
    ("close", _("Close date")),
    ("amount", _("Amount")),
]

STATES = [
    ("open", _("In progress")),
    ("won", _("Won")),
    ("lost", _("Lost")),
]

_ORDER = {
    "newest": [F("created_at").desc(), F("pk").desc()],
    # The soonest close first; opportunities without a date at the end.
    "close": [F("expected_close_date").asc(nulls_last=True), F("created_at").desc()],
    "amount": [F("amount").desc(), F("created_at").desc()],
}


def _date(raw) -> date | None:
    try:
        value = date.fromisoformat(str(raw or "").strip())
    except ValueError:
        return None
    return value if 2000 <= value.year <= 2100 else None


@dataclass(frozen=True)
class OpportunityFilters:
    """The filters of the opportunity list and board, from the URL (?q=&owner=&stage=...)."""

    q: str = ""
    owner: str = ""  # "me" or a user's uuid
    stage: str = ""  # a stage's uuid
    state: str = ""  # open / won / lost
    close_from: date | None = None
    close_to: date | None = None
    sort: str = "newest"

    @classmethod
    def from_query(cls, query: QueryDict) -> OpportunityFilters:
        owner = query.get("owner", "")
        stage = query.get("stage", "")
        state = query.get("state", "")
        sort = query.get("sort", "")
        return cls(
            q=query.get("q", "").strip()[:100],
            owner=owner if owner == "me" or uuid_or_none(owner) else "",
            stage=stage if uuid_or_none(stage) else "",
            state=state if state in dict(STATES) else "",
            close_from=_date(query.get("close_from")),
            close_to=_date(query.get("close_to")),
            sort=sort if sort in _ORDER else "newest",
        )

    def apply(self, opportunities: QuerySet[Opportunity], *, user: User) -> QuerySet:
        """``opportunities`` (already scoped to what ``user`` may see) narrowed and sorted."""
        if self.q:
            opportunities = opportunities.filter(
                Q(name__icontains=self.q) | Q(customer__name__icontains=self.q)
            )
        if self.owner == "me":
            opportunities = opportunities.filter(owner=user)
        elif self.owner:
            opportunities = opportunities.filter(owner__uuid=self.owner)
        if self.stage:
            opportunities = opportunities.filter(stage__uuid=self.stage)
        if self.state:
            opportunities = opportunities.filter(stage__outcome=self.state)
        if self.close_from:
            opportunities = opportunities.filter(expected_close_date__gte=self.close_from)
        if self.close_to:
            opportunities = opportunities.filter(expected_close_date__lte=self.close_to)
        return opportunities.order_by(*_ORDER[self.sort])

    @property
    def active_count(self) -> int:
        return sum(
            bool(v) for v in (self.owner, self.stage, self.state, self.close_from, self.close_to)
        )


class _ByUuid(forms.ModelChoiceField):
    """A choice of rows posted by uuid (never the sequential id)."""

    def __init__(self, queryset, **kwargs):
        super().__init__(queryset, to_field_name="uuid", **kwargs)


class OpportunityForm(CustomFieldsMixin, forms.Form):
    """The create and edit form; amounts, dates and probability stay text so the service's
    messages (not the form's) explain what is wrong."""

    name = forms.CharField(label=_("Name"), max_length=200)
    amount = forms.CharField(label=_("Amount"), required=False, max_length=30)
    currency = forms.CharField(label=_("Currency"), required=False, max_length=3)
    expected_close_date = forms.CharField(
        label=_("Expected close date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "min": "2000-01-01", "max": "2100-12-31"}),
    )
    stage = _ByUuid(OpportunityStage.objects.none(), label=_("Stage"), empty_label=None)
    probability = forms.CharField(
        label=_("Probability (%)"),
        required=False,
        max_length=4,
        help_text=_("Leave empty to use the stage's probability."),
    )
    loss_reason = _ByUuid(
        LossReason.objects.none(),
        label=_("Loss reason (required for a lost stage)"),
        required=False,
        empty_label="—",
    )
    contact = _ByUuid(
        Contact.objects.none(),
        label=_("Contact person"),
        required=False,
        empty_label=_("No contact person"),
    )
    owner = _ByUuid(User.objects.none(), label=_("Owner"), empty_label=None)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    custom_record = "opportunity"

    #: Service error fields that this form calls by another name.
    FIELD_NAMES = {"opportunity_name": "name"}

    def __init__(self, *args, stages, contacts, owners, custom_data=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.custom_fields_add(custom_data)
        self.fields["stage"].queryset = stages
        self.fields["contact"].queryset = contacts
        self.fields["owner"].queryset = owners
        self.fields["loss_reason"].queryset = LossReason.objects.filter(is_active=True)
        self.fields["amount"].widget.attrs["inputmode"] = "decimal"
        self.fields["probability"].widget.attrs["inputmode"] = "numeric"

    def opportunity_data(self) -> dict:
        """The opportunity's own values (the custom ones: ``custom_values()``)."""
        names = set(self.custom_field_names)
        return {k: v for k, v in self.cleaned_data.items() if k not in names}

    def add_service_error(self, exc) -> None:
        field = self.FIELD_NAMES.get(exc.field, exc.field)
        self.add_error(field if field in self.fields else None, exc.message)

    @staticmethod
    def initial_for(opportunity: Opportunity) -> dict:
        stage_default = opportunity.probability == opportunity.stage.probability
        return {
            "name": opportunity.name,
            "amount": opportunity.amount,
            "currency": opportunity.currency,
            "expected_close_date": opportunity.expected_close_date.isoformat()
            if opportunity.expected_close_date
            else "",
            "stage": opportunity.stage.uuid,
            "probability": "" if stage_default else opportunity.probability,
            "loss_reason": opportunity.loss_reason.uuid if opportunity.loss_reason else None,
            "contact": opportunity.contact.uuid if opportunity.contact else None,
            "owner": opportunity.owner.uuid if opportunity.owner else None,
            "notes": opportunity.notes,
        }
