"""The lead page's pool panel: where the lead sits and what this user may do about it."""

from django import template

from pools import selectors
from pools.models import Pool, PoolEntry, PoolEvent
from pools.services import pool as pool_services
from pools.services.claim import pool_claim_allowance
from pools.services.reclaim import lead_reclaim_forecast

register = template.Library()


@register.inclusion_tag("pools/partials/_lead_pool_panel.html", takes_context=True)
def lead_pool_panel(context, lead):
    user = context["request"].user
    entry = PoolEntry.objects.filter(lead=lead).select_related("pool").first()
    pool = entry.pool if entry else None
    admin_ids = selectors.pool_ids_admin(user)
    is_admin = pool is not None and pool.pk in admin_ids
    can_claim = (
        pool is not None and lead.owner_id is None and pool_services.pool_can_claim(pool, user)
    )
    allowance = pool_claim_allowance(pool=pool, member=user) if can_claim else None
    # When a rule (the pool's, else the tenant's dormant-lead rules) returns the held lead.
    forecast = lead_reclaim_forecast(lead, entry)
    return {
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "lead": lead,
        "entry": entry,
        "pool": pool,
        "is_owner": lead.owner_id == user.pk,
        "is_admin": is_admin,
        "can_claim": can_claim,
        # Nothing left to claim (a limit reached): the button is shown disabled, with why.
        "claim_refusal": allowance.refusal(member=user, actor=user) if allowance else "",
        "reclaim_at": forecast.at if forecast else None,
        "reclaim_pool": forecast.pool if forecast else None,
        "timed_out": lead.timed_out_at is not None,
        # Why an unowned lead waits here, when the low-score handoff put it here.
        "handoff": PoolEvent.objects.filter(
            lead=lead, pool=pool, action=PoolEvent.Action.HANDOFF
        ).first()
        if pool is not None and lead.owner_id is None
        else None,
        # Pools this user may put the lead into (unowned, in no pool) or withdraw it into.
        "admin_pools": Pool.objects.filter(pk__in=admin_ids, is_active=True) if not pool else [],
        "closed": lead.status in ("converted", "void"),
    }
