"""The lead's Change history tab (templates/leads/partials/_history.html)."""

from django import template

from leads.history import change_masked

register = template.Library()


@register.filter
def contacts_hidden(changes, masked):
    """``record.changes.person|contacts_hidden:contacts_masked``: a reader who sees the lead's
    e-mail and phones masked on its page (an unclaimed pool lead) sees them masked in its
    history too, old values included."""
    return [change_masked(c) for c in changes] if masked else changes
