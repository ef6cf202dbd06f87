"""What every report page shares: the filter bar's choices and the download of a table."""

import csv
import io
from urllib.parse import urlencode

from django.http import HttpResponse
from django.utils.text import slugify
from openpyxl import Workbook

from analytics.cache import report_figures
from analytics.filters import PERIODS, ReportFilters
from analytics.rollups import rollup_in_use
from analytics.selectors.scope import report_owner_ids
from leadcrm.accounts.models import Team, User
from leads.exports import export_cell_escape
from leads.models import SourceChannel

EXPORT_FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
        # The page's table as a file, with the same filters (partials/_downloads.html).
        "downloads": [(fmt, "?" + urlencode(filters.query(format=fmt))) for fmt in EXPORT_FORMATS],
        **extra,
    }


def figures(request, report: str, filters: ReportFilters, compute):
    """``compute()``'s figures, kept a few minutes per reader and filters (analytics.cache),
    and the page context that says how fresh they are (partials/_report_filters.html): the
    rollups' time when a big workspace's report reads them (analytics.rollups);
    ``?fresh=1`` computes them again."""
    result = report_figures(
        request.user, report, filters, compute, fresh=request.GET.get("fresh") == "1"
    )
    return result.value, {
        "figures": result,
        "refresh_href": "?" + urlencode(filters.query(fresh="1")),
        "rollup": rollup_in_use(filters),
    }


def wants_download(request) -> str | None:
    """ "csv" or "xlsx" when the report is asked for as a file (``?format=``), else None."""
    fmt = request.GET.get("format")
    return fmt if fmt in EXPORT_FORMATS else None


def table_download(fmt: str, filename: str, headers, rows) -> HttpResponse:
    """A report's table as a CSV (UTF-8 with BOM, for Excel) or xlsx file. Text cells are
    formula-escaped; numbers stay numbers. ``filename`` without extension (ASCII slug)."""
    name = slugify(filename) or "report"
    headers = [str(h) for h in headers]
    if fmt == "xlsx":
        book = Workbook(write_only=True)
        sheet = book.create_sheet(title=name[:31])
        sheet.append([export_cell_escape(h) for h in headers])
        for row in rows:
            sheet.append([_cell(v) for v in row])
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow([export_cell_escape(h) for h in headers])
        for row in rows:
            writer.writerow([_cell(v) for v in row])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    if hasattr(value, "quantize"):  # Decimal
        return float(value)
    return export_cell_escape(str(value))
