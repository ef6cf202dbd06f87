"""Trends: new, converted and lost leads per week."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from analytics.filters import ReportFilters
from analytics.selectors.trends import lead_trends
from analytics.views.common import figures, report_context, table_download, wants_download

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
    weeks, freshness = figures(
        request,
        "trends",
        filters,
        lambda: lead_trends(request.user, filters),
    )
    fmt = wants_download(request)
    if fmt:
        return table_download(
            fmt,
            "lead-trends",
            [_("Week of"), _("New leads"), _("Converted"), _("Lost or invalid")],
            ([w.start.isoformat(), w.new, w.converted, w.lost] for w in reversed(weeks)),
        )
    return render(
        request,
        "analytics/trends.html",
        report_context(
            request,
            filters,
            **freshness,
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
