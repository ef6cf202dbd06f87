"""What the first run keeps: who hid the setup checklist, and which rows are sample data.

The checklist's steps are never stored: each ticks itself from the workspace's real data
(onboarding.selectors). Sample data is found again through ``SampleRecord`` only, never by a
name or a tag someone could also type, so removing it takes exactly what it made."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ChecklistHidden(models.Model):
    """A tenant admin hid the setup checklist from their home page (each admin decides for
    themselves; showing it again deletes the row)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    hidden_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"checklist hidden by {self.user_id}"


class SampleData(models.Model):
    """The workspace's sample data (one row at most): whether it is loaded, when and by whom.
    Loading and removing lock this row, so two clicks never load twice."""

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    loaded_at = models.DateTimeField(null=True, blank=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: The tag on the sample leads (the word "sample" in the loader's language), for the link
    #: to them; removal never goes by it.
    tag = models.CharField(max_length=50, blank=True)

    def __str__(self) -> str:
        return f"sample data loaded at {self.loaded_at}" if self.loaded_at else "no sample data"


class SampleRecord(models.Model):
    """One row the sample data made: a lead, a pool or an assignment rule (exactly one). A
    row deleted by hand takes its record with it."""

    lead = models.OneToOneField(
        "leads.Lead", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    pool = models.OneToOneField(
        "pools.Pool", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    rule = models.OneToOneField(
        "pools.AssignmentRule", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(lead__isnull=False, pool__isnull=True, rule__isnull=True)
                    | Q(lead__isnull=True, pool__isnull=False, rule__isnull=True)
                    | Q(lead__isnull=True, pool__isnull=True, rule__isnull=False)
                ),
                name="sample_record_one_row",
            )
        ]

    def __str__(self) -> str:
        kind = "lead" if self.lead_id else "pool" if self.pool_id else "rule"
        return f"sample {kind} {self.lead_id or self.pool_id or self.rule_id}"
