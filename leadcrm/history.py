"""What a django-simple-history record changed, as people read it.

``record_changes`` compares a record with the one before it and keeps the fields that really
changed: values that read the same are not changes (None and "", the same items in another
order, two times in the same minute: history shows times to the minute, so a timestamp saved
again a few microseconds or seconds later would read "18:06 → 18:06"). The changes are split
into the person's and the system's: ``system_fields`` are the ones the system keeps up to date
as a consequence of something else (a score, the time a stage last changed). This is decided
when the history is read, from the model's list, so records written before the list existed
read right too.

Values are worded when shown (``FieldChange.old_shown``, read by the template while it
renders): in the reader's language and time zone, times as the language's short date and
time ("1 Dec 2026, 18:06", "2026年12月1日 18:06"), dates as its short date.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class FieldChange:
    """One field's change: ``label`` is lazy (the field's verbose name), ``old`` and ``new`` are
    stored values; ``show`` words a value (default: by the model field, see value_shown)."""

    name: str
    label: object
    old: object
    new: object
    model_field: models.Field | None = None
    show: Callable[[object], object] | None = None

    def _shown(self, value):
        return self.show(value) if self.show is not None else value_shown(self.model_field, value)

    @property
    def old_shown(self):
        return self._shown(self.old)

    @property
    def new_shown(self):
        return self._shown(self.new)


@dataclass(frozen=True)
class RecordChanges:
    """A record's visible changes: what the person changed, and what the system kept up to
    date with it. False when there is nothing to show."""

    person: list[FieldChange] = field(default_factory=list)
    system: list[FieldChange] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.person or self.system)


def record_changes(record, previous, *, system_fields: Iterable[str] = ()) -> RecordChanges:
    """The fields ``record`` changed against ``previous`` (a record of the same object, or None
    for none: a creation), in the model's field order, no-ops left out, split by
    ``system_fields``."""
    if previous is None:
        return RecordChanges()
    meta = record.instance_type._meta
    order = {f.name: i for i, f in enumerate(meta.get_fields())}
    system_fields = frozenset(system_fields)
    person, system = [], []
    for change in record.diff_against(previous).changes:
        if values_read_the_same(change.old, change.new):
            continue
        try:
            model_field = meta.get_field(change.field)
        except FieldDoesNotExist:
            model_field = None
        label = getattr(model_field, "verbose_name", None) or change.field
        item = FieldChange(change.field, label, change.old, change.new, model_field)
        (system if change.field in system_fields else person).append(item)
    person.sort(key=lambda c: order.get(c.name, len(order)))
    system.sort(key=lambda c: order.get(c.name, len(order)))
    return RecordChanges(person=person, system=system)


def values_read_the_same(old, new) -> bool:
    """Whether two stored values would read the same: see the module docstring."""
    return _normalised(old) == _normalised(new)


def _normalised(value):
    if isinstance(value, datetime.datetime):
        return value.replace(second=0, microsecond=0)
    if isinstance(value, dict):
        items = {k: v for k, v in ((k, _normalised(v)) for k, v in value.items()) if v is not None}
        return items or None
    if isinstance(value, list | tuple):
        items = [v for v in (_normalised(v) for v in value) if v is not None]
        return sorted(items, key=repr) if items else None
    if isinstance(value, str):
        return value.strip() or None
    return value


def moment_shown(value: datetime.datetime) -> str:
    """A time as the reader's language writes a short date and time, in their time zone."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "SHORT_DATETIME_FORMAT")


def value_shown(model_field, value):
    """A stored value as people read it (None when empty, the template shows a dash): a
    choice's label, a related object's name, yes/no, times and dates in the reader's format,
    lists joined."""
    if value is None or value == "" or value == [] or value == {}:
        return None
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return moment_shown(value)
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, list | tuple):
        item_field = getattr(model_field, "base_field", None)
        shown = (value_shown(item_field, v) for v in value)
        return ", ".join(str(v) for v in shown if v is not None) or None
    if isinstance(value, dict):
        shown = ((k, value_shown(None, v)) for k, v in value.items())
        return "; ".join(f"{k}: {v}" for k, v in shown if v is not None) or None
    if model_field is None:
        return value
    if model_field.choices:
        return dict(model_field.flatchoices).get(value, value)
    if model_field.is_relation and model_field.many_to_one:
        related = model_field.related_model._base_manager.filter(pk=value).first()
        return str(related) if related is not None else value
    return value
