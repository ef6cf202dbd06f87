"""The tenant admin's conversion settings (Settings → Conversion): the rules of a conversion,
the opportunity pipeline and the field mapping.

Thin views over conversion.services.settings. Pipeline changes answer HTMX with the refreshed
pipeline and plain forms with a redirect, so the pages work without JavaScript.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from conversion.errors import ConversionError
from conversion.forms.settings import (
    OUTCOME_LABELS,
    ConversionSettingsForm,
    mapping_from_post,
    mapping_tables,
)
from conversion.models import ConversionSettings, OpportunityStage
from conversion.services import settings as services
from leadcrm.accounts.permissions import role_required
from leadcrm.accounts.roles import Role


@role_required(Role.TENANT_ADMIN)
@require_http_methods(["GET", "POST"])
def conversion_settings(request):
    row = ConversionSettings.load()
    form = ConversionSettingsForm(
        request.POST or None, initial=ConversionSettingsForm.initial_from(row)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.conversion_settings_save(actor=request.user, **form.cleaned_data)
        except ConversionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("conversion-settings")
    active, _inactive = services.pipeline_for_settings()
    context = {
        "form": form,
        "stages": active,
        "mapping_changes": services.mapping_change_count(row.field_mapping),
        "tab": "settings",
    }
    return render(request, "conversion/settings.html", context)


# The pipeline


@role_required(Role.TENANT_ADMIN)
def pipeline(request):
    active, inactive = services.pipeline_for_settings()
    for stage in (*active, *inactive):
        stage.outcome_label = OUTCOME_LABELS[stage.outcome]
    context = {
        "stages": active,
        "inactive": inactive,
        "outcomes": list(OUTCOME_LABELS.items()),
        "tab": "pipeline",
    }
    if request.htmx:
        return render(request, "conversion/settings_pipeline.html#pipeline", context)
    return render(request, "conversion/settings_pipeline.html", context)


def _pipeline_done(request):
    if request.htmx:
        return pipeline(request)
    return redirect("conversion-settings-pipeline")


def _stage(uuid) -> OpportunityStage:
    stage = OpportunityStage.objects.filter(uuid=uuid).first()
    if stage is None:
        raise Http404
    return stage


def _stage_values(request) -> dict:
    return {
        "name": request.POST.get("name", ""),
        "probability": request.POST.get("probability", ""),
        "outcome": request.POST.get("outcome", ""),
    }


@role_required(Role.TENANT_ADMIN)
@require_POST
def stage_add(request):
    try:
        stage = services.stage_add(actor=request.user, **_stage_values(request))
    except ConversionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(name)s added.") % {"name": stage.name})
    return _pipeline_done(request)


@role_required(Role.TENANT_ADMIN)
@require_POST
def stage_update(request, uuid):
    stage = _stage(uuid)
    try:
        services.stage_update(actor=request.user, stage=stage, **_stage_values(request))
    except ConversionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Saved."))
    return _pipeline_done(request)


@role_required(Role.TENANT_ADMIN)
@require_POST
def stage_move(request, uuid):
    stage = _stage(uuid)
    try:
        services.stage_move(
            actor=request.user, stage=stage, direction=request.POST.get("direction", "")
        )
    except ConversionError as exc:
        messages.error(request, exc.message)
    return _pipeline_done(request)


def _stage_set_active(request, uuid, is_active: bool):
    stage = _stage(uuid)
    try:
        services.stage_set_active(actor=request.user, stage=stage, is_active=is_active)
    except ConversionError as exc:
        messages.error(request, exc.message)
    else:
        done = _("%(name)s is back in the pipeline.") if is_active else _("%(name)s deactivated.")
        messages.success(request, done % {"name": stage.name})
    return _pipeline_done(request)


@role_required(Role.TENANT_ADMIN)
@require_POST
def stage_deactivate(request, uuid):
    return _stage_set_active(request, uuid, False)


@role_required(Role.TENANT_ADMIN)
@require_POST
def stage_activate(request, uuid):
    return _stage_set_active(request, uuid, True)


# The field mapping


@role_required(Role.TENANT_ADMIN)
@require_http_methods(["GET", "POST"])
def mapping(request):
    row = ConversionSettings.load()
    posted = None
    if request.method == "POST":
        posted = mapping_from_post(request.POST)
        try:
            services.conversion_mapping_save(actor=request.user, mapping=posted)
        except ConversionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("conversion-settings-mapping")
    context = {"tables": mapping_tables(saved=row.field_mapping, posted=posted), "tab": "mapping"}
    return render(request, "conversion/settings_mapping.html", context)


@role_required(Role.TENANT_ADMIN)
@require_POST
def mapping_reset(request):
    services.conversion_mapping_save(actor=request.user, mapping={})
    messages.success(request, _("The field mapping is back to the defaults."))
    return redirect("conversion-settings-mapping")
