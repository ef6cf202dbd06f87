"""What the Leads list does besides listing: bulk actions, exports and saved views."""

import uuid as uuid_module

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from leadcrm.accounts.models import User
from leadcrm.accounts.roles import Role
from leads import exports, selectors
from leads.errors import LeadError
from leads.models import ImportJob, LeadStatus, LossReason
from leads.services import bulk as bulk_services
from leads.services import saved_views as saved_view_services
from leads.services.custom_fields import custom_fields_active

SCENE_TABS = [
    ("mine", gettext_lazy("My leads")),
    ("follow_up", gettext_lazy("Awaiting my follow-up")),
    ("my_overdue", gettext_lazy("My overdue")),
    ("subordinates", gettext_lazy("My subordinates'")),
    ("department", gettext_lazy("My department's")),
    ("shared", gettext_lazy("Shared with me")),
    ("participating", gettext_lazy("I participate in")),
    ("all", gettext_lazy("All I can see")),
]


def list_context(request, filters) -> dict:
    """What the list page needs besides its rows: scenes, saved views and the bulk bar."""
    user = request.user
    tabs = [
        (key, label)
        for key, label in SCENE_TABS
        if key == filters.scene
        or (key == "subordinates" and user.has_role(Role.MANAGER, Role.TENANT_ADMIN))
        or (key == "department" and user.team_id)
        or key not in ("subordinates", "department")
    ]
    labels = dict(LeadStatus.choices)
    return {
        "scene_tabs": tabs,
        "saved_views": list(saved_view_services.saved_view_list(user=user)),
        "current_query": saved_view_services.saved_view_query_clean(request.GET.urlencode()),
        "list_query": request.GET.urlencode(),
        "assignable": selectors.owners_assignable_by(user),
        "bulk_statuses": [(s, labels[s]) for s in bulk_services.BULK_STATUSES],
        "loss_reasons": LossReason.objects.filter(is_active=True),
        "export_limit": exports.EXPORT_DIRECT_LIMIT,
        "imported_job": ImportJob.objects.filter(uuid=filters.imported).first()
        if filters.imported
        else None,
        "custom_filters": [
            (definition, request.GET.get(f"cf_{definition.key}", ""))
            for definition in custom_fields_active()
            if definition.filterable
        ],
    }


def _back_to_list(query: str):
    """The list with the filters it was showing (a query string only: never another site)."""
    clean = QueryDict(query).urlencode()
    return redirect(reverse("leads-index") + (f"?{clean}" if clean else ""))


@login_required
@require_POST
def lead_bulk(request):
    data = request.POST
    action = data.get("action", "")
    owner = None
    if action == "assign" and data.get("owner"):
        owner = User.objects.filter(uuid=_uuid(data["owner"]), is_active=True).first()
    loss_reason = None
    if data.get("loss_reason"):
        loss_reason = LossReason.objects.filter(uuid=_uuid(data["loss_reason"])).first()
    try:
        result = bulk_services.lead_bulk_action(
            actor=request.user,
            uuids=data.getlist("lead"),
            action=action,
            owner=owner,
            to_status=data.get("status", ""),
            loss_reason=loss_reason,
            tag=data.get("tag", ""),
        )
    except LeadError as exc:
        messages.error(request, exc.message)
    else:
        if not result.refused:
            messages.success(request, result.summary())
        elif result.done:
            messages.warning(request, result.summary())
        else:
            messages.error(request, result.summary())
    return _back_to_list(data.get("next", ""))


def _uuid(value):
    try:
        return uuid_module.UUID(str(value))
    except ValueError:
        return None


@login_required
@require_http_methods(["GET", "POST"])
def lead_export(request):
    """GET exports the list's current filter (without a format: a page to choose one);
    POST (from the bulk bar or the confirmation below) carries the filter in ``next`` and
    optionally the selected leads. Up to EXPORT_DIRECT_LIMIT rows the file comes at once;
    above, GET asks for confirmation and POST starts a background export and shows its
    progress."""
    if request.method == "POST":
        query, uuids = QueryDict(request.POST.get("next", "")), request.POST.getlist("lead")
        fmt = request.POST.get("format", "csv")
    else:
        query, uuids, fmt = request.GET, [], request.GET.get("format", "")
    list_query = query.copy()
    list_query.pop("format", None)
    context = {"list_query": list_query.urlencode(), "export_limit": exports.EXPORT_DIRECT_LIMIT}
    if fmt not in exports.FORMATS:
        return render(request, "leads/lead_export.html", {**context, "choose": True})
    leads = exports.export_leads_for(user=request.user, query=query, uuids=uuids)
    if exports.export_is_direct(leads):
        return _export_response(leads, fmt)
    if request.method == "GET":
        return render(request, "leads/lead_export.html", {**context, "fmt": fmt})
    job_id = exports.export_job_start(
        user=request.user, query=list_query.urlencode(), fmt=fmt, uuids=uuids
    )
    return redirect("leads-export-status", job_id=job_id)


def _export_response(leads, fmt: str) -> HttpResponse:
    filename = exports.export_filename(fmt)
    if fmt == "xlsx":
        response = HttpResponse(exports.export_xlsx_bytes(leads), exports.CONTENT_TYPES["xlsx"])
    else:
        lines = exports.export_csv_lines(leads, exports.export_columns(leads))
        response = StreamingHttpResponse(lines, content_type=exports.CONTENT_TYPES["csv"])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def lead_export_status(request, job_id):
    job = exports.export_job_get(user=request.user, job_id=job_id)
    percent = None
    if job["total"]:
        percent = min(100, round(100 * job["done"] / job["total"]))
    context = {"job": job, "job_id": job_id, "percent": percent}
    if request.htmx:
        return render(request, "leads/lead_export.html#export-status", context)
    return render(request, "leads/lead_export.html", context)


@login_required
def lead_export_download(request, job_id):
    job = exports.export_job_get(user=request.user, job_id=job_id)
    if job["state"] != "done":
        return redirect("leads-export-status", job_id=job_id)
    fileobj, filename = exports.export_job_open(user=request.user, job_id=job_id)
    return FileResponse(fileobj, as_attachment=True, filename=filename)


@login_required
@require_POST
def saved_view_create(request):
    query = request.POST.get("query", "")
    try:
        view = saved_view_services.saved_view_save(
            user=request.user, name=request.POST.get("name", ""), query=query
        )
    except LeadError as exc:
        messages.error(request, exc.message)
        return _back_to_list(query)
    messages.success(request, _('View "%(name)s" saved.') % {"name": view.name})
    return _back_to_list(view.query)


@login_required
@require_POST
def saved_view_delete(request, uuid):
    view = saved_view_services.saved_view_get_for_user(user=request.user, uuid=uuid)
    saved_view_services.saved_view_delete(user=request.user, uuid=view.uuid)
    messages.success(request, _('View "%(name)s" deleted.') % {"name": view.name})
    return _back_to_list(request.POST.get("next", ""))
