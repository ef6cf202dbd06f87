"""The manager's dashboard: KPI cards with the change against the period before, and the lead
funnel by stage with conversion, drop-off and dwell time. Live SQL over the scoped leads (a few
aggregate queries, whatever the number of leads).

Definitions (the page says them too):
- new leads: created in the period; contact, qualification and conversion rates are shares of
  them that were followed up at least once, are Qualified or Converted, were converted;
- cycle: mean days from creation to conversion of the leads converted in the period;
- first response: median hours from assignment (else creation) to the first follow-up of the
  new leads that had one;
- won amount: opportunities of the covered owners that reached a won stage in the period;
- pools, follow-ups due today and overdue: now, not per period.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Aggregate, Count, F, FloatField, Func, Q, Sum
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from analytics.filters import ReportFilters
from analytics.models import (
    DailyLeadFigures,
    PoolWaiting,
    StageDwellDay,
    StageVisit,
)
from analytics.rollups import rollup_in_use
from analytics.selectors.scope import owners_narrowed, report_pools, scoped_leads
from analytics.selectors.stats import weighted_percentile
from conversion.models import Opportunity, OpportunityStage
from leadcrm.accounts.models import User
from leads.models import OPEN_STATUSES, LeadStageChange, LeadStatus, Stage
from pools.models import PoolEntry


class Median(Aggregate):
    function = "percentile_cont"
    template = "percentile_cont(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def epoch_seconds(expression) -> Func:
    return Func(
        expression, template="EXTRACT(EPOCH FROM %(expressions)s)", output_field=FloatField()
    )


@dataclass(frozen=True)
class Kpi:
    key: str
    value: float | int | Decimal | None
    previous: float | int | Decimal | None = None
    #: "count", "rate" (0-1), "days", "hours", "amount"
    unit: str = "count"
    #: Whether a rise is good (cycle and response time: a fall is).
    higher_is_better: bool = True

    @property
    def change(self) -> float | None:
        """Relative change for counts and amounts, difference in points for rates."""
        if self.value is None or self.previous is None:
            return None
        if self.unit == "rate":
            return round((float(self.value) - float(self.previous)) * 100, 1)
        if not self.previous:
            return None
        return round((float(self.value) - float(self.previous)) / float(self.previous) * 100, 1)

    @property
    def good(self) -> bool | None:
        change = self.change
        if not change:
            return None
        return (change > 0) == self.higher_is_better


def _period_figures(
    user: User, filters: ReportFilters, start: datetime, end: datetime, *, rolled: bool
) -> dict:
    if rolled:
        figures = _period_counts_rolled(user, filters, start, end)
    else:
        figures = _period_counts_live(user, filters, start, end)
    new = figures["new"]
    return {
        "new": new,
        "contact": figures["contacted"] / new if new else None,
        "qualification": figures["qualified"] / new if new else None,
        "conversion": figures["converted_since"] / new if new else None,
        "cycle": (
            figures["cycle_seconds"] / figures["converted"] / 86400
            if figures["converted"]
            else None
        ),
        "response": (
            figures["response_seconds"] / figures["responded"] / 3600
            if figures["responded"]
            else None
        ),
        "won": _won_amount(user, filters, start, end),
    }


def _period_counts_live(user: User, filters: ReportFilters, start: datetime, end: datetime):
    leads = scoped_leads(user, filters)
    created = leads.filter(created_at__gte=start, created_at__lt=end)
    # GREATEST ignores NULLs, so a lead never followed up must stay out of the sum: FILTER.
    followed = Q(first_follow_up_at__isnull=False)
    counts = created.aggregate(
        new=Count("id"),
        contacted=Count("id", filter=followed),
        qualified=Count(
            "id",
            filter=Q(status__in=[LeadStatus.QUALIFIED, LeadStatus.CONVERTED])
            | Q(converted_at__isnull=False),
        ),
        converted_since=Count("id", filter=Q(converted_at__isnull=False)),
        responded=Count("id", filter=followed),
        response_seconds=Sum(
            Greatest(
                epoch_seconds(F("first_follow_up_at") - Coalesce("assigned_at", "created_at")), 0.0
            ),
            filter=followed,
        ),
    )
    events = leads.filter(converted_at__gte=start, converted_at__lt=end).aggregate(
        converted=Count("id"), cycle_seconds=Sum(epoch_seconds(F("converted_at") - F("created_at")))
    )
    return counts | events


def _days(start: datetime, end: datetime) -> tuple[date, date]:
    """The first and last local day of [start, end) (both at local midnight)."""
    return timezone.localtime(start).date(), (
        timezone.localtime(end) - timedelta(microseconds=1)
    ).date()


def _period_counts_rolled(user: User, filters: ReportFilters, start: datetime, end: datetime):
    first, last = _days(start, end)
    rows = DailyLeadFigures.objects.filter(day__gte=first, day__lte=last)
    owners = owners_narrowed(user, filters)
    if owners is None:
        rows = rows.filter(whole=True)
    else:
        rows = rows.filter(whole=False, owner_id__in=owners)
    names = ("new", "contacted", "qualified", "converted_since", "responded",
             "response_seconds", "converted", "cycle_seconds")  # fmt: skip
    totals = rows.aggregate(**{name: Sum(name) for name in names})
    return {name: totals[name] or 0 for name in names}


def _won_amount(user: User, filters: ReportFilters, start: datetime, end: datetime) -> Decimal:
    won = Opportunity.objects.filter(
        stage__outcome=OpportunityStage.Outcome.WON, closed_at__gte=start, closed_at__lt=end
    )
    owners = owners_narrowed(user, filters)
    if owners is not None:
        won = won.filter(owner_id__in=owners)
    if filters.source:
        won = won.filter(conversions__lead__source__code=filters.source)
    if filters.region:
        won = won.filter(conversions__lead__region__iexact=filters.region)
    return won.aggregate(total=Sum("amount"))["total"] or Decimal(0)


def _pooled(user: User, filters: ReportFilters, *, rolled: bool) -> int:
    """Leads waiting in the pools the reader's pool figures cover, now: the pools report's
    backlog (unowned, Unassigned or Nurture, not merged), from the rollups when ``rolled``."""
    pools = report_pools(user).values("pk")
    if rolled:
        return PoolWaiting.objects.filter(pool_id__in=pools).aggregate(n=Sum("leads"))["n"] or 0
    waiting = PoolEntry.objects.filter(
        pool__in=pools,
        lead__owner__isnull=True,
        lead__merged_into__isnull=True,
        lead__status__in=(LeadStatus.UNASSIGNED, LeadStatus.NURTURE),
    )
    if filters.source:
        waiting = waiting.filter(lead__source__code=filters.source)
    if filters.region:
        waiting = waiting.filter(lead__region__iexact=filters.region)
    return waiting.count()


def dashboard_kpis(user: User, filters: ReportFilters, *, now: datetime | None = None) -> list[Kpi]:
    now = now or timezone.now()
    rolled = rollup_in_use(filters) is not None
    current = _period_figures(user, filters, filters.start, filters.end, rolled=rolled)
    before = _period_figures(user, filters, *filters.previous, rolled=rolled)
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    # Bounded by the end of today and counting an indexed column, so the partial index
    # lead_open_due serves both counts from the index alone.
    open_leads = scoped_leads(user, filters).filter(
        status__in=OPEN_STATUSES, next_follow_up_at__lt=max(now, today + timedelta(days=1))
    )
    due = open_leads.aggregate(
        today=Count(
            "next_follow_up_at",
            filter=Q(next_follow_up_at__gte=today, next_follow_up_at__lt=today + timedelta(days=1)),
        ),
        overdue=Count("next_follow_up_at", filter=Q(next_follow_up_at__lt=now)),
    )
    return [
        Kpi("new", current["new"], before["new"]),
        Kpi("pooled", _pooled(user, filters, rolled=rolled)),
        Kpi("due_today", due["today"]),
        Kpi("overdue", due["overdue"], higher_is_better=False),
        Kpi("contact", current["contact"], before["contact"], unit="rate"),
        Kpi("qualification", current["qualification"], before["qualification"], unit="rate"),
        Kpi("conversion", current["conversion"], before["conversion"], unit="rate"),
        Kpi("cycle", current["cycle"], before["cycle"], unit="days", higher_is_better=False),
        Kpi("response", current["response"], before["response"], unit="hours",
            higher_is_better=False),
        Kpi("won", current["won"], before["won"], unit="amount"),
    ]  # fmt: skip


@dataclass
class FunnelStep:
    stage: Stage | None
    #: New leads of the period that reached this stage or a later one.
    reached: int
    #: Share of the step before that reached this one (None for the first).
    conversion: float | None = None
    #: Reached this step but not the next.
    dropped: int = 0
    #: Whole hours spent in the stage by leads that left it: median and 90th percentile.
    dwell_median: float | None = None
    dwell_p90: float | None = None
    #: Of them, leads at this stage now.
    now: int = 0


def dashboard_funnel(user: User, filters: ReportFilters) -> list[FunnelStep]:
    """The new leads of the period through the stages (by position; the furthest stage each
    lead reached, from its stage history), then Converted."""
    stages = list(Stage.objects.filter(is_active=True).order_by("position", "name"))
    if not stages:
        return []
    if rollup_in_use(filters) is not None:
        furthest, dwell, at_now, converted = _funnel_rolled(user, filters)
    else:
        furthest, dwell, at_now, converted = _funnel_live(user, filters)
    steps = []
    for stage in stages:
        reached = sum(n for top, n in furthest.items() if top is not None and top >= stage.position)
        median, p90 = dwell.get(stage.pk, (None, None))
        steps.append(FunnelStep(stage, reached, dwell_median=median, dwell_p90=p90,
                                now=at_now.get(stage.pk, 0)))  # fmt: skip
    steps.append(FunnelStep(None, converted))
    for before, step in itertools.pairwise(steps):
        step.conversion = step.reached / before.reached if before.reached else None
        before.dropped = max(0, before.reached - step.reached)
    return steps


def _funnel_live(user: User, filters: ReportFilters):
    """{furthest position: leads}, {stage id: (median, p90 hours)}, {stage id: leads there
    now}, converted, from the leads and their stage history."""
    created = scoped_leads(user, filters).filter(
        created_at__gte=filters.start, created_at__lt=filters.end
    )
    ids_sql, ids_params = created.values("id").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT top, count(*) FROM (
                SELECT sc.lead_id, max(s.position) AS top
                FROM {LeadStageChange._meta.db_table} sc
                JOIN {Stage._meta.db_table} s ON s.id = sc.to_stage_id
                WHERE sc.lead_id IN ({ids_sql})
                GROUP BY sc.lead_id
            ) t GROUP BY top
            """,  # noqa: S608 - table names from the models, values as parameters
            ids_params,
        )
        furthest = dict(cursor.fetchall())
        cursor.execute(
            f"""
            SELECT to_stage_id, floor(hours)::int, count(*)
            FROM (
                SELECT to_stage_id, EXTRACT(EPOCH FROM (
                    lead(changed_at) OVER (PARTITION BY lead_id ORDER BY changed_at, id)
                    - changed_at)) / 3600 AS hours
                FROM {LeadStageChange._meta.db_table}
                WHERE lead_id IN ({ids_sql})
            ) d WHERE hours IS NOT NULL GROUP BY 1, 2
            """,  # noqa: S608
            ids_params,
        )
        dwell = _dwell_percentiles(cursor.fetchall())
    # "There now" as the lead list counts them (its stage link opens exactly these): void
    # leads are out of the list, so out of this count too.
    at_now = dict(
        created.exclude(status=LeadStatus.VOID)
        .values_list("stage_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    converted = created.filter(converted_at__isnull=False).count()
    return furthest, dwell, at_now, converted


def _dwell_percentiles(rows) -> dict:
    """{stage id: (median, 90th percentile)} of whole hours in the stage, from rows of (stage
    id, whole hours, how many)."""
    by_stage: dict = {}
    for stage_id, hours, n in rows:
        by_stage.setdefault(stage_id, []).append((hours, int(n)))
    return {
        stage_id: (weighted_percentile(pairs, 0.5), weighted_percentile(pairs, 0.9))
        for stage_id, pairs in by_stage.items()
    }


def _funnel_rolled(user: User, filters: ReportFilters):
    """The same four from the rollups (analytics.rollups): sums of the period's rows of the
    reader's owners, and the dwell percentiles over the period's finished stage stays."""
    first, last = _days(filters.start, filters.end)
    owners = owners_narrowed(user, filters)
    where, params = "day >= %s AND day <= %s", [first, last]
    if owners is not None:
        where += " AND owner_id = ANY(%s)"
        params.append(list(owners))
    # The whole workspace's rows, or the reader's owners' (StageVisit has no whole rows).
    daily_where = f"{where} AND {'NOT whole' if owners is not None else 'whole'}"
    daily, visits = DailyLeadFigures._meta.db_table, StageVisit._meta.db_table
    with connection.cursor() as cursor:
        sums = {}
        for column in ("furthest", "staying"):
            each = f"{daily}, jsonb_each_text({column}) e"
            sql = f"SELECT e.key::int, sum(e.value::int) FROM {each} WHERE {daily_where} GROUP BY 1"  # noqa: S608
            cursor.execute(sql, params)
            sums[column] = dict(cursor.fetchall())
        cursor.execute(
            f"SELECT coalesce(sum(converted_since), 0) FROM {daily} WHERE {daily_where}",  # noqa: S608
            params,
        )
        converted = int(cursor.fetchone()[0])
        if owners is None:  # every lead: the whole workspace's counts (7x fewer rows)
            dwell_sql = (
                f"SELECT stage_id, hours, sum(visits) FROM {StageDwellDay._meta.db_table} "  # noqa: S608
                "WHERE day >= %s AND day <= %s GROUP BY 1, 2"
            )
        else:
            dwell_sql = (
                f"SELECT stage_id, floor(hours)::int, count(*) FROM {visits} "  # noqa: S608
                f"WHERE {where} GROUP BY 1, 2"
            )
        cursor.execute(dwell_sql, params)
        dwell = _dwell_percentiles(cursor.fetchall())
    return sums["furthest"], dwell, sums["staying"], converted
