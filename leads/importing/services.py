"""Importing lead lists: upload, mapping and preview, the background run, the error report.

The run handles rows in batches of BATCH. Each batch is one transaction that writes its leads,
its problems and the job's counters together; the job row is locked for it. So a worker killed
mid-batch loses that batch only, and a retried task starts where the last committed batch ended:
no row is imported twice. Good rows land; a bad row is reported with its row number, column,
value and reason and changes nothing.

Duplicates are caught inside the file (same email or phone as an earlier row) and against the
tenant (exact email, phone or mobile keys, or the same company and name), and handled as the
user chose: skip the row, fill the existing lead's empty fields, or create and tag it.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from leadcrm.accounts.models import User
from leads.dedup.keys import default_region, keys_for
from leads.errors import LeadError
from leads.exports import export_cell_escape
from leads.importing.mapping import BUILTIN_TARGETS, clean_context, mapping_suggest, value_clean
from leads.importing.reader import ImportFileError, Table, file_check, table_read
from leads.models import CustomFieldDefinition, ImportIssue, ImportJob, Lead, SourceChannel
from leads.services import _clean, lead_update
from leads.services.bulk_create import leads_create_bulk

BATCH = 500
DUPLICATE_TAG = "possible duplicate"


def import_job_create(*, actor: User, filename: str, data: bytes, sheet: str = "") -> ImportJob:
    """Check and read the upload, keep it, and suggest a mapping. Raises ImportFileError."""
    file_check(data, filename)
    table = table_read(data, filename, sheet=sheet or None)
    custom = CustomFieldDefinition.objects.filter(is_active=True).values_list("key", "label")
    job = ImportJob(
        created_by=actor,
        filename=filename[:255],
        sheet=table.sheet,
        total_rows=len(table.rows),
        mapping={str(i): t for i, t in mapping_suggest(table.headers, custom).items()},
    )
    job.file.save(filename, ContentFile(data), save=False)
    job.save()
    return job


def import_table(job: ImportJob) -> Table:
    with job.file.open("rb") as handle:
        data = handle.read()
    return table_read(data, job.filename, sheet=job.sheet or None)


def _row_data(cells: list[str], mapping: dict, ctx: dict, row_number: int, headers):
    """(lead fields, problems) for one row."""
    data: dict = {}
    custom: dict = {}
    problems = []
    for index, target in mapping.items():
        index = int(index)
        raw = cells[index] if index < len(cells) else ""
        if target == "external_id":
            if raw:
                custom["external_id"] = raw[:100]
            continue
        value, reason = value_clean(target, raw, ctx)
        if reason:
            problems.append((headers[index], raw, reason))
            continue
        if value in ("", None, []):
            continue
        if target.startswith("cf:"):
            custom[target[3:]] = value
        else:
            data[target] = value
    if custom:
        data["custom_data"] = custom
    if not data.get("name") and not problems:
        problems.append((_("name"), "", _("the name is required")))
    return data, problems


def import_preview(job: ImportJob, mapping: dict, limit: int = 10) -> list[dict]:
    """The first rows as the import would read them: per cell, the value and any problem."""
    table = import_table(job)
    ctx = clean_context()
    rows = []
    for row_number, cells in table.rows[:limit]:
        checked = []
        for index, raw in enumerate(cells):
            target = mapping.get(str(index))
            reason = None
            if target and target != "external_id":
                _value, reason = value_clean(target, raw, ctx)
            checked.append({"raw": raw, "target": target, "error": reason})
        rows.append({"number": row_number, "cells": checked})
    return rows


def import_job_start(
    *,
    job: ImportJob,
    actor: User,
    mapping: dict,
    on_duplicate: str,
    owner: User | None,
    source_detail: str,
    run_rules: bool,
) -> ImportJob:
    from leadcrm.tasking import enqueue_on_commit
    from leads.tasks_import import import_run_task

    if job.status != ImportJob.Status.UPLOADED:
        raise LeadError(_("This import has already started."))
    targets = [t for t in mapping.values() if t]
    if "name" not in targets:
        raise LeadError(_("Map a column to the name: every lead needs one."))
    if len(targets) != len(set(targets)):
        raise LeadError(_("Each field can take one column only."))
    allowed = set(BUILTIN_TARGETS) | {
        f"cf:{k}" for k in CustomFieldDefinition.objects.values_list("key", flat=True)
    }
    if set(targets) - allowed:
        raise LeadError(_("Unknown field in the mapping."))
    if on_duplicate not in ImportJob.OnDuplicate.values:
        raise LeadError(_("Choose what to do with duplicates."))
    with transaction.atomic():
        job.mapping = {k: v for k, v in mapping.items() if v}
        job.on_duplicate = on_duplicate
        job.owner = owner
        job.source_detail = (source_detail or "").strip()[:200]
        job.run_rules = run_rules
        job.status = ImportJob.Status.QUEUED
        job.save()
        enqueue_on_commit(import_run_task, job.pk, queue="import")
    return job


def _existing(keyed: list[dict]) -> dict[str, Lead]:
    """Existing leads by key ("e:", "p:", "cn:") for a batch, one query."""
    emails = {k["email_key"] for k in keyed if k["email_key"]}
    phones = {k[f] for k in keyed for f in ("phone_key", "mobile_key") if k[f]}
    pairs = {(k["company_key"], k["name_key"]) for k in keyed if k["company_key"] and k["name_key"]}
    condition = Q(pk__in=[])
    if emails:
        condition |= Q(email_key__in=emails)
    if phones:
        condition |= Q(phone_key__in=phones) | Q(mobile_key__in=phones)
    if pairs:
        condition |= Q(company_key__in={c for c, _n in pairs}, name_key__in={n for _c, n in pairs})
    found: dict[str, Lead] = {}
    for lead in Lead.objects.filter(condition, merged_into__isnull=True).exclude(status="void"):
        for prefix, value in (
            ("e:", lead.email_key),
            ("p:", lead.phone_key),
            ("p:", lead.mobile_key),
        ):
            if value:
                found.setdefault(prefix + value, lead)
        if lead.company_key and lead.name_key:
            found.setdefault(f"cn:{lead.company_key}|{lead.name_key}", lead)
    return found


def _row_keys(keys: dict) -> list[str]:
    out = []
    if keys["email_key"]:
        out.append("e:" + keys["email_key"])
    out += ["p:" + keys[f] for f in ("phone_key", "mobile_key") if keys[f]]
    if keys["company_key"] and keys["name_key"]:
        out.append(f"cn:{keys['company_key']}|{keys['name_key']}")
    return out


def _fill_empty(lead: Lead, data: dict, actor: User | None) -> bool:
    changes = {
        field: value
        for field, value in data.items()
        if field not in ("custom_data", "tags") and getattr(lead, field, None) in ("", None)
    }
    if not changes:
        return False
    lead_update(lead=lead, actor=actor, **changes)
    return True


def import_run(job_id: int) -> ImportJob:
    """Run (or resume) an import; safe to call twice (see the module docstring). Reasons in
    the report are written in the language of the person who started it."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    language = getattr(job.created_by, "language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        return _import_run(job)


def _import_run(job: ImportJob) -> ImportJob:
    if job.status in (ImportJob.Status.DONE, ImportJob.Status.UPLOADED):
        return job
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, started_at=job.started_at or timezone.now()
    )
    try:
        table = import_table(job)
    except ImportFileError as error:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, message=error.message[:300], finished_at=timezone.now()
        )
        return ImportJob.objects.get(pk=job.pk)
    ctx = clean_context()
    region = default_region()
    actor = job.created_by
    import_source = SourceChannel.objects.filter(code="import").first()
    seen: dict[str, int] = {}  # key -> first row number in this file
    for row_number, cells in table.rows[: job.processed]:  # resuming: the file's earlier rows
        data, problems = _row_data(cells, job.mapping, ctx, row_number, table.headers)
        if not problems:
            for key in _row_keys(keys_for(data, region)):
                seen.setdefault(key, row_number)
    start = job.processed
    while start < len(table.rows):
        batch = table.rows[start : start + BATCH]
        with transaction.atomic():
            locked = ImportJob.objects.select_for_update().get(pk=job.pk)
            if locked.processed != start:  # another run got here first
                return locked
            counts = {"created": 0, "updated": 0, "skipped": 0, "duplicates": 0, "errors": 0}
            issues, prepared = [], []
            for row_number, cells in batch:
                data, problems = _row_data(cells, locked.mapping, ctx, row_number, table.headers)
                if not problems:
                    try:
                        data = _clean(data)
                    except LeadError as error:
                        problems.append((error.field or "", "", error.message))
                if problems:
                    counts["errors"] += 1
                    issues += [
                        ImportIssue(job=locked, row_number=row_number, column=str(c)[:100],
                                    value=str(v)[:300], reason=str(r)[:300])
                        for c, v, r in problems
                    ]  # fmt: skip
                    continue
                if "source" not in data and import_source:
                    data["source"] = import_source
                if locked.source_detail and not data.get("source_detail"):
                    data["source_detail"] = locked.source_detail
                row_keys = keys_for(data, region)
                prepared.append((row_number, data, row_keys, _row_keys(row_keys)))
            existing = _existing([k for _n, _d, k, _l in prepared])
            to_create, create_keys = [], []
            for row_number, data, row_keys, keys in prepared:
                earlier = next((seen[k] for k in keys if k in seen), None)
                if earlier is not None:
                    counts["duplicates"] += 1
                    counts["skipped"] += 1
                    issues.append(ImportIssue(
                        job=locked, row_number=row_number, is_error=False,
                        reason=_("duplicate of row %(row)d in this file") % {"row": earlier},
                    ))  # fmt: skip
                    continue
                for key in keys:
                    seen.setdefault(key, row_number)
                match = next((existing[k] for k in keys if k in existing), None)
                if match is not None:
                    counts["duplicates"] += 1
                    mode = locked.on_duplicate
                    if mode == ImportJob.OnDuplicate.SKIP:
                        counts["skipped"] += 1
                        issues.append(ImportIssue(
                            job=locked, row_number=row_number, is_error=False,
                            reason=_("already in the CRM: %(lead)s") % {"lead": match},
                        ))  # fmt: skip
                        continue
                    if mode == ImportJob.OnDuplicate.UPDATE:
                        if _fill_empty(match, data, actor):
                            counts["updated"] += 1
                        else:
                            counts["skipped"] += 1
                        continue
                    data["tags"] = sorted({*(data.get("tags") or []), DUPLICATE_TAG})
                to_create.append(data)
                create_keys.append(row_keys)
            leads_create_bulk(
                to_create, actor=actor, owner=locked.owner, reason=f"imported: {locked.filename}",
                hooks=locked.run_rules and locked.owner is None, keys=create_keys,
            )  # fmt: skip
            counts["created"] = len(to_create)
            ImportIssue.objects.bulk_create(issues, batch_size=1000)
            for key, value in counts.items():
                setattr(locked, key, getattr(locked, key) + value)
            locked.processed = start + len(batch)
            locked.save()
        start += len(batch)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE, finished_at=timezone.now()
    )
    return ImportJob.objects.get(pk=job.pk)


def import_error_report(job: ImportJob) -> bytes:
    """The rows that were not imported (and the duplicates), as an xlsx: row, column, value,
    reason. Cells are escaped against formula injection."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Problems"))
    sheet.append([_("Row"), _("Column"), _("Value"), _("Reason"), _("Imported?")])
    for issue in job.issues.all().iterator(chunk_size=2000):
        sheet.append(
            [
                issue.row_number,
                export_cell_escape(issue.column),
                export_cell_escape(issue.value),
                export_cell_escape(issue.reason),
                _("no") if issue.is_error else _("skipped as a duplicate"),
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
