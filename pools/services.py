"""Pool operations. Each is one transaction, audited in PoolEvent, and safe when many people
act at once: the lead row is locked before its owner is checked, and a member's claims are
serialised by an advisory lock so the pool's limits hold under concurrent claims."""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from leadcrm.accounts.models import User
from leadcrm.accounts.selectors import team_descendant_ids
from leads.models import OPEN_STATUSES, Lead, LeadStatus
from leads.services import lead_assign
from pools.errors import LeadAlreadyClaimedError, PoolError
from pools.models import Pool, PoolEntry, PoolEvent


def pool_is_member(pool: Pool, user: User) -> bool:
    if pool.members.filter(pk=user.pk).exists():
        return True
    if user.team_id is None:
        return False
    return any(user.team_id in team_descendant_ids(team) for team in pool.member_teams.all())


def pool_is_admin(pool: Pool, user: User) -> bool:
    return user.is_tenant_admin or pool.admins.filter(pk=user.pk).exists()


def _event(lead: Lead, pool: Pool, action: str, actor: User | None, to_user=None, reason=""):
    PoolEvent.objects.create(
        lead=lead,
        pool=pool,
        action=action,
        actor=actor,
        to_user=to_user,
        reason=reason[:300],
        at=timezone.now(),
    )


def pool_lead_add(*, pool: Pool, lead: Lead, actor: User | None, reason: str = "") -> PoolEntry:
    """Put an unowned lead into ``pool`` (moving it if it sat in another pool)."""
    with transaction.atomic():
        locked = Lead.objects.select_for_update().get(pk=lead.pk)
        if locked.owner_id is not None:
            raise PoolError(_("Only unassigned leads go into a pool; withdraw it first."))
        entry, _created = PoolEntry.objects.update_or_create(
            lead=locked, defaults={"pool": pool, "entered_at": timezone.now(), "claimed_at": None}
        )
        _event(locked, pool, PoolEvent.Action.ENTER, actor, reason=reason)
    return entry


def _lock_open_lead(pool: Pool, lead: Lead) -> Lead:
    locked = Lead.objects.select_for_update(of=("self",)).select_related("owner").get(pk=lead.pk)
    entry = PoolEntry.objects.filter(lead=locked).first()
    if entry is None or entry.pool_id != pool.pk:
        raise PoolError(_("This lead is not in the pool %(pool)s.") % {"pool": pool})
    if locked.owner_id is not None:
        raise LeadAlreadyClaimedError(
            _("%(lead)s was already claimed by %(owner)s.")
            % {"lead": locked, "owner": locked.owner}
        )
    if locked.status not in (LeadStatus.UNASSIGNED, LeadStatus.NURTURE):
        raise PoolError(_("This lead cannot be claimed in its status."))
    return locked


def _check_limits(pool: Pool, member: User, lead: Lead) -> None:
    """The pool's rules for one more lead held by ``member`` (call under the claim lock)."""
    now = timezone.now()
    if pool.max_open_per_member is not None:
        held = Lead.objects.filter(
            pool_entry__pool=pool, owner=member, status__in=OPEN_STATUSES
        ).count()
        if held >= pool.max_open_per_member:
            raise PoolError(
                _("%(name)s already holds %(count)d open leads from this pool (the limit).")
                % {"name": member, "count": held}
            )
    if pool.max_claims_per_day is not None:
        start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
        today = PoolEvent.objects.filter(
            pool=pool, to_user=member, action=PoolEvent.Action.CLAIM, at__gte=start
        ).count()
        if today >= pool.max_claims_per_day:
            raise PoolError(
                _("You reached today's limit of %(count)d claims from this pool.")
                % {"count": pool.max_claims_per_day}
            )
    if pool.return_cooldown_days:
        since = now - timezone.timedelta(days=pool.return_cooldown_days)
        if PoolEvent.objects.filter(
            lead=lead, actor=member, action=PoolEvent.Action.RETURN, at__gte=since
        ).exists():
            raise PoolError(
                _("You returned this lead less than %(days)d days ago.")
                % {"days": pool.return_cooldown_days}
            )


def _lock_member(pool: Pool, member: User) -> None:
    """Serialise one member's claims in one pool until the transaction ends."""
    key = f"pool-claim:{connection.schema_name}:{pool.pk}:{member.pk}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])


def pool_claim(*, pool: Pool, lead: Lead, actor: User) -> Lead:
    """``actor`` takes a lead from the pool.

    Exactly one of several simultaneous claims wins; the others get LeadAlreadyClaimedError
    naming the winner. The pool's limits (open leads held, claims per day, cooldown after a
    return) hold under concurrency. Raises PoolError with a clear message.
    """
    if not pool.is_active or pool.mode == Pool.Mode.ALLOCATE:
        raise PoolError(_("Leads in %(pool)s are allocated by its admins.") % {"pool": pool})
    if not pool_is_member(pool, actor):
        raise PoolError(_("You are not a member of %(pool)s.") % {"pool": pool})
    with transaction.atomic():
        _lock_member(pool, actor)
        locked = _lock_open_lead(pool, lead)
        _check_limits(pool, actor, locked)
        locked = lead_assign(lead=locked, owner=actor, actor=actor, reason="claimed", notify=False)
        PoolEntry.objects.filter(lead=locked).update(claimed_at=timezone.now())
        _event(locked, pool, PoolEvent.Action.CLAIM, actor, to_user=actor)
    return locked


def pool_allocate(*, pool: Pool, lead: Lead, to_user: User, actor: User) -> Lead:
    """A pool admin gives a pooled lead to a member (who is notified). Limits apply."""
    if not pool_is_admin(pool, actor):
        raise PoolError(_("Only the pool's admins can allocate its leads."))
    if pool.mode == Pool.Mode.CLAIM:
        raise PoolError(_("Members claim the leads of %(pool)s.") % {"pool": pool})
    if not pool_is_member(pool, to_user):
        raise PoolError(
            _("%(name)s is not a member of %(pool)s.") % {"name": to_user, "pool": pool}
        )
    with transaction.atomic():
        _lock_member(pool, to_user)
        locked = _lock_open_lead(pool, lead)
        _check_limits(pool, to_user, locked)
        locked = lead_assign(lead=locked, owner=to_user, actor=actor, reason="allocated")
        PoolEntry.objects.filter(lead=locked).update(claimed_at=timezone.now())
        _event(locked, pool, PoolEvent.Action.ALLOCATE, actor, to_user=to_user)
    return locked


def pool_return(*, lead: Lead, actor: User, reason: str) -> Lead:
    """The owner gives a pooled lead back, with a reason; it is unassigned again."""
    reason = (reason or "").strip()
    if not reason:
        raise PoolError(_("Say why you return the lead."))
    with transaction.atomic():
        locked = Lead.objects.select_for_update().get(pk=lead.pk)
        entry = PoolEntry.objects.filter(lead=locked).select_related("pool").first()
        if entry is None:
            raise PoolError(_("This lead did not come from a pool."))
        if locked.owner_id != actor.pk:
            raise PoolError(_("Only the lead's owner can return it."))
        locked = lead_assign(lead=locked, owner=None, actor=actor, reason=f"returned: {reason}")
        PoolEntry.objects.filter(pk=entry.pk).update(claimed_at=None)
        _event(locked, entry.pool, PoolEvent.Action.RETURN, actor, reason=reason)
    return locked
