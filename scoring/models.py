"""Rule scoring: the tenant's settings, dimensions and rules, and each lead's explained score.

The Hot and Warm thresholds are ``leads.LeadSettings.hot_score`` and ``.warm_score`` (the
list's Hot chip and the score meters read them): scoring reads and writes those, and keeps only
the half-life here.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leads.models import Lead
from scoring.engine import (
    ACTIVITY,
    EVENT,
    FIELD,
    INACTIVE,
    KEYWORD,
    MATCH_ALL,
    MATCH_ANY,
    NEGATIVE,
    SOURCE,
)


class Blend(models.TextChoices):
    RULES = "rules", _("Rules only")
    MODEL = "model", _("Model only")
    WEIGHTED = "weighted", _("Rules and model, weighted")


class ScoringSettings(models.Model):
    """Per-tenant scoring settings (one row)."""

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    half_life_days = models.PositiveSmallIntegerField(
        _("behavioural points halve after (days without activity)"), default=30
    )
    #: How the shown score (Lead.score) blends the rule score and the model's probability.
    blend = models.CharField(_("shown score"), max_length=10, choices=Blend.choices,
                             default=Blend.RULES)  # fmt: skip
    #: With the weighted blend: the model's share of the shown score, in percent.
    model_weight = models.PositiveSmallIntegerField(_("model share (%)"), default=50)

    def __str__(self) -> str:
        return "scoring settings"

    @classmethod
    def load(cls) -> "ScoringSettings":
        row, _created = cls.objects.get_or_create(singleton=True)
        return row


class Dimension(models.Model):
    """A part of the score with its cap (Demographic 0-40, Behavioural 0-40, ...)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100)
    cap = models.PositiveSmallIntegerField(_("cap"), default=40)
    #: Its positive points halve with each half-life without activity (Behavioural).
    decays = models.BooleanField(_("decays with inactivity"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("score dimension")

    def __str__(self) -> str:
        return self.name


class ScoringRule(models.Model):
    """A rule that gives (or takes) points; its ``config`` is read by ``scoring.engine``."""

    class Kind(models.TextChoices):
        FIELD = FIELD, _("Field condition")
        KEYWORD = KEYWORD, _("Keywords")
        SOURCE = SOURCE, _("Source")
        ACTIVITY = ACTIVITY, _("Activities")
        NEGATIVE = NEGATIVE, _("Negative signal")
        EVENT = EVENT, _("Behavioural events")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dimension = models.ForeignKey(
        Dimension, verbose_name=_("dimension"), on_delete=models.PROTECT, related_name="rules"
    )
    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    config = models.JSONField(_("settings"), default=dict, blank=True)
    points = models.SmallIntegerField(_("points"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["dimension__position", "position", "name"]
        verbose_name = _("scoring rule")

    def __str__(self) -> str:
        return self.name


#: A tag is a CharField(50) of Lead.auto_tags.
TAG_MAX = 50


class TagRule(models.Model):
    """A rule that gives leads an automatic tag (its ``name``) when its conditions hold.

    ``conditions`` is a list of ``{"kind", "config"}``: the kinds and configs of ScoringRule,
    plus ``inactive`` (``{"days"}``); read by ``scoring.engine.lead_tags``. ``score_recompute``
    writes the tags into ``Lead.auto_tags``."""

    class Kind(models.TextChoices):
        FIELD = FIELD, _("Field condition")
        KEYWORD = KEYWORD, _("Keywords")
        SOURCE = SOURCE, _("Source")
        ACTIVITY = ACTIVITY, _("Activities")
        NEGATIVE = NEGATIVE, _("Negative signal")
        EVENT = EVENT, _("Behavioural events")
        INACTIVE = INACTIVE, _("No activity")

    class Match(models.TextChoices):
        ALL = MATCH_ALL, _("All conditions hold")
        ANY = MATCH_ANY, _("Any condition holds")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("tag"), max_length=TAG_MAX)
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    match = models.CharField(_("gives the tag when"), max_length=3, choices=Match.choices,
                             default=Match.ALL)  # fmt: skip
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("tag rule")
        constraints = [
            models.UniqueConstraint(
                Lower("name"), condition=models.Q(is_active=True), name="tagrule_active_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class LeadScore(models.Model):
    """The explanation of a lead's computed score: points per dimension, the rules that
    fired, when it was computed and when (and why) it last changed."""

    # The foreign key is the database's, with ON DELETE CASCADE (migration 0001): a lead
    # deleted while a scoring task writes its row takes the row with it, where Django's own
    # cascade would collect the rows first and then fail on the one written meanwhile.
    lead = models.OneToOneField(
        Lead, on_delete=models.DO_NOTHING, db_constraint=False, related_name="score_detail"
    )
    total = models.PositiveSmallIntegerField(_("score"))
    letter = models.CharField(_("grade"), max_length=2)
    dimensions = models.JSONField(default=dict)
    fired = models.JSONField(default=list)
    decay = models.FloatField(default=1.0)
    computed_at = models.DateTimeField(_("computed"))
    changed_at = models.DateTimeField(_("last changed"))
    reason = models.CharField(_("why it changed"), max_length=300, blank=True)
    #: The conversion model's view (scoring.predictive), when a model is ready: probability
    #: 0-1, the features that moved it most, and the model version that computed it.
    probability = models.FloatField(null=True, blank=True)
    factors = models.JSONField(default=list, blank=True)
    model_version = models.PositiveIntegerField(null=True, blank=True)
    #: The score shown when no manual adjustment applies: ``total``, or its blend with the
    #: probability (ScoringSettings.blend). A "+ points" adjustment adds to this one.
    blended = models.PositiveSmallIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.lead_id}: {self.total}"


class LeadScoreChange(models.Model):
    """One change of a lead's computed score, for the lead's history."""

    lead = models.ForeignKey(  # ON DELETE CASCADE in the database, as LeadScore.lead
        Lead,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # scorechange_lead_time starts with it
        related_name="score_changes",
    )
    from_total = models.PositiveSmallIntegerField(null=True, blank=True)
    to_total = models.PositiveSmallIntegerField()
    trigger = models.CharField(max_length=40, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["lead", "-changed_at", "-id"]
        indexes = [models.Index(fields=["lead", "-changed_at"], name="scorechange_lead_time")]

    def __str__(self) -> str:
        return f"{self.lead_id}: {self.from_total} -> {self.to_total}"


#: Days a manual adjustment applies unless the person setting it says otherwise.
OVERRIDE_DAYS_DEFAULT = 30


class ScoreOverride(models.Model):
    """A manual adjustment of a lead's score, kept apart from the computed one (LeadScore).

    While active (not ended, not expired) ``Lead.score`` shows the effective score: ``value``
    itself (mode "set") or the computed total plus ``value`` (mode "add"), within 0-100. Rows
    are never deleted: each one is the audit of a set (who, when, from, to, why) and of its end
    (cleared, replaced or expired: who, when, from, to). At most one active row per lead."""

    class Mode(models.TextChoices):
        SET = "set", _("Set the score to")
        ADD = "add", _("Add or remove points")

    class Reason(models.TextChoices):
        CONVERSATION = "conversation", _("Conversation insight")
        BUDGET = "budget", _("Confirmed budget")
        TIMELINE = "timeline", _("Timeline")
        OTHER = "other", _("Other")

    class End(models.TextChoices):
        CLEARED = "cleared", _("Cleared")
        REPLACED = "replaced", _("Replaced")
        EXPIRED = "expired", _("Expired")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    lead = models.ForeignKey(  # ON DELETE CASCADE in the database, as LeadScore.lead
        Lead,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # scoreoverride_lead_time starts with it
        related_name="score_overrides",
    )
    mode = models.CharField(_("adjustment"), max_length=3, choices=Mode.choices)
    value = models.SmallIntegerField(_("points"))
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    override_days = models.PositiveSmallIntegerField(
        _("applies for (days)"), null=True, blank=True, default=OVERRIDE_DAYS_DEFAULT
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    #: The effective score before and after the set.
    from_score = models.PositiveSmallIntegerField(null=True, blank=True)
    to_score = models.PositiveSmallIntegerField()
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    end = models.CharField(max_length=10, choices=End.choices, blank=True)
    #: The effective score before and after the end (back to the computed one, or the next
    #: override's).
    ended_from = models.PositiveSmallIntegerField(null=True, blank=True)
    ended_to = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["lead", "-set_at", "-id"]
        indexes = [models.Index(fields=["lead", "-set_at"], name="scoreoverride_lead_time")]
        constraints = [
            models.UniqueConstraint(
                fields=["lead"],
                condition=models.Q(ended_at__isnull=True),
                name="scoreoverride_one_active",
            )
        ]
        verbose_name = _("score adjustment")

    def __str__(self) -> str:
        return f"{self.lead_id}: {self.mode} {self.value}"

    def applies(self, now) -> bool:
        return self.ended_at is None and (self.expires_at is None or self.expires_at > now)

    def effective(self, computed: int | None) -> int:
        """The score shown while this override applies, given the computed total."""
        if self.mode == self.Mode.SET:
            return max(0, min(100, self.value))
        return max(0, min(100, (computed or 0) + self.value))


# --- behavioural tracking (scoring/events.py) ------------------------------------------------


class TrackingToken(models.Model):
    """An unguessable token that stands for one lead in tracked links, email pixels and the
    website's events (never the lead's id). A token made for a link carries its target, the
    only place ``/t/<token>`` redirects to."""

    token = models.CharField(max_length=64, unique=True, editable=False)
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="tracking_tokens")
    target_url = models.URLField(_("target"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("tracking token")

    def __str__(self) -> str:
        return f"{self.lead_id}: {self.target_url or '-'}"


class BehaviourEvent(models.Model):
    """Something a lead did that a tracking token recorded: it feeds the ``event`` rules."""

    class Kind(models.TextChoices):
        FORM_SUBMISSION = "form_submission", _("Form submission")
        LINK_CLICK = "link_click", _("Link click")
        DOWNLOAD = "download", _("Content download")
        EMAIL_OPEN = "email_open", _("Email open")
        PAGE_VISIT = "page_visit", _("Page visit")

    lead = models.ForeignKey(
        Lead,
        on_delete=models.CASCADE,
        db_index=False,  # behaviourevent_lead_time starts with it
        related_name="behaviour_events",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("happened at"), default=timezone.now)
    #: The page or link (``url``) and the browser family (``agent``), nothing more.
    meta = models.JSONField(default=dict, blank=True)
    token = models.ForeignKey(
        TrackingToken, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["lead", "-at"], name="behaviourevent_lead_time")]
        verbose_name = _("behavioural event")

    def __str__(self) -> str:
        return f"{self.lead_id}: {self.kind}"


# --- predictive scoring (scoring/predictive/) --------------------------------------------------


class PredictiveModel(models.Model):
    """One training of the tenant's conversion model: its held-out evaluation and, when it was
    ready, the fitted model as JSON. Every training is kept (the versions list); the active
    model is the newest ready one."""

    class Status(models.TextChoices):
        READY = "ready", _("Ready")
        NOT_READY = "not_ready", _("Not enough history")
        FAILED = "failed", _("Failed")

    version = models.PositiveIntegerField(_("version"), unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    #: Why it is not ready, as a key with its values (rendered in the reader's language).
    reason = models.CharField(max_length=40, blank=True)
    reason_values = models.JSONField(default=dict, blank=True)
    trigger = models.CharField(max_length=20, blank=True)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    trained_at = models.DateTimeField(_("trained"))
    seconds = models.FloatField(default=0)
    closed = models.PositiveIntegerField(_("closed leads"), default=0)
    converted = models.PositiveIntegerField(_("converted leads"), default=0)
    train_size = models.PositiveIntegerField(default=0)
    test_size = models.PositiveIntegerField(default=0)
    auc = models.FloatField(_("held-out AUC"), null=True, blank=True)
    brier = models.FloatField(null=True, blank=True)
    base_rate = models.FloatField(null=True, blank=True)
    test_converted = models.PositiveIntegerField(default=0)
    calibration = models.JSONField(default=list, blank=True)
    features = models.PositiveIntegerField(default=0)
    top = models.JSONField(default=list, blank=True)
    model = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("conversion model")

    def __str__(self) -> str:
        return f"v{self.version} {self.status}"
