"""The first run's pages speak HTTP only: the home page shows the checklist and the sample
data (onboarding.selectors through leadcrm.home); these views change them."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from leadcrm.accounts.permissions import role_required
from leadcrm.accounts.roles import Role
from onboarding import services
from onboarding.errors import OnboardingError
from onboarding.selectors import sample_data_state

ADMIN = Role.TENANT_ADMIN


def _sample_region(request):
    """The home page's sample data region, for HTMX (it polls itself while a load runs). When
    the load it was polling for has ended, the whole page reloads: the figures and the
    checklist change with the sample."""
    sample = sample_data_state()
    response = render(request, "home.html#sample-data", {"onboarding": {"sample": sample}})
    if request.GET.get("after") == "load" and sample.loading is None:
        response["HX-Refresh"] = "true"
    return response


@role_required(ADMIN)
@require_POST
def checklist_hide(request):
    services.checklist_hide(user=request.user)
    return redirect("home")


@role_required(ADMIN)
@require_POST
def checklist_show(request):
    services.checklist_show(user=request.user)
    return redirect("home")


@role_required(ADMIN)
@require_POST
def sample_load(request):
    job = services.sample_data_load_request(actor=request.user)
    if request.htmx:
        return _sample_region(request)
    if job is None:
        messages.info(request, _("The sample data is already loaded."))
    else:
        messages.success(request, _("Loading the sample data: it takes a few seconds."))
    return redirect("home")


@role_required(ADMIN)
@require_GET
def sample_status(request):
    return _sample_region(request)


@role_required(ADMIN)
@require_POST
def sample_remove(request):
    try:
        removed = services.sample_data_remove(actor=request.user)
    except OnboardingError as error:
        messages.error(request, error.message)
        return redirect("home")
    if not removed.leads and not removed.pools and not removed.rules:
        messages.info(request, _("There is no sample data to remove."))
        return redirect("home")
    messages.success(
        request,
        ngettext(
            "Sample data removed: %(count)d lead with its activities and history.",
            "Sample data removed: %(count)d leads with their activities and history.",
            removed.leads,
        )
        % {"count": removed.leads},
    )
    if removed.kept_pools:
        messages.info(
            request,
            _("Kept the pool %(pools)s: your own leads or rules use it.")
            % {"pools": ", ".join(removed.kept_pools)},
        )
    return redirect("home")
