"""The weekly digest: an e-mail to each manager (and tenant admin) with last week's dashboard
KPIs against the week before, and the three biggest changes among them.

What the reader sees is exactly their dashboard for that week (``dashboard_kpis`` with their
user, so it is scoped as the dashboard is), in their language and the tenant's days. Sending
is at most once per person and ISO week (``DigestSent``); see ``digests_send_due``.
"""

from __future__ import annotations

import logging
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from analytics.filters import ReportFilters
from analytics.kpis import KPI_LABELS, UNITS, kpi_change, kpi_number
from analytics.models import DigestSent
from analytics.selectors.dashboard import Kpi, dashboard_kpis
from leadcrm.accounts.models import User
from leadcrm.accounts.roles import Role
from leadcrm.origin import tenant_origin

logger = logging.getLogger(__name__)

#: Who gets the digest: managers, and tenant admins (their dashboard is the whole tenant).
DIGEST_ROLES = [Role.MANAGER, Role.TENANT_ADMIN]
#: The digest goes out from this local time on Monday, in the tenant's time zone.
SEND_WEEKDAY, SEND_HOUR = 0, 7
BIGGEST_CHANGES = 3


@dataclass(frozen=True)
class DigestWeek:
    """A Monday-to-Sunday ISO week."""

    first: date

    @classmethod
    def containing(cls, day: date) -> DigestWeek:
        return cls(day - timedelta(days=day.weekday()))

    @classmethod
    def from_key(cls, key: str) -> DigestWeek:
        """``"2024-W49"`` → that week; ValueError for anything else."""
        year, _sep, week = key.partition("-W")
        return cls(date.fromisocalendar(int(year), int(week), 1))

    @property
    def last(self) -> date:
        return self.first + timedelta(days=6)

    @property
    def key(self) -> str:
        year, week, _day = self.first.isocalendar()
        return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class DigestSummary:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    week: str = ""


def digest_recipients() -> QuerySet[User]:
    """Active managers and tenant admins who want the digest and have an e-mail address."""
    return (
        User.objects.filter(is_active=True, weekly_digest=True, roles__overlap=DIGEST_ROLES)
        .exclude(email="")
        .order_by("pk")
    )


def biggest_changes(kpis: list[Kpi], *, count: int = BIGGEST_CHANGES) -> list[Kpi]:
    """The ``count`` KPIs that moved most against the period before, largest first.

    A KPI's move is the size of ``Kpi.change``: the relative change in % for counts, amounts,
    days and hours, the difference in percentage points for rates (so a rate from 20 % to
    30 % moves by 10, a count from 20 to 30 by 50). KPIs without a change (no previous value,
    a previous value of 0 for a relative change, or a "now" figure) and KPIs that did not
    move are left out; equal moves keep the dashboard's order."""
    moved = [kpi for kpi in kpis if kpi.change]
    return sorted(moved, key=lambda kpi: -abs(kpi.change))[:count]


def tenant_zone() -> zoneinfo.ZoneInfo:
    """The current tenant's time zone (``Tenant.time_zone``), else settings.TIME_ZONE."""
    name = getattr(connection.tenant, "time_zone", "") or settings.TIME_ZONE
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _language(user: User) -> str:
    return user.language or getattr(connection.tenant, "default_language", "") or "en"


def _dates(week: DigestWeek) -> str:
    first, last = (date_format(d, "MONTH_DAY_FORMAT") for d in (week.first, week.last))
    return f"{first} – {last}"


def _line(kpi: Kpi) -> dict:
    unit = UNITS.get(kpi.unit, "")
    return {
        "key": kpi.key,
        "label": str(KPI_LABELS[kpi.key]),
        "value": kpi_number(kpi) + (f" {unit}" if unit and kpi.value is not None else ""),
        "previous": kpi_number(kpi, kpi.previous) if kpi.previous is not None else "",
        "change": kpi_change(kpi),
        "good": kpi.good,
        #: A figure of the moment (pools, follow-ups due), as the dashboard's "now" cards.
        "now": kpi.previous is None and kpi.unit == "count",
    }


def digest_compose(*, user: User, week: DigestWeek, now: datetime | None = None):
    """The digest of ``week`` for ``user`` as an unsent e-mail (plain text and HTML), in the
    user's language and the current time zone (the caller activates the tenant's)."""
    now = now or timezone.now()
    filters = ReportFilters.from_query({"period": "7d"}, today=week.last)
    kpis = dashboard_kpis(user, filters, now=now)
    origin = tenant_origin()
    query = urlencode({"period": "custom", "from": week.first, "to": week.last})
    with translation.override(_language(user)):
        dates = _dates(week)
        context = {
            "user": user,
            "dates": dates,
            "lines": [_line(kpi) for kpi in kpis],
            "biggest": [_line(kpi) for kpi in biggest_changes(kpis)],
            "dashboard_url": f"{origin}{reverse('analytics-index')}?{query}" if origin else "",
            "profile_url": f"{origin}{reverse('accounts-profile')}" if origin else "",
        }
        subject = _("Your weekly lead report: %(dates)s") % {"dates": dates}
        text = render_to_string("analytics/email/digest.txt", context)
        html = render_to_string("analytics/email/digest.html", context)
    message = EmailMultiAlternatives(subject, text, None, [user.email])
    message.attach_alternative(html, "text/html")
    return message


def digest_send(*, user: User, week: DigestWeek, now: datetime | None = None) -> bool:
    """Send ``user`` the digest of ``week`` unless they had it; returns whether it was sent.

    At most once per person and week: the DigestSent row and the sending share a transaction,
    so a second run waits on the first one's row and then sends nothing, and a failed send
    leaves no row (the next run sends it). Only a crash between the mail server accepting the
    mail and the commit could send it twice."""
    if DigestSent.objects.filter(user=user, week=week.key).exists():
        return False
    message = digest_compose(user=user, week=week, now=now)
    with transaction.atomic():
        _row, created = DigestSent.objects.get_or_create(user=user, week=week.key)
        if not created:
            return False
        message.send()
    return True


def digest_week_due(now: datetime) -> DigestWeek | None:
    """The week whose digest is due at ``now`` in the tenant's time zone: the week before,
    on Monday from 07:00; None at other times (the job runs hourly, so a missed run is made
    up later on Monday)."""
    local = timezone.localtime(now, tenant_zone())
    if local.weekday() != SEND_WEEKDAY or local.hour < SEND_HOUR:
        return None
    return DigestWeek.containing(local.date() - timedelta(days=7))


def digests_send_due(*, now: datetime | None = None, week: DigestWeek | None = None):
    """Send the digest that is due now (or that of ``week``, whatever the day) to every
    recipient of the current tenant who has not had it. Figures are in the tenant's days.
    A failure for one person is logged and the others still get theirs; it is retried on the
    next run that finds the digest due."""
    now = now or timezone.now()
    week = week or digest_week_due(now)
    if week is None:
        return DigestSummary()
    sent = skipped = failed = 0
    with timezone.override(tenant_zone()):
        for user in digest_recipients():
            try:
                if digest_send(user=user, week=week, now=now):
                    sent += 1
                else:
                    skipped += 1
            except Exception:
                failed += 1
                logger.exception(
                    "digest failed user=%s week=%s tenant=%s",
                    user.pk,
                    week.key,
                    connection.schema_name,
                )
    return DigestSummary(sent=sent, skipped=skipped, failed=failed, week=week.key)
