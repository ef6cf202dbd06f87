"""Forms of the customer and contact pages: they parse input; the rules (duplicates, who may
own, dates) live in conversion.services.customers."""

from django import forms
from django.utils.translation import gettext_lazy as _

from conversion.forms.custom import CustomFieldsMixin
from conversion.models import Contact, Customer, CustomerActivity
from conversion.services.customers import CONTACT_FIELDS, CUSTOMER_FIELDS
from leadcrm.accounts.models import User
from leadcrm.formfields import BoundedDateTimeField
from leads.selectors import owners_assignable_by


class CustomerForm(CustomFieldsMixin, forms.ModelForm):
    custom_record = "customer"
    owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=User.objects.none(), to_field_name="uuid"
    )

    class Meta:
        model = Customer
        fields = CUSTOMER_FIELDS
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"country": _("Two letters, e.g. CN.")}

    def __init__(self, *args, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        owners = owners_assignable_by(actor)
        current = self.instance.owner_id if self.instance.pk else None
        if current is not None:
            # The current owner stays choosable, so saving other fields never moves it.
            owners = (owners | User.objects.filter(pk=current)).distinct().order_by("full_name")
        self.fields["owner"].queryset = owners
        self.fields["owner"].initial = self.instance.owner if current else actor
        self.custom_fields_add(self.instance.custom_data if self.instance.pk else None)

    def customer_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in (*CUSTOMER_FIELDS, "owner")}


class ContactForm(CustomFieldsMixin, forms.ModelForm):
    custom_record = "contact"

    class Meta:
        model = Contact
        fields = CONTACT_FIELDS
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.custom_fields_add(self.instance.custom_data if self.instance.pk else None)

    def contact_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in CONTACT_FIELDS}


class CustomerActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=CustomerActivity.Kind.choices)
    at = BoundedDateTimeField(label=_("When"), required=False, help_text=_("Empty: now."))
    contact = forms.ModelChoiceField(
        label=_("Contact person"),
        queryset=Contact.objects.none(),
        to_field_name="uuid",
        required=False,
        empty_label="—",
    )
    body = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, customer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = customer.contacts.order_by("name")
