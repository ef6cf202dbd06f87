"""The rule scoring engine: pure Python, no database, microseconds per lead.

``ruleset_compile`` turns the tenant's dimensions, rules and thresholds (plain values, loaded
once by ``scoring.services``) into a ``RuleSet``; ``lead_score(facts, ruleset, now=)`` scores
one lead from its ``LeadFacts``. The same code scores a saved lead, an import batch and, later,
"test a lead" with draft rules.

How a score is made:

1. every active rule that holds for the lead fires with its points (which may be negative);
2. per dimension, the positive points are capped at the dimension's cap; in a dimension that
   decays (Behavioural), they are then halved every ``half_life_days`` of inactivity (days
   since the last activity, else since creation); negative points never decay;
3. the dimension's points (positive after decay plus negative) stay within ±cap;
4. the total is the sum of the dimensions, clamped to 0-100;
5. the band is Hot (≥ hot), Warm (≥ warm) or Cold; the letter is A (Hot), B (upper half of
   Warm), C (lower half of Warm) or D (Cold).

Rule kinds and their ``config``:

- ``field``: ``{"conditions": [[{"field", "op", "value"}, ...], ...]}``: the assignment rules'
  vocabulary (groups OR-ed, rows AND-ed; fields of the lead or ``cf:<key>``; operators eq, ne,
  in, not_in, contains, not_contains, gt, gte, lt, lte, empty, not_empty). It is evaluated here
  on plain values: scoring may not import pools.
- ``keyword``: ``{"words": [...], "fields": [...]}``: any word or phrase, case-insensitive, in
  the lead's notes and source detail (the inquiry text of forms), or in ``fields`` if given.
  Latin words match whole words ("demo" is not in "demolition"); Chinese phrases match anywhere.
- ``source``: ``{"codes": [...]}``: the lead's source channel code is one of them.
- ``activity``: ``{"kind", "outcome", "min", "max", "each"}``: the number of logged activities
  of that kind (and call outcome, if given) is at least ``min`` (default 1) and at most ``max``
  (if given); with ``each`` the points count once per activity.
- ``negative``: ``{"email_domains": [...], "words": [...], "fields": [...]}``: the email's
  domain (or a parent domain) is listed (free mail, competitors), or a word is found in
  ``fields`` (default: notes, job title, company). Its points are meant to be negative.
- ``event``: ``{"kind", "min", "max", "each"}``: as ``activity``, over the lead's behavioural
  events (tracked link clicks, email opens, website form submissions, downloads, page visits)
  of that kind.

Automatic tags ("High intent", "Gone quiet") come from tag rules, compiled into the same
``RuleSet`` and evaluated on the same ``LeadFacts`` by ``lead_tags``. A tag rule holds one or
more conditions, each a (kind, config) of the kinds above (points and ``each`` play no part), or
of one kind only tags use:

- ``inactive``: ``{"days"}``: an open lead with no activity and no behavioural event for at
  least ``days`` days (counted from its creation when it never had any).

The rule gives its tag when all its conditions hold (``match`` "all"), or any of them ("any").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

FIELD, KEYWORD, SOURCE, ACTIVITY, NEGATIVE = "field", "keyword", "source", "activity", "negative"
EVENT = "event"
KINDS = (FIELD, KEYWORD, SOURCE, ACTIVITY, NEGATIVE, EVENT)
INACTIVE = "inactive"
TAG_KINDS = (*KINDS, INACTIVE)
MATCH_ALL, MATCH_ANY = "all", "any"
OPERATORS = (
    "eq", "ne", "in", "not_in", "contains", "not_contains", "gt", "gte", "lt", "lte", "empty",
    "not_empty",
)  # fmt: skip
HOT, WARM, COLD = "hot", "warm", "cold"
KEYWORD_FIELDS = ("notes", "source_detail")
NEGATIVE_FIELDS = ("notes", "job_title", "company")


@dataclass(frozen=True)
class DimensionSpec:
    id: int
    name: str
    cap: int
    decays: bool = False


@dataclass(frozen=True)
class RuleSpec:
    id: int
    name: str
    dimension_id: int
    kind: str
    config: Mapping
    points: int


@dataclass(frozen=True)
class TagRuleSpec:
    """A tag rule: ``name`` is the tag it gives; ``conditions`` are (kind, config) pairs."""

    id: int
    name: str
    conditions: tuple[tuple[str, Mapping], ...]
    match: str = MATCH_ALL


@dataclass(frozen=True)
class Thresholds:
    hot: int = 70
    warm: int = 31
    half_life_days: float = 30.0

    def band(self, total: int) -> str:
        if total >= self.hot:
            return HOT
        return WARM if total >= self.warm else COLD

    def letter(self, total: int) -> str:
        if total >= self.hot:
            return "A"
        if total >= (self.hot + self.warm) / 2:
            return "B"
        return "C" if total >= self.warm else "D"


@dataclass
class LeadFacts:
    """What the engine knows of a lead: its field values (``fields``, by field name, with
    ``custom`` for custom fields), its source code, the number of its activities by
    (kind, outcome) (outcome "" for non-calls) and of its behavioural events by kind, and
    when it was last touched."""

    fields: Mapping = field(default_factory=dict)
    custom: Mapping = field(default_factory=dict)
    source: str = ""
    activities: Mapping[tuple[str, str], int] = field(default_factory=dict)
    events: Mapping[str, int] = field(default_factory=dict)
    last_activity_at: datetime | None = None
    created_at: datetime | None = None
    #: Still being worked (an open status): only open leads "go quiet".
    is_open: bool = True
    #: Field values as compared (trimmed, case-folded), computed once per lead and field.
    texts: dict = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class Fired:
    rule_id: int
    name: str
    dimension: str
    points: int


@dataclass(frozen=True)
class TagHit:
    """A tag a lead gets, and the tag rule that gave it."""

    tag: str
    rule_id: int


@dataclass(frozen=True)
class ScoreResult:
    total: int
    dimensions: dict[str, int]
    fired: tuple[Fired, ...]
    band: str
    letter: str
    decay: float

    def fired_json(self) -> list[dict]:
        return [
            {"rule": f.rule_id, "name": f.name, "dimension": f.dimension, "points": f.points}
            for f in self.fired
        ]


# --- compiled rules --------------------------------------------------------------------------


def _as_list(value) -> list[str]:
    if isinstance(value, list | tuple | set):
        items = value
    else:
        items = re.split(r"[,，、;；\n]", str(value or ""))
    return [str(i).strip() for i in items if str(i).strip()]


def _as_number(value) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        return None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip().casefold()


def words_pattern(words: Iterable[str]) -> re.Pattern | None:
    """One case-insensitive regex for a list of words and phrases: a phrase that starts or ends
    with a Latin letter or digit must not run into another one there ("demo" is not found in
    "demolition", "VP" not in "MVP"); Chinese phrases are found anywhere."""
    parts = []
    for word in sorted({w.strip().casefold() for w in words if w and w.strip()}, key=len):
        part = re.escape(word)
        if re.match(r"[a-z0-9]", word):
            part = r"(?<![a-z0-9])" + part
        if re.search(r"[a-z0-9]$", word):
            part += r"(?![a-z0-9])"
        parts.append(part)
    if not parts:
        return None
    return re.compile("|".join(reversed(parts)))  # longest first


def _value(facts: LeadFacts, name: str):
    if name.startswith("cf:"):
        return (facts.custom or {}).get(name[3:])
    if name == "source":
        return facts.source
    return facts.fields.get(name)


def _norm(facts: LeadFacts, name: str) -> str:
    text = facts.texts.get(name)
    if text is None:
        text = facts.texts[name] = _text(_value(facts, name))
    return text


def _compile_row(row: Mapping):
    """One condition row, with the meaning the assignment rules give it (pools.conditions),
    its expected value prepared once."""
    name, op, expected = row.get("field", ""), row.get("op"), row.get("value")
    wanted = frozenset(_text(e) for e in _as_list(expected))
    needle = _text(expected)
    right = _as_number(expected)
    numeric = op in ("gt", "gte", "lt", "lte")

    def holds(facts: LeadFacts) -> bool:
        actual = _value(facts, name)
        if isinstance(actual, list | tuple):  # tags and multiple-choice custom fields
            have = {_text(a) for a in actual if _text(a)}
            return {
                "contains": bool(have & wanted),
                "in": bool(have & wanted),
                "eq": bool(have & wanted),
                "not_contains": not (have & wanted),
                "not_in": not (have & wanted),
                "ne": not (have & wanted),
                "empty": not have,
                "not_empty": bool(have),
            }.get(op, False)
        if op == "empty":
            return actual in (None, "")
        if op == "not_empty":
            return actual not in (None, "")
        if numeric or (isinstance(actual, int | float | Decimal) and not isinstance(actual, bool)):
            left = _as_number(actual)
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
        text = _norm(facts, name)
        if op == "in":
            return text in wanted
        if op == "not_in":
            return text not in wanted
        return {
            "eq": text == needle,
            "ne": text != needle,
            "contains": bool(needle) and needle in text,
            "not_contains": not needle or needle not in text,
        }.get(op, False)

    return holds


def _compile_conditions(groups: list) -> object:
    """Groups OR-ed, rows AND-ed. The common "field contains any of these words" (one
    ``contains`` row per group, all on one field) becomes one regex search."""
    groups = [g for g in groups or [] if g]
    if not groups:
        return lambda facts: 0
    compiled = [[_compile_row(r) for r in g] for g in groups]

    def generic(facts: LeadFacts) -> int:
        return int(any(all(holds(facts) for holds in g) for g in compiled))

    names = {g[0].get("field") for g in groups}
    if all(len(g) == 1 and g[0].get("op") == "contains" for g in groups) and len(names) == 1:
        name = names.pop()
        needles = sorted({_text(g[0].get("value")) for g in groups} - {""}, key=len, reverse=True)
        pattern = re.compile("|".join(re.escape(n) for n in needles)) if needles else None

        def any_word(facts: LeadFacts) -> int:
            if isinstance(_value(facts, name), list | tuple):
                return generic(facts)
            return int(pattern is not None and pattern.search(_norm(facts, name)) is not None)

        return any_word
    return generic


def _email_domain(email) -> str:
    email = _text(email)
    return email.rsplit("@", 1)[1] if "@" in email else ""


def _domain_listed(domain: str, listed: frozenset[str]) -> bool:
    """``mail.qq.com`` is listed by ``qq.com``."""
    parts = domain.split(".")
    return any(".".join(parts[i:]) in listed for i in range(len(parts) - 1))


@dataclass(frozen=True)
class _Compiled:
    spec: RuleSpec
    dimension: DimensionSpec
    test: object  # Callable[[LeadFacts], int]: how many times the rule fires (0: not at all)


def _compile_rule(rule: RuleSpec):
    return _compile_test(rule.kind, rule.config)


def _compile_test(kind: str, config: Mapping | None):
    """The test of one condition of ``kind``: how many times it holds for a lead (0: not)."""
    config = config or {}
    if kind == FIELD:
        return _compile_conditions(config.get("conditions"))
    if kind in (KEYWORD, NEGATIVE):
        default_fields = KEYWORD_FIELDS if kind == KEYWORD else NEGATIVE_FIELDS
        names = tuple(config.get("fields") or default_fields)
        pattern = words_pattern(_as_list(config.get("words")))
        domains = frozenset(_text(d).lstrip("@") for d in _as_list(config.get("email_domains")))

        def test(facts: LeadFacts) -> int:
            if domains and _domain_listed(_email_domain(facts.fields.get("email")), domains):
                return 1
            if pattern is None:
                return 0
            text = "\n".join(_norm(facts, n) for n in names)
            return int(pattern.search(text) is not None)

        return test
    if kind == SOURCE:
        codes = frozenset(_text(c) for c in _as_list(config.get("codes")))
        return lambda facts: int(_text(facts.source) in codes)
    if kind in (ACTIVITY, EVENT):
        wanted, outcome = config.get("kind") or "", config.get("outcome") or ""
        low = int(config.get("min") or 1)
        high = config.get("max")
        high = int(high) if high not in (None, "") else None
        each = bool(config.get("each"))

        def count_activities(facts: LeadFacts) -> int:
            return sum(
                n
                for (k, o), n in facts.activities.items()
                if (not wanted or k == wanted) and (not outcome or o == outcome)
            )

        def count_events(facts: LeadFacts) -> int:
            return sum(n for k, n in facts.events.items() if not wanted or k == wanted)

        counter = count_activities if kind == ACTIVITY else count_events

        def test(facts: LeadFacts) -> int:
            count = counter(facts)
            if count < low or (high is not None and count > high):
                return 0
            return count if each else 1

        return test
    if kind == INACTIVE:
        days = int(config.get("days") or 0)

        def quiet(facts: LeadFacts, *, now: datetime) -> int:
            since = facts.last_activity_at or facts.created_at
            return int(facts.is_open and since is not None and (now - since).days >= days)

        return quiet
    raise ValueError(f"unknown rule kind {kind!r}")


@dataclass(frozen=True)
class _CompiledTag:
    spec: TagRuleSpec
    #: One per condition; a test takes the facts and, for ``inactive``, ``now``.
    tests: tuple[tuple[object, bool], ...]  # (test, wants now)


@dataclass(frozen=True)
class RuleSet:
    dimensions: tuple[DimensionSpec, ...]
    rules: tuple[_Compiled, ...]
    thresholds: Thresholds
    tags: tuple[_CompiledTag, ...] = ()


def _compile_tag(rule: TagRuleSpec) -> _CompiledTag:
    return _CompiledTag(
        rule,
        tuple((_compile_test(kind, config), kind == INACTIVE) for kind, config in rule.conditions),
    )


def ruleset_compile(
    *,
    dimensions: Iterable[DimensionSpec],
    rules: Iterable[RuleSpec],
    thresholds: Thresholds | None = None,
    tag_rules: Iterable[TagRuleSpec] = (),
) -> RuleSet:
    """Compile active rules (and tag rules) once for many leads. Rules of an unknown (inactive)
    dimension are left out, and so are tag rules without conditions."""
    dims = tuple(dimensions)
    by_id = {d.id: d for d in dims}
    compiled = tuple(
        _Compiled(rule, by_id[rule.dimension_id], _compile_rule(rule))
        for rule in rules
        if rule.dimension_id in by_id
    )
    tags = tuple(_compile_tag(rule) for rule in tag_rules if rule.conditions)
    return RuleSet(dims, compiled, thresholds or Thresholds(), tags)


def lead_tags(facts: LeadFacts, ruleset: RuleSet, *, now: datetime) -> tuple[TagHit, ...]:
    """The automatic tags of one lead, in the tag rules' order, each tag once: a rule gives its
    tag when all its conditions hold (or any of them, for a rule that matches "any")."""
    hits: dict[str, TagHit] = {}
    for rule in ruleset.tags:
        if rule.spec.name in hits:
            continue
        results = (
            test(facts, now=now) if wants_now else test(facts) for test, wants_now in rule.tests
        )
        holds = any(results) if rule.spec.match == MATCH_ANY else all(results)
        if holds:
            hits[rule.spec.name] = TagHit(rule.spec.name, rule.spec.id)
    return tuple(hits.values())


def decay_factor(facts: LeadFacts, *, now: datetime, half_life_days: float) -> float:
    """1.0 when touched today; 0.5 after one half-life without an activity; and so on."""
    since = facts.last_activity_at or facts.created_at
    if since is None or half_life_days <= 0:
        return 1.0
    idle_days = max(0.0, (now - since).total_seconds() / 86400)
    return 0.5 ** (idle_days / half_life_days)


def lead_score(facts: LeadFacts, ruleset: RuleSet, *, now: datetime) -> ScoreResult:
    """Score one lead (see the module docstring for how)."""
    positive = {d.id: 0 for d in ruleset.dimensions}
    negative = {d.id: 0 for d in ruleset.dimensions}
    fired = []
    for rule in ruleset.rules:
        times = rule.test(facts)
        if not times:
            continue
        points = rule.spec.points * times
        fired.append(Fired(rule.spec.id, rule.spec.name, rule.dimension.name, points))
        if points >= 0:
            positive[rule.dimension.id] += points
        else:
            negative[rule.dimension.id] += points
    decay = decay_factor(facts, now=now, half_life_days=ruleset.thresholds.half_life_days)
    dimensions = {}
    for dim in ruleset.dimensions:
        gained = min(positive[dim.id], dim.cap)
        if dim.decays:
            gained = round(gained * decay)
        dimensions[dim.name] = max(-dim.cap, min(dim.cap, gained + negative[dim.id]))
    total = max(0, min(100, sum(dimensions.values())))
    thresholds = ruleset.thresholds
    return ScoreResult(
        total=total,
        dimensions=dimensions,
        fired=tuple(fired),
        band=thresholds.band(total),
        letter=thresholds.letter(total),
        decay=round(decay, 4),
    )
