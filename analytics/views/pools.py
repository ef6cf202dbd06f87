"""Pools: flows through each pool in the period and its backlog now."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from analytics.filters import ReportFilters
from analytics.selectors.pools import OLD_DAYS, VERY_OLD_DAYS, pool_report
from analytics.views.common import figures, report_context, table_download, wants_download
from pools.models import Pool


def _one_decimal(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


def _headers() -> list:
    return [
        _("Pool"),
        _("Inflow"),
        _("Claims"),
        _("Allocations"),
        _("Returns"),
        _("Reclaims"),
        _("Time to claim, median (hours)"),
        _("Time to claim, 90th percentile (hours)"),
        _("Backlog"),
        _("Backlog age, median (days)"),
        _("Waiting over %(days)d days") % {"days": OLD_DAYS},
        _("Waiting over %(days)d days") % {"days": VERY_OLD_DAYS},
    ]


def _file_row(row) -> list:
    return [
        row.pool.name,
        row.inflow,
        row.claims,
        row.allocations,
        row.returns,
        row.reclaims,
        _one_decimal(row.claim_median_hours),
        _one_decimal(row.claim_p90_hours),
        row.backlog,
        _one_decimal(row.backlog_median_days),
        row.backlog_over_7,
        row.backlog_over_30,
    ]


@login_required
def pools(request):
    """Per pool: inflow, claims, allocations, returns (and why), reclaims and the time to
    claim in the period; the backlog and its age now (a file with ?format=csv|xlsx)."""
    filters = ReportFilters.from_query(request.GET)
    rows, freshness = figures(
        request,
        "pools",
        filters,
        lambda: pool_report(request.user, filters),
    )
    fmt = wants_download(request)
    if fmt:
        return table_download(fmt, "pools", _headers(), (_file_row(row) for row in rows))
    widest = max([max(row.inflow, row.taken) for row in rows] + [1])
    return render(
        request,
        "analytics/pools.html",
        report_context(
            request,
            filters,
            **freshness,
            rows=rows,
            chart=[
                (row, round(row.inflow / widest * 100), round(row.taken / widest * 100))
                for row in rows
            ],
            reasons=[row for row in rows if row.returns],
            old_days=OLD_DAYS,
            very_old_days=VERY_OLD_DAYS,
            any_pool=bool(rows) or Pool.objects.exists(),
        ),
    )
