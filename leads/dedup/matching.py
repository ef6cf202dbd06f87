"""Finding the leads a new (or existing) lead duplicates, by the tenant's duplicate rules.

Candidates come from Postgres: exact keys through btree indexes (a fraction of a millisecond),
similar companies and names through pg_trgm (``%``, GIN indexes on the normalised keys). Each
candidate is then scored in Python with rapidfuzz against every active rule; a rule holds when
all its fields match. The best rule per candidate decides the level: "exact" (red) when the
rule compares exact keys only, "similar" (yellow) otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q
from rapidfuzz import fuzz

from leads.dedup.keys import keys_for
from leads.models import DuplicateRule, Lead, LeadStatus

CANDIDATES_PER_KEY = 30
#: pg_trgm's ``%`` threshold for candidates (rapidfuzz decides afterwards).
TRIGRAM_THRESHOLD = 0.35


@dataclass
class DuplicateMatch:
    lead: Lead
    score: int
    level: str  # "exact" | "similar"
    fields: list[str]
    rule: DuplicateRule
    field_scores: dict[str, int] = field(default_factory=dict)

    @property
    def blocks(self) -> bool:
        return self.rule.action == DuplicateRule.Action.BLOCK


def rules_active() -> list[DuplicateRule]:
    return list(DuplicateRule.objects.filter(is_active=True).order_by("position", "id"))


def field_score(name: str, match: str, a: dict, b: dict) -> int:
    """0-100: how well field ``name`` of key sets ``a`` and ``b`` agree."""
    if name == "email":
        return 100 if a["email_key"] and a["email_key"] == b["email_key"] else 0
    if name == "phone":
        mine = {a["phone_key"], a["mobile_key"]} - {""}
        theirs = {b["phone_key"], b["mobile_key"]} - {""}
        return 100 if mine & theirs else 0
    key = f"{name}_key"
    left, right = a.get(key) or "", b.get(key) or ""
    if not left or not right:
        return 0
    if left == right:
        return 100
    if match == "exact":
        return 0
    if name == "name":
        return int(fuzz.token_sort_ratio(left, right))
    # Companies: a missing city prefix or suffix ("上海云启" vs "云启") still counts.
    ratio = fuzz.ratio(left, right)
    shorter = min(len(left), len(right))
    partial = fuzz.partial_ratio(left, right) * 0.92 if shorter >= 4 else 0
    return int(max(ratio, partial))


def rule_score(rule: DuplicateRule, a: dict, b: dict) -> tuple[int, dict[str, int]] | None:
    """The rule's score (the lowest of its fields) if every field reaches its threshold."""
    scores = {}
    for spec in rule.fields:
        name, match = spec.get("field"), spec.get("match", "exact")
        threshold = 100 if match == "exact" else int(spec.get("threshold", 85))
        score = field_score(name, match, a, b)
        if score < threshold:
            return None
        scores[name] = score
    if not scores:
        return None
    return min(scores.values()), scores


def rule_level(rule: DuplicateRule) -> str:
    exact = all(spec.get("match", "exact") == "exact" for spec in rule.fields)
    return "exact" if exact else "similar"


def best_match(rules, a: dict, b: dict):
    """(rule, score, field scores) of the strongest rule that holds, or None."""
    best = None
    for rule in rules:
        found = rule_score(rule, a, b)
        if found is None:
            continue
        score, scores = found
        rank = (rule_level(rule) == "exact", score)
        if best is None or rank > best[0]:
            best = (rank, rule, score, scores)
    return None if best is None else best[1:]


def _candidates(keys: dict, rules, exclude_ids) -> list[Lead]:
    used = {(s.get("field"), s.get("match", "exact")) for r in rules for s in r.fields}
    fields = {name for name, _match in used}
    exact = Q(pk__in=[])
    if "email" in fields and keys["email_key"]:
        exact |= Q(email_key=keys["email_key"])
    phones = [k for k in (keys["phone_key"], keys["mobile_key"]) if k]
    if "phone" in fields and phones:
        exact |= Q(phone_key__in=phones) | Q(mobile_key__in=phones)
    for name in ("company", "name"):
        if name in fields and keys[f"{name}_key"]:
            exact |= Q(**{f"{name}_key": keys[f"{name}_key"]})
    base = Lead.objects.exclude(status=LeadStatus.VOID).exclude(pk__in=list(exclude_ids))
    found = {lead.pk: lead for lead in base.filter(exact)[: CANDIDATES_PER_KEY * 2]}
    with connection.cursor() as cursor:
        cursor.execute("SET pg_trgm.similarity_threshold = %s", [TRIGRAM_THRESHOLD])
    for name in ("company", "name"):
        value = keys[f"{name}_key"]
        if (name, "fuzzy") in used and len(value) >= 3:
            similar = base.filter(**{f"{name}_key__trigram_similar": value}).order_by()[
                :CANDIDATES_PER_KEY
            ]
            for lead in similar:
                found.setdefault(lead.pk, lead)
    return list(found.values())


def duplicates_find(data: dict, *, exclude_ids=(), limit: int = 10) -> list[DuplicateMatch]:
    """Existing leads that ``data`` (field values of a lead) duplicates, strongest first."""
    rules = rules_active()
    if not rules:
        return []
    keys = keys_for(data)
    if not any(keys.values()):
        return []
    matches = []
    for lead in _candidates(keys, rules, exclude_ids):
        theirs = {k: getattr(lead, k) for k in keys}
        found = best_match(rules, keys, theirs)
        if found is None:
            continue
        rule, score, scores = found
        matches.append(
            DuplicateMatch(
                lead=lead,
                score=score,
                level=rule_level(rule),
                fields=list(scores),
                rule=rule,
                field_scores=scores,
            )
        )
    matches.sort(key=lambda m: (m.level == "exact", m.score), reverse=True)
    return matches[:limit]
