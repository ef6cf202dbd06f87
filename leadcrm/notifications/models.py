import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class Notification(models.Model):
    """An in-app notification (the bell), optionally also sent by email."""

    class Kind(models.TextChoices):
        TASK_DUE = "task_due", "Task due soon"
        TASK_OVERDUE = "task_overdue", "Task overdue"
        MENTION = "mention", "Mentioned"
        LEAD_ASSIGNED = "lead_assigned", "Lead assigned"
        LEAD_SHARED = "lead_shared", "Lead shared"
        RECLAIM_WARNING = "reclaim_warning", "Reclaim warning"
        LEAD_RECLAIMED = "lead_reclaimed", "Lead reclaimed"
        LEAD_WITHDRAWN = "lead_withdrawn", "Lead withdrawn"
        GENERAL = "general", "General"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.GENERAL)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    #: {"title": ..., "body": ...} as leadcrm.notifications.texts.text() values: rendered in the
    #: reader's language when shown. ``title`` and ``body`` hold the same sentences written in the
    #: recipient's language when sent (the email, and a fallback for text that cannot render).
    message = models.JSONField(default=dict, blank=True)
    #: Makes sending idempotent: the same (recipient, dedup_key) is notified once.
    dedup_key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["recipient", "-created_at"],
                name="notification_unread",
                condition=Q(read_at__isnull=True),
            ),
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedup_key"],
                condition=~Q(dedup_key=""),
                name="notification_dedup",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title_text(self) -> str:
        return self._text("title", self.title)

    @property
    def body_text(self) -> str:
        return self._text("body", self.body)

    def _text(self, part: str, written: str) -> str:
        from leadcrm.notifications.texts import text_render

        stored = self.message.get(part) if isinstance(self.message, dict) else None
        return (text_render(stored) if stored else None) or written
