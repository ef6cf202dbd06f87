"""Team discussion on a lead, with @mentions."""

from __future__ import annotations

import re

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from leadcrm.accounts.models import User
from leadcrm.notifications.models import Notification
from leadcrm.notifications.services import notification_send
from leadcrm.notifications.texts import text
from leads.errors import LeadError
from leads.models import Comment, Lead
from leads.selectors import leads_visible_to

MAX_COMMENT = 5000


def mentions_find(body: str) -> list[User]:
    """Active users named in ``body`` as ``@Full Name`` or ``@email-name`` (before the @ of
    their email). Longest names win, so "@Li Na" is not read as "@Li"."""
    text = body.casefold()
    found: dict[int, User] = {}
    users = User.objects.filter(is_active=True).only("pk", "full_name", "email", "is_active")
    candidates = []
    for user in users:
        candidates.append((user.full_name.casefold(), user))
        candidates.append((user.email.split("@", 1)[0].casefold(), user))
    for handle, user in sorted(candidates, key=lambda c: -len(c[0])):
        if not handle:
            continue
        pattern = re.compile(r"(?:^|(?<=\s)|(?<=[(（]))@" + re.escape(handle) + r"(?![\w.-])")
        if pattern.search(text):
            found[user.pk] = user
            text = pattern.sub(" ", text)
    return list(found.values())


def comment_add(*, lead: Lead, author: User, body: str) -> Comment:
    """Post a comment on a lead. People @mentioned who may see the lead are notified (by the
    app and by email); mentions of people who may not see it notify nobody, so a comment
    never leaks a lead."""
    body = (body or "").strip()
    if not body:
        raise LeadError(_("Write something first."), field="body")
    if len(body) > MAX_COMMENT:
        raise LeadError(
            _("A comment has at most %(max)d characters.") % {"max": MAX_COMMENT}, field="body"
        )
    mentioned = [
        user
        for user in mentions_find(body)
        if user.pk != author.pk and leads_visible_to(user).filter(pk=lead.pk).exists()
    ]
    with transaction.atomic():
        comment = Comment.objects.create(lead=lead, author=author, body=body)
        comment.mentions.set(mentioned)
        url = reverse("leads-detail", kwargs={"uuid": lead.uuid}) + "?tab=comments"
        for user in mentioned:
            notification_send(
                recipient=user,
                kind=Notification.Kind.MENTION,
                title=text("leads.mentioned", author=str(author), lead=str(lead)),
                body=body[:500],
                url=url,
                email=True,
                dedup_key=f"mention:{comment.uuid}",
            )
    return comment
