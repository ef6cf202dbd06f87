"""Celery tasks of the scoring app (the ``scoring`` queue, by CELERY_TASK_ROUTES). Thin: they
take ids, call ``score_recompute`` and log one line."""

from celery import shared_task
from django.db import connection

from leadcrm.jobs.tasks import job_task
from leadcrm.tasking import TRANSIENT_ERRORS, enqueue_on_commit, logger, tenant_lock
from scoring.configuration import model_retrain_run, rescore_all_run
from scoring.predictive.services import model_train_due
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


@job_task()
def model_retrain(job) -> dict:
    """The "retrain now" Job (kind "train"): a new model version, then a rescore with it."""
    return model_retrain_run(job=job)


#: Longer than a nightly run takes, shorter than a day (beat: daily).
NIGHTLY_LOCK_SECONDS = 6 * 60 * 60


# No retry: the next night's run is the retry; every chunk is its own transaction.
@shared_task(acks_late=True, ignore_result=False, max_retries=0)
def score_nightly() -> int:
    """Periodic, per tenant (beat, daily): retrain the conversion model when leads closed since
    the last training, then rescore every open lead, so what changes with time alone applies
    (behavioural points fade by their half-life; expired manual adjustments end; the new
    model's probabilities). One run per tenant at a time; a failed training is logged and the
    rescoring runs with the model that was active."""
    with tenant_lock("score_nightly", seconds=NIGHTLY_LOCK_SECONDS) as taken:
        if not taken:
            logger.info("nightly scoring skipped=locked tenant=%s", connection.schema_name)
            return 0
        try:
            version = model_train_due(trigger="nightly")
        except Exception:
            logger.exception("nightly training failed tenant=%s", connection.schema_name)
        else:
            if version is not None:
                logger.info(
                    "nightly training version=%d status=%s tenant=%s",
                    version.version, version.status, connection.schema_name,
                )  # fmt: skip
        scored = score_recompute(lead_ids=open_lead_ids(), trigger="nightly")
    logger.info("nightly scoring scored=%d tenant=%s", scored, connection.schema_name)
    return scored
