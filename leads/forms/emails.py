"""The e-mail forms: writing to a lead, the tenant's mail server, a template. They parse; the
rules live in leads.services.emails and leads.services.email_setup."""

from django import forms
from django.utils.translation import gettext_lazy

from leads.models import EmailSettings, EmailTemplate
from leads.services.email_setup import BODY_MAX, NAME_MAX, SUBJECT_MAX


class EmailComposeForm(forms.Form):
    template = forms.ModelChoiceField(
        label=gettext_lazy("Template"),
        queryset=EmailTemplate.objects.filter(is_active=True),
        to_field_name="uuid",
        required=False,
        widget=forms.HiddenInput,
    )
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=SUBJECT_MAX)
    body = forms.CharField(
        label=gettext_lazy("Message"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 10}),
    )


class EmailSettingsForm(forms.Form):
    host = forms.CharField(
        label=gettext_lazy("SMTP server"),
        max_length=255,
        required=False,
        help_text=gettext_lazy("Empty: e-mails go through the product's own mail settings."),
    )
    port = forms.IntegerField(label=gettext_lazy("Port"), min_value=1, max_value=65535)
    security = forms.ChoiceField(
        label=gettext_lazy("Encryption"), choices=EmailSettings.Security.choices
    )
    username = forms.CharField(label=gettext_lazy("User name"), max_length=255, required=False)
    #: Write-only: never rendered back (render_value=False); empty keeps the saved one.
    password = forms.CharField(
        label=gettext_lazy("Password"),
        max_length=255,
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    forget_password = forms.BooleanField(
        label=gettext_lazy("Remove the saved password"), required=False
    )
    from_email = forms.EmailField(label=gettext_lazy("From address"), required=False)
    from_name = forms.CharField(
        label=gettext_lazy("From name"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("Empty: the name of the person who sends the e-mail."),
    )


class EmailTemplateForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=NAME_MAX)
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=SUBJECT_MAX)
    body = forms.CharField(
        label=gettext_lazy("Message"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 12}),
    )
