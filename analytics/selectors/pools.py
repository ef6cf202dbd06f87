"""Pools: what flowed through each pool in the period (in, claimed, allocated, returned,
reclaimed, how long leads waited before someone took them) and what waits in it now.

Scope: the pools the reader works with (``pools.selectors``: member or admin; a tenant admin
administers every pool). The period filter applies to the flows, the source and region filters
to the leads counted; team and owner do not apply (a waiting lead has no owner).

Definitions, all per pool and counted from the pool's audit trail (``PoolEvent``):
- inflow: events that put a lead into the pool or back into its waiting list in the period:
  enter (added by hand), route (placed by the rules, an import or a web form), transfer (moved
  in from another pool), handoff (low-score handoff), return (given back by its owner),
  withdraw (taken back by an admin), reclaim (taken back by the reclaim job). A lead that
  comes back twice counts twice.
- claims, allocations, returns, reclaims: events of that action in the period (an allocation
  includes a lead routed straight to the pool's default assignee).
- time to claim: for each claim or allocation in the period, the whole hours since the lead's
  last inflow event in the same pool before it; median and 90th percentile (continuous). A claim
  with no earlier inflow event in the pool (history from before the trail, or a merged lead)
  is left out. PoolEntry.entered_at cannot be used: a return keeps it, so a second claim would
  count the time the first owner held the lead.
- backlog: the leads waiting in the pool now, as the pool page counts them: unowned, Unassigned
  or Nurture, not merged. Their age: whole days (the tenant's days) since the day they last
  started waiting, i.e. their last inflow event in the pool (or when they entered it, whichever
  is later); median, and how many over 7 and over 30 days.

A big workspace (analytics.rollups) reads the time to claim and the backlog from its hourly
rollups (the same rules, in SQL), unless a source or region filter is set.

A constant number of queries whatever the number of leads or pools: one GROUP BY pool with
FILTER clauses over the events (index ``pool_event_pool`` (pool, action, at)), one for the
waiting times of the claims, one for the return reasons, one for the backlog (index
``pool_entry_pool`` (pool, claimed_at), by its pool column: waiting is judged on the lead as the
pool page judges it, not on claimed_at); the latest inflow event of a lead is found through the
index on ``PoolEvent.lead``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Floor, Greatest, TruncDate
from django.utils import timezone

from analytics.filters import ReportFilters
from analytics.models import PoolClaimWait, PoolWaiting
from analytics.rollups import POOL_INFLOW, POOL_TAKEN, rollup_in_use
from analytics.selectors.dashboard import epoch_seconds
from analytics.selectors.scope import report_pools
from analytics.selectors.stats import weighted_percentile
from leadcrm.accounts.models import User
from leads.models import LeadStatus
from pools.models import Pool, PoolEntry, PoolEvent

Action = PoolEvent.Action
#: Shared with the rollups, which compute the same figures for big workspaces.
INFLOW, TAKEN = POOL_INFLOW, POOL_TAKEN
#: Return reasons listed per pool (the rest summed as "other reasons").
REASONS_MAX = 5
#: Backlog age thresholds in days.
OLD_DAYS, VERY_OLD_DAYS = 7, 30


@dataclass
class ReasonCount:
    reason: str
    returns: int


@dataclass
class PoolRow:
    pool: Pool
    inflow: int = 0
    claims: int = 0
    allocations: int = 0
    returns: int = 0
    reclaims: int = 0
    #: Hours from the last inflow event to the claim or allocation (None: no such claim).
    claim_median_hours: float | None = None
    claim_p90_hours: float | None = None
    backlog: int = 0
    backlog_median_days: float | None = None
    backlog_over_7: int = 0
    backlog_over_30: int = 0
    #: The most frequent return reasons, largest first (at most REASONS_MAX), and the rest.
    reasons: list[ReasonCount] = field(default_factory=list)
    other_reasons: int = 0

    @property
    def taken(self) -> int:
        return self.claims + self.allocations


def _lead_filters(filters: ReportFilters, prefix: str = "lead__") -> Q:
    q = Q()
    if filters.source:
        q &= Q(**{f"{prefix}source__code": filters.source})
    if filters.region:
        q &= Q(**{f"{prefix}region__iexact": filters.region})
    return q


def _last_inflow(pool_ref: str, lead_ref: str, before_ref: str | None = None) -> Subquery:
    """When the lead last came into the pool (at or before ``before_ref`` when given)."""
    events = PoolEvent.objects.filter(
        lead_id=OuterRef(lead_ref), pool_id=OuterRef(pool_ref), action__in=INFLOW
    )
    if before_ref:
        events = events.filter(at__lte=OuterRef(before_ref))
    return Subquery(events.order_by("-at", "-id").values("at")[:1])


def pool_report(
    user: User, filters: ReportFilters, *, now: datetime | None = None
) -> list[PoolRow]:
    """One row per pool in the reader's scope, by name (see the module's definitions)."""
    now = now or timezone.now()
    rows = {pool.pk: PoolRow(pool) for pool in report_pools(user)}
    if not rows:
        return []
    lead_q = _lead_filters(filters)
    events = PoolEvent.objects.filter(
        lead_q, pool_id__in=list(rows), at__gte=filters.start, at__lt=filters.end
    )

    counts = (
        events.values("pool_id")
        .annotate(
            inflow=Count("pk", filter=Q(action__in=INFLOW)),
            claims=Count("pk", filter=Q(action=Action.CLAIM)),
            allocations=Count("pk", filter=Q(action=Action.ALLOCATE)),
            returns=Count("pk", filter=Q(action=Action.RETURN)),
            reclaims=Count("pk", filter=Q(action=Action.RECLAIM)),
        )
        .order_by()
    )
    for item in counts:
        row = rows[item.pop("pool_id")]
        for key, value in item.items():
            setattr(row, key, value)

    rolled = rollup_in_use(filters) is not None
    if rolled:
        waits = (
            PoolClaimWait.objects.filter(
                pool_id__in=list(rows), day__gte=filters.day_from, day__lte=filters.last_day
            )
            .values_list("pool_id", "hours")
            .annotate(Sum("claims"))
            .order_by()
        )
    else:
        waited = epoch_seconds(F("at") - _last_inflow("pool_id", "lead_id", "at"))
        waits = (
            events.filter(action__in=TAKEN)
            .annotate(hours=Floor(waited / 3600))
            .values_list("pool_id", "hours")
            .annotate(n=Count("pk"))
            .order_by()
        )
    by_pool: dict = {}
    for pool_id, hours, n in waits:
        by_pool.setdefault(pool_id, []).append((hours, n))
    for pool_id, pairs in by_pool.items():
        rows[pool_id].claim_median_hours = weighted_percentile(pairs, 0.5)
        rows[pool_id].claim_p90_hours = weighted_percentile(pairs, 0.9)

    _returns(rows, events.filter(action=Action.RETURN))
    _backlog(rows, filters, timezone.localtime(now).date(), rolled=rolled)
    return list(rows.values())


def _reason_of(text: str, listed: list[str]) -> str:
    """A return's reason without the note (stored as "reason: note"): the pool's listed reason
    it starts with, else the whole text (free-text reasons are kept as written)."""
    for reason in listed:
        if text == reason or text.startswith(f"{reason}: "):
            return reason
    return text


def _returns(rows: dict[int, PoolRow], returns: QuerySet[PoolEvent]) -> None:
    by_pool: dict[int, dict[str, int]] = {}
    for pool_id, text, n in (
        returns.values_list("pool_id", "reason").annotate(n=Count("pk")).order_by()
    ):
        reason = _reason_of(text, rows[pool_id].pool.return_reasons)
        counts = by_pool.setdefault(pool_id, {})
        counts[reason] = counts.get(reason, 0) + n
    for pool_id, counts in by_pool.items():
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        row = rows[pool_id]
        row.reasons = [ReasonCount(reason, n) for reason, n in ranked[:REASONS_MAX]]
        row.other_reasons = sum(n for _reason, n in ranked[REASONS_MAX:])


def _backlog(rows: dict[int, PoolRow], filters: ReportFilters, today, *, rolled: bool) -> None:
    """The waiting leads of each pool and how many whole days (the tenant's days) since they
    last started waiting: from the leads, or from a big workspace's rollups."""
    if rolled:
        started = (
            PoolWaiting.objects.filter(pool_id__in=list(rows))
            .values_list("pool_id", "started_day")
            .annotate(Sum("leads"))
            .order_by()
        )
    else:
        # Waiting as pools.selectors.pool_leads and pool_counts_waiting count it (the pool
        # page).
        waiting = PoolEntry.objects.filter(
            _lead_filters(filters),
            pool_id__in=list(rows),
            lead__owner__isnull=True,
            lead__merged_into__isnull=True,
            lead__status__in=(LeadStatus.UNASSIGNED, LeadStatus.NURTURE),
        )
        since = Greatest(_last_inflow("pool_id", "lead_id"), F("entered_at"))
        started = (
            waiting.annotate(started_day=TruncDate(since))
            .values_list("pool_id", "started_day")
            .annotate(n=Count("pk"))
            .order_by()
        )
    by_pool: dict = {}
    for pool_id, day, n in started:
        by_pool.setdefault(pool_id, []).append(((today - day).days, n))
    for pool_id, pairs in by_pool.items():
        row = rows[pool_id]
        row.backlog = sum(n for _days, n in pairs)
        row.backlog_median_days = weighted_percentile(pairs, 0.5)
        row.backlog_over_7 = sum(n for days, n in pairs if days > OLD_DAYS)
        row.backlog_over_30 = sum(n for days, n in pairs if days > VERY_OLD_DAYS)
