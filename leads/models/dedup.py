"""Duplicate rules, pairs marked as different people, and merges."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from leads.models.lead import Lead

#: The default duplicate rules' names (leads.dedup.defaults), shown in the reader's language.
_DEFAULT_NAMES = frozenset({
    gettext_noop("Same email address"),
    gettext_noop("Same mobile or direct line"),
    gettext_noop("Similar company and name"),
    gettext_noop("Shared switchboard and similar name"),
    gettext_noop("Shared mailbox and similar name"),
    gettext_noop("Same name at the same address"),
    gettext_noop("Same name, same postcode, similar street"),
    gettext_noop("Strong overall evidence"),
})  # fmt: skip


def default_rule_label(name: str) -> str:
    """A default rule's name in the reader's language (a rule the admin named stays as is)."""
    return gettext(name) if name in _DEFAULT_NAMES else name


class DuplicateRule(models.Model):
    """A tenant's rule for "these two leads are the same": every listed field must match and
    the evidence over all fields must reach ``min_score``.

    ``fields`` is a list of ``{"field": "email"|"phone"|"company"|"name"|"address"|"postcode"|
    "city", "match": "exact"|"fuzzy", "threshold": 0-100}`` ("phone" compares phone and mobile
    both ways); it may be empty, then the evidence alone decides.
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
    #: How sure (0-100, the evidence over every field: leads.dedup.evidence) a pair must be
    #: besides the named fields agreeing. A rule that names no field is the evidence alone.
    min_score = models.PositiveSmallIntegerField(_("minimum score"), default=50)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the reader's language when it is one of the default rules' names."""
        return default_rule_label(self.name)


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
