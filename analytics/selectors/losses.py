"""Loss reasons: why leads were lost or found invalid in a period, as a Pareto (largest first,
with the running share), and by source and by owner. A lead counts in the period in which it
was closed (its last status change), whenever it was created."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from analytics.filters import ReportFilters
from analytics.selectors.scope import scoped_leads
from leadcrm.accounts.models import User
from leads.models import LeadStatus

LOST = (LeadStatus.LOST, LeadStatus.INVALID)
#: Sources and owners shown in the breakdowns (the rest summed as "other").
BREAKDOWN_MAX = 8


@dataclass
class ReasonRow:
    reason_id: int | None
    name: str
    leads: int
    share: float
    cumulative: float


@dataclass
class Breakdown:
    label: str
    leads: int
    #: Leads per reason id (None: no reason given), in the order of the Pareto.
    by_reason: dict


def _closed(user: User, filters: ReportFilters):
    return scoped_leads(user, filters).filter(
        status__in=LOST, status_changed_at__gte=filters.start, status_changed_at__lt=filters.end
    )


def loss_pareto(user: User, filters: ReportFilters) -> list[ReasonRow]:
    rows = list(
        _closed(user, filters)
        .values_list("loss_reason_id", "loss_reason__name", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    merged: dict = {}
    for reason_id, name, status, n in rows:
        key = reason_id if reason_id is not None else f"none:{status}"
        label = name if reason_id is not None else status
        merged.setdefault(key, [reason_id, label, 0])[2] += n
    total = sum(item[2] for item in merged.values())
    out, running = [], 0
    for reason_id, label, n in sorted(merged.values(), key=lambda item: (-item[2], str(item[1]))):
        running += n
        out.append(ReasonRow(reason_id, label, n, n / total, running / total))
    return out


def loss_breakdown(user: User, filters: ReportFilters, *, by: str) -> list[Breakdown]:
    """Lost and invalid leads per source (``by="source"``) or owner (``by="owner"``), each with
    its count per reason; the largest first, at most BREAKDOWN_MAX."""
    field, label_field = {
        "source": ("source_id", "source__name"),
        "owner": ("owner_id", "owner__full_name"),
    }[by]
    rows = (
        _closed(user, filters)
        .values_list(field, label_field, "loss_reason_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    groups: dict = {}
    for key, label, reason_id, status, n in rows:
        group = groups.setdefault(key, Breakdown(label or "—", 0, {}))
        group.leads += n
        reason = reason_id if reason_id is not None else f"none:{status}"
        group.by_reason[reason] = group.by_reason.get(reason, 0) + n
    return sorted(groups.values(), key=lambda g: (-g.leads, g.label))[:BREAKDOWN_MAX]
