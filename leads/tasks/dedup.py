"""The duplicate scan as a background job (queue "dedup"): results are kept in the tenant's
cache for the review page."""

from celery import shared_task
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from leadcrm.tasking import logger
from leads.dedup.scan import tenant_duplicate_groups

RESULT_KEY = "dedup:scan"
RUNNING_KEY = "dedup:scan:running"
QUEUED_KEY = RUNNING_KEY + ":queued"
KEEP_SECONDS = 7 * 24 * 3600


@shared_task(acks_late=True, ignore_result=False)
def dedup_scan_run() -> int:
    """Scan the tenant for duplicate groups; one scan per tenant at a time."""
    if not cache.add(RUNNING_KEY, 1, timeout=60 * 60):
        logger.info("dedup scan skipped=running tenant=%s", connection.schema_name)
        return -1
    cache.delete(QUEUED_KEY)  # the page's "queued" mark: the running mark takes over
    try:
        groups = tenant_duplicate_groups()
        cache.set(
            RESULT_KEY,
            {
                "at": timezone.now().isoformat(),
                "groups": [
                    {
                        "ids": g.lead_ids,
                        "level": g.level,
                        "score": g.score,
                        "rules": sorted({p.rule.name for p in g.pairs}),
                    }
                    for g in groups
                ],
            },
            timeout=KEEP_SECONDS,
        )
    finally:
        cache.delete(RUNNING_KEY)
    logger.info("dedup scan groups=%d tenant=%s", len(groups), connection.schema_name)
    return len(groups)


def scan_result_forget(lead_ids) -> None:
    """Drop the groups that contain any of ``lead_ids`` from the last scan's result (after a
    merge or a dismissal), so the review page does not show them until the next scan."""
    result = cache.get(RESULT_KEY)
    if not result:
        return
    gone = set(lead_ids)
    result["groups"] = [g for g in result["groups"] if not gone.intersection(g["ids"])]
    cache.set(RESULT_KEY, result, timeout=KEEP_SECONDS)
