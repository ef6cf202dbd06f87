"""Demo campaigns: the trade shows and ad campaigns the demo leads already name (their source
detail), made into campaigns with dates, budgets and costs, and the leads attached, so the
campaign pages and the sources & ROI report have something to show."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from demo.leads import CAMPAIGNS, TRADE_SHOWS
from leadcrm.accounts.models import User
from leads.models import Campaign, CampaignKind, CampaignStatus, Lead, SourceChannel
from leads.services.campaigns import campaign_save

#: name -> (kind, source code, days ago it started, length in days, budget, actual cost)
PLAN = {
    TRADE_SHOWS[0]: (CampaignKind.TRADE_SHOW, "trade_show", 200, 5, 180_000, 196_500),
    TRADE_SHOWS[1]: (CampaignKind.TRADE_SHOW, "trade_show", 150, 5, 260_000, 248_000),
    TRADE_SHOWS[2]: (CampaignKind.TRADE_SHOW, "trade_show", 90, 4, 120_000, 131_200),
    TRADE_SHOWS[3]: (CampaignKind.TRADE_SHOW, "trade_show", 30, 6, 150_000, None),
    CAMPAIGNS[0]: (CampaignKind.AD, "ad_campaign", 300, 330, 60_000, 54_300),
    CAMPAIGNS[1]: (CampaignKind.AD, "ad_campaign", 120, 90, 45_000, 47_800),
    CAMPAIGNS[2]: (CampaignKind.AD, "ad_campaign", 60, 90, 30_000, None),
    CAMPAIGNS[3]: (CampaignKind.AD, "ad_campaign", 200, 180, 80_000, 76_900),
}


def demo_campaigns_seed(*, actor: User) -> dict:
    """Create the campaigns (skipped when the workspace has some) and attach the leads whose
    source detail names them. Returns how many of each."""
    if Campaign.objects.exists():
        return {"campaigns": 0, "leads": 0}
    today = timezone.localdate()
    sources = {s.code: s for s in SourceChannel.objects.all()}
    attached = 0
    for name, (kind, source, ago, length, budget, cost) in PLAN.items():
        start = today - timedelta(days=ago)
        end = start + timedelta(days=length)
        campaign = campaign_save(
            actor=actor,
            name=name,
            kind=kind,
            status=CampaignStatus.ACTIVE if end >= today else CampaignStatus.COMPLETED,
            source=sources.get(source),
            start_date=start,
            end_date=end,
            budget=Decimal(budget),
            actual_cost=Decimal(cost) if cost is not None else None,
            owner=actor,
        )
        named = Lead.objects.filter(source_detail__in=[name, f"utm_campaign={name}"])
        attached += named.update(campaign=campaign)
    return {"campaigns": len(PLAN), "leads": attached}
