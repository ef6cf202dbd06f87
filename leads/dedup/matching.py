"""Finding the leads a new (or existing) lead duplicates, by the tenant's duplicate rules.

Candidates come from Postgres: exact keys through btree indexes (a fraction of a millisecond),
similar companies and names through pg_trgm (``%``, GIN indexes on the normalised keys). Each
candidate is then scored in Python with rapidfuzz against every active rule; a rule holds when
all its fields match. The best rule per candidate decides the level: "exact" (red) when the
rule compares exact keys only, "similar" (yellow) otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import phonenumbers
from django.db import connection
from django.db.models import Q
from pypinyin import lazy_pinyin
from rapidfuzz import fuzz

from leads.identity.keys import keys_for
from leads.models import DEDUP_KEY_FIELDS, DuplicateRule, Lead, LeadStatus, default_region

CANDIDATES_PER_KEY = 30
#: pg_trgm's ``%`` threshold for candidates (rapidfuzz decides afterwards).
TRIGRAM_THRESHOLD = 0.5


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


GENERIC_MAILBOXES = {
    "info", "sales", "contact", "admin", "office", "service", "support", "hello", "enquiry",
    "enquiries", "inquiry", "marketing", "hr", "mail", "team", "kefu", "xiaoshou", "postmaster",
}  # fmt: skip
_HAN = re.compile(r"[\u4e00-\u9fff]")


def profile(keys: dict, name: str) -> dict:
    """A lead's keys plus what the scorers need besides them (the Chinese characters of the
    name, to tell homophones apart)."""
    return {**keys, "name_han": "".join(_HAN.findall(name or ""))}


def data_profile(data: dict, region: str) -> dict:
    """The profile of field values (a form, an import row, an evaluation record): what the
    scorers compare. ``region``: the tenant's country for numbers without a country code."""
    return profile(keys_for(data, region), data.get("name") or "")


def lead_profile(lead: Lead) -> dict:
    return profile({k: getattr(lead, k) for k in DEDUP_KEY_FIELDS}, lead.name)


def _number(key: str) -> str:
    return key.split(";", 1)[0]


@lru_cache(maxsize=20000)
def _number_type(e164: str) -> int:
    try:
        return phonenumbers.number_type(phonenumbers.parse(e164))
    except phonenumbers.NumberParseException:
        return phonenumbers.PhoneNumberType.UNKNOWN


def _personal(number: str, a: dict, b: dict) -> bool:
    """A mobile number is someone's own. Where the numbering plan cannot tell (North America:
    "fixed line or mobile"), it counts as personal when both leads keep it as their mobile."""
    kind = _number_type(number)
    if kind == phonenumbers.PhoneNumberType.MOBILE:
        return True
    if kind == phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE:
        return _number(a["mobile_key"]) == number == _number(b["mobile_key"])
    return False


def _phone_score(a: dict, b: dict) -> int:
    """100: the same personal number, or the same landline and extension; 70: the same
    landline without (or with other) extensions, as colleagues behind a switchboard; else 0."""
    mine = {a["phone_key"], a["mobile_key"]} - {""}
    theirs = {b["phone_key"], b["mobile_key"]} - {""}
    best = 0
    for left in mine:
        for right in theirs:
            number = _number(left)
            if number != _number(right):
                continue
            if _personal(number, a, b) or (left == right and ";" in left):
                return 100
            best = 70
    return best


def _email_score(a: dict, b: dict) -> int:
    """100 for the same personal address; 70 for a shared one (info@, sales@ ...)."""
    if not a["email_key"] or a["email_key"] != b["email_key"]:
        return 0
    local = a["email_key"].split("@", 1)[0]
    return 70 if local in GENERIC_MAILBOXES else 100


def _name_score(a: dict, b: dict) -> int:
    left, right = a.get("name_key") or "", b.get("name_key") or ""
    if not left or not right:
        return 0
    han_a, han_b = a.get("name_han", ""), b.get("name_han", "")
    if han_a and han_b and len(han_a) >= 2 and len(han_b) >= 2:
        # Both written in Chinese: the characters decide; a homophone (same pinyin, other
        # characters: 王小明 / 王晓明) is the commonest typing slip, so it still scores high.
        if han_a == han_b:
            return 100
        if lazy_pinyin(han_a) == lazy_pinyin(han_b):  # in order: 彭晨 is not 陈鹏
            return 88
        return max(int(fuzz.ratio(han_a, han_b)), _near_homophone(han_a, han_b))
    if left == right:
        return 100
    return max(int(fuzz.token_sort_ratio(left, right)), _initials_score(left, right))


def _initials_score(left: str, right: str) -> int:
    """ "m schmidt" vs "michael schmidt": the same surname and a matching initial: 90."""
    a, b = left.split(), right.split()
    if len(a) != len(b) or len(a) < 2:
        return 0
    short = [t for t in a + b if len(t) == 1]
    if not short:
        return 0
    full_a, full_b = {t for t in a if len(t) > 1}, {t for t in b if len(t) > 1}
    common = full_a & full_b
    if not common:
        return 0
    rest_a = sorted(t for t in a if t not in common)
    rest_b = sorted(t for t in b if t not in common)
    if len(rest_a) == len(rest_b) == 1 and rest_a[0][0] == rest_b[0][0]:
        return 90
    return 0


def _near_homophone(han_a: str, han_b: str) -> int:
    """ "孙芳琳" / "孙芳玲": three or more characters, one differs and sounds alike (lin/ling):
    86. Two-character names are left alone (张琳 and 张玲 are often two people)."""
    if len(han_a) != len(han_b) or len(han_a) < 3:
        return 0
    differ = [(x, y) for x, y in zip(han_a, han_b, strict=True) if x != y]
    if len(differ) != 1:
        return 0
    x, y = ("".join(lazy_pinyin(c)) for c in differ[0])
    return 86 if fuzz.ratio(x, y) >= 80 else 0


def _company_score(a: dict, b: dict) -> int:
    left, right = a.get("company_key") or "", b.get("company_key") or ""
    if not left or not right:
        return 0
    if left == right:
        return 100
    # A missing city prefix or suffix ("上海云启" vs "云启") still counts.
    ratio = fuzz.ratio(left, right)
    shorter = min(len(left), len(right))
    partial = fuzz.partial_ratio(left, right) * 0.92 if shorter >= 4 else 0
    return int(max(ratio, partial))


def field_score(name: str, match: str, a: dict, b: dict) -> int:
    """0-100: how well field ``name`` of profiles ``a`` and ``b`` agree. Exact matching only
    accepts 100."""
    if name == "email":
        return _email_score(a, b)
    if name == "phone":
        return _phone_score(a, b)
    if name == "name":
        score = _name_score(a, b)
    elif name == "company":
        score = _company_score(a, b)
    else:
        return 0
    return score if match != "exact" or score == 100 else 0


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


def conflicts(a: dict, b: dict) -> int:
    """How many personal identifiers both leads have and disagree on: a personal email
    address, a mobile number. Two people with one name at look-alike companies differ here."""
    count = 0
    emails = a["email_key"], b["email_key"]
    if (
        all(emails)
        and emails[0] != emails[1]
        and all(e.split("@", 1)[0] not in GENERIC_MAILBOXES for e in emails)
    ):
        count += 1
    mobiles = _number(a["mobile_key"]), _number(b["mobile_key"])
    if (
        all(mobiles)
        and mobiles[0] != mobiles[1]
        and all(_number_type(m) == phonenumbers.PhoneNumberType.MOBILE for m in mobiles)
    ):
        count += 1
    return count


def best_match(rules, a: dict, b: dict):
    """(rule, score, field scores) of the strongest rule that holds, or None.

    A "similar" match is vetoed by conflicting personal identifiers: one conflict unless the
    companies are the same, two in any case (see ``conflicts``)."""
    best = None
    veto = None
    for rule in rules:
        found = rule_score(rule, a, b)
        if found is None:
            continue
        if rule_level(rule) == "similar":
            if veto is None:
                clash = conflicts(a, b)
                same_company = bool(a["company_key"]) and a["company_key"] == b["company_key"]
                veto = clash >= 2 or (clash == 1 and not same_company)
            if veto:
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
    phones = {k for k in (keys["phone_key"], keys["mobile_key"]) if k}
    phones |= {_number(k) for k in phones}
    if "phone" in fields and phones:
        exact |= Q(phone_key__in=list(phones)) | Q(mobile_key__in=list(phones))
    for name in ("company", "name"):
        if name in fields and keys[f"{name}_key"]:
            exact |= Q(**{f"{name}_key": keys[f"{name}_key"]})
    base = Lead.objects.filter(merged_into__isnull=True).exclude(status=LeadStatus.VOID)
    base = base.select_related("owner")
    base = base.exclude(pk__in=list(exclude_ids))
    found = {lead.pk: lead for lead in base.filter(exact).order_by()[: CANDIDATES_PER_KEY * 2]}
    with connection.cursor() as cursor:
        cursor.execute("SET pg_trgm.similarity_threshold = %s", [TRIGRAM_THRESHOLD])
    for name in _fuzzy_searches(rules):
        value = keys[f"{name}_key"]
        if len(value) >= 3:
            similar = base.filter(**{f"{name}_key__trigram_similar": value}).order_by()[
                :CANDIDATES_PER_KEY
            ]
            for lead in similar:
                found.setdefault(lead.pk, lead)
    return list(found.values())


def _fuzzy_searches(rules) -> list[str]:
    """Which fuzzy candidate searches the rules need. A rule's candidates come from one of its
    fields: email and phone ones from the exact lookups, else its company, else its name. So
    "company and name" needs the company search only, and the name search runs only for a
    rule with nothing but fuzzy names (each trigram search costs ~10 ms at a million leads)."""
    needed = []
    for rule in rules:
        fields = {spec.get("field") for spec in rule.fields}
        matches = {spec.get("field"): spec.get("match", "exact") for spec in rule.fields}
        if fields & {"email", "phone"}:
            continue
        if "company" in fields:
            if matches["company"] == "fuzzy" and "company" not in needed:
                needed.append("company")
        elif "name" in fields and matches["name"] == "fuzzy" and "name" not in needed:
            needed.append("name")
    return needed


def duplicates_find(data: dict, *, exclude_ids=(), limit: int = 10) -> list[DuplicateMatch]:
    """Existing leads that ``data`` (field values of a lead) duplicates, strongest first."""
    rules = rules_active()
    if not rules:
        return []
    keys = keys_for(data, default_region())
    if not any(keys.values()):
        return []
    mine = profile(keys, data.get("name") or "")
    matches = []
    for lead in _candidates(keys, rules, exclude_ids):
        found = best_match(rules, mine, lead_profile(lead))
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
