"""Creating, queueing and moving background jobs through their states.

Every state change is a conditional UPDATE on the current status, so two workers (a message
delivered twice), a worker and a person cancelling, or two requests never overwrite each
other: the loser sees 0 rows and leaves the job as the winner set it. Final states (done,
failed, cancelled) never change again.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from leadcrm.accounts.models import User
from leadcrm.jobs.errors import JobAlreadyActive, JobCancelled
from leadcrm.jobs.models import Job
from leadcrm.tasking import enqueue_on_commit

#: An exclusive job still queued or running after this long is taken for lost (its worker
#: and its message are gone) and failed, so it does not block its kind forever.
STALE_AFTER = timedelta(hours=2)
ERROR_LENGTH = Job._meta.get_field("error").max_length


def job_create(
    *,
    kind: str,
    user: User | None,
    total: int = 0,
    params: dict | None = None,
    exclusive: bool = False,
) -> Job:
    """A new queued job of ``kind`` for ``user``. With ``exclusive``, at most one job of the
    kind is queued or running in the tenant (a partial unique index decides a race): raises
    JobAlreadyActive with that job otherwise. One older than STALE_AFTER is failed first.

    The language active now (the starter's page language) is kept in ``params["language"]``:
    the job writes its report and reasons in it (see job_run)."""
    language = translation.get_language()
    if language and "language" not in (params or {}):
        params = {**(params or {}), "language": language}
    if exclusive:
        Job.objects.filter(
            kind=kind, exclusive=True, status__in=Job.ACTIVE,
            created_at__lt=timezone.now() - STALE_AFTER,
        ).update(
            status=Job.Status.FAILED, finished_at=timezone.now(),
            error=_("The job stopped answering and was given up."),
        )  # fmt: skip
    try:
        with transaction.atomic():
            return Job.objects.create(
                kind=kind, created_by=user, total=total, params=params or {},
                exclusive=exclusive,
            )  # fmt: skip
    except IntegrityError:
        active = Job.objects.filter(kind=kind, exclusive=True, status__in=Job.ACTIVE).first()
        if active is None:  # it finished between the insert and this read
            return job_create(kind=kind, user=user, total=total, params=params, exclusive=True)
        raise JobAlreadyActive(active) from None


def job_enqueue(*, job: Job, task: str, args: tuple = ()) -> Job:
    """Queue the task named ``task`` (a ``@job_task``) for ``job`` once the transaction
    commits, with the current tenant; its queue comes from CELERY_TASK_ROUTES. The task is
    named, not imported, so a service never imports the module of its own task."""
    task_id = enqueue_on_commit(task, job.pk, *args)
    Job.objects.filter(pk=job.pk).update(task_id=task_id, task_name=task, task_args=list(args))
    job.task_id, job.task_name, job.task_args = task_id, task, list(args)
    return job


def job_start(*, job_id: int) -> Job | None:
    """Queued → running. A job already running is handed back too: it is the same message
    delivered again (a worker killed mid-run, acks_late), and the body resumes it. Returns
    None for a job that is done, failed, cancelled or gone: it must not run again."""
    now = timezone.now()
    Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=now, heartbeat_at=now
    )
    Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(heartbeat_at=now)
    return (
        Job.objects.select_related("created_by")
        .filter(pk=job_id, status=Job.Status.RUNNING)
        .first()
    )


def job_progress(*, job: Job, done: int, total: int | None = None) -> None:
    """Record how far a running job got (``total`` too when it is known only now). Raises
    JobCancelled if the job is no longer running (cancelled meanwhile), so the run stops."""
    changes = {"done": done} if total is None else {"done": done, "total": total}
    if not Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
        **changes, heartbeat_at=timezone.now()
    ):
        raise JobCancelled(job.uuid)
    for field, value in changes.items():
        setattr(job, field, value)


def job_finish(*, job: Job, result: dict | None = None) -> bool:
    """Running → done, with its ``result``; the progress shows complete. False if the job was
    no longer running (cancelled, or finished by another delivery): nothing changes."""
    now = timezone.now()
    changes = {"status": Job.Status.DONE, "finished_at": now, "result": result or {}}
    finished = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(**changes)
    if finished:
        for field, value in changes.items():
            setattr(job, field, value)
    return bool(finished)


def job_fail(*, job: Job, error: str) -> bool:
    """Queued or running → failed, with ``error``: the reason, for the person who asked.
    False if the job had already ended."""
    changes = {
        "status": Job.Status.FAILED,
        "finished_at": timezone.now(),
        "error": str(error)[:ERROR_LENGTH],
    }
    failed = Job.objects.filter(pk=job.pk, status__in=Job.ACTIVE).update(**changes)
    if failed:
        for field, value in changes.items():
            setattr(job, field, value)
    return bool(failed)


def job_cancel(*, job: Job) -> bool:
    """Queued or running → cancelled. A queued job will not start; a running one stops at its
    next progress report (what it committed so far stays). False if it had already ended."""
    changes = {"status": Job.Status.CANCELLED, "finished_at": timezone.now()}
    cancelled = Job.objects.filter(pk=job.pk, status__in=Job.ACTIVE).update(**changes)
    if cancelled:
        for field, value in changes.items():
            setattr(job, field, value)
    return bool(cancelled)


#: A running job that showed no sign of life for this long lost its worker (killed, the
#: machine restarted): the broker would hand its message out again only after its visibility
#: timeout (hours). It is queued again, at most REQUEUE_MAX times, then failed with a reason.
JOB_SILENT_AFTER = timedelta(minutes=15)
REQUEUE_MAX = 3


def jobs_requeue_stale(*, now=None) -> tuple[int, int]:
    """Queue again the running jobs of the current tenant that stopped answering (their
    bodies resume where the last batch ended), or fail them with a reason once they have been
    queued again REQUEUE_MAX times or no task is known. Returns (requeued, failed). A job
    picked here gets a fresh heartbeat in the same conditional UPDATE, so two sweeps never
    queue it twice."""
    now = now or timezone.now()
    silent = Job.objects.filter(status=Job.Status.RUNNING).filter(
        Q(heartbeat_at__lt=now - JOB_SILENT_AFTER)
        | Q(heartbeat_at__isnull=True, started_at__lt=now - JOB_SILENT_AFTER)
    )
    requeued = failed = 0
    for job in silent.order_by("pk")[:100]:
        if job.task_name and job.requeued < REQUEUE_MAX:
            taken = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, requeued=job.requeued)
            if taken.update(requeued=job.requeued + 1, heartbeat_at=now):
                enqueue_on_commit(job.task_name, job.pk, *job.task_args)
                requeued += 1
        elif job_fail(job=job, error=_("The job stopped answering and was given up.")):
            failed += 1
    return requeued, failed
