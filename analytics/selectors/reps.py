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
  follow-up, in tenths of an hour (the precision shown), of their leads assigned in the period
  that had one (never below zero, as on the dashboard);
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

A big workspace (analytics.rollups) reads the lead figures and the responses from its hourly
rollups unless a source or region filter is set; the activities, pool events and won
opportunities are read live (indexed, small).

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
from analytics.models import DailyLeadFigures, HandedDayFigures, PoolActionDay, ResponseDay
from analytics.rollups import rollup_in_use
from analytics.selectors.dashboard import epoch_seconds
from analytics.selectors.scope import owners_narrowed, scoped_leads
from analytics.selectors.stats import weighted_percentile
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


def _medians(rows, team_of: dict) -> dict:
    """{"owner": {id: h}, "team": {id: h}, "total": h}: the median hours of first response
    from rows of (owner id, tenths of an hour, leads), per holder, per holder's team and over
    all (teams and the total recomputed over their leads, never averaged)."""
    owners: dict = {}
    teams: dict = {}
    total: list = []
    for owner_id, tenths, n in rows:
        pair = (tenths / 10, int(n))
        owners.setdefault(owner_id, []).append(pair)
        team_id = team_of.get(owner_id)
        if team_id is not None:
            teams.setdefault(team_id, []).append(pair)
        total.append(pair)
    return {
        "owner": {key: weighted_percentile(pairs, 0.5) for key, pairs in owners.items()},
        "team": {key: weighted_percentile(pairs, 0.5) for key, pairs in teams.items()},
        "total": weighted_percentile(total, 0.5),
    }


def _response_tenths_live(assigned_leads: QuerySet) -> list[tuple]:
    """(owner id, tenths of an hour, leads) of the leads assigned in the period that had a
    first follow-up: the hours from assignment (else creation) to it, never below zero,
    rounded to a tenth (the precision the report shows; the rollup's very expression)."""
    seconds = Greatest(
        epoch_seconds(F("first_follow_up_at") - Coalesce("assigned_at", "created_at")), 0.0
    )
    responded = (
        assigned_leads.filter(first_follow_up_at__isnull=False)
        .annotate(seconds=seconds)
        .values("owner_id", "seconds")
    )
    try:
        inner_sql, params = responded.query.sql_with_params()
    except EmptyResultSet:  # nobody in scope
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT owner_id, round(seconds / 360)::int, count(*) FROM ({inner_sql}) t "  # noqa: S608 - Django's inner query
            "GROUP BY 1, 2",
            params,
        )
        return cursor.fetchall()


def _lead_figures_live(leads: QuerySet, start, end) -> tuple[list[dict], list[tuple]]:
    """Per holder: assigned, contacted, assigned_converted, converted; and the response rows.
    Only the leads assigned or converted in the period are read (lead_handed, the expression
    index on the assignment anchor, and lead_converted)."""
    anchor = Coalesce("assigned_at", "created_at")
    in_period = Q(anchor__gte=start, anchor__lt=end)
    converted = Q(converted_at__gte=start, converted_at__lt=end)
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
    assigned_leads = leads.alias(anchor=anchor).filter(in_period)
    return list(figures), _response_tenths_live(assigned_leads)


def _lead_figures_rolled(owner_ids: list[int], filters: ReportFilters):
    """The same from a big workspace's rollups (analytics.rollups), by the local days of the
    period."""
    days = {"day__gte": filters.day_from, "day__lte": filters.last_day}
    by_owner: dict = {}
    handed = (
        HandedDayFigures.objects.filter(owner_id__in=owner_ids, **days)
        .values_list("owner_id")
        .annotate(Sum("assigned"), Sum("contacted"), Sum("converted_since"))
        .order_by()
    )
    for owner_id, assigned, contacted, assigned_converted in handed:
        by_owner[owner_id] = {
            "owner_id": owner_id,
            "assigned": assigned,
            "contacted": contacted,
            "assigned_converted": assigned_converted,
            "converted": 0,
        }
    converted = (
        DailyLeadFigures.objects.filter(whole=False, owner_id__in=owner_ids, **days)
        .values_list("owner_id")
        .annotate(Sum("converted"))
        .order_by()
    )
    for owner_id, n in converted:
        if n:
            empty = {"owner_id": owner_id, "assigned": 0, "contacted": 0, "assigned_converted": 0}
            by_owner.setdefault(owner_id, empty)["converted"] = n
    responses = list(
        ResponseDay.objects.filter(owner_id__in=owner_ids, **days)
        .values_list("owner_id", "tenths")
        .annotate(Sum("leads"))
        .order_by()
    )
    return list(by_owner.values()), responses


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

    # 1. Lead figures per holder (a big workspace: from its rollups).
    leads = scoped_leads(user, filters).filter(owner__in=people)
    if rollup_in_use(filters) is not None:
        figures, responses = _lead_figures_rolled(list(rows), filters)
    else:
        figures, responses = _lead_figures_live(leads, start, end)
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
    medians = _medians(responses, {pk: row.team_id for pk, row in rows.items()})
    for owner_id, median in medians["owner"].items():
        rows[owner_id].response_hours = median

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
    # (the reclaim job records the former holder as to_user; its to_user index); a big
    # workspace's per day from its rollups.
    if rollup_in_use(filters) is not None:
        pool_actions = (
            PoolActionDay.objects.filter(
                user_id__in=list(rows), day__gte=filters.day_from, day__lte=filters.last_day
            )
            .values_list("user_id", "action")
            .annotate(Sum("events"))
            .order_by()
        )
    else:
        events = _narrowed(
            PoolEvent.objects.filter(at__gte=start, at__lt=end).filter(
                Q(actor__in=people, action__in=[PoolEvent.Action.CLAIM, PoolEvent.Action.RETURN])
                | Q(to_user__in=people, action=PoolEvent.Action.RECLAIM)
            ),
            filters,
        )
        pool_actions = [
            (to_user_id if action == PoolEvent.Action.RECLAIM else actor_id, action, n)
            for actor_id, to_user_id, action, n in events.values_list(
                "actor_id", "to_user_id", "action"
            )
            .annotate(n=Count("*"))
            .order_by()
        ]
    for user_id, action, n in pool_actions:
        if user_id not in rows:
            continue
        if action == PoolEvent.Action.RECLAIM:
            rows[user_id].reclaimed += n
        elif action == PoolEvent.Action.CLAIM:
            rows[user_id].claimed += n
        else:
            rows[user_id].returned += n

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
        team.response_hours = team_medians.get(team_id)
    total.response_hours = medians["total"]
    return RepReport(
        people=shown,
        teams=sorted(teams.values(), key=lambda r: r.label.casefold()),
        total=total,
    )
