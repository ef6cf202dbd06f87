from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from leadcrm.accounts import throttle
from leadcrm.accounts.errors import AccountsError
from leadcrm.accounts.hooks import Handover
from leadcrm.accounts.models import Team, User
from leadcrm.accounts.roles import Role
from leadcrm.accounts.services import password_check


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    #: Set when sign-in is refused because of too many failures (the view answers 429).
    locked = False

    def clean(self):
        """Too many failed sign-ins of this account or from this address lock sign-in for a
        while (leadcrm.accounts.throttle); the password is not even checked meanwhile."""
        username = self.cleaned_data.get("username") or ""
        address = throttle.client_address(self.request) if self.request else "unknown"
        wait = throttle.signin_locked_for(username=username, address=address)
        if wait:
            self.locked = True
            minutes = max(1, (wait + 59) // 60)
            raise forms.ValidationError(
                ngettext(
                    "Too many failed sign-ins. Try again in %(minutes)d minute, or reset your "
                    "password with the link below.",
                    "Too many failed sign-ins. Try again in %(minutes)d minutes, or reset your "
                    "password with the link below.",
                    minutes,
                )
                % {"minutes": minutes},
                code="locked",
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            throttle.signin_failed(username=username, address=address)
            raise
        throttle.signin_succeeded(username=username)
        return cleaned


class _UserFieldsForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("No team")
    )
    reports_to = forms.ModelChoiceField(
        label=_("Reports to"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody (top of the hierarchy)"),
        help_text=_("Left empty, the team's manager is used."),
    )
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)

    def __init__(self, *args, exclude_user: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.order_by("name")
        managers = User.objects.filter(is_active=True).order_by("full_name")
        if exclude_user is not None:
            managers = managers.exclude(pk=exclude_user.pk)
        self.fields["reports_to"].queryset = managers


class UserCreateForm(_UserFieldsForm):
    field_order = ["email", "full_name", "roles", "team", "reports_to", "phone", "language"]
    email = forms.EmailField(label=_("Email"))
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("", _("Browser default")), *settings.LANGUAGES],
        required=False,
    )
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        required=False,
        help_text=_("Leave empty to email an invitation with a link to choose one."),
    )

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if password:
            new_password_clean(
                password, email=self.data.get("email", ""), full_name=self.data.get("full_name", "")
            )
        return password


def new_password_clean(password: str, *, email: str, full_name: str) -> str:
    """For a form's ``clean_<password>``: the password rules (accounts.services.password_check)
    as a field error, so a weak password shows together with the other fields' problems, not
    only once the rest is valid. The service that saves checks again: it is the authority."""
    try:
        password_check(password=password, email=email, full_name=full_name)
    except AccountsError as exc:
        raise forms.ValidationError(exc.message) from exc
    return password


class UserEditForm(_UserFieldsForm):
    is_active = forms.BooleanField(label=_("Active (can sign in)"), required=False)
    is_away = forms.BooleanField(
        label=_("Away (gets no new leads from assignment rules)"), required=False
    )
    handover = forms.ChoiceField(
        choices=Handover.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Applies when you untick Active and save."),
    )
    handover_to = forms.ModelChoiceField(
        label=_("Reassign them to"),
        queryset=User.objects.none(),
        to_field_name="uuid",
        required=False,
        empty_label="—",
    )

    def __init__(self, *args, exclude_user: User, held: int = 0, **kwargs):
        """``held``: how many open leads ``exclude_user`` (the person edited) holds; the form
        asks what happens to them only when there are some."""
        super().__init__(*args, exclude_user=exclude_user, **kwargs)
        self.subject = exclude_user
        if not held:
            del self.fields["handover"], self.fields["handover_to"]
            return
        self.fields["handover"].label = ngettext(
            "Their %(count)d open lead, once deactivated",
            "Their %(count)d open leads, once deactivated",
            held,
        ) % {"count": held}
        self.fields["handover_to"].queryset = (
            User.objects.filter(is_active=True).exclude(pk=exclude_user.pk).order_by("full_name")
        )

    def clean(self):
        """Deactivating someone who holds open leads needs an answer for them (a person already
        inactive keeps theirs unless one is given); the service checks the rest again."""
        data = super().clean()
        if "handover" not in self.fields:
            return data
        choice = data.get("handover") or ""
        deactivating = self.subject.is_active and not data.get("is_active")
        if deactivating and not choice:
            self.add_error("handover", _("Choose what happens to their open leads."))
        elif (
            choice == Handover.REASSIGN
            and not data.get("is_active")
            and data.get("handover_to") is None
        ):
            self.add_error("handover_to", _("Choose who gets their open leads."))
        data["handover"] = choice or Handover.LEAVE
        return data


class ProfileEmailForm(forms.Form):
    """The e-mails a person chooses to get, on their own profile page."""

    weekly_digest = forms.BooleanField(
        label=_("Weekly report e-mail"),
        required=False,
        help_text=_(
            "Managers and tenant admins: every Monday morning, last week's key figures of the "
            "leads you oversee, against the week before."
        ),
    )


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=Team.Kind.choices)
    parent = forms.ModelChoiceField(
        label=_("Part of"), queryset=Team.objects.none(), required=False, empty_label=_("Nothing")
    )
    manager = forms.ModelChoiceField(
        label=_("Manager"), queryset=User.objects.none(), required=False, empty_label=_("None")
    )

    def __init__(self, *args, team: Team | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        parents = Team.objects.order_by("name")
        if team is not None:
            parents = parents.exclude(pk=team.pk)
        self.fields["parent"].queryset = parents
        self.fields["manager"].queryset = User.objects.filter(is_active=True).order_by("full_name")
