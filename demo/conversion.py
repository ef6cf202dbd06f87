"""Demo conversions: a realistic share of the worked leads become customers, contacts and
opportunities (some still open, some won, some lost), spread over the last months, so the
customer pages, the board and every later report have data.

Made through the services (lead_convert, opportunity_move); only the timestamps are moved
back afterwards, as the lead seeding does, so the history looks lived-in.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from conversion.errors import ConversionError
from conversion.models import Conversion, Opportunity, OpportunityStage
from conversion.services.convert import ConvertRequest, lead_convert
from conversion.services.records import opportunity_move
from leads.models import Lead, LeadStageChange, LeadStatus, LossReason

#: Share of the worked leads (pending, following up, qualified, converted) that convert.
SHARE = 0.10
WORKED = (LeadStatus.PENDING, LeadStatus.FOLLOWING_UP, LeadStatus.QUALIFIED, LeadStatus.CONVERTED)


def demo_conversions_seed(*, seed: int = 2026, share: float = SHARE) -> dict:
    """Convert leads until ``share`` of the worked leads are converted; returns counts."""
    rng = random.Random(seed)
    worked = Lead.objects.filter(status__in=WORKED, merged_into__isnull=True).count()
    missing = int(worked * share) - Conversion.objects.count()
    if missing <= 0:
        return {"converted": 0}
    candidates = list(
        Lead.objects.filter(
            status__in=(LeadStatus.QUALIFIED, LeadStatus.FOLLOWING_UP),
            merged_into__isnull=True,
            owner__isnull=False,
        )
        .select_related("owner")
        .order_by("-status", "pk")[: missing * 3]
    )
    rng.shuffle(candidates)
    stages = {s.outcome: [] for s in OpportunityStage.objects.all()}
    for stage in OpportunityStage.objects.filter(is_active=True).order_by("position"):
        stages.setdefault(stage.outcome, []).append(stage)
    reasons = list(LossReason.objects.filter(is_active=True))
    now = timezone.now()
    made = {"converted": 0, "won": 0, "lost": 0, "open": 0, "refused": 0}
    for lead in candidates:
        if made["converted"] >= missing:
            break
        opportunity = None
        if rng.random() < 0.85:
            opportunity = {
                "name": f"{lead.company or lead.name} · {lead.product_line or 'Order'}"[:200],
                "amount": str(Decimal(rng.randrange(20, 800)) * 1000),
                "expected_close_date": (now + timedelta(days=rng.randint(-30, 120))).date(),
            }
        try:
            with transaction.atomic():
                conversion = lead_convert(
                    lead=lead, actor=lead.owner, request=ConvertRequest(opportunity=opportunity)
                )
        except ConversionError:
            made["refused"] += 1
            continue
        made["converted"] += 1
        at = now - timedelta(days=rng.uniform(1, 170), hours=rng.uniform(0, 10))
        at = max(at, lead.created_at + timedelta(hours=2))
        Lead.objects.filter(pk=lead.pk).update(
            converted_at=at, status_changed_at=at, stage_changed_at=at
        )
        last_step = lead.stage_changes.order_by("-changed_at", "-pk").first()
        if last_step is not None and last_step.changed_at >= now - timedelta(minutes=5):
            LeadStageChange.objects.filter(pk=last_step.pk).update(changed_at=at)
        Conversion.objects.filter(pk=conversion.pk).update(converted_at=at)
        if conversion.opportunity is not None:
            outcome = rng.choices(["open", "won", "lost"], weights=[50, 30, 20])[0]
            if outcome != "open" and stages.get(outcome):
                opportunity_move(
                    opportunity=conversion.opportunity,
                    stage=stages[outcome][0],
                    actor=lead.owner,
                    loss_reason=rng.choice(reasons) if outcome == "lost" and reasons else None,
                )
            elif stages.get("open"):
                opportunity_move(
                    opportunity=conversion.opportunity,
                    stage=rng.choice(stages["open"]),
                    actor=lead.owner,
                )
            closed = at + timedelta(days=rng.uniform(5, 60)) if outcome != "open" else None
            Opportunity.objects.filter(pk=conversion.opportunity.pk).update(
                created_at=at, closed_at=min(closed, now) if closed else None
            )
            made[outcome] += 1
    return made
