"""The dashboard: KPI cards and the funnel."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from analytics.filters import ReportFilters
from analytics.kpis import KPI_HELP, KPI_LABELS, UNITS, kpi_change, kpi_number
from analytics.selectors.dashboard import dashboard_funnel, dashboard_kpis
from analytics.views.common import figures, report_context


@login_required
def index(request):
    filters = ReportFilters.from_query(request.GET)
    (kpis, funnel), freshness = figures(
        request,
        "dashboard",
        filters,
        lambda: (dashboard_kpis(request.user, filters), dashboard_funnel(request.user, filters)),
    )
    widest = max([step.reached for step in funnel] + [1])
    return render(
        request,
        "analytics/index.html",
        report_context(
            request,
            filters,
            **freshness,
            kpis=[
                {
                    "kpi": kpi,
                    "label": KPI_LABELS[kpi.key],
                    "help": KPI_HELP[kpi.key],
                    "display": kpi_number(kpi),
                    "unit": UNITS.get(kpi.unit, ""),
                    "change": kpi_change(kpi),
                }
                for kpi in kpis
            ],
            funnel=[(step, round(step.reached / widest * 100)) for step in funnel],
            list_query={
                "scene": "all",
                "created_from": filters.day_from.isoformat(),
                "created_to": filters.last_day.isoformat(),
            },
        ),
    )
