"""Sign-in, sign-out, password reset, language, and the tenant admin's users and teams pages."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from leadcrm.accounts import hooks, selectors, services, throttle
from leadcrm.accounts.errors import AccountsError
from leadcrm.accounts.forms import (
    LoginForm,
    ProfileEmailForm,
    TeamForm,
    UserCreateForm,
    UserEditForm,
)
from leadcrm.accounts.hooks import Handover
from leadcrm.accounts.middleware import session_bind_to_tenant
from leadcrm.accounts.models import ApiKey, Team, User
from leadcrm.accounts.permissions import role_required
from leadcrm.accounts.roles import Role
from leadcrm.origin import tenant_origin
from leadcrm.redirects import next_or


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        session_bind_to_tenant(self.request)
        return response

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.locked:
            response.status_code = 429
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts-password-reset-done")

    def form_valid(self, form):
        # The link is built on the tenant's configured origin, never on the request's Host
        # header (a forged Host or port would otherwise travel in the e-mail).
        self.extra_email_context = {"origin": tenant_origin()}
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts-password-reset-complete")

    def form_valid(self, form):
        # Whoever resets the password through the e-mailed link owns the account: a sign-in
        # lock (too many failures) is lifted.
        throttle.signin_unlock(username=form.user.email)
        return super().form_valid(form)


def handoff(request, token: str):
    """Land a freshly signed-up admin on their tenant, signed in (see login_handoff_create)."""
    try:
        user = services.login_handoff_consume(token=token)
    except AccountsError as exc:
        messages.error(request, exc.message)
        return redirect("accounts-login")
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    session_bind_to_tenant(request)
    messages.success(request, _("Welcome to LeadCRM! Your workspace is ready."))
    return redirect("home")


@require_POST
def language_set(request):
    """Switch the interface language: stored on the user, and in a cookie for the login page."""
    language = request.POST.get("language", "")
    response = redirect(next_or(request, reverse("home")))
    if language not in dict(settings.LANGUAGES):
        messages.error(request, _("Unknown language."))
        return response
    if request.user.is_authenticated:
        services.user_set_language(user=request.user, language=language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax", max_age=365 * 24 * 3600
    )
    return response


def _apply_error(form, exc: AccountsError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@role_required(Role.TENANT_ADMIN)
def user_list(request):
    query = request.GET.get("q", "").strip()
    users = selectors.user_list()
    if query:
        users = users.filter(full_name__icontains=query) | users.filter(email__icontains=query)
    context = {"users": users, "query": query, "roles": Role}
    if request.htmx:
        return render(request, "accounts/user_list.html#user-table", context)
    return render(request, "accounts/user_list.html", context)


@role_required(Role.TENANT_ADMIN)
@require_http_methods(["GET", "POST"])
def user_create(request):
    form = UserCreateForm(request.POST or None, initial={"roles": [Role.SALES_REP]})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                email=data["email"],
                full_name=data["full_name"],
                roles=data["roles"],
                password=data["password"] or None,
                team=data["team"],
                reports_to=data["reports_to"],
                phone=data["phone"],
                language=data["language"],
            )
        except AccountsError as exc:
            _apply_error(form, exc)
        else:
            if not data["password"]:
                services.user_invite(user=user, invited_by=request.user)
                messages.success(
                    request, _("Invitation sent to %(email)s.") % {"email": user.email}
                )
            else:
                messages.success(request, _("%(name)s can now sign in.") % {"name": user})
            return redirect("accounts-user-list")
    return render(request, "accounts/user_form.html", {"form": form, "creating": True})


@role_required(Role.TENANT_ADMIN)
@require_http_methods(["GET", "POST"])
def user_edit(request, uuid):
    user = _get_or_404(User, uuid)
    initial = {
        "full_name": user.full_name,
        "roles": user.roles,
        "team": user.team,
        "reports_to": user.reports_to,
        "phone": user.phone,
        "is_active": user.is_active,
        "is_away": user.is_away,
    }
    held = hooks.user_held_count(user)
    form = UserEditForm(request.POST or None, initial=initial, exclude_user=user, held=held)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.user_update(user=user, actor=request.user, **form.cleaned_data)
        except AccountsError as exc:
            _apply_error(form, exc)
        else:
            handover = form.cleaned_data.get("handover", Handover.LEAVE)
            if not saved.is_active and handover != Handover.LEAVE:
                messages.success(
                    request, _("Saved. Their open leads are being handed over in the background.")
                )
            else:
                messages.success(request, _("Saved."))
            return redirect("accounts-user-list")
    history = user.history.select_related("history_user")[:20]
    context = {"form": form, "subject": user, "history": history, "creating": False}
    return render(request, "accounts/user_form.html", context)


@role_required(Role.TENANT_ADMIN)
@require_POST
def user_invite_resend(request, uuid):
    user = _get_or_404(User, uuid)
    services.user_invite(user=user, invited_by=request.user)
    messages.success(request, _("Invitation sent to %(email)s.") % {"email": user.email})
    return redirect("accounts-user-edit", uuid=user.uuid)


@role_required(Role.TENANT_ADMIN)
def team_list(request):
    return render(request, "accounts/team_list.html", {"teams": selectors.team_list()})


@role_required(Role.TENANT_ADMIN)
@require_http_methods(["GET", "POST"])
def team_create(request):
    form = TeamForm(request.POST or None, initial={"kind": Team.Kind.TEAM})
    if request.method == "POST" and form.is_valid():
        try:
            services.team_create(**form.cleaned_data)
        except AccountsError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("Team created."))
            return redirect("accounts-team-list")
    return render(request, "accounts/team_form.html", {"form": form, "creating": True})


@role_required(Role.TENANT_ADMIN)
@require_http_methods(["GET", "POST"])
def team_edit(request, uuid):
    team = _get_or_404(Team, uuid)
    initial = {"name": team.name, "kind": team.kind, "parent": team.parent, "manager": team.manager}
    form = TeamForm(request.POST or None, initial=initial, team=team)
    if request.method == "POST" and form.is_valid():
        try:
            services.team_update(team=team, **form.cleaned_data)
        except AccountsError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("accounts-team-list")
    members = team.members.order_by("full_name")
    context = {"form": form, "team": team, "members": members, "creating": False}
    return render(request, "accounts/team_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    """The signed-in person's own page; they choose here which e-mails they get."""
    initial = {"weekly_digest": request.user.weekly_digest}
    # Not ``request.POST or None``: an unticked box posts nothing, and that is a valid form.
    form = ProfileEmailForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.user_set_weekly_digest(
            user=request.user, weekly_digest=form.cleaned_data["weekly_digest"]
        )
        messages.success(request, _("Saved."))
        return redirect("accounts-profile")
    return render(request, "accounts/profile.html", {"subject": request.user, "form": form})


def _get_or_404(model, uuid):
    try:
        return model.objects.get(uuid=uuid)
    except model.DoesNotExist as exc:
        raise Http404 from exc


@role_required(Role.TENANT_ADMIN)
@require_http_methods(["GET", "POST"])
def api_key_list(request):
    """Settings → API keys: create (the key is shown once) and revoke."""
    new_key = None
    if request.method == "POST":
        if request.POST.get("revoke"):
            api_key = get_object_or_404(ApiKey, uuid=request.POST["revoke"])
            services.api_key_revoke(actor=request.user, api_key=api_key)
            messages.success(request, _("Key revoked: requests with it are refused now."))
            return redirect("accounts-api-keys")
        try:
            _api_key, new_key = services.api_key_create(
                actor=request.user, name=request.POST.get("name", "")
            )
        except AccountsError as error:
            messages.error(request, error.message)
    keys = ApiKey.objects.select_related("created_by")
    return render(
        request,
        "accounts/api_keys.html",
        {
            "keys": keys,
            "new_key": new_key,
            "tab": "api",
            "openapi_url": request.build_absolute_uri("/api/v1/openapi.json"),
        },
    )
