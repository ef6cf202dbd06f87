"""The tenant admin's lead settings: qualification rule, hot threshold, funnel stages,
sources, loss reasons and SOP task templates."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from leadcrm.accounts.permissions import role_required
from leadcrm.accounts.roles import Role
from leads.errors import LeadError
from leads.models import CustomFieldDefinition, LeadSettings, SopTemplate, Stage
from leads.services import config, custom_fields


@role_required(Role.TENANT_ADMIN)
@require_http_methods(["GET", "POST"])
def lead_settings(request):
    if request.method == "POST":
        try:
            config.lead_settings_update(
                actor=request.user,
                require_bant_for_qualified=request.POST.get("require_bant") == "on",
                hot_score=int(request.POST.get("hot_score") or 0),
            )
        except (LeadError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", _("Enter a whole number.")))
        else:
            messages.success(request, _("Saved."))
        return redirect("leads-settings")
    context = {
        "settings_row": LeadSettings.load(),
        "lists": [
            ("stages", _("Funnel stages"), config.LIST_MODELS["stages"].objects.all()),
            ("sources", _("Source channels"), config.LIST_MODELS["sources"].objects.all()),
            ("loss_reasons", _("Loss reasons"), config.LIST_MODELS["loss_reasons"].objects.all()),
        ],
        "stages": Stage.objects.filter(is_active=True),
        "sop_templates": SopTemplate.objects.filter(is_active=True).select_related("stage"),
        "custom_fields": CustomFieldDefinition.objects.order_by("-is_active", "position"),
        "field_types": CustomFieldDefinition.FieldType.choices,
    }
    return render(request, "leads/settings.html", context)


@role_required(Role.TENANT_ADMIN)
@require_POST
def list_item_add(request, kind):
    if kind not in config.LIST_MODELS:
        raise Http404
    try:
        config.list_item_add(actor=request.user, kind=kind, name=request.POST.get("name", ""))
    except LeadError as exc:
        messages.error(request, exc.message)
    return redirect(f"{_settings_url()}#{kind}")


@role_required(Role.TENANT_ADMIN)
@require_POST
def list_item_update(request, kind, uuid):
    model = config.LIST_MODELS.get(kind)
    item = model.objects.filter(uuid=uuid).first() if model else None
    if item is None:
        raise Http404
    try:
        config.list_item_update(
            actor=request.user,
            kind=kind,
            item=item,
            name=request.POST.get("name", ""),
            position=int(request.POST.get("position") or 0),
            is_active=request.POST.get("is_active") == "on",
        )
    except (LeadError, ValueError) as exc:
        messages.error(request, getattr(exc, "message", _("Enter a whole number.")))
    else:
        messages.success(request, _("Saved."))
    return redirect(f"{_settings_url()}#{kind}")


@role_required(Role.TENANT_ADMIN)
@require_POST
def sop_template_add(request):
    stage = Stage.objects.filter(uuid=request.POST.get("stage") or None, is_active=True).first()
    if stage is None:
        messages.error(request, _("Choose a stage."))
        return redirect(f"{_settings_url()}#sop")
    try:
        config.sop_template_add(
            actor=request.user,
            stage=stage,
            title=request.POST.get("title", ""),
            due_in_hours=int(request.POST.get("due_in_hours") or 0),
        )
    except (LeadError, ValueError) as exc:
        messages.error(request, getattr(exc, "message", _("Enter a whole number.")))
    return redirect(f"{_settings_url()}#sop")


@role_required(Role.TENANT_ADMIN)
@require_POST
def sop_template_deactivate(request, uuid):
    template = SopTemplate.objects.filter(uuid=uuid, is_active=True).first()
    if template is None:
        raise Http404
    config.sop_template_deactivate(actor=request.user, template=template)
    return redirect(f"{_settings_url()}#sop")


def _settings_url() -> str:
    from django.urls import reverse

    return reverse("leads-settings")


def _choices(raw: str) -> list[str]:
    return [line.strip() for line in raw.replace("，", "\n").replace(",", "\n").splitlines()]


@role_required(Role.TENANT_ADMIN)
@require_POST
def custom_field_add(request):
    try:
        custom_fields.custom_field_create(
            actor=request.user,
            key=request.POST.get("key", ""),
            label=request.POST.get("label", ""),
            field_type=request.POST.get("field_type", ""),
            choices=_choices(request.POST.get("choices", "")),
            required=request.POST.get("required") == "on",
            filterable=request.POST.get("filterable") == "on",
        )
    except LeadError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Field added."))
    return redirect(f"{_settings_url()}#custom-fields")


@role_required(Role.TENANT_ADMIN)
@require_POST
def custom_field_update(request, uuid):
    definition = CustomFieldDefinition.objects.filter(uuid=uuid).first()
    if definition is None:
        raise Http404
    try:
        custom_fields.custom_field_update(
            actor=request.user,
            definition=definition,
            label=request.POST.get("label", ""),
            choices=_choices(request.POST.get("choices", "")),
            required=request.POST.get("required") == "on",
            filterable=request.POST.get("filterable") == "on",
            is_active=request.POST.get("is_active") == "on",
        )
    except LeadError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Saved."))
    return redirect(f"{_settings_url()}#custom-fields")
