"""Readable change history from django-simple-history records."""

from django import template

register = template.Library()


@register.filter
def history_changes(record):
    """The fields a history record changed against the previous one: [(field, old, new)].

    Empty for a creation record (nothing before it)."""
    previous = record.prev_record
    if previous is None:
        return []
    meta = record.instance_type._meta
    rows = []
    for change in record.diff_against(previous).changes:
        try:
            label = str(meta.get_field(change.field).verbose_name)
        except Exception:
            label = change.field
        rows.append((label[:1].upper() + label[1:], change.old, change.new))
    return rows
