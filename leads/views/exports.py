"""Exports of the Leads list: small ones at once, large ones in the background."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from leads import exports


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
    job = exports.export_job_start(
        user=request.user, query=list_query.urlencode(), fmt=fmt, uuids=uuids
    )
    return redirect("leads-export-status", job_id=job.uuid)


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
    context = {"job": job}
    if request.htmx:
        return render(request, "leads/lead_export.html#export-status", context)
    return render(request, "leads/lead_export.html", context)


@login_required
def lead_export_download(request, job_id):
    job = exports.export_job_get(user=request.user, job_id=job_id)
    if job.status != job.Status.DONE:
        return redirect("leads-export-status", job_id=job_id)
    fileobj, filename = exports.export_job_open(user=request.user, job_id=job_id)
    return FileResponse(fileobj, as_attachment=True, filename=filename)
