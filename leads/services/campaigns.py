"""Campaigns: saving, deleting, and the numbers their pages show.

Every campaign is the whole workspace's; anyone signed in reads them, managers, pool admins
and tenant admins change them. The lead counts a reader sees are always over the leads
``leads_visible_to`` gives them (void leads left out), never over the whole table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet
from django.db.models.deletion import ProtectedError
from django.utils.translation import gettext as _

from leadcrm.accounts.models import User
from leadcrm.accounts.roles import Role
from leadcrm.parsing import text_clean
from leads.errors import LeadError
from leads.models import Campaign, CampaignKind, CampaignStatus, Lead, LeadStatus
from leads.selectors import leads_visible_to

#: Who may create, change and delete campaigns (everyone signed in may read them).
MANAGING_ROLES = (Role.TENANT_ADMIN, Role.MANAGER, Role.POOL_ADMIN)
#: The years a campaign's dates may fall in (a typed 0025 or 20250 is a typo).
YEARS = (2000, 2100)
#: Budget and cost: at most 12 digits before the decimal point (the column holds 14, 2 after).
AMOUNT_LIMIT = Decimal(10) ** 12
#: Statuses of a campaign that is over (what "archived" means).
CLOSED_STATUSES = (CampaignStatus.COMPLETED, CampaignStatus.CANCELLED)
#: How many of its leads a campaign's page lists (the rest are one link away).
PAGE_LEADS = 20
#: The list's sorts by start date (latest first is the default).
SORTS = {
    "-start": (F("start_date").desc(nulls_last=True), "name"),
    "start": (F("start_date").asc(nulls_last=True), "name"),
}


def campaign_can_manage(user: User) -> bool:
    return user.has_role(*MANAGING_ROLES)


def _text(value, *, field: str, max_length: int, required: bool = False) -> str:
    value = str(value or "")
    if text_clean(value) != value:
        raise LeadError(_("Remove the control characters from this text."), field=field)
    value = value.strip()
    if required and not value:
        raise LeadError(_("Give the campaign a name."), field=field)
    if len(value) > max_length:
        raise LeadError(_("Use at most %(count)d characters.") % {"count": max_length}, field=field)
    return value


def _day(value: date | None, *, field: str) -> date | None:
    if value is not None and not YEARS[0] <= value.year <= YEARS[1]:
        raise LeadError(
            _("Give a date between the years %(first)d and %(last)d.")
            % {"first": YEARS[0], "last": YEARS[1]},
            field=field,
        )
    return value


def _amount(value: Decimal | None, *, field: str) -> Decimal | None:
    if value is None:
        return None
    if not value.is_finite() or value < 0:
        raise LeadError(_("Give an amount of zero or more."), field=field)
    if value >= AMOUNT_LIMIT:
        raise LeadError(_("Give at most 12 digits before the decimal point."), field=field)
    return value.quantize(Decimal("0.01"))


def campaign_save(
    *,
    actor: User,
    campaign: Campaign | None = None,
    name: str,
    kind: str,
    status: str,
    source=None,
    start_date: date | None = None,
    end_date: date | None = None,
    budget: Decimal | None = None,
    actual_cost: Decimal | None = None,
    owner: User | None = None,
    description: str = "",
) -> Campaign:
    """Create ``campaign`` (None) or change it. Archiving is saving it as Completed or
    Cancelled. Raises LeadError naming the field at fault: a name that is empty after
    trimming, control characters, dates outside 2000-2100 or ending before they start, a
    negative amount or one with more than 12 digits before the point; and for a reader
    without a managing role."""
    if not campaign_can_manage(actor):
        raise LeadError(_("Only managers and admins manage campaigns."))
    values = {
        "name": _text(name, field="name", max_length=200, required=True),
        "description": _text(description, field="description", max_length=5000),
        "kind": kind,
        "status": status,
        "source": source,
        "start_date": _day(start_date, field="start_date"),
        "end_date": _day(end_date, field="end_date"),
        "budget": _amount(budget, field="budget"),
        "actual_cost": _amount(actual_cost, field="actual_cost"),
        "owner": owner,
    }
    if kind not in CampaignKind.values:
        raise LeadError(_("Choose a campaign type."), field="kind")
    if status not in CampaignStatus.values:
        raise LeadError(_("Choose a status."), field="status")
    if start_date and end_date and end_date < start_date:
        raise LeadError(_("The end date cannot be before the start date."), field="end_date")
    if campaign is None:
        campaign = Campaign(created_by=actor)
    for key, value in values.items():
        setattr(campaign, key, value)
    campaign.save()
    return campaign


def campaign_delete(*, actor: User, campaign: Campaign) -> None:
    """Delete a campaign no lead is attached to (any lead, void and merged ones included: the
    foreign key protects them). Raises LeadError when leads are attached (archive it instead:
    Completed or Cancelled) or the actor may not manage campaigns. A lead attached while the
    delete runs makes the database refuse it, with the same message."""
    if not campaign_can_manage(actor):
        raise LeadError(_("Only managers and admins manage campaigns."))
    refused = LeadError(
        _(
            "Leads are attached to this campaign, so it cannot be deleted. "
            "Mark it Completed or Cancelled instead."
        )
    )
    if Lead.objects.filter(campaign=campaign).exists():
        raise refused
    try:
        with transaction.atomic():
            campaign.delete()
    except (ProtectedError, IntegrityError) as error:
        raise refused from error


# Reads. The lead counts of campaigns for one reader: kept beside the campaign rules rather
# than in leads.selectors, which holds the leads' own reads.


def _campaign_leads(user: User) -> QuerySet[Lead]:
    """The leads that count for ``user`` on campaign pages: visible, not void."""
    return leads_visible_to(user).exclude(status=LeadStatus.VOID)


def campaign_list(*, user: User, status: str = "", sort: str = "-start") -> QuerySet[Campaign]:
    """Campaigns with ``lead_count``: how many of each one's leads ``user`` sees (one query,
    counted in the database, none per row); narrowed to a status when given."""
    visible = _campaign_leads(user).values("pk")
    campaigns = Campaign.objects.select_related("owner", "source").annotate(
        lead_count=Count("leads", filter=Q(leads__in=visible))
    )
    if status:
        campaigns = campaigns.filter(status=status)
    return campaigns.order_by(*SORTS.get(sort, SORTS["-start"]))


@dataclass(frozen=True)
class CampaignFunnel:
    """A campaign's results as one reader sees them."""

    #: (status value, label, count) in the statuses' order, only statuses with leads.
    rows: list[tuple[str, str, int]]
    total: int
    converted: int
    #: Whether the reader sees every lead of the campaign (the cost figures need all of them).
    complete: bool
    cost: Decimal | None

    @property
    def conversion_percent(self) -> Decimal | None:
        if not self.total:
            return None
        return (Decimal(self.converted) * 100 / self.total).quantize(Decimal("0.1"))

    @property
    def cost_per_lead(self) -> Decimal | None:
        if self.cost is None or not self.total or not self.complete:
            return None
        return (self.cost / self.total).quantize(Decimal("0.01"))

    @property
    def cost_per_converted(self) -> Decimal | None:
        if self.cost is None or not self.converted or not self.complete:
            return None
        return (self.cost / self.converted).quantize(Decimal("0.01"))


def campaign_funnel(*, user: User, campaign: Campaign) -> CampaignFunnel:
    """Counts of the campaign's leads that ``user`` sees, by status (one GROUP BY query), and
    whether those are all of them (one more count). Costs per lead and per converted lead are
    given only to a reader who sees every lead: over a part they would mislead."""
    counts = dict(
        _campaign_leads(user)
        .filter(campaign=campaign)
        .order_by()
        .values_list("status")
        .annotate(n=Count("*"))
    )
    total = sum(counts.values())
    everyone = (
        Lead.objects.filter(campaign=campaign, merged_into__isnull=True)
        .exclude(status=LeadStatus.VOID)
        .count()
    )
    return CampaignFunnel(
        rows=[
            (value, label, counts[value]) for value, label in LeadStatus.choices if value in counts
        ],
        total=total,
        converted=counts.get(LeadStatus.CONVERTED, 0),
        complete=total == everyone,
        cost=campaign.cost,
    )


def campaign_recent_leads(*, user: User, campaign: Campaign) -> list[Lead]:
    """The newest PAGE_LEADS leads of the campaign that ``user`` sees."""
    leads = _campaign_leads(user).filter(campaign=campaign).select_related("owner")
    return list(leads.order_by("-created_at", "-id")[:PAGE_LEADS])
