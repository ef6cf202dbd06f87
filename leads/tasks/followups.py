"""Follow-up reminders (beat, per tenant)."""

from celery import shared_task
from django.db import connection

from leadcrm.tasking import logger, tenant_lock
from leads.services import followups as followup_services

#: Longer than a run ever takes, shorter than the gap a stuck lock should block (beat: 5 min).
REMINDERS_LOCK_SECONDS = 10 * 60


# No retry: the next beat run (five minutes later) is the retry, and it is safe to run twice.
@shared_task(acks_late=True, ignore_result=False, max_retries=0)
def followup_reminders_send(limit: int = followup_services.REMINDER_BATCH) -> list[int]:
    """Periodic, per tenant (beat, every five minutes): remind assignees of tasks due soon and
    overdue (see leads.services.followups.followup_reminders_send; safe to run twice).

    One run per tenant at a time: a run that finds the tenant's lock taken does nothing (cache
    keys carry the schema, so the lock is per tenant). Returns [due_soon, overdue].
    """
    with tenant_lock("followup_reminders_send", seconds=REMINDERS_LOCK_SECONDS) as taken:
        if not taken:
            logger.info("reminders skipped=locked tenant=%s", connection.schema_name)
            return [0, 0]
        due_soon, overdue = followup_services.followup_reminders_send(limit=limit)
    logger.info(
        "reminders due_soon=%d overdue=%d tenant=%s", due_soon, overdue, connection.schema_name
    )
    return [due_soon, overdue]
