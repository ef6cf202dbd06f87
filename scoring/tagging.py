"""Automatic tags (Settings → Scoring → Tags): the tag rules that give leads tags such as "High
intent" or "Gone quiet". Tenant admins list, add, edit, deactivate and delete them here.

A tag rule's conditions use the scoring rules' vocabulary (checked by
``scoring.configuration.rule_config_clean``, so a condition is stored only as the engine reads
it) plus ``inactive`` (no activity nor behavioural event for some days). ``score_recompute``
evaluates them with the score and writes ``Lead.auto_tags``; every change here starts the
rescore-all job, so the tags on leads follow the rules. The tag is the rule's name: at most 50
characters, unique (case aside) among active rules, so each tag on a lead names its rule.

Every refusal is a ScoringConfigError that says why, with ``field`` (the input to blame) and
``condition`` (the position of the condition to blame, or None); nothing is changed by it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from leadcrm.accounts.models import User
from scoring.configuration import (
    ScoringConfigError,
    admin_check,
    field_specs,
    rescore_all_start,
    rule_config_clean,
    rule_describe,
)
from scoring.engine import INACTIVE, KINDS, MATCH_ANY
from scoring.models import TAG_MAX, ScoringRule, TagRule

#: Conditions one tag rule may hold.
CONDITIONS_MAX = 10
INACTIVE_DAYS_MAX = 365


def tag_names_active() -> list[str]:
    """The tags the active rules give, in their order (the lead list's tag filter offers them,
    through leads.hooks.register_tag_choices)."""
    return list(TagRule.objects.filter(is_active=True).values_list("name", flat=True))


@dataclass(frozen=True)
class TagRuleDraft:
    """A tag rule as the editor posts it, checked: what ``tag_rule_add`` and
    ``tag_rule_update`` store."""

    name: str
    match: str
    conditions: list[dict]
    is_active: bool = True


def _refuse(message, *, field: str | None = None, condition: int | None = None):
    error = ScoringConfigError(message, field=field)
    error.condition = condition
    return error


def tag_name_clean(name) -> str:
    """The tag as it will show on leads: spaces collapsed, 1-50 characters."""
    name = " ".join(str(name or "").split())
    if not name:
        raise _refuse(_("Enter the tag."), field="name")
    if len(name) > TAG_MAX:
        raise _refuse(_("A tag has at most %(max)d characters.") % {"max": TAG_MAX}, field="name")
    return name


def tag_condition_clean(*, kind: str, config: dict) -> dict:
    """One condition's ``config`` as stored for ``kind`` (the scoring rules' kinds, with any
    kind of behavioural event allowed, and ``inactive``); points play no part in a tag, so a
    "count once per activity" setting is dropped."""
    config = config if isinstance(config, dict) else {}
    if kind == INACTIVE:
        try:
            days = int(str(config.get("days", "")).strip())
        except ValueError:
            days = 0
        if not 1 <= days <= INACTIVE_DAYS_MAX:
            raise ScoringConfigError(
                _("Days without activity: a whole number from 1 to %(max)d.")
                % {"max": INACTIVE_DAYS_MAX},
                field="days",
            )
        return {"days": days}
    if kind not in KINDS:
        raise ScoringConfigError(_("Choose what the condition looks at."), field="kind")
    cleaned = rule_config_clean(kind=kind, config=config, any_event=True)
    cleaned.pop("each", None)
    return cleaned


def tag_rule_draft_clean(*, name, match, conditions, is_active=True) -> TagRuleDraft:
    """Check a tag rule as typed: ``conditions`` is a list of (kind, config). Raises
    ScoringConfigError with the input (and the condition) to blame."""
    name = tag_name_clean(name)
    if match not in TagRule.Match.values:
        raise _refuse(_("Choose whether all conditions or any of them must hold."), field="match")
    conditions = list(conditions or [])
    if not conditions:
        raise _refuse(_("Add at least one condition."), field="conditions")
    if len(conditions) > CONDITIONS_MAX:
        raise _refuse(
            _("A tag rule has at most %(max)d conditions.") % {"max": CONDITIONS_MAX},
            field="conditions",
        )
    cleaned = []
    for position, (kind, config) in enumerate(conditions):
        try:
            cleaned.append({"kind": kind, "config": tag_condition_clean(kind=kind, config=config)})
        except ScoringConfigError as exc:
            raise _refuse(exc.message, field=exc.field, condition=position) from exc
    return TagRuleDraft(name, match, cleaned, bool(is_active))


def _name_free(name: str, *, exclude_pk=None) -> None:
    taken = (
        TagRule.objects.filter(is_active=True, name__iexact=name).exclude(pk=exclude_pk).exists()
    )
    if taken:
        raise _refuse(_("An active rule already gives the tag %(name)s.") % {"name": name},
                      field="name")  # fmt: skip


def _saved(write):
    """Run ``write`` in a savepoint: the unique index on active names has the last word when
    two admins save the same tag at once."""
    try:
        with transaction.atomic():
            return write()
    except IntegrityError as exc:
        raise _refuse(_("An active rule already gives this tag."), field="name") from exc


def tag_rule_add(*, actor: User, draft: TagRuleDraft) -> TagRule:
    """Add a checked tag rule (last in order) and start the rescore job."""
    admin_check(actor)
    with transaction.atomic():
        list(TagRule.objects.select_for_update())  # one change of the tag rules at a time
        if draft.is_active:
            _name_free(draft.name)
        position = (TagRule.objects.aggregate(m=Max("position"))["m"] or 0) + 1
        rule = _saved(
            lambda: TagRule.objects.create(
                name=draft.name, match=draft.match, conditions=draft.conditions,
                is_active=draft.is_active, position=position,
            )
        )  # fmt: skip
        rescore_all_start(actor=actor)
    return rule


def tag_rule_update(*, actor: User, rule: TagRule, draft: TagRuleDraft) -> TagRule:
    """Change a tag rule (its tag, conditions, match, active) and start the rescore job, which
    renames, adds or takes away the tag on leads."""
    admin_check(actor)
    with transaction.atomic():
        list(TagRule.objects.select_for_update())
        if draft.is_active:
            _name_free(draft.name, exclude_pk=rule.pk)
        changes = {
            "name": draft.name, "match": draft.match, "conditions": draft.conditions,
            "is_active": draft.is_active,
        }  # fmt: skip
        if not _saved(lambda: TagRule.objects.filter(pk=rule.pk).update(**changes)):
            raise _refuse(_("That tag rule was deleted meanwhile."))
        for key, value in changes.items():
            setattr(rule, key, value)
        rescore_all_start(actor=actor)
    return rule


def tag_rule_delete(*, actor: User, rule: TagRule) -> None:
    """Delete a tag rule and start the rescore job (leads lose its tag)."""
    admin_check(actor)
    with transaction.atomic():
        if TagRule.objects.filter(pk=rule.pk).delete()[0]:
            rescore_all_start(actor=actor)


# --- reading for the page ------------------------------------------------------------------


def condition_describe(kind: str, config: dict, specs) -> str:
    """A readable condition: the scoring rules' sentence for their kinds ("Mentions 报价,
    quote"), "No activity for 14 days" for ``inactive``."""
    config = config if isinstance(config, dict) else {}
    if kind == INACTIVE:
        return _("No activity for %(days)s days") % {"days": config.get("days", "?")}
    if kind not in KINDS:
        return ""
    return rule_describe(ScoringRule(kind=kind, config=config), specs)


def tag_rule_describe(rule: TagRule, specs=None) -> str:
    """The rule's conditions in one line, joined by "and" (or "or" when any may hold)."""
    specs = field_specs() if specs is None else specs
    conditions = rule.conditions if isinstance(rule.conditions, list) else []
    parts = [
        text
        for c in conditions
        if isinstance(c, dict)
        and (text := condition_describe(c.get("kind"), c.get("config"), specs))
    ]
    joiner = _(" — or — ") if rule.match == MATCH_ANY else _(" — and — ")
    return joiner.join(parts)


def tag_rules_overview() -> list[TagRule]:
    """Every tag rule in order, each with ``summary`` (its conditions in words)."""
    specs = field_specs()
    rules = list(TagRule.objects.order_by("position", "name", "pk"))
    for rule in rules:
        rule.summary = tag_rule_describe(rule, specs)
    return rules
