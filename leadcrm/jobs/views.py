"""The progress of one background job, as the partial every job page polls."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from leadcrm.jobs.selectors import job_get_for_user


@login_required
@require_GET
def job_status(request, uuid):
    """The shared progress partial of a job its creator (or a tenant admin) may see; 404
    for anyone else."""
    job = job_get_for_user(user=request.user, uuid=uuid)
    return render(request, "jobs/_progress.html", {"job": job})
