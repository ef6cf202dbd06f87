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


def candidate_pairs(profiles: dict[int, dict]) -> set[tuple[int, int]]:
    blocks: dict[str, list[int]] = defaultdict(list)
    for pk, profile in profiles.items():
        for key in _blocks(profile):
            blocks[key].append(pk)
    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        if len(members) < 2:
            continue
        groups = [members]
        if len(members) > MAX_BLOCK:
            split: dict[str, list[int]] = defaultdict(list)
            for pk in members:
                split[_sub_key(profiles[pk])].append(pk)
            groups = [g[:MAX_BLOCK] for g in split.values()]
        for group in groups:
            for a, b in combinations(sorted(group), 2):
                pairs.add((a, b))
    return pairs


def duplicate_pairs(profiles: dict[int, dict], rules) -> list[Pair]:
    found = []
    for a, b in candidate_pairs(profiles):
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


def duplicate_groups(profiles: dict[int, dict], rules) -> list[DuplicateGroup]:
    pairs = duplicate_pairs(profiles, rules)
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
    from leads.models import DEDUP_KEY_FIELDS, Lead, LeadStatus

    rules = rules_active()
    rows = Lead.objects.filter(merged_into__isnull=True).exclude(status=LeadStatus.VOID)
    rows = rows.values_list("pk", "name", *DEDUP_KEY_FIELDS)
    profiles = {
        row[0]: profile(dict(zip(DEDUP_KEY_FIELDS, row[2:], strict=True)), row[1])
        for row in rows.iterator(chunk_size=5000)
    }
    return duplicate_groups(profiles, rules)
