"""The lead and what hangs off it: stages, sources, loss reasons, stage changes, activities."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

DEDUP_KEY_FIELDS = ("email_key", "phone_key", "mobile_key", "company_key", "name_key")


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
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The person and the company
    name = models.CharField(_("name"), max_length=150)
    company = models.CharField(_("company"), max_length=200, blank=True)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    email = models.EmailField(_("email"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    mobile = models.CharField(_("mobile"), max_length=40, blank=True)
    website = models.CharField(_("website"), max_length=200, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    region = models.CharField(_("region / province"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
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
    # Timestamps
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    first_follow_up_at = models.DateTimeField(_("first follow-up"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)
    next_follow_up_at = models.DateTimeField(_("next follow-up due"), null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    stage_changed_at = models.DateTimeField(null=True, blank=True)
    #: Set when this lead was merged into another (a tombstone: hidden, restorable 30 days).
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_leads"
    )
    #: The import that created it (the list filters by it: "the leads of this import").
    import_job = models.ForeignKey(
        "ImportJob",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    # Duplicate detection keys, derived from the fields above on every save (leads.dedup).
    email_key = models.CharField(max_length=254, blank=True, editable=False)
    phone_key = models.CharField(max_length=20, blank=True, editable=False)
    mobile_key = models.CharField(max_length=20, blank=True, editable=False)
    company_key = models.CharField(max_length=200, blank=True, editable=False)
    name_key = models.CharField(max_length=200, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["updated_at", *DEDUP_KEY_FIELDS])

    class Meta:
        ordering = ["-created_at"]
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
            GinIndex(fields=["tags"], name="lead_tags"),
            # Substring search (name, company, email: case-insensitive; phones as typed).
            GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="lead_name_trgm"),
            GinIndex(OpClass(Upper("company"), name="gin_trgm_ops"), name="lead_company_trgm"),
            GinIndex(OpClass(Upper("email"), name="gin_trgm_ops"), name="lead_email_trgm"),
            GinIndex(OpClass(F("phone"), name="gin_trgm_ops"), name="lead_phone_trgm"),
            GinIndex(OpClass(F("mobile"), name="gin_trgm_ops"), name="lead_mobile_trgm"),
            GinIndex(fields=["custom_data"], name="lead_custom_data", opclasses=["jsonb_path_ops"]),
            # Duplicate checks: exact keys by btree, similar companies and names by trigram.
            models.Index(fields=["email_key"], name="lead_email_key", condition=~Q(email_key="")),
            models.Index(fields=["phone_key"], name="lead_phone_key", condition=~Q(phone_key="")),
            models.Index(
                fields=["mobile_key"], name="lead_mobile_key", condition=~Q(mobile_key="")
            ),
            models.Index(
                fields=["company_key"], name="lead_company_key", condition=~Q(company_key="")
            ),
            models.Index(fields=["name_key"], name="lead_name_key", condition=~Q(name_key="")),
            GinIndex(OpClass(F("company_key"), name="gin_trgm_ops"), name="lead_company_key_trgm"),
            GinIndex(OpClass(F("name_key"), name="gin_trgm_ops"), name="lead_name_key_trgm"),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.company}" if self.company else self.name

    def save(self, *args, **kwargs):
        from leads.dedup.keys import lead_keys_fill

        lead_keys_fill(self)
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


class Activity(models.Model):
    """A logged touch: call, email, meeting or note."""

    class Kind(models.TextChoices):
        CALL = "call", _("Call")
        EMAIL = "email", _("Email")
        MEETING = "meeting", _("Meeting")
        NOTE = "note", _("Note")

    class CallOutcome(models.TextChoices):
        CONNECTED = "connected", _("Connected")
        NO_ANSWER = "no_answer", _("No answer")
        INVALID_NUMBER = "invalid_number", _("Invalid number")
        BUSY = "busy", _("Busy")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    outcome = models.CharField(_("outcome"), max_length=20, choices=CallOutcome.choices, blank=True)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("notes"), blank=True)
    occurred_at = models.DateTimeField(_("when"))
    recording = models.FileField(_("recording"), upload_to="recordings/%Y/%m/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["lead", "-occurred_at"], name="activity_lead_time")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.lead}"


class LeadSettings(models.Model):
    """Per-tenant settings of the leads module (one row)."""

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    require_bant_for_qualified = models.BooleanField(
        _("require the BANT checklist before Qualified"), default=False
    )
    hot_score = models.PositiveSmallIntegerField(_("hot from score"), default=70)
    #: Phone numbers without a country code are read as numbers of this country.
    default_country = models.CharField(
        _("default country for phone numbers"), max_length=2, default="CN"
    )

    def __str__(self) -> str:
        return "lead settings"

    @classmethod
    def load(cls) -> "LeadSettings":
        settings_row, _created = cls.objects.get_or_create(singleton=True)
        return settings_row


class CustomFieldDefinition(models.Model):
    """An extra lead field defined by a tenant admin; values live in Lead.custom_data[key]."""

    class FieldType(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        DATE = "date", _("Date")
        CHOICE = "choice", _("Choice")
        MULTI_CHOICE = "multi_choice", _("Multiple choice")
        BOOLEAN = "boolean", _("Yes / no")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    key = models.SlugField(_("key"), max_length=40, unique=True)
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

    def __str__(self) -> str:
        return self.label


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
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_at < timezone.now()


class Comment(models.Model):
    """Team discussion on a lead; @mentions notify the people named."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("comment"))
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:50]


class Access(models.TextChoices):
    READ = "read", _("Read only")
    WRITE = "write", _("Read and write")


class LeadMember(models.Model):
    """A colleague added to a lead's team by its owner (or an admin)."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lead_memberships"
    )
    access = models.CharField(max_length=10, choices=Access.choices, default=Access.READ)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["lead", "user"], name="lead_member_once")]
        indexes = [models.Index(fields=["user", "lead"], name="lead_member_user")]

    def __str__(self) -> str:
        return f"{self.user} on {self.lead}"


class SharingRule(models.Model):
    """Share the leads of an owner (or of everyone in a team/department) with a user or a
    team/department, read-only or read-write."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100)
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("leads owned by"),
    )
    from_team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("leads owned by members of"),
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("shared with"),
    )
    to_team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("shared with members of"),
    )
    access = models.CharField(max_length=10, choices=Access.choices, default=Access.READ)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(from_user__isnull=False) ^ Q(from_team__isnull=False),
                name="sharing_rule_one_source",
            ),
            models.CheckConstraint(
                condition=Q(to_user__isnull=False) ^ Q(to_team__isnull=False),
                name="sharing_rule_one_target",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SavedView(models.Model):
    """A user's named list filter (the query string of the Leads page)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(_("name"), max_length=60)
    query = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_view_name_once")
        ]

    def __str__(self) -> str:
        return self.name


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


class DuplicateRule(models.Model):
    """A tenant's rule for "these two leads are the same": every listed field must match.

    ``fields`` is a list of ``{"field": "email"|"phone"|"company"|"name", "match":
    "exact"|"fuzzy", "threshold": 0-100}`` ("phone" compares phone and mobile both ways).
    Exact-only rules give red ("exact duplicate") warnings, rules with a fuzzy field yellow
    ("similar"). ``action`` block refuses the new lead in every channel; warn lets it in.
    """

    class Action(models.TextChoices):
        WARN = "warn", _("Warn")
        BLOCK = "block", _("Block")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("active"), default=True)
    fields = models.JSONField(default=list)
    action = models.CharField(
        _("action"), max_length=10, choices=Action.choices, default=Action.WARN
    )

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class DuplicateDismissal(models.Model):
    """Two leads someone checked and found to be different people: the scan no longer pairs
    them. ``lead_a`` has the lower id."""

    lead_a = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="+")
    lead_b = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="+")
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    dismissed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["lead_a", "lead_b"], name="dismissal_pair_once"),
            models.CheckConstraint(
                condition=models.Q(lead_a__lt=models.F("lead_b")), name="dismissal_pair_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lead_a_id} ≠ {self.lead_b_id}"


class LeadMerge(models.Model):
    """One merge: which leads went into which, the survivor's values before, and what moved,
    so it can be undone within 30 days."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    survivor = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="merges")
    merged = models.ManyToManyField(Lead, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    #: The survivor's field values before the merge (only the fields the merge changed).
    survivor_before = models.JSONField(default=dict)
    #: What moved to the survivor: {"activities": [ids], "tasks": [...], ...}.
    moved = models.JSONField(default=dict)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"merge into {self.survivor_id}"


class ImportJob(models.Model):
    """One upload of a lead list, from mapping through the background run to its report."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Waiting for the mapping")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

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
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)
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
    run_rules = models.BooleanField(default=True)
    #: Where the new leads go instead of the rules, e.g. "pool:<uuid>" (see leads.hooks).
    destination = models.CharField(max_length=80, blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    #: Rows handled so far: each batch commits its leads, its problems and this counter
    #: together, so a run that restarts after a crash continues here and creates no lead twice.
    processed = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    #: "Undo this import": when an admin asked to void its leads, and how many were voided.
    void_requested_at = models.DateTimeField(null=True, blank=True)
    voided = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename

    @property
    def percent(self) -> int:
        return int(100 * self.processed / self.total_rows) if self.total_rows else 0


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
