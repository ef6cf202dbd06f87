"""Custom fields made from the columns an import leaves unmapped ("Create custom fields for
unmapped columns" on the mapping page, ``--create-fields`` on ``manage.py import_leads``).

Each unmapped column that has values becomes a lead custom field labelled with its header,
with a key made from the header (Chinese in pinyin: 预算 -> ``yu_suan``) and a type read from
its values, checked with the import's own parser so that every value then lands:

- yes / no / true / false / 是 / 否 only -> boolean
- numbers only (a leading zero, as in 020100, keeps it text) -> number
- dates only -> date
- at most 20 distinct values, each used twice on average -> choice, with those values
- anything else -> text

A header that names an active custom field not mapped yet is mapped to it instead.
"""

from __future__ import annotations

import re
import unicodedata
from types import SimpleNamespace

from django.utils.translation import gettext as _
from pypinyin import lazy_pinyin

from leadcrm.accounts.models import User
from leads.errors import LeadError
from leads.importing.mapping import _custom_clean, _norm, date_parse
from leads.importing.reader import Table
from leads.models import CustomFieldDefinition
from leads.services.custom_fields import CHOICE_MAX, LABEL_MAX, custom_field_create

T = CustomFieldDefinition.FieldType
BOOLEAN_WORDS = {"yes", "no", "true", "false", "y", "n", "是", "否"}
CHOICES_MAX = 20
KEY_MAX = 40


def column_type_infer(values: list[str]) -> tuple[str, list[str]]:
    """(field type, choices) for a column's non-empty values."""
    if all(v.casefold() in BOOLEAN_WORDS for v in values):
        return T.BOOLEAN, []
    if all(_is_number(v) for v in values):
        return T.NUMBER, []
    if all(date_parse(v) is not None for v in values):
        return T.DATE, []
    distinct = list(dict.fromkeys(values))
    if (
        len(distinct) <= CHOICES_MAX
        and len(values) >= 2 * len(distinct)
        and all(len(v) <= CHOICE_MAX and v == " ".join(v.split()) for v in distinct)
    ):
        return T.CHOICE, distinct
    return T.TEXT, []


def _is_number(value: str) -> bool:
    text = unicodedata.normalize("NFKC", value).strip()
    if re.match(r"^[+-]?0\d", text) or not any(c.isdigit() for c in text):
        return False  # a zip code or an id (its zeros matter); "nan" or "inf"
    _value, reason = _custom_clean(SimpleNamespace(field_type=T.NUMBER), value)
    return reason is None


def column_key(header: str) -> str:
    """A custom field key made from a column header ("" when none can be made)."""
    spelled = " ".join(lazy_pinyin(header))  # Chinese characters in pinyin, the rest as it is
    ascii_text = unicodedata.normalize("NFKD", spelled).encode("ascii", "ignore").decode()
    key = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")
    if key and not key[0].isalpha():
        key = f"f_{key}"
    return key[:KEY_MAX].rstrip("_")


def _key_free(base: str, taken: set[str]) -> str:
    key, n = base, 1
    while key in taken:
        n += 1
        suffix = f"_{n}"
        key = base[: KEY_MAX - len(suffix)] + suffix
    return key


def import_fields_create(*, actor: User, table: Table, mapping: dict) -> dict:
    """The mapping with every unmapped column that has values mapped to a custom field: an
    active one its header names, else one created here (see the module docstring). Call in
    the transaction that starts the import, so that a refusal creates none. Tenant admins
    only; raises LeadError naming the column whose header makes no key."""
    mapping = {column: target for column, target in mapping.items() if target}
    definitions = list(CustomFieldDefinition.objects.filter(record="lead"))
    by_name = {}
    for definition in definitions:
        if definition.is_active:
            by_name.setdefault(_norm(definition.label), definition)
            by_name.setdefault(_norm(definition.key), definition)
    taken = {d.key for d in definitions}
    used = set(mapping.values())
    for index, header in enumerate(table.headers):
        if str(index) in mapping:
            continue
        values = [cells[index] for _n, cells in table.rows if index < len(cells) and cells[index]]
        if not values:
            continue
        existing = by_name.get(_norm(header))
        if existing is not None and f"cf:{existing.key}" not in used:
            mapping[str(index)] = f"cf:{existing.key}"
            used.add(mapping[str(index)])
            continue
        base = column_key(header)
        if not base:
            raise LeadError(
                _("No field key can be made from the column name “%(column)s”: rename the "
                  "column (with letters or Chinese characters) or choose a field for it.")
                % {"column": header}
            )  # fmt: skip
        field_type, choices = column_type_infer(values)
        definition = custom_field_create(
            actor=actor,
            key=_key_free(base, taken),
            label=header[:LABEL_MAX],
            field_type=field_type,
            choices=choices,
        )
        taken.add(definition.key)
        mapping[str(index)] = f"cf:{definition.key}"
        used.add(mapping[str(index)])
    return mapping
