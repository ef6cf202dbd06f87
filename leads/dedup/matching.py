"""Finding the leads a new (or existing) lead duplicates, by the tenant's duplicate rules.

Candidates come from Postgres: exact keys through btree indexes (a fraction of a millisecond),
similar companies and names through pg_trgm (``%``, GIN indexes on the normalised keys). Each
candidate is then weighed (leads.dedup.evidence: every field, agreement for, disagreement
against) and tried against every active rule: a rule holds when the fields it names agree
enough and the evidence is at least its ``min_score`` sure. The best rule per candidate
decides the level: "exact" (red) when the rule compares exact keys only, "similar" (yellow)
otherwise; the score says how sure.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection
from django.db.models import Q
from rapidfuzz import fuzz

from leads.dedup.evidence import (
    Evidence,
    Frequencies,
    count_enough,
    evidence,
    frequency_keys,
    name_similarity,
    numbers,
)
from leads.dedup.profiles import SOURCE_FIELDS, data_profile, lead_profile, row_profile
from leads.models import DEDUP_KEY_FIELDS, DuplicateRule, Lead, LeadStatus, default_region

CANDIDATES_PER_KEY = 30


@dataclass
class DuplicateMatch:
    lead: Lead
    score: int  # how sure, 0-100 (the evidence's match probability)
    level: str  # "exact" | "similar"
    fields: list[str]  # the fields the rule required
    rule: DuplicateRule
    field_scores: dict[str, int] = field(default_factory=dict)
    evidence: Evidence | None = None

    @property
    def blocks(self) -> bool:
        return self.rule.action == DuplicateRule.Action.BLOCK

    @property
    def explained(self) -> list[tuple[str, str, int]]:
        return self.evidence.explained() if self.evidence else []


class RuleMatch(NamedTuple):
    rule: DuplicateRule
    score: int
    field_scores: dict[str, int]
    evidence: Evidence


def rules_active() -> list[DuplicateRule]:
    return list(DuplicateRule.objects.filter(is_active=True).order_by("position", "id"))


def field_score(name: str, match: str, a: dict, b: dict, found: Evidence | None = None) -> int:
    """0-100: how well field ``name`` of profiles ``a`` and ``b`` agree (a field either
    lacks: 0). Exact matching only accepts 100. Email: 100 the same personal address, 70 a
    shared mailbox (info@); phone: 100 a personal number or the same extension, 70 a shared
    switchboard. Read off the pair's evidence (computed when not given)."""
    found = found if found is not None else evidence(a, b, _NO_FREQUENCIES)
    compared = found.fields.get(name)
    if compared is not None:
        score = compared.similarity
    elif name == "name":
        score = name_similarity(a, b)  # two businesses: their names are their companies
    else:
        score = 0
    return score if match != "exact" or score == 100 else 0


def rule_fields_hold(
    rule: DuplicateRule, a: dict, b: dict, found: Evidence | None = None
) -> dict[str, int] | None:
    """The field scores if every field the rule names reaches its threshold, else None."""
    found = found if found is not None else evidence(a, b, _NO_FREQUENCIES)
    scores = {}
    for spec in rule.fields:
        name, match = spec.get("field"), spec.get("match", "exact")
        threshold = 100 if match == "exact" else int(spec.get("threshold", 85))
        score = field_score(name, match, a, b, found)
        if score < threshold:
            return None
        scores[name] = score
    return scores


def rule_level(rule: DuplicateRule) -> str:
    exact = bool(rule.fields) and all(s.get("match", "exact") == "exact" for s in rule.fields)
    return "exact" if exact else "similar"


#: Below these similarities of the normalised keys (rapidfuzz ratio), names and companies
#: count as different for ``worth_weighing``.
QUICK_NAME, QUICK_COMPANY = 40, 70


def worth_weighing(a: dict, b: dict) -> bool:
    """A cheap test before the full comparison, for the import (a row meets many candidates
    through a common name or a company's first letters): False only when no default rule
    could hold. Two leads with no e-mail address, number or street address in common,
    names that differ (keys under 40 alike, no word in common) and companies that differ
    are short of every rule that names a field (each needs a similar name, or a shared
    e-mail or number) and of the evidence-only rule (such names weigh -5; the place, or the
    organisation with its office, at most +10, against the prior's -6). Checked on the
    labelled sets: no pair a rule accepts is skipped."""
    if a.get("email_key") and a["email_key"] == b.get("email_key"):
        return True
    if numbers(a) & numbers(b):
        return True
    if a.get("address_key") and a["address_key"] == b.get("address_key"):
        return True
    names = a.get("name_key") or "", b.get("name_key") or ""
    if all(names) and (
        fuzz.ratio(*names) >= QUICK_NAME or set(names[0].split()) & set(names[1].split())
    ):
        return True  # similar, or a word in common (a nickname, an initial: "bill gates")
    companies = a.get("company_key") or "", b.get("company_key") or ""
    return all(companies) and fuzz.ratio(*companies) >= QUICK_COMPANY


def could_match(rules, a: dict, b: dict, freq: Frequencies | None = None) -> bool:
    """False only when no rule can hold for profiles ``a`` and ``b``, decided without
    comparing names or companies (the costly part): with the evidence's upper bound
    (``evidence(..., optimistic=True)``: names and companies taken as the same) no rule
    reaches its minimum score, or a field a rule needs (an e-mail address, a number, an
    address, a postcode) does not agree enough. Safe for any rule, the tenant's own too."""
    bound = evidence(a, b, freq, optimistic=True)
    for rule in rules:
        if bound.score < rule.min_score:
            continue
        if all(_field_at_most(spec, a, b, bound) for spec in rule.fields):
            return True
    return False


def _field_at_most(spec: dict, a: dict, b: dict, bound: Evidence) -> bool:
    name, match = spec.get("field"), spec.get("match", "exact")
    threshold = 100 if match == "exact" else int(spec.get("threshold", 85))
    compared = bound.fields.get(name)
    if compared is not None:
        return compared.similarity >= threshold
    if name == "name":  # two businesses: their names are their companies
        return bool(a.get("name_key") and b.get("name_key"))
    return False


def best_match(rules, a: dict, b: dict, freq: Frequencies | None = None) -> RuleMatch | None:
    """The strongest rule that holds for profiles ``a`` and ``b``, or None.

    A rule holds when every field it names agrees enough and the evidence over all fields
    (leads.dedup.evidence) is at least its ``min_score`` sure: two leads with one name at
    look-alike companies but other mobile numbers and e-mail addresses are not matched."""
    found = evidence(a, b, freq)
    best = None
    for rule in rules:
        if found.score < rule.min_score:
            continue
        scores = rule_fields_hold(rule, a, b, found)
        if scores is None:
            continue
        rank = (rule_level(rule) == "exact", found.score)
        if best is None or rank > best[0]:
            best = (rank, RuleMatch(rule, found.score, scores, found))
    return None if best is None else best[1]


_NO_FREQUENCIES = Frequencies()


class StoredFrequencies(Frequencies):
    """Counts of the tenant's leads that hold a value (each an index lookup, capped where
    counting further would change no weight), plus the lead being checked. ``prefetch``
    counts a batch's values in one statement per key column."""

    COLUMNS = {
        "email": ("email_key",),
        "phone": ("phone_key", "mobile_key"),
        "name": ("name_key",),
        "company": ("company_key",),
        "address": ("address_key",),
    }

    def __init__(self):
        self._cache: dict[tuple[str, str], int] = {}

    def count(self, kind: str, value: str) -> int:
        if kind not in self.COLUMNS:
            return 2  # no index to count by (the city): no discount
        if (kind, value) not in self._cache:
            where = Q(pk__in=[])
            for column in self.COLUMNS[kind]:
                where |= Q(**{column: value})
            live = Lead.objects.filter(where, merged_into__isnull=True)
            found = live.values("pk")[: count_enough(kind)].count()
            self._cache[kind, value] = found + 1
        return self._cache[kind, value]

    def common(self, kind: str, value: str) -> bool:
        """Whether so many leads hold the value that agreeing on it weighs the least it can
        (the count reached ``count_enough``)."""
        return self.count(kind, value) > count_enough(kind)

    def prefetch(self, batch_keys) -> None:
        """Count every value of a batch of rows' keys that is not counted yet."""
        wanted = defaultdict(set)
        for keys in batch_keys:
            for kind, value in frequency_keys(keys):
                if kind in self.COLUMNS and (kind, value) not in self._cache:
                    wanted[kind].add(value)
        if not wanted:
            return
        parts, params = [], []
        for kind, values in wanted.items():
            # Each column's partial index holds only non-empty keys: say so, or Postgres
            # cannot use it for a value it does not know.
            match = " OR ".join(
                f"({column} = wanted.key AND {column} <> '')" for column in self.COLUMNS[kind]
            )
            # Column names from COLUMNS; the values are parameters.
            sql = f"SELECT %s, wanted.key, (SELECT count(*) FROM (SELECT 1 FROM leads_lead WHERE ({match}) AND merged_into_id IS NULL LIMIT %s) AS holders) FROM unnest(%s::varchar[]) AS wanted(key)"  # noqa: S608, E501
            parts.append(sql)
            params += [kind, count_enough(kind), sorted(values)]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            for kind, value, found in cursor.fetchall():
                self._cache[kind, value] = found + 1


def rule_fields_used(rules) -> set[str]:
    """The fields the rules compare; a rule that names none weighs every field."""
    fields = set()
    for rule in rules:
        named = {spec.get("field") for spec in rule.fields}
        fields |= named or {"email", "phone", "company", "name", "address"}
    return fields


def _candidates(keys: dict, rules, exclude_ids) -> dict[int, dict]:
    """The leads worth weighing against ``keys``, as profiles by id (plain rows: a check
    meets up to a hundred candidates and shows the few that match)."""
    fields = rule_fields_used(rules)
    exact = Q(pk__in=[])
    if "email" in fields and keys["email_key"]:
        exact |= Q(email_key=keys["email_key"])
    phones = {k for k in (keys["phone_key"], keys["mobile_key"]) if k}
    phones |= {_number(k) for k in phones}
    if "phone" in fields and phones:
        exact |= Q(phone_key__in=list(phones)) | Q(mobile_key__in=list(phones))
    for name in ("company", "name", "address"):
        if name in fields and keys[f"{name}_key"]:
            exact |= Q(**{f"{name}_key": keys[f"{name}_key"]})
    base = Lead.objects.filter(merged_into__isnull=True).exclude(status=LeadStatus.VOID)
    base = base.exclude(pk__in=list(exclude_ids)).values("pk", *DEDUP_KEY_FIELDS, *SOURCE_FIELDS)
    found = {row["pk"]: row for row in base.filter(exact).order_by()[: CANDIDATES_PER_KEY * 2]}
    if _fuzzy_searches(rules) and keys.get("block_keys"):
        # A company or a name with a typo is found by the blocking keys (the company's first
        # and last five characters; a name word with the company's start or the postcode;
        # house numbers with the postcode or the city), as the import finds it: one GIN
        # lookup of about 1 ms, where trigram searches over a million companies and names
        # cost 12 and 18 ms. What shares none of these could not reach a rule anyway.
        for row in _blocked(base, keys["block_keys"]):
            found.setdefault(row["pk"], row)
    return {pk: row_profile(row) for pk, row in found.items()}


#: Postgres's gin_fuzzy_search_limit for the blocking-key lookup (a key thousands of leads
#: share, a common surname with a city's name, would otherwise be read whole before LIMIT).
BLOCK_SCAN_LIMIT = 200


def _blocked(base, block_keys: list[str]) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(f"SET gin_fuzzy_search_limit = {int(BLOCK_SCAN_LIMIT)}")
        try:
            return list(
                base.filter(block_keys__overlap=list(block_keys)).order_by()[:CANDIDATES_PER_KEY]
            )
        finally:
            cursor.execute("RESET gin_fuzzy_search_limit")


def _number(key: str) -> str:
    return key.split(";", 1)[0]


def _fuzzy_searches(rules) -> list[str]:
    """Which fuzzy candidate searches the rules need (any: the blocking keys are looked up).
    A rule's candidates come from one of its fields: email and phone ones from the exact
    lookups, else its company, else its name (an address rule's from the exact address key
    and the name). A rule that names no field needs both: a typo in the name or company of
    a lead with no shared number."""
    needed = []
    for rule in rules:
        fields = {spec.get("field") for spec in rule.fields}
        matches = {spec.get("field"): spec.get("match", "exact") for spec in rule.fields}
        if not fields:
            wanted = ["company", "name"]
        elif fields & {"email", "phone"}:
            wanted = []
        elif "company" in fields:
            wanted = ["company"] if matches["company"] == "fuzzy" else []
        elif "name" in fields and matches["name"] == "fuzzy":
            wanted = ["name"]
        else:
            wanted = []
        needed += [name for name in wanted if name not in needed]
    return needed


def pair_evidence(a: Lead, b: Lead) -> Evidence:
    """How sure two saved leads are one person, field by field (the merge page)."""
    return evidence(lead_profile(a), lead_profile(b), StoredFrequencies())


def duplicates_find(data: dict, *, exclude_ids=(), limit: int = 10) -> list[DuplicateMatch]:
    """Existing leads that ``data`` (field values of a lead) duplicates, strongest first."""
    rules = rules_active()
    if not rules:
        return []
    mine = data_profile(data, default_region())
    keys = {k: mine[k] for k in DEDUP_KEY_FIELDS}
    if not any(keys.values()):
        return []
    freq = StoredFrequencies()
    freq.prefetch([keys])
    found = {}
    for pk, theirs in _candidates(keys, rules, exclude_ids).items():
        if not could_match(rules, mine, theirs, freq):
            continue  # told without comparing names and companies, the costly part
        match = best_match(rules, mine, theirs, freq)
        if match is not None:
            found[pk] = match
    leads = Lead.objects.select_related("owner").in_bulk(sorted(found))
    matches = [
        DuplicateMatch(
            lead=leads[pk],
            score=match.score,
            level=rule_level(match.rule),
            fields=list(match.field_scores),
            rule=match.rule,
            field_scores=match.field_scores,
            evidence=match.evidence,
        )
        for pk, match in found.items()
        if pk in leads
    ]
    matches.sort(key=lambda m: (m.level == "exact", m.score), reverse=True)
    return matches[:limit]
