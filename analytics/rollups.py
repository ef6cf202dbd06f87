"""The rollups of a big workspace: the dashboard's figures per day and owner, and the funnel's
finished stage stays, rebuilt whole from the leads and their stage history by one set of
INSERT … SELECT statements (beat, hourly, per tenant: ``analytics.tasks.rollups_refresh``).

Why: live, the dashboard of a workspace with a million leads takes seconds
(bench/results/analytics_dashboard.md); from the rollups it sums a few thousand rows. Small
workspaces (fewer leads than ``ANALYTICS_ROLLUP_MIN_LEADS``) are never rolled up: live SQL is
fast there and always current, so a new workspace sees its first import at once.

Days are the tenant's days (``Tenant.time_zone``), as the report filters' are. The rebuild is
one transaction: readers see the old figures until it commits, never a half-built table.
"""

from __future__ import annotations

import time
import zoneinfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from analytics.filters import ReportFilters
from analytics.models import (
    ClosedLeadFigures,
    DailyLeadFigures,
    HandedDayFigures,
    OpenLeadFigures,
    PoolActionDay,
    PoolClaimWait,
    PoolWaiting,
    ResponseDay,
    RollupState,
    SourceDayFigures,
    StageDwellDay,
    StageVisit,
)
from conversion.models import Conversion, Opportunity, OpportunityStage
from leads.importing.services import DUPLICATE_TAG
from leads.models import OPEN_STATUSES, Lead, LeadStageChange, LeadStatus, Stage
from pools.models import PoolEntry, PoolEvent

#: Pool events that put a lead into a pool's waiting list, and those that take it out (the
#: pools report's definitions, analytics.selectors.pools).
POOL_INFLOW = (
    PoolEvent.Action.ENTER,
    PoolEvent.Action.ROUTE,
    PoolEvent.Action.TRANSFER,
    PoolEvent.Action.HANDOFF,
    PoolEvent.Action.RETURN,
    PoolEvent.Action.WITHDRAW,
    PoolEvent.Action.RECLAIM,
)
POOL_TAKEN = (PoolEvent.Action.CLAIM, PoolEvent.Action.ALLOCATE)


def rollup_min_leads() -> int:
    return int(getattr(settings, "ANALYTICS_ROLLUP_MIN_LEADS", 200_000))


def tenant_zone_name() -> str:
    name = getattr(connection.tenant, "time_zone", "") or settings.TIME_ZONE
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return settings.TIME_ZONE
    return name


def leads_estimate() -> int:
    """The planner's row estimate of the current schema's lead table: instant, within a few
    per cent once analysed (exact counts of a million rows cost a scan)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)",
            [f"{connection.schema_name}.{Lead._meta.db_table}"],
        )
        row = cursor.fetchone()
    return max(0, int(row[0])) if row and row[0] is not None else 0


def rollups_refresh(*, force: bool = False) -> RollupState | None:
    """Rebuild the current tenant's rollups when it is big enough (or ``force``); a workspace
    that is not (any more) loses them, so its reports read live again. Returns the new state,
    None when there are no rollups."""
    if not force and leads_estimate() < rollup_min_leads():
        with transaction.atomic():
            RollupState.objects.all().delete()
            DailyLeadFigures.objects.all().delete()
            StageVisit.objects.all().delete()
            OpenLeadFigures.objects.all().delete()
            ClosedLeadFigures.objects.all().delete()
            SourceDayFigures.objects.all().delete()
            StageDwellDay.objects.all().delete()
            HandedDayFigures.objects.all().delete()
            ResponseDay.objects.all().delete()
            PoolClaimWait.objects.all().delete()
            PoolWaiting.objects.all().delete()
            PoolActionDay.objects.all().delete()
        return None
    started = time.monotonic()
    zone = tenant_zone_name()
    tables = {
        "lead": Lead._meta.db_table,
        "change": LeadStageChange._meta.db_table,
        "stage": Stage._meta.db_table,
        "daily": DailyLeadFigures._meta.db_table,
        "visit": StageVisit._meta.db_table,
        "open": OpenLeadFigures._meta.db_table,
        "closed": ClosedLeadFigures._meta.db_table,
        "sources": SourceDayFigures._meta.db_table,
        "dwell": StageDwellDay._meta.db_table,
        "handed": HandedDayFigures._meta.db_table,
        "claim_wait": PoolClaimWait._meta.db_table,
        "pool_action": PoolActionDay._meta.db_table,
        "waiting": PoolWaiting._meta.db_table,
        "event": PoolEvent._meta.db_table,
        "entry": PoolEntry._meta.db_table,
        "response": ResponseDay._meta.db_table,
        "conversion": Conversion._meta.db_table,
        "opportunity": Opportunity._meta.db_table,
        "opportunity_stage": OpportunityStage._meta.db_table,
    }
    closed_statuses = [LeadStatus.LOST.value, LeadStatus.INVALID.value]
    open_statuses = [str(status) for status in OPEN_STATUSES]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {tables['daily']}")  # noqa: S608 - names from the models
        cursor.execute(f"DELETE FROM {tables['visit']}")  # noqa: S608
        cursor.execute(f"DELETE FROM {tables['open']}")  # noqa: S608
        cursor.execute(f"DELETE FROM {tables['closed']}")  # noqa: S608
        cursor.execute(f"DELETE FROM {tables['sources']}")  # noqa: S608
        cursor.execute(f"DELETE FROM {tables['dwell']}")  # noqa: S608
        cursor.execute(f"DELETE FROM {tables['handed']}")  # noqa: S608
        cursor.execute(f"DELETE FROM {tables['claim_wait']}")  # noqa: S608
        cursor.execute(f"DELETE FROM {tables['waiting']}")  # noqa: S608
        cursor.execute(f"DELETE FROM {tables['pool_action']}")  # noqa: S608
        cursor.execute(f"DELETE FROM {tables['response']}")  # noqa: S608
        cursor.execute(
            _DAILY_SQL.format(**tables),
            {
                "zone": zone,
                "void": LeadStatus.VOID.value,
                "closed": closed_statuses,
                "open": open_statuses,
            },
        )
        cursor.execute(_WHOLE_SQL.format(**tables))
        cursor.execute(
            _OPEN_SQL.format(**tables),
            {"zone": zone, "open": open_statuses, "duplicate": DUPLICATE_TAG},
        )
        cursor.execute(_CLOSED_SQL.format(**tables), {"zone": zone, "closed": closed_statuses})
        cursor.execute(
            _SOURCES_SQL.format(**tables),
            {"zone": zone, "won": OpportunityStage.Outcome.WON.value},
        )
        cursor.execute(_VISITS_SQL.format(**tables), {"zone": zone})
        cursor.execute(_DWELL_SQL.format(**tables))
        cursor.execute(_HANDED_SQL.format(**tables), {"zone": zone})
        cursor.execute(_RESPONSE_SQL.format(**tables), {"zone": zone})
        pools = {
            "zone": zone,
            "inflow": [str(action) for action in POOL_INFLOW],
            "taken": [str(action) for action in POOL_TAKEN],
            "waiting": [LeadStatus.UNASSIGNED.value, LeadStatus.NURTURE.value],
        }
        cursor.execute(_CLAIM_WAIT_SQL.format(**tables), pools)
        cursor.execute(_WAITING_SQL.format(**tables), pools)
        cursor.execute(
            _POOL_ACTIONS_SQL.format(**tables),
            {
                "zone": zone,
                "reclaim": PoolEvent.Action.RECLAIM.value,
                "by_actor": [PoolEvent.Action.CLAIM.value, PoolEvent.Action.RETURN.value],
            },
        )
        # Fresh statistics for the planner (the tables were just replaced whole).
        for name in ("daily", "visit", "open", "closed", "sources", "dwell", "handed", "response",
                     "claim_wait", "waiting", "pool_action"):  # fmt: skip
            cursor.execute(f"ANALYZE {tables[name]}")
        cursor.execute(
            f"SELECT coalesce(sum(new), 0) FROM {tables['daily']} WHERE whole"  # noqa: S608
        )
        leads = int(cursor.fetchone()[0])
        RollupState.objects.all().delete()
        state = RollupState.objects.create(
            refreshed_at=timezone.now(), leads=leads, seconds=time.monotonic() - started
        )
    return state


def rollup_state() -> RollupState | None:
    return RollupState.objects.order_by("-refreshed_at").first()


def rollup_in_use(filters: ReportFilters) -> RollupState | None:
    """The rollups a report reads instead of the leads: a big workspace's, unless a source or
    region filter asks for the leads themselves (the rollups are per owner and day only).
    None: live SQL."""
    if filters.source or filters.region:
        return None
    return rollup_state()


# Owners are keyed as coalesce(owner_id, 0) inside (a full join needs plain equality) and
# written back as NULL: user ids start at 1.
_DAILY_SQL = """
WITH live AS (
    SELECT id, (created_at AT TIME ZONE %(zone)s)::date AS day, coalesce(owner_id, 0) AS owner,
           status, stage_id, created_at, assigned_at, first_follow_up_at, converted_at,
           status_changed_at
    FROM {lead} WHERE merged_into_id IS NULL
),
cohort AS (
    SELECT day, owner, count(*) AS new,
           count(*) FILTER (WHERE first_follow_up_at IS NOT NULL) AS contacted,
           count(*) FILTER (WHERE status IN ('qualified', 'converted')
                            OR converted_at IS NOT NULL) AS qualified,
           count(*) FILTER (WHERE converted_at IS NOT NULL) AS converted_since,
           coalesce(sum(GREATEST(EXTRACT(EPOCH FROM
               first_follow_up_at - coalesce(assigned_at, created_at)), 0))
               FILTER (WHERE first_follow_up_at IS NOT NULL), 0) AS response_seconds
    FROM live GROUP BY day, owner
),
tops AS (
    SELECT sc.lead_id, max(s.position) AS top
    FROM {change} sc JOIN {stage} s ON s.id = sc.to_stage_id
    GROUP BY sc.lead_id
),
furthest AS (
    SELECT day, owner, jsonb_object_agg(top, n) AS furthest FROM (
        SELECT live.day, live.owner, tops.top, count(*) AS n
        FROM tops JOIN live ON live.id = tops.lead_id
        GROUP BY live.day, live.owner, tops.top
    ) t GROUP BY day, owner
),
staying AS (
    SELECT day, owner, jsonb_object_agg(stage_id, n) AS staying FROM (
        SELECT day, owner, stage_id, count(*) AS n FROM live
        WHERE stage_id IS NOT NULL AND status <> %(void)s
        GROUP BY day, owner, stage_id
    ) t GROUP BY day, owner
),
open_now AS (
    SELECT day, owner, jsonb_object_agg(status, n) AS open_now FROM (
        SELECT day, owner, status, count(*) AS n FROM live
        WHERE status = ANY(%(open)s)
        GROUP BY day, owner, status
    ) t GROUP BY day, owner
),
events AS (
    SELECT day, owner, sum(converted) AS converted, sum(cycle) AS cycle_seconds,
           sum(lost) AS lost
    FROM (
        SELECT (converted_at AT TIME ZONE %(zone)s)::date AS day, owner, 1 AS converted,
               EXTRACT(EPOCH FROM converted_at - created_at) AS cycle, 0 AS lost
        FROM live WHERE converted_at IS NOT NULL
        UNION ALL
        SELECT (status_changed_at AT TIME ZONE %(zone)s)::date, owner, 0, 0, 1
        FROM live WHERE status = ANY(%(closed)s) AND status_changed_at IS NOT NULL
    ) e GROUP BY day, owner
)
INSERT INTO {daily} (day, owner_id, new, contacted, qualified, converted_since, responded,
                     response_seconds, furthest, staying, converted, cycle_seconds, lost,
                     open_now)
SELECT coalesce(c.day, e.day), NULLIF(coalesce(c.owner, e.owner), 0),
       coalesce(c.new, 0), coalesce(c.contacted, 0), coalesce(c.qualified, 0),
       coalesce(c.converted_since, 0), coalesce(c.contacted, 0),
       coalesce(c.response_seconds, 0), coalesce(f.furthest, '{{}}'::jsonb),
       coalesce(s.staying, '{{}}'::jsonb), coalesce(e.converted, 0),
       coalesce(e.cycle_seconds, 0), coalesce(e.lost, 0), coalesce(o.open_now, '{{}}'::jsonb)
FROM cohort c
LEFT JOIN furthest f ON f.day = c.day AND f.owner = c.owner
LEFT JOIN staying s ON s.day = c.day AND s.owner = c.owner
LEFT JOIN open_now o ON o.day = c.day AND o.owner = c.owner
FULL JOIN events e ON e.day = c.day AND e.owner = c.owner
ORDER BY 1, 2
"""

#: The whole workspace's days: the owners' rows summed, their per-stage and per-status counts
#: merged key by key.
_WHOLE_SQL = """
INSERT INTO {daily} (whole, day, owner_id, new, contacted, qualified, converted_since,
                     responded, response_seconds, converted, cycle_seconds, lost, furthest,
                     staying, open_now)
SELECT true, d.day, NULL, sum(new), sum(contacted), sum(qualified), sum(converted_since),
       sum(responded), sum(response_seconds), sum(converted), sum(cycle_seconds), sum(lost),
       coalesce((SELECT jsonb_object_agg(k, v) FROM (
           SELECT e.key AS k, sum(e.value::int) AS v FROM {daily} x, jsonb_each_text(x.furthest) e
           WHERE x.day = d.day AND NOT x.whole GROUP BY 1) f), '{{}}'::jsonb),
       coalesce((SELECT jsonb_object_agg(k, v) FROM (
           SELECT e.key AS k, sum(e.value::int) AS v FROM {daily} x, jsonb_each_text(x.staying) e
           WHERE x.day = d.day AND NOT x.whole GROUP BY 1) s), '{{}}'::jsonb),
       coalesce((SELECT jsonb_object_agg(k, v) FROM (
           SELECT e.key AS k, sum(e.value::int) AS v FROM {daily} x, jsonb_each_text(x.open_now) e
           WHERE x.day = d.day AND NOT x.whole GROUP BY 1) o), '{{}}'::jsonb)
FROM {daily} d WHERE NOT d.whole
GROUP BY d.day
ORDER BY d.day
"""

#: When a lead reached its holder, and the tenths of an hour to its first follow-up: the same
#: expressions as rep performance's live figures (analytics.selectors.reps).
_HANDED_SQL = """
INSERT INTO {handed} (day, owner_id, assigned, contacted, converted_since)
SELECT (coalesce(assigned_at, created_at) AT TIME ZONE %(zone)s)::date, owner_id, count(*),
       count(*) FILTER (WHERE first_follow_up_at IS NOT NULL),
       count(*) FILTER (WHERE converted_at IS NOT NULL)
FROM {lead} WHERE merged_into_id IS NULL AND owner_id IS NOT NULL
GROUP BY 1, 2
ORDER BY 2, 1
"""

_RESPONSE_SQL = """
INSERT INTO {response} (day, owner_id, tenths, leads)
SELECT (coalesce(assigned_at, created_at) AT TIME ZONE %(zone)s)::date, owner_id,
       round(GREATEST(EXTRACT(EPOCH FROM first_follow_up_at - coalesce(assigned_at, created_at)),
                      0.0) / 360)::int,
       count(*)
FROM {lead}
WHERE merged_into_id IS NULL AND owner_id IS NOT NULL AND first_follow_up_at IS NOT NULL
GROUP BY 1, 2, 3
ORDER BY 2, 1
"""

#: The lead's last coming into the pool (at or before the claim): the same rule as the pools
#: report's live figures (analytics.selectors.pools._last_inflow).
_CLAIM_WAIT_SQL = """
INSERT INTO {claim_wait} (day, pool_id, hours, claims)
SELECT (c.at AT TIME ZONE %(zone)s)::date, c.pool_id,
       floor(EXTRACT(EPOCH FROM c.at - w.at) / 3600)::int, count(*)
FROM {event} c
JOIN LATERAL (
    SELECT i.at FROM {event} i
    WHERE i.lead_id = c.lead_id AND i.pool_id = c.pool_id AND i.action = ANY(%(inflow)s)
      AND i.at <= c.at
    ORDER BY i.at DESC, i.id DESC LIMIT 1
) w ON true
WHERE c.action = ANY(%(taken)s)
GROUP BY 1, 2, 3
"""

_WAITING_SQL = """
INSERT INTO {waiting} (pool_id, started_day, leads)
SELECT e.pool_id, (GREATEST(w.at, e.entered_at) AT TIME ZONE %(zone)s)::date, count(*)
FROM {entry} e
JOIN {lead} l ON l.id = e.lead_id
LEFT JOIN LATERAL (
    SELECT i.at FROM {event} i
    WHERE i.lead_id = e.lead_id AND i.pool_id = e.pool_id AND i.action = ANY(%(inflow)s)
    ORDER BY i.at DESC, i.id DESC LIMIT 1
) w ON true
WHERE l.owner_id IS NULL AND l.merged_into_id IS NULL AND l.status = ANY(%(waiting)s)
GROUP BY 1, 2
"""

#: Claims and returns count for who made them, reclaims for whom they were taken from (the
#: reclaim job records the former holder as to_user): rep performance's rule.
_POOL_ACTIONS_SQL = """
INSERT INTO {pool_action} (day, user_id, action, events)
SELECT (at AT TIME ZONE %(zone)s)::date,
       CASE WHEN action = %(reclaim)s THEN to_user_id ELSE actor_id END, action, count(*)
FROM {event}
WHERE (action = ANY(%(by_actor)s) AND actor_id IS NOT NULL)
   OR (action = %(reclaim)s AND to_user_id IS NOT NULL)
GROUP BY 1, 2, 3
"""

_OPEN_SQL = """
INSERT INTO {open} (owner_id, status, changed_day, leads, no_phone, no_email, no_company,
                    no_source, possible_duplicate, never_followed_up)
SELECT owner_id, status, (status_changed_at AT TIME ZONE %(zone)s)::date, count(*),
       count(*) FILTER (WHERE phone = '' AND mobile = ''),
       count(*) FILTER (WHERE email = ''),
       count(*) FILTER (WHERE company = ''),
       count(*) FILTER (WHERE source_id IS NULL),
       count(*) FILTER (WHERE tags @> ARRAY[%(duplicate)s]::varchar[]
                        OR auto_tags @> ARRAY[%(duplicate)s]::varchar[]),
       count(*) FILTER (WHERE first_follow_up_at IS NULL)
FROM {lead}
WHERE merged_into_id IS NULL AND status = ANY(%(open)s)
GROUP BY 1, 2, 3
"""

_CLOSED_SQL = """
INSERT INTO {closed} (day, owner_id, source_id, reason_id, status, leads)
SELECT (status_changed_at AT TIME ZONE %(zone)s)::date, owner_id, source_id, loss_reason_id,
       status, count(*)
FROM {lead}
WHERE merged_into_id IS NULL AND status = ANY(%(closed)s) AND status_changed_at IS NOT NULL
GROUP BY 1, 2, 3, 4, 5
ORDER BY 1
"""

_SOURCES_SQL = """
INSERT INTO {sources} (day, owner_id, source_id, campaign_id, leads, qualified, converted, won)
SELECT (l.created_at AT TIME ZONE %(zone)s)::date, l.owner_id, l.source_id, l.campaign_id,
       count(*),
       count(*) FILTER (WHERE l.status IN ('qualified', 'converted')
                        OR l.converted_at IS NOT NULL),
       count(*) FILTER (WHERE l.converted_at IS NOT NULL),
       coalesce(sum(o.amount) FILTER (WHERE st.outcome = %(won)s), 0)
FROM {lead} l
LEFT JOIN {conversion} c ON c.lead_id = l.id
LEFT JOIN {opportunity} o ON o.id = c.opportunity_id
LEFT JOIN {opportunity_stage} st ON st.id = o.stage_id
WHERE l.merged_into_id IS NULL
GROUP BY 1, 2, 3, 4
ORDER BY 1
"""

_DWELL_SQL = """
INSERT INTO {dwell} (day, stage_id, hours, visits)
SELECT day, stage_id, floor(hours)::int, count(*) FROM {visit}
GROUP BY 1, 2, 3
ORDER BY 1
"""

_VISITS_SQL = """
INSERT INTO {visit} (day, owner_id, stage_id, hours)
SELECT (l.created_at AT TIME ZONE %(zone)s)::date, l.owner_id, d.to_stage_id, d.hours
FROM (
    SELECT lead_id, to_stage_id, EXTRACT(EPOCH FROM (
        lead(changed_at) OVER (PARTITION BY lead_id ORDER BY changed_at, id) - changed_at
    )) / 3600 AS hours
    FROM {change}
) d
JOIN {lead} l ON l.id = d.lead_id
WHERE d.hours IS NOT NULL AND l.merged_into_id IS NULL
ORDER BY l.owner_id, 1
"""
