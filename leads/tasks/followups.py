"""Follow-up reminders (beat, per tenant)."""

from celery import shared_task
from django.core.cache import cache
from django.db import connection

from leadcrm.tasking import logger
from leads.services import followups as followup_services

#: Longer than a run ever takes, shorter than the gap a stuck lock should block (beat: 5 min).
REMINDERS_LOCK_SECONDS = 10 * 60


@shared_task(acks_late=True, ignore_result=False)
def followup_reminders_send(limit: int = followup_services.REMINDER_BATCH) -> list[int]:
    """Periodic, per tenant (beat, every five minutes): remind assignees of tasks due soon and
    overdue (see leads.services.followups.followup_reminders_send; safe to run twice).

    One run per tenant at a time: a run that finds the tenant's lock taken does nothing (cache
    keys carry the schema, so the lock is per tenant). Returns [due_soon, overdue].
    """
    lock = "lock:followup_reminders_send"
    if not cache.add(lock, 1, timeout=REMINDERS_LOCK_SECONDS):
        logger.info("reminders skipped=locked tenant=%s", connection.schema_name)
        return [0, 0]
    try:
        due_soon, overdue = followup_services.followup_reminders_send(limit=limit)
    finally:
        cache.delete(lock)
    logger.info(
        "reminders due_soon=%d overdue=%d tenant=%s", due_soon, overdue, connection.schema_name
    )
    return [due_soon, overdue]
