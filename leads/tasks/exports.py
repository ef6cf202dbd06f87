"""The background export of the Leads list (a Job of kind "export", default queue)."""

from leadcrm.jobs.tasks import job_task
from leads import exports


@job_task()
def export_leads(job) -> dict:
    """Write the export (see leads.exports.export_job_run; safe to run twice).

    No automatic retry: a failed export shows its reason on its progress page and the person
    asks again; ``acks_late`` reruns it if the worker dies mid-way."""
    return exports.export_job_run(job=job)
