"""Readable change history from django-simple-history records (see leadcrm.history)."""

from django import template
from django.utils.text import capfirst

from leadcrm.history import record_changes

register = template.Library()


@register.filter
def history_changes(record):
    """The fields a history record changed against the previous one, as read:
    [(label, old, new)]; values that read the same are left out.

    Empty for a creation record (nothing before it). Pages with a model that has
    system-kept fields (the lead) split them in their selector instead."""
    changes = record_changes(record, record.prev_record)
    return [(capfirst(c.label), c.old_shown, c.new_shown) for c in changes.person]
