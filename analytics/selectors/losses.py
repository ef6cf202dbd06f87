"""Loss reasons: why leads were lost or found invalid in a period, as a Pareto (largest first,
with the running share), and by source and by owner. A lead counts in the period in which it
was closed (its last status change), whenever it was created."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Sum

from analytics.filters import ReportFilters
from analytics.models import ClosedLeadFigures
from analytics.rollups import rollup_in_use
from analytics.selectors.scope import owners_narrowed, scoped_leads
from leadcrm.accounts.models import User
from leads.models import LeadStatus, LossReason, SourceChannel

LOST = (LeadStatus.LOST, LeadStatus.INVALID)
GROUPS = {"source": ("source_id", "source__name"), "owner": ("owner_id", "owner__full_name")}
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


def _closed_rows(user: User, filters: ReportFilters, by: str | None) -> list[tuple]:
    """(group key, group label, reason id, reason name, status, leads) of the period's lost
    and invalid leads, grouped by source or owner (``by``) or not at all: from the leads, or,
    in a big workspace without a source or region filter, from its rollups."""
    field, label_field = GROUPS.get(by, (None, None))
    if rollup_in_use(filters) is None:
        columns = [c for c in (field, label_field) if c] + ["loss_reason_id", "loss_reason__name"]
        rows = (
            _closed(user, filters)
            .values_list(*columns, "status")
            .annotate(n=Count("id"))
            .order_by()
        )
        return [row if field else (None, None, *row) for row in rows]
    rows = ClosedLeadFigures.objects.filter(day__gte=filters.day_from, day__lte=filters.last_day)
    owners = owners_narrowed(user, filters)
    if owners is not None:
        rows = rows.filter(owner_id__in=owners)
    group = {"source": "source_id", "owner": "owner_id"}.get(by)
    columns = [group] if group else []
    found = list(
        rows.values_list(*columns, "reason_id", "status").annotate(n=Sum("leads")).order_by()
    )
    reasons = dict(LossReason.objects.values_list("pk", "name"))
    labels = {}
    if by == "source":
        labels = dict(SourceChannel.objects.values_list("pk", "name"))
    elif by == "owner":
        labels = dict(User.objects.values_list("pk", "full_name"))
    out = []
    for row in found:
        key = row[0] if group else None
        reason_id, status, n = row[-3:]
        out.append((key, labels.get(key), reason_id, reasons.get(reason_id), status, n))
    return out


def loss_pareto(user: User, filters: ReportFilters) -> list[ReasonRow]:
    merged: dict = {}
    for _key, _label, reason_id, name, status, n in _closed_rows(user, filters, None):
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
    groups: dict = {}
    for key, label, reason_id, _name, status, n in _closed_rows(user, filters, by):
        group = groups.setdefault(key, Breakdown(label or "—", 0, {}))
        group.leads += n
        reason = reason_id if reason_id is not None else f"none:{status}"
        group.by_reason[reason] = group.by_reason.get(reason, 0) + n
    return sorted(groups.values(), key=lambda g: (-g.leads, g.label))[:BREAKDOWN_MAX]
