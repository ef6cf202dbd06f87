"""Imports and data quality: the period's imports with what each made of its rows, their
problems by kind, the period's merges by person, and the data quality of the open leads now.

Who sees what follows the pages each part comes from:
- imports as on the import pages (leads.views.importing): a tenant admin every import, a
  manager or pool admin their own; the team and person filters narrow whose imports;
- merges: those done by the people of the reader's line (everyone for a tenant admin), narrowed
  by the team and person filters;
- data quality: the leads the reports cover (analytics.selectors.scope), with every filter.

Queries are few and constant whatever the number of rows: one for the imports (their warnings
counted in the same query), one for the problems by kind, one for the merges, one for the data
quality, plus the scope's own (who is in the reader's line) and one ``exists`` when the period
has no import. Indexes: ``import_issue_row`` (job, row_number) serves the issues of the
period's imports; ``lead_owner_score`` (owner first) and ``lead_status_score`` (status first)
the open leads of a scope; ``ImportJob.created_at`` and ``LeadMerge.at`` have none (one row per
uploaded file and per merge: small tables, read whole).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Q, QuerySet, Sum

from analytics.filters import ReportFilters
from analytics.models import OpenLeadFigures
from analytics.rollups import rollup_in_use
from analytics.selectors.scope import owners_narrowed, scoped_leads
from leadcrm.accounts.models import User
from leads.importing.services import DUPLICATE_TAG
from leads.models import OPEN_STATUSES, ImportIssue, ImportJob, LeadMerge

#: Problems by kind: the most frequent shown.
PROBLEM_KINDS_MAX = 10


@dataclass
class ImportRow:
    uuid: str
    at: datetime
    by: str
    filename: str
    status: str
    status_label: str
    #: Rows in the file (its sheet).
    rows: int
    #: Leads created (closed history rows included) and existing leads filled in.
    created: int
    updated: int
    #: Rows matching a duplicate rule and not imported (every skipped row is such a row).
    skipped: int
    #: Rows matching a duplicate rule created anyway and tagged "possible duplicate":
    #: duplicates - skipped - updated (a matching row is one of the three, see import_perform).
    flagged: int
    #: Rows refused for a problem (a bad value, no name): ImportJob.errors.
    problems: int
    #: Notes on rows that were imported or skipped anyway (ImportIssue.is_error = False).
    warnings: int


@dataclass
class ImportTotals:
    imports: int = 0
    rows: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    flagged: int = 0
    problems: int = 0
    warnings: int = 0


@dataclass
class ProblemKind:
    column: str
    reason: str
    #: Problems (one per refused cell; a row may have several).
    count: int


@dataclass
class MergeRow:
    actor: str
    #: Merges made in the period and not undone, and the leads they merged away.
    merges: int
    merged_away: int
    #: Merges made in the period and undone since.
    undone: int


#: The checks of the open leads, in the order shown (key, condition).
QUALITY_CHECKS = (
    ("no_phone", Q(phone="", mobile="")),
    ("no_email", Q(email="")),
    ("no_company", Q(company="")),
    ("no_source", Q(source__isnull=True)),
    ("no_owner", Q(owner__isnull=True)),
    ("possible_duplicate",
     Q(tags__contains=[DUPLICATE_TAG]) | Q(auto_tags__contains=[DUPLICATE_TAG])),
    ("never_followed_up", Q(first_follow_up_at__isnull=True)),
)  # fmt: skip


@dataclass
class QualityRow:
    key: str
    #: Per open status (OPEN_STATUSES order), and in all.
    by_status: list[int] = field(default_factory=list)
    count: int = 0
    share: float = 0.0


@dataclass
class DataQuality:
    #: Open leads per status (OPEN_STATUSES order) and in all.
    open_by_status: list[int]
    open_total: int
    rows: list[QualityRow]


def _imports(user: User, filters: ReportFilters) -> QuerySet[ImportJob]:
    creators = owners_narrowed(user, filters)
    if not user.is_tenant_admin:
        creators = {user.pk} & creators if creators is not None else {user.pk}
    jobs = ImportJob.objects.filter(created_at__gte=filters.start, created_at__lt=filters.end)
    if creators is not None:
        jobs = jobs.filter(created_by_id__in=creators)
    return jobs


def import_rows(user: User, filters: ReportFilters) -> list[ImportRow]:
    """The period's imports (by when they were uploaded), newest first."""
    jobs = (
        _imports(user, filters)
        .select_related("created_by", "job")
        .annotate(warnings=Count("issues", filter=Q(issues__is_error=False)))
        .order_by("-created_at", "-id")
    )
    return [
        ImportRow(
            uuid=str(job.uuid),
            at=job.created_at,
            by=job.created_by.full_name if job.created_by else "",
            filename=job.filename,
            status=job.status,
            status_label=job.get_status_display(),
            rows=job.total_rows,
            created=job.created,
            updated=job.updated,
            skipped=job.skipped,
            flagged=max(job.duplicates - job.skipped - job.updated, 0),
            problems=job.errors,
            warnings=job.warnings,
        )
        for job in jobs
    ]


def import_totals(rows: list[ImportRow]) -> ImportTotals:
    totals = ImportTotals(imports=len(rows))
    for row in rows:
        for name in ("rows", "created", "updated", "skipped", "flagged", "problems", "warnings"):
            setattr(totals, name, getattr(totals, name) + getattr(row, name))
    return totals


def imports_exist(user: User) -> bool:
    """Whether the reader has any import at all (the empty page says so)."""
    jobs = ImportJob.objects.all()
    if not user.is_tenant_admin:
        jobs = jobs.filter(created_by=user)
    return jobs.exists()


def import_problem_kinds(user: User, filters: ReportFilters) -> list[ProblemKind]:
    """The problems of the refused rows of the period's imports, by column and reason, the
    most frequent first. ImportIssue keeps no code: the reason is the text the import wrote,
    in the language of the person who ran it."""
    rows = (
        ImportIssue.objects.filter(job__in=_imports(user, filters), is_error=True)
        .values_list("column", "reason")
        .annotate(n=Count("id"))
        .order_by("-n", "column", "reason")[:PROBLEM_KINDS_MAX]
    )
    return [ProblemKind(column, reason, n) for column, reason, n in rows]


def merge_rows(user: User, filters: ReportFilters) -> list[MergeRow]:
    """Merges made in the period (LeadMerge.at), by who made them, the most first."""
    merges = LeadMerge.objects.filter(at__gte=filters.start, at__lt=filters.end)
    actors = owners_narrowed(user, filters)
    if actors is not None:
        merges = merges.filter(actor_id__in=actors)
    kept, undone = Q(undone_at__isnull=True), Q(undone_at__isnull=False)
    rows = (
        merges.values_list("actor_id", "actor__full_name")
        .annotate(
            # The join with the merged leads repeats a merge once per lead: count it once.
            merges=Count("id", filter=kept, distinct=True),
            merged_away=Count("merged", filter=kept),
            undone=Count("id", filter=undone, distinct=True),
        )
        .order_by()
    )
    out = [MergeRow(name or "", m, away, u) for _actor, name, m, away, u in rows]
    return sorted(out, key=lambda r: (-r.merges, -r.undone, r.actor))


def data_quality(user: User, filters: ReportFilters) -> DataQuality:
    """The open leads in scope now, and how many of them lack each thing (one query; a big
    workspace sums its rollups, as of the last hourly rebuild, unless a source or region
    filter is set)."""
    keys = ["total", *(key for key, _c in QUALITY_CHECKS)]
    if rollup_in_use(filters) is not None:
        rows = _quality_rolled(user, filters)
    else:
        rows = (
            scoped_leads(user, filters)
            .filter(status__in=OPEN_STATUSES)
            .values("status")
            .annotate(
                total=Count("id"),
                **{key: Count("id", filter=condition) for key, condition in QUALITY_CHECKS},
            )
            .order_by()
        )
    by_status = {row["status"]: row for row in rows}
    empty = dict.fromkeys(keys, 0)
    per_status = [by_status.get(status, empty) for status in OPEN_STATUSES]
    open_by_status = [row["total"] for row in per_status]
    open_total = sum(open_by_status)
    out = []
    for key, _condition in QUALITY_CHECKS:
        counts = [row[key] for row in per_status]
        count = sum(counts)
        out.append(QualityRow(key, counts, count, count / open_total if open_total else 0.0))
    return DataQuality(open_by_status, open_total, out)


def _quality_rolled(user: User, filters: ReportFilters) -> list[dict]:
    """The same rows from the open leads' rollup (analytics.rollups), per status."""
    rows = OpenLeadFigures.objects.all()
    owners = owners_narrowed(user, filters)
    if owners is not None:
        rows = rows.filter(owner_id__in=owners)
    sums = {"total": Sum("leads"), "no_owner": Sum("leads", filter=Q(owner_id__isnull=True))}
    sums |= {key: Sum(key) for key, _c in QUALITY_CHECKS if key not in sums}
    return [
        {key: value or 0 for key, value in row.items()}
        for row in rows.values("status").annotate(**sums).order_by()
    ]
