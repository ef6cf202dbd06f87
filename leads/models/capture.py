"""Capture channels with a configuration: web-to-lead forms."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from leads.models.lead import SourceChannel


class WebForm(models.Model):
    """An embeddable web-to-lead form: visitors post without signing in, a lead is created
    through lead_create (so duplicate rules, routing and history apply as everywhere)."""

    #: Fields a web form may offer (the lead's own; name is always asked).
    FIELD_CHOICES = (
        "company",
        "job_title",
        "email",
        "mobile",
        "phone",
        "website",
        "country",
        "city",
        "postcode",
        "industry",
        "notes",
    )

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("title shown on the form"), max_length=150, blank=True)
    fields = ArrayField(models.CharField(max_length=30), default=list, blank=True)
    required = ArrayField(models.CharField(max_length=30), default=list, blank=True)
    source = models.ForeignKey(
        SourceChannel, verbose_name=_("source"), null=True, blank=True, on_delete=models.PROTECT
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty: the assignment rules route the leads."),
    )
    #: Every lead it captures joins this campaign. SET_NULL, not PROTECT: whether a campaign
    #: may be deleted is decided by its leads (Lead.campaign protects it once it has any); a
    #: form naming it must not block removing one made by mistake, and keeps collecting.
    campaign = models.ForeignKey(
        "leads.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="web_forms",
    )
    #: Instead of an owner: where the leads go, e.g. "pool:<uuid>" (see leads.hooks).
    destination = models.CharField(_("send to"), max_length=80, blank=True)
    thank_you = models.CharField(_("thank-you message"), max_length=300, blank=True)
    redirect_url = models.URLField(_("redirect to (instead of the message)"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    submissions = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
