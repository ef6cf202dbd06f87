"""Analytics only reads the CRM's data; the one thing it writes is its own bookkeeping."""

from django.conf import settings
from django.db import models


class DigestSent(models.Model):
    """The weekly digest of ``week`` (an ISO week, "2024-W49") went to ``user``: the unique
    constraint makes the digest go out at most once per person and week, however often the
    job runs or is retried."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week = models.CharField(max_length=8)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "week"], name="analytics_digest_once_a_week")
        ]

    def __str__(self) -> str:
        return f"{self.week} → {self.user_id}"
