"""Exports of the Leads list: CSV and xlsx of the current filter, for the person who asks.

The rows always come from ``leads.selectors.lead_list`` with the list's own filters, so an
export holds exactly what the list would show that person (visibility included). Small
exports are written while the request streams; bigger ones run as a Celery job
(``leads.tasks.exports.export_leads``): a Job of kind "export" in the tenant's schema, whose
file goes to the tenant's own storage.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models import F, Func, JSONField, QuerySet
from django.http import Http404, QueryDict
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from openpyxl import Workbook

from leadcrm.accounts.models import User
from leadcrm.jobs.errors import JobError
from leadcrm.jobs.models import Job
from leadcrm.jobs.services import job_create, job_enqueue, job_progress
from leadcrm.parsing import uuid_or_none, uuids_parse
from leads.masking import mask_value
from leads.models import (
    CompanySize,
    CustomFieldDefinition,
    Lead,
    LeadStatus,
    Priority,
    RevenueRange,
)
from leads.selectors import LeadFilters, lead_list

#: Up to this many rows the file is written while the request streams; above, a job runs.
EXPORT_DIRECT_LIMIT = 5000
FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
#: How long a background export's file is kept (then exports_cleanup deletes it).
JOB_TTL = 60 * 60 * 24
PROGRESS_EVERY = 500

#: What makes a spreadsheet treat a cell as a formula (or hide that it starts one).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")
#: Control characters the xlsx format cannot hold (openpyxl refuses them).
_XLSX_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")


def export_cell_escape(value):
    """Neutralise formula injection: text starting with = + - @, a tab, CR or NUL gets a
    leading single quote, so Excel, LibreOffice and Sheets show it as text instead of
    running it. Everything else (numbers, dates, other text) is returned unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Lead], object]


def _field_label(name: str) -> str:
    return capfirst(str(Lead._meta.get_field(name).verbose_name))


def _text(name: str) -> Column:
    return Column(_field_label(name), lambda lead: getattr(lead, name))


def _contact(name: str) -> Column:
    """Phone and email columns, masked where the list masks them (unclaimed pooled leads)."""

    def value(lead):
        raw = getattr(lead, name)
        return mask_value(name, raw) if getattr(lead, "contacts_masked", False) else raw

    return Column(_field_label(name), value)


def _choice(name: str, choices) -> Column:
    labels = {value: str(label) for value, label in choices}
    return Column(_field_label(name), lambda lead: labels.get(getattr(lead, name), ""))


def _custom_value(value):
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return value


class _ObjectKeys(Func):
    """The keys of a JSON object (nothing for arrays or scalars, which would raise)."""

    template = (
        "jsonb_object_keys(CASE WHEN jsonb_typeof(%(expressions)s) = 'object' "
        "THEN %(expressions)s ELSE '{}'::jsonb END)"
    )
    output_field = JSONField()


def _custom_keys(leads: QuerySet[Lead]) -> list[str]:
    """Keys present in the exported leads' custom data: defined fields in their order, then
    any other key alphabetically. One query, run on the same filtered rows."""
    present = set(
        leads.order_by()
        .annotate(_key=_ObjectKeys(F("custom_data")))
        .values_list("_key", flat=True)
        .distinct()
    )
    defined = [
        key
        for key in CustomFieldDefinition.objects.filter(record="lead").values_list("key", flat=True)
    ]
    return [key for key in defined if key in present] + sorted(present - set(defined))


def export_columns(leads: QuerySet[Lead]) -> list[Column]:
    """The export's columns, headed in the active language: the lead's main fields, owner,
    status, stage, source, campaign, one column per custom-data key present, then the dates."""
    statuses = {value: str(label) for value, label in LeadStatus.choices}
    labels = dict(CustomFieldDefinition.objects.filter(record="lead").values_list("key", "label"))
    columns = [
        Column("ID", lambda lead: str(lead.uuid)),
        *(_text(name) for name in ("name", "company", "job_title")),
        *(_contact(name) for name in ("email", "phone", "mobile")),
        *(_text(name) for name in ("website", "country", "region", "city", "postcode", "address")),
        _text("industry"),
        _choice("company_size", CompanySize.choices),
        _choice("annual_revenue", RevenueRange.choices),
        _choice("priority", Priority.choices),
        _text("source_detail"),
        _text("product_line"),
        Column(_field_label("tags"), lambda lead: ", ".join(lead.tags)),
        _text("score"),
        _text("grade"),
        _text("conversion_probability"),
        _text("notes"),
        Column(_field_label("owner"), lambda lead: lead.owner.full_name if lead.owner else ""),
        Column(_("Owner email"), lambda lead: lead.owner.email if lead.owner else ""),
        Column(_field_label("status"), lambda lead: statuses.get(lead.status, lead.status)),
        Column(_field_label("stage"), lambda lead: lead.stage.name if lead.stage else ""),
        Column(_field_label("source"), lambda lead: lead.source.name if lead.source else ""),
        Column(
            _field_label("campaign"), lambda lead: lead.campaign.name if lead.campaign_id else ""
        ),
    ]
    for key in _custom_keys(leads):
        columns.append(
            Column(labels.get(key, key), lambda lead, key=key: lead.custom_data.get(key, ""))
        )
    columns += [
        _text("created_at"),
        _text("last_activity_at"),
        _text("next_follow_up_at"),
    ]
    return columns


def _row(lead: Lead, columns: list[Column]) -> list:
    return [_custom_value(column.value(lead)) for column in columns]


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return str(export_cell_escape(str(value) if not isinstance(value, str) else value))


def _xlsx_cell(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None)  # Excel has no time zones
    if isinstance(value, str):
        return _XLSX_ILLEGAL.sub("", export_cell_escape(value))
    return value


class _Echo:
    """A file-like object that hands back what csv.writer writes (for streaming)."""

    def write(self, value: str) -> str:
        return value


def export_csv_lines(leads: QuerySet[Lead], columns: list[Column]) -> Iterator[str]:
    """The CSV, line by line, starting with a UTF-8 byte-order mark so that Excel reads
    Chinese (and every other non-ASCII text) correctly. Cells are escaped against formulas."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([_csv_cell(c.header) for c in columns])
    for lead in leads.iterator(chunk_size=1000):
        yield writer.writerow([_csv_cell(value) for value in _row(lead, columns)])


def export_xlsx_write(
    leads: QuerySet[Lead],
    columns: list[Column],
    fileobj,
    *,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the workbook (openpyxl write-only: constant memory) to ``fileobj``; returns the
    number of rows. Cells are escaped against formulas; dates are real Excel dates."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(_("Leads"))[:31])
    sheet.append([_xlsx_cell(c.header) for c in columns])
    count = 0
    for count, lead in enumerate(leads.iterator(chunk_size=1000), start=1):
        sheet.append([_xlsx_cell(value) for value in _row(lead, columns)])
        if progress and count % PROGRESS_EVERY == 0:
            progress(count)
    workbook.save(fileobj)
    return count


def export_leads_for(*, user: User, query: QueryDict, uuids: Iterable = ()) -> QuerySet[Lead]:
    """The leads an export of the list holds: ``lead_list`` with the list's filters (so only
    what ``user`` may see), narrowed to the selected ``uuids`` if any."""
    filters = LeadFilters.from_query(query, user=user)
    leads = lead_list(user=user, filters=filters).select_related("campaign")
    selected, _invalid = uuids_parse(uuids)
    if uuids:
        leads = leads.filter(uuid__in=selected)
    return leads


def export_is_direct(leads: QuerySet[Lead]) -> bool:
    """Small enough to write during the request? Counts at most LIMIT + 1 rows, never all
    (and unordered, so Postgres stops at the limit instead of sorting every match first)."""
    return leads.order_by()[: EXPORT_DIRECT_LIMIT + 1].count() <= EXPORT_DIRECT_LIMIT


def export_filename(fmt: str, suffix: str = "") -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"leads-{stamp}{'-' + suffix if suffix else ''}.{fmt}"


def export_xlsx_bytes(leads: QuerySet[Lead]) -> bytes:
    """A small export as an xlsx file in memory (at most EXPORT_DIRECT_LIMIT rows)."""
    buffer = io.BytesIO()
    export_xlsx_write(leads, export_columns(leads), buffer)
    return buffer.getvalue()


# Background exports -------------------------------------------------------------------

KIND = "export"
TASK = "leads.tasks.exports.export_leads"


def export_job_start(
    *, user: User, query: str, fmt: str, uuids: Iterable = (), language: str = ""
) -> Job:
    """Record a background export (a Job of kind "export") for ``user`` and queue it once
    the transaction commits. What to export goes in the job's params; the file's path and
    row count come back in its result."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    job = job_create(kind=KIND, user=user)
    job.params = {
        "format": fmt,
        "query": query,
        "uuids": [str(u) for u in uuids],
        "language": language or translation.get_language() or settings.LANGUAGE_CODE,
        "filename": export_filename(fmt, str(job.uuid)[:8]),
    }
    job.save(update_fields=["params"])
    return job_enqueue(job=job, task=TASK)


def export_job_get(*, user: User, job_id) -> Job:
    """A background export that ``user`` started. Http404 for anyone else's (admins too: the
    file holds what its owner may see) or one of another tenant (jobs live in its schema)."""
    job = Job.objects.filter(kind=KIND, created_by=user, uuid=uuid_or_none(job_id)).first()
    if job is None:
        raise Http404
    return job


def export_job_open(*, user: User, job_id):
    """The finished file of ``user``'s export, opened from the tenant's storage, and its
    download name. Http404 if it is not theirs, not finished, or its file was cleaned up."""
    job = export_job_get(user=user, job_id=job_id)
    path = job.result.get("path", "")
    if job.status != Job.Status.DONE or not path or not default_storage.exists(path):
        raise Http404
    return default_storage.open(path, "rb"), job.params["filename"]


def export_job_run(*, job: Job) -> dict:
    """Write a queued export (the body of its job). Safe to run twice: a rerun rewrites the
    same file.

    1. load the job's user, whose visibility is applied as it is now (an inactive or deleted
       user fails the job with a reason instead of exporting)
    2. count the rows (once, here, never in the list) and write CSV or xlsx to a temporary
       file, reporting progress every PROGRESS_EVERY rows
    3. save it to the tenant's storage under exports/; the result holds path and row count
    """
    user = User.objects.filter(pk=job.created_by_id, is_active=True).first()
    if user is None:
        raise JobError(_("The account that asked for it is inactive."))
    params = job.params
    with translation.override(params["language"]):
        leads = export_leads_for(user=user, query=QueryDict(params["query"]), uuids=params["uuids"])
        job_progress(job=job, done=0, total=leads.order_by().count())

        def progress(done: int) -> None:
            job_progress(job=job, done=done)

        columns = export_columns(leads)
        with tempfile.TemporaryFile() as tmp:
            if params["format"] == "xlsx":
                rows = export_xlsx_write(leads, columns, tmp, progress=progress)
            else:
                rows = 0
                for rows, line in enumerate(export_csv_lines(leads, columns)):
                    tmp.write(line.encode("utf-8"))
                    if rows and rows % PROGRESS_EVERY == 0:
                        progress(rows)
            tmp.seek(0)
            path = f"exports/{job.uuid}.{params['format']}"
            default_storage.delete(path)  # a rerun replaces its own file
            path = default_storage.save(path, File(tmp))
    job_progress(job=job, done=rows)
    return {"path": path, "rows": rows}


def exports_cleanup(*, now: datetime | None = None) -> int:
    """Delete the tenant's export files whose job has expired (older than JOB_TTL): nobody can
    download them any more. Returns how many went."""
    now = now or timezone.now()
    try:
        _dirs, files = default_storage.listdir("exports")
    except FileNotFoundError:
        return 0
    gone = 0
    for name in files:
        path = f"exports/{name}"
        if (now - default_storage.get_modified_time(path)).total_seconds() > JOB_TTL:
            default_storage.delete(path)
            gone += 1
    return gone
