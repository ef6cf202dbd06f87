"""The duplicate keys of a lead (or of a candidate that is not saved yet)."""

from __future__ import annotations

from leads.identity.normalize import company_key, email_key, name_key, phone_parse


def keys_for(data: dict, region: str) -> dict[str, str]:
    """Keys from field values: email, phone, mobile, company, name. Numbers without a
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
    }


def phone_storage_key(raw: str, region: str) -> str:
    """ "+862112345678" or, with an extension, "+862112345678;8001" (the number part is what
    the exact index looks up; the extension tells colleagues behind one switchboard apart)."""
    parsed = phone_parse(raw, region)
    if not parsed.e164:
        return ""
    return f"{parsed.e164};{parsed.extension}" if parsed.extension else parsed.e164


def lead_keys_fill(lead, region: str) -> None:
    fields = ("email", "phone", "mobile", "company", "name", "country")
    for key, value in keys_for({f: getattr(lead, f) for f in fields}, region).items():
        setattr(lead, key, value)
