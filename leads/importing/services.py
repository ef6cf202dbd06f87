"""Importing lead lists: upload, mapping and preview, the background run, the error report.

The run is a Job of kind "import" (leadcrm.jobs), queued when the mapping is confirmed; the
undo is another, of kind "import_void". The run handles rows in batches of BATCH. Each batch is
one transaction that writes its leads, its problems, the import's counts and the job's progress
together, with the job's row locked. So a worker killed mid-batch loses that batch only, and the
message delivered again resumes after the last committed batch: no row is imported twice. Good
rows land; a bad row is reported with its row number, column, value and reason and changes
nothing. A file that cannot be read fails the job with the reason; an unexpected error fails it
too (leadcrm.jobs.tasks), keeping the batches committed before it.

Duplicates are decided by the tenant's duplicate rules, as in every channel, against the tenant
and against the file's earlier rows (leads.importing.duplicates), and handled as the user chose:
skip the row, fill the existing lead's empty fields, or create and tag it; a "block" rule is
never overridden by "create and tag". A repeat of an earlier row of the file is always skipped.

A "campaign" column names an existing campaign (trimmed, case-insensitive), looked up once per
batch (leads.services.campaign_attach); a name that matches none is a warning and the row lands
without one. The import's campaign option attaches every row whose campaign cell is empty.

A row with a closed status (another CRM's history) is created closed and never routed
(leads.importing.history); ``create_fields`` makes custom fields of the unmapped columns when
the import starts (leads.importing.fields).
"""

from __future__ import annotations

import io

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from leadcrm.accounts.models import User
from leadcrm.jobs.errors import JobCancelled, JobError, JobRunningElsewhere
from leadcrm.jobs.models import Job
from leadcrm.jobs.services import job_create, job_enqueue, job_progress
from leadcrm.jobs.tasks import job_run
from leads.errors import LeadError
from leads.exports import export_cell_escape
from leads.hooks import destination_choices
from leads.identity.keys import keys_for
from leads.importing.duplicates import RowMatcher
from leads.importing.fields import import_fields_create
from leads.importing.history import history_apply, history_problems, history_take, is_closed
from leads.importing.mapping import (
    BUILTIN_TARGETS,
    HISTORY_TARGETS,
    clean_context,
    mapping_suggest,
    value_clean,
)
from leads.importing.reader import ImportFileError, Table, file_check, table_read
from leads.models import (
    Campaign,
    CampaignStatus,
    CustomFieldDefinition,
    ImportIssue,
    ImportJob,
    ImportMapping,
    Lead,
    LeadStatus,
    SourceChannel,
    default_region,
)
from leads.selectors import lead_can_write, leads_visible_to, owners_assignable_by
from leads.services.bulk_create import leads_create_bulk, leads_create_closed_bulk
from leads.services.campaign_attach import campaign_name_key, campaigns_by_name
from leads.services.lead import _clean, campaign_source_default, lead_assigned_notify, lead_update

BATCH = 500
KIND = "import"
VOID_KIND = "import_void"
#: The tasks are named, not imported: they call this module, never the other way round.
RUN_TASK = "leads.tasks.importing.import_leads"
VOID_TASK = "leads.tasks.importing.import_void_leads"
DUPLICATE_TAG = "possible duplicate"


def import_job_create(*, actor: User, filename: str, data: bytes, sheet: str = "") -> ImportJob:
    """Check and read the upload, keep it, and suggest a mapping. Raises ImportFileError."""
    file_check(data, filename)
    table = table_read(data, filename, sheet=sheet or None)
    if not table.rows and len(table.sheets) <= 1:  # another sheet may hold the leads
        raise ImportFileError(_("The file has column names but no rows of leads below them."))
    custom = CustomFieldDefinition.objects.filter(record="lead", is_active=True).values_list(
        "key", "label"
    )
    job = ImportJob(
        created_by=actor,
        filename=filename[:255],
        sheet=table.sheet,
        total_rows=len(table.rows),
    )
    job.mapping, job.mapping_name = mapping_initial(table.headers, custom)
    job.file.save(filename, ContentFile(data), save=False)
    job.save()
    return job


def mapping_initial(headers: list[str], custom=None) -> tuple[dict, str]:
    """(mapping, name of the saved mapping used or "") for a new upload: the saved mapping that
    fits the file best (every column it names is in the file), the suggestions for the rest."""
    if custom is None:
        custom = CustomFieldDefinition.objects.filter(record="lead", is_active=True).values_list(
            "key", "label"
        )
    suggested = {str(i): t for i, t in mapping_suggest(headers, custom).items()}
    saved = saved_mapping_best(headers)
    if saved is None:
        return suggested, ""
    return saved_mapping_apply(saved, headers, suggested), saved.name


def saved_mapping_best(headers: list[str]) -> ImportMapping | None:
    present = set(headers)
    best, best_hits = None, 0
    for saved in ImportMapping.objects.all():
        columns = set(saved.columns)
        hits = len(columns & present)
        if columns and hits == len(columns) and hits > best_hits:
            best, best_hits = saved, hits
    return best


def saved_mapping_apply(saved: ImportMapping, headers: list[str], suggested: dict) -> dict:
    """The saved choices for the columns it names; the suggestions elsewhere, unless the saved
    mapping already uses that field."""
    index = {header: str(i) for i, header in enumerate(headers)}
    out = {index[h]: t for h, t in saved.columns.items() if h in index and t}
    used = set(out.values())
    for column, target in suggested.items():
        if column not in out and target not in used:
            out[column] = target
            used.add(target)
    return out


def import_job_use_mapping(*, job: ImportJob, saved: ImportMapping, headers: list[str]) -> None:
    """Replace a waiting job's mapping with a saved one (the columns it names only)."""
    job.mapping = saved_mapping_apply(saved, headers, {})
    job.mapping_name = saved.name
    job.save(update_fields=["mapping", "mapping_name"])


def import_job_use_sheet(*, job: ImportJob, table: Table) -> None:
    """Point a waiting job at another sheet of its file (``table``, read from that sheet):
    its row count and a fresh mapping for that sheet's columns."""
    job.sheet = table.sheet
    job.mapping, job.mapping_name = mapping_initial(table.headers)
    job.total_rows = len(table.rows)
    job.save(update_fields=["sheet", "mapping", "mapping_name", "total_rows"])


def import_mapping_save(*, name: str, headers: list[str], mapping: dict, actor: User):
    """Save (or replace) a named mapping from a job's column mapping; returns it."""
    name = " ".join((name or "").split())[:100]
    if not name:
        raise LeadError(_("Give the mapping a name."))
    columns = {
        headers[int(i)]: target for i, target in mapping.items() if target and int(i) < len(headers)
    }
    if not columns:
        raise LeadError(_("Map at least one column before saving the mapping."))
    saved, _created = ImportMapping.objects.update_or_create(
        name=name, defaults={"columns": columns, "created_by": actor}
    )
    return saved


def import_table(job: ImportJob) -> Table:
    with job.file.open("rb") as handle:
        data = handle.read()
    return table_read(data, job.filename, sheet=job.sheet or None)


#: Cells a row is refused for: without its name, or with history it cannot read, the row
#: means nothing. Any other bad cell ("无" as an e-mail, a phone with three digits) is dropped
#: from the lead with a warning, its text kept in the lead's notes: the person still lands.
REFUSING_TARGETS = frozenset({"name", *HISTORY_TARGETS})


def _row_data(cells: list[str], mapping: dict, ctx: dict, row_number: int, headers):
    """(lead fields, problems that refuse the row, warnings about cells left out) for one
    row; each problem and warning is (column, value, reason)."""
    data: dict = {}
    custom: dict = {}
    problems, warnings = [], []
    for index, target in mapping.items():
        index = int(index)
        raw = cells[index] if index < len(cells) else ""
        if target == "external_id":
            if raw:
                custom["external_id"] = raw[:100]
            continue
        value, reason = value_clean(target, raw, ctx)
        if reason:
            (problems if target in REFUSING_TARGETS else warnings).append(
                (headers[index], raw, reason)
            )
            continue
        if value in ("", None, []):
            continue
        if target.startswith("cf:"):
            custom[target[3:]] = value
        else:
            data[target] = value
    if custom:
        data["custom_data"] = custom
    if warnings:  # what was left out stays with the lead, as the file had it
        kept = "\n".join(f"{column}: {raw}" for column, raw, _reason in warnings)
        data["notes"] = f"{data['notes']}\n{kept}" if data.get("notes") else kept
    if not data.get("name") and not problems:
        column = next((headers[int(i)] for i, t in mapping.items() if t == "name"), _("name"))
        problems.append((column, "", _("the name is required")))
    return data, problems, warnings


def import_preview(job: ImportJob, mapping: dict, limit: int = 10) -> list[dict]:
    """The first rows as the import would read them: per cell, the value, any problem, and
    whether the problem refuses the row (else the row lands without that cell)."""
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
            checked.append({"raw": raw, "target": target, "error": reason,
                            "refuses": target in REFUSING_TARGETS})  # fmt: skip
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
    destination: str = "",
    save_mapping_as: str = "",
    create_fields: bool = False,
    campaign: Campaign | None = None,
    in_worker: bool = True,
) -> ImportJob:
    """Check the mapping and options and queue the run: a Job of kind "import" for ``actor``
    whose total is the file's rows. ``destination`` ("pool:<uuid>") must be one the actor may
    choose; ``save_mapping_as`` also keeps the mapping under that name; ``create_fields``
    (tenant admins) maps every unmapped column to a custom field, created for it if need be
    (leads.importing.fields), in the same transaction: a refusal creates none; ``campaign``
    (not a cancelled one) is joined by every row whose campaign cell is empty. Without
    ``in_worker`` nothing is queued: the caller runs it in its own process (``import_run``).
    Raises LeadError, also when the import has already started (two confirmations at once:
    one wins)."""
    if job.job_id is not None:
        raise LeadError(_("This import has already started."))
    if not job.total_rows:
        raise LeadError(_("This sheet has no rows of leads: choose another sheet or file."))
    targets = [t for t in mapping.values() if t]
    if "name" not in targets:
        raise LeadError(_("Map a column to the name: every lead needs one."))
    if len(targets) != len(set(targets)):
        raise LeadError(_("Each field can take one column only."))
    allowed = set(BUILTIN_TARGETS) | {
        f"cf:{k}"
        for k in CustomFieldDefinition.objects.filter(record="lead").values_list("key", flat=True)
    }
    if set(targets) - allowed:
        raise LeadError(_("Unknown field in the mapping."))
    if {"loss_reason", "closed_at"} & set(targets) and "status" not in targets:
        raise LeadError(_("Map the status column too: a loss reason or a closed date needs it."))
    if on_duplicate not in ImportJob.OnDuplicate.values:
        raise LeadError(_("Choose what to do with duplicates."))
    if destination and owner is not None:
        raise LeadError(_("Choose an owner or a pool, not both."))
    if owner is not None and not owners_assignable_by(actor).filter(pk=owner.pk).exists():
        raise LeadError(_("You can assign leads only to yourself or your team."))
    if destination and destination not in dict(destination_choices(actor)):
        raise LeadError(_("You cannot send leads to that pool."))
    if campaign is not None and campaign.status == CampaignStatus.CANCELLED:
        raise LeadError(_("The campaign %(campaign)s is cancelled.") % {"campaign": campaign})
    with transaction.atomic():
        if create_fields:
            mapping = import_fields_create(actor=actor, table=import_table(job), mapping=mapping)
        if save_mapping_as:
            job.mapping_name = import_mapping_save(
                name=save_mapping_as,
                headers=import_table(job).headers,
                mapping=mapping,
                actor=actor,
            ).name
        run = job_create(
            kind=KIND, user=actor, total=job.total_rows, params={"import": str(job.uuid)}
        )
        options = {
            "mapping": {k: v for k, v in mapping.items() if v},
            "mapping_name": job.mapping_name,
            "on_duplicate": on_duplicate,
            "owner": owner,
            "source_detail": (source_detail or "").strip()[:200],
            "run_rules": run_rules,
            "destination": destination,
            "campaign": campaign,
        }
        if not ImportJob.objects.filter(pk=job.pk, job=None).update(job=run, **options):
            raise LeadError(_("This import has already started."))
        for field, value in {**options, "job": run}.items():
            setattr(job, field, value)
        if in_worker:
            job_enqueue(job=run, task=RUN_TASK)
    return job


def _campaign_attach(
    data: dict, campaigns: dict, imported: ImportJob, row_number: int, columns: dict
) -> list[ImportIssue]:
    """Put the row's campaign in ``data``: the one its cell names (``campaigns``, the batch's
    names looked up at once), the import's when the cell is empty. A name that matches no
    campaign is a warning; the row lands without one."""
    name = data.pop("campaign", "")
    if not name:
        if imported.campaign_id is not None:
            data["campaign"] = imported.campaign
        return []
    campaign = campaigns.get(campaign_name_key(name))
    if campaign is not None:
        data["campaign"] = campaign
        return []
    return [
        ImportIssue(
            job=imported, row_number=row_number, is_error=False,
            column=str(columns.get("campaign", ""))[:100], value=name[:300],
            reason=_("no open campaign has this name (or several do); imported without a campaign"),
        )
    ]  # fmt: skip


def _visible_ids(actor: User | None, matched: set[Lead]) -> set[int]:
    """Ids of the batch's matched leads the importer may open (all of them for a run with no
    person behind it)."""
    ids = {lead.pk for lead in matched}
    if actor is None or not ids:
        return ids
    return set(leads_visible_to(actor).filter(pk__in=ids).values_list("pk", flat=True))


def _may_update(actor: User | None, lead: Lead) -> bool:
    return actor is None or lead_can_write(actor, lead)


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


def import_run(import_id: int) -> ImportJob:
    """Run (or resume) the queued import ``import_id`` in this process, as the worker would
    (the import_leads command): its Job ends done, or failed with a reason. Does nothing for
    one that has ended or has no job yet. Returns the import, read again."""
    run_id = ImportJob.objects.filter(pk=import_id).values_list("job_id", flat=True).get()
    if run_id is not None:
        job_run(run_id, lambda job: import_perform(job=job))
    return ImportJob.objects.select_related("job", "created_by", "owner").get(pk=import_id)


def import_perform(*, job: Job) -> None:
    """The run of an import: the body of its Job (see the module docstring). Safe to resume
    and to run twice at once: each batch locks the job and goes on only from the progress the
    last one committed (JobRunningElsewhere when another run got there first). Raises
    JobError when the file cannot be read; reasons in the report are written in the language
    of the person who started it (the job runs in it)."""
    imported = ImportJob.objects.select_related("created_by", "owner", "campaign__source").get(
        job=job
    )
    try:
        table = import_table(imported)
    except ImportFileError as error:
        raise JobError(error.message) from error
    ctx = clean_context()
    region = default_region()
    actor = imported.created_by
    import_source = SourceChannel.objects.filter(code="import").first()
    matcher = RowMatcher()
    columns = {target: table.headers[int(i)] for i, target in imported.mapping.items()
               if int(i) < len(table.headers)}  # fmt: skip
    start = job.done
    for row_number, cells in table.rows[:start]:  # resuming: the file's earlier rows
        data, problems, _warnings = _row_data(
            cells, imported.mapping, ctx, row_number, table.headers
        )
        if not problems:
            matcher.remember(row_number, data, keys_for(data, region))
    while start < len(table.rows):
        batch = table.rows[start : start + BATCH]
        with transaction.atomic():
            locked = Job.objects.select_for_update().get(pk=job.pk)
            if locked.status != Job.Status.RUNNING:
                raise JobCancelled(job.uuid)
            if locked.done != start:  # another run of the same job got here first
                raise JobRunningElsewhere(job.uuid)
            counts = {"created": 0, "updated": 0, "skipped": 0, "duplicates": 0, "errors": 0,
                      "closed": 0, "loss_reasons_added": 0}  # fmt: skip
            issues, prepared = [], []
            parsed = [
                (n, *_row_data(cells, imported.mapping, ctx, n, table.headers))
                for n, cells in batch
            ]
            campaigns = campaigns_by_name(d.get("campaign", "") for _n, d, _p, _w in parsed)
            for row_number, data, problems, warnings in parsed:
                if not problems:
                    issues += _campaign_attach(data, campaigns, imported, row_number, columns)
                history = history_take(data)  # not lead fields: _clean would drop them
                if not problems:
                    problems += history_problems(history, columns)
                if not problems:
                    try:
                        data = _clean(data)
                    except LeadError as error:
                        problems.append((error.field or "", "", error.message))
                if problems:
                    counts["errors"] += 1
                    issues += [
                        ImportIssue(job=imported, row_number=row_number, column=str(c)[:100],
                                    value=str(v)[:300], reason=str(r)[:300])
                        for c, v, r in problems + warnings
                    ]  # fmt: skip
                    continue
                issues += [  # the row lands without these cells
                    ImportIssue(job=imported, row_number=row_number, column=str(c)[:100],
                                value=str(v)[:300], reason=str(r)[:300], is_error=False)
                    for c, v, r in warnings
                ]  # fmt: skip
                if "source" not in data:  # the campaign's source, else "Import"
                    campaign_source_default(data)
                    if import_source and "source" not in data:
                        data["source"] = import_source
                if imported.source_detail and not data.get("source_detail"):
                    data["source_detail"] = imported.source_detail
                prepared.append((row_number, data, keys_for(data, region), history))
            matches = matcher.match_batch([(n, data, keys) for n, data, keys, _h in prepared])
            visible = _visible_ids(actor, {m.lead for m in matches if m and m.lead})
            skip_mode = ImportJob.OnDuplicate.SKIP
            to_create, create_keys, closed, closed_keys = [], [], [], []
            for (row_number, data, row_keys, history), match in zip(prepared, matches, strict=True):
                repeats = match and (
                    match.row_number or (imported.on_duplicate != skip_mode and match.repeats_row)
                )
                if repeats:  # an earlier row of the file already created, updated or flagged it
                    counts["duplicates"] += 1
                    counts["skipped"] += 1
                    issues.append(ImportIssue(
                        job=imported, row_number=row_number, is_error=False,
                        reason=_("duplicate of row %(row)d in this file (%(rule)s)")
                        % {"row": repeats, "rule": match.rule.label},
                    ))  # fmt: skip
                    continue
                if match is not None:
                    counts["duplicates"] += 1
                    mode = imported.on_duplicate
                    hidden = match.lead.pk not in visible
                    if mode == ImportJob.OnDuplicate.UPDATE and not _may_update(actor, match.lead):
                        counts["skipped"] += 1  # never changed under the importer's name
                        issues.append(ImportIssue(
                            job=imported, row_number=row_number, is_error=False,
                            reason=_("matches a lead you cannot open (%(rule)s): not updated")
                            % {"rule": match.rule.label} if hidden
                            else _("matches a lead you may not change: %(lead)s (%(rule)s)")
                            % {"lead": match.lead, "rule": match.rule.label},
                        ))  # fmt: skip
                        continue
                    if mode == ImportJob.OnDuplicate.UPDATE:
                        try:
                            filled = _fill_empty(match.lead, data, actor)
                        except LeadError as error:  # the filled values clash with a block rule
                            filled = False
                            issues.append(ImportIssue(
                                job=imported, row_number=row_number, is_error=False,
                                reason=str(error.message)[:300],
                            ))  # fmt: skip
                        matcher.forget(match.lead.pk)  # read again if a later row meets it
                        counts["updated" if filled else "skipped"] += 1
                        continue
                    if mode == ImportJob.OnDuplicate.SKIP or match.blocks:
                        counts["skipped"] += 1
                        reason = (
                            _("blocked by the duplicate rule “%(rule)s”: %(lead)s")
                            if match.blocks and mode != ImportJob.OnDuplicate.SKIP
                            else _("already in the CRM: %(lead)s (%(rule)s)")
                        )
                        # A lead the importer cannot open is never named (no lookup of
                        # invisible leads by phone number through the report).
                        lead_named = _("a lead you cannot open") if hidden else match.lead
                        issues.append(ImportIssue(
                            job=imported, row_number=row_number, is_error=False,
                            reason=reason % {"lead": lead_named, "rule": match.rule.label},
                        ))  # fmt: skip
                        continue
                    data["tags"] = sorted({*(data.get("tags") or []), DUPLICATE_TAG})
                counts["loss_reasons_added"] += history_apply(data, history, ctx)
                if is_closed(history):  # history of another CRM: never routed nor converted
                    closed.append(data)
                    closed_keys.append(row_keys)
                    continue
                to_create.append(data)
                create_keys.append(row_keys)
            leads_create_closed_bulk(
                closed, actor=actor, reason=f"imported: {imported.filename}", keys=closed_keys,
                import_job_id=imported.pk,
            )  # fmt: skip
            leads_create_bulk(
                to_create, actor=actor, owner=imported.owner,
                reason=f"imported: {imported.filename}",
                route=imported.run_rules and imported.owner is None, keys=create_keys,
                destination=imported.destination, import_job_id=imported.pk,
            )  # fmt: skip
            counts["created"] = len(to_create) + len(closed)
            counts["closed"] = len(closed)
            ImportIssue.objects.bulk_create(issues, batch_size=1000)
            ImportJob.objects.filter(pk=imported.pk).update(
                **{key: F(key) + value for key, value in counts.items()}
            )
            job_progress(job=job, done=start + len(batch), total=len(table.rows))
        start += len(batch)
    done = ImportJob.objects.select_related("created_by", "owner").get(pk=imported.pk)
    transaction.on_commit(lambda: _import_notify(done))


def _import_notify(job: ImportJob) -> None:
    """The person who started the import hears it finished (they may have left the page); the
    owner who got the leads hears it once for the whole file. Safe to call twice."""
    from django.urls import reverse

    from leadcrm.notifications.models import Notification
    from leadcrm.notifications.services import notification_send
    from leadcrm.notifications.texts import text

    if job.created_by is not None:
        notification_send(
            recipient=job.created_by,
            kind=Notification.Kind.GENERAL,
            title=text("leads.import_finished", file=job.filename),
            body=text("leads.import_counts", created=f"{job.created:,}", updated=f"{job.updated:,}",
                      skipped=f"{job.skipped:,}", errors=f"{job.errors:,}"),
            url=reverse("leads-import-status", kwargs={"uuid": job.uuid}),
            dedup_key=f"import-done:{job.uuid}",
        )  # fmt: skip
    handed = job.created - job.closed  # closed history has no owner
    if job.owner is not None and job.owner_id != job.created_by_id and handed:
        first = Lead.objects.filter(import_job=job, owner=job.owner).order_by("pk").first()
        if first is not None:
            lead_assigned_notify(
                owner=job.owner,
                lead=first,
                count=handed,
                imported_from=job.source_detail or job.filename,
            )


def _report_rows(job: ImportJob):
    yield [_("Row"), _("Column"), _("Value"), _("Reason"), _("Imported?")]
    for issue in job.issues.all().iterator(chunk_size=2000):
        yield [
            issue.row_number,
            export_cell_escape(issue.column),
            export_cell_escape(issue.value),
            export_cell_escape(issue.reason),
            _imported_label(issue),
        ]


def _imported_label(issue: ImportIssue) -> str:
    """Was the row imported? Errors: no. Warnings about a cell (a campaign name matching
    none): yes, without that value. Other warnings are about duplicates."""
    if issue.is_error:
        return _("no")
    if issue.column:
        return _("yes, without this value")
    return _("skipped as a duplicate")


def import_error_report_csv(job: ImportJob) -> str:
    """The problem report as CSV (UTF-8 with a byte-order mark, so Excel reads Chinese);
    cells escaped against formula injection as in the xlsx."""
    import csv

    out = io.StringIO()
    writer = csv.writer(out)
    for row in _report_rows(job):
        writer.writerow(row)
    return "\ufeff" + out.getvalue()


def import_error_report(job: ImportJob) -> bytes:
    """The rows that were not imported (and the duplicates), as an xlsx: row, column, value,
    reason. Cells are escaped against formula injection."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Problems"))
    for row in _report_rows(job):
        sheet.append(row)
    _rows_to_fix(book, job)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rows_to_fix(book, job: ImportJob) -> None:
    """A second sheet with the refused rows as they were in the file plus the reasons, so
    they can be corrected there and uploaded again as they are."""
    reasons: dict[int, list[str]] = {}
    for row_number, column, reason in job.issues.filter(is_error=True).values_list(
        "row_number", "column", "reason"
    ):
        reasons.setdefault(row_number, []).append(f"{column}: {reason}" if column else reason)
    if not reasons or not job.file:
        return
    try:
        table = import_table(job)
    except (ImportFileError, OSError):
        return  # the upload is gone (cleaned up): the first sheet still says it all
    from openpyxl.cell import WriteOnlyCell

    def text(value: str) -> WriteOnlyCell:
        # Typed as text, never a formula, and unchanged ("+49 ..." stays a phone number).
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell

    sheet = book.create_sheet(_("Rows to fix"))
    sheet.append([_("Row"), *(text(h) for h in table.headers), _("Reason")])
    for row_number, cells in table.rows:
        if row_number in reasons:
            sheet.append(
                [row_number, *(text(c) for c in cells), text("; ".join(reasons[row_number]))]
            )


#: An upload never mapped is dropped after this; a finished import's file after FILE_DAYS
#: (its counts, problems and report stay; the report's "Rows to fix" sheet needs the file).
ABANDONED_DAYS = 7
FILE_DAYS = 90


def imports_cleanup(*, now=None) -> tuple[int, int]:
    """(abandoned uploads deleted, old files deleted) for the current tenant."""
    from datetime import timedelta

    now = now or timezone.now()
    abandoned = ImportJob.objects.filter(
        job=None, created_at__lt=now - timedelta(days=ABANDONED_DAYS)
    )
    dropped = 0
    for job in abandoned:
        job.file.delete(save=False)
        job.delete()
        dropped += 1
    old = ImportJob.objects.filter(
        job__status__in=(Job.Status.DONE, Job.Status.FAILED, Job.Status.CANCELLED),
        job__finished_at__lt=now - timedelta(days=FILE_DAYS),
    ).exclude(file="")
    files = 0
    for job in old:
        job.file.delete(save=False)
        ImportJob.objects.filter(pk=job.pk).update(file="")
        files += 1
    return dropped, files


def import_void_request(*, job: ImportJob, actor: User) -> ImportJob:
    """ "Undo this import": queue voiding the leads it created, as a Job of kind "import_void"
    for ``actor`` (tenant admins only; void leads can be restored one by one). Refused while
    the import runs or when it made none; while an undo is queued or running, a second request
    queues nothing (the import's row is locked, so two at once cannot both start one)."""
    if not actor.is_tenant_admin:
        raise LeadError(_("Only tenant admins can void the leads of an import."))
    with transaction.atomic():
        imports = ImportJob.objects.select_related("job", "void_job")
        locked = imports.select_for_update(of=("self",)).get(pk=job.pk)
        if locked.status != ImportJob.Status.DONE:
            raise LeadError(_("Wait until the import has finished."))
        if not locked.created:
            raise LeadError(_("This import created no leads."))
        if locked.void_job is not None and locked.void_job.is_active:
            return locked
        locked.void_job = job_create(
            kind=VOID_KIND,
            user=actor,
            total=locked.created,
            params={"import": str(locked.uuid)},
        )
        locked.save(update_fields=["void_job"])
        job_enqueue(job=locked.void_job, task=VOID_TASK)
    return locked


def import_void_perform(*, job: Job) -> dict:
    """Void the import's leads that are still open (the body of its "import_void" Job, run
    for the admin who asked), each through lead_change_status (history, rules) in its own
    savepoint: a lead that cannot be voided (converted meanwhile) is left and counted. Safe
    to resume and to run twice: void leads are skipped. Returns {"voided": voided by this
    run, "left": leads left}; the import's ``voided`` adds up every run."""
    from leads.services.lead import lead_change_status

    imported = ImportJob.objects.get(void_job=job)
    actor = job.created_by  # the history names them (nobody if their account was deleted)
    leads = imported.leads.order_by("pk")
    to_void = leads.exclude(status=LeadStatus.VOID)
    total = leads.count()
    already = total - to_void.count()
    job_progress(job=job, done=already, total=total)
    voided = left = 0
    for lead in to_void.iterator(chunk_size=500):
        try:
            with transaction.atomic():
                lead_change_status(lead=lead, to_status=LeadStatus.VOID, actor=actor)
        except LeadError:
            left += 1
        else:
            voided += 1
            if voided % 500 == 0:
                ImportJob.objects.filter(pk=imported.pk).update(voided=F("voided") + 500)
                job_progress(job=job, done=already + voided + left)
    ImportJob.objects.filter(pk=imported.pk).update(voided=F("voided") + voided % 500)
    job_progress(job=job, done=already + voided + left)
    return {"voided": voided, "left": left}
