"""Step 4 of smart fill: phone numbers, read in the country the text points to, and which
one is the mobile and which the phone."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

from leads.smartfill.text import EMAIL, HAN, NUMBER_FIELDS, Part

PNT = phonenumbers.PhoneNumberType
TLD_REGION = {"uk": "GB", "de": "DE", "sg": "SG", "cn": "CN", "hk": "HK", "tw": "TW", "au": "AU"}
# 010-8523 6600-8012: a Chinese landline's extension after a hyphen.
CN_HYPHEN_EXTENSION = re.compile(
    r"(?<![\d+-])((?:\+86[\s-]?)?\(?0?\d{2,3}\)?[\s-]?\d{3,4}[\s-]?\d{4})-(\d{1,5})(?!\d)"
)
EXTENSION = re.compile(r"^\s*(?:转|轉|分机|分機|ext\.?|extension|x)\s*(\d{1,6})(?!\d)", re.I)
NANP_SHAPE = re.compile(r"(?<![\d+])(?:1[\s.-])?\(?[2-9]\d{2}\)?[\s.-]\d{3}[.-]\d{4}(?!\d)")


@dataclass(frozen=True)
class Number:
    formatted: str  # "+44 20 7946 0958", "+1 305-555-0142 ext. 231"
    kind: int  # a phonenumbers.PhoneNumberType
    region: str
    international: bool  # written with its country code
    extension: bool
    label: str | None  # "mobile", "phone", "fax" or None


def reading_region(parts: list[Part], country: str, default: str) -> tuple[str, bool]:
    """The country national numbers are read in, and whether the text itself says so: its
    address's ``country``, a number written with its country code, an e-mail or web domain
    (.co.uk, .de, .com.sg …), Chinese characters for a tenant outside Greater China; else the
    tenant's ``default``."""
    if country:
        return country, True
    text = "\n".join(p.text for p in parts)
    for match in phonenumbers.PhoneNumberMatcher(text, "ZZ"):  # "ZZ": only +… numbers match
        region = phonenumbers.region_code_for_number(match.number)
        if region and region != "ZZ":
            return region, True
    domains = [m.group(0).rsplit("@", 1)[-1] for m in EMAIL.finditer(text)]
    domains += [p.text for p in parts if p.field == "website"]
    for domain in domains:
        tld = domain.lower().rstrip("/").rsplit(".", 1)[-1]
        if tld in TLD_REGION:
            return TLD_REGION[tld], True
    if HAN.search(text) and default.upper() not in ("CN", "HK", "TW", "MO", "SG"):
        return "CN", True
    return default.upper() or "CN", False


def numbers_in(parts: list[Part], region: str, *, region_is_known: bool) -> list[Number]:
    """The numbers of the labelled number parts and of the unlabelled ones, in text order.
    When the text does not say its country, a Latin text's 415.555.0132 is read as North
    American rather than in the tenant's country (415 is also a Chinese area code)."""
    latin = not any(HAN.search(p.text) for p in parts)
    numbers = []
    for part in parts:
        if part.field not in (*NUMBER_FIELDS, None):
            continue
        nanp = not region_is_known and latin and NANP_SHAPE.search(part.text)
        numbers += _numbers(part.text, "US" if nanp else region, label=part.field)
    return numbers


def _numbers(text: str, region: str, *, label: str | None) -> list[Number]:
    if region == "CN" or "+86" in text:
        text = CN_HYPHEN_EXTENSION.sub(r"\1 ext. \2", text)
    found = []
    for match in phonenumbers.PhoneNumberMatcher(text, region or "CN"):
        number = match.number
        extension = number.extension or ""
        if not extension and (after := EXTENSION.match(text[match.end :])):
            extension = after.group(1)  # "转 806", "分機 315"
        number.extension = None
        formatted = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        found.append(
            Number(
                formatted=f"{formatted} ext. {extension}" if extension else formatted,
                kind=phonenumbers.number_type(number),
                region=phonenumbers.region_code_for_number(number) or "",
                international=match.raw_string.lstrip().startswith(("+", "00")),
                extension=bool(extension),
                label=label,
            )
        )
    return found


def phone_and_mobile(numbers: list[Number]) -> dict[str, str]:
    """The mobile: the first mobile number, by its type (a UK mobile labelled "Tel" is still
    a mobile), by its label where the type cannot tell (US numbers). The phone: the first
    landline (or number with an extension), else a second mobile, else a hotline (400, 800,
    toll-free). A fax is neither."""
    mobiles, landlines, either, hotlines = [], [], [], []
    for n in numbers:
        if n.label == "fax":
            continue
        if n.kind == PNT.MOBILE and not n.extension:
            mobiles.append(n)
        elif n.kind == PNT.FIXED_LINE or n.extension:
            landlines.append(n)
        elif n.kind == PNT.FIXED_LINE_OR_MOBILE:
            {"mobile": mobiles, "phone": landlines}.get(n.label or "", either).append(n)
        else:
            hotlines.append(n)
    mobile = mobiles[0] if mobiles else None
    phone = landlines[0] if landlines else None
    for n in either:  # unlabelled, and the number could be either: the phone first
        if phone is None:
            phone = n
        elif mobile is None:
            mobile = n
    if phone is None:
        phone = next(iter(mobiles[1:] + hotlines), None)
    return {field: n.formatted for field, n in (("mobile", mobile), ("phone", phone)) if n}
