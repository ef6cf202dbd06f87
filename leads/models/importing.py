"""Lead list imports: the job, saved mappings and row problems."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from leadcrm.jobs.models import Job


class ImportJob(models.Model):
    """One upload of a lead list, from mapping through the background run to its report.

    The run is a Job of kind "import" (``job``, made when the import is queued; none while
    the file waits for its mapping), the undo another of kind "import_void" (``void_job``):
    their status, progress, reason and times live there only. Here: the file, the choices,
    and what the run made of the rows (the counts, the problems)."""

    class Status(models.TextChoices):
        """Its Job's status, plus "uploaded" before there is one."""

        UPLOADED = "uploaded", _("Waiting for the mapping")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    class OnDuplicate(models.TextChoices):
        SKIP = "skip", _("Skip the row")
        UPDATE = "update", _("Fill the existing lead's empty fields")
        FLAG = "flag", _("Create it and tag it “possible duplicate”")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=255)
    file = models.FileField(upload_to="imports/")
    sheet = models.CharField(max_length=100, blank=True)
    job = models.OneToOneField(
        Job, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    #: {"<column index>": "<target>"}
    mapping = models.JSONField(default=dict)
    #: The saved mapping applied to it, if any (ImportMapping.name).
    mapping_name = models.CharField(max_length=100, blank=True)
    on_duplicate = models.CharField(
        max_length=10, choices=OnDuplicate.choices, default=OnDuplicate.SKIP
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_detail = models.CharField(max_length=200, blank=True)
    #: "Attach every row to this campaign" (a row's own campaign column wins). SET_NULL as
    #: ``owner``: the import is a record; the leads it made protect the campaign themselves.
    campaign = models.ForeignKey(
        "leads.Campaign", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    run_rules = models.BooleanField(default=True)
    #: Where the new leads go instead of the rules, e.g. "pool:<uuid>" (see leads.hooks).
    destination = models.CharField(max_length=80, blank=True)
    #: The rows of the file (of its sheet), known from the upload on.
    total_rows = models.PositiveIntegerField(default=0)
    #: What the run made of the rows so far; each batch adds to them in the transaction that
    #: writes its leads and moves the job's progress (``job.done``, where a resumed run goes on).
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    #: Of ``created``, the leads imported with a closed status (another CRM's history), and
    #: the loss reasons those rows named that the tenant's list did not have (added to it).
    closed = models.PositiveIntegerField(default=0)
    loss_reasons_added = models.PositiveIntegerField(default=0)
    #: "Undo this import": the run that voids its leads (an admin asked), and how many it voided.
    void_job = models.OneToOneField(
        Job, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    voided = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename

    @property
    def cells_left_out(self) -> int:
        """Bad values left out of rows that were imported anyway (warnings about a cell)."""
        return self.issues.filter(is_error=False).exclude(column="").count()

    @property
    def status(self) -> str:
        """ "uploaded" until the import is queued, then its job's status."""
        return self.Status(self.job.status) if self.job_id else self.Status.UPLOADED

    def get_status_display(self) -> str:
        return self.Status(self.status).label

    @property
    def processed(self) -> int:
        """Rows handled so far (the job's progress)."""
        return self.job.done if self.job_id else 0

    @property
    def void_requested_at(self):
        """When an admin asked to undo the import (None if nobody did)."""
        return self.void_job.created_at if self.void_job_id else None


class ImportMapping(models.Model):
    """A column mapping saved for the next file of the same kind (a trade show's export, a
    list vendor's format): header name → field. Shared by everyone who imports."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100, unique=True)
    #: {"<header as in the file>": "<target>"}
    columns = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ImportIssue(models.Model):
    """A row that was not imported (or imported with a warning), with where and why."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="issues")
    row_number = models.PositiveIntegerField()
    column = models.CharField(max_length=100, blank=True)
    value = models.CharField(max_length=300, blank=True)
    reason = models.CharField(max_length=300)
    is_error = models.BooleanField(default=True)

    class Meta:
        ordering = ["row_number", "id"]
        indexes = [models.Index(fields=["job", "row_number"], name="import_issue_row")]

    def __str__(self) -> str:
        return f"row {self.row_number}: {self.reason}"
