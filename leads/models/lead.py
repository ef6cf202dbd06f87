"""The lead, its lists (sources, stages, loss reasons) and its stage changes."""

import datetime
import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from leads.identity.keys import lead_keys_fill
from leads.models.config import default_region

#: The bounds the database keeps follow-up and due dates in (a day of slack around
#: leadcrm.parsing.DUE_YEARS, 2000-2100, for the time zones).
SANE_FROM = datetime.datetime(1999, 12, 31, tzinfo=datetime.UTC)
SANE_UNTIL = datetime.datetime(2101, 1, 2, tzinfo=datetime.UTC)

DEDUP_KEY_FIELDS = (
    "email_key",
    "phone_key",
    "mobile_key",
    "company_key",
    "name_key",
    "address_key",
    "block_keys",
)


class LeadStatus(models.TextChoices):
    UNASSIGNED = "unassigned", _("Unassigned")
    PENDING = "pending", _("Pending")
    FOLLOWING_UP = "following_up", _("Following up")
    QUALIFIED = "qualified", _("Qualified")
    CONVERTED = "converted", _("Converted")
    NURTURE = "nurture", _("Nurture")
    INVALID = "invalid", _("Invalid")
    LOST = "lost", _("Lost / unqualified")
    VOID = "void", _("Void")


#: Statuses in which a lead is still being worked (used by "overdue", workload, reclaim).
OPEN_STATUSES = (
    LeadStatus.UNASSIGNED,
    LeadStatus.PENDING,
    LeadStatus.FOLLOWING_UP,
    LeadStatus.QUALIFIED,
    LeadStatus.NURTURE,
)


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class CompanySize(models.TextChoices):
    MICRO = "1-9", _("1–9 employees")
    SMALL = "10-49", _("10–49 employees")
    MEDIUM = "50-249", _("50–249 employees")
    LARGE = "250-999", _("250–999 employees")
    ENTERPRISE = "1000+", _("1,000+ employees")


class RevenueRange(models.TextChoices):
    UNDER_1M = "<1m", _("Under 1 M")
    R_1_10M = "1m-10m", _("1–10 M")
    R_10_50M = "10m-50m", _("10–50 M")
    R_50_250M = "50m-250m", _("50–250 M")
    OVER_250M = "250m+", _("Over 250 M")


class _OrderedChoice(models.Model):
    """A tenant-editable list entry (sources, stages, loss reasons)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        abstract = True
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class SourceChannel(_OrderedChoice):
    code = models.SlugField(max_length=40, unique=True)

    class Meta(_OrderedChoice.Meta):
        verbose_name = _("source channel")


class LossReason(_OrderedChoice):
    class Meta(_OrderedChoice.Meta):
        verbose_name = _("loss reason")


class Stage(_OrderedChoice):
    """A funnel stage. Separate from status: status says whether the lead is being worked,
    the stage says how far the conversation has got."""

    class Meta(_OrderedChoice.Meta):
        verbose_name = _("funnel stage")


class Lead(models.Model):
    uuid = models.UUIDField(_("UUID"), default=uuid.uuid4, unique=True, editable=False)
    # The person and the company
    name = models.CharField(pgettext_lazy("person", "name"), max_length=150)
    company = models.CharField(_("company"), max_length=200, blank=True)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    email = models.EmailField(_("email"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    mobile = models.CharField(_("mobile"), max_length=40, blank=True)
    website = models.CharField(_("website"), max_length=200, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    region = models.CharField(_("region / province"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    company_size = models.CharField(
        _("company size"), max_length=10, choices=CompanySize.choices, blank=True
    )
    annual_revenue = models.CharField(
        _("annual revenue"), max_length=10, choices=RevenueRange.choices, blank=True
    )
    # Where it came from
    source = models.ForeignKey(
        SourceChannel, verbose_name=_("source"), null=True, blank=True, on_delete=models.PROTECT
    )
    source_detail = models.CharField(_("source detail"), max_length=200, blank=True)
    campaign = models.ForeignKey(
        "leads.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads",
    )
    product_line = models.CharField(_("product line"), max_length=100, blank=True)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    tags = ArrayField(
        models.CharField(max_length=50), verbose_name=_("tags"), default=list, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    custom_data = models.JSONField(_("custom fields"), default=dict, blank=True)
    # Who works it and how far it is
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_leads",
        db_index=False,  # lead_owner_score starts with owner and serves every owner lookup
    )
    status = models.CharField(
        _("status"), max_length=20, choices=LeadStatus.choices, default=LeadStatus.UNASSIGNED
    )
    stage = models.ForeignKey(
        Stage, verbose_name=_("stage"), null=True, blank=True, on_delete=models.PROTECT
    )
    loss_reason = models.ForeignKey(
        LossReason, verbose_name=_("loss reason"), null=True, blank=True, on_delete=models.PROTECT
    )
    status_note = models.CharField(_("status note"), max_length=500, blank=True)
    # Qualification (BANT)
    bant_budget = models.BooleanField(_("budget confirmed"), default=False)
    bant_authority = models.BooleanField(_("decision-maker reached"), default=False)
    bant_need = models.BooleanField(_("need confirmed"), default=False)
    bant_timeline = models.BooleanField(_("timeline known"), default=False)
    # Filled by scoring
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=2, blank=True)
    #: The conversion model's probability in percent (written by scoring; empty while the
    #: tenant's model is not ready).
    conversion_probability = models.PositiveSmallIntegerField(
        _("conversion probability (%)"), null=True, blank=True
    )
    #: Tags the tenant's tag rules give the lead ("High intent", "Gone quiet"), recomputed with
    #: the score; people add their own to ``tags``.
    auto_tags = ArrayField(
        models.CharField(max_length=50),
        verbose_name=_("automatic tags"),
        default=list,
        blank=True,
        editable=False,
    )
    # Timestamps
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    first_follow_up_at = models.DateTimeField(_("first follow-up"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)
    next_follow_up_at = models.DateTimeField(_("next follow-up due"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    #: When it was converted into a customer (set only by lead_mark_converted), or, for a lead
    #: imported as another CRM's history, when it was won there (leads_create_closed_bulk).
    converted_at = models.DateTimeField(_("converted"), null=True, blank=True, editable=False)
    stage_changed_at = models.DateTimeField(_("stage changed"), null=True, blank=True)
    #: When its holder was told it goes back to a pool for want of follow-up (the reclaim job
    #: of pools writes it; "timed out" in lists). Cleared when the lead is touched, changes
    #: hands or leaves the statuses a lead is reclaimed from.
    timed_out_at = models.DateTimeField(_("timed out"), null=True, blank=True, editable=False)
    #: Set when this lead was merged into another (a tombstone: hidden, restorable 30 days).
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_leads",
    )
    #: The import that created it (the list filters by it: "the leads of this import").
    import_job = models.ForeignKey(
        "ImportJob",
        verbose_name=_("import"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    # Duplicate detection keys, derived from the fields above on every save (leads.dedup).
    email_key = models.CharField(_("email key"), max_length=254, blank=True, editable=False)
    phone_key = models.CharField(_("phone key"), max_length=20, blank=True, editable=False)
    mobile_key = models.CharField(_("mobile key"), max_length=20, blank=True, editable=False)
    company_key = models.CharField(_("company key"), max_length=200, blank=True, editable=False)
    name_key = models.CharField(_("name key"), max_length=200, blank=True, editable=False)
    address_key = models.CharField(_("address key"), max_length=100, blank=True, editable=False)
    #: leads.identity.keys.block_keys: what a typo'd record of the same person still shares.
    block_keys = ArrayField(
        models.CharField(max_length=60), default=list, blank=True, editable=False
    )

    #: When the assignment rules were asked to route this new lead; cleared once they ran.
    #: A lead still waiting minutes later lost its message (a worker died, a broker was
    #: flushed) and is routed by the sweep (pools.services.routing.routing_sweep).
    routing_due_at = models.DateTimeField(null=True, blank=True, editable=False)

    # auto_tags are scoring's output, not an edit: a person's change must not carry them along;
    # timed_out_at is the reclaim job's mark, set and cleared by plain UPDATEs; so is
    # routing_due_at.
    history = HistoricalRecords(
        excluded_fields=[
            "updated_at",
            "auto_tags",
            "timed_out_at",
            "routing_due_at",
            *DEDUP_KEY_FIELDS,
        ]
    )

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created_at"]
        constraints = [
            # A follow-up date from the browser's picker can be year 1: whatever the entry
            # point, it stays in the present era (leadcrm.parsing.DUE_YEARS says it in words).
            models.CheckConstraint(
                condition=Q(next_follow_up_at__isnull=True)
                | Q(next_follow_up_at__gte=SANE_FROM, next_follow_up_at__lt=SANE_UNTIL),
                name="lead_next_follow_up_sane",
            ),
        ]
        indexes = [
            # The list sorts by score (highest first, unscored last) and pages by id; these
            # match ORDER BY score DESC NULLS LAST, id DESC so no sort step is needed.
            models.Index(
                "owner", F("score").desc(nulls_last=True), F("id").desc(), name="lead_owner_score"
            ),
            models.Index(
                "status", F("score").desc(nulls_last=True), F("id").desc(), name="lead_status_score"
            ),
            models.Index(F("score").desc(nulls_last=True), F("id").desc(), name="lead_score"),
            models.Index(F("created_at").desc(), F("id").desc(), name="lead_created"),
            models.Index(
                F("last_activity_at").desc(nulls_last=True),
                F("id").desc(),
                name="lead_last_activity",
            ),
            models.Index(
                fields=["next_follow_up_at"],
                name="lead_next_due_open",
                condition=Q(next_follow_up_at__isnull=False),
            ),
            # The reports' period filters on events other than creation (analytics): the
            # conversions of a period, the losses of a period. Partial: most leads have neither.
            # Follow-ups due today and overdue (the dashboard, the digest): open leads only,
            # with their owner, so a reader's count is read from the index alone.
            models.Index(
                fields=["next_follow_up_at"],
                name="lead_open_due",
                include=["owner_id"],
                condition=Q(
                    next_follow_up_at__isnull=False,
                    merged_into__isnull=True,
                    status__in=["unassigned", "pending", "following_up", "qualified", "nurture"],
                ),
            ),
            # When a lead reached its holder (assignment, else creation): the rep report.
            models.Index(Coalesce("assigned_at", "created_at"), name="lead_handed"),
            # "My timed-out leads" and the reclaim job's re-check: the few marked leads only.
            models.Index(
                fields=["owner"], name="lead_timed_out", condition=Q(timed_out_at__isnull=False)
            ),
            models.Index(
                fields=["converted_at"],
                name="lead_converted",
                condition=Q(converted_at__isnull=False),
            ),
            models.Index(
                fields=["status_changed_at"],
                name="lead_closed",
                condition=Q(status__in=["lost", "invalid"]),
            ),
            # The list's filters by place and industry (exact, case-insensitive: UPPER(x) =
            # UPPER(value)) and by the days a lead was assigned: a rare city or industry is
            # found without reading every lead, and the page's total counts only its rows.
            models.Index(Upper("region"), name="lead_region_upper"),
            models.Index(Upper("city"), name="lead_city_upper"),
            models.Index(Upper("industry"), name="lead_industry_upper"),
            models.Index(
                fields=["assigned_at"],
                name="lead_assigned",
                condition=Q(assigned_at__isnull=False),
            ),
            GinIndex(fields=["tags"], name="lead_tags"),
            GinIndex(fields=["auto_tags"], name="lead_auto_tags"),
            # Substring search (name, company, email: case-insensitive; phones as typed).
            GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="lead_name_trgm"),
            GinIndex(OpClass(Upper("company"), name="gin_trgm_ops"), name="lead_company_trgm"),
            GinIndex(OpClass(Upper("email"), name="gin_trgm_ops"), name="lead_email_trgm"),
            GinIndex(OpClass(F("phone"), name="gin_trgm_ops"), name="lead_phone_trgm"),
            GinIndex(OpClass(F("mobile"), name="gin_trgm_ops"), name="lead_mobile_trgm"),
            GinIndex(fields=["custom_data"], name="lead_custom_data", opclasses=["jsonb_path_ops"]),
            # Duplicate checks: exact keys by btree, typos by the blocking keys (GIN, below).
            models.Index(fields=["email_key"], name="lead_email_key", condition=~Q(email_key="")),
            models.Index(fields=["phone_key"], name="lead_phone_key", condition=~Q(phone_key="")),
            models.Index(
                fields=["mobile_key"], name="lead_mobile_key", condition=~Q(mobile_key="")
            ),
            models.Index(
                fields=["company_key"], name="lead_company_key", condition=~Q(company_key="")
            ),
            models.Index(fields=["name_key"], name="lead_name_key", condition=~Q(name_key="")),
            models.Index(
                fields=["address_key"], name="lead_address_key", condition=~Q(address_key="")
            ),
            # fastupdate off: the import looks keys up while it inserts, and a pending list
            # would be read whole by every lookup (0.04 ms a key without, 1.7 ms with).
            GinIndex(fields=["block_keys"], name="lead_block_keys", fastupdate=False),
            models.Index(
                fields=["routing_due_at"],
                name="lead_routing_due",
                condition=Q(routing_due_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.company}" if self.company else self.name

    def save(self, *args, **kwargs):
        lead_keys_fill(self, default_region())
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *DEDUP_KEY_FIELDS}
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def bant_complete(self) -> bool:
        return self.bant_budget and self.bant_authority and self.bant_need and self.bant_timeline

    @property
    def is_overdue(self) -> bool:
        return bool(
            self.is_open and self.next_follow_up_at and self.next_follow_up_at < timezone.now()
        )


class LeadStageChange(models.Model):
    """Every stage change with its time, so dwell time per stage can be computed."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["lead", "changed_at"]
        indexes = [models.Index(fields=["lead", "changed_at"], name="stagechange_lead_time")]

    def __str__(self) -> str:
        return f"{self.lead_id}: {self.from_stage_id} -> {self.to_stage_id} at {self.changed_at}"
