"""The lead page's "Behaviour" panel (registered in ScoringConfig.ready; leads never imports
scoring): the lead's recent tracked events and its tracked links, with a form to make one for
who may change the lead."""

from __future__ import annotations

from leads.selectors import lead_can_write
from scoring.events import lead_events_recent, lead_links_recent


def lead_events_context(lead, user) -> dict:
    return {
        "events": lead_events_recent(lead),
        "links": lead_links_recent(lead),
        "can_write": lead_can_write(user, lead),
    }


def lead_events_panel(lead, user):
    return "scoring/partials/_lead_events.html", lead_events_context(lead, user)
