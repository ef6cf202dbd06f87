"""Analytics pages. Thin: filters from the URL, figures from analytics.selectors."""

import csv

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from analytics.filters import PERIODS, ReportFilters
from analytics.selectors.aging import bucket_days, lead_aging
from analytics.selectors.dashboard import dashboard_funnel, dashboard_kpis
from analytics.selectors.losses import loss_breakdown, loss_pareto
from analytics.selectors.scope import report_owner_ids
from analytics.selectors.trends import lead_trends
from leadcrm.accounts.models import Team, User
from leads.exports import export_cell_escape
from leads.models import LeadStatus, SourceChannel

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


def report_context(request, filters: ReportFilters, **extra) -> dict:
    """What every report page needs besides its figures: the filters and the choices of the
    filter bar (the teams and people of the reader's own line; everyone for admins)."""
    owners = report_owner_ids(request.user)
    people = User.objects.filter(is_active=True).order_by("full_name")
    if owners is not None:
        people = people.filter(pk__in=owners)
    return {
        "filters": filters,
        "periods": PERIODS.items(),
        "teams": list(Team.objects.filter(members__in=people).distinct().order_by("name")),
        "people": list(people),
        "sources": SourceChannel.objects.filter(is_active=True).order_by("position"),
        **extra,
    }


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


#: Reasons given a column of their own in the breakdowns.
REASON_COLUMNS = 6


def _reason_label(row) -> str:
    if row.reason_id is not None:
        return row.name
    if row.name == LeadStatus.INVALID:
        return str(_("Invalid (no reason given)"))
    return str(_("Lost (no reason given)"))


@login_required
def losses(request):
    """Loss reasons: the Pareto, and by source and by owner (csv with ?format=csv)."""
    filters = ReportFilters.from_query(request.GET)
    pareto = loss_pareto(request.user, filters)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="loss-reasons.csv"'
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow([_("Reason"), _("Leads"), _("Share"), _("Cumulative share")])
        for row in pareto:
            writer.writerow([export_cell_escape(_reason_label(row)), row.leads,
                             f"{row.share:.4f}", f"{row.cumulative:.4f}"])  # fmt: skip
        return response
    columns = pareto[:REASON_COLUMNS]
    keys = [r.reason_id if r.reason_id is not None else f"none:{r.name}" for r in columns]

    def table(by):
        return [
            (group, [group.by_reason.get(key, 0) for key in keys],
             group.leads - sum(group.by_reason.get(key, 0) for key in keys))
            for group in loss_breakdown(request.user, filters, by=by)
        ]  # fmt: skip

    widest = max([r.leads for r in pareto] + [1])
    return render(
        request,
        "analytics/losses.html",
        report_context(
            request,
            filters,
            pareto=[(r, _reason_label(r), round(r.leads / widest * 100)) for r in pareto],
            columns=[_reason_label(r) for r in columns],
            by_source=table("source"),
            by_owner=table("owner"),
            total=sum(r.leads for r in pareto),
            csv_query=filters.query(format="csv"),
        ),
    )


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
    rows = lead_aging(request.user, filters)
    statuses = dict(LeadStatus.choices)
    buckets = bucket_days(timezone.localdate())
    return render(
        request,
        "analytics/aging.html",
        report_context(
            request,
            filters,
            buckets=buckets,
            rows=[
                (row, statuses.get(row.status, row.status), _aging_cells(row, buckets))
                for row in rows
            ],
            total=sum(row.total for row in rows),
        ),
    )


#: The trend charts' drawing box (SVG user units): one bar per week.
BAR_STEP, CHART_HEIGHT = 10, 60


def _bars(weeks, field: str) -> list[tuple[int, int, int, int, object]]:
    """(x, y, height, count, week) of each week's bar for ``field``, scaled to the chart."""
    top = max([getattr(w, field) for w in weeks] + [1])
    out = []
    for i, week in enumerate(weeks):
        count = getattr(week, field)
        height = round(count / top * CHART_HEIGHT)
        out.append((i * BAR_STEP, CHART_HEIGHT - height, height, count, week))
    return out


@login_required
def trends(request):
    """New, converted and lost leads per week over a year (charts and the table)."""
    filters = ReportFilters.from_query(request.GET)
    weeks = lead_trends(request.user, filters)
    return render(
        request,
        "analytics/trends.html",
        report_context(
            request,
            filters,
            weeks=weeks,
            charts=[
                (key, label, _bars(weeks, key), sum(getattr(w, key) for w in weeks))
                for key, label in (
                    ("new", _("New leads")),
                    ("converted", _("Converted")),
                    ("lost", _("Lost or invalid")),
                )
            ],
            width=len(weeks) * BAR_STEP,
            height=CHART_HEIGHT,
        ),
    )
