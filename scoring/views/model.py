"""Settings → Scoring → Conversion model (tenant admins): its state and honest evaluation,
the versions kept, how the shown score blends rules and model, and "retrain now". Thin views
over scoring.predictive.services and scoring.configuration."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from leadcrm.accounts.permissions import role_required
from leadcrm.accounts.roles import Role
from scoring import configuration
from scoring.configuration import ScoringConfigError
from scoring.models import Blend
from scoring.predictive.labels import FactorLabels
from scoring.predictive.services import model_overview

PAGE = "scoring/model.html"
#: Held-out leads of either outcome below which the page calls the AUC a rough figure.
ROUGH_BELOW = 50


def _context() -> dict:
    overview = model_overview()
    labels = FactorLabels()
    active = overview["active"]
    top = []
    if active is not None:
        top = [
            {"label": labels.label(item["feature"]), "weight": item["weight"]}
            for item in active.top
        ]
    rate = active.base_rate if active is not None and active.base_rate is not None else None
    return {
        **overview,
        "baseline_brier": rate * (1 - rate) if rate is not None else None,
        #: Few held-out leads of one outcome: the AUC moves a lot from one training to the next.
        "rough": active is not None
        and min(active.test_converted, active.test_size - active.test_converted) < ROUGH_BELOW,
        "top": top,
        "blends": Blend.choices,
        "job": configuration.model_job_latest(),
        "tab": "scoring",
    }


@role_required(Role.TENANT_ADMIN)
@require_GET
def model_page(request):
    return render(request, PAGE, _context())


@role_required(Role.TENANT_ADMIN)
@require_POST
def model_retrain(request):
    job = configuration.model_retrain_start(actor=request.user)
    if request.htmx:
        return render(request, "scoring/partials/_model_job.html", {"job": job})
    messages.success(request, _("Training started: the page shows the new version when done."))
    return redirect("scoring-model")


@role_required(Role.TENANT_ADMIN)
@require_POST
def model_blend(request):
    try:
        configuration.blend_save(
            actor=request.user,
            blend=request.POST.get("blend", ""),
            model_weight=request.POST.get("model_weight", "50"),
        )
    except ScoringConfigError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Saved. Open leads are being rescored."))
    return redirect("scoring-model")
