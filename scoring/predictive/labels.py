"""What a model feature means, in the reader's language: "Source: Trade show", "Calls, no
answer, 3 times", "Notes mention “报价”". Features are stored as names
(scoring.predictive.features), never as text, so each reader sees them in their own language."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from leads.models import Activity, CustomFieldDefinition, Lead, SourceChannel
from scoring.models import BehaviourEvent


@dataclass(frozen=True)
class Factor:
    label: str
    #: The move in probability, in percentage points (signed).
    points: int

    @property
    def up(self) -> bool:
        return self.points > 0


class FactorLabels:
    """Labels for the features of one page: the sources and custom fields are read once."""

    def __init__(self) -> None:
        self._sources: Mapping[str, str] | None = None
        self._custom: Mapping[str, str] | None = None

    @property
    def sources(self) -> Mapping[str, str]:
        if self._sources is None:
            self._sources = dict(SourceChannel.objects.values_list("code", "name"))
        return self._sources

    @property
    def custom(self) -> Mapping[str, str]:
        if self._custom is None:
            self._custom = dict(
                CustomFieldDefinition.objects.filter(record="lead").values_list("key", "label")
            )
        return self._custom

    def factors(self, stored: list) -> list[Factor]:
        """The lead's stored factors (LeadScore.factors) as labels with their points."""
        out = []
        for item in stored or []:
            try:
                label = self.label(str(item["feature"]), float(item.get("value", 1.0)))
                points = round(float(item["delta"]) * 100)
            except (KeyError, TypeError, ValueError):
                continue  # a factor stored by an older version this one cannot read
            if points:
                out.append(Factor(label, points))
        return out

    def label(self, feature: str, value: float | None = None) -> str:
        """The feature in words; with ``value`` (a lead's), counts and numbers are shown too
        ("Calls · No answer", 3 times), without it the feature is named ("Calls · No answer")."""
        count = None if value is None else max(1, round(math.expm1(abs(value))))
        if feature.startswith("source="):
            code = feature.partition("=")[2]
            name = self.sources.get(code) or (_("none") if code == "-" else code)
            return f"{_('Source')}: {name}"
        if feature.startswith("act:"):
            return _activity(feature[4:], count)
        if feature.startswith("evt:"):
            kind = feature[4:]
            label = str(dict(BehaviourEvent.Kind.choices).get(kind, kind))
            return label if count is None else f"{label} ×{count}"
        if feature.startswith("bant:"):
            return capfirst(_field_label(f"bant_{feature[5:]}"))
        if feature.startswith("has:"):
            return _("%(field)s given") % {"field": capfirst(_field_label(feature[4:]))}
        if feature == "free_mail":
            return _("Free-mail address")
        if feature == "resp:none":
            return _("Not followed up yet")
        if feature == "resp:hours":
            if value is None:
                return _("Hours to the first follow-up")
            hours = max(0, round(math.expm1(value)))
            return _("First follow-up after %(hours)s h") % {"hours": hours}
        if feature.startswith("title:"):
            return f"{capfirst(_field_label('job_title'))}: {feature[6:]}"
        if feature.startswith("kw:"):
            return _("Notes mention “%(word)s”") % {"word": feature[3:]}
        if feature.startswith("cf:"):
            return self._custom_label(feature[3:], value)
        name, _sep, raw = feature.partition("=")
        return f"{capfirst(_field_label(name))}: {_choice(name, raw)}"

    def _custom_label(self, rest: str, value: float | None) -> str:
        if rest.endswith(":set"):
            key = rest[:-4]
            return _("%(field)s given") % {"field": self.custom.get(key, key)}
        if rest.endswith(":none"):
            key = rest[:-5]
            return _("%(field)s not recorded") % {"field": self.custom.get(key, key)}
        key, sep, raw = rest.partition("=")
        label = self.custom.get(key, key)
        if sep:
            return f"{label}: {_('yes') if raw == 'yes' else _('no') if raw == 'no' else raw}"
        if value is None:
            return str(label)
        number = math.copysign(math.expm1(abs(value)), value)
        return f"{label}: {number:,.0f}"


def _field_label(name: str) -> str:
    try:
        return str(Lead._meta.get_field(name).verbose_name)
    except Exception:  # a field since removed
        return name


def _choice(name: str, raw: str) -> str:
    if raw == "-":
        return _("not given")
    try:
        choices = dict(Lead._meta.get_field(name).choices or ())
    except Exception:
        choices = {}
    return str(choices.get(raw, raw))


def _activity(rest: str, count: int | None) -> str:
    if rest == "all":
        if count is None:
            return _("Number of activities")
        return _("Activities ×%(n)s") % {"n": count}
    kind, _sep, outcome = rest.partition(":")
    label = str(dict(Activity.Kind.choices).get(kind, kind))
    if outcome:
        label = f"{label} · {dict(Activity.CallOutcome.choices).get(outcome, outcome)}"
    return label if count is None else f"{label} ×{count}"
