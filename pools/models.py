"""Lead pools: shared backlogs that members claim from and admins allocate from."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


def default_return_reasons() -> list[str]:
    return []


class Pool(models.Model):
    class Mode(models.TextChoices):
        CLAIM = "claim", _("Members claim")
        ALLOCATE = "allocate", _("Admins allocate")
        BOTH = "both", _("Claim and allocate")

    class Kind(models.TextChoices):
        REGION = "region", _("Region")
        INDUSTRY = "industry", _("Industry")
        PRODUCT_LINE = "product_line", _("Product line")
        OTHER = "other", _("Other")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    description = models.CharField(_("description"), max_length=300, blank=True)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.BOTH)
    #: Push: new leads routed into this pool go straight to this person.
    default_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("default assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    #: Where leads go that no assignment rule matches (exactly one pool per tenant).
    is_fallback = models.BooleanField(_("fallback pool"), default=False)
    admins = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="admin_of_pools", blank=True
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="member_of_pools", blank=True
    )
    member_teams = models.ManyToManyField("accounts.Team", related_name="pools", blank=True)
    #: How many open leads from this pool one member may hold (None: no limit).
    max_open_per_member = models.PositiveIntegerField(null=True, blank=True)
    #: How many leads one member may claim from this pool per day (None: no limit).
    max_claims_per_day = models.PositiveIntegerField(null=True, blank=True)
    #: Days before someone may claim again a lead they returned.
    return_cooldown_days = models.PositiveIntegerField(default=0)
    #: Reclaim a claimed lead when no follow-up was logged within this many days.
    reclaim_no_follow_up_days = models.PositiveIntegerField(null=True, blank=True)
    #: Reclaim a claimed lead not qualified (or converted) within this many days.
    reclaim_not_qualified_days = models.PositiveIntegerField(null=True, blank=True)
    #: Reclaim a claimed lead with no follow-up in the last this many days (one touch long ago
    #: does not keep it forever; counted from the claim while it was never touched).
    reclaim_no_touch_days = models.PositiveIntegerField(null=True, blank=True)
    #: Warn the holder this many days before a reclaim.
    reclaim_warning_days = models.PositiveIntegerField(default=1)
    #: Leads that come back (returned, withdrawn, reclaimed) are routed again by the rules.
    reroute_returned = models.BooleanField(default=False)
    #: The reasons a member chooses from when returning a lead (empty: free text).
    return_reasons = ArrayField(
        models.CharField(max_length=100), default=default_return_reasons, blank=True
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[admins, members])

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_fallback"],
                condition=models.Q(is_fallback=True),
                name="pool_one_fallback",
            )
        ]

    def __str__(self) -> str:
        return self.name


class PoolEntry(models.Model):
    """A lead's place in a pool. It stays while a member holds the lead, so limits and the
    reclaim rules know where the lead came from."""

    lead = models.OneToOneField("leads.Lead", on_delete=models.CASCADE, related_name="pool_entry")
    pool = models.ForeignKey(Pool, on_delete=models.PROTECT, related_name="entries")
    entered_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    #: When the holder was warned of a coming reclaim (cleared on each claim).
    warned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["pool", "claimed_at"], name="pool_entry_pool")]

    def __str__(self) -> str:
        return f"{self.lead_id} in {self.pool_id}"


class PoolEvent(models.Model):
    """The audit trail of every pool operation: who did what to which lead, and why."""

    class Action(models.TextChoices):
        ENTER = "enter", _("Entered the pool")
        CLAIM = "claim", _("Claimed")
        ALLOCATE = "allocate", _("Allocated")
        RETURN = "return", _("Returned")
        WITHDRAW = "withdraw", _("Withdrawn")
        TRANSFER = "transfer", _("Transferred")
        RECLAIM = "reclaim", _("Reclaimed")
        WARN = "warn", _("Reclaim warning")
        ROUTE = "route", _("Routed")
        HANDOFF = "handoff", _("Low-score handoff")

    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="pool_events")
    pool = models.ForeignKey(Pool, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)
    #: What a system-written reason is made of, rendered in the reader's language (see
    #: ``reason_text``): a handoff keeps {"score", "below", "days"}, never an English sentence.
    params = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["pool", "action", "at"], name="pool_event_pool"),
            models.Index(fields=["actor", "action", "at"], name="pool_event_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.lead_id}"

    @property
    def reason_text(self) -> str:
        """The reason in the active language. A reason the system wrote is built from
        ``params`` at read time (``params["text"]``, see leadcrm.notifications.texts; a handoff
        keeps its numbers); odd stored values fall back to the plain reason instead of breaking
        a page."""
        params = self.params if isinstance(self.params, dict) else {}
        if params.get("text"):
            from leadcrm.notifications.texts import text_render

            return text_render(params["text"]) or self.reason
        if self.action == self.Action.HANDOFF:
            try:
                values = {key: int(params[key]) for key in ("score", "below", "days")}
            except (KeyError, TypeError, ValueError):
                return self.reason
            return (
                gettext("The score (%(score)d) stayed below %(below)d for %(days)d days or more")
                % values
            )
        return self.reason


class ContactReveal(models.Model):
    """Someone looked at a masked phone number or email address of a pooled lead."""

    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="reveals")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    field = models.CharField(max_length=20)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["user", "at"], name="pool_reveal_user")]

    def __str__(self) -> str:
        return f"{self.user_id} saw {self.field} of {self.lead_id}"


class AssignmentRule(models.Model):
    """One ordered routing rule: conditions on the lead and a target (first match wins).

    ``conditions`` is a list of groups; a group is a list of ``{"field", "op", "value"}`` rows.
    Rows in a group must all hold (AND); the rule matches when any group holds (OR). An empty
    list matches every lead. See pools.services.routing for fields and operators.
    """

    class Target(models.TextChoices):
        USER = "user", _("A person")
        TEAM = "team", _("A team")
        POOL = "pool", _("A pool")

    class Strategy(models.TextChoices):
        ROUND_ROBIN = "round_robin", _("Round-robin")
        LEAST_LOADED = "least_loaded", _("Least loaded (fewest open leads)")
        WEIGHTED = "weighted", _("Weighted")
        PERFORMANCE = "performance", _("By conversion rate")

    class Trigger(models.TextChoices):
        NEW = "new", _("New leads")
        RETURNED = "returned", _("Returned leads")
        WITHDRAWN = "withdrawn", _("Withdrawn leads")
        RECLAIMED = "reclaimed", _("Reclaimed leads")
        LOW_SCORE = "low_score", _("Low-score handoff (leads whose score stays low)")
        MANUAL = "manual", _("Re-run on demand")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(_("active"), default=True)
    triggers = ArrayField(models.CharField(max_length=12), default=list)
    conditions = models.JSONField(default=list, blank=True)
    target_type = models.CharField(_("target"), max_length=10, choices=Target.choices)
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    target_team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    target_pool = models.ForeignKey(
        Pool, null=True, blank=True, on_delete=models.PROTECT, related_name="rules"
    )
    strategy = models.CharField(
        _("strategy"), max_length=20, choices=Strategy.choices, default=Strategy.ROUND_ROBIN
    )
    #: Per member weights for the weighted strategy: {"<user pk>": weight}; missing: 1.
    weights = models.JSONField(default=dict, blank=True)
    #: At most this many leads per member per day through this rule (None: no cap).
    daily_cap = models.PositiveIntegerField(_("daily cap per member"), null=True, blank=True)
    #: A low-score handoff through this rule also sets the lead's status to Nurture.
    set_nurture = models.BooleanField(_("also set the status to Nurture"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class RuleMemberState(models.Model):
    """Per rule and member: how many leads the rule gave them (fair round-robin) and today."""

    rule = models.ForeignKey(AssignmentRule, on_delete=models.CASCADE, related_name="states")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    assigned = models.PositiveIntegerField(default=0)
    day = models.DateField(null=True)
    assigned_on_day = models.PositiveIntegerField(default=0)
    last_assigned_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule", "user"], name="pool_rule_member_state")
        ]

    def __str__(self) -> str:
        return f"{self.rule_id}/{self.user_id}: {self.assigned}"


class RoutingSettings(models.Model):
    """Per-tenant settings of routing that belong to no single rule (one row).

    The low-score handoff: open leads whose score stayed below ``low_score_below`` for
    ``low_score_days`` (counted from their assignment, else their creation) are handed to the
    first active "low_score" assignment rule that matches them (pools.services.handoff).

    The dormant-lead rules: a lead anyone holds, whatever its origin, that breaks one of these
    time limits (counted from its assignment, else its creation) goes back to a pool; a lead
    claimed from a pool with reclaim rules of its own follows its pool's rules instead
    (pools.services.dormant)."""

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    low_score_enabled = models.BooleanField(
        _("hand off leads whose score stays low"), default=False
    )
    low_score_below = models.PositiveSmallIntegerField(_("score below"), default=20)
    low_score_days = models.PositiveSmallIntegerField(_("for at least (days)"), default=14)
    dormant_enabled = models.BooleanField(_("return dormant leads to a pool"), default=False)
    dormant_no_follow_up_days = models.PositiveSmallIntegerField(null=True, blank=True)
    dormant_no_touch_days = models.PositiveSmallIntegerField(null=True, blank=True)
    dormant_not_qualified_days = models.PositiveSmallIntegerField(null=True, blank=True)
    dormant_warning_days = models.PositiveSmallIntegerField(default=1)

    def __str__(self) -> str:
        return "routing settings"

    @classmethod
    def load(cls) -> "RoutingSettings":
        settings_row, _created = cls.objects.get_or_create(singleton=True)
        return settings_row
