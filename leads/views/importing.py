"""Import pages: upload (with the template and the history), mapping with a live preview,
progress, and the problem report. Thin: leads.importing.services decides."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from leadcrm.accounts.models import User
from leadcrm.accounts.permissions import role_required
from leadcrm.accounts.roles import Role
from leadcrm.parsing import uuid_or_none
from leads.errors import LeadError
from leads.hooks import destination_choices
from leads.importing.mapping import targets
from leads.importing.reader import MAX_UPLOAD, ImportFileError
from leads.importing.services import (
    import_error_report,
    import_error_report_csv,
    import_job_create,
    import_job_start,
    import_job_use_mapping,
    import_job_use_sheet,
    import_preview,
    import_table,
    import_void_request,
)
from leads.importing.template import import_template_build
from leads.models import ImportJob, ImportMapping
from leads.selectors import owners_assignable_by
from leads.services.campaign_attach import campaigns_attachable

IMPORTERS = (Role.TENANT_ADMIN, Role.MANAGER, Role.POOL_ADMIN)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _job(request, uuid) -> ImportJob:
    """Admins see every import; the others their own."""
    jobs = ImportJob.objects.select_related("job", "void_job")
    if not request.user.is_tenant_admin:
        jobs = jobs.filter(created_by=request.user)
    return get_object_or_404(jobs, uuid=uuid)


@role_required(*IMPORTERS)
@require_http_methods(["GET", "POST"])
def import_index(request):
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose a file to upload."))
        elif upload.size > MAX_UPLOAD:
            messages.error(
                request, _("The file is larger than 50 MB; split it into smaller files.")
            )
        else:
            try:
                job = import_job_create(
                    actor=request.user, filename=upload.name, data=upload.read()
                )
            except ImportFileError as error:
                messages.error(request, error.message)
            else:
                return redirect("leads-import-map", uuid=job.uuid)
    jobs = ImportJob.objects.select_related("created_by", "job")
    if not request.user.is_tenant_admin:
        jobs = jobs.filter(created_by=request.user)
    context = {
        "jobs": jobs[:30],
        "saved_mappings": ImportMapping.objects.select_related("created_by"),
    }
    return render(request, "leads/import/index.html", context)


@role_required(*IMPORTERS)
@require_GET
def import_template(request):
    response = HttpResponse(import_template_build(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="leadcrm-import-template.xlsx"'
    return response


def _mapping_from(request, job: ImportJob, columns: int) -> dict:
    if request.method == "POST" or "col_0" in request.GET:
        data = request.POST if request.method == "POST" else request.GET
        return {str(i): data.get(f"col_{i}", "") for i in range(columns) if data.get(f"col_{i}")}
    return job.mapping


def _send_to(choice: str) -> dict:
    """The "where the new leads go" choice as import options: "rules", "none" (unassigned,
    no rules), "user:<uuid>" (one owner) or a destination ("pool:<uuid>")."""
    if choice == "none":
        return {"owner": None, "run_rules": False}
    if choice.startswith("user:"):
        owner = User.objects.filter(uuid=uuid_or_none(choice[5:]), is_active=True).first()
        if owner is None:
            raise LeadError(_("That person cannot take leads."))
        return {"owner": owner, "run_rules": False}
    if choice and choice != "rules":
        return {"owner": None, "run_rules": True, "destination": choice}
    return {"owner": None, "run_rules": True}


def _campaign(choice: str):
    """The "attach every row to" campaign option (a uuid, or "" for none)."""
    if not choice:
        return None
    campaign = campaigns_attachable().filter(uuid=uuid_or_none(choice)).first()
    if campaign is None:
        raise LeadError(_("That campaign is not available; choose another."))
    return campaign


@role_required(*IMPORTERS)
@require_http_methods(["GET", "POST"])
def import_map(request, uuid):
    job = _job(request, uuid)
    if job.status != ImportJob.Status.UPLOADED:
        return redirect("leads-import-status", uuid=job.uuid)
    if request.GET.get("sheet") and request.GET["sheet"] != job.sheet:
        job.sheet = request.GET["sheet"]
        try:
            table = import_table(job)
        except ImportFileError as error:
            messages.error(request, error.message)
            return redirect("leads-import")
        import_job_use_sheet(job=job, table=table)
    table = import_table(job)
    saved = ImportMapping.objects.filter(uuid=uuid_or_none(request.GET.get("saved", ""))).first()
    if saved is not None and request.method == "GET":
        import_job_use_mapping(job=job, saved=saved, headers=table.headers)
        return redirect("leads-import-map", uuid=job.uuid)
    mapping = _mapping_from(request, job, len(table.headers))
    send_to = request.POST.get("send_to", "rules")
    campaign_choice = request.POST.get("campaign", "")
    if request.method == "POST":
        try:
            import_job_start(
                campaign=_campaign(campaign_choice),
                job=job,
                actor=request.user,
                mapping=mapping,
                on_duplicate=request.POST.get("on_duplicate", "skip"),
                source_detail=request.POST.get("source_detail", ""),
                save_mapping_as=request.POST.get("save_mapping_as", "")
                if request.POST.get("save_mapping") == "on"
                else "",
                create_fields=request.POST.get("create_fields") == "on",
                **_send_to(send_to),
            )
        except LeadError as error:
            messages.error(request, error.message)
        else:
            return redirect("leads-import-status", uuid=job.uuid)
    context = {
        "send_to": send_to,
        "destinations": destination_choices(request.user),
        "saved_mappings": ImportMapping.objects.all(),
        "on_duplicate": request.POST.get("on_duplicate", "skip"),
        "create_fields": request.POST.get("create_fields") == "on",
        "campaigns": campaigns_attachable(),
        "campaign_choice": campaign_choice,
        "job": job,
        "table": table,
        "columns": list(enumerate(table.headers)),
        "mapping": mapping,
        "targets": targets(),
        "preview": import_preview(job, mapping),
        "owner_choices": [
            (f"user:{u.uuid}", u.full_name) for u in owners_assignable_by(request.user)
        ],
        "duplicate_choices": ImportJob.OnDuplicate.choices,
    }
    if request.htmx and request.htmx.target == "import-preview":
        return render(request, "leads/import/map.html#import-preview", context)
    return render(request, "leads/import/map.html", context)


@role_required(*IMPORTERS)
@require_GET
def import_status(request, uuid):
    job = _job(request, uuid)
    context = {"job": job, "issues": job.issues.all()[:20]}
    if job.destination:
        context["destination"] = dict(destination_choices(request.user)).get(
            job.destination, _("a pool")
        )
    if request.htmx:
        return render(request, "leads/import/status.html#import-progress", context)
    return render(request, "leads/import/status.html", context)


@role_required(*IMPORTERS)
@require_GET
def import_report(request, uuid):
    job = _job(request, uuid)
    name = job.filename.rsplit(".", 1)[0][:60].replace('"', "")
    if request.GET.get("format") == "csv":
        response = HttpResponse(import_error_report_csv(job), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{name}-problems.csv"'
        return response
    response = HttpResponse(import_error_report(job), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}-problems.xlsx"'
    return response


@role_required(*IMPORTERS)
@require_POST
def import_cancel(request, uuid):
    job = _job(request, uuid)
    if job.status == ImportJob.Status.UPLOADED:
        job.file.delete(save=False)
        job.delete()
        messages.success(request, _("Upload discarded."))
    return redirect("leads-import")


@role_required(*IMPORTERS)
@require_POST
def import_mapping_delete(request, uuid):
    saved = get_object_or_404(ImportMapping, uuid=uuid)
    if not (request.user.is_tenant_admin or saved.created_by_id == request.user.pk):
        messages.error(request, _("Only its author or an admin can delete a saved mapping."))
    else:
        saved.delete()
        messages.success(request, _("Saved mapping deleted."))
    return redirect("leads-import")


@role_required(Role.TENANT_ADMIN)
@require_POST
def import_void(request, uuid):
    """ "Undo this import": void the leads it created, in the background."""
    job = _job(request, uuid)
    if request.POST.get("confirm") != "on":
        messages.error(request, _("Tick the box to confirm."))
        return redirect("leads-import-status", uuid=job.uuid)
    try:
        import_void_request(job=job, actor=request.user)
    except LeadError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("The leads of this import are being voided; admins can restore them.")
        )
    return redirect("leads-import-status", uuid=job.uuid)
