"""The public site: landing page and company sign-up."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET, require_http_methods
from django_tenants.utils import tenant_context

from leadcrm.accounts.models import User
from leadcrm.accounts.services import login_handoff_create
from leadcrm.accounts.throttle import client_address
from leadcrm.tenancy.errors import ProvisioningError
from leadcrm.tenancy.forms import SignupForm
from leadcrm.tenancy.models import Tenant
from leadcrm.tenancy.services import signup_allowed, tenant_domain_for, tenant_provision
from leadcrm.tenancy.validators import schema_name_for

# After sign-up the form's POST is answered with a redirect to the new tenant's host, which a
# strict form-action 'self' would block; allow our own subdomains for this view only.
SIGNUP_CSP = {
    **settings.SECURE_CSP,
    "form-action": [CSP.SELF, f"*.{settings.LEADCRM_BASE_DOMAIN}:*"],
}


def landing(request):
    return render(request, "tenancy/landing.html")


@csp_override(SIGNUP_CSP)
@require_http_methods(["GET", "POST"])
def signup(request):
    language = (request.LANGUAGE_CODE or "en").lower()
    form = SignupForm(
        request.POST or None,
        initial={"default_language": language if language in dict(settings.LANGUAGES) else "en"},
    )
    if request.method == "POST" and form.is_valid():
        if not signup_allowed(address=client_address(request)):
            form.add_error(None, _("Too many workspaces were created from your network in the "
                                   "last hour. Try again later."))  # fmt: skip
            return render(request, "tenancy/signup.html", {"form": form}, status=429)
        fields = {k: v for k, v in form.cleaned_data.items() if k != "website"}
        try:
            tenant = tenant_provision(**fields)
        except ProvisioningError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect(_handoff_url(request, tenant, form.cleaned_data["admin_email"]))
    return render(request, "tenancy/signup.html", {"form": form})


@require_GET
def subdomain_check(request):
    """HTMX: say while the visitor types whether a subdomain is valid and free."""
    subdomain = request.GET.get("subdomain", "").strip().lower()
    error, available = None, False
    if subdomain:
        try:
            schema_name_for(subdomain)
        except ProvisioningError as exc:
            error = exc.message
        else:
            available = not Tenant.objects.filter(slug=subdomain).exists()
    context = {"subdomain": subdomain, "error": error, "available": available}
    return render(request, "tenancy/signup.html#subdomain-status", context)


def _handoff_url(request, tenant: Tenant, email: str) -> str:
    with tenant_context(tenant):
        token = login_handoff_create(user=User.objects.get(email=email.strip().lower()))
    _hostname, _sep, port = request.get_host().partition(":")
    host = tenant_domain_for(tenant.slug) + (f":{port}" if port else "")
    path = reverse("accounts-handoff", kwargs={"token": token}, urlconf=settings.ROOT_URLCONF)
    return f"{request.scheme}://{host}{path}"
