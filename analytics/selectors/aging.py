"""Lead aging: the open leads now, by status and by how long ago they were created, with how
long they have been in their status (median whole days, in the tenant's days). A snapshot:
the period filter does not apply, the team, person, source and region filters do."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from analytics.filters import ReportFilters
from analytics.models import DailyLeadFigures, OpenLeadFigures
from analytics.rollups import rollup_in_use
from analytics.selectors.scope import owners_narrowed, scoped_leads
from analytics.selectors.stats import weighted_percentile
from leadcrm.accounts.models import User
from leads.models import OPEN_STATUSES

#: Age buckets in days since creation: (key, first day, last day or None).
BUCKETS = (("0-7", 0, 7), ("8-30", 8, 30), ("31-90", 31, 90), ("91-180", 91, 180),
           ("181+", 181, None))  # fmt: skip


@dataclass
class AgingRow:
    status: str
    counts: list[int] = field(default_factory=list)
    total: int = 0
    #: Median whole days (the tenant's days) since the lead entered its status.
    in_status_days: float | None = None


def bucket_days(today: date) -> list[tuple[str, date | None, date]]:
    """Each bucket's created-date range (from, to), for links to the lead list."""
    out = []
    for key, first, last in BUCKETS:
        out.append((key, today - timedelta(days=last) if last is not None else None,
                    today - timedelta(days=first)))  # fmt: skip
    return out


def lead_aging(
    user: User, filters: ReportFilters, *, now: datetime | None = None
) -> list[AgingRow]:
    """Open leads by status: counts per age bucket (days since creation, the tenant's days)
    and the median whole days since they entered their status. A big workspace reads its
    rollups (as of the last hourly rebuild), unless a source or region filter is set."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    if rollup_in_use(filters) is not None:
        counts, in_status = _aging_rolled(user, filters, today)
    else:
        counts, in_status = _aging_live(user, filters, today)
    out = []
    for status in OPEN_STATUSES:
        by_bucket = counts.get(status)
        if not by_bucket:
            continue
        median = weighted_percentile(in_status.get(status, []), 0.5)
        out.append(
            AgingRow(
                status,
                [by_bucket.get(key, 0) for key, _f, _l in BUCKETS],
                sum(by_bucket.values()),
                float(median) if median is not None else None,
            )
        )
    return out


def _bucket(age_days: int) -> str:
    for key, first, last in BUCKETS:
        if age_days >= first and (last is None or age_days <= last):
            return key
    return BUCKETS[0][0]  # created "in the future" (clock skew): the youngest bucket


def _aging_live(user: User, filters: ReportFilters, today: date):
    """{status: {bucket: leads}}, {status: [(whole days in status, leads)]} from the leads:
    two grouped queries (by local creation day, by local day of the last status change)."""
    open_leads = scoped_leads(user, filters).filter(status__in=OPEN_STATUSES)
    counts: dict = {}
    by_day = (
        open_leads.annotate(day=TruncDate("created_at"))
        .values_list("status", "day")
        .annotate(n=Count("id"))
        .order_by()
    )
    for status, day, n in by_day:
        bucket = counts.setdefault(status, {})
        key = _bucket((today - day).days)
        bucket[key] = bucket.get(key, 0) + n
    in_status: dict = {}
    by_change = (
        open_leads.filter(status_changed_at__isnull=False)
        .annotate(day=TruncDate("status_changed_at"))
        .values_list("status", "day")
        .annotate(n=Count("id"))
        .order_by()
    )
    for status, day, n in by_change:
        in_status.setdefault(status, []).append(((today - day).days, n))
    return counts, in_status


def _aging_rolled(user: User, filters: ReportFilters, today: date):
    """The same from the rollups: the days' open leads by status, and the open leads by the
    day they entered their status, of the reader's owners."""
    owners = owners_narrowed(user, filters)
    where, params = "", []
    if owners is not None:
        where, params = "WHERE owner_id = ANY(%s)", [list(owners)]
    # The whole workspace's days, or the reader's owners' (OpenLeadFigures has no whole rows).
    daily_where = "WHERE whole" if owners is None else f"{where} AND NOT whole"
    daily, open_table = DailyLeadFigures._meta.db_table, OpenLeadFigures._meta.db_table
    counts: dict = {}
    in_status: dict = {}
    with connection.cursor() as cursor:
        each = f"{daily}, jsonb_each_text(open_now) e"
        cursor.execute(
            f"SELECT e.key, day, sum(e.value::int) FROM {each} {daily_where} GROUP BY 1, 2",  # noqa: S608
            params,
        )
        for status, day, n in cursor.fetchall():
            bucket = counts.setdefault(status, {})
            key = _bucket((today - day).days)
            bucket[key] = bucket.get(key, 0) + int(n)
        cursor.execute(
            f"SELECT status, changed_day, sum(leads) FROM {open_table} {where} "  # noqa: S608
            "GROUP BY 1, 2",
            params,
        )
        for status, day, n in cursor.fetchall():
            if day is not None:
                in_status.setdefault(status, []).append(((today - day).days, int(n)))
    return counts, in_status
