"""Sources and channel ROI: what each source channel and each campaign brought in a period,
scoped to the reader (``scope.scoped_leads``), and what the campaigns cost against it.

Definitions (the page says them too). Per source, the leads counted are those CREATED in
the period within the reader's scope and filters. Per campaign, a campaign is judged whole:
the campaigns running at some time in the period (start date on or before its last day, end
date on or after its first; a missing date does not limit), each with ALL its leads in the
reader's scope, whenever created (a trade show's cost buys the leads of its follow-up months
too). For each group of leads:
- leads: how many;
- qualified: those that are Qualified or Converted, or have a conversion time;
- converted: those with a conversion time (``converted_at``);
- conversion rate: converted / leads;
- won amount: the sum of the amounts of the won opportunities (stage outcome WON) made from
  those leads' conversions, whatever the opportunity's close date (a lead of the period may
  win later);
- per campaign, cost: the campaign's ``cost`` (its actual cost, else its budget, else none);
  cost per lead = cost / leads, cost per conversion = cost / converted,
  ROI = (won amount - cost) / cost. None wherever a cost is missing or a divisor is zero.

The cost rule: cost figures are shown to every reader who sees a campaign's leads (admins,
managers and reps alike), and the cost is always the campaign's WHOLE cost: never prorated to
the period, nor to the share of its leads the reader sees. When the report covers only part
of the leads (a manager's line, a rep's own leads, a team, person, source or region filter)
``SourcesReport.narrowed`` is true and the page says that the cost weighs against only the
leads shown, so cost per lead is overstated and ROI understated there. Hiding the figures
would hide a campaign's cost from the managers who run it; prorating needs counts of leads
the reader may not see.

Two aggregate queries (one per table) besides the scope's own, whatever the number of leads:
the leads of the period grouped by source, then by campaign, with FILTERed counts and the
won amount through LEFT JOINs lead → conversion → opportunity → stage. Those joins never
multiply rows: a lead has at most one conversion (one-to-one) and a conversion at most one
opportunity, which ``lead_convert`` creates for it alone. Indexes relied on: ``lead_created``
(created_at, id) for the period; Django's foreign-key indexes on ``leads_lead.owner_id``
(the scope), ``source_id`` and ``campaign_id`` (the grouping, the source filter); the unique
index of the one-to-one ``conversion_conversion.lead_id``; the primary keys of opportunity,
stage, source channel and campaign.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum

from analytics.filters import ReportFilters
from analytics.models import SourceDayFigures
from analytics.rollups import rollup_in_use
from analytics.selectors.scope import owners_narrowed, scoped_leads
from conversion.models import OpportunityStage
from leadcrm.accounts.models import User
from leads.models import Campaign, LeadStatus, SourceChannel

_QUALIFIED = Q(status__in=[LeadStatus.QUALIFIED, LeadStatus.CONVERTED]) | Q(
    converted_at__isnull=False
)
_CONVERTED = Q(converted_at__isnull=False)
_WON = Q(conversion__opportunity__stage__outcome=OpportunityStage.Outcome.WON)


def _ratio(top, bottom) -> float | None:
    """top / bottom, None when either is missing or the divisor is zero."""
    if top is None or not bottom:
        return None
    return float(top) / float(bottom)


@dataclass
class ChannelRow:
    """One source (``source_id`` None: leads without a source) or one campaign."""

    key: int | None
    name: str
    leads: int
    qualified: int
    converted: int
    won_amount: Decimal

    @property
    def conversion_rate(self) -> float | None:
        return _ratio(self.converted, self.leads)


@dataclass
class CampaignRow(ChannelRow):
    #: The campaign's whole cost (actual cost, else budget); None when it has neither.
    cost: Decimal | None = None

    @property
    def cost_per_lead(self) -> float | None:
        return _ratio(self.cost, self.leads)

    @property
    def cost_per_conversion(self) -> float | None:
        return _ratio(self.cost, self.converted)

    @property
    def roi(self) -> float | None:
        if self.cost is None:
            return None
        return _ratio(self.won_amount - self.cost, self.cost)


@dataclass
class SourcesReport:
    sources: list[ChannelRow]
    campaigns: list[CampaignRow]
    #: All the period's leads in scope (the sources table's total row).
    total: ChannelRow
    #: The report covers only part of the tenant's leads (scope or filters): campaign costs,
    #: which are whole, weigh against only the leads shown.
    narrowed: bool


def _figures(leads, *group):
    return (
        leads.values_list(*group)
        .annotate(
            n=Count("id"),
            qualified=Count("id", filter=_QUALIFIED),
            converted=Count("id", filter=_CONVERTED),
            won=Sum("conversion__opportunity__amount", filter=_WON),
        )
        .order_by()
    )


def _largest_first(row: ChannelRow):
    return (-row.leads, row.key is None, row.name.casefold())


def _running(filters: ReportFilters) -> Q:
    """Campaigns running at some time in the period (a missing date does not limit)."""
    return (Q(start_date__isnull=True) | Q(start_date__lte=filters.last_day)) & (
        Q(end_date__isnull=True) | Q(end_date__gte=filters.day_from)
    )


def _channels_live(user: User, filters: ReportFilters):
    created = scoped_leads(user, filters).filter(
        created_at__gte=filters.start, created_at__lt=filters.end
    )
    sources = [
        ChannelRow(key, name or "", n, qualified, converted, won or Decimal(0))
        for key, name, n, qualified, converted, won in _figures(
            created, "source_id", "source__name"
        )
    ]
    # Campaigns are judged whole: those running at some time in the period, with all of
    # their leads in scope, whenever created, against their whole cost.
    running = scoped_leads(user, filters).filter(
        campaign__in=Campaign.objects.filter(_running(filters))
    )
    campaigns = [
        CampaignRow(key, name, n, qualified, converted, won or Decimal(0),
                    cost=actual if actual is not None else budget)
        for key, name, budget, actual, n, qualified, converted, won in _figures(
            running, "campaign_id", "campaign__name", "campaign__budget", "campaign__actual_cost",
        )
    ]  # fmt: skip
    return sources, campaigns


def _channels_rolled(user: User, filters: ReportFilters):
    """The same two tables from a big workspace's rollups (analytics.rollups)."""
    rows = SourceDayFigures.objects.all()
    owners = owners_narrowed(user, filters)
    if owners is not None:
        rows = rows.filter(owner_id__in=owners)
    sums = {"n": Sum("leads"), "q": Sum("qualified"), "c": Sum("converted"), "w": Sum("won")}
    names = dict(SourceChannel.objects.values_list("pk", "name"))
    sources = [
        ChannelRow(key, names.get(key, ""), n, q, c, w or Decimal(0))
        for key, n, q, c, w in rows.filter(day__gte=filters.day_from, day__lte=filters.last_day)
        .values_list("source_id")
        .annotate(**sums)
        .order_by()
    ]
    running = {c.pk: c for c in Campaign.objects.filter(_running(filters))}
    campaigns = []
    for key, n, q, c, w in (
        rows.filter(campaign_id__in=list(running))
        .values_list("campaign_id")
        .annotate(**sums)
        .order_by()
    ):
        campaign = running[key]
        campaigns.append(
            CampaignRow(key, campaign.name, n, q, c, w or Decimal(0), cost=campaign.cost)
        )
    return sources, campaigns


def sources_report(user: User, filters: ReportFilters) -> SourcesReport:
    """The period's leads in the reader's scope, per source and per campaign (see the module's
    docstring for each figure). Sources and campaigns with no lead are left out; the largest
    first, "no source" after the sources of the same size."""
    if rollup_in_use(filters) is not None:
        sources, campaigns = _channels_rolled(user, filters)
    else:
        sources, campaigns = _channels_live(user, filters)
    total = ChannelRow(
        None,
        "",
        sum(r.leads for r in sources),
        sum(r.qualified for r in sources),
        sum(r.converted for r in sources),
        sum((r.won_amount for r in sources), Decimal(0)),
    )
    # As owners_narrowed(user, filters) is not None, without its queries.
    narrowed = not user.is_tenant_admin or any(
        (filters.team, filters.owner, filters.source, filters.region)
    )
    return SourcesReport(
        sorted(sources, key=_largest_first),
        sorted(campaigns, key=_largest_first),
        total,
        narrowed,
    )
