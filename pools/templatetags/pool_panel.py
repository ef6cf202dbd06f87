"""The lead page's pool panel: where the lead sits and what this user may do about it."""

from django import template

from leads.models import LeadStatus
from pools import selectors
from pools.models import Pool, PoolEntry, PoolEvent
from pools.services import pool as pool_services
from pools.services.claim import REASSIGNABLE_STATUSES, pool_claim_allowance, pool_return_rights
from pools.services.reclaim import lead_reclaim_forecast

register = template.Library()


@register.inclusion_tag("pools/partials/_lead_pool_panel.html", takes_context=True)
def lead_pool_panel(context, lead):
    user = context["request"].user
    entry = PoolEntry.objects.filter(lead=lead).select_related("pool").first()
    pool = entry.pool if entry else None
    admin_ids = selectors.pool_ids_admin(user)
    is_admin = pool is not None and pool.pk in admin_ids
    is_owner = lead.owner_id == user.pk
    closed = lead.status in (LeadStatus.CONVERTED, LeadStatus.VOID)
    can_claim = (
        pool is not None and lead.owner_id is None and pool_services.pool_can_claim(pool, user)
    )
    allowance = pool_claim_allowance(pool=pool, member=user) if can_claim else None
    # When a rule (the pool's, else the tenant's dormant-lead rules) returns the held lead.
    forecast = lead_reclaim_forecast(lead, entry)
    # Pools this user may put the lead into (unowned, in no pool) or withdraw it into.
    admin_pools = Pool.objects.filter(pk__in=admin_ids, is_active=True) if not pool else []
    # Return (the one rule: ReturnRights) where the user may; an admin who does not hold the
    # lead is offered Withdraw instead, which tells the holder why.
    can_return = (
        lead.owner_id is not None
        and not closed
        and not pool_return_rights(user).refusal(lead, pool_id=pool.pk if pool else None)
    )
    show_return = can_return and (is_owner or not (is_admin if pool else admin_pools))
    return_pools = list(selectors.pools_return_targets(user)) if show_return and not pool else []
    if not pool:
        show_return = show_return and bool(return_pools)  # a lead in no pool: into one of mine
    return {
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "lead": lead,
        "entry": entry,
        "pool": pool,
        "is_owner": is_owner,
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
        "admin_pools": admin_pools,
        "show_return": show_return,
        "return_pools": return_pools,
        "return_reasons": sorted({r for p in return_pools for r in p.return_reasons}),
        "allocate_members": _allocate_members(pool, lead) if is_admin and not closed else [],
        "transfer_pools": Pool.objects.filter(pk__in=admin_ids, is_active=True).exclude(pk=pool.pk)
        if is_admin and not closed
        else [],
        "closed": closed,
    }


def _allocate_members(pool: Pool, lead) -> list:
    """Members a pool admin may give the lead to from its page: a waiting lead (not in a
    claim-only pool), or a held one that is Pending, Following up or Invalid (reassign)."""
    if lead.owner_id is not None:
        if lead.status not in REASSIGNABLE_STATUSES:
            return []
    elif pool.mode == Pool.Mode.CLAIM or lead.status not in (
        LeadStatus.UNASSIGNED,
        LeadStatus.NURTURE,
    ):
        return []
    return [m for m in selectors.pool_member_users(pool) if m.pk != lead.owner_id]
