"""The reclaim job: held leads nobody works go back to a pool.

Two sets of rules, with the same kinds of time limits (pools.services.time_limits):

- a pool's own: a lead claimed (or allocated) from it with no follow-up logged within X days,
  none in the last N days, or not qualified within Y days returns to the pool;
- the tenant's dormant-lead rules (pools.services.dormant): the same for any held lead,
  whatever its origin, returned to the pool the rules choose, else the fallback pool. A lead
  claimed from an active pool with rules of its own follows its pool's rules (they win).

The holder is warned N days before (the lead is marked timed out, ``Lead.timed_out_at``, and
shows as "at risk" to the pool's admins until then), and notified when it happens; the lead may
then be routed again.

``pool_reclaim_due`` is what the periodic job runs. It is idempotent: each lead is re-checked
under its row lock, a warning is sent once per coming return (the mark and a dedup key), and a
run capped at ``limit`` reclaims leaves the rest for the next run. It also takes the mark off
leads no rule would return any more (worked, qualified, the rules changed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from leads.models import Lead
from pools.models import AssignmentRule, Pool, PoolEntry, RoutingSettings
from pools.services.dormant import (
    LOOK_UP,
    dormant_destination,
    dormant_limits,
    dormant_moment,
    dormant_reclaim,
    dormant_warn,
    follows_pool_rules,
    lead_timed_out_mark,
)
from pools.services.routing import leads_route
from pools.services.take_back import lead_take_back
from pools.services.time_limits import POOLS_WITH_RULES, WORKED, TimeLimits, any_of

RECLAIM_BATCH = 500


@dataclass
class ReclaimSummary:
    warned: int = 0
    reclaimed: int = 0
    rerouted: int = 0
    left: int = 0  # due but over this run's cap
    cleared: int = 0  # timed-out marks taken off leads no rule returns any more


def _rules(pool: Pool, at) -> list[tuple[Q, dict]]:
    """(condition on PoolEntry, reason) for each reclaim rule of ``pool``, judged at ``at``."""
    return TimeLimits.of_pool(pool).conditions(
        at, start="claimed_at", last_activity="lead__last_activity_at", status="lead__status"
    )


def _held(pool: Pool):
    return PoolEntry.objects.filter(
        pool=pool,
        claimed_at__isnull=False,
        lead__owner__isnull=False,
        lead__merged_into__isnull=True,
        lead__status__in=WORKED,
    )


@dataclass(frozen=True)
class ReclaimForecast:
    """When a held lead goes back if nothing changes, where to, and by whose rules."""

    at: datetime
    pool: Pool | None
    by_pool_rules: bool
    warning_days: int

    @property
    def warn_from(self) -> datetime:
        return self.at - timedelta(days=self.warning_days)


def lead_reclaim_forecast(
    lead: Lead,
    entry=LOOK_UP,
    *,
    tenant_limits: TimeLimits | None = None,
    destination: bool = True,
) -> ReclaimForecast | None:
    """When the held ``lead`` goes back to a pool if nothing changes (None: no rule returns
    it): by its pool's rules when it was claimed from a pool with rules, else by the tenant's.
    ``entry`` is its PoolEntry (with its pool) or None when the caller already knows;
    ``destination`` False skips finding the tenant rules' pool (lists that only show the date)."""
    if lead.owner_id is None or lead.merged_into_id is not None or lead.status not in WORKED:
        return None
    if entry is LOOK_UP:
        entry = PoolEntry.objects.filter(lead=lead).select_related("pool").first()
    if follows_pool_rules(entry):
        limits = TimeLimits.of_pool(entry.pool)
        at = limits.moment(
            start=entry.claimed_at, last_activity=lead.last_activity_at, status=lead.status
        )
        return ReclaimForecast(at, entry.pool, True, limits.warning_days) if at else None
    limits = tenant_limits or dormant_limits()
    at = dormant_moment(lead, limits) if limits.any else None
    if at is None:
        return None
    pool = dormant_destination(lead, entry) if destination else None
    return ReclaimForecast(at, pool, False, limits.warning_days)


def entry_reclaim_at(entry: PoolEntry, lead: Lead, *, tenant_limits=None) -> datetime | None:
    """When the held ``lead`` will be reclaimed if nothing changes (for the "at risk" badge)."""
    forecast = lead_reclaim_forecast(lead, entry, tenant_limits=tenant_limits, destination=False)
    return forecast.at if forecast else None


def pool_reclaim_due(*, now=None, limit: int = RECLAIM_BATCH) -> ReclaimSummary:
    """Warn holders of leads about to be reclaimed, and reclaim the leads that are due: by the
    pools' own rules first, then by the tenant's dormant-lead rules, one cap for both.

    1. take the timed-out mark off leads no rule returns within its warning days any more;
    2. for each active pool with rules: warn, then reclaim (re-routed if the pool says so);
    3. the tenant's rules: warn, then return to the chosen pool (re-routed likewise)."""
    now = now or timezone.now()
    summary = ReclaimSummary()
    tenant_limits = dormant_limits(RoutingSettings.load())
    summary.cleared = timed_out_refresh(now=now, tenant_limits=tenant_limits)
    for pool in Pool.objects.filter(POOLS_WITH_RULES):
        due_now = _rules(pool, now)
        summary.warned += _warn(pool, now, due_now)
        budget = max(limit - summary.reclaimed, 0)
        due = list(
            _held(pool).filter(any_of(due_now)).order_by("claimed_at").values_list("pk", flat=True)
        )
        summary.left += max(len(due) - budget, 0)
        rerouted = []
        for entry_pk in due[:budget]:
            lead_pk = _reclaim_one(pool, entry_pk, now, due_now)
            if lead_pk is not None:
                summary.reclaimed += 1
                rerouted.append(lead_pk)
        if pool.reroute_returned and rerouted:
            result = leads_route(rerouted, trigger=AssignmentRule.Trigger.RECLAIMED)
            summary.rerouted += result.assigned + result.pooled
    if tenant_limits.any:
        summary.warned += dormant_warn(limits=tenant_limits, now=now, limit=limit)
        result = dormant_reclaim(limits=tenant_limits, now=now, budget=limit - summary.reclaimed)
        summary.reclaimed += len(result.reclaimed)
        summary.left += result.left
        again = [lead_pk for lead_pk, pool in result.reclaimed if pool.reroute_returned]
        if again:
            routed = leads_route(again, trigger=AssignmentRule.Trigger.RECLAIMED)
            summary.rerouted += routed.assigned + routed.pooled
    return summary


def _warn(pool: Pool, now, due_now) -> int:
    """Warn the holders of the pool's leads due within its warning days (and mark them)."""
    if not pool.reclaim_warning_days:
        return 0
    ahead = _rules(pool, now + timedelta(days=pool.reclaim_warning_days))
    soon = (
        _held(pool)
        .filter(any_of(ahead), lead__timed_out_at__isnull=True)
        .exclude(any_of(due_now))
        .select_related("lead__owner", "pool")
    )
    warned = 0
    limits = TimeLimits.of_pool(pool)
    for entry in soon[:RECLAIM_BATCH]:
        lead = entry.lead
        when = limits.moment(
            start=entry.claimed_at, last_activity=lead.last_activity_at, status=lead.status
        )
        warned += lead_timed_out_mark(
            lead, pool=pool, start=entry.claimed_at, when=when, now=now, entry=entry
        )
    return warned


def _reclaim_one(pool: Pool, entry_pk: int, now, due_now) -> int | None:
    with transaction.atomic():
        entry = PoolEntry.objects.select_related("lead").get(pk=entry_pk)
        lead = (
            Lead.objects.select_for_update(of=("self",))
            .select_related("owner")
            .get(pk=entry.lead_id)
        )
        reasons = [
            reason
            for condition, reason in due_now
            if _held(pool).filter(condition, pk=entry_pk).exists()
        ]
        if not reasons:  # worked or taken back meanwhile
            return None
        PoolEntry.objects.filter(pk=entry_pk).update(claimed_at=None, warned_at=None)
        lead = lead_take_back(
            lead=lead, pool=pool, reasons=reasons,
            key=f"reclaimed:{lead.uuid}:{entry.claimed_at:%Y%m%d%H%M%S%f}",
        )  # fmt: skip
    return lead.pk


def timed_out_refresh(*, now=None, tenant_limits: TimeLimits | None = None) -> int:
    """Take the timed-out mark (and the pool's "warned") off leads that no rule returns within
    its warning days any more: worked or qualified since, handed on, or the rules changed.
    Setting the mark is the warning's (``lead_timed_out_mark``). Returns how many were
    cleared. A conditional UPDATE per lead: a lead marked again meanwhile keeps its mark."""
    now = now or timezone.now()
    tenant_limits = tenant_limits or dormant_limits()
    marked = set(Lead.objects.filter(timed_out_at__isnull=False).values_list("pk", flat=True))
    marked |= set(
        PoolEntry.objects.filter(warned_at__isnull=False).values_list("lead_id", flat=True)
    )
    cleared = 0
    for start in range(0, len(marked), RECLAIM_BATCH):
        chunk = sorted(marked)[start : start + RECLAIM_BATCH]
        entries = {
            e.lead_id: e for e in PoolEntry.objects.filter(lead__in=chunk).select_related("pool")
        }
        for lead in Lead.objects.filter(pk__in=chunk):
            entry = entries.get(lead.pk)
            forecast = lead_reclaim_forecast(
                lead, entry, tenant_limits=tenant_limits, destination=False
            )
            if forecast is not None and forecast.warning_days and forecast.warn_from <= now:
                continue  # still at risk: the mark stays
            done = 0
            if lead.timed_out_at is not None:
                done = Lead.objects.filter(pk=lead.pk, timed_out_at=lead.timed_out_at).update(
                    timed_out_at=None
                )
            if entry is not None and entry.warned_at is not None:
                done |= PoolEntry.objects.filter(pk=entry.pk, warned_at=entry.warned_at).update(
                    warned_at=None
                )
            cleared += bool(done)
    return cleared
