"""The duplicate keys of a lead (or of a candidate that is not saved yet)."""

from __future__ import annotations

import unicodedata

from leads.identity.address import address_key
from leads.identity.normalize import (
    company_key,
    digits_placeholder,
    email_key,
    name_key,
    phone_parse,
)


def keys_for(data: dict, region: str) -> dict[str, str]:
    """Keys from field values: email, phone, mobile, company, name, address. Numbers without a
    country code are read as numbers of the lead's own country, else ``region`` (the tenant's,
    ``leads.models.default_region()``)."""
    country = (data.get("country") or "").strip().upper()
    region = country if len(country) == 2 else region
    return {
        "email_key": email_key(data.get("email") or ""),
        "phone_key": phone_storage_key(data.get("phone") or "", region),
        "mobile_key": phone_storage_key(data.get("mobile") or "", region),
        "company_key": company_key(data.get("company") or "")[:200],
        "name_key": name_key(data.get("name") or "")[:200],
        "address_key": address_key(
            data.get("address") or "", data.get("city") or "", data.get("region") or ""
        )[:100],
    }


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
    fields = ("email", "phone", "mobile", "company", "name", "country", "address", "city", "region")
    for key, value in keys_for({f: getattr(lead, f) for f in fields}, region).items():
        setattr(lead, key, value)
