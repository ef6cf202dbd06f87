"""Finding duplicate groups across a whole tenant.

Comparing every pair is out of the question at 100,000 leads, and blocking on one key loses
recall (STACK-FACTS: 0.72 with the first three characters). So each lead goes into several
blocks, of two kinds:

- broad blocks: its email, its phone numbers, its company key's first and last two
  characters, each token of its name key (pinyin for Chinese names). Inside these only the
  pairs that meet a rule's anchor are scored (the same email, a shared number, similar
  companies), which keeps a block of 200 people of one city from costing 19,900 pairs.
- tight blocks, every pair scored: the address key (house number and street) and the stored
  blocking keys (leads.identity.keys.block_keys: the company's first and last characters,
  each name word with the postcode or the company's start, the house number with the
  postcode or the city); and a sorted neighbourhood: each lead next to the few leads before
  it when sorted by name key, by company key and by reversed name key (a typo in the first
  letters). These find people with a name and an address only, typos included.

Pairs are weighed with the tenant's rules (leads.dedup.matching) and the evidence over every
field (leads.dedup.evidence, with value frequencies counted over the tenant's leads); pairs a
rule accepts are joined into groups (union-find). A block larger than its cap (a common name,
a placeholder number) is split by a second key so its pairs stay bounded.

Pure functions over "profiles" (leads.dedup.profiles), so the labelled evaluations in
bench/dedup_eval run the very same code without a database.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations

from rapidfuzz import fuzz, process

from leads.dedup.evidence import CountedFrequencies, Evidence, Frequencies, numbers
from leads.dedup.matching import best_match, rule_level

MAX_BLOCK = 200


@dataclass
class Pair:
    a: int
    b: int
    score: int
    rule: object
    fields: list[str]
    evidence: Evidence | None = None


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


#: Blocking keys the scan leaves to its broad blocks: the company's halves and a name word
#: with the company's start (the company anchor already pairs every two leads of similar
#: companies; the import, which has no broad blocks, needs them).
_BROAD_KINDS = ("c<", "c>", "n:")


def _tight_blocks(profile: dict) -> set[str]:
    """The address key and the stored blocking keys (leads.identity.keys.block_keys) on
    place: name words with the postcode, house numbers with the postcode or the city."""
    keys = {k for k in profile.get("block_keys") or () if not k.startswith(_BROAD_KINDS)}
    if profile.get("address_key"):
        keys.add("a:" + profile["address_key"])
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
    handful share a company. A rule with nothing but names needs every pair of its blocks;
    a rule on the address, postcode or city, or one that names no field, needs every pair of
    the tight blocks."""

    email: bool = False
    phone: bool = False
    company: int | None = None  # the lowest company threshold among company-anchored rules
    every_pair: bool = False
    tight: bool = False


#: Company keys this much less similar than a rule's threshold are still scored (the rule
#: compares the names as typed, leads.dedup.compare, which can score above the keys).
COMPANY_MARGIN = 5


def anchors_for(rules) -> Anchors:
    email = phone = every = tight = False
    company = None
    for rule in rules:
        fields = {spec.get("field"): spec for spec in rule.fields}
        if not fields or fields.keys() & {"address", "postcode", "city"}:
            tight = True
            continue
        if "email" in fields:
            email = True
        elif "phone" in fields:
            phone = True
        elif "company" in fields:
            spec = fields["company"]
            threshold = 100 if spec.get("match", "exact") == "exact" else int(spec["threshold"])
            threshold -= COMPANY_MARGIN
            company = threshold if company is None else min(company, threshold)
        elif fields:
            every = True
    return Anchors(email=email, phone=phone, company=company, every_pair=every, tight=tight)


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


def block_members(profiles: dict[int, dict], blocks=_blocks, cap: int = MAX_BLOCK):
    """The lead ids of each block with two or more members (an oversized block split by a
    second key and capped per part)."""
    found: dict[str, list[int]] = defaultdict(list)
    for pk, profile in profiles.items():
        for key in blocks(profile):
            found[key].append(pk)
    for members in found.values():
        if len(members) < 2:
            continue
        if len(members) <= cap:
            yield members
            continue
        split: dict[str, list[int]] = defaultdict(list)
        for pk in members:
            split[_sub_key(profiles[pk])].append(pk)
        for part in split.values():
            if len(part) > 1:
                yield part[:cap]


#: Members of a tight block (every pair scored) and the sorted neighbourhood's window.
MAX_TIGHT_BLOCK = 40
WINDOW = 3


def _neighbour_pairs(profiles: dict[int, dict]):
    """Each lead with the WINDOW leads before it in two sort orders: name key and reversed
    name key (so a typo in the first letters still lands nearby). Only leads with nothing
    else to block on (no e-mail address, no number, no company: people from paper forms and
    bought lists) take part; the others meet their duplicates in the broad blocks."""
    orders = (
        lambda p: p.get("name_key") or "",
        lambda p: (p.get("name_key") or "")[::-1],
    )
    bare = {
        pk: p
        for pk, p in profiles.items()
        if not (p.get("email_key") or p.get("company_key") or numbers(p))
    }
    for order in orders:
        keyed = sorted((order(p), pk) for pk, p in bare.items() if order(p))
        for i in range(1, len(keyed)):
            pk = keyed[i][1]
            for j in range(max(0, i - WINDOW), i):
                other = keyed[j][1]
                yield (other, pk) if other < pk else (pk, other)


def candidate_pairs(profiles: dict[int, dict], rules=None) -> set[tuple[int, int]]:
    """The pairs worth scoring: they share a block and meet one rule's anchor (every pair of
    a block when no rules are given), or share a tight block or a neighbourhood."""
    anchors = anchors_for(rules) if rules is not None else Anchors(every_pair=True, tight=True)
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
    if anchors.tight:
        for members in block_members(profiles, _tight_blocks, MAX_TIGHT_BLOCK):
            pairs.update(combinations(sorted(members), 2))
        pairs.update(_neighbour_pairs(profiles))
    return pairs


def duplicate_pairs(profiles: dict[int, dict], rules, freq: Frequencies | None = None):
    freq = freq if freq is not None else CountedFrequencies(profiles.values())
    found = []
    for a, b in candidate_pairs(profiles, rules):
        match = best_match(rules, profiles[a], profiles[b], freq)
        if match is not None:
            found.append(
                Pair(a, b, match.score, match.rule, list(match.field_scores), match.evidence)
            )
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
    from leads.dedup.matching import rules_active
    from leads.dedup.profiles import SOURCE_FIELDS, row_profile
    from leads.models import DEDUP_KEY_FIELDS, DuplicateDismissal, Lead, LeadStatus

    rules = rules_active()
    rows = Lead.objects.filter(merged_into__isnull=True).exclude(status=LeadStatus.VOID)
    rows = rows.values("pk", *SOURCE_FIELDS, *DEDUP_KEY_FIELDS)
    profiles = {row["pk"]: row_profile(row) for row in rows.iterator(chunk_size=5000)}
    dismissed = set(DuplicateDismissal.objects.values_list("lead_a_id", "lead_b_id"))
    return duplicate_groups(profiles, rules, dismissed)
