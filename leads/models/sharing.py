"""Who else may see a lead: members, sharing rules; and the list's saved views."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from leads.models.lead import Lead


class Access(models.TextChoices):
    READ = "read", _("Read only")
    WRITE = "write", _("Read and write")


class LeadMember(models.Model):
    """A colleague added to a lead's team by its owner (or an admin)."""

    lead = models.ForeignKey(
        Lead, verbose_name=_("lead"), on_delete=models.CASCADE, related_name="members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="lead_memberships",
    )
    access = models.CharField(
        _("access"), max_length=10, choices=Access.choices, default=Access.READ
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lead team member")
        verbose_name_plural = _("lead team members")
        constraints = [models.UniqueConstraint(fields=["lead", "user"], name="lead_member_once")]
        indexes = [models.Index(fields=["user", "lead"], name="lead_member_user")]

    def __str__(self) -> str:
        return f"{self.user} on {self.lead}"


class SharingRule(models.Model):
    """Share the leads of an owner (or of everyone in a team/department) with a user or a
    team/department, read-only or read-write."""

    uuid = models.UUIDField(_("UUID"), default=uuid.uuid4, unique=True, editable=False)
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
    access = models.CharField(
        _("access"), max_length=10, choices=Access.choices, default=Access.READ
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sharing rule")
        verbose_name_plural = _("sharing rules")
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
