"""Whose leads a reader's reports cover: a tenant admin everyone's (unowned leads too), a
manager their line (themselves, their reports and the teams they manage, with sub-teams), a
rep their own; narrowed further by the shared filters (team, person, source, region)."""

from __future__ import annotations

from django.db.models import QuerySet

from analytics.filters import ReportFilters
from leadcrm.accounts.models import Team, User
from leadcrm.accounts.selectors import team_descendant_ids
from leads.models import Lead
from leads.selectors import owner_ids_in_line
from pools.models import Pool
from pools.selectors import pool_ids_admin, pool_ids_member


def report_owner_ids(user: User) -> set[int] | None:
    """None for every lead (tenant admins), else the owners the reports cover."""
    if user.is_tenant_admin:
        return None
    return owner_ids_in_line(user)


def report_pools(user: User) -> QuerySet[Pool]:
    """The pools a reader's pool figures cover: every pool for a tenant admin, else the pools
    ``user`` is a member or an admin of (as on the pools page)."""
    if user.is_tenant_admin:
        return Pool.objects.order_by("name")
    return Pool.objects.filter(pk__in=pool_ids_member(user) | pool_ids_admin(user)).order_by("name")


def owners_narrowed(user: User, filters: ReportFilters) -> set[int] | None:
    """The owners after the team and person filters (None: no narrowing). Worked out once per
    reader object and filters: a report asks many times while it is computed (the manager's
    line alone is a few queries), and a request has its own reader object."""
    memo = user.__dict__.setdefault("_report_owners", {})
    key = (filters.team, filters.owner)
    if key not in memo:
        memo[key] = _owners_narrowed(user, filters)
    owners = memo[key]
    return set(owners) if owners is not None else None


def _owners_narrowed(user: User, filters: ReportFilters) -> set[int] | None:
    owners = report_owner_ids(user)
    if filters.team:
        team = Team.objects.filter(uuid=filters.team).first()
        members = set(
            User.objects.filter(
                team_id__in=team_descendant_ids(team) if team else set()
            ).values_list("pk", flat=True)
        )
        owners = members if owners is None else owners & members
    if filters.owner:
        person = set(User.objects.filter(uuid=filters.owner).values_list("pk", flat=True))
        owners = person if owners is None else owners & person
    return owners


def scoped_leads(user: User, filters: ReportFilters) -> QuerySet[Lead]:
    """The leads a report counts (merged leads never: they live on in their survivor)."""
    leads = Lead.objects.filter(merged_into__isnull=True)
    owners = owners_narrowed(user, filters)
    if owners is not None:
        leads = leads.filter(owner_id__in=owners)
    if filters.source:
        leads = leads.filter(source__code=filters.source)
    if filters.region:
        leads = leads.filter(region__iexact=filters.region)
    return leads
