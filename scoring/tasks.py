"""Celery tasks of the scoring app (the ``scoring`` queue, by CELERY_TASK_ROUTES). Thin: they
take ids, call ``score_recompute`` and log one line."""

from celery import shared_task
from django.db import connection

from leadcrm.jobs.tasks import job_task
from leadcrm.tasking import TRANSIENT_ERRORS, enqueue_on_commit, logger, tenant_lock
from scoring.configuration import rescore_all_run
from scoring.services import open_lead_ids, score_recompute


@shared_task(
    acks_late=True,
    ignore_result=False,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def score_leads(lead_ids: list[int], trigger: str = "") -> int:
    """Score these leads (safe to run twice: the same values, no second history row)."""
    scored = score_recompute(lead_ids=lead_ids, trigger=trigger)
    logger.info(
        "scored leads=%d trigger=%s tenant=%s", scored, trigger or "-", connection.schema_name
    )
    return scored


def score_new_lead(lead_id: int) -> None:
    """The leads app's after-create hook: score the new lead in the background."""
    enqueue_on_commit(score_leads, [lead_id], "created")


def score_new_leads(lead_ids: list[int]) -> None:
    """The bulk after-create hook (imports): one scoring task per batch."""
    enqueue_on_commit(score_leads, list(lead_ids), "created")


def score_changed_lead(lead_id: int) -> None:
    """The after-change hook (edit, activity, status, stage, BANT): rescore the lead."""
    enqueue_on_commit(score_leads, [lead_id], "changed")


@job_task()
def rescore_all(job) -> dict:
    """The rescore-all Job (kind "rescore") a change on Settings → Scoring starts: every open
    lead, with progress (see scoring.configuration.rescore_all_run; safe to rerun). No
    automatic retry: a failed job shows its reason and the next change starts a new one;
    ``acks_late`` reruns it if the worker dies mid-way."""
    return rescore_all_run(job=job)


#: Longer than a nightly run takes, shorter than a day (beat: daily).
NIGHTLY_LOCK_SECONDS = 6 * 60 * 60


# No retry: the next night's run is the retry; every chunk is its own transaction.
@shared_task(acks_late=True, ignore_result=False, max_retries=0)
def score_nightly() -> int:
    """Periodic, per tenant (beat, daily): rescore every open lead, so what changes with time
    alone applies (behavioural points fade by their half-life; expired manual adjustments end).
    One run per tenant at a time."""
    with tenant_lock("score_nightly", seconds=NIGHTLY_LOCK_SECONDS) as taken:
        if not taken:
            logger.info("nightly scoring skipped=locked tenant=%s", connection.schema_name)
            return 0
        scored = score_recompute(lead_ids=open_lead_ids(), trigger="nightly")
    logger.info("nightly scoring scored=%d tenant=%s", scored, connection.schema_name)
    return scored
