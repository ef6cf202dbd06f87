"""``@job_task``: the one way a Celery task runs a Job.

The task takes the job's id (plus any ids of its own), starts the job, runs the body with the
loaded Job, and finishes it with what the body returns. Whatever happens, the job ends in a
final state or stays running only while a worker is really on it:

- a JobError fails the job with its reason (an expected failure, told to the person);
- any other exception fails it with a short generic reason and logs the traceback, so no
  job is left "running" forever;
- JobCancelled (from job_progress) stops the body; the job stays cancelled;
- a second delivery of the same message (a killed worker, acks_late) resumes a running job,
  and does nothing for a job that already ended, so bodies must be safe to resume; a body
  that finds another delivery already on the job raises JobRunningElsewhere and leaves it
  running, to that delivery.

``job_run`` gives the same guarantees to a job run in the caller's process (a management
command that works synchronously, a test).

The body runs in the language of the person who asked, so reasons read in theirs.
"""

from __future__ import annotations

from functools import wraps

from celery import shared_task
from django.conf import settings
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext as _

from leadcrm.jobs.errors import JobCancelled, JobError, JobRunningElsewhere
from leadcrm.jobs.models import Job
from leadcrm.jobs.services import (
    job_fail,
    job_finish,
    job_progress,
    job_start,
    jobs_requeue_stale,
)
from leadcrm.tasking import logger


def unexpected_reason(error: Exception) -> str:
    """What the person reads when the body crashed: the kind of error, never its details
    (they may hold data or internals; the traceback is in the worker's log)."""
    return _("The job stopped on an unexpected error (%(error)s). Try again or ask an admin.") % {
        "error": type(error).__name__
    }


def job_task(**task_options):
    """Make ``body(job, *args)`` a Celery task named after it that takes ``(job_id, *args)``.
    ``body`` returns the job's result (a JSON-able dict, or None for an empty one).
    ``task_options`` go to ``shared_task`` (acks_late and ignore_result are the defaults)."""
    options = {"acks_late": True, "ignore_result": True} | task_options

    def decorate(body):
        @shared_task(name=f"{body.__module__}.{body.__name__}", **options)
        @wraps(body)
        def run(job_id: int, *args):
            job_run(job_id, body, *args)

        return run

    return decorate


def job_run(job_id: int, body, *args) -> Job | None:
    """Start the job ``job_id``, run ``body(job, *args)`` in this process and end the job as
    the module docstring says (done with what the body returns, or failed with a reason).
    Returns the job as this run left it, or None if it had already ended (nothing ran)."""
    job = job_start(job_id=job_id)
    if job is None:
        logger.info("job skipped=ended job_id=%s tenant=%s", job_id, connection.schema_name)
        return None
    language = (  # the starter's chosen language, else the one their page was in
        getattr(job.created_by, "language", "")
        or (job.params or {}).get("language")
        or settings.LANGUAGE_CODE
    )
    with translation.override(language):
        try:
            result = body(job, *args)
        except JobRunningElsewhere:
            _log(job, "elsewhere")
            return job
        except JobCancelled:
            _log(job, "cancelled")
            return job
        except JobError as error:
            _fail(job, error.reason)
            _log(job, "failed", error.reason)
            return job
        except Exception as error:
            logger.exception(
                "job crashed kind=%s job=%s tenant=%s",
                job.kind, job.uuid, connection.schema_name,
            )  # fmt: skip
            _fail(job, unexpected_reason(error))
            return job
        job_finish(job=job, result=result)
    _log(job, job.status)
    return job


def _fail(job, reason: str) -> None:
    """Fail the job even if the error broke the database connection (reconnect once)."""
    try:
        job_fail(job=job, error=reason)
    except Exception:
        schema = connection.tenant
        connection.close()
        connection.set_tenant(schema)
        job_fail(job=job, error=reason)


def _log(job, outcome: str, reason: str = "") -> None:
    logger.info(
        "job kind=%s job=%s outcome=%s%s tenant=%s",
        job.kind, job.uuid, outcome, f" reason={reason!r}" if reason else "",
        connection.schema_name,
    )  # fmt: skip


@job_task(ignore_result=False)  # so a test can wait for a delivery to be handled
def job_probe(job, *args) -> dict:
    """A job that only does what its params say, to check the whole path through a real
    worker (tests, or an operator after a deploy): report ``steps`` of progress, then fail
    with ``fail`` (a reason), crash with ``crash`` (an exception's message) or finish with
    ``{"steps": n, "args": [...]}``. Routed to the default queue."""
    steps = int(job.params.get("steps", 0))
    for step in range(1, steps + 1):
        job_progress(job=job, done=step, total=steps)
    if job.params.get("fail"):
        raise JobError(job.params["fail"])
    if job.params.get("crash"):
        raise RuntimeError(job.params["crash"])
    return {"steps": steps, "args": list(args)}


@shared_task(acks_late=True, ignore_result=True, max_retries=0)
def jobs_sweep() -> dict:
    """Periodic, per tenant (beat): queue again the jobs whose worker died (or fail them with
    a reason): no job stays "running" for the broker's two-hour visibility timeout."""
    requeued, failed = jobs_requeue_stale()
    if requeued or failed:
        logger.info(
            "jobs swept requeued=%d failed=%d tenant=%s", requeued, failed, connection.schema_name
        )
    return {"requeued": requeued, "failed": failed}
