"""Trends: new, converted and lost leads per week over the last 52 weeks (weeks start on
Monday in the tenant's time zone). A fixed window: the period filter does not apply, the team,
person, source and region filters do. A big workspace's weeks are sums of its rollups
(analytics.rollups) unless a source or region filter asks for the leads themselves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from analytics.filters import ReportFilters
from analytics.models import DailyLeadFigures
from analytics.rollups import rollup_in_use
from analytics.selectors.scope import owners_narrowed, scoped_leads
from leadcrm.accounts.models import User
from leads.models import LeadStatus

WEEKS = 52


@dataclass
class Week:
    start: date
    new: int = 0
    converted: int = 0
    lost: int = 0


def _weekly(queryset, field: str) -> dict[date, int]:
    rows = (
        queryset.annotate(week=TruncWeek(field)).values("week").annotate(n=Count("id")).order_by()
    )
    return {timezone.localtime(row["week"]).date(): row["n"] for row in rows}


def lead_trends(user: User, filters: ReportFilters, *, today: date | None = None) -> list[Week]:
    today = today or timezone.localdate()
    this_week = today - timedelta(days=today.weekday())
    first = this_week - timedelta(weeks=WEEKS - 1)
    start = timezone.make_aware(datetime.combine(first, time.min))
    if rollup_in_use(filters) is not None:
        new, converted, lost = _weekly_rolled(user, filters, first)
    else:
        new, converted, lost = _weekly_live(user, filters, start)
    weeks = []
    for i in range(WEEKS):
        day = first + timedelta(weeks=i)
        weeks.append(Week(day, new.get(day, 0), converted.get(day, 0), lost.get(day, 0)))
    return weeks


def _weekly_live(user: User, filters: ReportFilters, start: datetime):
    leads = scoped_leads(user, filters)
    new = _weekly(leads.filter(created_at__gte=start), "created_at")
    converted = _weekly(leads.filter(converted_at__gte=start), "converted_at")
    lost = _weekly(
        leads.filter(
            status__in=(LeadStatus.LOST, LeadStatus.INVALID), status_changed_at__gte=start
        ),
        "status_changed_at",
    )
    return new, converted, lost


def _weekly_rolled(user: User, filters: ReportFilters, first: date):
    """The same from the rollups (analytics.rollups): the reader's owners' days, by week."""
    rows = DailyLeadFigures.objects.filter(day__gte=first)
    owners = owners_narrowed(user, filters)
    if owners is None:
        rows = rows.filter(whole=True)
    else:
        rows = rows.filter(whole=False, owner_id__in=owners)
    new, converted, lost = {}, {}, {}
    for week, n_new, n_converted, n_lost in (
        rows.annotate(week=TruncWeek("day"))
        .values_list("week")
        .annotate(Sum("new"), Sum("converted"), Sum("lost"))
        .order_by()
    ):
        new[week], converted[week], lost[week] = n_new, n_converted, n_lost
    return new, converted, lost
