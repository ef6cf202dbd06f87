"""How sure are we that two leads are one person (or one business)? A Fellegi-Sunter score.

Every field both leads have is compared and lands on a level: the same, similar, a little
alike, or different. Each level carries a weight in bits, log2(m/u): m is how often the level
occurs when the two records are the same person, u how often it occurs between two different
people. Agreement on something rare (a mobile number, a personal e-mail address, a house
number and street) weighs a lot; agreement on something common (a city, a company where forty
leads work, a switchboard forty leads share, the name "Wang Wei") weighs little; a field that
disagrees (another mobile, another city, another house number) counts against. A field one
lead lacks says nothing. The weights add up with a prior (``PRIOR``: one candidate pair in
about 65 is a duplicate) to the log-odds of a match, which the score (0-100) shows as a
probability.

The weights are defaults chosen from what the fields mean and checked against public
labelled data (bench/dedup_eval/public: FEBRL person records, Fodor's/Zagat restaurant
listings) and the generated Chinese/English set (bench/dedup_eval); they are not tuned per
tenant. Frequency: a value that ``n`` leads share (n > 2) loses log2(n / 2) bits, down to the
level's floor, so an agreement never turns into evidence against.

The tenant's duplicate rules still decide: a rule names the fields that must agree and the
score it needs (``DuplicateRule.min_score``); the score says how sure the match is and, for
a rule that names no field, is the whole test.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import NamedTuple

import phonenumbers
from rapidfuzz import fuzz
from rapidfuzz.distance import DamerauLevenshtein

from leads.dedup.compare import company_name_similarity, person_name_similarity
from leads.identity.address import (
    address_known,
    address_similarity,
    city_similarity,
    postcode_similarity,
)

#: Log2 prior odds of a candidate pair being a match.
PRIOR = -6.0

# Levels of each comparison: (lowest similarity, level, weight in bits). First that holds wins.
NAME_LEVELS = ((100, "same", 6.5), (92, "similar", 5.5), (85, "similar", 4.5),
               (75, "alike", 1.5), (60, "alike", 0.0), (40, "differs", -2.5),
               (0, "differs", -5.0))  # fmt: skip
#: A company compared as the lead's only name (a business listing: no person's name).
COMPANY_AS_NAME_LEVELS = NAME_LEVELS
COMPANY_LEVELS = ((100, "same", 5.0), (90, "similar", 4.0), (85, "similar", 3.0),
                  (75, "alike", 1.0), (60, "alike", 0.0), (0, "differs", -1.5))  # fmt: skip
#: leads.identity.address gives another house number on the same street at most 40 (0.4 of
#: the streets' similarity): from 30 on, the street is the same one, typos and all.
NEIGHBOUR = 30
# The location fields' levels (their weight is the location's, ``location_weight``). A city
# typed with a typo ("conodn") is neither the same nor another city.
ADDRESS_LEVELS = ((100, "same", 0.0), (85, "similar", 0.0), (70, "alike", 0.0),
                  (NEIGHBOUR, "alike", 0.0), (0, "differs", 0.0))  # fmt: skip
POSTCODE_LEVELS = ((100, "same", 0.0), (60, "alike", 0.0), (0, "differs", 0.0))
CITY_LEVELS = ((85, "same", 0.0), (70, "alike", 0.0), (0, "differs", 0.0))

EMAIL_SAME, EMAIL_SHARED, EMAIL_DIFFERS = 13.0, 4.0, -2.5
PHONE_PERSONAL, PHONE_LANDLINE, PHONE_DIFFERS, MOBILE_DIFFERS = 13.0, 10.0, -3.0, -4.0

#: The least an agreement keeps after the frequency discount.
FLOOR = {"email": 1.0, "phone": 1.0, "name": 1.0, "company": 0.5, "address": 3.0, "city": 0.0}

#: Field order for explanations.
FIELDS = ("email", "phone", "name", "company", "address", "postcode", "city")


class FieldEvidence(NamedTuple):
    """One field compared (a tuple: an import makes hundreds of thousands)."""

    level: str  # "same" | "similar" | "alike" | "differs"
    similarity: int  # 0-100
    weight: float  # bits


@dataclass
class Evidence:
    weight: float  # log2 odds, the prior included
    fields: dict[str, FieldEvidence] = field(default_factory=dict)

    @property
    def score(self) -> int:
        """The match probability in percent (0-100)."""
        return int(100 / (1 + 2**-self.weight))

    def explained(self) -> list[tuple[str, str, int]]:
        """(field, level, similarity) for each field compared, in a fixed order."""
        return [(name, f.level, f.similarity) for name, f in self.fields.items()]


class Frequencies:
    """How many leads hold a key value ("email", "phone", "name", "company", "address")."""

    def count(self, kind: str, value: str) -> int:
        return 2

    def discount(self, kind: str, value: str) -> float:
        n = self.count(kind, value)
        return math.log2(n / 2) if n > 2 else 0.0


class CountedFrequencies(Frequencies):
    """Counts over a set of profiles (the scan, an evaluation)."""

    def __init__(self, profiles):
        self.counts = Counter()
        for p in profiles:
            for kind, value in frequency_keys(p):
                self.counts[kind, value] += 1

    def count(self, kind: str, value: str) -> int:
        return self.counts.get((kind, value), 2)


#: Counting the leads that share a value stops here whatever the weights (a thousand leads
#: behind one switchboard is a switchboard).
COUNT_LIMIT = 1000


def count_enough(kind: str) -> int:
    """How many leads sharing a value of ``kind`` bring its strongest agreement down to the
    floor (``_agreement``): counting further changes no weight, so stored counts stop there
    (a name from about 91 holders on, a company or an address from 128), at most
    COUNT_LIMIT."""
    strongest = {
        "email": EMAIL_SAME,
        "phone": PHONE_PERSONAL,
        "name": NAME_LEVELS[0][2],
        "company": max(COMPANY_LEVELS[0][2], COMPANY_AS_NAME_LEVELS[0][2]),
        "address": LOCATION_WEIGHTS["address_same"],
    }[kind]
    return min(COUNT_LIMIT, math.ceil(2 * 2 ** (strongest - FLOOR[kind])))


def frequency_keys(p: dict):
    """The (kind, value) pairs of a profile whose frequency matters."""
    if p.get("email_key"):
        yield "email", p["email_key"]
    for number in numbers(p):
        yield "phone", number
    if p.get("name_key"):
        yield "name", p["name_key"]
    if p.get("company_key"):
        yield "company", p["company_key"]
    if p.get("address_key"):
        yield "address", p["address_key"]
    if p.get("city_key"):
        yield "city", p["city_key"]


def numbers(p: dict) -> set[str]:
    """The lead's numbers without extensions (remembered in the profile: a lead is compared
    with many candidates)."""
    known = p.get("_numbers")
    if known is None:
        keys = (p.get("phone_key"), p.get("mobile_key"))
        known = p["_numbers"] = frozenset(k.split(";", 1)[0] for k in keys if k)
    return known


def _level(levels, similarity: int) -> tuple[str, float]:
    for lowest, level, weight in levels:
        if similarity >= lowest:
            return level, weight
    return levels[-1][1], levels[-1][2]


def _agreement(weight: float, kind: str, value: str, freq: Frequencies) -> float:
    if weight <= 0 or not value:
        return weight
    return max(FLOOR.get(kind, 0.5), weight - freq.discount(kind, value))


GENERIC_MAILBOXES = frozenset({
    "info", "sales", "contact", "admin", "office", "service", "support", "hello", "enquiry",
    "enquiries", "inquiry", "marketing", "hr", "mail", "team", "kefu", "xiaoshou", "postmaster",
})  # fmt: skip


def _generic(email_key: str) -> bool:
    return email_key.split("@", 1)[0] in GENERIC_MAILBOXES


def email_evidence(a: dict, b: dict, freq: Frequencies) -> FieldEvidence | None:
    left, right = a.get("email_key"), b.get("email_key")
    if not left or not right:
        return None
    if left == right:
        if _generic(left):
            return FieldEvidence("similar", 70, _agreement(EMAIL_SHARED, "email", left, freq))
        return FieldEvidence("same", 100, _agreement(EMAIL_SAME, "email", left, freq))
    if _generic(left) or _generic(right):
        return FieldEvidence("differs", 0, 0.0)
    return FieldEvidence("differs", 0, EMAIL_DIFFERS)


@dataclass(frozen=True)
class PhoneMatch:
    similarity: int  # 100 a personal number or the same extension; 70 a shared landline
    number: str


def _number_type(e164: str) -> int:
    if _surely_mobile(e164):
        return phonenumbers.PhoneNumberType.MOBILE
    return _number_type_parsed(e164)


@lru_cache(maxsize=20000)
def _number_type_parsed(e164: str) -> int:
    try:
        return phonenumbers.number_type(phonenumbers.parse(e164))
    except phonenumbers.NumberParseException:
        return phonenumbers.PhoneNumberType.UNKNOWN


@cache
def _mobile_patterns(country_code: int) -> tuple[re.Pattern, re.Pattern] | None:
    """The mobile and fixed-line patterns of a country code that belongs to one region (from
    phonenumbers' own metadata), or None."""
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(country_code) or ()
    if len(regions) != 1:
        return None
    meta = phonenumbers.PhoneMetadata.metadata_for_region(regions[0])
    if meta is None or meta.mobile is None or meta.fixed_line is None:
        return None
    mobile, fixed = meta.mobile.national_number_pattern, meta.fixed_line.national_number_pattern
    if not mobile or not fixed:
        return None
    return re.compile(mobile), re.compile(fixed)


def _surely_mobile(e164: str) -> bool:
    """A mobile number by its country's mobile pattern and not its fixed-line one, without
    parsing (about 1 µs; parsing costs 30, and every candidate brings a number of its own)."""
    if not e164.startswith("+"):
        return False
    for size in (1, 2, 3):
        code = e164[1 : 1 + size]
        if code.isdigit() and int(code) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            patterns = _mobile_patterns(int(code))
            if patterns is None:
                return False
            national = e164[1 + size :]
            mobile, fixed = patterns
            return bool(mobile.fullmatch(national)) and not fixed.fullmatch(national)
    return False


def phone_match(a: dict, b: dict) -> PhoneMatch | None:
    """The best number the two leads share: a personal one (a mobile, or a landline with the
    same extension) is 100, a landline without (or with other) extensions, as colleagues
    behind one switchboard, 70."""
    mine = {a.get("phone_key"), a.get("mobile_key")} - {"", None}
    theirs = {b.get("phone_key"), b.get("mobile_key")} - {"", None}
    best = None
    for left in mine:
        for right in theirs:
            number = left.split(";", 1)[0]
            if number != right.split(";", 1)[0]:
                continue
            if _personal(number, a, b) or (left == right and ";" in left):
                return PhoneMatch(100, number)
            best = PhoneMatch(70, number)
    return best


def _personal(number: str, a: dict, b: dict) -> bool:
    """A mobile number is someone's own. Where the numbering plan cannot tell (North America:
    "fixed line or mobile"), it counts as personal when both leads keep it as their mobile."""
    kind = _number_type(number)
    if kind == phonenumbers.PhoneNumberType.MOBILE:
        return True
    if kind == phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE:
        mobile = lambda p: (p.get("mobile_key") or "").split(";", 1)[0]  # noqa: E731
        return mobile(a) == number == mobile(b)
    return False


def phone_evidence(a: dict, b: dict, freq: Frequencies) -> FieldEvidence | None:
    if not numbers(a) or not numbers(b):
        return None
    shared = phone_match(a, b)
    if shared is not None:
        base = PHONE_PERSONAL if shared.similarity == 100 else PHONE_LANDLINE
        return FieldEvidence(
            "same" if shared.similarity == 100 else "similar",
            shared.similarity,
            _agreement(base, "phone", shared.number, freq),
        )
    both_mobile = _has_mobile(a) and _has_mobile(b)
    return FieldEvidence("differs", 0, MOBILE_DIFFERS if both_mobile else PHONE_DIFFERS)


def _has_mobile(p: dict) -> bool:
    """Whether the lead's mobile field holds a mobile number (a landline is typed there
    too). Remembered in the profile: a lead is compared with many candidates."""
    known = p.get("_has_mobile")
    if known is None:
        mobile = (p.get("mobile_key") or "").split(";", 1)[0]
        known = p["_has_mobile"] = bool(mobile) and (
            _number_type(mobile) == phonenumbers.PhoneNumberType.MOBILE
        )
    return known


def _compared(levels, similarity: int, kind: str, value: str, freq) -> FieldEvidence:
    level, weight = _level(levels, similarity)
    if level == "same":
        weight = _agreement(weight, kind, value, freq)
    return FieldEvidence(level, similarity, weight)


@lru_cache(maxsize=50000)
def _names(left: str, right: str) -> int:
    return person_name_similarity(left, right)


@lru_cache(maxsize=50000)
def _companies(left: str, right: str) -> int:
    return company_name_similarity(left, right)


def name_similarity(a: dict, b: dict) -> int:
    """0-100 for the two leads' names as typed (leads.dedup.compare); 0 when either has
    none. Two businesses with no contact person (the name repeats the company) compare as
    companies."""
    if not a.get("name_key") or not b.get("name_key"):
        return 0
    if not a.get("person", True) and not b.get("person", True):
        return company_similarity(a, b)
    if a["name_key"] == b["name_key"] and a.get("name_han", "") == b.get("name_han", ""):
        return 100
    left, right = sorted((a.get("name") or "", b.get("name") or ""))
    return _names(left, right)


def company_similarity(a: dict, b: dict) -> int:
    if not a.get("company_key") or not b.get("company_key"):
        return 0
    if a["company_key"] == b["company_key"]:
        return 100
    left, right = sorted((a.get("company") or "", b.get("company") or ""))
    return _companies(left, right)


def name_evidence(a: dict, b: dict, freq: Frequencies) -> FieldEvidence | None:
    if not a.get("person", True) or not b.get("person", True):
        return None  # a business without a contact: its company speaks for it
    if not a.get("name_key") or not b.get("name_key"):
        return None
    return _compared(NAME_LEVELS, name_similarity(a, b), "name", a["name_key"], freq)


def company_evidence(a: dict, b: dict, freq: Frequencies) -> FieldEvidence | None:
    if not a.get("company_key") or not b.get("company_key"):
        return None
    as_name = not a.get("person", True) and not b.get("person", True)
    levels = COMPANY_AS_NAME_LEVELS if as_name else COMPANY_LEVELS
    return _compared(levels, company_similarity(a, b), "company", a["company_key"], freq)


_DIGITS = re.compile(r"\d+")


@lru_cache(maxsize=50000)
def _address_texts(left: str, right: str) -> int:
    """The two addresses as written, parts in any order ("60 eugenia st, birrabilla" /
    "60 birrabilla, eugenia st"): 85 when they have the same numbers and at least 90% of
    their words in common, else 0."""
    if _DIGITS.findall(left) != _DIGITS.findall(right) and sorted(_DIGITS.findall(left)) != sorted(
        _DIGITS.findall(right)
    ):
        return 0
    if not _DIGITS.search(left):
        return 0
    return 85 if fuzz.token_set_ratio(left, right) >= 90 else 0


def address_score(a: dict, b: dict) -> int:
    """0-100 for the two leads' street addresses (0 when either is unknown): the parsed
    parts (leads.identity.address), or the words in any order."""
    left, right = a.get("address"), b.get("address")
    if left is None or right is None or not address_known(left) or not address_known(right):
        return 0
    parsed = address_similarity(left, right)
    if parsed >= 85:
        return parsed
    return max(parsed, _address_texts(*sorted((a["address_text"], b["address_text"]))))


def address_evidence(a: dict, b: dict, freq: Frequencies) -> FieldEvidence | None:
    left, right = a.get("address"), b.get("address")
    if left is None or right is None or not address_known(left) or not address_known(right):
        return None
    return _compared(ADDRESS_LEVELS, address_score(a, b), "address", a["address_key"], freq)


def postcode_score(left: str, right: str) -> int:
    """leads.identity.address.postcode_similarity, and 60 for one typing slip (a digit
    swapped with its neighbour or mistyped: "2089" / "2809") in codes of four or more."""
    similarity = postcode_similarity(left, right)
    if similarity or len(left) != len(right) or len(left) < 4:
        return similarity
    return 60 if DamerauLevenshtein.distance(left, right) <= 1 else 0


def postcode_evidence(a: dict, b: dict, freq: Frequencies) -> FieldEvidence | None:
    left, right = a.get("postcode_key"), b.get("postcode_key")
    if not left or not right:
        return None
    similarity = postcode_score(left, right)
    level, weight = _level(POSTCODE_LEVELS, similarity)
    return FieldEvidence(level, similarity, weight)


def city_evidence(a: dict, b: dict, freq: Frequencies) -> FieldEvidence | None:
    left, right = a.get("city_key"), b.get("city_key")
    if not left or not right:
        return None
    similarity = 100 if left == right else city_similarity(left, right)
    level, weight = _level(CITY_LEVELS, similarity)
    return FieldEvidence(level, similarity, weight)


COMPARATORS = {
    "email": email_evidence,
    "phone": phone_evidence,
    "name": name_evidence,
    "company": company_evidence,
    "address": address_evidence,
    "postcode": postcode_evidence,
    "city": city_evidence,
}

_DEFAULT_FREQUENCIES = Frequencies()


#: Where the two leads are, weighed once: the street address, the postcode and the city are
#: not independent (the same address means the same postcode and city), so adding their
#: weights would count one fact three times and take a family at one address for one
#: person. Instead the most specific agreement counts, less when the coarser fields
#: disagree (the same "12 Main Street" in another town is another house).
LOCATION_WEIGHTS = {
    "address_same": 9.0,
    "address_similar": 8.0,
    "address_unit": 6.0,  # the same building, another flat or unit
    "neighbour_here": 4.0,  # the same street, another number, in the same postcode or city
    "neighbour": 2.0,
    "postcode_other_street": 2.0,
    "postcode": 4.5,
    "postcode_near": 1.0,
    "city": 1.5,
    "all_differ": -4.0,
}
#: The same postcode and the same city, another street (moved within the area, or a street
#: written so differently it does not parse alike) count this much more than the postcode.
POSTCODE_AND_CITY = 1.0
#: A street address that agrees where the postcode or the city disagrees loses this much;
#: where both disagree it keeps at most ``TOWN_MISMATCH_MAX``.
TOWN_MISMATCH, TOWN_MISMATCH_MAX = 2.0, 2.0


def location_weight(fields: dict[str, FieldEvidence], a: dict, freq: Frequencies) -> float:
    address, postcode, city = fields.get("address"), fields.get("postcode"), fields.get("city")
    if address is None and postcode is None and city is None:
        return 0.0
    postcode_same = postcode is not None and postcode.level == "same"
    city_same = city is not None and city.level == "same"
    town_differs = [f for f in (postcode, city) if f is not None and f.level == "differs"]
    w = LOCATION_WEIGHTS
    if address is not None and address.similarity >= 70:
        key = (
            "address_same"
            if address.similarity >= 100
            else "address_similar"
            if address.similarity >= 85
            else "address_unit"
        )
        weight = w[key]
        if key == "address_same":
            weight = _agreement(weight, "address", a.get("address_key") or "", freq)
        if len(town_differs) == 2:
            return min(weight, TOWN_MISMATCH_MAX)
        return weight - TOWN_MISMATCH * len(town_differs)
    if address is not None and address.similarity >= NEIGHBOUR:
        return w["neighbour_here"] if postcode_same or city_same else w["neighbour"]
    if postcode_same:
        if address is None:
            return w["postcode"]
        return w["postcode_other_street"] + (POSTCODE_AND_CITY if city_same else 0.0)
    if postcode is not None and postcode.level == "alike":
        return w["postcode_near"]
    if city_same and address is None:
        return _agreement(w["city"], "city", a.get("city_key") or "", freq)
    known = [f for f in (address, postcode, city) if f is not None]
    if all(f.level == "differs" for f in known):
        return w["all_differ"]
    return 0.0


LOCATION = ("address", "postcode", "city")
#: A second sign of one organisation (a shared switchboard besides the same company) adds
#: this much to the strongest one.
ORGANISATION_SECOND = 1.0
#: A shared switchboard or mailbox between two people says "one organisation", as the
#: company does, not "one person".
ORGANISATION_LINE = 5.0


def organisation_weight(fields: dict[str, FieldEvidence]) -> tuple[float, set[str]]:
    """Two people at one organisation share its switchboard, its info@ mailbox and its
    name: one fact, not three. The strongest of these counts (a switchboard as much as
    ORGANISATION_LINE), the second adds a little. Returns the weight and the fields it
    stands for."""
    signs = {}
    phone, email, company = fields.get("phone"), fields.get("email"), fields.get("company")
    if phone is not None and phone.level == "similar":
        signs["phone"] = min(phone.weight, ORGANISATION_LINE)
    if email is not None and email.level == "similar":
        signs["email"] = email.weight
    if company is not None and company.weight > 0:
        signs["company"] = company.weight
    if not signs:
        return 0.0, set()
    ranked = sorted(signs.values(), reverse=True)
    return ranked[0] + (ORGANISATION_SECOND if len(ranked) > 1 else 0.0), set(signs)


def premises_weight(fields: dict[str, FieldEvidence]) -> tuple[float, set[str]]:
    """Between two businesses, a shared switchboard (a landline, not a personal number) and
    a shared info@ mailbox are signs of one premises, as the street address is: the
    restaurants of one hotel or the shops of one mall share all three, so they are weighed
    with the location, not on top of it. Returns the strongest sign's weight and the fields
    it stands for."""
    signs = {}
    phone, email = fields.get("phone"), fields.get("email")
    if phone is not None and phone.level == "similar":
        signs["phone"] = phone.weight
    if email is not None and email.level == "similar":
        signs["email"] = email.weight
    if not signs:
        return 0.0, set()
    return max(signs.values()), set(signs)


def _name_at_most(a: dict, b: dict, freq: Frequencies) -> FieldEvidence | None:
    """``name_evidence`` without comparing names that are not plainly the same: those are
    taken as the same, at the strongest weight with no frequency discount (``optimistic``)."""
    if not a.get("person", True) or not b.get("person", True):
        return None
    if not a.get("name_key") or not b.get("name_key"):
        return None
    if a["name_key"] == b["name_key"] and a.get("name_han", "") == b.get("name_han", ""):
        return name_evidence(a, b, freq)
    return FieldEvidence("same", 100, NAME_LEVELS[0][2])


def _company_at_most(a: dict, b: dict, freq: Frequencies) -> FieldEvidence | None:
    if not a.get("company_key") or not b.get("company_key") or a["company_key"] == b["company_key"]:
        return company_evidence(a, b, freq)
    as_name = not a.get("person", True) and not b.get("person", True)
    return FieldEvidence("same", 100, (COMPANY_AS_NAME_LEVELS if as_name else COMPANY_LEVELS)[0][2])


_OPTIMISTIC = {"name": _name_at_most, "company": _company_at_most}


def evidence(
    a: dict, b: dict, freq: Frequencies | None = None, *, optimistic: bool = False
) -> Evidence:
    """Every field compared, and the sum of their weights with the prior: the location
    fields weighed together (``location_weight``), and between two people the signs of one
    organisation too (``organisation_weight``); two people of one organisation at one place
    are colleagues at their office as likely as one person, so the two count as one. Between
    two businesses, a shared switchboard or mailbox and the address are one premises
    (``premises_weight``): outlets of one hotel are not one business.

    ``optimistic``: an upper bound, cheap (no name or company comparison, which cost most):
    names and companies that are not plainly the same count as the same at full weight.
    Every weight rises with similarity, so the true score is never higher."""
    freq = freq or _DEFAULT_FREQUENCIES
    fields = {}
    for name in FIELDS:
        comparator = _OPTIMISTIC.get(name, COMPARATORS[name]) if optimistic else COMPARATORS[name]
        found = comparator(a, b, freq)
        if found is not None:
            fields[name] = found
    pooled: set[str] = set(LOCATION)
    location = location_weight(fields, a, freq)
    total = PRIOR
    # Colleagues share their office's address as they share its name; two outlets in one
    # hotel or mall share its address and its switchboard: one fact each time.
    people = a.get("person", True) and b.get("person", True)
    weight, shared = (organisation_weight if people else premises_weight)(fields)
    pooled |= shared
    if weight > 0 and location > 0:
        total += max(weight, location) + ORGANISATION_SECOND
    else:
        total += weight + location
    total += sum(f.weight for name, f in fields.items() if name not in pooled)
    return Evidence(total, fields)
