"""The background export of the Leads list (registered by LeadsConfig.ready, because Celery's
autodiscovery only imports modules named ``tasks``)."""

from celery import shared_task

from leads import exports


@shared_task(acks_late=True, ignore_result=True)
def export_leads(*, job_id: str) -> str:
    """Write the export ``job_id`` (see leads.exports.export_job_run; safe to run twice).

    No automatic retry: a failed export is marked failed on its progress page and the person
    asks again; ``acks_late`` reruns it if the worker dies mid-way."""
    return exports.export_job_run(job_id=job_id)
