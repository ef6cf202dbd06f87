"""Sending notifications: one service for every app (tasks, mentions, pools, assignment)."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from leadcrm.accounts.models import User
from leadcrm.notifications.models import Notification
from leadcrm.notifications.texts import text_render
from leadcrm.origin import tenant_origin

logger = logging.getLogger(__name__)


def notification_send(
    *,
    recipient: User,
    kind: str,
    title: str | dict,
    body: str | dict = "",
    url: str = "",
    email: bool = False,
    dedup_key: str = "",
) -> Notification | None:
    """Notify ``recipient`` in the app (and by email if ``email``).

    ``title`` and ``body`` are the system's sentences as ``leadcrm.notifications.texts.text``
    values, so the notification reads in the language of whoever reads it (a plain string is
    for words a person typed, shown as is). They are also written out in the recipient's own
    language for the email and as the fallback.

    ``url`` is a path on the current tenant (``/leads/<uuid>/``). The email carries it as an
    absolute link on the tenant's own host (``https://acme.example.com/leads/<uuid>/``, see
    tenant_origin), so it opens from a mail client; callers never pass a host. Should the
    tenant have no primary domain, the email goes out without the link rather than with one
    that cannot open.

    Idempotent with a ``dedup_key``: a second call with the same recipient and key does
    nothing and returns None (so a retried reminder job never notifies twice). The email goes
    out after the surrounding transaction commits; inactive users are not notified.
    """
    if not recipient.is_active:
        return None
    message = {
        part: value for part, value in (("title", title), ("body", body)) if isinstance(value, dict)
    }
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        title = _written(title)
        body = _written(body)
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient,
                kind=kind,
                title=title[:200],
                body=body,
                url=url,
                message=message,
                dedup_key=dedup_key[:120],
            )
    except IntegrityError:
        return None
    if email and recipient.email:
        text = "\n\n".join(part for part in (body, _email_link(url)) if part)

        def deliver():
            send_mail(title[:200], text, None, [recipient.email])
            Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())

        transaction.on_commit(deliver)
    return notification


def _written(value: str | dict) -> str:
    if isinstance(value, dict):
        written = text_render(value)
        if written is None:
            raise ValueError(f"Not a text that can be written: {value!r}")
        return written
    return str(value)


def _email_link(url: str) -> str:
    """``url`` (a path on the current tenant) as an absolute link, or "" without one."""
    if not url:
        return ""
    if not url.startswith("/") or url.startswith("//"):
        raise ValueError(f"A notification's url is a path on the tenant, not {url!r}.")
    origin = tenant_origin()
    if not origin:
        logger.warning("email link left out: the current tenant has no primary domain")
        return ""
    return f"{origin}{url}"


def notification_mark_read(*, recipient: User, uuid=None) -> int:
    """Mark one (``uuid``) or all of ``recipient``'s notifications read; returns how many."""
    unread = Notification.objects.filter(recipient=recipient, read_at__isnull=True)
    if uuid is not None:
        unread = unread.filter(uuid=uuid)
    return unread.update(read_at=timezone.now())
