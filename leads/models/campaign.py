"""Campaigns: the source object with a cost (a trade show, an ad campaign, a webinar, a
mailing). Leads attach to one; analytics weighs their results against the campaign's cost."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CampaignKind(models.TextChoices):
    TRADE_SHOW = "trade_show", _("Trade show")
    AD = "ad", _("Ad campaign")
    WEBINAR = "webinar", _("Webinar")
    MAILING = "mailing", _("E-mail / mailing")
    EVENT = "event", _("Event")
    CONTENT = "content", _("Content / SEO")
    REFERRAL = "referral", _("Referral programme")
    OTHER = "other", _("Other")


class CampaignStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class Campaign(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("type"), max_length=20, choices=CampaignKind.choices, default=CampaignKind.OTHER
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CampaignStatus.choices, default=CampaignStatus.ACTIVE
    )
    #: The channel its leads come through (given to a lead attached without a source).
    source = models.ForeignKey(
        "leads.SourceChannel",
        verbose_name=_("source"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaigns",
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    #: In the tenant's default currency (conversion settings).
    budget = models.DecimalField(
        _("budget"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    actual_cost = models.DecimalField(
        _("actual cost"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="campaigns",
    )
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start_date", "name"]
        verbose_name = _("campaign")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="campaign_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=0), name="campaign_budget_positive"
            ),
            models.CheckConstraint(
                condition=Q(actual_cost__isnull=True) | Q(actual_cost__gte=0),
                name="campaign_cost_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def cost(self):
        """What the campaign cost: the actual cost once known, else its budget (or None)."""
        return self.actual_cost if self.actual_cost is not None else self.budget
