"""E-mail from the lead page: the tenant's mail server, its templates and the outbox.

Sending lives in ``leads.services.emails``; the tracking of opens and clicks is another app's
(``leads.hooks.email_tracking``: scoring's tracked links and pixel), so the outbox keeps only
the opaque tokens it was given.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from leads.models.activity import Activity
from leads.models.lead import Lead


class EmailSettings(models.Model):
    """The tenant's own mail server (one row). Without a ``host`` the product sends through the
    server's configured mailer (``settings.MAILERS["default"]``: the console on a developer's
    machine).

    ``password`` is write-only: forms never show it back and nothing renders it. It is kept as
    typed in the tenant's schema (the dependencies hold no cipher library yet); whoever reads
    the database reads it."""

    class Security(models.TextChoices):
        STARTTLS = "starttls", _("STARTTLS (usually port 587)")
        SSL = "ssl", _("SSL/TLS (usually port 465)")
        NONE = "none", _("None (not recommended)")

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    host = models.CharField(_("SMTP server"), max_length=255, blank=True)
    port = models.PositiveIntegerField(_("port"), default=587)
    security = models.CharField(
        _("encryption"), max_length=10, choices=Security.choices, default=Security.STARTTLS
    )
    username = models.CharField(_("user name"), max_length=255, blank=True)
    password = models.CharField(_("password"), max_length=255, blank=True)
    from_email = models.EmailField(_("from address"), blank=True)
    from_name = models.CharField(_("from name"), max_length=100, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)
    #: The last "Send test": when, and the server's answer when it failed ("" when it worked).
    tested_at = models.DateTimeField(null=True, blank=True)
    test_error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("e-mail settings")

    def __str__(self) -> str:
        return self.host or "default mailer"

    @property
    def configured(self) -> bool:
        return bool(self.host)

    @classmethod
    def load(cls) -> "EmailSettings":
        row, _created = cls.objects.get_or_create(singleton=True)
        return row


class EmailTemplate(models.Model):
    """A message reps start from on the lead page; ``{{lead.name}}`` and the other merge fields
    (``leads.services.emails.MERGE_FIELDS``) are filled in for the lead."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("e-mail template")

    def __str__(self) -> str:
        return self.name


class LeadEmail(models.Model):
    """One e-mail to a lead: the outbox row the sending task works from, then the record of
    what left (the exact text, when, through which server) and the Email activity it logged.

    The row is written whole when the rep presses Send (tokens and links included), so a task
    that runs twice sends the same message once: ``status`` moves QUEUED → SENT under a row
    lock (``leads.services.emails.email_deliver``)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Not sent")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="emails")
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    template = models.ForeignKey(
        EmailTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_email = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    #: What leaves: the body with its links replaced by tracked ones, as text and as HTML
    #: (with the open pixel).
    body_sent = models.TextField(blank=True)
    html_sent = models.TextField(blank=True)
    #: Set once, so a message sent again after a lost acknowledgement carries the same id and
    #: mail clients show it once.
    message_id = models.CharField(max_length=255)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(_("error"), max_length=500, blank=True)
    #: The server it left through: "smtp.example.com:587", or "default" (the server's mailer).
    sent_via = models.CharField(max_length=300, blank=True)
    #: Tracking tokens from ``leads.hooks.email_tracking``: the open pixel's, and one per link
    #: as [{"url": the address the rep wrote, "token": ...}], in the order of the text.
    pixel_token = models.CharField(max_length=64, blank=True)
    links = models.JSONField(default=list, blank=True)
    activity = models.OneToOneField(
        Activity, null=True, blank=True, on_delete=models.SET_NULL, related_name="email"
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["lead", "-created_at"], name="leademail_lead_time")]
        verbose_name = _("e-mail")

    def __str__(self) -> str:
        return f"{self.subject} → {self.to_email}"
