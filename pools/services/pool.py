"""Pools themselves: membership, settings, contacts revealed, entries through merges."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from leadcrm.accounts.models import User
from leadcrm.accounts.selectors import team_descendant_ids
from leads.models import Lead
from pools.errors import PoolError
from pools.models import ContactReveal, Pool, PoolEntry


def pools_admin_require(actor: User) -> None:
    """Pools and assignment rules are changed by tenant admins only."""
    if not actor.is_tenant_admin:
        raise PoolError(_("Only tenant admins change assignment rules and pools."))


def pool_is_member(pool: Pool, user: User) -> bool:
    if pool.members.filter(pk=user.pk).exists():
        return True
    if user.team_id is None:
        return False
    return any(user.team_id in team_descendant_ids(team) for team in pool.member_teams.all())


def pool_can_claim(pool: Pool, user: User) -> bool:
    """Whether ``user`` may claim leads of ``pool``: an active pool that is not
    allocate-only, and ``user`` is one of its members. pool_claim enforces the same rule."""
    return pool.is_active and pool.mode != Pool.Mode.ALLOCATE and pool_is_member(pool, user)


def pool_is_admin(pool: Pool, user: User) -> bool:
    return user.is_tenant_admin or pool.admins.filter(pk=user.pk).exists()


#: Masked contacts one person may reveal in 24 hours (tenant admins are never masked): enough
#: to work a day's claims, too few to copy a pool's phone book.
REVEALS_PER_DAY = 30


def contact_reveal(*, lead: Lead, user: User, field: str) -> str:
    """Show a masked phone or email to someone who may see the lead; every reveal is logged,
    at most REVEALS_PER_DAY per person in 24 hours (raises PoolError beyond). Revealing the
    same contact again is free. The person's row is locked, so parallel reveals cannot pass
    the cap together."""
    if field not in ("phone", "mobile", "email"):
        raise PoolError(_("Only phone numbers and email addresses are masked."))
    now = timezone.now()
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        today = ContactReveal.objects.filter(user=user, at__gte=now - timedelta(days=1))
        again = today.filter(lead=lead, field=field).exists()
        if not again and today.count() >= REVEALS_PER_DAY:
            raise PoolError(
                _("You have revealed %(count)d contacts in the last 24 hours, the most allowed. "
                  "Claim the lead to see its contacts.") % {"count": REVEALS_PER_DAY}
            )  # fmt: skip
        ContactReveal.objects.create(lead=lead, user=user, field=field, at=now)
    return getattr(lead, field)


def pool_entry_merge(keep: Lead, gone: list[Lead]) -> dict:
    """Merge hook: the survivor keeps its own pool entry; without one it takes the entry of
    the lead whose owner it took, else the first merged lead's. An entry the survivor now
    holds with an owner counts as claimed since that owner got the lead, so the pool's limits
    and reclaim rules apply without restarting the clock on a lead being worked. Returns what
    the undo needs: {"moved": [[entry, former lead]], "claimed": [entry]}."""
    undo: dict = {"moved": [], "claimed": []}
    entry = PoolEntry.objects.filter(lead=keep).first()
    if entry is None:
        entries = {e.lead_id: e for e in PoolEntry.objects.filter(lead__in=gone)}
        if not entries:
            return undo
        owned_by_keep = [g.pk for g in gone if g.owner_id and g.owner_id == keep.owner_id]
        entry = next((entries[pk] for pk in owned_by_keep if pk in entries), None)
        entry = entry or entries[min(entries)]
        undo["moved"].append([entry.pk, entry.lead_id])
        PoolEntry.objects.filter(pk=entry.pk).update(lead=keep)
    if keep.owner_id is not None and entry.claimed_at is None:
        # Claimed when the owner got the lead they were working, not now: the rep's earlier
        # follow-ups count against the "no follow-up within N days" reclaim rule.
        claimed = min(keep.assigned_at or timezone.now(), timezone.now())
        PoolEntry.objects.filter(pk=entry.pk).update(claimed_at=claimed)
        undo["claimed"].append(entry.pk)
    return undo


def pool_entry_merge_undo(keep: Lead, undo) -> None:
    if isinstance(undo, list):  # merges recorded before the claim mark: [[entry, lead]]
        undo = {"moved": undo, "claimed": []}
    PoolEntry.objects.filter(pk__in=undo.get("claimed", []), lead=keep).update(claimed_at=None)
    for pk, former in undo.get("moved", []):
        PoolEntry.objects.filter(pk=pk, lead=keep).update(lead_id=former)


def pool_save(
    *,
    actor: User,
    pool: Pool | None = None,
    admins=(),
    members=(),
    member_teams=(),
    **fields,
) -> Pool:
    """Create or change a pool (tenant admins). The fallback pool cannot be deactivated."""
    pools_admin_require(actor)
    name = (fields.get("name") or "").strip()
    if not name:
        raise PoolError(_("Give the pool a name."))
    if Pool.objects.filter(name__iexact=name).exclude(pk=getattr(pool, "pk", None)).exists():
        raise PoolError(_("Another pool is called %(name)s.") % {"name": name})
    fields["name"] = name
    fields["return_reasons"] = [
        r.strip()[:100] for r in fields.get("return_reasons") or [] if r and r.strip()
    ]
    with transaction.atomic():
        pool = pool or Pool()
        for key, value in fields.items():
            setattr(pool, key, value)
        if pool.is_fallback and not pool.is_active:
            raise PoolError(_("The fallback pool stays active: unrouted leads land there."))
        pool._history_user = actor
        pool.save()
        pool.admins.set(admins)
        pool.members.set(members)
        pool.member_teams.set(member_teams)
    return pool


def fallback_pool_localise_on_create(sender, tenant, **kwargs) -> None:
    """Receiver of leadcrm.tenancy.signals.tenant_created: the fallback pool, created in English
    by the migration, takes the new tenant's language (its name and its description)."""
    from django.utils import translation
    from django.utils.translation import gettext

    name, description = "General pool", "Leads that no assignment rule places land here."
    with translation.override(tenant.default_language or "en"):
        local_name, local_description = (
            gettext("General pool"),
            gettext("Leads that no assignment rule places land here."),
        )
    fallback = Pool.objects.filter(is_fallback=True)
    if local_name != name:
        fallback.filter(name=name).update(name=local_name)
    if local_description != description:
        fallback.filter(description=description).update(description=local_description)
