"""The lead page's "Behaviour" panel (registered in ScoringConfig.ready; leads never imports
scoring): the lead's recent tracked events and its tracked links, with a form to make one for
who may change the lead. And the tracking of the e-mails sent from the lead page
(leads.hooks.register_email_tracking): their links and open pixel are tracking tokens, so an
open or a click is a behavioural event that feeds the score."""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse

from leads.selectors import lead_can_write
from scoring.events import (
    TrackingRefused,
    lead_events_recent,
    lead_links_recent,
    tracking_link_create,
    tracking_pixel_create,
)
from scoring.models import BehaviourEvent


def lead_events_context(lead, user) -> dict:
    return {
        "events": lead_events_recent(lead),
        "links": lead_links_recent(lead),
        "can_write": lead_can_write(user, lead),
    }


def lead_events_panel(lead, user):
    return "scoring/partials/_lead_events.html", lead_events_context(lead, user)


def email_link(lead, actor, url: str) -> tuple[str, str] | None:
    """(token, path) of a tracked link to ``url``; None for an address it cannot track."""
    try:
        token = tracking_link_create(lead=lead, actor=actor, target_url=url)
    except TrackingRefused:
        return None
    return token.token, reverse("scoring-track-link", kwargs={"token": token.token})


def email_pixel(lead, actor) -> tuple[str, str]:
    token = tracking_pixel_create(lead=lead, actor=actor)
    return token.token, reverse("scoring-track-pixel", kwargs={"token": token.token})


def email_seen(tokens: list[str]) -> dict[str, list[datetime]]:
    """When each token's events happened, oldest first (one query)."""
    seen: dict[str, list[datetime]] = {}
    rows = (
        BehaviourEvent.objects.filter(token__token__in=[t for t in tokens if t])
        .order_by("at", "id")
        .values_list("token__token", "at")
    )
    for token, at in rows:
        seen.setdefault(token, []).append(at)
    return seen
