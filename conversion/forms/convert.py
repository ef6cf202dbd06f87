"""The convert wizard's form: what to create or link."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from leadcrm.parsing import uuid_or_none


class ConvertForm(forms.Form):
    #: "new", or the uuid of the customer to link.
    customer = forms.CharField(max_length=40)
    customer_name = forms.CharField(label=_("Customer name"), max_length=200, required=False)
    #: "new", "none", or the uuid of the customer's contact to link.
    contact = forms.CharField(max_length=40, required=False)
    contact_name = forms.CharField(
        label=pgettext_lazy("person", "Name"), max_length=150, required=False
    )
    contact_job_title = forms.CharField(label=_("Job title"), max_length=120, required=False)
    contact_email = forms.EmailField(label=_("Email"), max_length=254, required=False)
    contact_mobile = forms.CharField(label=_("Mobile"), max_length=40, required=False)
    contact_phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    opportunity = forms.BooleanField(label=_("Create an opportunity"), required=False)
    opportunity_name = forms.CharField(label=_("Opportunity name"), max_length=200, required=False)
    amount = forms.CharField(label=_("Amount"), max_length=30, required=False)
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False)
    expected_close_date = forms.DateField(
        label=_("Expected close date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "min": "2000-01-01", "max": "2100-12-31"}),
    )
    stage = forms.CharField(label=_("Stage"), max_length=40, required=False)

    def clean_customer(self):
        value = self.cleaned_data["customer"].strip()
        if value != "new" and uuid_or_none(value) is None:
            raise forms.ValidationError(_("Choose a customer or create a new one."))
        return value

    def clean_contact(self):
        value = (self.cleaned_data.get("contact") or "new").strip()
        if value not in ("new", "none") and uuid_or_none(value) is None:
            return "new"
        return value

    def clean_expected_close_date(self):
        value = self.cleaned_data.get("expected_close_date")
        if value is not None and not 2000 <= value.year <= 2100:
            raise forms.ValidationError(_("Enter a close date between the years 2000 and 2100."))
        return value
