import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from leadcrm.accounts.models import User
from leadcrm.notifications.models import Notification

#: The bell shows "99+" beyond this, so it never needs to count further.
UNREAD_SHOWN_MAX = 100
#: At most this many new notifications pop up at once; the bell counts the rest.
FRESH_SHOWN_MAX = 3


@dataclass(frozen=True)
class Bell:
    """What the bell shows: the unread count (capped at UNREAD_SHOWN_MAX) and when the newest
    unread notification arrived (None when all are read)."""

    unread: int
    newest_at: dt.datetime | None


def _unread(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user, read_at__isnull=True)


def notification_bell(*, user: User) -> Bell:
    """The bell's state in one query on the partial index of unread notifications: it reads at
    most UNREAD_SHOWN_MAX creation times, newest first, instead of counting them all."""
    moments = list(
        _unread(user)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:UNREAD_SHOWN_MAX]
    )
    return Bell(unread=len(moments), newest_at=moments[0] if moments else None)


def notification_unread_count(*, user: User) -> int:
    """The unread count the bell shows (at most UNREAD_SHOWN_MAX)."""
    return notification_bell(user=user).unread


def notification_unread_since(*, user: User, since: dt.datetime) -> list[Notification]:
    """The unread notifications that arrived after ``since``, newest first, at most
    FRESH_SHOWN_MAX: what pops up when the bell notices them."""
    fresh = _unread(user).filter(created_at__gt=since).order_by("-created_at")
    return list(fresh[:FRESH_SHOWN_MAX])


def notification_list(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)
