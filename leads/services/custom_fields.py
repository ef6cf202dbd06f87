"""Custom lead fields defined by tenant admins.

Values live in ``Lead.custom_data`` as JSON, keyed by the definition's ``key``:
text -> str, number -> int or float, date -> "YYYY-MM-DD", choice -> one of ``choices``,
multi_choice -> list of ``choices``, boolean -> true/false. Import mapping, assignment rules and
scoring read the same format (``custom_fields_active`` lists the definitions).
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from leadcrm.accounts.models import User
from leads.errors import LeadError
from leads.models import CustomFieldDefinition

T = CustomFieldDefinition.FieldType
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def custom_fields_active() -> list[CustomFieldDefinition]:
    return list(CustomFieldDefinition.objects.filter(is_active=True).order_by("position", "label"))


def _listed(definition: CustomFieldDefinition) -> str:
    return ", ".join(definition.choices)


def custom_value_parse(definition: CustomFieldDefinition, raw):
    """One value in its JSON form, or None when empty. Raises ValueError with a reason."""
    if raw is None or raw == "" or raw == []:
        return None
    kind = definition.field_type
    if kind == T.TEXT:
        return str(raw).strip()[:1000] or None
    if kind == T.NUMBER:
        try:
            number = Decimal(str(raw).replace(",", "").strip())
        except InvalidOperation as exc:
            raise ValueError(_("Enter a number.")) from exc
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == T.DATE:
        if isinstance(raw, datetime.date):
            return raw.isoformat()
        try:
            return datetime.date.fromisoformat(str(raw).strip()).isoformat()
        except ValueError as exc:
            raise ValueError(_("Enter a date as YYYY-MM-DD.")) from exc
    if kind == T.BOOLEAN:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("1", "true", "yes", "on", "y", "是"):
            return True
        if text in ("0", "false", "no", "off", "n", "否"):
            return False
        raise ValueError(_("Answer yes or no."))
    if kind == T.CHOICE:
        if raw not in definition.choices:
            raise ValueError(_("Choose one of: %(choices)s.") % {"choices": _listed(definition)})
        return raw
    values = raw if isinstance(raw, list | tuple) else [raw]
    unknown = [v for v in values if v not in definition.choices]
    if unknown:
        raise ValueError(_("Choose among: %(choices)s.") % {"choices": _listed(definition)})
    return [c for c in definition.choices if c in values]  # in the definition's order


def custom_data_clean(*, data: dict, partial: bool) -> dict:
    """Validate ``data`` ({key: raw value}) against the active definitions.

    Unknown keys are refused; empty values are dropped; with ``partial=False`` (a new lead)
    required fields must be present. Raises LeadError(field="cf_<key>").
    """
    definitions = {d.key: d for d in custom_fields_active()}
    unknown = sorted(set(data) - set(definitions))
    if unknown:
        raise LeadError(_("Unknown custom field: %(key)s.") % {"key": ", ".join(unknown)})
    cleaned = {}
    for key, raw in data.items():
        try:
            value = custom_value_parse(definitions[key], raw)
        except ValueError as exc:
            raise LeadError(f"{definitions[key].label}: {exc}", field=f"cf_{key}") from exc
        if value is not None:
            cleaned[key] = value
    if not partial:
        for key, definition in definitions.items():
            if definition.required and key not in cleaned:
                raise LeadError(
                    _("%(label)s is required.") % {"label": definition.label}, field=f"cf_{key}"
                )
    return cleaned


def _check(actor: User, field_type: str, choices: list[str]) -> list[str]:
    if not actor.is_tenant_admin:
        raise LeadError(_("Only tenant admins can change lead settings."))
    if field_type not in T.values:
        raise LeadError(_("Choose a type."), field="field_type")
    choices = list(dict.fromkeys(c.strip() for c in choices if c and c.strip()))
    if field_type in (T.CHOICE, T.MULTI_CHOICE) and not choices:
        raise LeadError(_("List the choices, one per line."), field="choices")
    return choices if field_type in (T.CHOICE, T.MULTI_CHOICE) else []


def custom_field_create(
    *,
    actor: User,
    key: str,
    label: str,
    field_type: str,
    choices: list[str] = (),
    required: bool = False,
    filterable: bool = True,
) -> CustomFieldDefinition:
    """Define a new field. The key is permanent (stored values and imports refer to it)."""
    choices = _check(actor, field_type, list(choices))
    key = (key or "").strip().lower()
    label = " ".join((label or "").split())
    if not KEY_RE.match(key):
        raise LeadError(
            _("A key starts with a letter and has lower-case letters, digits and _."), field="key"
        )
    if not label:
        raise LeadError(_("Enter a label."), field="label")
    position = CustomFieldDefinition.objects.count()
    try:
        with transaction.atomic():
            return CustomFieldDefinition.objects.create(
                key=key,
                label=label,
                field_type=field_type,
                choices=choices,
                required=required,
                filterable=filterable,
                position=position,
            )
    except IntegrityError as exc:
        raise LeadError(_("The key %(key)s is taken.") % {"key": key}, field="key") from exc


def custom_field_update(
    *,
    actor: User,
    definition: CustomFieldDefinition,
    label: str,
    choices: list[str],
    required: bool,
    filterable: bool,
    is_active: bool,
) -> CustomFieldDefinition:
    """Change a field's label, choices and flags; its key and type never change."""
    choices = _check(actor, definition.field_type, list(choices))
    label = " ".join((label or "").split())
    if not label:
        raise LeadError(_("Enter a label."), field="label")
    definition.label, definition.choices = label, choices
    definition.required, definition.filterable = required, filterable
    definition.is_active = is_active
    definition.save()
    return definition
