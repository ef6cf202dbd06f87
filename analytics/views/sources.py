"""Sources and channel ROI: leads, qualification, conversion and won amount per source and per
campaign, with the campaigns' cost per lead, cost per conversion and ROI. The page downloads
the sources table with ?format=csv|xlsx and the campaigns table with ?table=campaigns too."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from analytics.filters import ReportFilters
from analytics.selectors.sources import SourcesReport, sources_report
from analytics.views.common import (
    EXPORT_FORMATS,
    figures,
    report_context,
    table_download,
    wants_download,
)

NONE = "—"
CHANNEL_HEADERS = [
    _("Leads"), _("Qualified"), _("Converted"), _("Conversion rate"), _("Won amount"),
]  # fmt: skip
COST_HEADERS = [_("Cost"), _("Cost per lead"), _("Cost per conversion"), _("ROI")]


def _amount(value, decimals: int = 0) -> str:
    """Money in the reader's number format, grouped; "—" when there is none."""
    if value is None:
        return NONE
    return number_format(round(value, decimals), decimal_pos=decimals, force_grouping=True)


def _percent(value) -> str:
    if value is None:
        return NONE
    return number_format(round(value * 100, 1), decimal_pos=1, force_grouping=True) + " %"


def _source_name(row) -> str:
    return row.name if row.key is not None else str(_("No source"))


def _rounded(value, places: int):
    """A figure for a file: a number, or None (an empty cell) when there is none."""
    return None if value is None else round(float(value), places)


def _channel_cells(row) -> list:
    return [row.leads, row.qualified, row.converted, _rounded(row.conversion_rate, 4),
            _rounded(row.won_amount, 2)]  # fmt: skip


def _download(fmt: str, report: SourcesReport, table: str):
    if table == "campaigns":
        return table_download(
            fmt,
            "campaign-roi",
            [_("Campaign"), *CHANNEL_HEADERS, *COST_HEADERS],
            (
                [row.name, *_channel_cells(row), _rounded(row.cost, 2),
                 _rounded(row.cost_per_lead, 2), _rounded(row.cost_per_conversion, 2),
                 _rounded(row.roi, 4)]
                for row in report.campaigns
            ),
        )  # fmt: skip
    return table_download(
        fmt,
        "lead-sources",
        [_("Source"), *CHANNEL_HEADERS],
        ([_source_name(row), *_channel_cells(row)] for row in report.sources),
    )


def _shown(row) -> dict:
    return {
        "row": row,
        "conversion_rate": _percent(row.conversion_rate),
        "won_amount": _amount(row.won_amount),
    }


@login_required
def sources(request):
    """Per source and per campaign (a file with ?format=csv|xlsx, ?table=campaigns for the
    campaigns)."""
    filters = ReportFilters.from_query(request.GET)
    report, freshness = figures(
        request,
        "sources",
        filters,
        lambda: sources_report(request.user, filters),
    )
    fmt = wants_download(request)
    if fmt:
        return _download(fmt, report, request.GET.get("table", ""))
    widest = max([row.leads for row in report.sources] + [1])
    chart = [
        {
            **_shown(row),
            "name": _source_name(row),
            "leads_width": round(row.leads / widest * 100),
            "converted_width": round(row.converted / widest * 100),
        }
        for row in report.sources
    ]
    campaigns = [
        {
            **_shown(row),
            "cost": _amount(row.cost),
            "cost_per_lead": _amount(row.cost_per_lead, 2),
            "cost_per_conversion": _amount(row.cost_per_conversion, 2),
            "roi": _percent(row.roi),
        }
        for row in report.campaigns
    ]
    return render(
        request,
        "analytics/sources.html",
        report_context(
            request,
            filters,
            **freshness,
            report=report,
            chart=chart,
            total=_shown(report.total),
            campaigns=campaigns,
            campaign_downloads=[
                (f, "?" + urlencode(filters.query(format=f, table="campaigns")))
                for f in EXPORT_FORMATS
            ],
        ),
    )
