"""What every pool operation leaves behind: the pool event and the notifications."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from leadcrm.accounts.models import User
from leads.models import Lead
from pools.models import Pool, PoolEvent


def pool_event_record(
    lead: Lead,
    pool: Pool,
    action: str,
    actor: User | None,
    to_user=None,
    reason="",
    *,
    params: dict | None = None,
    at=None,
) -> PoolEvent:
    """``params``: the values of a reason the system writes, rendered at read time in the
    reader's language (PoolEvent.reason_text) instead of a sentence stored in one language."""
    return PoolEvent.objects.create(
        lead=lead,
        pool=pool,
        action=action,
        actor=actor,
        to_user=to_user,
        reason=reason[:300],
        params=params or {},
        at=at or timezone.now(),
    )


def pool_notify(
    user: User | None,
    kind: str,
    title: str,
    lead: Lead,
    *,
    body: str = "",
    key: str,
    url: str | None = None,
):
    """Tell ``user`` about ``lead`` (in the app and by email); the link is the lead's page
    unless ``url`` says otherwise ("" for none, when they may no longer open it)."""
    from leadcrm.notifications.services import notification_send

    if user is None:
        return
    notification_send(
        recipient=user,
        kind=kind,
        title=title,
        body=body,
        url=reverse("leads-detail", kwargs={"uuid": lead.uuid}) if url is None else url,
        email=True,
        dedup_key=key,
    )


def pool_notify_admins(
    pool: Pool, actor: User, *, title: str, body: str, url: str, key: str
) -> None:
    """Tell a pool's admins (not the actor) in the app; no email for routine pool traffic."""
    from leadcrm.notifications.models import Notification
    from leadcrm.notifications.services import notification_send

    for admin in pool.admins.filter(is_active=True).exclude(pk=actor.pk):
        notification_send(
            recipient=admin,
            kind=Notification.Kind.GENERAL,
            title=title,
            body=body,
            url=url,
            dedup_key=f"{key}:{admin.uuid}",
        )
