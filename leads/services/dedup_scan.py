"""The tenant-wide duplicate scan as a background job (kind "dedup_scan", one at a time per
tenant): asking for one, running it, and reading the last one's groups for the review page.

The groups live in the finished job's result; the review page reads the newest done scan.
Merging or dismissing leads drops their groups from it until the next scan.
"""

from __future__ import annotations

from django.db import transaction

from leadcrm.accounts.models import User
from leadcrm.jobs.errors import JobAlreadyActive
from leadcrm.jobs.models import Job
from leadcrm.jobs.selectors import job_latest
from leadcrm.jobs.services import job_create, job_enqueue
from leads.dedup.scan import tenant_duplicate_groups

KIND = "dedup_scan"
TASK = "leads.tasks.dedup.dedup_scan_run"


def dedup_scan_request(*, actor: User | None) -> Job:
    """Queue a scan once the transaction commits, unless one is already queued or running:
    then that one is returned and nothing else is queued (the exclusive kind decides races)."""
    try:
        job = job_create(kind=KIND, user=actor, exclusive=True)
    except JobAlreadyActive as active:
        return active.job
    return job_enqueue(job=job, task=TASK)


def dedup_scan_perform(*, job: Job) -> dict:
    """The scan itself (the job's body): every duplicate group of the tenant, as the result to
    keep. Reads only, so a redelivered job simply scans again."""
    groups = tenant_duplicate_groups()
    return {
        "groups": [
            {
                "ids": g.lead_ids,
                "level": g.level,
                "score": g.score,
                "rules": sorted({p.rule.name for p in g.pairs}),
                # The weakest link's evidence, field by field (shown as "same phone, city
                # differs" in the reader's language).
                "why": _weakest(g).evidence.explained() if _weakest(g).evidence else [],
            }
            for g in groups
        ]
    }


def _weakest(group):
    return min(group.pairs, key=lambda p: p.score)


def dedup_scan_active() -> Job | None:
    """The scan queued or running now, if any."""
    return Job.objects.filter(kind=KIND, status__in=Job.ACTIVE).order_by("-created_at").first()


def dedup_scan_to_show() -> Job | None:
    """The scan whose progress the page shows: the one queued or running, else the newest
    one if it failed (so its reason is seen), else none."""
    newest = job_latest(kind=KIND)
    if newest is not None and newest.status in (*Job.ACTIVE, Job.Status.FAILED):
        return newest
    return dedup_scan_active()


def dedup_scan_latest() -> Job | None:
    """The newest finished scan, whose groups the review page shows."""
    return job_latest(kind=KIND, status=Job.Status.DONE)


def scan_result_forget(lead_ids) -> None:
    """Drop the groups that contain any of ``lead_ids`` from the last scan's result (after a
    merge or a dismissal), so the review page does not show them until the next scan. The
    job row is locked, so two of these at once both take effect."""
    gone = set(lead_ids)
    with transaction.atomic():
        latest = dedup_scan_latest()
        if latest is None:
            return
        job = Job.objects.select_for_update().get(pk=latest.pk)
        groups = job.result.get("groups", [])
        kept = [g for g in groups if not gone.intersection(g["ids"])]
        if len(kept) != len(groups):
            Job.objects.filter(pk=job.pk).update(result={**job.result, "groups": kept})
