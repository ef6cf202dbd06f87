"""The duplicate scan as a background job (queue "dedup"; see leads.services.dedup_scan)."""

from django.db import connection

from leadcrm.jobs.tasks import job_task
from leadcrm.tasking import logger
from leads.services.dedup_scan import dedup_scan_perform


@job_task()
def dedup_scan_run(job) -> dict:
    """Scan the tenant for duplicate groups; the groups become the job's result."""
    result = dedup_scan_perform(job=job)
    logger.info("dedup scan groups=%d tenant=%s", len(result["groups"]), connection.schema_name)
    return result
