"""Taking a held lead back from its holder because a time limit passed: the one sequence the
pool's reclaim rules and the tenant's dormant-lead rules share."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from leadcrm.notifications.models import Notification
from leadcrm.notifications.texts import text, text_list, text_render
from leads.models import Lead
from leads.selectors import leads_visible_to
from leads.services.lead import lead_assign
from pools.models import Pool, PoolEvent
from pools.services.events import pool_event_record, pool_notify
from pools.services.routing import VIA_RECLAIM


def lead_take_back(
    *, lead: Lead, pool: Pool, reasons: list[dict], key: str, at: datetime | None = None
) -> Lead:
    """Take ``lead`` (row-locked by the caller, who also places its pool entry) from its
    holder for ``reasons`` (stored texts, see leadcrm.notifications.texts):

    1. the owner is cleared (``via=reclaim``: the pool holds it, it is not routed again); the
       lead's history gets the reason written once, in the site's language;
    2. a RECLAIM event of ``pool`` keeps the reason as a text, read in the reader's language;
    3. the former holder is told why, linking to the lead only if they may still open it
       (a member of the pool, or through the hierarchy), never to a page that answers 404.
    ``key`` makes the notice idempotent."""
    former = lead.owner
    reason = text_list(reasons)
    with translation.override(settings.LANGUAGE_CODE):  # the history's one language
        written = text_render(reason) or ""
    lead = lead_assign(
        lead=lead, owner=None, actor=None, reason=f"reclaimed: {written}"[:100], notify=False,
        via=VIA_RECLAIM,
    )  # fmt: skip
    pool_event_record(
        lead, pool, PoolEvent.Action.RECLAIM, None, to_user=former, reason=written,
        params={"text": reason}, at=at,
    )  # fmt: skip
    sees_it = former is not None and leads_visible_to(former).filter(pk=lead.pk).exists()
    pool_notify(
        former,
        Notification.Kind.LEAD_RECLAIMED,
        text("pools.reclaimed", lead=str(lead), pool=str(pool)),
        lead,
        body=text("pools.reclaimed_why", reason=reason),
        key=key,
        url=reverse("leads-detail", kwargs={"uuid": lead.uuid}) if sees_it else "",
    )
    return lead
