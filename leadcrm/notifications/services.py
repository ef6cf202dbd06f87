"""Sending notifications: one service for every app (tasks, mentions, pools, assignment)."""

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from leadcrm.accounts.models import User
from leadcrm.notifications.models import Notification


def notification_send(
    *,
    recipient: User,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    email: bool = False,
    dedup_key: str = "",
    base_url: str = "",
) -> Notification | None:
    """Notify ``recipient`` in the app (and by email if ``email``).

    Idempotent with a ``dedup_key``: a second call with the same recipient and key does
    nothing and returns None (so a retried reminder job never notifies twice). The email goes
    out after the surrounding transaction commits; inactive users are not notified.
    """
    if not recipient.is_active:
        return None
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient,
                kind=kind,
                title=title[:200],
                body=body,
                url=url,
                dedup_key=dedup_key[:120],
            )
    except IntegrityError:
        return None
    if email and recipient.email:
        link = f"\n\n{base_url}{url}" if url else ""

        def deliver():
            send_mail(title[:200], f"{body}{link}", None, [recipient.email])
            Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())

        transaction.on_commit(deliver)
    return notification


def notification_mark_read(*, recipient: User, uuid=None) -> int:
    """Mark one (``uuid``) or all of ``recipient``'s notifications read; returns how many."""
    unread = Notification.objects.filter(recipient=recipient, read_at__isnull=True)
    if uuid is not None:
        unread = unread.filter(uuid=uuid)
    return unread.update(read_at=timezone.now())
