"""Imports and their undo, as Jobs (queue "import"; see leads.importing.services)."""

from celery import shared_task
from django.db import connection

from leadcrm.accounts.models import User
from leadcrm.jobs.tasks import job_task
from leadcrm.tasking import logger
from leads.importing import services
from leads.models import ImportJob


@job_task(ignore_result=False)  # so a test can wait for a second delivery to be handled
def import_leads(job) -> None:
    """Run or resume an import. acks_late: a worker killed mid-run leaves the message to be
    delivered again, and the run continues after the last committed batch. No automatic
    retry: a failed import shows its reason on its page, and its committed batches stay."""
    services.import_perform(job=job)
    imported = ImportJob.objects.get(job=job)
    logger.info(
        "import uuid=%s created=%d updated=%d skipped=%d errors=%d tenant=%s",
        imported.uuid, imported.created, imported.updated, imported.skipped, imported.errors,
        connection.schema_name,
    )  # fmt: skip


@job_task(ignore_result=False)
def import_void_leads(job) -> dict:
    """Void the leads an import created (safe to deliver twice: void leads are skipped)."""
    result = services.import_void_perform(job=job)
    logger.info(
        "import void job=%s voided=%d left=%d tenant=%s",
        job.uuid, result["voided"], result["left"], connection.schema_name,
    )  # fmt: skip
    return result


# Messages queued before imports became Jobs (leads 0014) name these two tasks and carry the
# import's id. They hand the work to the Jobs the migration made; remove them once every
# worker has drained such messages (the release after 0014).


@shared_task(acks_late=True, ignore_result=True)
def import_run_task(import_id: int) -> None:
    """An import queued before 0014: run its job, as import_leads would."""
    services.import_run(import_id)


@shared_task(acks_late=True, ignore_result=True)
def import_void_task(import_id: int, actor_id: int) -> None:
    """An undo asked before 0014: ask it again, as a Job (void leads are skipped)."""
    imported = ImportJob.objects.filter(pk=import_id).first()
    actor = User.objects.filter(pk=actor_id, is_active=True).first()
    if imported is not None and actor is not None:
        services.import_void_request(job=imported, actor=actor)
