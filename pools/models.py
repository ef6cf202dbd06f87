"""Lead pools: shared backlogs that members claim from and admins allocate from."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Pool(models.Model):
    class Mode(models.TextChoices):
        CLAIM = "claim", _("Members claim")
        ALLOCATE = "allocate", _("Admins allocate")
        BOTH = "both", _("Claim and allocate")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.BOTH)
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
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PoolEntry(models.Model):
    """A lead's place in a pool. It stays while a member holds the lead, so limits and the
    reclaim rules know where the lead came from."""

    lead = models.OneToOneField("leads.Lead", on_delete=models.CASCADE, related_name="pool_entry")
    pool = models.ForeignKey(Pool, on_delete=models.PROTECT, related_name="entries")
    entered_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)

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
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["pool", "action", "at"], name="pool_event_pool"),
            models.Index(fields=["actor", "action", "at"], name="pool_event_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.lead_id}"
