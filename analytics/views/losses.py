"""Loss reasons: the Pareto and its breakdowns."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from analytics.filters import ReportFilters
from analytics.selectors.losses import loss_breakdown, loss_pareto
from analytics.views.common import figures, report_context, table_download, wants_download
from leads.models import LeadStatus

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
    """Loss reasons: the Pareto, and by source and by owner (a file with ?format=csv|xlsx)."""
    filters = ReportFilters.from_query(request.GET)
    (pareto, breakdowns), freshness = figures(
        request,
        "losses",
        filters,
        lambda: (
            loss_pareto(request.user, filters),
            {by: loss_breakdown(request.user, filters, by=by) for by in ("source", "owner")},
        ),
    )
    fmt = wants_download(request)
    if fmt:
        return table_download(
            fmt,
            "loss-reasons",
            [_("Reason"), _("Leads"), _("Share"), _("Cumulative share")],
            (
                [_reason_label(r), r.leads, round(r.share, 4), round(r.cumulative, 4)]
                for r in pareto
            ),
        )
    columns = pareto[:REASON_COLUMNS]
    keys = [r.reason_id if r.reason_id is not None else f"none:{r.name}" for r in columns]

    def table(by):
        return [
            (group, [group.by_reason.get(key, 0) for key in keys],
             group.leads - sum(group.by_reason.get(key, 0) for key in keys))
            for group in breakdowns[by]
        ]  # fmt: skip

    widest = max([r.leads for r in pareto] + [1])
    return render(
        request,
        "analytics/losses.html",
        report_context(
            request,
            filters,
            **freshness,
            pareto=[(r, _reason_label(r), round(r.leads / widest * 100)) for r in pareto],
            columns=[_reason_label(r) for r in columns],
            by_source=table("source"),
            by_owner=table("owner"),
            total=sum(r.leads for r in pareto),
        ),
    )
