"""The dashboard: KPI cards and the funnel."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from analytics.filters import ReportFilters
from analytics.selectors.dashboard import dashboard_funnel, dashboard_kpis
from analytics.views.common import report_context

KPI_LABELS = {
    "new": _("New leads"),
    "pooled": _("Waiting in pools"),
    "due_today": _("Follow-ups due today"),
    "overdue": _("Overdue follow-ups"),
    "contact": _("Contact rate"),
    "qualification": _("Qualification rate"),
    "conversion": _("Conversion rate"),
    "cycle": _("Lead to conversion"),
    "response": _("First response (median)"),
    "won": _("Won amount"),
}
KPI_HELP = {
    "new": _("Leads created in the period."),
    "pooled": _("Open leads waiting in a pool without an owner, now."),
    "due_today": _("Open leads whose next follow-up is due today."),
    "overdue": _("Open leads whose next follow-up is past, now."),
    "contact": _("Share of the new leads followed up at least once."),
    "qualification": _("Share of the new leads that are Qualified or Converted."),
    "conversion": _("Share of the new leads converted."),
    "cycle": _("Mean days from creation to conversion, of the leads converted in the period."),
    "response": _("Median hours from assignment to the first follow-up, of the new leads."),
    "won": _("Opportunities won in the period."),
}


UNITS = {"days": _("days"), "hours": _("hours")}


def _display(kpi) -> str:
    """The card's number in the reader's format (grouping from the active language)."""
    value = kpi.value
    if value is None:
        return "—"
    if kpi.unit == "rate":
        return f"{float(value) * 100:.1f} %"
    if kpi.unit in ("days", "hours"):
        return number_format(round(float(value), 1), decimal_pos=1)
    return number_format(round(value), force_grouping=True)


def _change(kpi) -> str:
    change = kpi.change
    if change is None:
        return ""
    sign = "▲" if change > 0 else "▼" if change < 0 else "="
    if kpi.unit == "rate":
        return f"{sign} {abs(change):.1f} pt"
    return f"{sign} {abs(change):.1f} %"


@login_required
def index(request):
    filters = ReportFilters.from_query(request.GET)
    kpis = dashboard_kpis(request.user, filters)
    funnel = dashboard_funnel(request.user, filters)
    widest = max([step.reached for step in funnel] + [1])
    return render(
        request,
        "analytics/index.html",
        report_context(
            request,
            filters,
            kpis=[
                {
                    "kpi": kpi,
                    "label": KPI_LABELS[kpi.key],
                    "help": KPI_HELP[kpi.key],
                    "display": _display(kpi),
                    "unit": UNITS.get(kpi.unit, ""),
                    "change": _change(kpi),
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
