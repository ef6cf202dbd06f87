"""Moving leads in and out of pools: add, claim, allocate, return, withdraw, transfer.
Each takes its row locks first; the loser of a race gets a clear error."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from leadcrm.accounts.models import User
from leadcrm.notifications.texts import text
from leads.errors import LeadError
from leads.models import OPEN_STATUSES, Access, Lead, LeadMember, LeadStatus
from leads.selectors import owner_ids_in_line, owner_ids_visible_to
from leads.services.lead import lead_assign
from pools.errors import LeadAlreadyClaimedError, PoolError, PoolLimitError
from pools.models import AssignmentRule, Pool, PoolEntry, PoolEvent
from pools.selectors import pool_ids_admin, pool_ids_member
from pools.services.events import pool_event_record, pool_notify, pool_notify_admins
from pools.services.pool import pool_can_claim, pool_is_admin, pool_is_member
from pools.services.routing import (
    VIA_ALLOCATE,
    VIA_CLAIM,
    VIA_RETURN,
    VIA_WITHDRAW,
    leads_route,
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
        pool_event_record(locked, pool, PoolEvent.Action.ENTER, actor, reason=reason)
    return entry


def _holder(locked: Lead) -> User | None:
    """The owner of a lead just locked, read on its own: after waiting for another
    transaction's lock, Postgres re-checks the locked row but may hand back the joined owner
    empty, so ``select_related("owner")`` cannot be trusted to name who won the race."""
    return User.objects.filter(pk=locked.owner_id).first() if locked.owner_id else None


def _lock_open_lead(pool: Pool, lead: Lead) -> Lead:
    locked = Lead.objects.select_for_update().get(pk=lead.pk)
    entry = PoolEntry.objects.filter(lead=locked).first()
    if entry is None or entry.pool_id != pool.pk:
        raise PoolError(_("This lead is not in the pool %(pool)s.") % {"pool": pool})
    if locked.owner_id is not None:
        raise LeadAlreadyClaimedError(
            _("%(lead)s was already claimed by %(owner)s.")
            % {"lead": locked, "owner": _holder(locked)}
        )
    if locked.status not in (LeadStatus.UNASSIGNED, LeadStatus.NURTURE):
        raise PoolError(_("This lead cannot be claimed in its status."))
    return locked


#: The statuses in which a pool admin may reassign a held lead to another member: being worked
#: (Pending, Following up) or judged Invalid by its holder (another member may see it afresh).
REASSIGNABLE_STATUSES = (LeadStatus.PENDING, LeadStatus.FOLLOWING_UP, LeadStatus.INVALID)


def _lock_held_lead(pool: Pool, lead: Lead, holder: User) -> Lead:
    """Lock a lead of ``pool`` that ``holder`` should hold: the admin's view of it is checked
    under the lock, so a lead claimed, returned or reassigned meanwhile is refused."""
    locked = Lead.objects.select_for_update().get(pk=lead.pk)
    entry = PoolEntry.objects.filter(lead=locked).first()
    if entry is None or entry.pool_id != pool.pk:
        raise PoolError(_("This lead is not in the pool %(pool)s.") % {"pool": pool})
    if locked.owner_id is None:
        raise PoolError(
            _("%(lead)s is no longer held by %(name)s: it is back in the pool.")
            % {"lead": locked, "name": holder}
        )
    if locked.owner_id != holder.pk:
        raise LeadAlreadyClaimedError(
            _("%(lead)s is now held by %(owner)s, no longer by %(name)s.")
            % {"lead": locked, "owner": _holder(locked), "name": holder}
        )
    if locked.status not in REASSIGNABLE_STATUSES:
        raise PoolError(
            _("Only leads that are Pending, Following up or Invalid can be reassigned.")
        )
    return locked


@dataclass(frozen=True)
class ClaimAllowance:
    """Where a member stands against a pool's two claim limits: open leads held from the pool
    (``max_open_per_member``) and claims made today (``max_claims_per_day``). A limit the pool
    does not set is None, and its "left" is None too (no limit)."""

    max_open: int | None
    held: int
    max_per_day: int | None
    claimed_today: int

    @property
    def open_left(self) -> int | None:
        return None if self.max_open is None else max(0, self.max_open - self.held)

    @property
    def today_left(self) -> int | None:
        return None if self.max_per_day is None else max(0, self.max_per_day - self.claimed_today)

    @property
    def left(self) -> int | None:
        """How many more leads the member may take now (None: the pool sets no limit)."""
        bounds = [n for n in (self.open_left, self.today_left) if n is not None]
        return min(bounds) if bounds else None

    @property
    def limited(self) -> bool:
        return self.max_open is not None or self.max_per_day is not None

    def refusal(self, *, member: User, actor: User) -> str:
        """Why no further lead may go to ``member`` (said to ``actor``), or "" while one may.
        The open-lead limit is named first: it does not lift at midnight."""
        you = member.pk == actor.pk
        if self.open_left == 0:
            if you:
                return ngettext(
                    "You already hold %(count)d open lead from this pool (the limit): close or "
                    "return it to claim again.",
                    "You already hold %(count)d open leads from this pool (the limit): close or "
                    "return one to claim again.",
                    self.held,
                ) % {"count": self.held}
            return _("%(name)s already holds %(count)d open leads from this pool (the limit).") % {
                "name": member,
                "count": self.held,
            }
        if self.today_left == 0:
            if you:
                return ngettext(
                    "You reached today's limit of %(count)d claim from this pool: claim again "
                    "tomorrow.",
                    "You reached today's limit of %(count)d claims from this pool: claim again "
                    "tomorrow.",
                    self.max_per_day,
                ) % {"count": self.max_per_day}
            return ngettext(
                "%(name)s reached today's limit of %(count)d claim from this pool.",
                "%(name)s reached today's limit of %(count)d claims from this pool.",
                self.max_per_day,
            ) % {"name": member, "count": self.max_per_day}
        return ""


def pool_claim_allowance(
    *, pool: Pool, member: User, now: datetime | None = None
) -> ClaimAllowance:
    """What ``member`` may still claim from ``pool``: the one count that the pool page shows
    and that ``pool_claim``/``pool_allocate`` check under the member's claim lock (so a page
    that went stale is still refused). Open leads held: the member's open leads from the pool
    (merged tombstones left out); claims today: since the tenant's midnight. At most two
    queries, none for a limit the pool does not set."""
    now = now or timezone.now()
    held = claimed_today = 0
    if pool.max_open_per_member is not None:
        held = Lead.objects.filter(
            pool_entry__pool=pool,
            owner=member,
            status__in=OPEN_STATUSES,
            merged_into__isnull=True,
        ).count()
    if pool.max_claims_per_day is not None:
        start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
        claimed_today = PoolEvent.objects.filter(
            pool=pool, to_user=member, action=PoolEvent.Action.CLAIM, at__gte=start
        ).count()
    return ClaimAllowance(
        max_open=pool.max_open_per_member,
        held=held,
        max_per_day=pool.max_claims_per_day,
        claimed_today=claimed_today,
    )


def _check_limits(pool: Pool, member: User, lead: Lead, actor: User) -> None:
    """The pool's rules for one more lead held by ``member`` (call under the claim lock)."""
    refusal = pool_claim_allowance(pool=pool, member=member).refusal(member=member, actor=actor)
    if refusal:
        raise PoolLimitError(refusal)
    if pool.return_cooldown_days:
        since = timezone.now() - timezone.timedelta(days=pool.return_cooldown_days)
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
    naming the winner. The pool's limits (open leads held, claims per day: counted by
    ``pool_claim_allowance``; cooldown after a return) hold under concurrency: a member's
    claims in a pool are serialised by an advisory lock taken first, so two claims for the
    last slot cannot both pass the count. Raises PoolError (PoolLimitError at a limit) with a
    clear message.
    """
    if not pool_can_claim(pool, actor):
        if not pool.is_active or pool.mode == Pool.Mode.ALLOCATE:
            raise PoolError(_("Leads in %(pool)s are allocated by its admins.") % {"pool": pool})
        raise PoolError(_("You are not a member of %(pool)s.") % {"pool": pool})
    with transaction.atomic():
        _lock_member(pool, actor)
        locked = _lock_open_lead(pool, lead)
        _check_limits(pool, actor, locked, actor)
        locked = lead_assign(
            lead=locked, owner=actor, actor=actor, reason="claimed", notify=False, via=VIA_CLAIM
        )
        PoolEntry.objects.filter(lead=locked).update(claimed_at=timezone.now(), warned_at=None)
        pool_event_record(locked, pool, PoolEvent.Action.CLAIM, actor, to_user=actor)
    return locked


def pool_allocate(
    *, pool: Pool, lead: Lead, to_user: User, actor: User, from_user: User | None = None
) -> Lead:
    """A pool admin gives a lead of the pool to a member, who is notified. Limits apply.

    ``from_user`` is who the admin saw holding the lead:
    - None: the lead waits in the pool (Unassigned or Nurture) and is allocated; the pool must
      not be claim-only;
    - its owner: the lead is reassigned to another member (Pending, Following up or Invalid,
      in any pool mode); the former owner is told, and the pool event names them.

    Concurrency: the member's claim lock is taken first, then the lead's row lock, and the
    holder is checked under it. Of two admins reassigning (or allocating) the same lead at
    once exactly one wins; the other gets LeadAlreadyClaimedError naming who holds it now.
    The owner change is in the lead's history (lead_assign) and in the pool's events.
    """
    if not pool_is_admin(pool, actor):
        raise PoolError(_("Only the pool's admins can allocate its leads."))
    if from_user is None and pool.mode == Pool.Mode.CLAIM:
        raise PoolError(_("Members claim the leads of %(pool)s.") % {"pool": pool})
    if not pool_is_member(pool, to_user):
        raise PoolError(
            _("%(name)s is not a member of %(pool)s.") % {"name": to_user, "pool": pool}
        )
    if from_user is not None and from_user.pk == to_user.pk:
        raise PoolError(_("%(name)s already holds this lead.") % {"name": to_user})
    with transaction.atomic():
        _lock_member(pool, to_user)
        if from_user is None:
            locked = _lock_open_lead(pool, lead)
        else:
            locked = _lock_held_lead(pool, lead, from_user)
        _check_limits(pool, to_user, locked, actor)
        reason = "allocated" if from_user is None else f"reassigned from {from_user}"
        locked = lead_assign(
            lead=locked, owner=to_user, actor=actor, reason=reason, via=VIA_ALLOCATE
        )
        PoolEntry.objects.filter(lead=locked).update(claimed_at=timezone.now(), warned_at=None)
        pool_event_record(
            locked,
            pool,
            PoolEvent.Action.ALLOCATE,
            actor,
            to_user=to_user,
            params={"text": text("pools.reassigned_from", name=str(from_user))}
            if from_user is not None
            else None,
        )
        if from_user is not None and from_user.pk != actor.pk:
            from leadcrm.notifications.models import Notification

            pool_notify(
                from_user,
                Notification.Kind.LEAD_WITHDRAWN,
                text("pools.reassigned", lead=str(locked), name=str(to_user)),
                locked,
                body=text("pools.reassigned_by", actor=str(actor), pool=str(pool)),
                key=f"reassigned:{locked.uuid}:{timezone.now():%Y%m%d%H%M%S%f}",
            )
    return locked


@dataclass(frozen=True)
class ReturnRights:
    """Whose leads ``actor`` may give back to a pool: the one return rule, worked out once
    per request (the lead page, a list row and the bulk action all ask ``refusal``).

    A held lead may be returned by tenant admins; its owner and the owner's superiors
    (reporting line or managed teams); its read-write team members and their superiors; and
    whoever a read-write sharing rule covering its owner opens it to. Read-only members and
    shares, and everyone else, are refused (a pool admin is pointed to Withdraw)."""

    everyone: bool
    #: Owners whose leads the actor may return: their own line and read-write shares.
    owners: frozenset[int]
    #: The actor and everyone below them: the read-write team members they answer for.
    line: frozenset[int]
    #: The pools the actor administers (for the refusal's words only).
    administers: frozenset[int]

    def refusal(self, lead: Lead, *, pool_id: int | None = None) -> str:
        """Why ``lead`` (in the pool ``pool_id``, if any) may not be returned, or ""."""
        if lead.status in (LeadStatus.CONVERTED, LeadStatus.VOID):
            return _("A converted or void lead cannot be returned.")
        if lead.owner_id is None:
            return _("This lead has no owner, so there is nothing to return.")
        if self.everyone or lead.owner_id in self.owners:
            return ""
        if LeadMember.objects.filter(
            lead_id=lead.pk, access=Access.WRITE, user_id__in=self.line
        ).exists():
            return ""
        if pool_id is not None and pool_id in self.administers:
            return _("You administer this lead's pool: withdraw it instead.")
        return _(
            "Only its owner, the owner's managers, its read-write team members (and their "
            "managers) and read-write shares can return this lead."
        )


def pool_return_rights(actor: User) -> ReturnRights:
    """``actor``'s ReturnRights (a few queries, whatever the number of leads asked about)."""
    if actor.is_tenant_admin:
        return ReturnRights(True, frozenset(), frozenset(), frozenset())
    _readable, writable = owner_ids_visible_to(actor)
    return ReturnRights(
        everyone=False,
        owners=frozenset(writable),
        line=frozenset(owner_ids_in_line(actor)),
        administers=frozenset(pool_ids_admin(actor)),
    )


def pool_return(
    *,
    lead: Lead,
    actor: User,
    reason: str,
    note: str = "",
    pool: Pool | None = None,
    rights: ReturnRights | None = None,
) -> Lead:
    """Give a held lead back to a pool, with a reason (one of the pool's reasons when it lists
    some) and an optional note; it is unassigned again, and routed again when the pool says so.

    1. lock the lead; the return rule (ReturnRights) is checked on the locked row, so a lead
       that changed hands meanwhile is judged as it is now
    2. the pool: a pooled lead goes back to its own pool (``pool`` is ignored); a lead in no
       pool goes into ``pool``, an active pool ``actor`` belongs to (member or admin)
    3. unassign, record the event, tell the pool's admins and, when someone else returned
       it, the former owner; re-route if the pool says so
    All-or-nothing: a refusal (PoolError, with the reason in words) changes nothing.
    """
    reason, note = (reason or "").strip(), (note or "").strip()
    if not reason:
        raise PoolError(_("Say why you return the lead."))
    rights = rights or pool_return_rights(actor)
    with transaction.atomic():
        locked = Lead.objects.select_for_update().get(pk=lead.pk)
        entry = PoolEntry.objects.filter(lead=locked).select_related("pool").first()
        refusal = rights.refusal(locked, pool_id=entry.pool_id if entry else None)
        if refusal:
            raise PoolError(refusal)
        if entry is not None:
            target = entry.pool
        elif pool is None:
            raise PoolError(_("This lead is in no pool: choose the pool it goes into."))
        elif not pool.is_active or pool.pk not in pool_ids_member(actor) | pool_ids_admin(actor):
            raise PoolError(
                _("You can return a lead only into a pool you belong to, not into %(pool)s.")
                % {"pool": pool}
            )
        else:
            target = pool
        if target.return_reasons and reason not in target.return_reasons:
            raise PoolError(
                _("Choose one of the return reasons of %(pool)s: %(reasons)s.")
                % {"pool": target, "reasons": ", ".join(target.return_reasons)}
            )
        former = _holder(locked)
        full = f"{reason}: {note}" if note else reason
        locked = lead_assign(
            lead=locked, owner=None, actor=actor, reason=f"returned: {full}", via=VIA_RETURN
        )
        if entry is not None:
            PoolEntry.objects.filter(pk=entry.pk).update(claimed_at=None, warned_at=None)
        else:
            PoolEntry.objects.create(lead=locked, pool=target, entered_at=timezone.now())
        pool_event_record(locked, target, PoolEvent.Action.RETURN, actor, reason=full)
        now = timezone.now()
        pool_notify_admins(
            target,
            actor,
            title=text("pools.returned", name=str(actor), lead=str(locked), pool=str(target)),
            body=full,
            url=reverse("leads-detail", kwargs={"uuid": locked.uuid}),
            key=f"returned:{locked.uuid}:{now:%Y%m%d%H%M%S%f}",
        )
        if former is not None and former.pk != actor.pk:
            from leadcrm.notifications.models import Notification

            pool_notify(
                former,
                Notification.Kind.LEAD_WITHDRAWN,
                text("pools.returned_yours", name=str(actor), lead=str(locked), pool=str(target)),
                locked,
                body=full,
                key=f"returned-yours:{locked.uuid}:{now:%Y%m%d%H%M%S%f}",
            )
        if target.reroute_returned:
            leads_route([locked.pk], trigger=AssignmentRule.Trigger.RETURNED, actor=actor)
    return locked


def pool_return_many(
    *, leads, actor: User, reason: str, note: str = "", pool: Pool | None = None
) -> tuple[list[Lead], list[tuple[Lead, str]]]:
    """Return several leads (the list's bulk action), each all-or-nothing in its own
    transaction under the same rule as one lead; returns (returned, [(lead, why not)]).
    Pooled leads go back to their own pool, leads in no pool into ``pool``."""
    reason = (reason or "").strip()
    if not reason:
        raise PoolError(_("Say why you return the lead."))
    rights = pool_return_rights(actor)
    done, refused = [], []
    for lead in leads:
        try:
            done.append(
                pool_return(
                    lead=lead, actor=actor, reason=reason, note=note, pool=pool, rights=rights
                )
            )
        except LeadError as error:  # PoolError, or lead_assign's own refusals
            refused.append((lead, error.message))
    return done, refused


def pool_claim_many(*, pool: Pool, leads, actor: User) -> tuple[list[Lead], list[tuple[Lead, str]]]:
    """Claim several leads, each in its own transaction; returns (claimed, [(lead, why not)]).
    Stops trying once a limit is reached, so the message says so once, not per lead."""
    claimed, refused = [], []
    leads = list(leads)
    for index, lead in enumerate(leads):
        try:
            claimed.append(pool_claim(pool=pool, lead=lead, actor=actor))
        except PoolLimitError as error:
            refused.extend((rest, error.message) for rest in leads[index:])
            break
        except PoolError as error:
            refused.append((lead, error.message))
    return claimed, refused


def pool_allocate_many(
    *, pool: Pool, leads, to_user: User, actor: User
) -> tuple[list[Lead], list[tuple[Lead, str]]]:
    done, refused = [], []
    for lead in leads:
        try:
            done.append(pool_allocate(pool=pool, lead=lead, to_user=to_user, actor=actor))
        except PoolError as error:
            refused.append((lead, error.message))
    return done, refused


def pool_withdraw(*, lead: Lead, actor: User, reason: str, pool: Pool | None = None) -> Lead:
    """A pool admin takes a lead back from its owner into the pool (the lead's pool, or
    ``pool`` for a lead that never was in one). The former owner is notified."""
    from leadcrm.notifications.models import Notification

    reason = (reason or "").strip()
    if not reason:
        raise PoolError(_("Say why you withdraw the lead."))
    with transaction.atomic():
        locked = Lead.objects.select_for_update().get(pk=lead.pk)
        entry = PoolEntry.objects.filter(lead=locked).select_related("pool").first()
        target = entry.pool if entry else pool
        if target is None:
            raise PoolError(_("Choose the pool the lead goes into."))
        if not pool_is_admin(target, actor):
            raise PoolError(_("Only the pool's admins can withdraw its leads."))
        former = _holder(locked)
        if former is None:
            raise PoolError(_("This lead has no owner to take it from."))
        locked = lead_assign(
            lead=locked, owner=None, actor=actor, reason=f"withdrawn: {reason}", via=VIA_WITHDRAW
        )
        PoolEntry.objects.update_or_create(
            lead=locked,
            defaults={"pool": target, "claimed_at": None, "warned_at": None}
            | ({} if entry else {"entered_at": timezone.now()}),
        )
        pool_event_record(
            locked, target, PoolEvent.Action.WITHDRAW, actor, to_user=former, reason=reason
        )
        if former.pk != actor.pk:
            pool_notify(
                former,
                Notification.Kind.LEAD_WITHDRAWN,
                text("pools.withdrawn", lead=str(locked), pool=str(target)),
                locked,
                body=text("pools.withdrawn_by", actor=str(actor), reason=reason),
                key=f"withdrawn:{locked.uuid}:{timezone.now():%Y%m%d%H%M%S%f}",
            )
        if target.reroute_returned:
            leads_route([locked.pk], trigger=AssignmentRule.Trigger.WITHDRAWN, actor=actor)
    return locked


def pool_transfer(*, leads, to_pool: Pool, actor: User, reason: str = "") -> int:
    """Move pooled leads (owned or not) into ``to_pool``. The actor must administer both
    pools. Returns how many moved; leads in no pool are put into ``to_pool`` if unowned."""
    if not pool_is_admin(to_pool, actor):
        raise PoolError(
            _("Only the admins of %(pool)s can move leads into it.") % {"pool": to_pool}
        )
    if not to_pool.is_active:
        raise PoolError(_("%(pool)s is not active: choose another pool.") % {"pool": to_pool})
    moved = 0
    with transaction.atomic():
        ids = sorted(lead.pk for lead in leads)
        locked = list(Lead.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        entries = {
            e.lead_id: e for e in PoolEntry.objects.filter(lead__in=locked).select_related("pool")
        }
        admin_of: dict[int, bool] = {}
        now = timezone.now()
        for lead in locked:
            entry = entries.get(lead.pk)
            if entry is None:
                if lead.owner_id is not None:
                    continue
                PoolEntry.objects.create(lead=lead, pool=to_pool, entered_at=now)
            else:
                if entry.pool_id == to_pool.pk:
                    continue
                if entry.pool_id not in admin_of:
                    admin_of[entry.pool_id] = pool_is_admin(entry.pool, actor)
                if not admin_of[entry.pool_id]:
                    raise PoolError(
                        _("Only the admins of %(pool)s can move its leads.") % {"pool": entry.pool}
                    )
                PoolEntry.objects.filter(pk=entry.pk).update(pool=to_pool, entered_at=now)
            pool_event_record(
                lead,
                to_pool,
                PoolEvent.Action.TRANSFER,
                actor,
                reason=reason or "",
                params={"text": text("pools.from_pool", pool=str(entry.pool))}
                if entry and not reason
                else None,
            )
            moved += 1
        if moved:
            pool_notify_admins(
                to_pool,
                actor,
                title=text("pools.moved", name=str(actor), count=moved, pool=str(to_pool)),
                body=reason,
                url=reverse("pools-detail", kwargs={"uuid": to_pool.uuid}),
                key=f"transfer:{to_pool.uuid}:{now:%Y%m%d%H%M%S%f}",
            )
    return moved


def pool_lead_transfer(*, lead: Lead, to_pool: Pool, actor: User, reason: str = "") -> Lead:
    """Move one pooled lead, held or waiting, into another pool (the lead page's Transfer): the
    rule and the locks of ``pool_transfer`` (the actor administers both pools). A holder keeps
    the lead. Raises PoolError when nothing could move, saying why."""
    entry = PoolEntry.objects.filter(lead=lead).select_related("pool").first()
    if entry is None:
        raise PoolError(_("%(lead)s is in no pool to transfer it from.") % {"lead": lead})
    if entry.pool_id == to_pool.pk:
        raise PoolError(_("%(lead)s is already in %(pool)s.") % {"lead": lead, "pool": to_pool})
    if not pool_transfer(leads=[lead], to_pool=to_pool, actor=actor, reason=reason):
        # Moved out of its pool meanwhile (another admin, a merge): say where it is now.
        now_in = PoolEntry.objects.filter(lead=lead).select_related("pool").first()
        raise PoolError(
            _("%(lead)s is already in %(pool)s.") % {"lead": lead, "pool": now_in.pool}
            if now_in
            else _("%(lead)s is in no pool to transfer it from.") % {"lead": lead}
        )
    return Lead.objects.get(pk=lead.pk)


def pool_transfer_all(*, from_pool: Pool, to_pool: Pool, actor: User, reason: str = "") -> int:
    """Move every lead of ``from_pool`` into ``to_pool`` (in batches of 1,000)."""
    if from_pool.pk == to_pool.pk:
        raise PoolError(_("Choose another pool."))
    if not pool_is_admin(from_pool, actor):
        raise PoolError(_("Only the admins of %(pool)s can move its leads.") % {"pool": from_pool})
    total = 0
    while True:
        batch = list(Lead.objects.filter(pool_entry__pool=from_pool).order_by("pk")[:1000])
        if not batch:
            return total
        total += pool_transfer(leads=batch, to_pool=to_pool, actor=actor, reason=reason)
