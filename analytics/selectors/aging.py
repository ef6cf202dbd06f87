"""Lead aging: the open leads now, by status and by how long ago they were created, with how
long they have been in their status (median days). A snapshot: the period filter does not
apply, the team, person, source and region filters do."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, F, Q
from django.utils import timezone

from analytics.filters import ReportFilters
from analytics.selectors.dashboard import Median, epoch_seconds
from analytics.selectors.scope import scoped_leads
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
    #: Median days since the lead entered its status.
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
    now = now or timezone.now()
    start_of_today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    counts = {}
    for key, first, last in BUCKETS:
        # Created on the days [today - last, today - first] in the tenant's time zone.
        condition = Q(created_at__lt=start_of_today - timedelta(days=first - 1))
        if last is not None:
            condition &= Q(created_at__gte=start_of_today - timedelta(days=last))
        counts[key] = Count("id", filter=condition)
    rows = (
        scoped_leads(user, filters)
        .filter(status__in=OPEN_STATUSES)
        .values("status")
        .annotate(
            total=Count("id"),
            in_status=Median(epoch_seconds(now - F("status_changed_at"))),
            **counts,
        )
        .order_by()
    )
    by_status = {row["status"]: row for row in rows}
    out = []
    for status in OPEN_STATUSES:
        row = by_status.get(status)
        if row is None:
            continue
        seconds = row["in_status"]
        out.append(
            AgingRow(
                status,
                [row[key] for key, _f, _l in BUCKETS],
                row["total"],
                seconds / 86400 if seconds is not None else None,
            )
        )
    return out
