"""Smart fill: turn a pasted business card, e-mail signature or call note into lead fields.

Offline and rule-based, for English and Chinese (simplified and traditional) text:

1. The text is tidied (``text``): full-width forms folded (NFKC); a quoted reply ("On …
   wrote:", "-----Original Message-----", "发件人:…"), a disclaimer or a company-register
   footer cut off; greetings and closings dropped; sentences kept for their numbers only.
2. Lines are split into parts ("Jane Doe | Head of Procurement", "Tel … Fax …"); a labelled
   part ("Tel:", "M:", "Mob.", "HP:", "手机:", "电话 Tel:", "Add:" …) says what it holds.
3. The address (``places``) is the labelled one or the first part that reads like one, with
   the place lines under it ("Miami, FL 33131", "Bristol BS1 6XY", "Germany"); the country,
   province/state, city and postcode come from it (广东省深圳市…, "Chicago, IL 60606",
   "20457 Hamburg"), the postcode else from its label ("邮编 650000", "Zip: 94107").
4. Phone numbers (``phones``) are read by libphonenumber in the country the text points to,
   else the tenant's default; the number's type decides mobile or phone, the label where the
   type cannot (US numbers); a fax is never the phone, a 400/800 hotline only when nothing
   else is.
5. Company, job title and name (``people``) come from the unlabelled parts.
6. The country is the address's, else that of the first number written with a country code.

``smart_fill`` returns what the text gives, the address as written; ``smart_fill_for_form``
says what goes into the form's empty fields: the address without the place that then has
fields of its own (no "上海市上海市…", "Shanghai, Shanghai" or "200120" twice when the lead
is shown).
"""

from __future__ import annotations

from collections.abc import Mapping

from leads.smartfill.people import company_title_name, tidy_name
from leads.smartfill.phones import numbers_in, phone_and_mobile, reading_region
from leads.smartfill.places import (
    POSTCODE,
    address_parts,
    address_without_place,
    country_named,
    place_of,
)
from leads.smartfill.text import EMAIL, HAN, parts_of, website_in

__all__ = ["address_without_place", "smart_fill", "smart_fill_for_form"]

PLACE_FIELDS = ("country", "region", "city", "postcode")


def smart_fill(text: str, *, default_region: str = "CN") -> dict[str, str]:
    """Lead fields found in ``text`` (name, company, job_title, email, mobile, phone, website,
    country, region, city, postcode, address), each only if the text gives it; the address
    as written.
    ``default_region`` is the tenant's country for numbers the text gives no country for."""
    parts = parts_of(text or "")
    found = {}
    for part in parts:
        if part.field in ("name", "company", "job_title", "email", "website"):
            found.setdefault(part.field, part.text)
    address = address_parts(parts)
    if address:
        joiner = "" if HAN.match(address[0].text) else ", "
        found["address"] = joiner.join(p.text for p in address)
        found.update(place_of(found["address"]))
    elif country := next(filter(None, (country_named(p.text) for p in parts)), ""):
        found["country"] = country
    if "postcode" not in found and (
        postcode := next(
            (p.text for p in parts if p.field == "postcode" and POSTCODE.fullmatch(p.text)), ""
        )
    ):
        found["postcode"] = postcode
    rest = [p for p in parts if p not in address]
    region, known = reading_region(parts, found.get("country", ""), default_region)
    numbers = numbers_in(rest, region, region_is_known=known)
    found.update(phone_and_mobile(numbers))
    if "country" not in found and (first := next((n for n in numbers if n.international), None)):
        found["country"] = first.region
    plain = [p for p in rest if p.field is None]
    if "email" not in found and (email := EMAIL.search("\n".join(p.text for p in plain))):
        found["email"] = email.group(0)
    if "website" not in found and (website := website_in(plain)):
        found["website"] = website
    who = company_title_name(plain, email=found.get("email", ""), website=found.get("website", ""))
    found.update({k: v for k, v in who.items() if k not in found})
    if "name" in found:
        found["name"] = tidy_name(found["name"])
    return {k: v.strip()[:200] for k, v in found.items() if v and v.strip()}


def smart_fill_for_form(found: Mapping[str, str], *, typed: Mapping[str, str]) -> dict[str, str]:
    """What smart fill puts into the lead form: each found field the person left empty (what
    they typed is never replaced), and the address without the country, province, city and
    postcode the form then holds in their own fields ("上海市浦东新区…" with 上海 as the city
    becomes "浦东新区…"; "…, Miami, FL 33131" with Miami, FL and 33131 becomes "…")."""
    values = {f: v for f, v in found.items() if not (typed.get(f) or "").strip()}
    if "address" in values:
        place = {f: (typed.get(f) or "").strip() or values.get(f, "") for f in PLACE_FIELDS}
        if address := address_without_place(values["address"], **place):
            values["address"] = address
        else:
            del values["address"]
    return values
