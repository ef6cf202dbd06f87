"""The notifications page: the signed-in user's own notifications, and marking them read;
and the bell, which keeps itself current."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from leadcrm.notifications import selectors, services
from leadcrm.notifications.models import Notification
from leadcrm.parsing import page_number

PAGE_SIZE = 50


def _own(request, uuid) -> Notification:
    """The user's own notification; someone else's (or none) is a 404."""
    notification = selectors.notification_list(user=request.user).filter(uuid=uuid).first()
    if notification is None:
        raise Http404
    return notification


def _local_path(url: str) -> bool:
    """Only paths on this site: never another host, scheme or protocol-relative URL."""
    return (
        url.startswith("/")
        and not url.startswith("//")
        and url_has_allowed_host_and_scheme(url, allowed_hosts=None)
    )


def _moment(value: str | None) -> dt.datetime | None:
    """An aware datetime from the bell's ``since`` (ISO 8601), or None if it is not one."""
    try:
        moment = dt.datetime.fromisoformat(value or "")
    except ValueError:
        return None
    return moment if timezone.is_aware(moment) else None


def _count(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None


@require_GET
def notification_bell(request):
    """The bell alone, asked for every 15 s by app.js while the tab is visible.

    The bell on the page carries what it shows: ``seen`` (its count) and ``since`` (the newest
    notification it knows of, or when the page was made). The answer is
    1. 204 and nothing else when neither changed: one indexed query, nothing rendered, and
       HTMX leaves the bell alone;
    2. otherwise the bell with its new count, and a toast for each notification newer than
       ``since`` (at most three, each in the reader's language), shown once: the new bell's
       ``since`` moves past them.
    A poll from a signed-out tab gets a 403, so HTMX never puts the sign-in page in the bell.
    """
    if not request.user.is_authenticated:
        if request.htmx:
            return HttpResponse(status=403)
        return redirect_to_login(request.get_full_path())
    since = _moment(request.GET.get("since"))
    bell = selectors.notification_bell(user=request.user)
    arrived = since is not None and bell.newest_at is not None and bell.newest_at > since
    if since is not None and not arrived and _count(request.GET.get("seen")) == bell.unread:
        return HttpResponse(status=204)
    fresh = selectors.notification_unread_since(user=request.user, since=since) if arrived else []
    context = {
        "notifications_unread": bell.unread,
        "bell_since": max(filter(None, (since, bell.newest_at)), default=timezone.now()),
        "bell_fresh": fresh,
        "polled": True,
    }
    return render(request, "notifications/_bell.html", context)


@login_required
@require_GET
def notification_list(request):
    """Newest first, unread highlighted, 50 a page."""
    page = page_number(request.GET.get("page"))
    start = (page - 1) * PAGE_SIZE
    rows = list(selectors.notification_list(user=request.user)[start : start + PAGE_SIZE + 1])
    context = {
        "notifications": rows[:PAGE_SIZE],
        "has_next": len(rows) > PAGE_SIZE,
        "page": page,
    }
    return render(request, "notifications/notification_list.html", context)


@login_required
@require_GET
def notification_open(request, uuid):
    """Follow a notification's link and mark it read. A GET, because it is what a link does;
    marking one's own notification read is harmless and idempotent. Links that are not local
    paths go to the notifications page instead (never an open redirect)."""
    notification = _own(request, uuid)
    services.notification_mark_read(recipient=request.user, uuid=notification.uuid)
    if notification.url and _local_path(notification.url):
        return redirect(notification.url)
    return redirect("notifications-list")


@login_required
@require_POST
def notification_read(request, uuid):
    """Mark one notification read. HTMX gets its row back."""
    notification = _own(request, uuid)
    services.notification_mark_read(recipient=request.user, uuid=notification.uuid)
    if request.htmx:
        notification.refresh_from_db()
        context = {"notification": notification, "oob_bell": True}  # the bell's count too
        return render(request, "notifications/_notification_row.html", context)
    return redirect("notifications-list")


@login_required
@require_POST
def notification_read_all(request):
    services.notification_mark_read(recipient=request.user)
    return redirect("notifications-list")
