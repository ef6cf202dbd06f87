"""What the duplicate scorers compare about a lead: its profile.

A profile is a plain dict: the stored keys (``leads.identity.keys``: email, phone, mobile,
company, name, address), the name and company as typed, the parsed address, and the city and
postcode keys. Built the same way from form data, an import row, a saved lead or a row of the
scan's query, so every channel compares the same things.
"""

from __future__ import annotations

import re

from leads.identity.address import address_parse, city_key, postcode_key
from leads.identity.keys import keys_for
from leads.identity.normalize import fold

#: The lead fields a profile is built from, besides the stored keys.
SOURCE_FIELDS = ("name", "company", "address", "city", "region", "postcode", "country")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def profile(keys: dict, data: dict) -> dict:
    """A lead's keys plus its field values as the scorers need them."""
    address = (data.get("address") or "").strip()
    city, region = data.get("city") or "", data.get("region") or ""
    name, company = data.get("name") or "", data.get("company") or ""
    return {
        **keys,
        # A lead whose name repeats its company is a business with no contact person yet (a
        # directory listing): its company is its name.
        "person": bool(keys.get("name_key")) and fold(name) != fold(company),
        "name": name,
        "name_han": "".join(_HAN.findall(data.get("name") or "")),
        "company": data.get("company") or "",
        "address": address_parse(address, city, region) if address else None,
        "address_text": fold(address),
        "city_key": city_key(city),
        "postcode_key": postcode_key(data.get("postcode") or "", data.get("country") or ""),
    }


def data_profile(data: dict, region: str) -> dict:
    """The profile of field values (a form, an import row, an evaluation record). ``region``:
    the tenant's country, for numbers without a country code."""
    return profile(keys_for(data, region), data)


def lead_profile(lead) -> dict:
    from leads.models import DEDUP_KEY_FIELDS

    return profile(
        {k: getattr(lead, k) for k in DEDUP_KEY_FIELDS},
        {f: getattr(lead, f) for f in SOURCE_FIELDS},
    )


def row_profile(row: dict) -> dict:
    """A profile from a row of stored values (``SOURCE_FIELDS`` and the key fields)."""
    from leads.models import DEDUP_KEY_FIELDS

    return profile({k: row[k] for k in DEDUP_KEY_FIELDS}, row)
