"""Celery tasks of the leads app. Thin: they take ids, call a service and log one line."""

from celery import shared_task
from django.core.cache import cache
from django.db import connection

from leadcrm.tasking import logger
from leads.services import tasks as task_services

#: Longer than a run ever takes, shorter than the gap a stuck lock should block (beat: 5 min).
REMINDERS_LOCK_SECONDS = 10 * 60


@shared_task(acks_late=True, ignore_result=False)
def task_reminders_send(limit: int = task_services.REMINDER_BATCH) -> list[int]:
    """Periodic, per tenant (beat, every five minutes): remind assignees of tasks due soon and
    overdue (see leads.services.tasks.task_reminders_send; safe to run twice).

    One run per tenant at a time: a run that finds the tenant's lock taken does nothing (cache
    keys carry the schema, so the lock is per tenant). Returns [due_soon, overdue].
    """
    lock = "lock:task_reminders_send"
    if not cache.add(lock, 1, timeout=REMINDERS_LOCK_SECONDS):
        logger.info("reminders skipped=locked tenant=%s", connection.schema_name)
        return [0, 0]
    try:
        due_soon, overdue = task_services.task_reminders_send(limit=limit)
    finally:
        cache.delete(lock)
    logger.info(
        "reminders due_soon=%d overdue=%d tenant=%s", due_soon, overdue, connection.schema_name
    )
    return [due_soon, overdue]


@shared_task(acks_late=True, ignore_result=False)
def files_cleanup() -> list[int]:
    """Daily, per tenant: expired export files, abandoned uploads and old import files go
    (see leads.exports.exports_cleanup, leads.importing.services.imports_cleanup)."""
    from leads.exports import exports_cleanup
    from leads.importing.services import imports_cleanup

    exports = exports_cleanup()
    uploads, files = imports_cleanup()
    logger.info(
        "files cleanup exports=%d uploads=%d import_files=%d tenant=%s",
        exports, uploads, files, connection.schema_name,
    )  # fmt: skip
    return [exports, uploads, files]
