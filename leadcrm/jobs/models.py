"""One record per background job (an import, an export, a duplicate scan…), in the tenant's
schema: what was asked, by whom, how far it got, and how it ended.

The platform knows no kind of job: apps name theirs with a short slug ("import", "export",
"dedup_scan") and keep whatever they need in ``params`` and ``result``.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    #: A job in one of these may still change; the others are final.
    ACTIVE = (Status.QUEUED, Status.RUNNING)

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.SlugField(max_length=30)
    #: At most one active job of this kind per tenant (the constraint below): a second
    #: request while one is queued or running gets that one instead of starting another.
    exclusive = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    #: What the job was asked to do (the task reads it), e.g. an export's filter and format.
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    #: Why it failed, in words for the person who asked.
    error = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    task_id = models.CharField(max_length=50, blank=True)
    #: The task that runs it and its extra arguments, so a job whose worker died can be
    #: queued again (jobs_requeue_stale) instead of waiting hours for the broker.
    task_name = models.CharField(max_length=150, blank=True)
    task_args = models.JSONField(default=list, blank=True)
    #: When the run last showed it was alive (started, or recorded progress).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    requeued = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["kind", "status"], name="job_kind_status"),
            models.Index(fields=["created_by", "created_at"], name="job_creator_created"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(exclusive=True, status__in=["queued", "running"]),
                name="job_one_active_per_exclusive_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.uuid} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(100, int(100 * self.done / self.total)) if self.total else 0

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE
