"""How a lead's change history reads (leads.selectors.lead_history, the lead page's History tab).

A history record is written when someone's action saves the lead, and it carries every field
that differs from the record before: the person's change, and whatever the system kept up to
date meanwhile (scoring writes the score with a plain UPDATE, so a new score shows up in the
next person's record). ``SYSTEM_FIELDS`` is the one list of the fields the system keeps: they
are shown apart, attributed to the system, however old the record (leadcrm.history).
"""

from __future__ import annotations

import dataclasses
import datetime

from django.db.models import Q
from django.utils import formats

from leadcrm.history import (
    FieldChange,
    RecordChanges,
    record_changes,
    value_shown,
    values_read_the_same,
)
from leads.masking import MASKED_FIELDS, mask_value
from leads.models import DEDUP_KEY_FIELDS, CustomFieldDefinition, Lead

#: Lead fields no person sets: consequences of something else. Scoring writes the score, its
#: grade, probability and automatic tags; assigning stamps ``assigned_at``; a status or stage
#: change stamps its time, a conversion ``converted_at``; logging an activity moves the first
#: follow-up and the last activity; every save derives the duplicate keys; creation and
#: imports stamp who, when and from which file.
SYSTEM_FIELDS = frozenset(
    {
        "score",
        "grade",
        "conversion_probability",
        "auto_tags",
        "assigned_at",
        "status_changed_at",
        "stage_changed_at",
        "converted_at",
        "first_follow_up_at",
        "last_activity_at",
        "created_at",
        "created_by",
        "updated_at",
        "import_job",
        *DEDUP_KEY_FIELDS,
    }
)


def lead_record_changes(record, previous) -> RecordChanges:
    """What ``record`` (a Lead history record) changed against ``previous`` (the lead's record
    before it, None for a creation): the person's changes, custom fields one by one under their
    labels, and the system's."""
    changes = record_changes(record, previous, system_fields=SYSTEM_FIELDS)
    person = []
    for change in changes.person:
        if change.name == "custom_data":
            person.extend(_custom_field_changes(change))
        else:
            person.append(change)
    return RecordChanges(person=person, system=changes.system)


def change_masked(change: FieldChange) -> FieldChange:
    """``change`` with its values masked (a****@example.com, 138****5678) when it is of a
    contact detail that readers of a masked lead must not see (leads.masking)."""
    if change.name not in MASKED_FIELDS:
        return change
    return dataclasses.replace(change, show=lambda value: mask_value(change.name, value) or None)


def lead_records_paired(records: list) -> list[tuple[object, object | None]]:
    """Each of ``records`` (Lead history records, newest first) with the record before it of
    the same lead: the next one of that lead in ``records``, else one query for it (none when
    the oldest one read is the lead's creation)."""
    pairs, last_seen = [], {}
    for record in reversed(records):  # oldest first
        if record.id in last_seen:
            previous = last_seen[record.id]
        elif record.history_type == "+":
            previous = None
        else:
            previous = _record_before(record)
        pairs.append((record, previous))
        last_seen[record.id] = record
    pairs.reverse()
    return pairs


def _record_before(record):
    at, pk = record.history_date, record.history_id
    return (
        Lead.history.filter(id=record.id)
        .filter(Q(history_date__lt=at) | Q(history_date=at, history_id__lt=pk))
        .order_by("-history_date", "-history_id")
        .first()
    )


def _custom_field_changes(change: FieldChange) -> list[FieldChange]:
    """The custom fields ``change`` (of ``custom_data``) changed, each under its label (the
    key when its definition is gone), worded by its type."""
    old, new = change.old or {}, change.new or {}
    definitions = {
        d.key: d for d in CustomFieldDefinition.objects.filter(record="lead", key__in={*old, *new})
    }
    changes = []
    for key in sorted({*old, *new}, key=lambda k: _position(definitions.get(k), k)):
        definition = definitions.get(key)
        item = FieldChange(
            f"custom_data.{key}",
            definition.label if definition else key,
            old.get(key),
            new.get(key),
            show=_custom_value_shown(definition),
        )
        if not values_read_the_same(item.old, item.new):
            changes.append(item)
    return changes


def _position(definition, key: str):
    return (0, definition.position, definition.label) if definition else (1, 0, key)


def _custom_value_shown(definition):
    """A custom value as read: dates (stored as YYYY-MM-DD) in the reader's date format."""
    is_date = definition is not None and (
        definition.field_type == CustomFieldDefinition.FieldType.DATE
    )

    def shown(value):
        if is_date and isinstance(value, str):
            try:
                return formats.date_format(datetime.date.fromisoformat(value), "SHORT_DATE_FORMAT")
            except ValueError:
                return value
        return value_shown(None, value)

    return shown
