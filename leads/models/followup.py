"""Follow-up to-dos (the ``Task`` model, not a Celery task) and the SOP templates
that create them."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leads.models.lead import SANE_FROM, SANE_UNTIL, Lead, Stage


class SopTemplate(models.Model):
    """A task created automatically when a lead enters ``stage`` ("call within 24 h")."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="sop_templates")
    title = models.CharField(_("task"), max_length=200)
    due_in_hours = models.PositiveIntegerField(_("due within (hours)"), default=24)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["stage__position", "position"]

    def __str__(self) -> str:
        return self.title


class Task(models.Model):
    """A follow-up to do by a due time, usually about a lead."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    lead = models.ForeignKey(
        Lead, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    title = models.CharField(_("task"), max_length=200)
    description = models.TextField(_("details"), blank=True)
    due_at = models.DateTimeField(_("due"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    sop_template = models.ForeignKey(
        SopTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(
                fields=["assignee", "due_at"], name="task_open_due", condition=Q(status="open")
            ),
            models.Index(fields=["lead", "status"], name="task_lead"),
        ]
        constraints = [
            # An SOP template creates its task once per lead, even if the job runs twice.
            models.UniqueConstraint(
                fields=["lead", "sop_template"],
                condition=Q(sop_template__isnull=False, status="open"),
                name="task_sop_once",
            ),
            # Whatever the entry point, a due date stays in the present era (the forms and
            # services say so in words first; leadcrm.parsing.DUE_YEARS).
            models.CheckConstraint(
                condition=Q(due_at__gte=SANE_FROM, due_at__lt=SANE_UNTIL), name="task_due_sane"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_at < timezone.now()
