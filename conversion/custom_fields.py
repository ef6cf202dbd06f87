"""The custom fields of customers, contacts and opportunities: the lead machinery
(leads.fields, leads.services.custom_fields) with ``record`` set to the record's name.

Definitions are made on Settings → Custom fields (conversion registers its records in its
AppConfig). The forms add one input per active definition (``cf_<key>``, like the lead form:
conversion.forms.custom); the services check the values with ``custom_clean``; lead_convert
keeps only the mapped values that fit (``custom_fit``); the pages read them with
``custom_rows``. Values of deactivated or unknown keys stay on the record, never lost.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from conversion.errors import ConversionError
from leads.errors import LeadError
from leads.fields import custom_fields_active, custom_fields_all, custom_value_parse
from leads.services.custom_fields import custom_data_clean

RECORDS = ("customer", "contact", "opportunity")


def custom_clean(*, record: str, data: dict, partial: bool) -> dict:
    """``data`` ({key: raw}) checked against the record's active definitions, in their JSON
    form (see leads.services.custom_fields). Raises ConversionError(field="cf_<key>")."""
    try:
        return custom_data_clean(data=data, partial=partial, record=record)
    except LeadError as exc:
        raise ConversionError(exc.message, field=exc.field) from exc


def custom_merge(current: dict, cleaned: dict, given: set) -> dict:
    """The record's custom data after an edit: the keys given replaced (cleared when empty),
    every other key (deactivated fields, data carried from a lead) kept as it was."""
    kept = {k: v for k, v in (current or {}).items() if k not in given}
    return {**kept, **cleaned}


def custom_fit(*, record: str, data: dict) -> dict:
    """The values a conversion may store on the record: a key that is one of the record's
    fields only with a value that fits it (in its JSON form); a key of a deactivated field is
    dropped; a key the record does not define is carried as it is (a lead's custom data copied
    under its own key). What is dropped stays on the lead: a conversion never fails here."""
    definitions = {d.key: d for d in custom_fields_all(record)}
    fitted = {}
    for key, raw in (data or {}).items():
        definition = definitions.get(key)
        if definition is None:
            fitted[key] = raw
            continue
        if not definition.is_active:
            continue
        try:
            value = custom_value_parse(definition, raw)
        except ValueError:
            continue
        if value is not None:
            fitted[key] = value
    return fitted


def _shown(value) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return "" if value is None else str(value)


def custom_rows(record: str, data: dict) -> list[tuple[str, str]]:
    """(label, value) to read: the record's active fields in their order (those with a
    value), then every other key with its value as stored (deactivated fields, copied lead
    data), labelled by the lead field of that key when there is one, else by the key."""
    data = data or {}
    rows = []
    active = custom_fields_active(record)
    for definition in active:
        if definition.key in data:
            rows.append((definition.label, _shown(data[definition.key])))
    known = {d.key for d in active}
    lead_labels = {d.key: d.label for d in custom_fields_active("lead")}
    for key in sorted(set(data) - known):
        rows.append((lead_labels.get(key, key), _shown(data[key])))
    return rows
