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
from leads.errors import LeadError
from leads.importing.mapping import targets
from leads.importing.reader import MAX_UPLOAD, ImportFileError
from leads.importing.services import (
    import_error_report,
    import_job_create,
    import_job_start,
    import_preview,
    import_table,
)
from leads.importing.template import import_template_build
from leads.models import ImportJob

IMPORTERS = (Role.TENANT_ADMIN, Role.MANAGER, Role.POOL_ADMIN)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _job(request, uuid) -> ImportJob:
    """Admins see every import; the others their own."""
    jobs = ImportJob.objects.all()
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
    jobs = ImportJob.objects.select_related("created_by")
    if not request.user.is_tenant_admin:
        jobs = jobs.filter(created_by=request.user)
    return render(request, "leads/import/index.html", {"jobs": jobs[:30]})


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
        from leads.importing.mapping import mapping_suggest

        job.mapping = {str(i): t for i, t in mapping_suggest(table.headers).items()}
        job.total_rows = len(table.rows)
        job.save(update_fields=["sheet", "mapping", "total_rows"])
    table = import_table(job)
    mapping = _mapping_from(request, job, len(table.headers))
    if request.method == "POST":
        owner = User.objects.filter(uuid=request.POST.get("owner") or None, is_active=True).first()
        try:
            import_job_start(
                job=job,
                actor=request.user,
                mapping=mapping,
                on_duplicate=request.POST.get("on_duplicate", "skip"),
                owner=owner,
                source_detail=request.POST.get("source_detail", ""),
                run_rules=request.POST.get("run_rules") == "on",
            )
        except LeadError as error:
            messages.error(request, error.message)
        else:
            return redirect("leads-import-status", uuid=job.uuid)
    context = {
        "job": job,
        "table": table,
        "columns": list(enumerate(table.headers)),
        "mapping": mapping,
        "targets": targets(),
        "preview": import_preview(job, mapping),
        "owners": User.objects.filter(is_active=True).order_by("full_name"),
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
    if request.htmx:
        return render(request, "leads/import/status.html#import-progress", context)
    return render(request, "leads/import/status.html", context)


@role_required(*IMPORTERS)
@require_GET
def import_report(request, uuid):
    job = _job(request, uuid)
    response = HttpResponse(import_error_report(job), content_type=XLSX)
    name = job.filename.rsplit(".", 1)[0][:60].replace('"', "")
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
