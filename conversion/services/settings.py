"""The tenant admin's conversion settings (Settings → Conversion): the rules a conversion
follows, the opportunity pipeline, and which lead field fills which field of the customer,
contact and opportunity. Tenant admins only.

Stages are deactivated, never deleted: opportunities keep the stage they are at (shown as
inactive). The pipeline always keeps an active open, won and lost stage, so an opportunity can
always start, be won and be lost. Every refusal is a ConversionError that says why; stage
changes lock the active stages first, so two admins editing at once apply one after the other.
"""

from __future__ import annotations

import re

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from conversion.errors import ConversionError
from conversion.mapping import DEFAULT_MAPPING, SOURCE_FIELDS, TARGET_FIELDS, mapping_effective
from conversion.models import Contact, ConversionSettings, Customer, Opportunity, OpportunityStage
from leadcrm.accounts.models import User
from leads.errors import LeadError
from leads.models import CustomFieldDefinition, Lead
from leads.services.config import position_move

SETTINGS_FIELDS = (
    "customer_duplicate_check",
    "contact_duplicate_check",
    "opportunity_name_unique",
    "open_followups",
    "default_currency",
)
CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
STAGE_NAME_MAX = 100
#: A key of a record's custom data (the shape of a lead custom field's key).
CUSTOM_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
#: Record fields a conversion cannot do without: the contact needs a name.
REQUIRED_TARGETS = {"contact": ("name",)}
#: Lead custom field types whose values read well as text in a record's field; the others
#: (multiple choice, yes / no) may only go into the record's custom data.
TEXT_TYPES = (
    CustomFieldDefinition.FieldType.TEXT,
    CustomFieldDefinition.FieldType.NUMBER,
    CustomFieldDefinition.FieldType.DATE,
    CustomFieldDefinition.FieldType.CHOICE,
)
Outcome = OpportunityStage.Outcome
RECORD_MODELS = {"customer": Customer, "contact": Contact, "opportunity": Opportunity}


def admin_check(actor: User) -> None:
    """Refuse anyone but a tenant admin (the views check the role too; scripts and the shell
    come through here)."""
    if not actor.is_tenant_admin:
        raise ConversionError(_("Only tenant admins can change the conversion settings."))


# The settings row


def conversion_settings_save(*, actor: User, **values) -> ConversionSettings:
    """Change the tenant's conversion settings: the duplicate checks (``customer_duplicate_check``,
    ``contact_duplicate_check``, ``opportunity_name_unique``), what happens to the lead's open
    follow-ups (``open_followups``: keep or close) and ``default_currency`` (three letters,
    stored upper-case). Only the values given change; one conditional UPDATE of the single
    settings row. Raises ConversionError (with ``field``) for a value out of range."""
    admin_check(actor)
    unknown = sorted(set(values) - set(SETTINGS_FIELDS))
    if unknown:
        raise TypeError(f"unknown conversion settings: {', '.join(unknown)}")
    changes: dict = {}
    for name in ("customer_duplicate_check", "contact_duplicate_check", "opportunity_name_unique"):
        if name in values:
            changes[name] = bool(values[name])
    if "open_followups" in values:
        if values["open_followups"] not in ConversionSettings.Followups.values:
            raise ConversionError(
                _("Choose whether open follow-ups are kept or cancelled."), field="open_followups"
            )
        changes["open_followups"] = values["open_followups"]
    if "default_currency" in values:
        currency = str(values["default_currency"] or "").strip().upper()
        if not CURRENCY_RE.match(currency):
            raise ConversionError(
                _("Enter the currency as three letters, such as CNY, USD or EUR."),
                field="default_currency",
            )
        changes["default_currency"] = currency
    ConversionSettings.load()  # makes the row on first use
    if changes:
        ConversionSettings.objects.filter(singleton=True).update(**changes)
    return ConversionSettings.load()


# The pipeline


#: Why the last active stage of an outcome stays (translated when refused).
KEEP_ONE = {
    Outcome.OPEN: gettext_noop(
        "Keep at least one active open stage: new opportunities start at the first one."
    ),
    Outcome.WON: gettext_noop("Keep at least one active won stage: opportunities are won there."),
    Outcome.LOST: gettext_noop(
        "Keep at least one active lost stage: opportunities are lost there."
    ),
}


def _stage_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ConversionError(_("Enter a name."), field="name")
    if len(name) > STAGE_NAME_MAX:
        raise ConversionError(
            _("A name has at most %(max)d characters.") % {"max": STAGE_NAME_MAX}, field="name"
        )
    return name


def _stage_probability(probability) -> int:
    try:
        value = int(str(probability).strip())
    except (TypeError, ValueError):
        value = None
    if value is None or not 0 <= value <= 100:
        raise ConversionError(
            _("Enter the probability as a whole number from 0 to 100."), field="probability"
        )
    return value


def _stage_outcome(outcome: str) -> str:
    if outcome not in Outcome.values:
        raise ConversionError(_("Choose open, won or lost."), field="outcome")
    return outcome


def _active_locked() -> list[OpportunityStage]:
    """The active stages in pipeline order, locked (every pipeline change takes this first)."""
    return list(
        OpportunityStage.objects.select_for_update()
        .filter(is_active=True)
        .order_by("position", "name", "pk")
    )


def _name_check_free(active: list[OpportunityStage], name: str, *, exclude_pk=None) -> None:
    """Two active stages never share a name (a rep could not tell them apart)."""
    if any(s.name.casefold() == name.casefold() and s.pk != exclude_pk for s in active):
        raise ConversionError(
            _("%(name)s is already a stage of the pipeline.") % {"name": name}, field="name"
        )


def _outcome_keep_one(active: list[OpportunityStage], leaving: OpportunityStage) -> None:
    """Refuse when ``leaving`` is the last active stage of its outcome."""
    if not any(s.outcome == leaving.outcome and s.pk != leaving.pk for s in active):
        raise ConversionError(_(KEEP_ONE[leaving.outcome]))


def _place(active: list[OpportunityStage], stage: OpportunityStage) -> None:
    """Put ``stage`` into the pipeline: an open stage before the first won or lost stage (so
    it is reachable before the deal closes), a won or lost stage at the end; then number the
    active stages 0, 1, 2…"""
    rows = [s for s in active if s.pk != stage.pk]
    index = len(rows)
    if stage.outcome == Outcome.OPEN:
        index = next((i for i, s in enumerate(rows) if s.outcome != Outcome.OPEN), len(rows))
    rows.insert(index, stage)
    for position, row in enumerate(rows):
        if row.position != position or row.pk == stage.pk:
            OpportunityStage.objects.filter(pk=row.pk).update(position=position)
            row.position = position


def stage_add(*, actor: User, name: str, probability, outcome: str) -> OpportunityStage:
    """Add a stage to the pipeline: an open one before the won and lost stages, a won or lost
    one at the end. The name must be free among the active stages; the probability is a whole
    number from 0 to 100 (an opportunity takes it when it moves into the stage)."""
    admin_check(actor)
    name = _stage_name(name)
    probability = _stage_probability(probability)
    outcome = _stage_outcome(outcome)
    with transaction.atomic():
        active = _active_locked()
        _name_check_free(active, name)
        stage = OpportunityStage.objects.create(
            name=name, probability=probability, outcome=outcome, position=len(active)
        )
        _place(active, stage)
    return stage


def stage_update(
    *, actor: User, stage: OpportunityStage, name: str, probability, outcome: str
) -> OpportunityStage:
    """Rename a stage, change its probability or its outcome. Opportunities at the stage keep
    their probability until they move. The outcome of a stage that has opportunities never
    changes (they would be won or lost without being closed: add a stage instead), and the last
    active open, won or lost stage keeps its outcome."""
    admin_check(actor)
    name = _stage_name(name)
    probability = _stage_probability(probability)
    outcome = _stage_outcome(outcome)
    with transaction.atomic():
        active = _active_locked()
        locked = OpportunityStage.objects.select_for_update().get(pk=stage.pk)
        if locked.is_active:
            _name_check_free(active, name, exclude_pk=locked.pk)
        if outcome != locked.outcome:
            if Opportunity.objects.filter(stage=locked).exists():
                raise ConversionError(
                    _(
                        "Opportunities are at %(name)s, so its outcome stays: add a new stage "
                        "with the outcome you want instead."
                    )
                    % {"name": locked.name},
                    field="outcome",
                )
            if locked.is_active:
                _outcome_keep_one(active, locked)
        OpportunityStage.objects.filter(pk=locked.pk).update(
            name=name, probability=probability, outcome=outcome
        )
        locked.name, locked.probability, locked.outcome = name, probability, outcome
    return locked


def stage_move(*, actor: User, stage: OpportunityStage, direction: str) -> None:
    """Move an active stage one place up or down the pipeline (the order reps see in the stage
    menu and the board). Moving the first stage up or the last down changes nothing."""
    admin_check(actor)
    try:
        position_move(model=OpportunityStage, item=stage, direction=direction)
    except LeadError as exc:
        raise ConversionError(exc.message) from exc


def stage_set_active(*, actor: User, stage: OpportunityStage, is_active: bool) -> OpportunityStage:
    """Deactivate a stage (no longer offered; opportunities at it keep it and show it as
    inactive) or bring it back into the pipeline (placed like a new stage). The last active
    open, won or lost stage cannot be deactivated; a stage cannot come back while an active one
    has its name."""
    admin_check(actor)
    with transaction.atomic():
        active = _active_locked()
        locked = OpportunityStage.objects.select_for_update().get(pk=stage.pk)
        if locked.is_active == is_active:
            return locked
        if is_active:
            _name_check_free(active, locked.name, exclude_pk=locked.pk)
            OpportunityStage.objects.filter(pk=locked.pk).update(is_active=True)
            locked.is_active = True
            _place(active, locked)
        else:
            _outcome_keep_one(active, locked)
            OpportunityStage.objects.filter(pk=locked.pk).update(is_active=False)
            locked.is_active = False
    return locked


def pipeline_for_settings() -> tuple[list[OpportunityStage], list[OpportunityStage]]:
    """(active stages in order, deactivated stages) for the settings page. Each stage carries
    ``opportunity_count`` and ``last_of_outcome`` (it may not be deactivated nor change its
    outcome)."""
    stages = list(OpportunityStage.objects.order_by("position", "name", "pk"))
    counts = dict(
        Opportunity.objects.values_list("stage").annotate(n=Count("pk")).values_list("stage", "n")
    )
    active = [s for s in stages if s.is_active]
    for stage in stages:
        stage.opportunity_count = counts.get(stage.pk, 0)
        stage.last_of_outcome = stage.is_active and not any(
            s.outcome == stage.outcome and s.pk != stage.pk for s in active
        )
    return active, [s for s in stages if not s.is_active]


# The field mapping


def target_field_label(target: str, field: str) -> str:
    """The field's name as the record's pages show it (a custom data key as it is)."""
    if field.startswith("cf:"):
        return field[3:]
    return str(RECORD_MODELS[target]._meta.get_field(field).verbose_name)


def source_label(source: str, definitions: dict | None = None) -> str:
    """A lead field's name, or "Custom: <label>" for ``cf:<key>``."""
    if source.startswith("cf:"):
        definition = (definitions or {}).get(source[3:])
        label = definition.label if definition is not None else source[3:]
        return _("Custom: %(label)s") % {"label": label}
    return str(Lead._meta.get_field(source).verbose_name)


def source_fits(target: str, field: str, source: str, definition=None) -> bool:
    """May ``source`` (a lead field, or ``cf:<key>`` with its ``definition``) fill ``field`` of
    ``target``? Anything goes into custom data; the amount takes a number custom field, the
    country the lead's country (a two-letter code); other fields take text, numbers, dates and
    single choices."""
    if field.startswith("cf:"):
        return True
    if not source.startswith("cf:"):
        if target == "opportunity" and field == "amount":
            return False
        return field != "country" or source == "country"
    if definition is None or field == "country":
        return False
    if target == "opportunity" and field == "amount":
        return definition.field_type == CustomFieldDefinition.FieldType.NUMBER
    return definition.field_type in TEXT_TYPES


def _mapping_refuse(message: str, target: str, field: str):
    raise ConversionError(message, field=f"{target}.{field}")


def mapping_clean(mapping) -> dict[str, dict[str, str]]:
    """The mapping as stored: every target checked, every source checked, and only what
    differs from DEFAULT_MAPPING kept ("" for a default field that is not copied), so a default
    added later reaches this tenant too. Raises ConversionError naming the first bad entry."""
    if not isinstance(mapping, dict):
        raise ConversionError(_("The mapping is not readable."))
    definitions = {d.key: d for d in CustomFieldDefinition.objects.filter(record="lead")}
    stored: dict[str, dict[str, str]] = {}
    for target, fields in mapping.items():
        if target not in TARGET_FIELDS:
            raise ConversionError(
                _("%(target)s is not a record a lead converts into.") % {"target": target}
            )
        if not isinstance(fields, dict):
            raise ConversionError(_("The mapping is not readable."))
        record = RECORD_MODELS[target]._meta.verbose_name
        for field, source in fields.items():
            field, source = str(field), str(source or "").strip()
            if field.startswith("cf:"):
                if not CUSTOM_KEY_RE.match(field[3:]):
                    _mapping_refuse(
                        _(
                            "%(key)s cannot be a key of custom data: use lower-case letters, "
                            "digits and _, starting with a letter."
                        )
                        % {"key": field[3:]},
                        target,
                        field,
                    )
            elif field not in TARGET_FIELDS[target]:
                _mapping_refuse(
                    _("The %(record)s has no field %(field)s.")
                    % {"record": record, "field": field},
                    target,
                    field,
                )
            if not source:
                if field in REQUIRED_TARGETS.get(target, ()):
                    _mapping_refuse(
                        _(
                            "The %(record)s needs its %(field)s: choose the lead field it comes "
                            "from."
                        )
                        % {"record": record, "field": target_field_label(target, field)},
                        target,
                        field,
                    )
            else:
                definition = definitions.get(source[3:]) if source.startswith("cf:") else None
                if source not in SOURCE_FIELDS and definition is None:
                    _mapping_refuse(
                        _("%(source)s is not a field of the lead.") % {"source": source},
                        target,
                        field,
                    )
                if not source_fits(target, field, source, definition):
                    _mapping_refuse(
                        _("%(source)s cannot fill the %(field)s of the %(record)s.")
                        % {
                            "source": source_label(source, definitions),
                            "field": target_field_label(target, field),
                            "record": record,
                        },
                        target,
                        field,
                    )
            if source != DEFAULT_MAPPING.get(target, {}).get(field, ""):
                stored.setdefault(target, {})[field] = source
    return stored


def conversion_mapping_save(*, actor: User, mapping: dict) -> ConversionSettings:
    """Store which lead field fills which field of the customer, contact and opportunity
    (``{"customer": {"<field or cf:key>": "<lead field, cf:key or ''>"}, ...}``; "" means not
    copied, what is left out keeps its default). Targets must be fields of the record or
    ``cf:<key>`` (its custom data); sources lead fields (conversion.mapping.SOURCE_FIELDS) or
    ``cf:<key>`` of a lead custom field, of a type that fits; the contact's name must be
    mapped. An empty mapping restores the defaults. All or nothing: one UPDATE of the settings
    row after the whole mapping is checked."""
    admin_check(actor)
    stored = mapping_clean(mapping)
    ConversionSettings.load()
    ConversionSettings.objects.filter(singleton=True).update(field_mapping=stored)
    return ConversionSettings.load()


def mapping_change_count(saved: dict) -> int:
    """How many record fields the tenant's mapping fills differently from the defaults."""
    effective = mapping_effective(saved)
    return sum(
        1
        for target in TARGET_FIELDS
        for field in {*effective[target], *DEFAULT_MAPPING.get(target, {})}
        if effective[target].get(field, "") != DEFAULT_MAPPING.get(target, {}).get(field, "")
    )
