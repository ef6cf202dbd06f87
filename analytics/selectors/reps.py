"""Rep performance: one row per person in the reader's scope, a row per team and a total, for
a period. A person has a row when they are active and either hold a lead now or have any
figure in the period.

Definitions (the page says them too; [start, end) is the period):
- assigned: leads they hold now whose assignment time (``assigned_at``, else ``created_at``)
  is in the period. A lead handed on to someone else later counts for its new holder only:
  the lead's history does not record owner changes cheaply enough to count handovers;
- claimed: pool events "claim" by them in the period;
- contacted: of their leads assigned in the period, those followed up at least once
  (``first_follow_up_at`` set: a call, e-mail or meeting; a note is no follow-up);
- first response: the median of the hours from assignment (else creation) to the first
  follow-up, of their leads assigned in the period that had one (never below zero, as on the
  dashboard);
- activities: activities they logged (``created_by``) that took place (``occurred_at``) in the
  period, one figure per kind;
- converted: their leads converted in the period (whenever assigned); conversion: the share of
  their leads assigned in the period that are converted now;
- won amount: won opportunities they own, closed in the period (currencies are not converted);
- returned: pool events "return" by them in the period;
- reclaimed: pool events "reclaim" in the period of leads they held (the reclaim job records
  the former holder as the event's ``to_user``; its actor is empty).

A team row sums the rows of its members (the people whose own team it is; sub-teams have their
own rows), its median is recomputed over the members' leads, never averaged; so is the total's.
The source and region filters narrow every figure to leads of that source or region.

Queries: eight (the people, then GROUP BYs with FILTER) besides working out the reader's scope
(scope.py, which grows with the depth of the team tree only), whatever the number of leads or
people. Indexes relied on: ``lead_owner_score`` (owner first) for the lead figures,
``pool_event_actor`` (actor, action, at) for claims and returns and the ``to_user`` foreign-key
index for reclaims, the ``created_by`` foreign-key index of activities, and
``opportunity_stage_owner`` (stage, owner) for won opportunities.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, Greatest

from analytics.filters import ReportFilters
from analytics.selectors.dashboard import epoch_seconds
from analytics.selectors.scope import owners_narrowed, scoped_leads
from conversion.models import Opportunity, OpportunityStage
from leadcrm.accounts.models import User
from leads.models import Activity
from pools.models import PoolEvent

KINDS = [kind for kind, _label in Activity.Kind.choices]
#: The columns a report may be sorted by (``?sort=key`` ascending, ``?sort=-key`` descending).
SORT_KEYS = (
    "name", "team", "assigned", "claimed", "contacted", "response",
    *(f"activity_{kind}" for kind in KINDS),
    "converted", "conversion", "won", "returned", "reclaimed",
)  # fmt: skip
DEFAULT_SORT = "name"


@dataclass
class RepRow:
    label: str
    #: "person", "team" or "total"
    level: str = "person"
    team: str = ""
    team_id: int | None = None
    user_id: int | None = None
    assigned: int = 0
    claimed: int = 0
    contacted: int = 0
    #: Median hours to the first follow-up (None: no lead assigned in the period had one).
    response_hours: float | None = None
    activities: dict = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    converted: int = 0
    #: Of the leads assigned in the period, converted by now (the conversion rate's numerator).
    assigned_converted: int = 0
    won: Decimal = Decimal(0)
    returned: int = 0
    reclaimed: int = 0
    #: 1 when they hold a lead now (whether the person gets a row; not shown).
    held: int = 0

    @property
    def conversion(self) -> float | None:
        return self.assigned_converted / self.assigned if self.assigned else None

    @property
    def activity_total(self) -> int:
        return sum(self.activities.values())

    def has_figures(self) -> bool:
        return bool(
            self.held or self.assigned or self.claimed or self.activity_total or self.converted
            or self.won or self.returned or self.reclaimed
        )  # fmt: skip

    def add(self, other: RepRow) -> None:
        """Add ``other``'s counts (the median is recomputed by the caller, never summed)."""
        for name in ("assigned", "claimed", "contacted", "converted", "assigned_converted",
                     "won", "returned", "reclaimed", "held"):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for kind, n in other.activities.items():
            self.activities[kind] = self.activities.get(kind, 0) + n

    def sort_value(self, key: str):
        if key == "name":
            return self.label.casefold()
        if key == "team":
            return self.team.casefold()
        if key == "response":
            return self.response_hours
        if key.startswith("activity_"):
            return self.activities.get(key.removeprefix("activity_"), 0)
        return getattr(self, key)


@dataclass
class RepReport:
    people: list[RepRow]
    teams: list[RepRow]
    total: RepRow


def sort_parse(raw: str | None) -> tuple[str, bool]:
    """(key, descending) from ``?sort=``; anything not in SORT_KEYS falls back to the default."""
    raw = (raw or "").strip()
    descending = raw.startswith("-")
    key = raw.removeprefix("-")
    if key not in SORT_KEYS:
        return DEFAULT_SORT, False
    return key, descending


def rows_sorted(rows: list[RepRow], key: str, descending: bool) -> list[RepRow]:
    """Rows by ``key`` (ties by name); rows without a value (no median, no rate) always last."""
    by_name = sorted(rows, key=lambda r: r.label.casefold())
    known = [r for r in by_name if r.sort_value(key) is not None]
    unknown = [r for r in by_name if r.sort_value(key) is None]
    return sorted(known, key=lambda r: r.sort_value(key), reverse=descending) + unknown


def _people(user: User, filters: ReportFilters) -> QuerySet[User]:
    people = User.objects.filter(is_active=True)
    owners = owners_narrowed(user, filters)
    if owners is not None:
        people = people.filter(pk__in=owners)
    return people


def _narrowed(queryset: QuerySet, filters: ReportFilters, lead: str = "lead__") -> QuerySet:
    """Events or activities narrowed to leads of the source and region filters."""
    if filters.source:
        queryset = queryset.filter(**{f"{lead}source__code": filters.source})
    if filters.region:
        queryset = queryset.filter(**{f"{lead}region__iexact": filters.region})
    return queryset


def _response_medians(assigned_leads: QuerySet) -> dict:
    """Median seconds from assignment (else creation) to the first follow-up of the leads
    assigned in the period that had one (never below zero), per holder, per holder's team
    and over all: one pass (GROUPING SETS), the medians of teams and the total recomputed
    over their leads, never averaged. {"owner": {id: s}, "team": {id: s}, "total": s}."""
    medians: dict = {"owner": {}, "team": {}, "total": None}
    seconds = Greatest(
        epoch_seconds(F("first_follow_up_at") - Coalesce("assigned_at", "created_at")), 0.0
    )
    responded = (
        assigned_leads.filter(first_follow_up_at__isnull=False)
        .annotate(team=F("owner__team_id"), seconds=seconds)
        .values("owner_id", "team", "seconds")
    )
    try:
        inner_sql, params = responded.query.sql_with_params()
    except EmptyResultSet:  # nobody in scope
        return medians
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT owner_id, team, GROUPING(owner_id, team),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds)
            FROM ({inner_sql}) t
            GROUP BY GROUPING SETS ((owner_id), (team), ())
            """,  # noqa: S608 - the inner query is Django's, values as parameters
            params,
        )
        found = cursor.fetchall()
    for owner_id, team_id, grouping, median in found:
        if grouping == 1:  # owner_id grouped, team_id aggregated
            medians["owner"][owner_id] = median
        elif grouping == 2 and team_id is not None:
            medians["team"][team_id] = median
        elif grouping == 3:
            medians["total"] = median
    return medians


def rep_performance(user: User, filters: ReportFilters) -> RepReport:
    """The report's rows for ``user`` (scoped by analytics.selectors.scope) and ``filters``:
    people (by name), teams (by name) and the total. Each figure as the module docstring says."""
    start, end = filters.start, filters.end
    people = _people(user, filters)
    rows = {
        u.pk: RepRow(u.full_name or u.email, team=u.team.name if u.team else "",
                     team_id=u.team_id, user_id=u.pk)
        for u in people.select_related("team")
    }  # fmt: skip

    # 1. Lead figures per holder: only the leads assigned or converted in the period are read
    # (lead_handed, the expression index on the assignment anchor, and lead_converted).
    leads = scoped_leads(user, filters).filter(owner__in=people)
    anchor = Coalesce("assigned_at", "created_at")
    in_period = Q(anchor__gte=start, anchor__lt=end)
    converted = Q(converted_at__gte=start, converted_at__lt=end)
    assigned_leads = leads.alias(anchor=anchor).filter(in_period)
    figures = (
        leads.alias(anchor=anchor)
        .filter(in_period | converted)
        .values("owner_id")
        .annotate(
            assigned=Count("id", filter=in_period),
            contacted=Count("id", filter=in_period & Q(first_follow_up_at__isnull=False)),
            assigned_converted=Count("id", filter=in_period & Q(converted_at__isnull=False)),
            converted=Count("id", filter=converted),
        )
        .order_by()
    )
    for item in figures:
        row = rows[item.pop("owner_id")]
        for name, value in item.items():
            setattr(row, name, value)
    # Whether each person holds a lead now: one index probe each (lead_owner_score).
    # A scalar subquery, not EXISTS: the planner would turn EXISTS into a semi-join that
    # reads every lead; this probes each person's first lead.
    first_lead = Subquery(leads.filter(owner=OuterRef("pk")).order_by().values("pk")[:1])
    holding = people.annotate(first_lead=first_lead).filter(first_lead__isnull=False)
    for owner_id in holding.values_list("pk", flat=True):
        rows[owner_id].held = 1
    medians = _response_medians(assigned_leads)
    for owner_id, median in medians["owner"].items():
        rows[owner_id].response_hours = median / 3600 if median is not None else None

    # 2. Activities they logged in the period, by kind (the created_by index).
    activities = _narrowed(
        Activity.objects.filter(created_by__in=people, occurred_at__gte=start, occurred_at__lt=end),
        filters,
    )
    for author_id, kind, n in (
        activities.values_list("created_by_id", "kind").annotate(n=Count("*")).order_by()
    ):
        rows[author_id].activities[kind] = n

    # 3. Pool events: claims and returns by them (pool_event_actor), reclaims of their leads
    # (the reclaim job records the former holder as to_user; its to_user index).
    events = _narrowed(
        PoolEvent.objects.filter(at__gte=start, at__lt=end).filter(
            Q(actor__in=people, action__in=[PoolEvent.Action.CLAIM, PoolEvent.Action.RETURN])
            | Q(to_user__in=people, action=PoolEvent.Action.RECLAIM)
        ),
        filters,
    )
    for actor_id, to_user_id, action, n in (
        events.values_list("actor_id", "to_user_id", "action").annotate(n=Count("*")).order_by()
    ):
        if action == PoolEvent.Action.RECLAIM:
            rows[to_user_id].reclaimed += n
        elif action == PoolEvent.Action.CLAIM:
            rows[actor_id].claimed += n
        else:
            rows[actor_id].returned += n

    # 4. Won opportunities they own, closed in the period (opportunity_stage_owner).
    won = Opportunity.objects.filter(
        owner__in=people,
        stage__outcome=OpportunityStage.Outcome.WON,
        closed_at__gte=start,
        closed_at__lt=end,
    )
    if filters.source or filters.region:
        # A subquery, not a join: an opportunity made from two leads must not count twice.
        converted_from = _narrowed(Opportunity.objects.all(), filters, "conversions__lead__")
        won = won.filter(pk__in=converted_from.values("pk"))
    for owner_id, amount in won.values_list("owner_id").annotate(total=Sum("amount")).order_by():
        rows[owner_id].won = amount or Decimal(0)

    shown = [row for row in rows.values() if row.has_figures()]
    shown.sort(key=lambda r: r.label.casefold())

    # 5. Teams and the total: sums of the rows, medians recomputed over their leads.
    teams: dict[int, RepRow] = {}
    total = RepRow("", level="total")
    for row in shown:
        total.add(row)
        if row.team_id is not None:
            team = teams.setdefault(row.team_id, RepRow(row.team, level="team", team=row.team,
                                                        team_id=row.team_id))  # fmt: skip
            team.add(row)
    team_medians = medians["team"]
    for team_id, team in teams.items():
        median = team_medians.get(team_id)
        team.response_hours = median / 3600 if median is not None else None
    median = medians["total"]
    total.response_hours = median / 3600 if median is not None else None
    return RepReport(
        people=shown,
        teams=sorted(teams.values(), key=lambda r: r.label.casefold()),
        total=total,
    )
