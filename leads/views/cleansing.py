"""Leads -> Cleansing: preview the leads with impossible contact data, then mark them."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from leadcrm.accounts.permissions import role_required
from leadcrm.accounts.roles import Role
from leads import selectors
from leads.dedup.cleansing import KINDS, cleansing_counts, cleansing_queryset
from leads.errors import LeadError
from leads.services import bulk as bulk_services

LABELS = {
    "email": gettext_lazy("Invalid email address"),
    "phone": gettext_lazy("Impossible phone number"),
    "empty": gettext_lazy("No contact data"),
}
PREVIEW = 200


@role_required(Role.TENANT_ADMIN, Role.MANAGER, Role.POOL_ADMIN)
@require_http_methods(["GET", "POST"])
def cleansing(request):
    kind = request.GET.get("kind") or request.POST.get("kind") or "email"
    if kind not in KINDS:
        kind = "email"
    visible = selectors.leads_visible_to(request.user)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            result = bulk_services.lead_bulk_action(
                actor=request.user,
                uuids=request.POST.getlist("lead"),
                action="void" if action == "void" else "status",
                to_status="invalid",
            )
        except LeadError as error:
            messages.error(request, error.message)
        else:
            (messages.success if not result.refused else messages.warning)(
                request, result.summary()
            )
        return redirect(reverse("leads-cleansing") + f"?kind={kind}")
    leads = cleansing_queryset(visible, kind).select_related("owner").order_by("-created_at")
    return render(
        request,
        "leads/cleansing.html",
        {
            "kind": kind,
            "tabs": [(k, LABELS[k], n) for k, n in cleansing_counts(visible).items()],
            "leads": leads[:PREVIEW],
            "preview_limit": PREVIEW,
        },
    )
