"""Imports run as Jobs: ImportJob.job (kind "import") and ImportJob.void_job (kind
"import_void") take over the run's state, which ImportJob kept itself until now.

1. add the two links
2. give every import past "uploaded" a Job with its status, progress (rows handled of the
   file's rows), message (as the job's reason) and times; an import someone asked to undo
   also gets a done "import_void" Job asked at that time (who asked was not recorded)
3. drop ImportJob's own status, processed, message, started_at, finished_at and
   void_requested_at

Reversible: going back copies the same values from the Jobs onto the restored fields (a
cancelled job becomes "failed", the only ended state the old field knew) and deletes those Jobs.
"""

import django.db.models.deletion
from django.db import migrations, models


def jobs_from_imports(apps, schema_editor):
    ImportJob = apps.get_model("leads", "ImportJob")
    Job = apps.get_model("jobs", "Job")
    for imported in ImportJob.objects.exclude(status="uploaded").order_by("pk").iterator():
        imported.job = Job.objects.create(
            kind="import",
            status=imported.status,
            done=imported.processed,
            total=imported.total_rows,
            params={"import": str(imported.uuid)},
            error=imported.message,
            created_by_id=imported.created_by_id,
            created_at=imported.created_at,
            started_at=imported.started_at,
            finished_at=imported.finished_at,
        )
        if imported.void_requested_at is not None:
            imported.void_job = Job.objects.create(
                kind="import_void",
                status="done",
                done=imported.voided,
                total=imported.voided,
                params={"import": str(imported.uuid)},
                created_at=imported.void_requested_at,
                started_at=imported.void_requested_at,
                finished_at=imported.void_requested_at,
            )
        imported.save(update_fields=["job", "void_job"])
    _check_constraints_now(schema_editor)


def imports_from_jobs(apps, schema_editor):
    ImportJob = apps.get_model("leads", "ImportJob")
    Job = apps.get_model("jobs", "Job")
    linked = ImportJob.objects.select_related("job", "void_job").exclude(job=None)
    gone = []
    for imported in linked.order_by("pk").iterator():
        job = imported.job
        imported.status = "failed" if job.status == "cancelled" else job.status
        imported.processed = job.done
        imported.message = job.error
        imported.started_at = job.started_at
        imported.finished_at = job.finished_at
        imported.void_requested_at = imported.void_job.created_at if imported.void_job else None
        gone += [job.pk, imported.void_job_id]
        imported.job = imported.void_job = None
        imported.save()
    Job.objects.filter(pk__in=[pk for pk in gone if pk]).delete()
    _check_constraints_now(schema_editor)


def _check_constraints_now(schema_editor):
    """Run the deferred foreign-key checks of the rows just written, so the ALTER TABLEs that
    follow in this transaction meet no pending trigger events (Postgres refuses those)."""
    schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0001_initial"),
        ("leads", "0001_squashed_0013_lead_import_job"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="job",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="jobs.job",
            ),
        ),
        migrations.AddField(
            model_name="importjob",
            name="void_job",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="jobs.job",
            ),
        ),
        migrations.RunPython(jobs_from_imports, imports_from_jobs),
        migrations.RemoveField(model_name="importjob", name="finished_at"),
        migrations.RemoveField(model_name="importjob", name="message"),
        migrations.RemoveField(model_name="importjob", name="processed"),
        migrations.RemoveField(model_name="importjob", name="started_at"),
        migrations.RemoveField(model_name="importjob", name="status"),
        migrations.RemoveField(model_name="importjob", name="void_requested_at"),
    ]
