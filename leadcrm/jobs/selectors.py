"""Reading jobs: who may see which."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from leadcrm.accounts.models import User
from leadcrm.jobs.models import Job
from leadcrm.parsing import uuid_or_none


def jobs_visible_to(user: User) -> QuerySet[Job]:
    """Tenant admins see every job of the tenant; everyone else the jobs they started."""
    jobs = Job.objects.select_related("created_by")
    return jobs if user.is_tenant_admin else jobs.filter(created_by=user)


def job_get_for_user(*, user: User, uuid, kind: str | None = None) -> Job:
    """The job ``uuid`` if ``user`` may see it (and it is of ``kind`` when given); Http404
    otherwise, so a job of someone else is indistinguishable from none."""
    jobs = jobs_visible_to(user)
    if kind is not None:
        jobs = jobs.filter(kind=kind)
    job = jobs.filter(uuid=uuid_or_none(uuid)).first()
    if job is None:
        raise Http404
    return job


def job_latest(*, kind: str, status: str | None = None) -> Job | None:
    """The tenant's newest job of ``kind`` (in ``status`` if given)."""
    jobs = Job.objects.filter(kind=kind)
    if status is not None:
        jobs = jobs.filter(status=status)
    return jobs.order_by("-created_at", "-pk").first()
