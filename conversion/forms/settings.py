"""Forms of the tenant admin's conversion settings. They parse input and lay out the choices;
the rules (the currency, the pipeline, which lead field may fill which record field) live in
conversion.services.settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from conversion.mapping import (
    DEFAULT_MAPPING,
    SOURCE_FIELDS,
    TARGET_FIELDS,
    mapping_effective,
)
from conversion.models import ConversionSettings
from conversion.services.settings import source_fits, source_label, target_field_label
from leads.fields import custom_fields_active
from leads.models import CustomFieldDefinition

#: The outcomes' words on these pages, with a context: a bare "Open" is a follow-up's status.
OUTCOME_LABELS = {
    "open": pgettext_lazy("opportunity stage outcome", "Open"),
    "won": pgettext_lazy("opportunity stage outcome", "Won"),
    "lost": pgettext_lazy("opportunity stage outcome", "Lost"),
}

#: The records a lead converts into, as the mapping page heads them ("Contact" alone is also
#: a lead's contact details).
RECORD_LABELS = {
    "customer": pgettext_lazy("conversion record", "Customer"),
    "contact": pgettext_lazy("conversion record", "Contact"),
    "opportunity": pgettext_lazy("conversion record", "Opportunity"),
}


class ConversionSettingsForm(forms.Form):
    customer_duplicate_check = forms.BooleanField(
        label=gettext_lazy("Link an existing customer with the same company name"),
        help_text=gettext_lazy(
            "Names are compared like the lead duplicate check does (legal forms, full-width "
            "characters and suffixes do not count). Off: every conversion creates a customer."
        ),
        required=False,
    )
    contact_duplicate_check = forms.BooleanField(
        label=gettext_lazy("Refuse a contact who is already under the customer"),
        help_text=gettext_lazy(
            "Same e-mail address or mobile number: the person converting links that contact "
            "instead."
        ),
        required=False,
    )
    opportunity_name_unique = forms.BooleanField(
        label=gettext_lazy("No two opportunities with the same name under one customer"),
        required=False,
    )
    open_followups = forms.ChoiceField(
        label=gettext_lazy("Open follow-ups of a converted lead"),
        choices=ConversionSettings.Followups.choices,
        widget=forms.RadioSelect,
    )
    default_currency = forms.CharField(
        label=gettext_lazy("Default currency"),
        help_text=gettext_lazy(
            "Three letters (ISO 4217), such as CNY, USD or EUR. New opportunities start in it."
        ),
        required=False,  # the service says what a currency looks like
        widget=forms.TextInput(
            attrs={"class": "input-short", "autocomplete": "off", "maxlength": 3}
        ),
    )

    @staticmethod
    def initial_from(row: ConversionSettings) -> dict:
        return {name: getattr(row, name) for name in ConversionSettingsForm.base_fields}


# The field mapping


@dataclass
class MappingRow:
    field: str
    input_name: str
    label: str
    choices: list[tuple[str, str]]
    selected: str
    default: str
    default_label: str
    #: One of the record's own custom fields (``cf:<key>``).
    custom: bool = False

    @property
    def changed(self) -> bool:
        return self.selected != self.default


@dataclass
class MappingTable:
    target: str
    label: object  # a lazy string
    rows: list[MappingRow]
    custom_name: str
    #: (key, label, checked) for each lead custom field that may go into custom data.
    custom: list[tuple[str, str, bool]] = field(default_factory=list)

    @property
    def has_own_fields(self) -> bool:
        return any(row.custom for row in self.rows)


def mapping_from_post(data) -> dict[str, dict[str, str]]:
    """The mapping the page posted: ``<target>.<field>`` selects (``<target>.cf:<key>`` for
    the record's own custom fields) and ``<target>.cf`` checkboxes (the lead custom fields
    copied into the record's custom data under the same key)."""
    mapping: dict[str, dict[str, str]] = {}
    for target, fields in TARGET_FIELDS.items():
        chosen = mapping.setdefault(target, {})
        for name in fields:
            if f"{target}.{name}" in data:
                chosen[name] = data.get(f"{target}.{name}", "")
        prefix = f"{target}.cf:"
        for name in data:
            if name.startswith(prefix):
                chosen[name[len(target) + 1 :]] = data.get(name, "")
        for key in data.getlist(f"{target}.cf"):
            chosen.setdefault(f"cf:{key}", f"cf:{key}")
    return mapping


def _deactivated(label: str) -> str:
    return _("%(label)s (deactivated)") % {"label": label}


def mapping_tables(*, saved: dict, posted: dict | None = None) -> list[MappingTable]:
    """One table per record: each field with the lead fields that may fill it (the selected
    one first from ``posted``, else from the saved mapping with its defaults), then the
    record's own active custom fields (``cf:<key>``, filled by any lead field or lead custom
    field; lead_convert keeps a value only when it fits), and the other lead custom fields
    that may be copied into the record's custom data under their own key."""
    definitions = {
        d.key: d
        for d in CustomFieldDefinition.objects.filter(record="lead").order_by("position", "label")
    }
    active = [d for d in definitions.values() if d.is_active]
    current = posted if posted is not None else mapping_effective(saved)
    lead_fields = [(source, source_label(source)) for source in SOURCE_FIELDS]

    def row(target: str, name: str, label, selected: str) -> MappingRow:
        choices = [("", _("— not copied —"))]
        choices += [(s, text) for s, text in lead_fields if source_fits(target, name, s)]
        choices += [
            (f"cf:{d.key}", source_label(f"cf:{d.key}", definitions))
            for d in active
            if source_fits(target, name, f"cf:{d.key}", d)
        ]
        if selected and selected not in dict(choices):
            old = definitions.get(selected[3:]) if selected.startswith("cf:") else None
            text = source_label(selected, definitions) if old else selected
            choices.append((selected, _deactivated(text) if old else text))
        default = DEFAULT_MAPPING.get(target, {}).get(name, "")
        return MappingRow(
            field=name,
            input_name=f"{target}.{name}",
            label=label,
            choices=choices,
            selected=selected,
            default=default,
            default_label=source_label(default) if default else _("— not copied —"),
            custom=name.startswith("cf:"),
        )

    tables = []
    for target, fields in TARGET_FIELDS.items():
        chosen = current.get(target, {})
        rows = [
            row(target, name, target_field_label(target, name), chosen.get(name, "") or "")
            for name in fields
        ]
        own = custom_fields_active(target)
        rows += [
            row(target, f"cf:{d.key}", d.label, chosen.get(f"cf:{d.key}", "") or "") for d in own
        ]
        own_keys = {d.key for d in own}
        copied = {k[3:] for k in chosen if k.startswith("cf:") and chosen[k] == k}
        custom = [(d.key, d.label, d.key in copied) for d in active if d.key not in own_keys]
        custom += [
            (d.key, _deactivated(d.label), True)
            for d in definitions.values()
            if not d.is_active and d.key in copied and d.key not in own_keys
        ]
        tables.append(
            MappingTable(
                target=target,
                label=RECORD_LABELS[target],
                rows=rows,
                custom_name=f"{target}.cf",
                custom=custom,
            )
        )
    return tables
