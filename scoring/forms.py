"""What the Settings → Scoring forms post, read into the values the services take, and a rule
turned back into the editor's values. Checking is the services' (scoring.configuration)."""

from __future__ import annotations

from django.http import QueryDict

from leadcrm.parsing import uuid_or_none
from scoring.configuration import lines
from scoring.engine import ACTIVITY, EVENT, FIELD, INACTIVE, KEYWORD, NEGATIVE, SOURCE
from scoring.models import Dimension, ScoringRule, TagRule

#: Empty condition rows the editor offers below the rule's own.
EXTRA_ROWS = 3


def condition_rows(conditions: list, *, extra: int = EXTRA_ROWS) -> list[dict]:
    """The rows of the condition editor: ``{"group", "field", "op", "value"}`` (group from 1),
    the rule's rows then ``extra`` empty ones in a new group each."""
    rows = []
    for number, group in enumerate(conditions or [], start=1):
        for row in group:
            value = row.get("value")
            if isinstance(value, list):
                value = ", ".join(value)
            rows.append({"group": number, "field": row.get("field"), "op": row.get("op"),
                         "value": value})  # fmt: skip
    first_free = len(conditions or []) + 1
    rows += [{"group": first_free + i, "field": "", "op": "", "value": ""} for i in range(extra)]
    return rows


def conditions_from_post(post: QueryDict) -> list[list[dict]]:
    """The condition rows posted as parallel lists (cond_group, cond_field, cond_op,
    cond_value), grouped by their group number in the order the groups first appear."""
    groups: dict[str, list[dict]] = {}
    for group, field, op, value in zip(
        post.getlist("cond_group"),
        post.getlist("cond_field"),
        post.getlist("cond_op"),
        post.getlist("cond_value"),
        strict=False,
    ):
        if field:
            groups.setdefault(group or "1", []).append({"field": field, "op": op, "value": value})
    return list(groups.values())


def config_from_post(post: QueryDict, kind: str) -> dict:
    """The ``config`` of a rule of ``kind`` as typed (checked by rule_config_clean)."""
    if kind == FIELD:
        return {"conditions": conditions_from_post(post)}
    if kind == KEYWORD:
        return {"words": post.get("words", ""), "fields": post.getlist("fields")}
    if kind == SOURCE:
        return {"codes": post.getlist("codes")}
    if kind == ACTIVITY:
        return {
            "kind": post.get("activity", ""),
            "outcome": post.get("outcome", ""),
            "min": post.get("min", ""),
            "max": post.get("max", ""),
            "each": post.get("each") == "on",
        }
    if kind == EVENT:
        return {
            "kind": post.get("event", ""),
            "min": post.get("min", ""),
            "max": post.get("max", ""),
            "each": post.get("each") == "on",
        }
    if kind == NEGATIVE:
        return {
            "email_domains": post.get("email_domains", ""),
            "words": post.get("words", ""),
            "fields": post.getlist("fields"),
        }
    if kind == INACTIVE:
        return {"days": post.get("days", "")}
    return {}


def rule_values_from_post(post: QueryDict) -> dict:
    """The keyword arguments of rule_draft_clean from a posted rule form."""
    kind = post.get("kind", "")
    uuid = uuid_or_none(post.get("dimension"))
    return {
        "dimension": Dimension.objects.filter(uuid=uuid).first() if uuid else None,
        "name": post.get("name", ""),
        "kind": kind,
        "config": config_from_post(post, kind),
        "points": post.get("points", ""),
        "is_active": post.get("is_active") == "on",
    }


def editor_values(*, kind: str, config: dict, name="", points="", is_active=True,
                  dimension=None) -> dict:  # fmt: skip
    """What the rule editor shows: the common inputs and each kind's inputs as text."""
    config = config or {}
    return {
        "kind": kind,
        "name": name,
        "points": points,
        "is_active": is_active,
        "dimension": dimension.uuid if isinstance(dimension, Dimension) else dimension,
        "rows": condition_rows(config.get("conditions") if kind == FIELD else []),
        "words": "\n".join(lines(config.get("words"))),
        "email_domains": "\n".join(lines(config.get("email_domains"))),
        "fields": lines(config.get("fields")),
        "codes": lines(config.get("codes")),
        "activity": config.get("kind", "") if kind == ACTIVITY else "",
        "event": config.get("kind", "") if kind == EVENT else "",
        "outcome": config.get("outcome", ""),
        "min": config.get("min", ""),
        "max": config.get("max", ""),
        "each": bool(config.get("each")),
        "days": config.get("days", ""),
    }


def editor_values_of_rule(rule: ScoringRule) -> dict:
    return editor_values(
        kind=rule.kind, config=rule.config, name=rule.name, points=rule.points,
        is_active=rule.is_active, dimension=rule.dimension,
    )  # fmt: skip


def editor_values_from_post(post: QueryDict) -> dict:
    """The editor as posted (shown again with the reason when a save is refused)."""
    kind = post.get("kind", "")
    values = editor_values(
        kind=kind, config={}, name=post.get("name", ""), points=post.get("points", ""),
        is_active=post.get("is_active") == "on", dimension=post.get("dimension", ""),
    )  # fmt: skip
    posted = config_from_post(post, kind)
    if kind == FIELD:
        values["rows"] = condition_rows(posted["conditions"])
    values.update(
        {
            "words": post.get("words", ""),
            "email_domains": post.get("email_domains", ""),
            "fields": post.getlist("fields"),
            "codes": post.getlist("codes"),
            "activity": post.get("activity", ""),
            "event": post.get("event", ""),
            "outcome": post.get("outcome", ""),
            "min": post.get("min", ""),
            "max": post.get("max", ""),
            "each": post.get("each") == "on",
            "days": post.get("days", ""),
        }
    )
    return values


# --- tag rules: several conditions on one form, each under its prefix "c<n>-" ---------------

#: The days a new "no activity" condition starts with.
INACTIVE_DAYS_DEFAULT = 14


def _condition_post(post: QueryDict, index: int) -> QueryDict:
    """The inputs of condition ``index`` (``c<index>-words`` ...) without their prefix, so the
    scoring rules' readers (config_from_post, editor_values_from_post) read them."""
    prefix, sub = f"c{index}-", QueryDict(mutable=True)
    for key in post:
        if key.startswith(prefix):
            sub.setlist(key[len(prefix) :], post.getlist(key))
    return sub


def tag_conditions_posted(post: QueryDict) -> list[tuple[int, QueryDict]]:
    """The posted conditions in order: (index, its inputs), each index once. An index that is
    not a small whole number is ignored (the form only posts its own)."""
    indexes: list[int] = []
    for raw in post.getlist("cond"):
        if raw.isdigit() and int(raw) < 1000 and int(raw) not in indexes:
            indexes.append(int(raw))
    return [(index, _condition_post(post, index)) for index in indexes]


def tag_values_from_post(post: QueryDict) -> dict:
    """The keyword arguments of tag_rule_draft_clean from a posted tag rule form."""
    return {
        "name": post.get("name", ""),
        "match": post.get("match", ""),
        "is_active": post.get("is_active") == "on",
        "conditions": [
            (sub.get("kind", ""), config_from_post(sub, sub.get("kind", "")))
            for _index, sub in tag_conditions_posted(post)
        ],
    }


def _tag_condition(index: int, values: dict) -> dict:
    return {"index": index, "prefix": f"c{index}-", "kind": values["kind"], "values": values}


def tag_condition_new(index: int, kind: str) -> dict:
    """An empty condition of ``kind`` for the editor (an unknown kind reads as keywords)."""
    kind = kind if kind in TagRule.Kind.values else KEYWORD
    config = {"days": INACTIVE_DAYS_DEFAULT} if kind == INACTIVE else {}
    return _tag_condition(index, editor_values(kind=kind, config=config))


def tag_editor_values_of_rule(rule: TagRule | None) -> dict:
    """What the tag editor shows for a saved rule (or a new one: one keyword condition)."""
    if rule is None:
        return {"name": "", "match": TagRule.Match.ALL, "is_active": True,
                "conditions": [tag_condition_new(0, KEYWORD)]}  # fmt: skip
    stored = rule.conditions if isinstance(rule.conditions, list) else []
    conditions = [
        _tag_condition(index, editor_values(kind=c.get("kind", ""), config=c.get("config")))
        for index, c in enumerate(c for c in stored if isinstance(c, dict))
    ]
    return {"name": rule.name, "match": rule.match, "is_active": rule.is_active,
            "conditions": conditions}  # fmt: skip


def tag_editor_values_from_post(post: QueryDict) -> dict:
    """The tag editor as posted (shown again to add or remove a condition, or with the reason
    a save was refused)."""
    return {
        "name": post.get("name", ""),
        "match": post.get("match", TagRule.Match.ALL),
        "is_active": post.get("is_active") == "on",
        "conditions": [
            _tag_condition(index, editor_values_from_post(sub))
            for index, sub in tag_conditions_posted(post)
        ],
    }
