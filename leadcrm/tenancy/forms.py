from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from leadcrm.accounts.forms import new_password_clean


class SignupForm(forms.Form):
    name = forms.CharField(label=_("Company name"), max_length=200)
    subdomain = forms.CharField(
        label=_("Subdomain"),
        max_length=40,
        help_text=_("Lower-case letters, digits and hyphens. Your team signs in there."),
        widget=forms.TextInput(attrs={"autocapitalize": "off", "spellcheck": "false"}),
    )
    admin_full_name = forms.CharField(label=_("Your name"), max_length=150)
    admin_email = forms.EmailField(label=_("Work email"))
    admin_password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not only digits, not a common password."),
    )
    default_language = forms.ChoiceField(
        label=_("Workspace language"),
        choices=settings.LANGUAGES,
        required=False,
        help_text=_(
            "Stages, sources and loss reasons start in this language; everyone can still "
            "choose their own language."
        ),
    )

    #: A honeypot: hidden from people (and from screen readers' tab order); a bot filling
    #: every field fills it, and the sign-up is refused.
    website = forms.CharField(
        required=False,
        label=_("Leave this empty"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean_website(self) -> str:
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("Leave this field empty."))
        return ""

    def clean_admin_password(self) -> str:
        return new_password_clean(
            self.cleaned_data["admin_password"],
            email=self.data.get("admin_email", ""),
            full_name=self.data.get("admin_full_name", ""),
        )

    def clean_default_language(self) -> str:
        return self.cleaned_data.get("default_language") or "en"
