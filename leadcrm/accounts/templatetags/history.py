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
            field = meta.get_field(change.field)
        except Exception:
            field = None
        label = str(field.verbose_name) if field is not None else change.field
        rows.append(
            (label[:1].upper() + label[1:], _shown(field, change.old), _shown(field, change.new))
        )
    return rows


def _shown(field, value):
    """A value as people read it: a choice's label, a related object's name, a list joined."""
    if value in (None, "", [], {}):
        return value
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if field is None:
        return value
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if field.is_relation and field.many_to_one:
        related = field.related_model._base_manager.filter(pk=value).first()
        return str(related) if related is not None else value
    return value
