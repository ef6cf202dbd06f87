"""Housekeeping: expired export files, abandoned uploads (never queued: no job) and the files of
imports whose job ended long ago are deleted by a daily per-tenant job; what people still need
(counts, problems, reports) stays."""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from leadcrm.jobs.models import Job
from leadcrm.jobs.services import job_create, job_fail
from leads.exports import JOB_TTL, exports_cleanup
from leads.importing.services import import_error_report, import_job_create, imports_cleanup
from leads.models import ImportIssue, ImportJob
from leads.tasks.files import files_cleanup


def test_expired_export_files_go_and_fresh_ones_stay(in_tenant_a):
    old = default_storage.save("exports/old-test.csv", ContentFile(b"a"))
    fresh = default_storage.save("exports/fresh-test.csv", ContentFile(b"b"))
    later = timezone.now() + timedelta(seconds=JOB_TTL + 60)
    try:
        # Seen from a day later, both are expired; seen from now, neither is.
        assert exports_cleanup() == 0
        assert default_storage.exists(old)
        assert exports_cleanup(now=later) >= 2
        assert not default_storage.exists(old)
        assert not default_storage.exists(fresh)
    finally:
        for path in (old, fresh):
            default_storage.delete(path)


def test_abandoned_uploads_and_old_import_files(in_tenant_a):
    cast = in_tenant_a
    abandoned = import_job_create(actor=cast.admin, filename="a.csv", data=b"Name\nA\n")
    finished = import_job_create(actor=cast.admin, filename="f.csv", data=b"Name,Email\nF,bad\n")
    run = job_create(kind="import", user=cast.admin)
    Job.objects.filter(pk=run.pk).update(
        status="done", finished_at=timezone.now() - timedelta(days=91)
    )
    ImportJob.objects.filter(pk=finished.pk).update(job=run, errors=1)
    ImportIssue.objects.create(job=finished, row_number=2, column="Email", value="bad",
                               reason="not a valid email address")  # fmt: skip
    recent = import_job_create(actor=cast.admin, filename="r.csv", data=b"Name\nR\n")
    failed_lately = import_job_create(actor=cast.admin, filename="l.csv", data=b"Name\nL\n")
    run = job_create(kind="import", user=cast.admin)
    job_fail(job=run, error="The file is empty.")
    ImportJob.objects.filter(pk=failed_lately.pk).update(job=run)
    ImportJob.objects.filter(pk=abandoned.pk).update(created_at=timezone.now() - timedelta(days=8))
    abandoned_path = abandoned.file.name
    assert imports_cleanup() == (1, 1)
    assert not ImportJob.objects.filter(pk=abandoned.pk).exists()
    assert not default_storage.exists(abandoned_path)
    finished.refresh_from_db()
    assert finished.file.name == ""
    assert import_error_report(finished)  # the report still opens, without "Rows to fix"
    assert ImportJob.objects.filter(pk=recent.pk).exists()
    assert ImportJob.objects.get(pk=failed_lately.pk).file  # ended, but not 90 days ago
    assert files_cleanup()[1:3] == [0, 0]  # the task, a second time: no import file left
