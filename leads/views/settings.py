"""The tenant admin's lead settings (Settings → Lead fields, Stages and lists, Lead settings).

Thin views over leads.services.config and leads.services.custom_fields. Small changes (move,
rename, deactivate) answer HTMX with the refreshed region and plain forms with a redirect, so
the pages work without JavaScript.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from leadcrm.accounts.permissions import role_required
from leadcrm.accounts.roles import Role
from leads.errors import LeadError
from leads.fields import custom_fields_active, custom_fields_all
from leads.forms.settings import (
    CustomFieldCreateForm,
    CustomFieldEditForm,
    LeadSettingsForm,
    SopTemplateForm,
    choice_lines,
)
from leads.hooks import custom_field_records
from leads.models import CustomFieldDefinition, LeadSettings, SopTemplate
from leads.services import config, custom_fields

LIST_TITLES = {
    "stages": gettext_lazy("Funnel stages"),
    "sources": gettext_lazy("Source channels"),
    "loss_reasons": gettext_lazy("Loss reasons"),
}


def _lists() -> list[dict]:
    return [
        {
            "kind": kind,
            "title": LIST_TITLES[kind],
            "add_url": reverse(f"leads-{kind}-add"),
            "active": active,
            "inactive": inactive,
        }
        for kind, active, inactive in config.settings_lists()
    ]


def _apply_error(form, exc: LeadError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


# Lead settings


@role_required(Role.TENANT_ADMIN)
@require_http_methods(["GET", "POST"])
def lead_settings(request):
    row = LeadSettings.load()
    initial = {
        "require_bant": row.require_bant_for_qualified,
        "hot_score": row.hot_score,
        "require_email_or_phone": row.require_email_or_phone,
        "open_tasks_on_reassign": row.open_tasks_on_reassign,
    }
    form = LeadSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            config.lead_settings_update(
                actor=request.user,
                require_bant_for_qualified=form.cleaned_data["require_bant"],
                hot_score=form.cleaned_data["hot_score"],
                require_email_or_phone=form.cleaned_data["require_email_or_phone"],
                open_tasks_on_reassign=form.cleaned_data["open_tasks_on_reassign"] or None,
            )
        except LeadError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("leads-settings")
    context = {
        "form": form,
        "lists": _lists(),
        "custom_field_count": len(custom_fields_active()),
    }
    return render(request, "leads/settings/lead_settings.html", context)


# Stages, sources, loss reasons and SOP tasks


@role_required(Role.TENANT_ADMIN)
def settings_lists(request):
    return _lists_render(request)


def _lists_render(request):
    sop_groups = config.sop_templates_by_stage()
    context = {
        "lists": _lists(),
        "sop_groups": sop_groups,
        "sop_count": sum(len(templates) for _stage, templates in sop_groups),
    }
    if request.htmx:
        return render(request, "leads/settings/lists.html#lists", context)
    return render(request, "leads/settings/lists.html", context)


def _lists_done(request, anchor: str):
    if request.htmx:
        return _lists_render(request)
    return redirect(f"{reverse('leads-settings-lists')}#{anchor}")


def _list_item(kind: str, uuid):
    model = config.LIST_MODELS.get(kind)
    item = model.objects.filter(uuid=uuid).first() if model else None
    if item is None:
        raise Http404
    return item


@role_required(Role.TENANT_ADMIN)
@require_POST
def list_item_add(request, kind):
    if kind not in config.LIST_MODELS:
        raise Http404
    try:
        item = config.list_item_add(
            actor=request.user,
            kind=kind,
            name=request.POST.get("name", ""),
            code=request.POST.get("code", ""),
        )
    except LeadError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(name)s added.") % {"name": item.name})
    return _lists_done(request, kind)


@role_required(Role.TENANT_ADMIN)
@require_POST
def list_item_update(request, kind, uuid):
    """Rename an entry."""
    item = _list_item(kind, uuid)
    try:
        item = config.list_item_rename(
            actor=request.user, kind=kind, item=item, name=request.POST.get("name", "")
        )
    except LeadError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Saved."))
    return _lists_done(request, kind)


@role_required(Role.TENANT_ADMIN)
@require_POST
def list_item_move(request, kind, uuid):
    item = _list_item(kind, uuid)
    try:
        config.list_item_move(
            actor=request.user, kind=kind, item=item, direction=request.POST.get("direction", "")
        )
    except LeadError as exc:
        messages.error(request, exc.message)
    return _lists_done(request, kind)


def _list_item_set_active(request, kind, uuid, is_active: bool):
    item = _list_item(kind, uuid)
    try:
        config.list_item_set_active(actor=request.user, kind=kind, item=item, is_active=is_active)
    except LeadError as exc:
        messages.error(request, exc.message)
    else:
        done = _("%(name)s is back in the list.") if is_active else _("%(name)s deactivated.")
        messages.success(request, done % {"name": item.name})
    return _lists_done(request, kind)


@role_required(Role.TENANT_ADMIN)
@require_POST
def list_item_deactivate(request, kind, uuid):
    return _list_item_set_active(request, kind, uuid, False)


@role_required(Role.TENANT_ADMIN)
@require_POST
def list_item_activate(request, kind, uuid):
    return _list_item_set_active(request, kind, uuid, True)


@role_required(Role.TENANT_ADMIN)
@require_POST
def sop_template_add(request):
    form = SopTemplateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a stage, say what is to be done and within how long."))
        return _lists_done(request, "sop")
    try:
        config.sop_template_add(actor=request.user, **form.cleaned_data)
    except LeadError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("SOP task added."))
    return _lists_done(request, "sop")


def _sop_template(uuid) -> SopTemplate:
    template = SopTemplate.objects.filter(uuid=uuid, is_active=True).select_related("stage")
    template = template.first()
    if template is None:
        raise Http404
    return template


@role_required(Role.TENANT_ADMIN)
@require_http_methods(["GET", "POST"])
def sop_template_update(request, uuid):
    template = _sop_template(uuid)
    initial = {
        "stage": template.stage.uuid if template.stage.is_active else None,
        "title": template.title,
        "due_in_hours": template.due_in_hours,
    }
    form = SopTemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            config.sop_template_update(actor=request.user, template=template, **form.cleaned_data)
        except LeadError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(f"{reverse('leads-settings-lists')}#sop")
    return render(request, "leads/settings/sop_form.html", {"form": form, "template": template})


@role_required(Role.TENANT_ADMIN)
@require_POST
def sop_template_deactivate(request, uuid):
    template = _sop_template(uuid)
    config.sop_template_deactivate(actor=request.user, template=template)
    messages.success(request, _("SOP task removed."))
    return _lists_done(request, "sop")


# Custom fields


def _custom_field(uuid) -> CustomFieldDefinition:
    definition = CustomFieldDefinition.objects.filter(uuid=uuid).first()
    if definition is None:
        raise Http404
    return definition


def _custom_field_groups(record: str) -> list[dict]:
    """The definitions by record, in the registry's order (leads first); only ``record``'s
    when it names one."""
    fields = custom_fields_all()
    groups = []
    for name, label in custom_field_records():
        if record and record != name:
            continue
        mine = [f for f in fields if f.record == name]
        active = sum(f.is_active for f in mine)
        groups.append({"name": name, "label": label, "fields": mine, "active_count": active})
    return groups


@role_required(Role.TENANT_ADMIN)
def custom_field_list(request):
    record = request.GET.get("record", "")
    if record not in dict(custom_field_records()):
        record = ""
    context = {
        "groups": _custom_field_groups(record),
        "records": custom_field_records(),
        "record": record,
    }
    if request.htmx:
        return render(request, "leads/settings/custom_fields.html#field-table", context)
    return render(request, "leads/settings/custom_fields.html", context)


@role_required(Role.TENANT_ADMIN)
@require_http_methods(["GET", "POST"])
def custom_field_create(request):
    initial = {"record": request.GET.get("record") or "lead"}
    form = CustomFieldCreateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            definition = custom_fields.custom_field_create(
                actor=request.user,
                key=data["key"],
                label=data["label"],
                field_type=data["field_type"],
                choices=choice_lines(data["choices"]),
                required=data["required"],
                filterable=data["filterable"],
                record=data["record"] or "lead",
            )
        except LeadError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("%(label)s added.") % {"label": definition.label})
            return redirect("leads-custom-fields")
    return render(request, "leads/settings/custom_field_form.html", {"form": form})


@role_required(Role.TENANT_ADMIN)
@require_http_methods(["GET", "POST"])
def custom_field_update(request, uuid):
    definition = _custom_field(uuid)
    form = CustomFieldEditForm(request.POST or None, definition=definition)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            custom_fields.custom_field_update(
                actor=request.user,
                definition=definition,
                key=data["key"],
                label=data["label"],
                choices=choice_lines(data.get("choices", "")),
                required=data["required"],
                filterable=data["filterable"],
            )
        except LeadError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("leads-custom-fields")
    record_label = dict(custom_field_records()).get(definition.record, definition.record)
    context = {"form": form, "definition": definition, "record_label": record_label}
    return render(request, "leads/settings/custom_field_form.html", context)


def _custom_field_done(request):
    if request.htmx:
        return custom_field_list(request)
    record = request.GET.get("record", "")
    if record in dict(custom_field_records()):
        return redirect(f"{reverse('leads-custom-fields')}?record={record}")
    return redirect("leads-custom-fields")


def _custom_field_set_active(request, uuid, is_active: bool):
    definition = _custom_field(uuid)
    custom_fields.custom_field_set_active(
        actor=request.user, definition=definition, is_active=is_active
    )
    if not is_active:
        done = _("%(label)s deactivated.")
    elif definition.record == "lead":
        done = _("%(label)s is back on the lead form.")
    else:
        done = _("%(label)s is back on the form.")
    messages.success(request, done % {"label": definition.label})
    return _custom_field_done(request)


@role_required(Role.TENANT_ADMIN)
@require_POST
def custom_field_deactivate(request, uuid):
    return _custom_field_set_active(request, uuid, False)


@role_required(Role.TENANT_ADMIN)
@require_POST
def custom_field_activate(request, uuid):
    return _custom_field_set_active(request, uuid, True)


@role_required(Role.TENANT_ADMIN)
@require_POST
def custom_field_move(request, uuid):
    definition = _custom_field(uuid)
    try:
        custom_fields.custom_field_move(
            actor=request.user, definition=definition, direction=request.POST.get("direction", "")
        )
    except LeadError as exc:
        messages.error(request, exc.message)
    return _custom_field_done(request)
