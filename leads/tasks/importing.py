"""The import job (queue "import"). Thin: it takes the job id and calls the service."""

from celery import shared_task
from django.db import connection

from leadcrm.tasking import logger
from leads.importing.services import import_run, import_void_run


@shared_task(acks_late=True, ignore_result=False)
def import_run_task(job_id: int) -> dict:
    """Run or resume an import. acks_late: a worker killed mid-run leaves the message to be
    delivered again, and the run continues after the last committed batch."""
    job = import_run(job_id)
    logger.info(
        "import job=%s status=%s created=%d updated=%d skipped=%d errors=%d tenant=%s",
        job.uuid,
        job.status,
        job.created,
        job.updated,
        job.skipped,
        job.errors,
        connection.schema_name,
    )
    return {"status": job.status, "created": job.created, "errors": job.errors}


@shared_task(acks_late=True, ignore_result=False)
def import_void_task(job_id: int, actor_id: int) -> dict:
    """Void the leads an import created (safe to deliver twice: void leads are skipped)."""
    voided, left = import_void_run(job_id, actor_id)
    logger.info(
        "import void job=%s voided=%d left=%d tenant=%s",
        job_id, voided, left, connection.schema_name,
    )  # fmt: skip
    return {"voided": voided, "left": left}
