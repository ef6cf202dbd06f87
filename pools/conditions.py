"""Conditions of assignment rules: which lead fields they test, with which operators.

A rule's ``conditions`` is a list of groups, each a list of rows ``{"field", "op", "value"}``.
All rows of a group must hold (AND); the rule matches when any group holds (OR); no groups
match every lead. Fields are the lead's own (region, industry, source, score ...) and its custom
fields as ``cf:<key>``. Text compares case-insensitively; numbers compare as numbers; for "in"
the value is a list (or a comma-separated text). ``tags`` holds when any tag matches.

Conditions are evaluated in Python on loaded leads: a tenant has tens of rules, and routing
loads the leads anyway (see pools.services.routing), so this is microseconds per lead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from leads.errors import LeadError
from leads.models import (
    CompanySize,
    CustomFieldDefinition,
    Lead,
    Priority,
    RevenueRange,
    SourceChannel,
)

TEXT, NUMBER, CHOICE, TAGS = "text", "number", "choice", "tags"

OPERATORS = {
    "eq": gettext_lazy("is"),
    "ne": gettext_lazy("is not"),
    "in": gettext_lazy("is one of"),
    "not_in": gettext_lazy("is none of"),
    "contains": gettext_lazy("contains"),
    "not_contains": gettext_lazy("does not contain"),
    "gt": gettext_lazy("is greater than"),
    "gte": gettext_lazy("is at least"),
    "lt": gettext_lazy("is less than"),
    "lte": gettext_lazy("is at most"),
    "empty": gettext_lazy("is empty"),
    "not_empty": gettext_lazy("is not empty"),
}
OPERATORS_BY_KIND = {
    TEXT: ["eq", "ne", "in", "not_in", "contains", "not_contains", "empty", "not_empty"],
    CHOICE: ["eq", "ne", "in", "not_in", "empty", "not_empty"],
    TAGS: ["contains", "not_contains", "in", "empty", "not_empty"],
    NUMBER: ["eq", "ne", "gt", "gte", "lt", "lte", "empty", "not_empty"],
}
NO_VALUE = {"empty", "not_empty"}


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    kind: str
    choices: tuple[tuple[str, str], ...] = ()


def _source_choices():
    return tuple(SourceChannel.objects.order_by("position").values_list("code", "name"))


_BUILTIN = [
    ("region", TEXT),
    ("city", TEXT),
    ("country", TEXT),
    ("industry", TEXT),
    ("product_line", TEXT),
    ("company", TEXT),
    ("job_title", TEXT),
    ("source_detail", TEXT),
    ("email", TEXT),
    ("tags", TAGS),
    ("score", NUMBER),
    ("grade", TEXT),
]


def field_specs() -> dict[str, FieldSpec]:
    """Every field a condition may test, in the order the rule editor lists them."""
    specs: dict[str, FieldSpec] = {}
    meta = Lead._meta
    for key, kind in _BUILTIN:
        specs[key] = FieldSpec(key, str(meta.get_field(key).verbose_name).capitalize(), kind)
    specs["source"] = FieldSpec("source", _("Source"), CHOICE, _source_choices())
    specs["company_size"] = FieldSpec(
        "company_size", _("Company size"), CHOICE, tuple(CompanySize.choices)
    )
    specs["annual_revenue"] = FieldSpec(
        "annual_revenue", _("Annual revenue"), CHOICE, tuple(RevenueRange.choices)
    )
    specs["priority"] = FieldSpec("priority", _("Priority"), CHOICE, tuple(Priority.choices))
    types = CustomFieldDefinition.FieldType
    for definition in CustomFieldDefinition.objects.filter(record="lead", is_active=True):
        kind = {
            types.NUMBER: NUMBER,
            types.CHOICE: CHOICE,
            types.MULTI_CHOICE: TAGS,
        }.get(definition.field_type, TEXT)
        choices = tuple((c, c) for c in definition.choices) if kind in (CHOICE, TAGS) else ()
        specs[f"cf:{definition.key}"] = FieldSpec(
            f"cf:{definition.key}", definition.label, kind, choices
        )
    return specs


def _as_list(value) -> list[str]:
    if isinstance(value, list | tuple):
        items = value
    else:
        items = re.split(r"[,，、;；\n]", str(value or ""))
    return [str(i).strip() for i in items if str(i).strip()]


def _as_number(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        return None


def conditions_clean(conditions, specs: dict[str, FieldSpec] | None = None) -> list[list[dict]]:
    """Check and normalise conditions from the editor or an import; raise LeadError if wrong.

    Empty rows (no field) are dropped, and so are groups left empty.
    """
    specs = specs if specs is not None else field_specs()
    if not isinstance(conditions, list):
        raise LeadError(_("Conditions must be a list of groups."))
    cleaned = []
    for group in conditions:
        rows = []
        for row in group if isinstance(group, list) else []:
            field, op = (row or {}).get("field") or "", (row or {}).get("op") or ""
            if not field:
                continue
            spec = specs.get(field)
            if spec is None:
                raise LeadError(_("Unknown field in a condition: %(field)s.") % {"field": field})
            if op not in OPERATORS_BY_KIND[spec.kind]:
                raise LeadError(
                    _("“%(op)s” cannot be used with %(field)s.")
                    % {"op": OPERATORS.get(op, op), "field": spec.label}
                )
            value = row.get("value")
            if op in NO_VALUE:
                value = ""
            elif op in ("in", "not_in") or spec.kind == TAGS:
                value = _as_list(value)
                if not value:
                    raise LeadError(_("Give a value for %(field)s.") % {"field": spec.label})
            elif spec.kind == NUMBER:
                if _as_number(value) is None:
                    raise LeadError(_("%(field)s needs a number.") % {"field": spec.label})
                value = str(_as_number(value))
            else:
                value = str(value or "").strip()
                if not value:
                    raise LeadError(_("Give a value for %(field)s.") % {"field": spec.label})
            rows.append({"field": field, "op": op, "value": value})
        if rows:
            cleaned.append(rows)
    return cleaned


def lead_value(lead: Lead, field: str):
    """The value a condition compares, from a lead (source by code, custom fields by key)."""
    if field.startswith("cf:"):
        return (lead.custom_data or {}).get(field[3:])
    if field == "source":
        return lead.source.code if lead.source_id else ""
    return getattr(lead, field)


def _row_holds(row: dict, lead: Lead) -> bool:
    op, expected = row["op"], row["value"]
    actual = lead_value(lead, row["field"])
    if isinstance(actual, list | tuple):  # tags and multiple-choice custom fields
        have = {str(a).strip().casefold() for a in actual}
        wanted = {str(e).casefold() for e in _as_list(expected)}
        return {
            "contains": bool(have & wanted),
            "in": bool(have & wanted),
            "not_contains": not (have & wanted),
            "not_in": not (have & wanted),
            "eq": bool(have & wanted),
            "ne": not (have & wanted),
            "empty": not have,
            "not_empty": bool(have),
        }.get(op, False)
    if op == "empty":
        return actual in (None, "")
    if op == "not_empty":
        return actual not in (None, "")
    if op in ("gt", "gte", "lt", "lte") or (
        isinstance(actual, int | float | Decimal) and not isinstance(actual, bool)
    ):
        left, right = _as_number(actual), _as_number(expected)
        if left is None or right is None:
            return op == "ne"
        return {
            "eq": left == right,
            "ne": left != right,
            "gt": left > right,
            "gte": left >= right,
            "lt": left < right,
            "lte": left <= right,
        }.get(op, False)
    text = str(actual if actual is not None else "").strip().casefold()
    if op in ("in", "not_in"):
        found = text in {e.casefold() for e in _as_list(expected)}
        return found if op == "in" else not found
    needle = str(expected).casefold()
    return {
        "eq": text == needle,
        "ne": text != needle,
        "contains": needle in text,
        "not_contains": needle not in text,
    }.get(op, False)


def conditions_match(conditions: list[list[dict]], lead: Lead) -> bool:
    if not conditions:
        return True
    return any(all(_row_holds(row, lead) for row in group) for group in conditions)


def conditions_describe(conditions: list[list[dict]], specs: dict[str, FieldSpec]) -> str:
    """A readable sentence for the rule list: "Region is East AND Score ≥ 70, OR ..."."""
    if not conditions:
        return _("Every lead")
    groups = []
    for group in conditions:
        parts = []
        for row in group:
            spec = specs.get(row["field"])
            label = spec.label if spec else row["field"]
            value = row["value"]
            if isinstance(value, list):
                value = ", ".join(value)
            parts.append(f"{label} {OPERATORS.get(row['op'], row['op'])} {value}".strip())
        groups.append(_(" and ").join(parts))
    return _(" — or — ").join(groups)
