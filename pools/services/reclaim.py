"""The reclaim rules: claimed leads that are not worked go back to their pool.

A pool may say: a lead claimed (or allocated) with no follow-up logged within X days, or not
qualified within Y days, returns to the pool. The holder is warned N days before (the lead shows
as "at risk" until then), and notified when it happens; the lead may then be routed again.

``pool_reclaim_due`` is what the periodic job runs. It is idempotent: each lead is re-checked
under its row lock, a warning is sent once per claim (dedup key), and a run capped at ``limit``
reclaims leaves the rest for the next run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation

from leadcrm.notifications.models import Notification
from leadcrm.notifications.texts import day, text, text_list, text_render
from leads.models import Lead, LeadStatus
from leads.services.lead import lead_assign
from pools.models import AssignmentRule, Pool, PoolEntry, PoolEvent
from pools.services.events import pool_event_record, pool_notify
from pools.services.routing import VIA_RECLAIM, leads_route

RECLAIM_BATCH = 500
#: Statuses a claimed lead must leave in time ("not qualified within Y days").
NOT_QUALIFIED = (LeadStatus.PENDING, LeadStatus.FOLLOWING_UP, LeadStatus.NURTURE)
WORKED = (LeadStatus.PENDING, LeadStatus.FOLLOWING_UP, LeadStatus.NURTURE)


@dataclass
class ReclaimSummary:
    warned: int = 0
    reclaimed: int = 0
    rerouted: int = 0
    left: int = 0  # due but over this run's cap


def _rules(pool: Pool, at) -> list[tuple[Q, str]]:
    """(condition on PoolEntry, reason) for each reclaim rule of ``pool``, judged at ``at``."""
    rules = []
    if pool.reclaim_no_follow_up_days is not None:
        days = pool.reclaim_no_follow_up_days
        rules.append(
            (
                Q(claimed_at__lte=at - timedelta(days=days))
                & (
                    Q(lead__last_activity_at__isnull=True)
                    | Q(lead__last_activity_at__lt=F("claimed_at"))
                ),
                text("pools.no_follow_up", days=days),
            )
        )
    if pool.reclaim_not_qualified_days is not None:
        days = pool.reclaim_not_qualified_days
        rules.append(
            (
                Q(claimed_at__lte=at - timedelta(days=days), lead__status__in=NOT_QUALIFIED),
                text("pools.not_qualified", days=days),
            )
        )
    return rules


def _held(pool: Pool):
    return PoolEntry.objects.filter(
        pool=pool,
        claimed_at__isnull=False,
        lead__owner__isnull=False,
        lead__merged_into__isnull=True,
        lead__status__in=WORKED,
    )


def _any(rules) -> Q:
    combined = Q(pk__in=[])
    for condition, _reason in rules:
        combined |= condition
    return combined


def entry_reclaim_at(entry: PoolEntry, lead: Lead) -> object | None:
    """When the held ``lead`` will be reclaimed if nothing changes (for the "at risk" badge)."""
    pool = entry.pool
    if entry.claimed_at is None or lead.owner_id is None or lead.status not in WORKED:
        return None
    moments = []
    if pool.reclaim_no_follow_up_days is not None and (
        lead.last_activity_at is None or lead.last_activity_at < entry.claimed_at
    ):
        moments.append(entry.claimed_at + timedelta(days=pool.reclaim_no_follow_up_days))
    if pool.reclaim_not_qualified_days is not None and lead.status in NOT_QUALIFIED:
        moments.append(entry.claimed_at + timedelta(days=pool.reclaim_not_qualified_days))
    return min(moments) if moments else None


def pool_reclaim_due(*, now=None, limit: int = RECLAIM_BATCH) -> ReclaimSummary:
    """Warn holders of leads about to be reclaimed, and reclaim the leads that are due."""
    now = now or timezone.now()
    summary = ReclaimSummary()
    pools = Pool.objects.filter(is_active=True).filter(
        Q(reclaim_no_follow_up_days__isnull=False) | Q(reclaim_not_qualified_days__isnull=False)
    )
    for pool in pools:
        due_now = _rules(pool, now)
        _warn(pool, now, due_now, summary)
        budget = limit - summary.reclaimed
        due = list(
            _held(pool).filter(_any(due_now)).order_by("claimed_at").values_list("pk", flat=True)
        )
        summary.left += max(len(due) - max(budget, 0), 0)
        rerouted = []
        for entry_pk in due[: max(budget, 0)]:
            lead_pk = _reclaim_one(pool, entry_pk, now, due_now)
            if lead_pk is not None:
                summary.reclaimed += 1
                rerouted.append(lead_pk)
        if pool.reroute_returned and rerouted:
            result = leads_route(rerouted, trigger=AssignmentRule.Trigger.RECLAIMED)
            summary.rerouted += result.assigned + result.pooled
    return summary


def _warn(pool: Pool, now, due_now, summary: ReclaimSummary) -> None:
    if not pool.reclaim_warning_days:
        return
    ahead = _rules(pool, now + timedelta(days=pool.reclaim_warning_days))
    soon = (
        _held(pool)
        .filter(_any(ahead), warned_at__isnull=True)
        .exclude(_any(due_now))
        .select_related("lead__owner", "pool")
    )
    for entry in soon[:RECLAIM_BATCH]:
        lead = entry.lead
        when = entry_reclaim_at(entry, lead)
        with transaction.atomic():
            if not PoolEntry.objects.filter(pk=entry.pk, warned_at__isnull=True).update(
                warned_at=now
            ):
                continue
            pool_event_record(lead, pool, PoolEvent.Action.WARN, None, to_user=lead.owner)
            pool_notify(
                lead.owner,
                Notification.Kind.RECLAIM_WARNING,
                text(
                    "pools.reclaim_soon",
                    lead=str(lead),
                    pool=str(pool),
                    date=day(timezone.localtime(when).date()),
                ),
                lead,
                body=text("pools.reclaim_soon_keep"),
                key=f"reclaim-warning:{lead.uuid}:{entry.claimed_at:%Y%m%d%H%M%S%f}",
            )
        summary.warned += 1


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
        former = lead.owner
        reason = text_list(reasons)
        with translation.override(settings.LANGUAGE_CODE):  # the history's record, in one language
            written = text_render(reason)
        lead = lead_assign(
            lead=lead, owner=None, actor=None, reason=f"reclaimed: {written}", via=VIA_RECLAIM
        )
        PoolEntry.objects.filter(pk=entry_pk).update(claimed_at=None, warned_at=None)
        pool_event_record(
            lead, pool, PoolEvent.Action.RECLAIM, None, to_user=former, reason=written,
            params={"text": reason},
        )  # fmt: skip
        pool_notify(
            former,
            Notification.Kind.LEAD_RECLAIMED,
            text("pools.reclaimed", lead=str(lead), pool=str(pool)),
            lead,
            body=text("pools.reclaimed_why", reason=reason),
            key=f"reclaimed:{lead.uuid}:{entry.claimed_at:%Y%m%d%H%M%S%f}",
        )
    return lead.pk
