"""Changing the tenant's scoring (Settings → Scoring): thresholds, dimensions and rules, the
in-memory "test a lead", and the one rescore-all job a change starts. Tenant admins only.

Every refusal is a ScoringConfigError that says why (and which form field, when one is to
blame); nothing is changed by a refused call. Each change that can move scores ends with
``rescore_all_start``: one exclusive Job of kind "rescore" per tenant. A change made while one
runs does not queue a second: it marks the running one, which starts over with the new rules
(see ``rescore_all_run``), so the last rules always win.

Rule ``config`` per kind is the one ``scoring.engine`` reads (see its docstring); the checks
here make sure only such configs are stored: fields that exist, operators that fit the field,
keyword lists, source codes of the tenant, activity kinds and call outcomes, and negative
lists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from leadcrm.accounts.models import User
from leadcrm.jobs.errors import JobAlreadyActive
from leadcrm.jobs.models import Job
from leadcrm.jobs.services import job_create, job_enqueue, job_finish, job_progress
from leads.models import (
    Activity,
    CompanySize,
    CustomFieldDefinition,
    Lead,
    LeadSettings,
    LeadStatus,
    Priority,
    RevenueRange,
    SourceChannel,
)
from scoring.engine import (
    ACTIVITY,
    EVENT,
    FIELD,
    KEYWORD,
    NEGATIVE,
    SOURCE,
    DimensionSpec,
    RuleSpec,
    ScoreResult,
    Thresholds,
    lead_score,
    ruleset_compile,
)
from scoring.models import (
    BehaviourEvent,
    Blend,
    Dimension,
    PredictiveModel,
    ScoringRule,
    ScoringSettings,
)
from scoring.predictive.services import model_train
from scoring.services import (
    LEAD_COLUMNS,
    lead_facts,
    open_lead_ids,
    score_recompute,
    thresholds_load,
)

RESCORE_KIND = "rescore"
TRAIN_KIND = "train"
TRAIN_TASK = "scoring.tasks.model_retrain"
RESCORE_TASK = "scoring.tasks.rescore_all"
#: Leads per progress report of the rescore job (score_recompute commits per 1,000 inside).
RESCORE_STEP = 5000
NAME_MAX = 100
RULE_NAME_MAX = 150
CAP_MAX = 100
POINTS_MAX = 100
HALF_LIFE_MAX = 365
LIST_MAX = 500


class ScoringConfigError(Exception):
    """A refused change of the scoring settings; ``message`` says why, ``field`` which input."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = str(message)
        self.field = field


def admin_check(actor: User) -> None:
    """Refuse anyone but a tenant admin (the views check the role too; the shell comes here)."""
    if not actor.is_tenant_admin:
        raise ScoringConfigError(_("Only tenant admins can change the scoring."))


# --- the vocabulary of field rules ---------------------------------------------------------

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
#: Lead columns a field rule may test as text (the engine reads LEAD_COLUMNS).
TEXT_FIELDS = (
    "name", "company", "job_title", "email", "phone", "mobile", "website", "country", "region",
    "city", "address", "industry", "source_detail", "product_line", "notes",
)  # fmt: skip
BANT_FIELDS = ("bant_budget", "bant_authority", "bant_need", "bant_timeline")
#: Where keyword and negative rules may look for words.
WORD_FIELDS = ("notes", "source_detail", "job_title", "company", "name", "industry")


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    kind: str
    choices: tuple[tuple[str, str], ...] = ()


def _label(name: str) -> str:
    return str(Lead._meta.get_field(name).verbose_name).capitalize()


def field_specs() -> dict[str, FieldSpec]:
    """Every field a field rule may test (the lead's own and its active custom fields), in the
    order the rule editor lists them. The same vocabulary as the assignment rules."""
    assert set(TEXT_FIELDS) <= set(LEAD_COLUMNS)
    specs = {key: FieldSpec(key, _label(key), TEXT) for key in TEXT_FIELDS}
    sources = tuple(SourceChannel.objects.order_by("position").values_list("code", "name"))
    specs["source"] = FieldSpec("source", _("Source"), CHOICE, sources)
    for key, choices in (
        ("company_size", CompanySize.choices),
        ("annual_revenue", RevenueRange.choices),
        ("priority", Priority.choices),
        ("status", LeadStatus.choices),
    ):
        specs[key] = FieldSpec(key, _label(key), CHOICE, tuple(choices))
    yes_no = (("true", _("Yes")), ("false", _("No")))
    for key in BANT_FIELDS:
        specs[key] = FieldSpec(key, _label(key), CHOICE, yes_no)
    specs["tags"] = FieldSpec("tags", _label("tags"), TAGS)
    types = CustomFieldDefinition.FieldType
    for definition in CustomFieldDefinition.objects.filter(record="lead", is_active=True):
        kind = {types.NUMBER: NUMBER, types.CHOICE: CHOICE, types.MULTI_CHOICE: TAGS}.get(
            definition.field_type, TEXT
        )
        if definition.field_type == types.BOOLEAN:
            kind, choices = CHOICE, yes_no
        else:
            choices = tuple((c, c) for c in definition.choices) if kind in (CHOICE, TAGS) else ()
        key = f"cf:{definition.key}"
        specs[key] = FieldSpec(key, definition.label, kind, choices)
    return specs


def lines(value) -> list[str]:
    """A list typed one entry per line (commas also separate), trimmed, without repeats."""
    if isinstance(value, list | tuple):
        items = [str(v) for v in value]
    else:
        items = re.split(r"[\n,，、;；]", str(value or ""))
    seen, out = set(), []
    for item in (" ".join(i.split()) for i in items):
        if item and item.casefold() not in seen:
            seen.add(item.casefold())
            out.append(item)
    return out


def _number(value) -> Decimal | None:
    try:
        return Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return None


def _whole(value, *, low: int, high: int, message: str, field: str) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = None
    if number is None or not low <= number <= high:
        raise ScoringConfigError(message, field=field)
    return number


def conditions_clean(conditions, specs: dict[str, FieldSpec]) -> list[list[dict]]:
    """Groups (OR) of rows (AND) ``{"field", "op", "value"}`` checked against ``specs``; rows
    without a field are dropped, and so are groups left empty."""
    if not isinstance(conditions, list):
        raise ScoringConfigError(_("The conditions are not readable."), field="conditions")
    cleaned = []
    for group in conditions:
        rows = []
        for row in group if isinstance(group, list) else []:
            name, op = (row or {}).get("field") or "", (row or {}).get("op") or ""
            if not name:
                continue
            spec = specs.get(name)
            if spec is None:
                raise ScoringConfigError(
                    _("Unknown field in a condition: %(field)s.") % {"field": name},
                    field="conditions",
                )
            if op not in OPERATORS_BY_KIND[spec.kind]:
                raise ScoringConfigError(
                    _("“%(op)s” cannot be used with %(field)s.")
                    % {"op": OPERATORS.get(op, op), "field": spec.label},
                    field="conditions",
                )
            value = row.get("value")
            if op in NO_VALUE:
                value = ""
            elif op in ("in", "not_in") or spec.kind == TAGS:
                value = lines(value)
            elif spec.kind == NUMBER:
                if _number(value) is None:
                    raise ScoringConfigError(
                        _("%(field)s needs a number.") % {"field": spec.label},
                        field="conditions",
                    )
                value = str(_number(value))
            else:
                value = " ".join(str(value or "").split())
            if value in ("", []):
                raise ScoringConfigError(
                    _("Give a value for %(field)s.") % {"field": spec.label}, field="conditions"
                )
            rows.append({"field": name, "op": op, "value": value})
        if rows:
            cleaned.append(rows)
    if not cleaned:
        raise ScoringConfigError(
            _("Add at least one condition: a field, how it compares and a value."),
            field="conditions",
        )
    return cleaned


def _words(value, *, field: str, required: bool) -> list[str]:
    words = lines(value)
    if required and not words:
        raise ScoringConfigError(_("List at least one word or phrase, one per line."), field=field)
    if len(words) > LIST_MAX:
        raise ScoringConfigError(
            _("A list has at most %(max)d entries.") % {"max": LIST_MAX}, field=field
        )
    return words


def _word_fields(value) -> list[str]:
    names = lines(value)
    unknown = [n for n in names if n not in WORD_FIELDS]
    if unknown:
        raise ScoringConfigError(
            _("Words can be looked for in notes, source detail, job title, company, name or "
              "industry, not in %(field)s.") % {"field": unknown[0]},
            field="fields",
        )  # fmt: skip
    return names


DOMAIN_RE = re.compile(r"^(?=.{3,253}$)([a-z0-9-]+\.)+[a-z0-9-]{2,}$")


def _domains(value) -> list[str]:
    domains = [d.casefold().lstrip("@") for d in lines(value)]
    bad = [d for d in domains if not DOMAIN_RE.match(d)]
    if bad:
        raise ScoringConfigError(
            _("%(domain)s is not an email domain (such as qq.com or competitor.cn).")
            % {"domain": bad[0]},
            field="email_domains",
        )
    if len(domains) > LIST_MAX:
        raise ScoringConfigError(
            _("A list has at most %(max)d entries.") % {"max": LIST_MAX}, field="email_domains"
        )
    return domains


def rule_config_clean(*, kind: str, config: dict, any_event: bool = False) -> dict:
    """The rule's ``config`` as stored for ``kind``; raises ScoringConfigError (with the input
    to blame) for anything the engine could not read or that could never fire. ``any_event``:
    an ``event`` config may leave the kind of event empty (any event counts; tag rules)."""
    config = config if isinstance(config, dict) else {}
    if kind == FIELD:
        return {"conditions": conditions_clean(config.get("conditions"), field_specs())}
    if kind == KEYWORD:
        cleaned = {"words": _words(config.get("words"), field="words", required=True)}
        if fields := _word_fields(config.get("fields")):
            cleaned["fields"] = fields
        return cleaned
    if kind == SOURCE:
        codes = lines(config.get("codes"))
        if not codes:
            raise ScoringConfigError(_("Choose at least one source."), field="codes")
        known = set(SourceChannel.objects.values_list("code", flat=True))
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise ScoringConfigError(
                _("%(code)s is not one of the lead sources.") % {"code": unknown[0]},
                field="codes",
            )
        return {"codes": codes}
    if kind == ACTIVITY:
        return _activity_clean(config)
    if kind == EVENT:
        return _event_clean(config, any_kind=any_event)
    if kind == NEGATIVE:
        cleaned = {}
        if domains := _domains(config.get("email_domains")):
            cleaned["email_domains"] = domains
        if words := _words(config.get("words"), field="words", required=False):
            cleaned["words"] = words
        if not cleaned:
            raise ScoringConfigError(
                _("List email domains or words (one per line) that lower the score."),
                field="words",
            )
        if fields := _word_fields(config.get("fields")):
            cleaned["fields"] = fields
        return cleaned
    raise ScoringConfigError(_("Choose what the rule looks at."), field="kind")


def _event_clean(config: dict, *, any_kind: bool = False) -> dict:
    """Behavioural events (tracked clicks, opens, downloads, form posts, visits): the same
    counting as activities, by event kind (with ``any_kind``, "" counts every event)."""
    event = config.get("kind") or ""
    if not (any_kind and event == "") and event not in BehaviourEvent.Kind.values:
        raise ScoringConfigError(_("Choose a kind of event."), field="event")
    counted = _activity_clean({**config, "kind": Activity.Kind.CALL, "outcome": ""})
    return {**counted, "kind": event}


def _activity_clean(config: dict) -> dict:
    activity = config.get("kind") or ""
    if activity not in Activity.Kind.values:
        raise ScoringConfigError(_("Choose a kind of activity."), field="activity")
    cleaned: dict = {"kind": activity}
    outcome = config.get("outcome") or ""
    if outcome:
        if activity != Activity.Kind.CALL:
            raise ScoringConfigError(
                _("Only calls have an outcome: leave it empty for other activities."),
                field="outcome",
            )
        if outcome not in Activity.CallOutcome.values:
            raise ScoringConfigError(_("Choose a call outcome."), field="outcome")
        cleaned["outcome"] = outcome
    low = config.get("min")
    low = 1 if low in (None, "") else low
    cleaned["min"] = _whole(
        low, low=1, high=1000, message=_("At least: a whole number from 1 to 1000."), field="min"
    )
    high = config.get("max")
    if high not in (None, ""):
        cleaned["max"] = _whole(
            high,
            low=cleaned["min"],
            high=1000,
            message=_("At most: a whole number no smaller than “at least”."),
            field="max",
        )
    if config.get("each"):
        cleaned["each"] = True
    return cleaned


def rule_describe(rule: ScoringRule, specs: dict[str, FieldSpec]) -> str:
    """A readable sentence for the rule list: "Job title contains CEO — or — …"."""
    config, kind = rule.config or {}, rule.kind

    def short(items: list, limit: int = 6) -> str:
        text = ", ".join(str(i) for i in items[:limit])
        return text + (" …" if len(items) > limit else "")

    if kind == FIELD:
        conditions = config.get("conditions") or []
        firsts = {(g[0].get("field"), g[0].get("op")) for g in conditions if len(g) == 1}
        if len(conditions) > 1 and len(firsts) == 1 and all(len(g) == 1 for g in conditions):
            # "Job title contains CEO, CTO, …": one field, one operator, any of these values
            field, op = firsts.pop()
            spec = specs.get(field)
            values = [g[0].get("value") for g in conditions]
            return _("%(field)s %(op)s any of %(values)s") % {
                "field": spec.label if spec else field,
                "op": OPERATORS.get(op, op),
                "values": short(values, 8),
            }
        groups = []
        for group in conditions:
            parts = []
            for row in group:
                spec = specs.get(row.get("field"))
                value = row.get("value")
                if spec and spec.choices:
                    names = dict(spec.choices)
                    values = value if isinstance(value, list) else [value]
                    value = [str(names.get(v, v)) for v in values]
                if isinstance(value, list):
                    value = short(value)
                label = spec.label if spec else row.get("field")
                op = OPERATORS.get(row.get("op"), row.get("op"))
                parts.append(f"{label} {op} {value}".strip())
            groups.append(_(" and ").join(parts))
        if len(groups) > 4:
            groups = [*groups[:4], "…"]
        return _(" — or — ").join(groups)
    if kind == KEYWORD:
        return _("Mentions %(words)s") % {"words": short(config.get("words") or [])}
    if kind == SOURCE:
        names = dict(SourceChannel.objects.values_list("code", "name"))
        return _("Source is %(sources)s") % {
            "sources": short([names.get(c, c) for c in config.get("codes") or []])
        }
    if kind == ACTIVITY:
        what = Activity.Kind(config["kind"]).label if config.get("kind") else _("Activity")
        if config.get("outcome"):
            what = f"{what} ({Activity.CallOutcome(config['outcome']).label})"
        low, high = config.get("min") or 1, config.get("max")
        if high is not None:
            count = _("%(low)s to %(high)s times") % {"low": low, "high": high}
        else:
            count = _("at least %(low)s times") % {"low": low}
        text = f"{what}: {count}"
        return text + (" · " + _("points for each") if config.get("each") else "")
    if kind == EVENT:
        what = BehaviourEvent.Kind(config["kind"]).label if config.get("kind") else _("Event")
        low, high = config.get("min") or 1, config.get("max")
        if high is not None:
            count = _("%(low)s to %(high)s times") % {"low": low, "high": high}
        else:
            count = _("at least %(low)s times") % {"low": low}
        text = f"{what}: {count}"
        return text + (" · " + _("points for each") if config.get("each") else "")
    if kind == NEGATIVE:
        parts = []
        if config.get("email_domains"):
            parts.append(_("Email at %(domains)s") % {"domains": short(config["email_domains"])})
        if config.get("words"):
            parts.append(_("Mentions %(words)s") % {"words": short(config["words"])})
        return _(" — or — ").join(parts)
    return ""


# --- thresholds ----------------------------------------------------------------------------


def scoring_settings_save(*, actor: User, hot_score, warm_score, half_life_days) -> Thresholds:
    """Save Hot and Warm (``LeadSettings.hot_score`` and ``.warm_score``, what the list's Hot
    chip and score meters use) and the half-life of behavioural points. Hot and Warm are whole
    numbers from 1 to 100 with Hot above Warm; the half-life 1 to 365 days. Starts the rescore
    job when a value changed."""
    admin_check(actor)
    hot = _whole(
        hot_score, low=1, high=100, message=_("Hot: a score from 1 to 100."), field="hot_score"
    )
    warm = _whole(
        warm_score, low=1, high=100, message=_("Warm: a score from 1 to 100."), field="warm_score"
    )
    if hot <= warm:
        raise ScoringConfigError(
            _("Hot must be above Warm (a Hot lead is also past Warm)."), field="hot_score"
        )
    half_life = _whole(
        half_life_days,
        low=1,
        high=HALF_LIFE_MAX,
        message=_("Half-life: a whole number of days from 1 to 365."),
        field="half_life_days",
    )
    before = thresholds_load()
    with transaction.atomic():
        LeadSettings.load()
        ScoringSettings.load()
        LeadSettings.objects.filter(singleton=True).update(hot_score=hot, warm_score=warm)
        ScoringSettings.objects.filter(singleton=True).update(half_life_days=half_life)
        after = thresholds_load()
        if after != before:
            rescore_all_start(actor=actor)
    return after


# --- dimensions ----------------------------------------------------------------------------


def _name(name, *, limit: int = NAME_MAX) -> str:
    name = " ".join(str(name or "").split())
    if not name:
        raise ScoringConfigError(_("Enter a name."), field="name")
    if len(name) > limit:
        raise ScoringConfigError(
            _("A name has at most %(max)d characters.") % {"max": limit}, field="name"
        )
    return name


def _cap(cap) -> int:
    return _whole(
        cap, low=1, high=CAP_MAX, message=_("The cap is a whole number from 1 to 100."), field="cap"
    )


def _dimension_name_free(name: str, *, exclude_pk=None) -> None:
    taken = Dimension.objects.filter(name__iexact=name).exclude(pk=exclude_pk).exists()
    if taken:
        raise ScoringConfigError(
            _("%(name)s is already a dimension.") % {"name": name}, field="name"
        )


def dimension_add(*, actor: User, name: str, cap, decays: bool = False) -> Dimension:
    """Add a dimension (last in order) with its cap (1-100); ``decays``: its positive points
    halve with each half-life without activity. Names are unique, case aside."""
    admin_check(actor)
    name, cap = _name(name), _cap(cap)
    with transaction.atomic():
        list(Dimension.objects.select_for_update())  # one change of the dimensions at a time
        _dimension_name_free(name)
        position = (Dimension.objects.aggregate(m=Max("position"))["m"] or 0) + 1
        dimension = Dimension.objects.create(
            name=name, cap=cap, decays=bool(decays), position=position
        )
    return dimension


def dimension_update(
    *, actor: User, dimension: Dimension, name: str, cap, decays: bool
) -> Dimension:
    """Rename a dimension, change its cap or whether it decays; rescores when it has rules."""
    admin_check(actor)
    name, cap = _name(name), _cap(cap)
    with transaction.atomic():
        list(Dimension.objects.select_for_update())
        _dimension_name_free(name, exclude_pk=dimension.pk)
        Dimension.objects.filter(pk=dimension.pk).update(name=name, cap=cap, decays=bool(decays))
        dimension.name, dimension.cap, dimension.decays = name, cap, bool(decays)
        rescore_all_start(actor=actor)  # the name is in every explanation, the cap in scores
    return dimension


def dimension_delete(*, actor: User, dimension: Dimension) -> None:
    """Delete a dimension that has no rules (move or delete its rules first). Refused with a
    reason otherwise; the row lock on the dimension keeps a rule from being added meanwhile."""
    admin_check(actor)
    with transaction.atomic():
        locked = Dimension.objects.select_for_update().filter(pk=dimension.pk).first()
        if locked is None:
            return
        count = ScoringRule.objects.filter(dimension=locked).count()
        if count:
            raise ScoringConfigError(
                _(
                    "%(name)s still has %(count)d rules: delete them or move them to another "
                    "dimension first."
                )
                % {"name": locked.name, "count": count}
            )
        locked.delete()
        rescore_all_start(actor=actor)  # its name leaves the explanations


# --- rules ---------------------------------------------------------------------------------


def _points(points) -> int:
    points = _whole(
        points,
        low=-POINTS_MAX,
        high=POINTS_MAX,
        message=_("Points: a whole number from -100 to 100."),
        field="points",
    )
    if points == 0:
        raise ScoringConfigError(_("Points: give or take at least one point."), field="points")
    return points


@dataclass(frozen=True)
class RuleDraft:
    """A rule as the editor posts it, checked: what ``rule_add`` and ``rule_update`` store and
    what "test a lead" scores with."""

    dimension: Dimension
    name: str
    kind: str
    config: dict
    points: int
    is_active: bool = True


def rule_draft_clean(
    *, dimension: Dimension | None, name, kind: str, config: dict, points, is_active=True
) -> RuleDraft:
    """Check a rule as typed; raises ScoringConfigError with the input to blame."""
    if dimension is None:
        raise ScoringConfigError(_("Choose a dimension."), field="dimension")
    if kind not in ScoringRule.Kind.values:
        raise ScoringConfigError(_("Choose what the rule looks at."), field="kind")
    name = _name(name, limit=RULE_NAME_MAX)
    config = rule_config_clean(kind=kind, config=config)
    points = _points(points)
    if kind == NEGATIVE and points > 0:
        raise ScoringConfigError(_("A negative rule takes points away: use -1 or less."),
                                 field="points")  # fmt: skip
    return RuleDraft(dimension, name, kind, config, points, bool(is_active))


def rule_add(*, actor: User, draft: RuleDraft) -> ScoringRule:
    """Add a checked rule at the end of its dimension and start the rescore job."""
    admin_check(actor)
    with transaction.atomic():
        dimension = Dimension.objects.select_for_update().filter(pk=draft.dimension.pk).first()
        if dimension is None:
            raise ScoringConfigError(_("That dimension was deleted meanwhile."), field="dimension")
        position = (dimension.rules.aggregate(m=Max("position"))["m"] or 0) + 1
        rule = ScoringRule.objects.create(
            dimension=dimension, name=draft.name, kind=draft.kind, config=draft.config,
            points=draft.points, is_active=draft.is_active, position=position,
        )  # fmt: skip
        rescore_all_start(actor=actor)
    return rule


def rule_update(*, actor: User, rule: ScoringRule, draft: RuleDraft) -> ScoringRule:
    """Change a rule (its kind, config, points, dimension, active) and start the rescore job.
    A rule moved to another dimension goes to its end."""
    admin_check(actor)
    with transaction.atomic():
        dimension = Dimension.objects.select_for_update().filter(pk=draft.dimension.pk).first()
        if dimension is None:
            raise ScoringConfigError(_("That dimension was deleted meanwhile."), field="dimension")
        changes = {
            "name": draft.name, "kind": draft.kind, "config": draft.config,
            "points": draft.points, "is_active": draft.is_active, "dimension": dimension,
        }  # fmt: skip
        if dimension.pk != rule.dimension_id:
            changes["position"] = (dimension.rules.aggregate(m=Max("position"))["m"] or 0) + 1
        if not ScoringRule.objects.filter(pk=rule.pk).update(**changes):
            raise ScoringConfigError(_("That rule was deleted meanwhile."))
        for key, value in changes.items():
            setattr(rule, key, value)
        rescore_all_start(actor=actor)
    return rule


def rule_delete(*, actor: User, rule: ScoringRule) -> None:
    """Delete a rule and start the rescore job (scores lose its points)."""
    admin_check(actor)
    with transaction.atomic():
        if ScoringRule.objects.filter(pk=rule.pk).delete()[0]:
            rescore_all_start(actor=actor)


def rule_move(*, actor: User, rule: ScoringRule, direction: str) -> None:
    """Swap a rule with its neighbour above or below in its dimension (the order the page and
    the explanations list them; scores do not change). The dimension's rules are locked so two
    moves apply one after the other."""
    admin_check(actor)
    if direction not in ("up", "down"):
        raise ScoringConfigError(_("Move up or down."))
    with transaction.atomic():
        rows = list(
            ScoringRule.objects.select_for_update()
            .filter(dimension_id=rule.dimension_id)
            .order_by("position", "name", "pk")
        )
        index = next((i for i, row in enumerate(rows) if row.pk == rule.pk), None)
        if index is None:
            return
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(rows):
            rows[index], rows[other] = rows[other], rows[index]
        for position, row in enumerate(rows):
            if row.position != position:
                ScoringRule.objects.filter(pk=row.pk).update(position=position)


# --- reading for the page ------------------------------------------------------------------


def scoring_overview() -> list[Dimension]:
    """The dimensions in order, each with ``rule_list`` (its rules in order, each with a
    ``summary``) and ``rule_count``."""
    specs = field_specs()
    dimensions = list(Dimension.objects.annotate(rule_count=Count("rules")))
    rules = ScoringRule.objects.order_by("position", "name", "pk")
    by_dimension: dict[int, list] = {d.pk: [] for d in dimensions}
    for rule in rules:
        rule.summary = rule_describe(rule, specs)
        by_dimension.setdefault(rule.dimension_id, []).append(rule)
    for dimension in dimensions:
        dimension.rule_list = by_dimension[dimension.pk]
    return dimensions


# --- test a lead ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LeadTest:
    lead: Lead
    draft: ScoreResult
    stored_total: int | None
    stored_letter: str
    #: Per dimension name: (points, cap, [fired rules]).
    by_dimension: list[tuple[str, int, int, list]]
    draft_rule_id: int | None

    @property
    def draft_fired(self) -> bool:
        return any(f.rule_id == self.draft_rule_id for f in self.draft.fired)


DRAFT_RULE_ID = -1


def lead_test(
    *, lead: Lead, thresholds: Thresholds | None = None, rule: ScoringRule | None = None,
    draft: RuleDraft | None = None,
) -> LeadTest:  # fmt: skip
    """Score ``lead`` in memory with the saved rules, the ``draft`` thresholds and the
    ``draft`` rule in place of ``rule`` (or added, for a new rule). Nothing is written."""
    dimensions = [
        DimensionSpec(d.pk, d.name, d.cap, d.decays)
        for d in Dimension.objects.filter(is_active=True)
    ]
    specs = [
        RuleSpec(r.pk, r.name, r.dimension_id, r.kind, r.config, r.points)
        for r in ScoringRule.objects.filter(is_active=True, dimension__is_active=True)
        if rule is None or r.pk != rule.pk
    ]
    draft_id = None
    if draft is not None and draft.is_active:
        draft_id = rule.pk if rule is not None else DRAFT_RULE_ID
        specs.append(
            RuleSpec(draft_id, draft.name, draft.dimension.pk, draft.kind, draft.config,
                     draft.points)
        )  # fmt: skip
    thresholds = thresholds or thresholds_load()
    ruleset = ruleset_compile(dimensions=dimensions, rules=specs, thresholds=thresholds)
    row = Lead.objects.filter(pk=lead.pk).values(*LEAD_COLUMNS).get()
    counts = {
        (kind, outcome): n
        for kind, outcome, n in Activity.objects.filter(lead_id=lead.pk)
        .values_list("kind", "outcome")
        .annotate(n=Count("id"))
        .order_by()
    }
    sources = dict(SourceChannel.objects.values_list("pk", "code"))
    result = lead_score(
        lead_facts(row, sources=sources, activities=counts), ruleset, now=timezone.now()
    )
    by_dimension = [
        (d.name, result.dimensions.get(d.name, 0), d.cap,
         [f for f in result.fired if f.dimension == d.name])
        for d in dimensions
    ]  # fmt: skip
    return LeadTest(lead, result, row["score"], row["grade"], by_dimension, draft_id)


def thresholds_draft(*, hot_score, warm_score, half_life_days) -> Thresholds:
    """Thresholds as typed, for a test (the saved ones where a value does not read)."""
    saved = thresholds_load()
    values = {}
    for key, value in (
        ("hot", hot_score),
        ("warm", warm_score),
        ("half_life_days", half_life_days),
    ):
        try:
            number = int(str(value).strip())
        except (TypeError, ValueError):
            continue
        if number >= 1:
            values[key] = float(number) if key == "half_life_days" else min(number, 100)
    return replace(saved, **values)


# --- the rescore-all job -------------------------------------------------------------------


def rescore_all_start(*, actor: User | None) -> Job:
    """Queue the one job that rescores every open lead with the rules as they are now (on
    commit). If one is queued or running already, no second job is made: the active one is
    marked ``again`` and starts over with the new rules after the pass it is on (see
    ``rescore_all_run``). Returns the job that will do it."""
    while True:
        try:
            job = job_create(kind=RESCORE_KIND, user=actor, exclusive=True)
        except JobAlreadyActive as exc:
            # Waits on the body's row lock while it decides to finish; a job that finished
            # meanwhile is not marked (0 rows) and a new one is made.
            if Job.objects.filter(pk=exc.job.pk, status__in=Job.ACTIVE).update(
                params={"again": True}
            ):
                return exc.job
            continue
        return job_enqueue(job=job, task=RESCORE_TASK)


def rescore_all_run(*, job: Job, step: int = RESCORE_STEP) -> dict:
    """The body of the rescore job: score every open lead, ``step`` leads per progress report.

    1. clear the job's ``again`` mark, then take the open leads and score them in steps
       (score_recompute loads the rules for each step and commits per chunk)
    2. lock the job row: if a change marked it ``again`` meanwhile, start over from 1 (its
       rules may have missed the leads already scored); else finish the job under that lock,
       so a change that comes after sees it done and queues a new job.
    Safe to rerun (a redelivered message starts over; scores come out the same)."""
    passes = 0
    while True:
        passes += 1
        Job.objects.filter(pk=job.pk).update(params={})
        ids = open_lead_ids()
        job_progress(job=job, done=0, total=len(ids))
        scored = 0
        for start in range(0, len(ids), step):
            scored += score_recompute(lead_ids=ids[start : start + step], trigger="rescore")
            job_progress(job=job, done=min(start + step, len(ids)))
        with transaction.atomic():
            locked = Job.objects.select_for_update().get(pk=job.pk)
            if (locked.params or {}).get("again"):
                continue
            result = {"scored": scored, "passes": passes}
            job_finish(job=job, result=result)
            return result


def rescore_job_latest() -> Job | None:
    """The last rescore job, for the settings page to show its progress."""
    return Job.objects.filter(kind=RESCORE_KIND).order_by("-created_at").first()


# --- the conversion model (scoring.predictive) -------------------------------------------------


def model_retrain_start(*, actor: User) -> Job:
    """ "Retrain now": queue the one training job (an admin's; a second click while one is
    queued or running returns that one)."""
    admin_check(actor)
    try:
        job = job_create(kind=TRAIN_KIND, user=actor, exclusive=True)
    except JobAlreadyActive as exc:
        return exc.job
    return job_enqueue(job=job, task=TRAIN_TASK)


def model_retrain_run(*, job: Job, trigger: str = "manual") -> dict:
    """The body of the training job: train a new version; when it is ready, rescore every open
    lead with it (the rescore job, with its own progress)."""
    version = model_train(trigger=trigger, actor=job.created_by)
    if version.status == PredictiveModel.Status.READY:
        rescore_all_start(actor=job.created_by)
    return {"version": version.version, "status": version.status}


def model_job_latest() -> Job | None:
    return Job.objects.filter(kind=TRAIN_KIND).order_by("-created_at").first()


def blend_save(*, actor: User, blend: str, model_weight) -> ScoringSettings:
    """How the shown score blends the rule score and the model (rules only, model only,
    weighted with the model's share in percent); every open lead is rescored with it."""
    admin_check(actor)
    if blend not in Blend.values:
        raise ScoringConfigError(_("Choose how the score is shown."), field="blend")
    weight = _whole(
        model_weight, low=0, high=100, message=_("Enter a share from 0 to 100 %."),
        field="model_weight",
    )  # fmt: skip
    with transaction.atomic():
        row = ScoringSettings.load()
        if (row.blend, row.model_weight) != (blend, weight):
            row.blend, row.model_weight = blend, weight
            row.save(update_fields=["blend", "model_weight"])
            rescore_all_start(actor=actor)
    return row
