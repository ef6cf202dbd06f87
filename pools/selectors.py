"""Reads of pools: who belongs to which pool, what they see, and the pool page's figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from leadcrm.accounts.models import Team, User
from leadcrm.accounts.selectors import team_descendant_ids
from leads.models import OPEN_STATUSES, Lead, LeadStatus
from pools.models import Pool, PoolEntry, PoolEvent


def _team_and_ancestor_ids(team_id: int | None) -> set[int]:
    ids: set[int] = set()
    while team_id is not None and team_id not in ids:
        ids.add(team_id)
        team_id = Team.objects.filter(pk=team_id).values_list("parent_id", flat=True).first()
    return ids


def pool_ids_member(user: User) -> set[int]:
    """Active pools ``user`` claims from: named member, or member of a team (or sub-team) the
    pool includes."""
    teams = _team_and_ancestor_ids(user.team_id)
    return set(
        Pool.objects.filter(Q(members=user) | Q(member_teams__in=teams), is_active=True)
        .values_list("pk", flat=True)
        .distinct()
    )


def pool_ids_admin(user: User) -> set[int]:
    if user.is_tenant_admin:
        return set(Pool.objects.values_list("pk", flat=True))
    return set(Pool.objects.filter(admins=user).values_list("pk", flat=True))


def pools_for(user: User) -> QuerySet[Pool]:
    """The pools ``user`` works with (member or admin), for the pools page."""
    return Pool.objects.filter(pk__in=pool_ids_member(user) | pool_ids_admin(user))


def pools_return_targets(user: User) -> QuerySet[Pool]:
    """The active pools ``user`` belongs to (member or admin): where they may return a lead
    that sits in no pool (a pooled lead always goes back to its own pool)."""
    return Pool.objects.filter(
        pk__in=pool_ids_member(user) | pool_ids_admin(user), is_active=True
    ).order_by("name")


def pooled_leads_visible_q(user: User) -> Q | None:
    """Visibility hook: unclaimed leads of the pools ``user`` is in, and every lead of the
    pools they administer (to allocate, withdraw and transfer them)."""
    member, admin = pool_ids_member(user), pool_ids_admin(user)
    if not member and not admin:
        return None
    q = Q(pk__in=[])
    if member:
        entry = PoolEntry.objects.filter(lead=OuterRef("pk"), pool_id__in=member)
        q |= Q(Exists(entry), owner__isnull=True)
    if admin:
        q |= Q(Exists(PoolEntry.objects.filter(lead=OuterRef("pk"), pool_id__in=admin)))
    return q


def pooled_leads_administered_q(user: User) -> Q | None:
    """Administration hook: every lead of the pools ``user`` administers."""
    admin = pool_ids_admin(user)
    if not admin:
        return None
    return Q(Exists(PoolEntry.objects.filter(lead=OuterRef("pk"), pool_id__in=admin)))


def contact_masked_q(user: User) -> Q | None:
    """Masking hook: unclaimed pooled leads, except in pools ``user`` administers."""
    if user.is_tenant_admin:
        return None
    admin = pool_ids_admin(user)
    entry = PoolEntry.objects.filter(lead=OuterRef("pk"))
    if admin:
        entry = entry.exclude(pool_id__in=admin)
    return Q(Exists(entry), owner__isnull=True)


def pool_leads(pool: Pool) -> QuerySet[Lead]:
    """The leads waiting in ``pool`` (unclaimed, not closed)."""
    return Lead.objects.filter(
        merged_into__isnull=True,
        pool_entry__pool=pool,
        owner__isnull=True,
        status__in=(LeadStatus.UNASSIGNED, LeadStatus.NURTURE),
    )


@dataclass
class PoolStats:
    waiting: int
    claimed_today: int
    returned_30d: int
    reclaimed_30d: int
    oldest_waiting_at: object | None
    median_wait_days: float | None
    at_risk: int


def pool_stats(pool: Pool) -> PoolStats:
    now = timezone.now()
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    month = now - timedelta(days=30)
    events = PoolEvent.objects.filter(pool=pool, at__gte=month).aggregate(
        claimed_today=Count(
            "pk",
            filter=Q(action__in=(PoolEvent.Action.CLAIM, PoolEvent.Action.ALLOCATE), at__gte=start),
        ),
        returned=Count("pk", filter=Q(action=PoolEvent.Action.RETURN)),
        reclaimed=Count("pk", filter=Q(action=PoolEvent.Action.RECLAIM)),
    )
    waiting = PoolEntry.objects.filter(
        pool=pool,
        lead__owner__isnull=True,
        lead__merged_into__isnull=True,
        lead__status__in=(LeadStatus.UNASSIGNED, LeadStatus.NURTURE),
    )
    agg = waiting.aggregate(n=Count("*"), oldest=Min("entered_at"))
    median = None
    if agg["n"]:
        middle = waiting.order_by("entered_at").values_list("entered_at", flat=True)[agg["n"] // 2]
        median = round((now - middle).total_seconds() / 86400, 1)
    at_risk = PoolEntry.objects.filter(
        pool=pool,
        warned_at__isnull=False,
        lead__owner__isnull=False,
        lead__merged_into__isnull=True,
    ).count()
    return PoolStats(
        waiting=agg["n"],
        claimed_today=events["claimed_today"],
        returned_30d=events["returned"],
        reclaimed_30d=events["reclaimed"],
        oldest_waiting_at=agg["oldest"],
        median_wait_days=median,
        at_risk=at_risk,
    )


@dataclass
class MemberRow:
    user: User
    held: int
    claimed_30d: int
    converted: int


def pool_member_rows(pool: Pool, members: list[User]) -> list[MemberRow]:
    """For the pool's admins: what each member holds, and claimed and converted (by
    conversion date) in the last 30 days."""
    ids = [m.pk for m in members]
    month = timezone.now() - timedelta(days=30)
    held = dict(
        Lead.objects.filter(
            pool_entry__pool=pool,
            merged_into__isnull=True,
            owner_id__in=ids,
            status__in=OPEN_STATUSES,
        )
        .values_list("owner")
        .annotate(n=Count("*"))
    )
    converted = dict(
        Lead.objects.filter(
            pool_entry__pool=pool,
            merged_into__isnull=True,
            owner_id__in=ids,
            status=LeadStatus.CONVERTED,
            converted_at__gte=month,
        )
        .values_list("owner")
        .annotate(n=Count("*"))
    )
    claimed = dict(
        PoolEvent.objects.filter(
            pool=pool,
            to_user_id__in=ids,
            action__in=(PoolEvent.Action.CLAIM, PoolEvent.Action.ALLOCATE),
            at__gte=month,
        )
        .values_list("to_user")
        .annotate(n=Count("*"))
    )
    return [
        MemberRow(m, held.get(m.pk, 0), claimed.get(m.pk, 0), converted.get(m.pk, 0))
        for m in members
    ]


def pool_counts_waiting(pool_ids) -> dict[int, int]:
    return dict(
        PoolEntry.objects.filter(
            pool_id__in=pool_ids,
            lead__owner__isnull=True,
            lead__merged_into__isnull=True,
            lead__status__in=(LeadStatus.UNASSIGNED, LeadStatus.NURTURE),
        )
        .values_list("pool")
        .annotate(n=Count("*"))
    )


def pool_member_users(pool: Pool) -> QuerySet[User]:
    """Active users who may claim from ``pool`` (named members and members of its teams)."""
    team_ids: set[int] = set()
    for team in pool.member_teams.all():
        team_ids |= team_descendant_ids(team)
    return (
        User.objects.filter(Q(member_of_pools=pool) | Q(team_id__in=team_ids), is_active=True)
        .distinct()
        .order_by("full_name")
    )


def pool_get_for_user(user: User, uuid) -> Pool:
    """The pool ``uuid`` if ``user`` is one of its members or admins; 404 otherwise."""
    pool = get_object_or_404(Pool, uuid=uuid)
    if pool.pk not in pool_ids_member(user) | pool_ids_admin(user):
        raise Http404
    return pool
