"""Lead aging."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.filters import ReportFilters
from analytics.selectors.aging import bucket_days, lead_aging
from analytics.views.common import figures, report_context, table_download, wants_download
from leads.models import LeadStatus


def _aging_cells(row, buckets) -> list[tuple[int, dict]]:
    """Each count with the lead-list query that shows exactly those leads."""
    return [
        (
            n,
            {
                "scene": "all",
                "status": row.status,
                "created_from": first.isoformat() if first else "",
                "created_to": last.isoformat(),
            },
        )
        for n, (_key, first, last) in zip(row.counts, buckets, strict=True)
    ]


def _aging_file_row(row, statuses) -> list:
    days = round(row.in_status_days, 1) if row.in_status_days is not None else None
    return [statuses.get(row.status, row.status), *row.counts, row.total, days]


@login_required
def aging(request):
    """Lead aging: open leads now by status and age since creation (links open the list; a
    file with ?format=csv|xlsx)."""
    filters = ReportFilters.from_query(request.GET)
    rows, freshness = figures(
        request,
        "aging",
        filters,
        lambda: lead_aging(request.user, filters),
    )
    statuses = dict(LeadStatus.choices)
    buckets = bucket_days(timezone.localdate())
    fmt = wants_download(request)
    if fmt:
        headers = [_("Status"), *(_("%(days)s days") % {"days": key} for key, _f, _l in buckets),
                   _("All"), _("In this status, median (days)")]  # fmt: skip
        return table_download(
            fmt,
            "lead-aging",
            headers,
            (_aging_file_row(row, statuses) for row in rows),
        )
    return render(
        request,
        "analytics/aging.html",
        report_context(
            request,
            filters,
            **freshness,
            buckets=buckets,
            rows=[
                (row, statuses.get(row.status, row.status), _aging_cells(row, buckets))
                for row in rows
            ],
            total=sum(row.total for row in rows),
        ),
    )
