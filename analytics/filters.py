"""The filters every report shares, read from the URL so a report can be linked and bookmarked:
the period (a preset or a custom range, with the period before it for comparisons), whose leads
(a team or a person within what the reader may see), the source and the region.

Bad values are ignored, never an error: a report opened from an old link shows the default."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leadcrm.parsing import uuid_or_none

PERIODS = {
    "7d": _("Last 7 days"),
    "30d": _("Last 30 days"),
    "90d": _("Last 90 days"),
    "month": _("This month"),
    "last_month": _("Last month"),
    "quarter": _("This quarter"),
    "year": _("This year"),
    "custom": _("Custom"),
}
DEFAULT_PERIOD = "30d"
#: Custom ranges are bounded (a typed year 1 or 9999 falls back to the default).
YEAR_MIN, YEAR_MAX = 2000, 2100
TEXT_MAX = 100


def _day(raw: str | None) -> date | None:
    try:
        day = date.fromisoformat((raw or "").strip()[:10])
    except ValueError:
        return None
    return day if YEAR_MIN <= day.year <= YEAR_MAX else None


def _start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class ReportFilters:
    period: str = DEFAULT_PERIOD
    #: [start, end) in the tenant's time zone, and the period of the same length before it.
    start: datetime | None = None
    end: datetime | None = None
    day_from: date | None = None
    day_to: date | None = None
    team: str = ""
    owner: str = ""
    source: str = ""
    region: str = ""

    @property
    def previous(self) -> tuple[datetime, datetime]:
        return self.start - (self.end - self.start), self.start

    @property
    def last_day(self) -> date:
        """The period's last day (its end is the start of the day after)."""
        return (timezone.localtime(self.end) - timedelta(microseconds=1)).date()

    def query(self, **changes) -> dict:
        """The URL parameters of these filters (with ``changes``), for links and forms."""
        values = {
            "period": self.period,
            "from": self.day_from.isoformat() if self.period == "custom" else "",
            "to": self.day_to.isoformat() if self.period == "custom" else "",
            "team": self.team,
            "owner": self.owner,
            "source": self.source,
            "region": self.region,
        } | changes
        return {k: v for k, v in values.items() if v}

    @classmethod
    def from_query(cls, query, *, today: date | None = None) -> ReportFilters:
        today = today or timezone.localdate()
        period = query.get("period", DEFAULT_PERIOD)
        if period not in PERIODS:
            period = DEFAULT_PERIOD
        first, last = _period_days(period, today, query)
        if first is None:
            period = DEFAULT_PERIOD
            first, last = _period_days(period, today, query)
        return cls(
            period=period,
            start=_start(first),
            end=_start(last + timedelta(days=1)),
            day_from=first,
            day_to=last,
            team=str(uuid_or_none(query.get("team")) or ""),
            owner=str(uuid_or_none(query.get("owner")) or ""),
            source=" ".join(query.get("source", "").split())[:40],
            region=" ".join(query.get("region", "").split())[:TEXT_MAX],
        )


def _period_days(period: str, today: date, query) -> tuple[date | None, date | None]:
    """The first and last day of ``period`` (both inclusive)."""
    if period == "custom":
        first, last = _day(query.get("from")), _day(query.get("to"))
        if first is None or last is None or last < first:
            return None, None
        return first, last
    if period in ("7d", "30d", "90d"):
        return today - timedelta(days=int(period[:-1]) - 1), today
    if period == "month":
        return today.replace(day=1), today
    if period == "last_month":
        last = today.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    if period == "quarter":
        return today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1), today
    return today.replace(month=1, day=1), today  # year
