"""Which campaign a lead joins, from what an entry point was given: the campaigns a lead may
be attached to, a campaign named in a file or a UTM parameter, a name or a uuid typed on the
command line. The attaching itself is lead_create / lead_update (and the bulk create of
imports), which also give a lead without a source its campaign's source."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower, Trim

from leadcrm.parsing import uuid_or_none
from leads.models import Campaign, CampaignStatus


def campaigns_attachable(current_id: int | None = None) -> QuerySet[Campaign]:
    """The campaigns a lead may be attached to: those not cancelled, plus ``current_id`` (the
    lead's own, which it keeps even once cancelled)."""
    keep = Q(pk=current_id) if current_id else Q(pk__in=[])
    return Campaign.objects.filter(~Q(status=CampaignStatus.CANCELLED) | keep).order_by("name")


def campaign_name_key(name: str) -> str:
    """How names are compared: trimmed, case-insensitive (as SQL's lower(trim()))."""
    return (name or "").strip().lower()


def campaigns_by_name(names: Iterable[str]) -> dict[str, Campaign]:
    """{campaign_name_key(name): campaign} for the given names that name exactly one campaign
    a lead may join (not cancelled), in one query. A name two campaigns share matches none:
    attaching to a guess would be worse than to nothing."""
    keys = {campaign_name_key(n) for n in names} - {""}
    if not keys:
        return {}
    found = (
        campaigns_attachable().annotate(key=Lower(Trim("name"))).filter(key__in=keys).order_by("pk")
    )
    by_key: dict[str, list[Campaign]] = {}
    for campaign in found:
        by_key.setdefault(campaign.key, []).append(campaign)
    return {key: hits[0] for key, hits in by_key.items() if len(hits) == 1}


def campaign_find(value: str) -> Campaign | None:
    """The campaign a person named (its uuid, else its name as campaigns_by_name matches it),
    among those a lead may join; None when there is none or the name is ambiguous."""
    found = uuid_or_none((value or "").strip())
    if found is not None:
        return campaigns_attachable().filter(uuid=found).first()
    return campaigns_by_name([value]).get(campaign_name_key(value))
