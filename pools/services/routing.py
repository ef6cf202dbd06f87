"""The assignment engine: ordered rules place each lead with a person, a team member or a pool.

One path for one lead and for ten thousand (``leads_route``):

1. lock the leads (in id order) and keep those still waiting: for new leads, no owner and no
   pool yet (so a retried task does nothing); for leads whose owner was cleared outside a pool
   (``OWNER_CLEARED``), open, no owner and not waiting in a pool (the same); for returned
   leads, no owner;
2. for each lead, the first active rule for the trigger whose conditions hold and whose target
   can take it; a team's member is picked by the rule's strategy under a lock on the rule row,
   so picks stay fair when several workers route at once; a rule that cannot place the lead
   (target away or inactive, every member at the daily cap) lets the next rule try;
3. write the owners with their history (and what follows an owner change: SOP tasks, open
   tasks, see leads.services.ownership), the pool entries and events, and notify each new
   owner once per batch. Leads no rule places go to the tenant's fallback pool: none is lost.

``route_preview`` runs steps 1 and 2 without writing, for the rule editor's test.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import DatabaseError, transaction
from django.db.models import Case, Count, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from leadcrm.accounts.models import Team, User
from leadcrm.accounts.selectors import team_descendant_ids
from leadcrm.parsing import uuid_or_none
from leads.hooks import DestinationGone
from leads.models import OPEN_STATUSES, Lead, LeadStatus
from leads.services.lead import lead_assigned_notify
from leads.services.ownership import leads_owner_changed
from pools.conditions import conditions_match
from pools.errors import PoolError
from pools.models import AssignmentRule, Pool, PoolEntry, PoolEvent, RuleMemberState
from pools.selectors import pool_ids_admin

logger = logging.getLogger("leadcrm.routing")

Rule = AssignmentRule
#: Conversion-rate window of the performance strategy.
PERFORMANCE_WINDOW_DAYS = 90

#: Routing a lead whose owner was cleared outside a pool (a person emptied it, a bulk action,
#: a deactivated user's handover). Not a trigger rules choose: such a lead is routed like a new
#: lead, by the new-lead rules (leads.hooks' after-owner-change hook, see ``pools.tasks``).
OWNER_CLEARED = "unowned"

#: The ``via`` of the owner changes pools makes (leads.hooks). A lead that loses its owner by
#: one of ``INTO_POOL`` is in a pool (which routes it again itself when it says so), so the
#: after-owner-change hook does not route it.
VIA_ROUTING = "routing"
VIA_CLAIM = "claim"
VIA_ALLOCATE = "allocate"
VIA_RETURN = "return"
VIA_WITHDRAW = "withdraw"
VIA_RECLAIM = "reclaim"
VIA_HANDOFF = "handoff"
INTO_POOL = frozenset({VIA_ROUTING, VIA_RETURN, VIA_WITHDRAW, VIA_RECLAIM, VIA_HANDOFF})


@dataclass
class Placement:
    """Where one lead goes: an owner, a pool, or both (a pool with a default assignee)."""

    lead: Lead
    rule: AssignmentRule | None = None
    owner: User | None = None
    pool: Pool | None = None
    why: str = ""


@dataclass
class RouteResult:
    assigned: int = 0
    pooled: int = 0
    skipped: int = 0
    by_rule: Counter = field(default_factory=Counter)
    placements: list[Placement] = field(default_factory=list)


def fallback_pool() -> Pool:
    pool = Pool.objects.filter(is_fallback=True).first()
    if pool is None:
        pool, _created = Pool.objects.get_or_create(
            is_fallback=True, defaults={"name": _("General pool")}
        )
    return pool


def _team_members(team: Team) -> list[User]:
    return list(
        User.objects.filter(
            team_id__in=team_descendant_ids(team), is_active=True, is_away=False
        ).order_by("pk")
    )


class _Picker:
    """Chooses team members for one rule inside the routing transaction (rule row locked)."""

    def __init__(self, rule: AssignmentRule, *, now, dry_run: bool):
        self.rule, self.now, self.dry_run = rule, now, dry_run
        self.today = timezone.localdate(now)
        self.members = _team_members(rule.target_team) if rule.target_team_id else []
        states = {s.user_id: s for s in RuleMemberState.objects.filter(rule=rule)}
        # A member who joins later starts level with the others, not at zero, so round-robin
        # does not hand them every lead until they catch up.
        floor = min((s.assigned for s in states.values()), default=0)
        self.states: dict[int, RuleMemberState] = {}
        for member in self.members:
            state = states.get(member.pk) or RuleMemberState(rule=rule, user=member, assigned=floor)
            if state.day != self.today:
                state.day, state.assigned_on_day = self.today, 0
            self.states[member.pk] = state
        self.open_counts: dict[int, int] = {}
        if rule.strategy == Rule.Strategy.LEAST_LOADED:
            rows = (
                Lead.objects.filter(owner__in=self.members, status__in=OPEN_STATUSES)
                .values("owner")
                .annotate(n=Count("*"))
            )
            self.open_counts = {r["owner"]: r["n"] for r in rows}
        self.weights = self._weights()

    def _weights(self) -> dict[int, float]:
        rule = self.rule
        if rule.strategy == Rule.Strategy.WEIGHTED:
            return {
                m.pk: max(float(rule.weights.get(str(m.pk), 1) or 0), 0.0) for m in self.members
            }
        if rule.strategy == Rule.Strategy.PERFORMANCE:
            # Conversions by conversion date against leads received, both in the window.
            since = self.now - timedelta(days=PERFORMANCE_WINDOW_DAYS)
            received = dict(
                Lead.objects.filter(owner__in=self.members, assigned_at__gte=since)
                .values_list("owner")
                .annotate(n=Count("*"))
            )
            won = dict(
                Lead.objects.filter(
                    owner__in=self.members,
                    status=LeadStatus.CONVERTED,
                    converted_at__gte=since,
                )
                .values_list("owner")
                .annotate(n=Count("*"))
            )
            stats = {
                m.pk: (won.get(m.pk, 0), max(received.get(m.pk, 0), won.get(m.pk, 0)))
                for m in self.members
            }
            # Laplace-smoothed conversion rate: a new rep is neither starved nor flooded.
            return {
                m.pk: (stats.get(m.pk, (0, 0))[0] + 1) / (stats.get(m.pk, (0, 0))[1] + 2)
                for m in self.members
            }
        return {m.pk: 1.0 for m in self.members}

    def pick(self) -> User | None:
        cap = self.rule.daily_cap
        eligible = [
            m
            for m in self.members
            if self.weights.get(m.pk, 1.0) > 0
            and (cap is None or self.states[m.pk].assigned_on_day < cap)
        ]
        if not eligible:
            return None

        def order(member: User):
            state = self.states[member.pk]
            last = state.last_assigned_at.timestamp() if state.last_assigned_at else 0.0
            if self.rule.strategy == Rule.Strategy.LEAST_LOADED:
                return (self.open_counts.get(member.pk, 0), last, member.pk)
            # Round-robin is the weighted case with equal weights: the member furthest below
            # their share goes next (ties: who waited longest), so max - min stays <= 1.
            return ((state.assigned + 1) / self.weights[member.pk], last, member.pk)

        chosen = min(eligible, key=order)
        state = self.states[chosen.pk]
        state.assigned += 1
        state.assigned_on_day += 1
        state.last_assigned_at = self.now
        self.now = self.now + timedelta(microseconds=1)  # keep ties ordered within a batch
        self.open_counts[chosen.pk] = self.open_counts.get(chosen.pk, 0) + 1
        return chosen

    def save(self) -> None:
        if self.dry_run:
            return
        for state in self.states.values():
            if state.last_assigned_at is not None or state.pk is None:
                state.save()


def rules_for(trigger: str) -> list[AssignmentRule]:
    """The active rules for ``trigger``, in the order they are tried."""
    if trigger in (AssignmentRule.Trigger.MANUAL, OWNER_CLEARED):  # the new-lead rules apply
        trigger = AssignmentRule.Trigger.NEW
    return list(
        AssignmentRule.objects.filter(is_active=True, triggers__contains=[trigger])
        .select_related("target_user", "target_team", "target_pool__default_assignee")
        .order_by("position", "id")
    )


def _place(lead: Lead, rules, pickers, *, now, dry_run, in_pool: bool) -> Placement | None:
    """The first rule that can take ``lead``. When none can, a lead already in a pool stays
    there (None), any other goes to the fallback pool."""
    for rule in rules:
        if not conditions_match(rule.conditions, lead):
            continue
        if rule.target_type == Rule.Target.USER:
            user = rule.target_user
            if user and user.is_active and not user.is_away:
                return Placement(lead, rule, owner=user)
        elif rule.target_type == Rule.Target.TEAM and rule.target_team_id:
            if rule.pk not in pickers:
                locked = AssignmentRule.objects.select_for_update().get(pk=rule.pk)
                locked.target_team = rule.target_team
                pickers[rule.pk] = _Picker(locked, now=now, dry_run=dry_run)
            owner = pickers[rule.pk].pick()
            if owner is not None:
                return Placement(lead, rule, owner=owner)
        elif (
            rule.target_type == Rule.Target.POOL and rule.target_pool and rule.target_pool.is_active
        ):
            return Placement(lead, rule, pool=rule.target_pool)
    if in_pool:
        return None
    return Placement(lead, None, pool=fallback_pool(), why=_("No rule matched"))


def _push_owner(placement: Placement) -> None:
    """A pool with a default assignee gives new arrivals straight to them (push)."""
    pool = placement.pool
    if pool is not None and placement.owner is None:
        assignee = pool.default_assignee
        if assignee is not None and assignee.is_active and not assignee.is_away:
            placement.owner = assignee


def route_preview(lead: Lead, trigger: str = AssignmentRule.Trigger.NEW) -> Placement:
    """Which rule would take ``lead`` and who or which pool would get it. Writes nothing."""
    with transaction.atomic():
        in_pool = PoolEntry.objects.filter(lead=lead).exists()
        placement = _place(
            lead, rules_for(trigger), {}, now=timezone.now(), dry_run=True, in_pool=in_pool
        )
        if placement is None:
            entry = PoolEntry.objects.select_related("pool").get(lead=lead)
            placement = Placement(lead, None, pool=entry.pool, why=_("Stays in its pool"))
        _push_owner(placement)
        transaction.set_rollback(True)  # release the rule locks; nothing was written anyway
    return placement


def leads_route(
    lead_ids, *, trigger: str = AssignmentRule.Trigger.NEW, actor: User | None = None
) -> RouteResult:
    """Route the given leads (see the module docstring). Safe to run twice on the same ids."""
    result = RouteResult()
    ids = sorted(set(lead_ids))
    if not ids:
        return result
    now = timezone.now()
    with transaction.atomic():
        leads = list(
            Lead.objects.select_for_update(of=("self",))
            .filter(pk__in=ids, owner__isnull=True)
            .exclude(status__in=(LeadStatus.CONVERTED, LeadStatus.VOID))
            .select_related("source")
            .order_by("pk")
        )
        entries = {e.lead_id: e for e in PoolEntry.objects.filter(lead__in=leads)}
        if trigger == AssignmentRule.Trigger.NEW:
            leads = [lead for lead in leads if lead.pk not in entries]
        elif trigger == OWNER_CLEARED:
            leads = [lead for lead in leads if _left_unowned(lead, entries.get(lead.pk))]
        result.skipped = len(ids) - len(leads)
        rules, pickers = rules_for(trigger), {}
        placements = []
        for lead in leads:
            # A lead whose owner was cleared is in no pool, even if its entry says where its
            # last owner claimed it from: no rule matching, it goes to the fallback pool.
            in_pool = lead.pk in entries and trigger != OWNER_CLEARED
            placement = _place(lead, rules, pickers, now=now, dry_run=False, in_pool=in_pool)
            if placement is None:
                result.skipped += 1
                continue
            _push_owner(placement)
            placements.append(placement)
        for picker in pickers.values():
            picker.save()
        _write(placements, entries, trigger=trigger, actor=actor, now=now)
        # Whatever became of them, the rules have run for these leads: none waits for them.
        Lead.objects.filter(pk__in=ids, routing_due_at__isnull=False).update(routing_due_at=None)
        if trigger == OWNER_CLEARED:
            # Given to a person by a rule, a lead claimed from a pool by its last owner counts
            # as held from that pool since now: its reclaim clock starts again for the new one.
            held = [p.lead.pk for p in placements if p.pool is None and p.lead.pk in entries]
            PoolEntry.objects.filter(lead_id__in=held).update(claimed_at=now, warned_at=None)
    for placement in placements:
        if placement.owner is not None:
            result.assigned += 1
        else:
            result.pooled += 1
        result.by_rule[placement.rule.name if placement.rule else "-"] += 1
    result.placements = placements
    _notify_owners(placements, actor)
    return result


#: A new lead still waiting for the rules this long after it was created lost its message
#: (a worker killed before it acknowledged the task, a broker restarted without its queue).
ROUTING_LATE = timedelta(minutes=10)
#: Leads one sweep routes (the next sweep takes the rest), in transactions of a chunk each.
ROUTING_SWEEP_BATCH, ROUTING_SWEEP_CHUNK = 2000, 100


def routing_sweep(*, now=None, limit: int = ROUTING_SWEEP_BATCH) -> RouteResult:
    """Route the new leads whose routing never ran: still marked as waiting for the rules
    (``Lead.routing_due_at``) ROUTING_LATE after they were created. Safe beside a late
    routing task: a lead is routed once whoever comes first (``leads_route`` skips the
    rest and clears the mark). A chunk that fails changes nothing (one transaction) and is
    logged; it does not hold up the chunks after it, and the next sweep tries it again."""
    now = now or timezone.now()
    late = Lead.objects.filter(routing_due_at__lt=now - ROUTING_LATE).order_by("routing_due_at")
    ids = list(late.values_list("pk", flat=True)[:limit])
    total = RouteResult()
    for start in range(0, len(ids), ROUTING_SWEEP_CHUNK):
        chunk = ids[start : start + ROUTING_SWEEP_CHUNK]
        try:
            done = leads_route(chunk)
        except DatabaseError:
            logger.exception("late routing failed leads=%s..%s", chunk[0], chunk[-1])
            continue
        total.assigned += done.assigned
        total.pooled += done.pooled
        total.skipped += done.skipped
    return total


def _left_unowned(lead: Lead, entry: PoolEntry | None) -> bool:
    """Whether ``lead`` (locked, no owner) still waits to be routed after its owner was
    cleared: open, not merged, and not waiting in a pool (an entry whose lead is not held:
    returned, withdrawn or reclaimed into it, or placed there by an earlier run of this
    routing). A retried task, or a second one for the same clearing, so routes nothing twice."""
    if lead.status not in OPEN_STATUSES or lead.merged_into_id is not None:
        return False
    return entry is None or entry.claimed_at is not None


def _write(placements: list[Placement], entries, *, trigger, actor, now) -> None:
    owned = []
    for placement in placements:
        lead = placement.lead
        if placement.owner is None:
            continue
        lead.owner = placement.owner
        lead.assigned_at = now
        if lead.status in (LeadStatus.UNASSIGNED, LeadStatus.NURTURE):
            lead.status, lead.status_changed_at = LeadStatus.PENDING, now
        rule = placement.rule.name if placement.rule else placement.pool.name
        lead._change_reason = f"routed ({trigger}): {rule}"[:100]
        owned.append(lead)
    if owned:
        _owners_write(owned, now=now, actor=actor)
    pooled = [p for p in placements if p.pool is not None]
    if pooled:
        PoolEntry.objects.bulk_create(
            [
                PoolEntry(
                    lead=p.lead,
                    pool=p.pool,
                    entered_at=now,
                    claimed_at=now if p.owner else None,
                    warned_at=None,
                )
                for p in pooled
            ],
            update_conflicts=True,
            unique_fields=["lead"],
            update_fields=["pool", "entered_at", "claimed_at", "warned_at"],
            batch_size=1000,
        )
    events = []
    for p in pooled:
        reason = p.rule.name if p.rule else p.why
        events.append(
            PoolEvent(
                lead=p.lead,
                pool=p.pool,
                action=PoolEvent.Action.ROUTE,
                actor=actor,
                reason=f"{trigger}: {reason}"[:300],
                at=now,
            )
        )
        if p.owner is not None:
            events.append(
                PoolEvent(
                    lead=p.lead,
                    pool=p.pool,
                    action=PoolEvent.Action.ALLOCATE,
                    actor=actor,
                    to_user=p.owner,
                    reason=_("Default assignee"),
                    at=now,
                )
            )
    if events:
        PoolEvent.objects.bulk_create(events, batch_size=1000)


def _owners_write(owned: list[Lead], *, now, actor) -> None:
    """One UPDATE per new owner (a batch has tens of owners, not thousands of CASE branches),
    then the history rows in one insert: 1,000 leads in well under a second. What follows an
    owner change (leads_owner_changed) runs once per new owner, set-based too."""
    by_owner: dict[int, list[int]] = defaultdict(list)
    for lead in owned:
        by_owner[lead.owner_id].append(lead.pk)
    waiting = (LeadStatus.UNASSIGNED, LeadStatus.NURTURE)
    for owner_id, pks in by_owner.items():
        Lead.objects.filter(pk__in=pks).update(
            owner_id=owner_id,
            assigned_at=now,
            status=Case(
                When(status__in=waiting, then=Value(LeadStatus.PENDING)), default=F("status")
            ),
            status_changed_at=Case(
                When(status__in=waiting, then=Value(now)), default=F("status_changed_at")
            ),
            updated_at=now,
        )
    for lead in owned:
        lead.updated_at = now
    Lead.history.bulk_history_create(owned, batch_size=1000, update=True, default_user=actor)
    owners = {lead.owner_id: lead.owner for lead in owned}
    for owner_id, pks in by_owner.items():  # once per new owner, after the history rows
        leads_owner_changed(lead_ids=pks, owner=owners[owner_id], actor=actor, via=VIA_ROUTING)


def _notify_owners(placements: list[Placement], actor: User | None) -> None:
    """One notification per new owner per batch (a 5,000-row import sends one, not 5,000)."""
    by_owner: dict[int, list[Lead]] = defaultdict(list)
    owners: dict[int, User] = {}
    for placement in placements:
        if placement.owner is not None and placement.owner.pk != getattr(actor, "pk", None):
            by_owner[placement.owner.pk].append(placement.lead)
            owners[placement.owner.pk] = placement.owner
    for owner_pk, leads in by_owner.items():
        lead_assigned_notify(owner=owners[owner_pk], lead=leads[0], count=len(leads), routed=True)


def leads_place_in_pool(pool: Pool, lead_ids, *, actor: User | None, reason: str) -> int:
    """Put new, unowned, unpooled leads straight into ``pool`` (the destination an import or a
    web form chose) instead of through the rules; a default assignee gets them as in routing.
    Call inside the creating transaction: the routing task then finds them pooled and leaves
    them alone. Safe to call twice. Returns how many were placed."""
    if not pool.is_active:
        raise PoolError(_("The pool %(pool)s is no longer active.") % {"pool": pool})
    now = timezone.now()
    leads = list(
        Lead.objects.select_for_update(of=("self",))
        .filter(pk__in=sorted(set(lead_ids)), owner__isnull=True, pool_entry__isnull=True)
        .order_by("pk")
    )
    placements = [Placement(lead, pool=pool, why=reason) for lead in leads]
    for placement in placements:
        _push_owner(placement)
    _write(placements, {}, trigger=_("placed"), actor=actor, now=now)
    transaction.on_commit(lambda: _notify_owners(placements, actor))
    return len(placements)


def pool_destinations(user: User) -> list[tuple[str, str]]:
    """The pools ``user`` may send new leads to (the ones they administer), as destinations."""
    pools = Pool.objects.filter(pk__in=pool_ids_admin(user), is_active=True).order_by("name")
    return [(f"pool:{p.uuid}", _("Pool: %(pool)s") % {"pool": p.name}) for p in pools]


def pool_destination_find(name: str) -> str | None:
    pool = Pool.objects.filter(name=name, is_active=True).first()
    return f"pool:{pool.uuid}" if pool else None


def pool_destination_place(key: str, lead_ids, *, actor: User | None, reason: str) -> None:
    pool_uuid = uuid_or_none(key.removeprefix("pool:"))
    pool = Pool.objects.filter(uuid=pool_uuid, is_active=True).first() if pool_uuid else None
    if pool is None:
        raise DestinationGone(key)
    leads_place_in_pool(pool, lead_ids, actor=actor, reason=reason)
