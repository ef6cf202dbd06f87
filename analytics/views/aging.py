"""Lead aging."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from analytics.filters import ReportFilters
from analytics.selectors.aging import bucket_days, lead_aging
from analytics.views.common import figures, report_context
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


@login_required
def aging(request):
    """Lead aging: open leads now by status and age since creation (links open the list)."""
    filters = ReportFilters.from_query(request.GET)
    rows, freshness = figures(request, "aging", filters, lambda: lead_aging(request.user, filters))
    statuses = dict(LeadStatus.choices)
    buckets = bucket_days(timezone.localdate())
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
