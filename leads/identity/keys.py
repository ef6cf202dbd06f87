"""The duplicate keys of a lead (or of a candidate that is not saved yet)."""

from __future__ import annotations

import unicodedata

from leads.identity.address import address_key, address_parse, city_key, postcode_key
from leads.identity.normalize import (
    company_key,
    digits_placeholder,
    email_key,
    name_key,
    phone_parse,
)


def keys_for(data: dict, region: str) -> dict:
    """Keys from field values: email, phone, mobile, company, name, address, and the blocking
    keys (``block_keys``). Numbers without a country code are read as numbers of the lead's
    own country, else ``region`` (the tenant's, ``leads.models.default_region()``)."""
    country = (data.get("country") or "").strip().upper()
    region = country if len(country) == 2 else region
    keys = {
        "email_key": email_key(data.get("email") or ""),
        "phone_key": phone_storage_key(data.get("phone") or "", region),
        "mobile_key": phone_storage_key(data.get("mobile") or "", region),
        "company_key": company_key(data.get("company") or "")[:200],
        "name_key": name_key(data.get("name") or "")[:200],
        "address_key": address_key(
            data.get("address") or "", data.get("city") or "", data.get("region") or ""
        )[:100],
    }
    keys["block_keys"] = block_keys(keys, data)
    return keys


#: The halves of a company key a typo in the other half leaves intact.
COMPANY_HALF = 5
BLOCK_KEY_MAX = 60


def block_keys(keys: dict, data: dict) -> list[str]:
    """Keys that two records of one person (or business) are likely to share even where a
    typo changed every exact key: the company's first and last characters ("c<", "c>"), each
    name word with the postcode's ("z:") or the company's start ("n:"), the house number with
    the postcode ("h:") or the city ("k:"). Stored on the lead (GIN index) so an import finds
    a typo'd existing lead with one set-based query; the scan blocks on the same keys."""
    out = set()
    company = keys.get("company_key") or ""
    if len(company) >= COMPANY_HALF + 2:
        out.add("c<" + company[:COMPANY_HALF])
        out.add("c>" + company[-COMPANY_HALF:])
    tokens = (keys.get("name_key") or "").split()
    postcode = postcode_key(data.get("postcode") or "", data.get("country") or "")
    city = city_key(data.get("city") or "")
    address = (data.get("address") or "").strip()
    number = address_parse(address, city, data.get("region") or "").number if address else ""
    for token in tokens:
        if len(token) < 2:
            continue
        if postcode:
            out.add(f"z:{postcode}:{token[:3]}")
        if company:
            out.add(f"n:{token}:{company[:3]}")
    if number and postcode:
        out.add(f"h:{postcode}:{number}")
    if number and city:
        out.add(f"k:{city}:{number}")
    return sorted(key[:BLOCK_KEY_MAX] for key in out)


def phone_storage_key(raw: str, region: str) -> str:
    """ "+862112345678" or, with an extension, "+862112345678;8001" (the number part is what
    the exact index looks up; the extension tells colleagues behind one switchboard apart).
    A number the country's plan does not know ("208.609.3804" in China) still matches the
    same digits typed again: "#2086093804". Placeholders (138-0000-0000) have no key."""
    parsed = phone_parse(raw, region)
    if parsed.e164:
        number = parsed.e164
    else:
        text = unicodedata.normalize("NFKC", raw or "")
        digits = "".join(c for c in text if c.isdigit())
        if parsed.extension and digits.endswith(parsed.extension):
            digits = digits[: -len(parsed.extension)]
        if len(digits) < 7 or digits_placeholder(digits):
            return ""
        number = "#" + digits[-18:]
    return f"{number};{parsed.extension}"[:20] if parsed.extension else number


def lead_keys_fill(lead, region: str) -> None:
    fields = (
        "email", "phone", "mobile", "company", "name", "country", "address", "city", "region",
        "postcode",
    )  # fmt: skip
    for key, value in keys_for({f: getattr(lead, f) for f in fields}, region).items():
        setattr(lead, key, value)
