"""The next best action for an open lead, with its reason: offline rules a sales manager
would write down, evaluated on what the lead already knows (status, score band, first
contact, the last calls, intent words, dates). Shown on the lead page.

``next_action_for`` is pure (facts in, action out) and returns message keys with their
values, so the text is rendered in the reader's language, never the writer's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from leads.models import OPEN_STATUSES, Activity, Lead, LeadStatus
from scoring.engine import HOT
from scoring.services import thresholds_load

#: Unanswered calls in a row after which another channel (or the pool) is suggested.
UNANSWERED_CALLS = 3
#: Days without contact after which an open lead needs re-engaging.
QUIET_DAYS = 14
PRICING = re.compile(
    r"报价|价格|价钱|询价|多少钱|\bquote\b|\bquotation\b|\bpric(?:e|es|ing)\b", re.I
)


@dataclass(frozen=True)
class NextAction:
    key: str
    values: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return _LABELS[self.key]()

    @property
    def reason(self) -> str:
        return _REASONS[self.key](self.values)


@dataclass(frozen=True)
class ActionFacts:
    status: str
    band: str
    first_follow_up_at: datetime | None
    last_activity_at: datetime | None
    created_at: datetime
    next_follow_up_at: datetime | None
    text: str
    #: Outcomes of the most recent calls, newest first ("" for other kinds are left out).
    recent_call_outcomes: tuple[str, ...] = ()
    quote_sent: bool = False


def next_action_for(facts: ActionFacts, *, now: datetime) -> NextAction | None:
    """The first rule that applies, in the order a manager would ask: dead ends first, then
    the hot and the asking, then the quiet and the late."""
    if facts.status not in OPEN_STATUSES:
        return None
    unanswered = 0
    for outcome in facts.recent_call_outcomes:
        if outcome != Activity.CallOutcome.NO_ANSWER:
            break
        unanswered += 1
    if unanswered >= UNANSWERED_CALLS:
        return NextAction("other_channel", {"n": unanswered})
    if facts.band == HOT and facts.first_follow_up_at is None:
        return NextAction("call_hot")
    if PRICING.search(facts.text or "") and not facts.quote_sent:
        return NextAction("send_quote")
    last = facts.last_activity_at or facts.created_at
    quiet = (now - last).days
    if quiet >= QUIET_DAYS:
        return NextAction("re_engage", {"days": quiet})
    if facts.next_follow_up_at and facts.next_follow_up_at < now:
        return NextAction("follow_up_due", {"due": facts.next_follow_up_at})
    if facts.status == LeadStatus.QUALIFIED:
        return NextAction("convert")
    if facts.first_follow_up_at is None:
        return NextAction("first_call")
    return None


def lead_next_action(lead: Lead, *, now: datetime | None = None) -> NextAction | None:
    """The next best action for ``lead`` (two small queries: its recent calls and e-mails)."""
    now = now or timezone.now()
    if lead.status not in OPEN_STATUSES:
        return None
    recent = list(
        lead.activities.filter(kind__in=(Activity.Kind.CALL, Activity.Kind.EMAIL))
        .order_by("-occurred_at", "-id")
        .values_list("kind", "outcome", "body")[:10]
    )
    calls = tuple(outcome for kind, outcome, _body in recent if kind == Activity.Kind.CALL)
    quote_sent = any(
        kind == Activity.Kind.EMAIL and PRICING.search(body or "") for kind, _o, body in recent
    )
    thresholds = thresholds_load()
    band = thresholds.band(lead.score) if lead.score is not None else ""
    facts = ActionFacts(
        status=lead.status,
        band=band,
        first_follow_up_at=lead.first_follow_up_at,
        last_activity_at=lead.last_activity_at,
        created_at=lead.created_at,
        next_follow_up_at=lead.next_follow_up_at,
        text=f"{lead.notes}\n{lead.source_detail}",
        recent_call_outcomes=calls,
        quote_sent=quote_sent,
    )
    return next_action_for(facts, now=now)


def lead_next_action_panel(lead, user):
    """Lead page panel (registered through leads.hooks.register_lead_page)."""
    action = lead_next_action(lead)
    if action is None:
        return None
    return "scoring/partials/_lead_next_action.html", {"action": action}


_LABELS = {
    "other_channel": lambda: _("Try another channel"),
    "call_hot": lambda: _("Call within 24 h"),
    "send_quote": lambda: _("Send the quote"),
    "re_engage": lambda: _("Re-engage"),
    "follow_up_due": lambda: _("Follow up now"),
    "convert": lambda: _("Convert"),
    "first_call": lambda: _("Make the first call"),
}
_REASONS = {
    "other_channel": lambda v: (
        ngettext(
            "%(n)d call in a row went unanswered: write, message or return the lead to its pool.",
            "%(n)d calls in a row went unanswered: write, message or return the lead to its pool.",
            v["n"],
        )
        % v
    ),
    "call_hot": lambda v: _("The lead is hot and nobody has contacted it yet."),
    "send_quote": lambda v: _("The lead asked about prices and no quote has gone out yet."),
    "re_engage": lambda v: (
        ngettext("No contact for %(days)d day.", "No contact for %(days)d days.", v["days"]) % v
    ),
    "follow_up_due": lambda v: (
        _("The follow-up was due on %(date)s.")
        % {"date": date_format(timezone.localtime(v["due"]), "Y-m-d H:i")}
    ),
    "convert": lambda v: _("The lead is qualified: turn it into a customer."),
    "first_call": lambda v: _("Nobody has followed the lead up yet."),
}
