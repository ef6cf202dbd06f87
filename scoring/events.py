"""Behavioural tracking: tokens that stand for a lead, and the events they record.

A ``TrackingToken`` is made for one lead by someone who may change it (``tracking_link_create``)
and is then used, without signing in, in three places:

- ``/t/<token>``: a tracked link; records a click and redirects to the target stored with the
  token (never to a URL taken from the request: no open redirect);
- ``/t/<token>/p.gif``: a 1x1 image for an email; records an open;
- ``POST /t/<token>/event``: the tenant's website reports a form submission, a download or a
  page visit.

``event_record`` decides what counts: known crawlers, link scanners and preview fetchers are
ignored, the same visitor doing the same thing within a minute counts once, and each token and
each visitor (IP) has a rate limit. The cache keys carry the tenant's schema (the cache's key
function), and tokens live in the tenant's schema, so tenants never see each other's events.
A recorded event queues a rescore of its lead once the transaction commits.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from leadcrm.accounts.models import User
from leadcrm.ratelimit import window_count
from leadcrm.tasking import enqueue_on_commit
from leads.models import Lead
from leads.selectors import lead_can_write
from scoring.models import BehaviourEvent, TrackingToken
from scoring.tasks import score_leads

#: How long a tracked link keeps working.
TOKEN_LIFETIME = timedelta(days=365)
#: The same visitor, token, kind (and page) within this many seconds counts once.
REPEAT_SECONDS = 60
#: At most so many events per token, and per visitor (IP) across tokens, per window (seconds).
TOKEN_LIMITS = ((30, 60), (200, 60 * 60 * 24))
VISITOR_LIMITS = ((60, 60), (600, 60 * 60))
#: What the website may report (clicks and opens come from the link and the pixel).
WEBSITE_KINDS = (
    BehaviourEvent.Kind.FORM_SUBMISSION,
    BehaviourEvent.Kind.DOWNLOAD,
    BehaviourEvent.Kind.PAGE_VISIT,
)
#: User agents of crawlers, link scanners (mail security gateways) and link preview fetchers.
#: Their "clicks" and "opens" are not a person's. An empty user agent is a script.
BOT_AGENTS = re.compile(
    r"bot|crawl|spider|slurp|scanner|preview|facebookexternalhit|embedly|headless|"
    r"python-requests|python-urllib|curl|wget|go-http-client|okhttp|java/|libwww|"
    r"barracuda|proofpoint|mimecast|safelinks|symantec|trendmicro|forcepoint|"
    r"skypeuripreview|whatsapp|telegram|slack|discord|bingpreview",
    re.IGNORECASE,
)
AGENT_FAMILIES = (
    ("micromessenger", "WeChat"),
    ("dingtalk", "DingTalk"),
    ("outlook", "Outlook"),
    ("thunderbird", "Thunderbird"),
    ("googleimageproxy", "Gmail"),
    ("edg/", "Edge"),
    ("firefox", "Firefox"),
    ("chrome", "Chrome"),
    ("safari", "Safari"),
)
_url_ok = URLValidator(schemes=["http", "https"])


class TrackingRefused(Exception):
    """The link cannot be made: ``message`` says why, ``field`` which input."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


def tracking_link_create(*, lead: Lead, actor: User, target_url: str) -> TrackingToken:
    """A new tracked link for ``lead`` to ``target_url`` (http or https only), with a random
    token of 192 bits that expires after TOKEN_LIFETIME. Raises TrackingRefused when ``actor``
    may not change the lead or the URL is not a web address."""
    if not lead_can_write(actor, lead):
        raise TrackingRefused(_("You cannot make tracked links for this lead."))
    target_url = (target_url or "").strip()
    try:
        _url_ok(target_url)
    except ValidationError as exc:
        raise TrackingRefused(
            _("Enter a web address starting with http:// or https://."), field="target_url"
        ) from exc
    if len(target_url) > 2000:
        raise TrackingRefused(_("The web address is too long."), field="target_url")
    return _token_create(lead=lead, actor=actor, target_url=target_url)


def tracking_pixel_create(*, lead: Lead, actor: User) -> TrackingToken:
    """A new open pixel for an e-mail to ``lead``: a token without a target (its ``/t/<token>``
    is a 404; ``/t/<token>/p.gif`` records opens). Raises TrackingRefused as the link does."""
    if not lead_can_write(actor, lead):
        raise TrackingRefused(_("You cannot make tracked links for this lead."))
    return _token_create(lead=lead, actor=actor, target_url="")


def _token_create(*, lead: Lead, actor: User, target_url: str) -> TrackingToken:
    now = timezone.now()
    return TrackingToken.objects.create(
        token=secrets.token_urlsafe(24),
        lead=lead,
        target_url=target_url,
        created_by=actor,
        created_at=now,
        expires_at=now + TOKEN_LIFETIME,
    )


def tracking_token_resolve(token: str) -> TrackingToken | None:
    """The live token so written in this tenant, or None (unknown, malformed or expired: the
    callers answer the same for each)."""
    if not token or len(token) > 64 or not re.fullmatch(r"[A-Za-z0-9_-]+", token):
        return None
    found = TrackingToken.objects.filter(token=token).select_related("lead").first()
    if found is None or (found.expires_at is not None and found.expires_at <= timezone.now()):
        return None
    return found


def agent_is_bot(user_agent: str) -> bool:
    return not user_agent.strip() or BOT_AGENTS.search(user_agent) is not None


def agent_family(user_agent: str) -> str:
    lowered = user_agent.lower()
    return next((name for needle, name in AGENT_FAMILIES if needle in lowered), "Other")


def _within_limits(key: str, limits) -> bool:
    counts = [window_count(f"track:{key}:{seconds}", seconds) <= limit for limit, seconds in limits]
    return all(counts)


def event_record(
    *,
    token: TrackingToken,
    kind: str,
    visitor: str,
    user_agent: str = "",
    url: str = "",
) -> BehaviourEvent | None:
    """Record that ``token``'s lead did ``kind``, or return None when it does not count:
    a bot's user agent, a repeat by the same visitor within REPEAT_SECONDS, or over a rate
    limit (per token, per visitor). Queues a rescore of the lead on commit."""
    if kind not in BehaviourEvent.Kind.values:
        raise ValueError(f"unknown event kind {kind!r}")
    if agent_is_bot(user_agent):
        return None
    url = (url or "")[:500]
    page = hashlib.blake2s(url.encode(), digest_size=8).hexdigest() if url else ""
    repeat = f"track:once:{token.pk}:{kind}:{visitor}:{page}"
    if not cache.add(repeat, 1, timeout=REPEAT_SECONDS):
        return None
    if not _within_limits(f"token:{token.pk}", TOKEN_LIMITS):
        return None
    if not _within_limits(f"ip:{visitor}", VISITOR_LIMITS):
        return None
    meta = {"agent": agent_family(user_agent)}
    if url:
        meta["url"] = url
    with transaction.atomic():
        event = BehaviourEvent.objects.create(
            lead_id=token.lead_id, kind=kind, meta=meta, token=token, at=timezone.now()
        )
        enqueue_on_commit(score_leads, [token.lead_id], "event")
    return event


def lead_events_recent(lead: Lead, *, limit: int = 10) -> list[BehaviourEvent]:
    """The lead's latest events, newest first (the lead page's panel)."""
    return list(BehaviourEvent.objects.filter(lead=lead).order_by("-at", "-id")[:limit])


def lead_links_recent(lead: Lead, *, limit: int = 5) -> list[TrackingToken]:
    """The lead's latest tracked links, newest first, with their ``clicks``."""
    clicks = Count("events", filter=Q(events__kind=BehaviourEvent.Kind.LINK_CLICK))
    return list(
        TrackingToken.objects.filter(lead=lead)
        .exclude(target_url="")
        .annotate(clicks=clicks)
        .order_by("-created_at", "-id")[:limit]
    )


def events_merge(keep: Lead, gone: list[Lead]) -> dict:
    """Merge hook: the merged leads' events and tracking tokens follow the survivor (a link
    already sent keeps counting for the one lead left), which is rescored. Returns what the
    undo needs: {"events": [[event, former lead]], "tokens": [[token, former lead]]}."""
    undo = {
        "events": [
            list(row)
            for row in BehaviourEvent.objects.filter(lead__in=gone).values_list("pk", "lead_id")
        ],
        "tokens": [
            list(row)
            for row in TrackingToken.objects.filter(lead__in=gone).values_list("pk", "lead_id")
        ],
    }
    BehaviourEvent.objects.filter(pk__in=[pk for pk, _lead in undo["events"]]).update(lead=keep)
    TrackingToken.objects.filter(pk__in=[pk for pk, _lead in undo["tokens"]]).update(lead=keep)
    if undo["events"]:
        enqueue_on_commit(score_leads, [keep.pk], "merged")
    return undo


def events_merge_undo(keep: Lead, undo) -> None:
    """Put the events and tokens back on the leads they came from, and rescore them all."""
    rescore = {keep.pk}
    for model, key in ((BehaviourEvent, "events"), (TrackingToken, "tokens")):
        for pk, former in (undo or {}).get(key, []):
            model.objects.filter(pk=pk, lead=keep).update(lead_id=former)
            rescore.add(former)
    if (undo or {}).get("events"):
        enqueue_on_commit(score_leads, sorted(rescore), "merge undone")
