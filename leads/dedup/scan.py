"""Finding duplicate groups across a whole tenant.

Comparing every pair is out of the question at 100,000 leads, and blocking on one key loses
recall (STACK-FACTS: 0.72 with the first three characters). So each lead goes into several
blocks: its email, its phone numbers, its company key's first and last two characters, each
token of its name key (pinyin for Chinese names), and its company key's 3-grams when short.
Pairs inside a block are scored with the tenant's rules (leads.dedup.matching); pairs that a
rule accepts are joined into groups (union-find). A block larger than MAX_BLOCK (a common name,
a placeholder number) is split by a second key so its pairs stay bounded.

Pure functions over "profiles" (dicts of keys), so the labelled evaluation in
bench/dedup_eval runs the very same code without a database.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations

from rapidfuzz import fuzz, process

from leads.dedup.matching import best_match, rule_level

MAX_BLOCK = 200


@dataclass
class Pair:
    a: int
    b: int
    score: int
    rule: object
    fields: list[str]


def _blocks(profile: dict) -> set[str]:
    keys = set()
    if profile.get("email_key"):
        keys.add("e:" + profile["email_key"])
    for phone in (profile.get("phone_key"), profile.get("mobile_key")):
        if phone:
            keys.add("p:" + phone.split(";", 1)[0])
    company = profile.get("company_key") or ""
    if len(company) >= 2:
        keys.add("c<" + company[:2])
        keys.add("c>" + company[-2:])
    for token in (profile.get("name_key") or "").split():
        if len(token) >= 2:
            keys.add("n:" + token)
    return keys


def _sub_key(profile: dict) -> str:
    """Splits an oversized block: company start, else name."""
    return (profile.get("company_key") or "")[:3] or (profile.get("name_key") or "")[:4]


@dataclass(frozen=True)
class Anchors:
    """What a pair must share before any rule can accept it: each rule needs only one of its
    fields' necessary conditions, the most selective (the same email; a shared phone number;
    company keys at least ``company`` similar). Pairs that meet none are never scored, which
    keeps the scan linear-ish: a block of 200 leads of one city is 19,900 pairs, of which a
    handful share a company. A rule with nothing but names needs every pair of its blocks."""

    email: bool = False
    phone: bool = False
    company: int | None = None  # the lowest company threshold among company-anchored rules
    every_pair: bool = False


def anchors_for(rules) -> Anchors:
    email = phone = every = False
    company = None
    for rule in rules:
        fields = {spec.get("field"): spec for spec in rule.fields}
        if "email" in fields:
            email = True
        elif "phone" in fields:
            phone = True
        elif "company" in fields:
            spec = fields["company"]
            threshold = 100 if spec.get("match", "exact") == "exact" else int(spec["threshold"])
            company = threshold if company is None else min(company, threshold)
        elif fields:
            every = True
    return Anchors(email=email, phone=phone, company=company, every_pair=every)


def _same_value_pairs(members: list[int], values: dict[int, list[str]]):
    by_value: dict[str, list[int]] = defaultdict(list)
    for pk in members:
        for value in values[pk]:
            by_value[value].append(pk)
    for group in by_value.values():
        if len(group) > 1:
            yield from combinations(sorted(set(group)), 2)


def _similar_company_pairs(members: list[int], profiles: dict[int, dict], threshold: int):
    """Pairs whose company score (leads.dedup.matching._company_score: the ratio, or 0.92 of
    the partial ratio when both have 4+ characters) can reach ``threshold``, found with
    rapidfuzz's C loops rather than a Python loop over every pair."""
    keyed = sorted((pk, profiles[pk].get("company_key") or "") for pk in members)
    keyed = [(pk, key) for pk, key in keyed if key]
    keys = [key for _pk, key in keyed]
    partial_cutoff = threshold / 0.92  # above 100 (a threshold over 92): never reached
    for i, (pk, key) in enumerate(keyed[:-1]):
        rest = keys[i + 1 :]
        hits = {
            j
            for _c, _s, j in process.extract(
                key, rest, scorer=fuzz.ratio, score_cutoff=threshold, limit=None, processor=None
            )
        }
        if len(key) >= 4 and partial_cutoff <= 100:
            hits |= {
                j
                for _c, _s, j in process.extract(
                    key,
                    rest,
                    scorer=fuzz.partial_ratio,
                    score_cutoff=partial_cutoff,
                    limit=None,
                    processor=None,
                )
                if len(rest[j]) >= 4
            }
        for j in hits:
            yield (pk, keyed[i + 1 + j][0])  # fmt: skip


def _numbers(profile: dict) -> list[str]:
    return sorted({k.split(";", 1)[0] for k in (profile["phone_key"], profile["mobile_key"]) if k})


def block_members(profiles: dict[int, dict]):
    """The lead ids of each block with two or more members (an oversized block split by a
    second key and capped at MAX_BLOCK per part)."""
    blocks: dict[str, list[int]] = defaultdict(list)
    for pk, profile in profiles.items():
        for key in _blocks(profile):
            blocks[key].append(pk)
    for members in blocks.values():
        if len(members) < 2:
            continue
        if len(members) <= MAX_BLOCK:
            yield members
            continue
        split: dict[str, list[int]] = defaultdict(list)
        for pk in members:
            split[_sub_key(profiles[pk])].append(pk)
        for part in split.values():
            if len(part) > 1:
                yield part[:MAX_BLOCK]


def candidate_pairs(profiles: dict[int, dict], rules=None) -> set[tuple[int, int]]:
    """The pairs worth scoring: they share a block and meet one rule's anchor (every pair of
    a block when no rules are given)."""
    anchors = anchors_for(rules) if rules is not None else Anchors(every_pair=True)
    emails = {pk: [p["email_key"]] if p["email_key"] else [] for pk, p in profiles.items()}
    numbers = {pk: _numbers(p) for pk, p in profiles.items()} if anchors.phone else {}
    pairs: set[tuple[int, int]] = set()
    for members in block_members(profiles):
        if anchors.every_pair:
            pairs.update(combinations(sorted(members), 2))
            continue
        if anchors.email:
            pairs.update(_same_value_pairs(members, emails))
        if anchors.phone:
            pairs.update(_same_value_pairs(members, numbers))
        if anchors.company is not None:
            pairs.update(_similar_company_pairs(members, profiles, anchors.company))
    return pairs


def duplicate_pairs(profiles: dict[int, dict], rules) -> list[Pair]:
    found = []
    for a, b in candidate_pairs(profiles, rules):
        match = best_match(rules, profiles[a], profiles[b])
        if match is not None:
            rule, score, scores = match
            found.append(Pair(a, b, score, rule, list(scores)))
    return found


def groups_from_pairs(pairs: list[Pair]) -> list[list[int]]:
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for pair in pairs:
        root_a, root_b = find(pair.a), find(pair.b)
        if root_a != root_b:
            parent[max(root_a, root_b)] = min(root_a, root_b)
    groups: dict[int, list[int]] = defaultdict(list)
    for x in list(parent):
        groups[find(x)].append(x)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: g[0])


@dataclass
class DuplicateGroup:
    lead_ids: list[int]
    score: int  # the weakest link's score
    level: str  # "exact" if every link is an exact rule
    pairs: list[Pair]


def duplicate_groups(
    profiles: dict[int, dict], rules, dismissed: set[tuple[int, int]] = frozenset()
) -> list[DuplicateGroup]:
    """Groups of duplicates; ``dismissed`` pairs (lower id first: people found to differ)
    are never linked."""
    pairs = [p for p in duplicate_pairs(profiles, rules) if (p.a, p.b) not in dismissed]
    by_member: dict[int, list[Pair]] = defaultdict(list)
    for pair in pairs:
        by_member[pair.a].append(pair)
    result = []
    for ids in groups_from_pairs(pairs):
        links = [p for pk in ids for p in by_member.get(pk, [])]
        result.append(
            DuplicateGroup(
                lead_ids=ids,
                score=min(p.score for p in links),
                level="exact" if all(rule_level(p.rule) == "exact" for p in links) else "similar",
                pairs=links,
            )
        )
    result.sort(key=lambda g: (g.level != "exact", -g.score, g.lead_ids[0]))
    return result


def tenant_duplicate_groups() -> list[DuplicateGroup]:
    """Every duplicate group among the current tenant's leads (void ones left out)."""
    from leads.dedup.matching import profile, rules_active
    from leads.models import DEDUP_KEY_FIELDS, DuplicateDismissal, Lead, LeadStatus

    rules = rules_active()
    rows = Lead.objects.filter(merged_into__isnull=True).exclude(status=LeadStatus.VOID)
    rows = rows.values_list("pk", "name", *DEDUP_KEY_FIELDS)
    profiles = {
        row[0]: profile(dict(zip(DEDUP_KEY_FIELDS, row[2:], strict=True)), row[1])
        for row in rows.iterator(chunk_size=5000)
    }
    dismissed = set(DuplicateDismissal.objects.values_list("lead_a_id", "lead_b_id"))
    return duplicate_groups(profiles, rules, dismissed)
