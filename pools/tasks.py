"""Celery tasks of the pools app. Thin: they take ids, call a service and log one line."""

from celery import shared_task
from django.db import connection

from leadcrm.tasking import TRANSIENT_ERRORS, enqueue_on_commit, logger, tenant_lock
from pools.models import AssignmentRule
from pools.services.handoff import HANDOFF_LIMIT, low_score_handoff_due
from pools.services.reclaim import RECLAIM_BATCH, pool_reclaim_due
from pools.services.routing import INTO_POOL, OWNER_CLEARED, leads_route, routing_sweep

#: Longer than a run ever takes, shorter than the gap a stuck lock should block (beat: 15 min).
RECLAIM_LOCK_SECONDS = 20 * 60
#: The handoff runs daily: a stuck lock blocks at most a few hours, never the next day's run.
HANDOFF_LOCK_SECONDS = 3 * 60 * 60


@shared_task(
    acks_late=True,
    ignore_result=False,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def route_leads(lead_ids: list[int], trigger: str = AssignmentRule.Trigger.NEW) -> dict:
    """Route leads by the tenant's assignment rules (safe to run twice: routed leads are
    skipped). Queued on commit for every new lead, and for imports and "re-run assignment"."""
    result = leads_route(lead_ids, trigger=trigger)
    logger.info(
        "routed trigger=%s assigned=%d pooled=%d skipped=%d tenant=%s",
        trigger,
        result.assigned,
        result.pooled,
        result.skipped,
        connection.schema_name,
    )
    return {"assigned": result.assigned, "pooled": result.pooled, "skipped": result.skipped}


# No retry: the next beat run (ten minutes later) is the retry.
@shared_task(acks_late=True, ignore_result=False, max_retries=0)
def route_late_leads() -> dict:
    """Periodic, per tenant (beat): route new leads whose routing task was lost."""
    result = routing_sweep()
    if result.assigned or result.pooled:
        logger.warning(
            "routed late assigned=%d pooled=%d tenant=%s",
            result.assigned,
            result.pooled,
            connection.schema_name,
        )
    return {"assigned": result.assigned, "pooled": result.pooled}


def route_new_lead(lead_id: int) -> None:
    """The leads app's after-create hook: route the new lead in the background."""
    enqueue_on_commit(route_leads, [lead_id], AssignmentRule.Trigger.NEW)


def route_new_leads(lead_ids: list[int]) -> None:
    """The bulk after-create hook (imports): one routing task per batch."""
    enqueue_on_commit(route_leads, list(lead_ids), AssignmentRule.Trigger.NEW)


def route_unowned_leads(lead_ids: list[int], owner, actor, via: str) -> None:
    """The leads app's after-owner-change hook: leads whose owner was cleared outside a pool
    (a person, a bulk action, a deactivated user's handover) are routed by the new-lead rules
    in the background, one task per batch. A clearing into a pool (a return, a withdrawal, a
    reclaim, a handoff) is left to the pool, which routes it again itself when it says so."""
    if owner is None and via not in INTO_POOL:
        enqueue_on_commit(route_leads, list(lead_ids), OWNER_CLEARED)


# No retry: the next beat run (fifteen minutes later) is the retry; each lead's reclaim is its
# own transaction, so a run cut short leaves nothing half done.
@shared_task(acks_late=True, ignore_result=False, max_retries=0)
def pools_reclaim(limit: int = RECLAIM_BATCH) -> dict:
    """Periodic, per tenant (beat): warn holders and reclaim leads that broke their pool's
    rules or the tenant's dormant-lead rules, and take the timed-out mark off leads worked
    since. One run per tenant at a time (the cache lock is per tenant); one cap per run."""
    with tenant_lock("pools_reclaim", seconds=RECLAIM_LOCK_SECONDS) as taken:
        if not taken:
            logger.info("reclaim skipped=locked tenant=%s", connection.schema_name)
            return {}
        summary = pool_reclaim_due(limit=limit)
    logger.info(
        "reclaim warned=%d reclaimed=%d rerouted=%d left=%d cleared=%d tenant=%s",
        summary.warned,
        summary.reclaimed,
        summary.rerouted,
        summary.left,
        summary.cleared,
        connection.schema_name,
    )
    return vars(summary)


# No retry: the next day's run is the retry; each batch is its own transaction, so a run cut
# short leaves nothing half done, and SKIP LOCKED keeps an overlapping run off the same leads.
@shared_task(acks_late=True, ignore_result=False, max_retries=0)
def pools_low_score_handoff(limit: int = HANDOFF_LIMIT) -> dict:
    """Periodic, per tenant (beat, daily): hand off leads whose score stays low to the pool of
    the matching low-score rule. One run per tenant at a time; capped per run."""
    with tenant_lock("pools_low_score_handoff", seconds=HANDOFF_LOCK_SECONDS) as taken:
        if not taken:
            logger.info("handoff skipped=locked tenant=%s", connection.schema_name)
            return {}
        summary = low_score_handoff_due(limit=limit)
    logger.info(
        "handoff handed_off=%d unmatched=%d left=%d tenant=%s",
        summary.handed_off,
        summary.unmatched,
        summary.left,
        connection.schema_name,
    )
    return vars(summary)
