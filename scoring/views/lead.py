"""The lead page's manual score adjustment: set and clear (the panel itself comes through the
lead page hook, scoring.hooks.lead_panel). Both answer with the lead page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from leads.selectors import lead_get_for_user
from scoring.overrides import OverrideError, score_override_clear, score_override_set


def _lead_for_adjusting(request, uuid):
    """404 for a lead the user may not see, 403 for one they may only read (or merged)."""
    lead = lead_get_for_user(user=request.user, uuid=uuid, write=True)
    if lead.merged_into_id is not None:
        raise PermissionDenied
    return lead


def _back(lead):
    return redirect(reverse("leads-detail", kwargs={"uuid": lead.uuid}))


@login_required
@require_POST
def override_set(request, uuid):
    lead = _lead_for_adjusting(request, uuid)
    try:
        override = score_override_set(
            lead=lead,
            actor=request.user,
            mode=request.POST.get("mode", ""),
            value=request.POST.get("value", ""),
            reason=request.POST.get("reason", ""),
            note=request.POST.get("note", ""),
            days=request.POST.get("days", ""),
        )
    except OverrideError as exc:
        messages.error(request, _("The score was not adjusted: %(why)s") % {"why": exc.message})
    else:
        messages.success(
            request,
            _("The score is now %(score)d (adjusted by hand).") % {"score": override.to_score},
        )
    return _back(lead)


@login_required
@require_POST
def override_clear(request, uuid):
    lead = _lead_for_adjusting(request, uuid)
    if score_override_clear(lead=lead, actor=request.user) is not None:
        messages.success(request, _("The adjustment is cleared: the computed score applies again."))
    return _back(lead)
