"""Imports and data quality."""

from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from analytics.filters import ReportFilters
from analytics.selectors.quality import (
    data_quality,
    import_problem_kinds,
    import_rows,
    import_totals,
    imports_exist,
    merge_rows,
)
from analytics.views.common import figures, report_context, table_download, wants_download
from leadcrm.accounts.permissions import role_required
from leads.importing.services import DUPLICATE_TAG
from leads.models import OPEN_STATUSES, ImportJob, LeadStatus
from leads.views.importing import IMPORTERS

CHECK_LABELS = {
    "no_phone": _("No phone or mobile"),
    "no_email": _("No e-mail"),
    "no_company": _("No company"),
    "no_source": _("No source"),
    "no_owner": _("No owner"),
    "possible_duplicate": _("Tagged “possible duplicate”"),
    "never_followed_up": _("Never followed up"),
}
#: The lead list's filter that shows exactly a check's leads (leads.selectors.LeadFilters);
#: the list has none for missing contact details, company or source.
CHECK_LIST_FILTERS = {
    "no_owner": {"unassigned": "1"},
    "possible_duplicate": {"tag": DUPLICATE_TAG},
}
#: The report's filters the lead list reads under the same names.
LIST_SHARED_FILTERS = ("team", "owner", "source", "region")
IMPORT_HEADERS = (
    _("When"), _("Imported by"), _("File"), _("Status"), _("Rows"), _("Created"), _("Updated"),
    _("Skipped as duplicates"), _("Flagged as duplicates"), _("Refused rows"), _("Warnings"),
)  # fmt: skip


def import_page(row) -> str:
    """The import's own page: its mapping while it waits for one, else its status."""
    name = "leads-import-map" if row.status == ImportJob.Status.UPLOADED else "leads-import-status"
    return reverse(name, kwargs={"uuid": row.uuid})


def _list_link(filters: ReportFilters, status: str, extra: dict) -> str:
    """The lead list showing one open status's leads of a check, with the report's filters
    the list shares (team, person, source, region)."""
    shared = {k: v for k, v in filters.query().items() if k in LIST_SHARED_FILTERS}
    query = {"scene": "all", "status": status, **extra, **shared}
    return reverse("leads-index") + "?" + urlencode(query)


def _quality_rows(quality, filters: ReportFilters):
    """(label, [(count, link or None) per open status], row) for each check."""
    out = []
    for row in quality.rows:
        extra = CHECK_LIST_FILTERS.get(row.key)
        cells = [
            (n, _list_link(filters, status, extra) if extra is not None and n else None)
            for n, status in zip(row.by_status, OPEN_STATUSES, strict=True)
        ]
        out.append((CHECK_LABELS[row.key], cells, row))
    return out


@role_required(*IMPORTERS)
def quality(request):
    """Imports and data quality (the imports table as a file with ?format=csv|xlsx). Who may
    open it follows the import pages: tenant admins, managers and pool admins; reps get 403."""
    filters = ReportFilters.from_query(request.GET)
    (imports, problems, quality_now, merges), freshness = figures(
        request,
        "quality",
        filters,
        lambda: (
            import_rows(request.user, filters),
            import_problem_kinds(request.user, filters),
            data_quality(request.user, filters),
            merge_rows(request.user, filters),
        ),
    )
    fmt = wants_download(request)
    if fmt:
        return table_download(
            fmt,
            "imports",
            IMPORT_HEADERS,
            (
                [timezone.localtime(r.at).strftime("%Y-%m-%d %H:%M"), r.by, r.filename,
                 r.status_label, r.rows, r.created, r.updated, r.skipped, r.flagged,
                 r.problems, r.warnings]
                for r in imports
            ),
        )  # fmt: skip
    widest = max([p.count for p in problems] + [1])
    statuses = dict(LeadStatus.choices)
    return render(
        request,
        "analytics/quality.html",
        report_context(
            request,
            filters,
            **freshness,
            imports=[(row, import_page(row)) for row in imports],
            totals=import_totals(imports),
            any_import=bool(imports) or imports_exist(request.user),
            problems=[(p, round(p.count / widest * 100)) for p in problems],
            merges=merges,
            merge_totals=[
                sum(getattr(m, f) for m in merges) for f in ("merges", "merged_away", "undone")
            ],
            quality=quality_now,
            quality_rows=_quality_rows(quality_now, filters),
            open_statuses=[statuses[s] for s in OPEN_STATUSES],
        ),
    )
