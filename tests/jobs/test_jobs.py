"""Background jobs: the lifecycle, failures that end the job with a reason (through a real
worker), a second delivery that never reruns a finished job, exclusive kinds, and the
progress partial that only the job's creator (or a tenant admin) sees."""

import time

import pytest
from django.urls import reverse
from django_tenants.utils import tenant_context

from leadcrm.jobs.errors import JobAlreadyActive, JobCancelled, JobError, JobRunningElsewhere
from leadcrm.jobs.models import Job
from leadcrm.jobs.services import (
    job_cancel,
    job_create,
    job_enqueue,
    job_fail,
    job_finish,
    job_progress,
    job_start,
)
from tests.conftest import _load_cast, tenant_client

PROBE = "leadcrm.jobs.tasks.job_probe"


def test_a_job_goes_queued_running_done_with_progress_and_result(in_tenant_a):
    cast = in_tenant_a
    job = job_create(kind="probe", user=cast.rep, total=10)
    assert (job.status, job.percent, job.started_at) == ("queued", 0, None)
    running = job_start(job_id=job.pk)
    assert (running.status, running.started_at is not None) == ("running", True)
    job_progress(job=running, done=4)
    assert Job.objects.get(pk=job.pk).percent == 40
    job_progress(job=running, done=5, total=20)
    assert (Job.objects.get(pk=job.pk).done, Job.objects.get(pk=job.pk).total) == (5, 20)
    assert job_finish(job=running, result={"rows": 20}) is True
    done = Job.objects.get(pk=job.pk)
    assert (done.status, done.result, done.percent) == ("done", {"rows": 20}, 100)
    assert done.finished_at is not None


def test_an_ended_job_never_starts_or_changes_again(in_tenant_a):
    cast = in_tenant_a
    for end in (job_finish, job_fail, job_cancel):
        job = job_create(kind="probe", user=cast.rep)
        job_start(job_id=job.pk)
        ended = end(job=job, **({"error": "why"} if end is job_fail else {}))
        assert ended is True
        status = Job.objects.get(pk=job.pk).status
        assert job_start(job_id=job.pk) is None  # a second delivery does not run it
        assert job_finish(job=job, result={"again": 1}) is False
        assert job_fail(job=job, error="late") is False
        assert job_cancel(job=job) is False
        assert Job.objects.get(pk=job.pk).status == status


def test_a_second_delivery_resumes_a_running_job(in_tenant_a):
    """acks_late: the worker died mid-run, the message comes again, the body continues."""
    job = job_create(kind="probe", user=in_tenant_a.rep)
    first = job_start(job_id=job.pk)
    again = job_start(job_id=job.pk)
    assert (first.status, again.status, again.pk) == ("running", "running", job.pk)
    assert again.started_at == first.started_at


def test_a_cancelled_job_stops_at_its_next_progress_report(in_tenant_a):
    job = job_create(kind="probe", user=in_tenant_a.rep, total=3)
    running = job_start(job_id=job.pk)
    job_cancel(job=Job.objects.get(pk=job.pk))
    with pytest.raises(JobCancelled):
        job_progress(job=running, done=1)
    assert Job.objects.get(pk=job.pk).status == "cancelled"


def test_a_job_run_in_this_process_ends_as_in_the_worker(in_tenant_a):
    """job_run (a command that works synchronously) keeps the task's promises: done with the
    body's result, failed with a JobError's reason or a generic one for a crash, nothing for
    a job that has ended."""
    from leadcrm.jobs.tasks import job_run

    def body(job, step):
        job_progress(job=job, done=step, total=step)
        return {"step": step}

    def refuses(job):
        raise JobError("The list has no name column.")

    def crashes(job):
        raise RuntimeError("secret detail")

    cast = in_tenant_a
    done = job_run(job_create(kind="probe", user=cast.rep).pk, body, 3)
    assert (done.status, done.done, done.result) == ("done", 3, {"step": 3})
    assert job_run(done.pk, body, 4) is None  # ended: it does not run again
    failed = job_run(job_create(kind="probe", user=cast.rep).pk, refuses)
    assert (failed.status, failed.error) == ("failed", "The list has no name column.")
    crashed = job_run(job_create(kind="probe", user=cast.rep).pk, crashes)
    assert (crashed.status, "RuntimeError" in crashed.error) == ("failed", True)
    assert "secret" not in crashed.error


def test_a_delivery_that_finds_another_on_the_job_leaves_it_running(in_tenant_a):
    from leadcrm.jobs.tasks import job_run

    def elsewhere(job):
        raise JobRunningElsewhere(job.uuid)

    job = job_create(kind="probe", user=in_tenant_a.rep)
    job_run(job.pk, elsewhere)
    assert Job.objects.get(pk=job.pk).status == "running"  # the other delivery ends it


def test_an_exclusive_kind_has_one_active_job_per_tenant(cast_a, cast_b):
    with tenant_context(cast_a.tenant):
        first = job_create(kind="scan", user=cast_a.admin, exclusive=True)
        with pytest.raises(JobAlreadyActive) as refused:
            job_create(kind="scan", user=cast_a.manager, exclusive=True)
        assert refused.value.job.pk == first.pk
        job_create(kind="scan", user=cast_a.admin)  # not exclusive: not limited
    with tenant_context(cast_b.tenant):  # another tenant has its own
        job_create(kind="scan", user=cast_b.admin, exclusive=True)
    with tenant_context(cast_a.tenant):
        job_start(job_id=first.pk)
        job_finish(job=first)
        assert job_create(kind="scan", user=cast_a.admin, exclusive=True).pk != first.pk


def test_a_lost_exclusive_job_does_not_block_its_kind_forever(in_tenant_a):
    from datetime import timedelta

    from django.utils import timezone

    stuck = job_create(kind="scan", user=in_tenant_a.admin, exclusive=True)
    Job.objects.filter(pk=stuck.pk).update(
        status="running", created_at=timezone.now() - timedelta(hours=3)
    )
    fresh = job_create(kind="scan", user=in_tenant_a.admin, exclusive=True)
    assert fresh.pk != stuck.pk
    assert Job.objects.get(pk=stuck.pk).status == "failed"
    assert Job.objects.get(pk=stuck.pk).error


def test_jobs_are_queued_on_commit_with_their_tenant(
    in_tenant_a, django_capture_on_commit_callbacks
):
    job = job_create(kind="probe", user=in_tenant_a.rep)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        job_enqueue(job=job, task=PROBE)
    assert len(queued) == 1
    assert Job.objects.get(pk=job.pk).task_id == job.task_id != ""


def test_the_progress_partial_polls_while_active_and_shows_the_reason_when_failed(in_tenant_a):
    cast = in_tenant_a
    job = job_create(kind="probe", user=cast.rep, total=8)
    job_progress(job=job_start(job_id=job.pk), done=2)
    client = tenant_client(cast, cast.rep)
    url = reverse("jobs-status", kwargs={"uuid": job.uuid})
    html = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert "2 of 8 · 25%" in html
    job_fail(job=job, error="The file went missing.")
    html = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in html
    assert "The file went missing." in html


def test_only_the_creator_and_tenant_admins_see_a_job(in_tenant_a):
    cast = in_tenant_a
    job = job_create(kind="probe", user=cast.rep)
    job_fail(job=job, error="Secret reason of the rep")
    url = reverse("jobs-status", kwargs={"uuid": job.uuid})
    assert tenant_client(cast, cast.rep).get(url).status_code == 200
    assert "Secret reason" in tenant_client(cast, cast.admin).get(url).content.decode()
    for other in (cast.teammate, cast.manager):
        response = tenant_client(cast, other).get(url)
        assert response.status_code == 404
        assert "Secret reason" not in response.content.decode()
    assert tenant_client(cast).get(url).status_code == 302  # signed out: to the login page


def test_another_tenants_admin_gets_404(cast_a, cast_b):
    with tenant_context(cast_a.tenant):
        job = job_create(kind="probe", user=cast_a.admin)
        url = reverse("jobs-status", kwargs={"uuid": job.uuid})
    response = tenant_client(cast_b, cast_b.admin).get(url)
    assert response.status_code == 404


def _wait_until_ended(job: Job, seconds: float = 30) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if not job.is_active:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job still {job.status} after {seconds}s")


@pytest.fixture
def probe_jobs(committed_db):
    """Probe jobs created by the test in tenant alpha, committed; deleted afterwards."""
    cast = _load_cast("alpha")
    made = []

    def make(**params):
        with tenant_context(cast.tenant):
            job = job_create(kind="probe", user=cast.rep, params=params)
            made.append(job.pk)
            return job

    yield cast, make
    with tenant_context(cast.tenant):
        Job.objects.filter(pk__in=made).delete()


@pytest.mark.worker
def test_a_job_runs_in_the_worker_and_reports_progress_and_result(celery_worker, probe_jobs):
    cast, make = probe_jobs
    job = make(steps=3)
    with tenant_context(cast.tenant):
        job_enqueue(job=job, task=PROBE, args=(7,))
        job = _wait_until_ended(job)
    assert (job.status, job.done, job.total, job.result) == (
        "done",
        3,
        3,
        {"steps": 3, "args": [7]},
    )
    assert job.started_at <= job.finished_at


@pytest.mark.worker
def test_a_failure_inside_the_task_fails_the_job_with_its_reason(celery_worker, probe_jobs):
    cast, make = probe_jobs
    expected = make(fail="The list has no name column.")
    crashed = make(crash="connection string with a password")
    with tenant_context(cast.tenant):
        job_enqueue(job=expected, task=PROBE)
        job_enqueue(job=crashed, task=PROBE)
        expected, crashed = _wait_until_ended(expected), _wait_until_ended(crashed)
    assert (expected.status, expected.error) == ("failed", "The list has no name column.")
    assert crashed.status == "failed"
    assert "unexpected error (RuntimeError)" in crashed.error
    assert "password" not in crashed.error  # the details stay in the worker's log
    assert crashed.finished_at is not None


@pytest.mark.worker
def test_a_second_delivery_does_not_run_a_finished_job_again(celery_worker, probe_jobs):
    from leadcrm.jobs.tasks import job_probe

    cast, make = probe_jobs
    job = make(steps=2)
    with tenant_context(cast.tenant):
        job_enqueue(job=job, task=PROBE, args=(1,))
        job = _wait_until_ended(job)
        finished_at = job.finished_at
    redelivered = job_probe.apply_async(
        args=[job.pk, 2], headers={"_schema_name": cast.tenant.schema_name}
    )
    assert redelivered.get(timeout=30) is None  # handled: skipped, the job had ended
    with tenant_context(cast.tenant):
        job.refresh_from_db()
    assert (job.status, job.result["args"], job.finished_at) == ("done", [1], finished_at)
