"""A running job whose worker died is queued again (its body resumes), at most a few times,
then failed with a reason: nothing waits for the broker's two-hour visibility timeout."""

from datetime import timedelta

import pytest
from django.utils import timezone

from leadcrm.jobs import services
from leadcrm.jobs.models import Job
from leadcrm.jobs.services import job_create, job_progress, job_start, jobs_requeue_stale


@pytest.fixture
def queued(monkeypatch):
    sent = []

    def enqueue(task, *args):
        sent.append((task, args))
        return f"task-{len(sent)}"

    monkeypatch.setattr(services, "enqueue_on_commit", enqueue)
    return sent


def _running(
    *, silent_for: timedelta, task: str = "leads.tasks.importing.import_job_run", **fields
):
    job = job_create(kind="import", user=None)
    if task:
        services.job_enqueue(job=job, task=task, args=(7,))
    job_start(job_id=job.pk)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - silent_for, **fields)
    return Job.objects.get(pk=job.pk)


def test_a_silent_running_job_is_queued_again_once(in_tenant_a, queued):
    job = _running(silent_for=timedelta(minutes=20))
    queued.clear()  # the first enqueue
    assert jobs_requeue_stale() == (1, 0)
    assert queued == [("leads.tasks.importing.import_job_run", (job.pk, 7))]
    assert jobs_requeue_stale() == (0, 0)  # its heartbeat is fresh again: not twice
    job.refresh_from_db()
    assert (job.status, job.requeued) == (Job.Status.RUNNING, 1)


def test_a_job_that_shows_progress_is_left_alone(in_tenant_a, queued):
    job = _running(silent_for=timedelta(minutes=20))
    job_progress(job=job, done=10)  # a heartbeat
    assert jobs_requeue_stale() == (0, 0)


def test_after_the_last_requeue_or_without_a_task_the_job_fails_with_a_reason(in_tenant_a, queued):
    tired = _running(silent_for=timedelta(hours=1), requeued=services.REQUEUE_MAX)
    orphan = _running(silent_for=timedelta(hours=1), task="")
    assert jobs_requeue_stale() == (0, 2)
    for job in (tired, orphan):
        job.refresh_from_db()
        assert job.status == Job.Status.FAILED
        assert "stopped answering" in job.error


def test_another_tenants_jobs_are_not_touched(in_tenant_a, cast_b, queued):
    from django_tenants.utils import tenant_context

    with tenant_context(cast_b.tenant):
        theirs = _running(silent_for=timedelta(hours=1))
    with tenant_context(in_tenant_a.tenant):
        assert jobs_requeue_stale() == (0, 0)
    with tenant_context(cast_b.tenant):
        theirs.refresh_from_db()
        assert theirs.requeued == 0
        Job.objects.filter(pk=theirs.pk).delete()
