"""Tenant-level lead configuration: settings and custom field definitions."""

import time
import uuid

from django.contrib.postgres.fields import ArrayField
from django.db import connection, models
from django.utils.translation import gettext_lazy as _


class LeadSettings(models.Model):
    """Per-tenant settings of the leads module (one row)."""

    class OpenTasks(models.TextChoices):
        """What a lead's open tasks do when the lead changes hands
        (leads.services.ownership.leads_owner_changed)."""

        FOLLOW = "follow", _("Move to the new owner")
        CANCEL = "cancel", _("Are cancelled")

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    require_bant_for_qualified = models.BooleanField(
        _("require the BANT checklist before Qualified"), default=False
    )
    #: The score bands the list's Hot chip, the score meters and scoring's grades use: Hot
    #: from ``hot_score``, Warm from ``warm_score`` (Settings → Scoring keeps Hot above Warm).
    hot_score = models.PositiveSmallIntegerField(_("hot from score"), default=70)
    warm_score = models.PositiveSmallIntegerField(_("warm from score"), default=31)
    #: Phone numbers without a country code are read as numbers of this country.
    default_country = models.CharField(
        _("default country for phone numbers"), max_length=2, default="CN"
    )
    #: Every new lead needs an email, a mobile or a phone number (lead_create refuses it
    #: otherwise, whichever channel it comes through). Off: only the name is required.
    require_email_or_phone = models.BooleanField(
        _("a lead needs an email or a phone number"), default=False
    )
    open_tasks_on_reassign = models.CharField(
        _("open tasks when a lead changes owner"),
        max_length=10,
        choices=OpenTasks.choices,
        default=OpenTasks.FOLLOW,
    )

    def __str__(self) -> str:
        return "lead settings"

    @classmethod
    def load(cls) -> "LeadSettings":
        settings_row, _created = cls.objects.get_or_create(singleton=True)
        return settings_row

    def score_band(self, score: int) -> str:
        """ "hot", "warm" or "cold" for ``score`` (as scoring.engine.Thresholds.band)."""
        if score >= self.hot_score:
            return "hot"
        return "warm" if score >= self.warm_score else "cold"


class CustomFieldDefinition(models.Model):
    """An extra field defined by a tenant admin for one kind of record (``record``: "lead", or
    a kind another app registers, see leads.hooks.register_custom_field_record); values live in
    that record's ``custom_data[key]``. Keys are unique per record."""

    class FieldType(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        DATE = "date", _("Date")
        CHOICE = "choice", _("Choice")
        MULTI_CHOICE = "multi_choice", _("Multiple choice")
        BOOLEAN = "boolean", _("Yes / no")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    record = models.CharField(_("record"), max_length=40, default="lead", db_index=True)
    key = models.SlugField(_("key"), max_length=40)
    label = models.CharField(_("label"), max_length=100)
    field_type = models.CharField(_("type"), max_length=20, choices=FieldType.choices)
    choices = ArrayField(
        models.CharField(max_length=100), verbose_name=_("choices"), default=list, blank=True
    )
    required = models.BooleanField(_("required"), default=False)
    filterable = models.BooleanField(_("filterable in the list"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "label"]
        constraints = [
            models.UniqueConstraint(fields=["record", "key"], name="custom_field_record_key_unique")
        ]

    def __str__(self) -> str:
        return self.label


_REGION_CACHE: dict[str, tuple[float, str]] = {}
_REGION_TTL = 60.0


def default_region() -> str:
    """The tenant's default country for phone numbers (cached a minute per schema)."""
    schema = connection.schema_name
    cached = _REGION_CACHE.get(schema)
    if cached and time.monotonic() - cached[0] < _REGION_TTL:
        return cached[1]
    region = (LeadSettings.load().default_country or "CN").upper()
    _REGION_CACHE[schema] = (time.monotonic(), region)
    return region
