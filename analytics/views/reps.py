"""Rep performance: a row per person, per team and the total, sortable, with its download."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from analytics.filters import ReportFilters
from analytics.selectors.reps import KINDS, rep_performance, rows_sorted, sort_parse
from analytics.views.common import (
    EXPORT_FORMATS,
    figures,
    report_context,
    table_download,
    wants_download,
)
from leads.models import Activity

NONE = "—"
LEVELS = {"person": _("Salesperson"), "team": _("Team"), "total": _("Total")}


def _columns() -> list[tuple[str, object]]:
    """(sort key, header) of the numeric columns, in the table's order."""
    kinds = dict(Activity.Kind.choices)
    return [
        ("assigned", _("Leads assigned")),
        ("claimed", _("Claimed")),
        ("contacted", _("Contacted")),
        ("response", _("First response (h, median)")),
        *((f"activity_{kind}", kinds[kind]) for kind in KINDS),
        ("converted", _("Converted")),
        ("conversion", _("Conversion rate")),
        ("won", _("Won amount")),
        ("returned", _("Returned")),
        ("reclaimed", _("Reclaimed from them")),
    ]


def _hours(value: float | None) -> str:
    return NONE if value is None else number_format(round(value, 1), decimal_pos=1)


def _rate(value: float | None) -> str:
    return NONE if value is None else f"{number_format(round(value * 100, 1), decimal_pos=1)} %"


def _cells(row) -> list[str]:
    """The row's numbers as the page shows them, in the reader's format."""
    return [
        number_format(row.assigned, force_grouping=True),
        number_format(row.claimed, force_grouping=True),
        number_format(row.contacted, force_grouping=True),
        _hours(row.response_hours),
        *(number_format(row.activities.get(kind, 0), force_grouping=True) for kind in KINDS),
        number_format(row.converted, force_grouping=True),
        _rate(row.conversion),
        number_format(round(row.won), force_grouping=True),
        number_format(row.returned, force_grouping=True),
        number_format(row.reclaimed, force_grouping=True),
    ]


def _file_row(row) -> list:
    """The row's numbers as numbers (a spreadsheet formats them); no value: an empty cell."""
    hours = round(row.response_hours, 1) if row.response_hours is not None else None
    rate = round(row.conversion, 4) if row.conversion is not None else None
    label = row.label if row.level != "total" else str(LEVELS["total"])
    return [
        str(LEVELS[row.level]), label, row.team if row.level == "person" else "",
        row.assigned, row.claimed, row.contacted, hours,
        *(row.activities.get(kind, 0) for kind in KINDS),
        row.converted, rate, row.won, row.returned, row.reclaimed,
    ]  # fmt: skip


@login_required
def reps(request):
    """Rep performance (a file with ?format=csv|xlsx); ?sort=<column> or -<column>."""
    filters = ReportFilters.from_query(request.GET)
    key, descending = sort_parse(request.GET.get("sort"))
    sort = f"-{key}" if descending else key
    report, freshness = figures(
        request,
        "reps",
        filters,
        lambda: rep_performance(request.user, filters),
    )
    people = rows_sorted(report.people, key, descending)
    teams = rows_sorted(report.teams, key, descending)
    columns = _columns()
    fmt = wants_download(request)
    if fmt:
        return table_download(
            fmt,
            "rep-performance",
            [_("Row"), _("Name"), _("Team"), *(label for _key, label in columns)],
            (_file_row(row) for row in [*people, *teams, report.total]),
        )
    widest = max([row.converted for row in people] + [1])

    def header(column_key, label):
        """A column header's link: sorts by it, the other way round when it is the current."""
        flip = f"-{column_key}" if column_key == key and not descending else column_key
        current = ("descending" if descending else "ascending") if column_key == key else ""
        return label, "?" + urlencode(filters.query(sort=flip)), current

    return render(
        request,
        "analytics/reps.html",
        report_context(
            request,
            filters,
            **freshness,
            name_header=header("name", _("Name")),
            team_header=header("team", _("Team")),
            headers=[header(column_key, label) for column_key, label in columns],
            # The bar of converted leads follows the Converted column.
            bar_after=[column_key for column_key, _label in columns].index("converted") + 1,
            people=[(row, _cells(row), round(row.converted / widest * 100)) for row in people],
            teams=[(row, _cells(row)) for row in teams],
            total=(report.total, _cells(report.total)),
            downloads=[
                (f, "?" + urlencode(filters.query(sort=sort, format=f))) for f in EXPORT_FORMATS
            ],
        ),
    )
