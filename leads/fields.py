"""What a lead's fields are: the standard ones, with what each may be used for, and the
tenant's custom fields (definitions and their value format, see leads.services.custom_fields).

One list, ``LEAD_FIELDS``: what a person may edit (form, API, import), what a merge lets them
pick, what the API returns and which values identify a person for duplicate keys all derive
from it. Add a field to the model, then here, and every entry point follows.
"""

from __future__ import annotations

import datetime
import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from leadcrm.parsing import DATE_YEARS, year_within
from leads.models import CustomFieldDefinition


@dataclass(frozen=True)
class LeadField:
    name: str
    #: A person sets it on create and update (form, API, import, bulk).
    editable: bool = True
    #: The merge page lets the user pick it per lead (the rest stay the survivor's).
    mergeable: bool = True
    #: The API returns it as it is stored (foreign keys are rendered by the API itself).
    api: bool = True
    #: It identifies a person: the duplicate keys and checks are made from it.
    identifying: bool = False


LEAD_FIELDS: tuple[LeadField, ...] = (
    LeadField("name", identifying=True),
    LeadField("company", identifying=True),
    LeadField("job_title"),
    LeadField("email", identifying=True),
    LeadField("phone", identifying=True),
    LeadField("mobile", identifying=True),
    LeadField("website"),
    LeadField("country", identifying=True),
    LeadField("region"),
    LeadField("city"),
    LeadField("postcode"),
    LeadField("address"),
    LeadField("industry"),
    LeadField("company_size"),
    LeadField("annual_revenue"),
    LeadField("source", api=False),
    LeadField("source_detail"),
    LeadField("campaign", api=False),
    LeadField("product_line"),
    LeadField("priority"),
    LeadField("tags", mergeable=False),
    LeadField("notes"),
    LeadField("custom_data", mergeable=False),
    # Kept by the services: set through assignment, status changes and scoring.
    LeadField("owner", editable=False, api=False),
    LeadField("status", editable=False, mergeable=False),
    LeadField("score", editable=False, mergeable=False),
    LeadField("grade", editable=False, mergeable=False),
)

#: Fields a person may set on create and update (the rest are kept by the services).
EDITABLE_FIELDS = tuple(f.name for f in LEAD_FIELDS if f.editable)
#: Fields the user may pick per lead when merging.
MERGE_FIELDS = tuple(f.name for f in LEAD_FIELDS if f.mergeable)
#: Fields the API returns as stored.
API_FIELDS = tuple(f.name for f in LEAD_FIELDS if f.api)
#: Fields that identify a person (duplicate keys and checks).
IDENTIFYING_FIELDS = tuple(f.name for f in LEAD_FIELDS if f.identifying)

T = CustomFieldDefinition.FieldType

#: What a postcode is written with, once trimmed: "SW1A 1AA", "94107", "94107-1234", "200120".
POSTCODE_SHAPE = re.compile(r"[A-Za-z0-9 -]*[A-Za-z0-9][A-Za-z0-9 -]*")


def postcode_clean(raw) -> str:
    """``raw`` as a lead's postcode: full-width forms folded (a Chinese keyboard's digits),
    spaces trimmed and collapsed; "" for none. Raises ValueError, in the reader's language,
    for anything but letters, digits, spaces and hyphens. The one rule of the field: the lead
    service's cleaning (form, API, web forms) and the import's cell check call it; its length
    (Lead.postcode, 20) is checked with every column's."""
    value = " ".join(unicodedata.normalize("NFKC", str(raw or "")).split())
    if value and not POSTCODE_SHAPE.fullmatch(value):
        raise ValueError(_("A postcode has only letters, digits, spaces and hyphens."))
    return value


TEXT_MAX = 1000


NUMBER_LIMIT = Decimal(10) ** 15


def custom_fields_active(record: str = "lead") -> list[CustomFieldDefinition]:
    """The record's active definitions in the order its form and page show them."""
    return list(
        CustomFieldDefinition.objects.filter(record=record, is_active=True).order_by(
            "position", "label"
        )
    )


def custom_fields_all(record: str | None = None) -> list[CustomFieldDefinition]:
    """Every definition of ``record`` (of every record when None) for the settings page: by
    record, the active ones in order, then the others."""
    definitions = CustomFieldDefinition.objects.all()
    if record is not None:
        definitions = definitions.filter(record=record)
    return list(definitions.order_by("record", "-is_active", "position", "label"))


def _listed(definition: CustomFieldDefinition) -> str:
    return ", ".join(definition.choices)


def custom_value_parse(definition: CustomFieldDefinition, raw):
    """One value in its JSON form (see the module docstring), or None when empty.
    Raises ValueError with a reason a person can act on."""
    if raw is None or raw == "" or raw == [] or raw == ():
        return None
    kind = definition.field_type
    if kind == T.TEXT:
        if isinstance(raw, list | tuple | dict):
            raise ValueError(_("Enter text."))
        return str(raw).strip()[:TEXT_MAX] or None
    if kind == T.NUMBER:
        return _number_parse(raw)
    if kind == T.DATE:
        if isinstance(raw, datetime.datetime):
            day = raw.date()
        elif isinstance(raw, datetime.date):
            day = raw
        else:
            try:
                day = datetime.date.fromisoformat(str(raw).strip())
            except ValueError as exc:
                raise ValueError(_("Enter a date as YYYY-MM-DD.")) from exc
        if not year_within(day, DATE_YEARS):
            raise ValueError(
                _("Enter a date between %(first)d and %(last)d.")
                % {"first": DATE_YEARS[0], "last": DATE_YEARS[1]}
            )
        return day.isoformat()
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
    return [c for c in definition.choices if c in values] or None  # in the definition's order


def _number_parse(raw) -> int | float:
    if isinstance(raw, bool):
        raise ValueError(_("Enter a number."))
    try:
        number = Decimal(str(raw).replace(",", "").strip())
    except InvalidOperation as exc:
        raise ValueError(_("Enter a number.")) from exc
    if not number.is_finite():
        raise ValueError(_("Enter a number."))
    if abs(number) >= NUMBER_LIMIT:  # beyond this, JSON readers lose precision
        raise ValueError(_("Enter a number below a quadrillion (10^15)."))
    if number == number.to_integral_value():
        return int(number)
    value = float(number)
    if not math.isfinite(value):
        raise ValueError(_("Enter a number."))
    return value
