"""The sample data's load as a background job (see onboarding.services)."""

from django.db import connection

from leadcrm.jobs.tasks import job_task
from leadcrm.tasking import logger
from onboarding.services import sample_data_load_perform


@job_task()
def sample_data_load_run(job) -> dict:
    """Load the sample data for the admin who asked; the counts become the job's result."""
    result = sample_data_load_perform(job=job)
    logger.info(
        "sample data created=%s leads=%d tenant=%s",
        result["created"],
        result["leads"],
        connection.schema_name,
    )
    return result
