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


class DailyLeadFigures(models.Model):
    """The dashboard's additive figures of a big workspace, per day (in the tenant's time
    zone) and owner, rebuilt by ``analytics.rollups.rollups_refresh`` (beat, hourly): what the
    leads created that day have become (the cohort columns) and what happened that day (the
    conversions). Read instead of the leads when a workspace has more leads than
    ``ANALYTICS_ROLLUP_MIN_LEADS``; a manager's line is a set of owners, so it is a sum of
    rows. Plain integers, no foreign keys: the table is rebuilt whole, never edited."""

    day = models.DateField()
    #: None: leads without an owner (or a whole-workspace row).
    owner_id = models.BigIntegerField(null=True)
    #: A row of the whole workspace's day (every owner and none summed): what a reader who
    #: sees every lead reads, 50 times fewer rows than the owners' (never mixed with them).
    whole = models.BooleanField(db_default=False)
    # The leads created that day (merged leads never count).
    new = models.IntegerField(default=0)
    contacted = models.IntegerField(default=0)
    qualified = models.IntegerField(default=0)
    converted_since = models.IntegerField(default=0)
    #: Of them, followed up: how many, and the seconds from assignment (else creation) to the
    #: first follow-up, summed (never below zero, as the live figure).
    responded = models.IntegerField(default=0)
    response_seconds = models.FloatField(default=0)
    #: {stage id: leads whose furthest stage (by position, from the stage history) is it}.
    furthest = models.JSONField(default=dict)
    #: {stage id: leads at that stage now}, void leads left out as the lead list leaves them.
    staying = models.JSONField(default=dict)
    # What happened that day: conversions, and the seconds from creation to them, summed;
    # leads closed as lost or invalid (their last status change).
    converted = models.IntegerField(default=0)
    cycle_seconds = models.FloatField(default=0)
    lost = models.IntegerField(default=0)
    #: {status: leads of that day still open now, in that status} (lead aging).
    open_now = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["whole", "day", "owner_id"], name="analytics_daily_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.owner_id}"


class OpenLeadFigures(models.Model):
    """The open leads of a big workspace now (as of the rebuild), per owner, status and the
    day they entered that status: how many, and how many lack each thing the data-quality
    report checks. Lead aging's days in status and the data-quality table are sums of it."""

    owner_id = models.BigIntegerField(null=True)
    status = models.CharField(max_length=20)
    #: The local day of the last status change (None: never changed).
    changed_day = models.DateField(null=True)
    leads = models.IntegerField(default=0)
    no_phone = models.IntegerField(default=0)
    no_email = models.IntegerField(default=0)
    no_company = models.IntegerField(default=0)
    no_source = models.IntegerField(default=0)
    possible_duplicate = models.IntegerField(default=0)
    never_followed_up = models.IntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["owner_id", "status"], name="analytics_open_owner")]

    def __str__(self) -> str:
        return f"{self.owner_id} {self.status} {self.changed_day}"


class ClosedLeadFigures(models.Model):
    """The leads of a big workspace closed as lost or invalid, per local day of their last
    status change, owner, source, loss reason and status: the loss-reasons report's sums."""

    day = models.DateField()
    owner_id = models.BigIntegerField(null=True)
    source_id = models.BigIntegerField(null=True)
    reason_id = models.BigIntegerField(null=True)
    status = models.CharField(max_length=20)
    leads = models.IntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day"], name="analytics_closed_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.status} {self.reason_id}"


class SourceDayFigures(models.Model):
    """The leads of a big workspace per local day of creation, owner, source and campaign:
    how many, qualified, converted, and the won amount of the opportunities made from them
    (the sources & ROI report's sums)."""

    day = models.DateField()
    owner_id = models.BigIntegerField(null=True)
    source_id = models.BigIntegerField(null=True)
    campaign_id = models.BigIntegerField(null=True)
    leads = models.IntegerField(default=0)
    qualified = models.IntegerField(default=0)
    converted = models.IntegerField(default=0)
    won = models.DecimalField(max_digits=18, decimal_places=2, default=0)

    class Meta:
        indexes = [
            models.Index(fields=["day"], name="analytics_source_day"),
            models.Index(fields=["campaign_id"], name="analytics_source_campaign"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.source_id} {self.campaign_id}"


class StageVisit(models.Model):
    """One finished stay of a lead in a funnel stage (it moved on), for the funnel's dwell
    percentiles of a big workspace: filed under the day the lead was created, as the funnel
    follows the leads created in the period. Rebuilt with ``DailyLeadFigures``; written in
    owner and day order, so a manager's period lies together on disk."""

    day = models.DateField()
    owner_id = models.BigIntegerField(null=True)
    stage_id = models.BigIntegerField()
    hours = models.FloatField()

    class Meta:
        # Read for a reader who sees some owners only (every lead: StageDwellDay).
        indexes = [models.Index(fields=["owner_id", "day"], name="analytics_visit_owner")]

    def __str__(self) -> str:
        return f"{self.day} {self.stage_id} {self.hours:.1f} h"


class StageDwellDay(models.Model):
    """The finished stage stays of a big workspace's leads, whole workspace: per day the lead
    was created, stage and whole hours spent in it, how many. What the funnel's dwell
    percentiles read for a reader who sees every lead (StageVisit is the per-owner detail,
    seven times larger)."""

    day = models.DateField()
    stage_id = models.BigIntegerField()
    hours = models.IntegerField()
    visits = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["day"], name="analytics_dwell_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.stage_id} {self.hours} h × {self.visits}"


class HandedDayFigures(models.Model):
    """The leads of a big workspace per owner and local day they reached their holder
    (assignment, else creation): how many, followed up, converted since (rep performance)."""

    day = models.DateField()
    owner_id = models.BigIntegerField()
    assigned = models.IntegerField(default=0)
    contacted = models.IntegerField(default=0)
    converted_since = models.IntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["owner_id", "day"], name="analytics_handed_owner")]

    def __str__(self) -> str:
        return f"{self.day} {self.owner_id}"


class ResponseDay(models.Model):
    """First responses of a big workspace's leads per owner and day they reached their holder,
    in tenths of an hour (the precision rep performance shows): how many took that long."""

    day = models.DateField()
    owner_id = models.BigIntegerField()
    tenths = models.IntegerField()
    leads = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["owner_id", "day"], name="analytics_response_owner")]

    def __str__(self) -> str:
        return f"{self.day} {self.owner_id} {self.tenths / 10} h"


class PoolClaimWait(models.Model):
    """Claims and allocations out of a big workspace's pools, per local day, pool and whole
    hours the lead had waited since it last came into the pool: the pools report's time to
    claim."""

    day = models.DateField()
    pool_id = models.BigIntegerField()
    hours = models.IntegerField()
    claims = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["pool_id", "day"], name="analytics_claimwait_pool")]

    def __str__(self) -> str:
        return f"{self.day} {self.pool_id} {self.hours} h"


class PoolWaiting(models.Model):
    """The leads waiting in a big workspace's pools now (as of the rebuild), per pool and the
    local day they last started waiting: the pools report's backlog and its age."""

    pool_id = models.BigIntegerField()
    started_day = models.DateField()
    leads = models.IntegerField()

    def __str__(self) -> str:
        return f"{self.pool_id} {self.started_day}"


class PoolActionDay(models.Model):
    """A big workspace's claims and returns per person who made them, and reclaims per person
    they were taken from, per local day (rep performance)."""

    day = models.DateField()
    user_id = models.BigIntegerField()
    action = models.CharField(max_length=10)
    events = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["user_id", "day"], name="analytics_poolaction_user")]

    def __str__(self) -> str:
        return f"{self.day} {self.user_id} {self.action}"


class RollupState(models.Model):
    """When the rollups of this workspace were last rebuilt (one row), for the pages to say
    how fresh the figures are."""

    refreshed_at = models.DateTimeField()
    leads = models.IntegerField(default=0)
    seconds = models.FloatField(default=0)

    def __str__(self) -> str:
        return f"{self.refreshed_at:%Y-%m-%d %H:%M}"
