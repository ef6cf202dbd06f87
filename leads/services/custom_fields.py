"""Custom fields defined by tenant admins, for leads and for the records other apps register
(leads.hooks.register_custom_field_record); every function works on one record, "lead" unless
told otherwise.

The value format, shared by the lead form, imports, assignment rules and scoring:
values live in ``Lead.custom_data`` as JSON, keyed by the definition's ``key``:

- text -> str, trimmed, at most 1,000 characters
- number -> int when whole, else float (finite, below 10^15 either way)
- date -> "YYYY-MM-DD"
- choice -> one of the definition's ``choices`` (str)
- multi_choice -> list of ``choices``, in the definition's order, without repeats
- boolean -> true / false

An empty value is absent: never null, "" or []. ``custom_value_parse`` turns one raw value
(form input, spreadsheet cell, API JSON) into this form; ``custom_data_clean`` checks a whole
``{key: raw}`` dict; ``custom_fields_active`` lists the definitions in their order. A key
never changes once created, nor does a field's type, so stored values, import mappings and
rules keep meaning the same thing. A deactivated field's values stay on the leads that have
them, but no longer show, filter or accept new values.
"""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from leadcrm.accounts.models import User
from leads.errors import LeadError
from leads.fields import (
    T,
    custom_fields_active,
    custom_value_parse,
)
from leads.hooks import custom_field_records
from leads.models import CustomFieldDefinition
from leads.services.config import admin_check, position_move

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


LABEL_MAX = 100


CHOICE_MAX = 100


CHOICE_TYPES = (T.CHOICE, T.MULTI_CHOICE)


def custom_data_clean(*, data: dict, partial: bool, record: str = "lead") -> dict:
    """Validate ``data`` ({key: raw value}) against the record's active definitions; return
    the values in their JSON form, empty ones dropped.

    Unknown (or deactivated) keys are refused. A required field given empty is refused; with
    ``partial=False`` (a new lead) every required field must be given. Raises
    LeadError(field="cf_<key>") naming the field and what is wrong.
    """
    definitions = {d.key: d for d in custom_fields_active(record)}
    unknown = sorted(set(data) - set(definitions))
    if unknown:
        raise LeadError(_("Unknown custom field: %(key)s.") % {"key": ", ".join(unknown)})
    cleaned = {}
    for key, raw in data.items():
        definition = definitions[key]
        try:
            value = custom_value_parse(definition, raw)
        except ValueError as exc:
            raise LeadError(f"{definition.label}: {exc}", field=f"cf_{key}") from exc
        if value is not None:
            cleaned[key] = value
        elif definition.required:
            raise _required(definition)
    if not partial:
        for key, definition in definitions.items():
            if definition.required and key not in cleaned:
                raise _required(definition)
    return cleaned


def _required(definition: CustomFieldDefinition) -> LeadError:
    return LeadError(
        _("%(label)s is required.") % {"label": definition.label}, field=f"cf_{definition.key}"
    )


def _label_clean(label: str) -> str:
    label = " ".join((label or "").split())
    if not label:
        raise LeadError(_("Enter a label."), field="label")
    if len(label) > LABEL_MAX:
        raise LeadError(
            _("A label has at most %(max)d characters.") % {"max": LABEL_MAX}, field="label"
        )
    return label


def _choices_clean(field_type: str, choices) -> list[str]:
    """The choices without blanks and repeats, in the order given; required for the choice
    types and dropped for the others."""
    if field_type not in CHOICE_TYPES:
        return []
    cleaned = list(dict.fromkeys(" ".join(c.split()) for c in choices if c and c.strip()))
    if not cleaned:
        raise LeadError(_("List the choices, one per line."), field="choices")
    too_long = [c for c in cleaned if len(c) > CHOICE_MAX]
    if too_long:
        raise LeadError(
            _("A choice has at most %(max)d characters: %(choice)s")
            % {"max": CHOICE_MAX, "choice": too_long[0][:40] + "…"},
            field="choices",
        )
    return cleaned


def custom_field_create(
    *,
    actor: User,
    key: str,
    label: str,
    field_type: str,
    choices=(),
    required: bool = False,
    filterable: bool = True,
    record: str = "lead",
) -> CustomFieldDefinition:
    """Define a new field of ``record`` at the end of that record's list. Tenant admins only.

    The key (a letter, then lower-case letters, digits and _; at most 40) is permanent:
    stored values, import mappings and rules refer to it. Refuses a record nobody registered,
    a key already used for the record (by an active or deactivated field), an unknown type,
    and a choice type without choices.
    """
    admin_check(actor)
    if record not in dict(custom_field_records()):
        raise LeadError(_("Choose a record."), field="record")
    if field_type not in T.values:
        raise LeadError(_("Choose a type."), field="field_type")
    label = _label_clean(label)
    key = (key or "").strip().lower()
    if not KEY_RE.match(key):
        raise LeadError(
            _("A key starts with a letter and has lower-case letters, digits and _ (at most 40)."),
            field="key",
        )
    choices = _choices_clean(field_type, list(choices))
    try:
        with transaction.atomic():
            last = CustomFieldDefinition.objects.filter(record=record).order_by("-position").first()
            return CustomFieldDefinition.objects.create(
                record=record,
                key=key,
                label=label,
                field_type=field_type,
                choices=choices,
                required=required,
                filterable=filterable,
                position=last.position + 1 if last else 0,
            )
    except IntegrityError as exc:
        raise LeadError(_("The key %(key)s is taken.") % {"key": key}, field="key") from exc


def custom_field_update(
    *,
    actor: User,
    definition: CustomFieldDefinition,
    label: str,
    choices,
    required: bool,
    filterable: bool,
    is_active: bool | None = None,
    key: str | None = None,
    field_type: str | None = None,
) -> CustomFieldDefinition:
    """Change a field's label, choices and flags (and, with ``is_active``, whether it is in
    use). Its key and type never change: a ``key`` or ``field_type`` other than the current
    one is refused. Leads keep values of choices removed here until they are edited.
    """
    admin_check(actor)
    if key is not None and key.strip().lower() != definition.key:
        raise LeadError(
            _("The key of a field never changes: stored values and imports refer to it."),
            field="key",
        )
    if field_type is not None and field_type != definition.field_type:
        raise LeadError(_("The type of a field never changes."), field="field_type")
    label = _label_clean(label)
    choices = _choices_clean(definition.field_type, list(choices))
    with transaction.atomic():
        locked = CustomFieldDefinition.objects.select_for_update().get(pk=definition.pk)
        locked.label, locked.choices = label, choices
        locked.required, locked.filterable = required, filterable
        if is_active is not None:
            locked.is_active = is_active
        locked.save(update_fields=["label", "choices", "required", "filterable", "is_active"])
    return locked


def custom_field_set_active(
    *, actor: User, definition: CustomFieldDefinition, is_active: bool
) -> CustomFieldDefinition:
    """Deactivate a field (hidden from forms, the lead page and filters; stored values stay)
    or bring it back with the values leads still have."""
    admin_check(actor)
    with transaction.atomic():
        locked = CustomFieldDefinition.objects.select_for_update().get(pk=definition.pk)
        if locked.is_active == is_active:
            return locked
        if is_active:  # back at the end of the form
            last = CustomFieldDefinition.objects.filter(
                record=locked.record, is_active=True
            ).order_by("-position")
            locked.position = last.first().position + 1 if last.exists() else 0
        locked.is_active = is_active
        locked.save(update_fields=["is_active", "position"])
    return locked


def custom_field_move(*, actor: User, definition: CustomFieldDefinition, direction: str) -> None:
    """Move an active field one place up or down among its record's fields (form and page)."""
    admin_check(actor)
    position_move(
        model=CustomFieldDefinition, item=definition, direction=direction, record=definition.record
    )
