"""E-mail to a lead from its page: written and queued (``email_compose``), sent once by a
Celery task (``email_deliver``), logged as an Email activity, and followed by its opens and
clicks.

Tracking is another app's (``leads.hooks.email_tracking``, registered by scoring): each link in
the text becomes a tracked link and the HTML part carries an open pixel, each with its own
unguessable token on the tenant's host; an open or a click is a behavioural event that feeds
the lead's score. The reads for the lead page's Emails tab are at the end (they would sit in
``leads.selectors``, kept here with the feature as ``leads.services.followups`` does).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from leadcrm.accounts.models import User
from leadcrm.origin import tenant_origin
from leadcrm.tasking import enqueue_on_commit
from leads.errors import LeadError
from leads.hooks import email_tracking
from leads.masking import mask_value
from leads.models import Activity, EmailTemplate, Lead, LeadEmail, LeadStatus
from leads.selectors import lead_can_write, lead_contacts_masked
from leads.services.email_setup import (
    BODY_MAX,
    SUBJECT_MAX,
    mailer_for,
    smtp_error_is_temporary,
    smtp_error_text,
)
from leads.services.lead import activity_log

logger = logging.getLogger(__name__)

#: A web address in the text (what becomes a tracked link); trailing punctuation is the
#: sentence's, not the address's.
URL = re.compile(r"https?://[^\s<>\"']+")
TRAILING = ".,;:!?)]}'\""
#: At most so many distinct links of one e-mail are tracked; the rest go out as written.
LINKS_MAX = 20
SEND_TASK = "leads.tasks.emails.email_send"


class DeliveryFailed(Exception):
    """The e-mail did not leave; ``temporary``: worth another try later."""

    def __init__(self, message: str, *, temporary: bool):
        super().__init__(message)
        self.message, self.temporary = message, temporary


def email_refusal(*, lead: Lead, user: User) -> str:
    """Why ``user`` may not e-mail ``lead`` from its page, or "" when they may."""
    if not lead_can_write(user, lead) or lead.status == LeadStatus.VOID:
        return _("You cannot e-mail this lead.")
    if lead_contacts_masked(user=user, lead=lead):
        return _("Its e-mail address is hidden from you until you claim the lead.")
    if not lead.email:
        return _("This lead has no e-mail address.")
    return ""


def _split_url(match: re.Match) -> tuple[str, str]:
    """(the address, the punctuation after it that belongs to the sentence)."""
    text = match.group(0)
    url = text.rstrip(TRAILING)
    return url, text[len(url) :]


def _tracked_links(
    body: str, *, lead: Lead, actor: User, origin: str
) -> dict[str, tuple[str, str]]:
    """{address in the text: its tracked link} for the first LINKS_MAX distinct addresses."""
    tracking = email_tracking()
    if tracking is None or not origin:
        return {}
    tracked: dict[str, str] = {}
    for match in URL.finditer(body):
        url, _rest = _split_url(match)
        if url in tracked or len(tracked) >= LINKS_MAX:
            continue
        made = tracking.link(lead, actor, url)
        if made is not None:
            token, path = made
            tracked[url] = (token, origin + path)
    return tracked


def _with_links(body: str, tracked: dict, *, html: bool) -> str:
    """``body`` with its addresses replaced by their tracked links: as text, or as escaped
    HTML with each link an <a> showing the address the rep wrote."""
    out, last = [], 0
    for match in URL.finditer(body):
        url, rest = _split_url(match)
        before = body[last : match.start()]
        target = tracked[url][1] if url in tracked else url
        if html:
            out.append(f'{escape(before)}<a href="{escape(target)}">{escape(url)}</a>')
            out.append(escape(rest))
        else:
            out.append(before + target + rest)
        last = match.end()
    tail = body[last:]
    out.append(escape(tail) if html else tail)
    return "".join(out)


def _html(body: str, tracked: dict, pixel_url: str) -> str:
    text = _with_links(body, tracked, html=True).replace("\r\n", "\n")
    paragraphs = [p.replace("\n", "<br>\n") for p in re.split(r"\n{2,}", text) if p.strip()]
    html = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    if pixel_url:
        html += f'\n<img src="{escape(pixel_url)}" width="1" height="1" alt="">'
    return f"<!DOCTYPE html>\n<html><body>\n{html}\n</body></html>\n"


def email_compose(
    *,
    lead: Lead,
    actor: User,
    subject: str,
    body: str,
    template: EmailTemplate | None = None,
) -> LeadEmail:
    """Write an e-mail to ``lead``'s address and queue it; it leaves once the transaction
    commits, through the tenant's mail server (``email_deliver``).

    The text is sent as written (a template's merge fields were filled when it was chosen).
    Raises LeadError when ``actor`` may not change the lead, sees its address masked, the lead
    has no address, or the subject or text is empty or too long. One transaction:
    1. check 2. its links become tracked links and the HTML gets an open pixel (when tracking
    is registered and the tenant has a primary domain) 3. the outbox row, queued on commit.
    """
    refusal = email_refusal(lead=lead, user=actor)
    if refusal:
        raise LeadError(refusal)
    subject, body = " ".join(subject.split()), body.strip()
    if not subject:
        raise LeadError(_("Write a subject."), field="subject")
    if not body:
        raise LeadError(_("Write the message."), field="body")
    if len(subject) > SUBJECT_MAX or len(body) > BODY_MAX:
        raise LeadError(_("The e-mail is too long."), field="body")
    origin = tenant_origin()
    with transaction.atomic():
        tracked = _tracked_links(body, lead=lead, actor=actor, origin=origin)
        tracking = email_tracking()
        pixel_token, pixel_url = "", ""
        if tracking is not None and origin:
            pixel_token, path = tracking.pixel(lead, actor)
            pixel_url = origin + path
        message = LeadEmail.objects.create(
            lead=lead,
            sender=actor,
            template=template,
            to_email=lead.email,
            subject=subject,
            body=body,
            body_sent=_with_links(body, tracked, html=False),
            html_sent=_html(body, tracked, pixel_url),
            message_id=make_msgid(domain=urlsplit(origin).hostname or None),
            pixel_token=pixel_token,
            links=[{"url": url, "token": token} for url, (token, _link) in tracked.items()],
        )
        enqueue_on_commit(SEND_TASK, message.pk)
    return message


def email_deliver(*, message_id: int) -> LeadEmail | None:
    """Send the queued e-mail ``message_id`` and log it as its sender's Email activity.

    Sent once however often it is called, also at once: the row is locked while it is sent
    and marked SENT with its activity in the same transaction; a call that finds it SENT or
    FAILED (or gone) does nothing. Should the worker die after the server took the mail but
    before the commit, the retry sends it again with the same Message-ID (mail clients show
    it once): at least once, never twice in the ordinary course.

    Raises DeliveryFailed: ``temporary`` (no answer, a 4xx) leaves the row QUEUED with the
    error for the task to retry; otherwise the row is FAILED with the server's answer."""
    failure = None
    with transaction.atomic():
        message = (
            LeadEmail.objects.select_for_update(of=("self",))
            .select_related("lead", "sender")
            .filter(pk=message_id)
            .first()
        )
        if message is None or message.status != LeadEmail.Status.QUEUED:
            return message
        message.attempts += 1
        if message.lead.status == LeadStatus.VOID:
            failure = DeliveryFailed(
                _("The lead was voided before the e-mail left."), temporary=False
            )
        else:
            mailer = mailer_for(message.sender)
            try:
                mailer.send(_outgoing(message, mailer.from_email))
            except Exception as exc:  # the server's answer is kept; the task decides on retries
                failure = DeliveryFailed(
                    smtp_error_text(exc), temporary=smtp_error_is_temporary(exc)
                )
                if not isinstance(exc, OSError):
                    logger.exception("e-mail %s failed unexpectedly", message.uuid)
            else:
                _sent(message, via=mailer.via)
                return message
        message.error = failure.message
        if not failure.temporary:
            message.status = LeadEmail.Status.FAILED
        message.save(update_fields=["attempts", "error", "status"])
    raise failure


def _outgoing(message: LeadEmail, from_email: str) -> EmailMultiAlternatives:
    sender_email = message.sender.email if message.sender is not None else ""
    outgoing = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_sent or message.body,
        from_email=from_email,
        to=[message.to_email],
        reply_to=[sender_email] if sender_email else None,
        headers={"Message-ID": message.message_id},
    )
    if message.html_sent:
        outgoing.attach_alternative(message.html_sent, "text/html")
    return outgoing


def _sent(message: LeadEmail, *, via: str) -> None:
    """Mark it SENT and log the Email activity (in the caller's transaction). A lead that can
    no longer take an activity does not unsend the e-mail: the record says it left."""
    now = timezone.now()
    try:
        message.activity = activity_log(
            lead=message.lead,
            actor=message.sender,
            kind=Activity.Kind.EMAIL,
            subject=message.subject,
            body=message.body,
            occurred_at=now,
        )
    except LeadError as exc:
        logger.warning("e-mail %s sent without an activity: %s", message.uuid, exc.message)
    message.status, message.sent_at, message.sent_via, message.error = (
        LeadEmail.Status.SENT,
        now,
        via,
        "",
    )
    message.save(update_fields=["status", "sent_at", "sent_via", "error", "attempts", "activity"])


def email_give_up(*, message_id: int, error: str) -> bool:
    """The task's retries are spent: a QUEUED e-mail becomes FAILED with ``error``. Returns
    whether it did (a conditional update: one that was sent meanwhile stays SENT)."""
    queued = LeadEmail.objects.filter(pk=message_id, status=LeadEmail.Status.QUEUED)
    return bool(queued.update(status=LeadEmail.Status.FAILED, error=error[:500]))


# --- reads: the lead page's Emails tab --------------------------------------------------------


@dataclass
class LinkSeen:
    url: str
    clicks: list[datetime] = field(default_factory=list)


@dataclass
class EmailRow:
    message: LeadEmail
    #: The address as the reader may see it (masked for who sees the lead's contacts masked).
    to: str
    opens: list[datetime]
    links: list[LinkSeen]
    tracked: bool

    @property
    def clicks(self) -> int:
        return sum(len(link.clicks) for link in self.links)


def lead_emails(lead: Lead, *, masked: bool = False, limit: int = 50) -> list[EmailRow]:
    """The lead's e-mails, newest first, with when each was opened and its links clicked (two
    queries whatever the number); ``masked``: the addresses are shown masked."""
    messages = list(LeadEmail.objects.filter(lead=lead).select_related("sender")[:limit])
    tracking = email_tracking()
    tokens = [m.pixel_token for m in messages] + [
        link["token"] for m in messages for link in m.links
    ]
    seen = tracking.seen(tokens) if tracking is not None and any(tokens) else {}
    return [
        EmailRow(
            message=m,
            to=mask_value("email", m.to_email) if masked else m.to_email,
            opens=seen.get(m.pixel_token, []) if m.pixel_token else [],
            links=[LinkSeen(link["url"], seen.get(link["token"], [])) for link in m.links],
            tracked=bool(m.pixel_token),
        )
        for m in messages
    ]
