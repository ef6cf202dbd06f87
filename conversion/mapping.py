"""Which lead field fills which customer, contact and opportunity field on conversion.

A tenant's mapping (Settings → Conversion) is kept as ``{"customer": {"<target>": "<source>"},
"contact": {...}, "opportunity": {...}}``; a source is a lead field or ``cf:<key>`` (a custom
field's value), a target a field of the record or ``cf:<key>`` (a value in its custom data).
What the tenant leaves out falls back to DEFAULT_MAPPING, so a new field is never lost by an
old setting.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

TARGET_FIELDS = {
    "customer": ("name", "industry", "website", "phone", "country", "region", "city", "address",
                 "notes"),
    "contact": ("name", "job_title", "email", "phone", "mobile", "notes"),
    "opportunity": ("name", "amount", "notes"),
}  # fmt: skip
TARGET_LABELS = {
    "customer": _("Customer"),
    "contact": _("Contact"),
    "opportunity": _("Opportunity"),
}
DEFAULT_MAPPING = {
    "customer": {
        "name": "company",
        "industry": "industry",
        "website": "website",
        "phone": "phone",
        "country": "country",
        "region": "region",
        "city": "city",
        "address": "address",
    },
    "contact": {
        "name": "name",
        "job_title": "job_title",
        "email": "email",
        "phone": "phone",
        "mobile": "mobile",
    },
    "opportunity": {"notes": "notes"},
}
#: Lead fields a mapping may read (besides custom fields).
SOURCE_FIELDS = (
    "name", "company", "job_title", "email", "phone", "mobile", "website", "country", "region",
    "city", "address", "industry", "product_line", "source_detail", "notes",
)  # fmt: skip


def mapping_effective(saved: dict) -> dict[str, dict[str, str]]:
    """The tenant's mapping with the defaults filled in; unknown targets and sources dropped
    (a custom field deleted since is simply not copied)."""
    out: dict[str, dict[str, str]] = {}
    for target, fields in TARGET_FIELDS.items():
        merged = {**DEFAULT_MAPPING.get(target, {}), **(saved or {}).get(target, {})}
        out[target] = {
            field: source
            for field, source in merged.items()
            if (field in fields or field.startswith("cf:"))
            and source
            and (source in SOURCE_FIELDS or source.startswith("cf:"))
        }
    return out


def mapped_values(lead, mapping: dict[str, str]) -> tuple[dict, dict]:
    """(field values, custom data) for one target record from ``lead``, by ``mapping``."""
    fields: dict = {}
    custom: dict = {}
    for target, source in mapping.items():
        if source.startswith("cf:"):
            value = (lead.custom_data or {}).get(source[3:])
        else:
            value = getattr(lead, source, "")
        if value in (None, "", [], {}):
            continue
        if target.startswith("cf:"):
            custom[target[3:]] = value
        else:
            fields[target] = value
    return fields, custom
