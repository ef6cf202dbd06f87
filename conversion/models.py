"""Where a won lead goes: customers (accounts), their contacts and opportunities, the
opportunity pipeline, and the record of each conversion."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords


class ConversionSettings(models.Model):
    """Per-tenant conversion settings (one row)."""

    class Followups(models.TextChoices):
        KEEP = "keep", _("Keep them open (they show on the customer)")
        CLOSE = "close", _("Cancel them")

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    customer_duplicate_check = models.BooleanField(
        _("link an existing customer with the same company name"), default=True
    )
    contact_duplicate_check = models.BooleanField(
        _("refuse a contact who already exists under the customer (e-mail or mobile)"),
        default=True,
    )
    opportunity_name_unique = models.BooleanField(
        _("no two opportunities with the same name under one customer"), default=True
    )
    open_followups = models.CharField(
        _("open follow-ups of a converted lead"),
        max_length=10,
        choices=Followups.choices,
        default=Followups.KEEP,
    )
    #: {"customer": {"<target field>": "<lead field or cf:key>"}, "contact": {...}, ...}
    #: Empty: the defaults in conversion.mapping.DEFAULT_MAPPING.
    field_mapping = models.JSONField(default=dict, blank=True)
    default_currency = models.CharField(_("default currency"), max_length=3, default="CNY")

    def __str__(self) -> str:
        return "conversion settings"

    @classmethod
    def load(cls) -> "ConversionSettings":
        row, _created = cls.objects.get_or_create(singleton=True)
        return row


class Customer(models.Model):
    """A company (account) the team sells to."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    #: The normalised company name (the lead duplicate check's company key).
    name_key = models.CharField(max_length=200, blank=True, editable=False)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    website = models.CharField(_("website"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    region = models.CharField(_("region / province"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    custom_data = models.JSONField(_("custom fields"), default=dict, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_customers",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("customer")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["name_key"], name="customer_name_key"),
            models.Index(fields=["owner", "created_at"], name="customer_owner_created"),
        ]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A person at a customer."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="contacts"
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=150)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    email = models.EmailField(_("email"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    mobile = models.CharField(_("mobile"), max_length=40, blank=True)
    email_key = models.CharField(max_length=254, blank=True, editable=False)
    mobile_key = models.CharField(max_length=20, blank=True, editable=False)
    notes = models.TextField(_("notes"), blank=True)
    custom_data = models.JSONField(_("custom fields"), default=dict, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_contacts",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contact")
        ordering = ["name"]
        indexes = [
            models.Index(
                fields=["customer", "email_key"],
                name="contact_customer_email",
                condition=~Q(email_key=""),
            ),
            models.Index(
                fields=["customer", "mobile_key"],
                name="contact_customer_mobile",
                condition=~Q(mobile_key=""),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OpportunityStage(models.Model):
    """A step of the tenant's sales pipeline, with the win probability it implies."""

    class Outcome(models.TextChoices):
        OPEN = "open", _("Open")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    probability = models.PositiveSmallIntegerField(_("probability (%)"), default=0)
    outcome = models.CharField(
        _("outcome"), max_length=4, choices=Outcome.choices, default=Outcome.OPEN
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("opportunity stage")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Opportunity(models.Model):
    """A deal with a customer: how much, by when, how far."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="opportunities",
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
    )
    name = models.CharField(_("name"), max_length=200)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, default=0)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    stage = models.ForeignKey(
        OpportunityStage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="+"
    )
    probability = models.PositiveSmallIntegerField(_("probability (%)"), default=0)
    loss_reason = models.ForeignKey(
        "leads.LossReason",
        verbose_name=_("loss reason"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    notes = models.TextField(_("notes"), blank=True)
    custom_data = models.JSONField(_("custom fields"), default=dict, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_opportunities",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    #: When it reached a won or lost stage (analytics: won amount by close date).
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["stage", "owner"], name="opportunity_stage_owner"),
            models.Index(fields=["customer", "name"], name="opportunity_customer_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Conversion(models.Model):
    """A lead's conversion: who, when, and what it created or linked. One per lead (the unique
    lead decides a race between two people converting the same lead)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    lead = models.OneToOneField("leads.Lead", on_delete=models.PROTECT, related_name="conversion")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="conversions")
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="conversions"
    )
    opportunity = models.ForeignKey(
        Opportunity, null=True, blank=True, on_delete=models.SET_NULL, related_name="conversions"
    )
    customer_created = models.BooleanField(default=False)
    contact_created = models.BooleanField(default=False)
    converted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    converted_at = models.DateTimeField()
    #: Open follow-ups the conversion cancelled (by the tenant's setting).
    followups_closed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-converted_at"]
        indexes = [models.Index(fields=["converted_at"], name="conversion_converted_at")]

    def __str__(self) -> str:
        return f"lead {self.lead_id} -> customer {self.customer_id}"


class CustomerActivity(models.Model):
    """A call, e-mail, meeting or note logged on a customer. The activities of the leads
    converted into the customer stay on those leads; the customer's timeline shows both."""

    class Kind(models.TextChoices):
        CALL = "call", _("Call")
        EMAIL = "email", _("Email")
        MEETING = "meeting", _("Meeting")
        NOTE = "note", _("Note")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="activities"
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    body = models.TextField(_("notes"), blank=True)
    at = models.DateTimeField(_("when"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("customer activity")
        verbose_name_plural = _("customer activities")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["customer", "-at"], name="customer_activity_time")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.customer}"
