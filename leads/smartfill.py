"""Smart fill: turn a pasted business card, email signature or call note into lead fields.

Offline and rule-based, for English and Chinese text:

- labelled lines win ("Tel:", "Mobile:", "Email:", "Company:", and their Chinese labels);
- emails by pattern; phone numbers by Google's libphonenumber (``phonenumbers``) with the
  tenant's default country, mobile or landline by the number's type, extensions kept;
- websites by pattern (a bare domain counts, but not the domain inside an email address);
- the company is the line with a legal form (Co., Ltd., GmbH, 有限公司, 集团 ...);
- the job title is the line with a title word (Manager, Director, 经理, 总监 ...);
- the name is a labelled name, else a short line of 2 to 4 Chinese characters or of two or three
  capitalised words (tidied by ``nameparser``);
- the address is a labelled address, else a line that reads like one (路/号/区 or a street
  number with a street word).

Returns only what it found; the caller fills empty form fields and leaves the rest alone.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from nameparser import HumanName

LABELS = {
    "name": r"name|contact|姓名|联系人|名字",
    "company": r"company|organi[sz]ation|firm|公司|单位|企业|公司名称",
    "job_title": r"title|position|job|职位|职务|头衔",
    "email": r"e-?mail|mail|邮箱|电子邮件|电邮",
    "mobile": r"mobile|cell|handy|手机|移动电话",
    "phone": r"tel|phone|telephone|office|电话|座机|固话|办公电话",
    "website": r"web|website|url|网址|网站|主页",
    "address": r"address|addr|地址|公司地址",
}
LABELLED = re.compile(
    r"^\s*(?P<label>"
    + "|".join(f"(?:{v})" for v in LABELS.values())
    + r")\s*[:：]\s*(?P<value>.+)$",
    re.IGNORECASE,
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
URL = re.compile(
    r"(?:https?://)?(?:www\.)[\w-]+(?:\.[\w-]+)+(?:/\S*)?|https?://[\w-]+(?:\.[\w-]+)+(?:/\S*)?"
)
BARE_DOMAIN = re.compile(r"\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|cn|net|org|io|de|co|uk|hk|tw)\b")
LEGAL_FORMS = re.compile(
    r"(有限公司|有限责任公司|股份有限公司|集团|公司|工作室|事务所|研究院|"
    r"\b(?:co\.?,?\s*ltd\.?|ltd\.?|limited|inc\.?|corp\.?|corporation|llc|gmbh|ag|s\.a\.|"
    r"plc|pte\.?|company|group|holdings?|technologies|solutions)\b)",
    re.IGNORECASE,
)
TITLE_WORDS = re.compile(
    r"(经理|总监|主管|总裁|董事|主任|工程师|专员|顾问|采购|销售|总经理|副总|创始人|负责人|"
    r"\b(?:manager|director|head|ceo|cto|cfo|coo|vp|president|founder|owner|engineer|buyer|"
    r"purchasing|procurement|officer|lead|consultant|specialist|executive|partner|sales)\b)",
    re.IGNORECASE,
)
ADDRESS_CN = re.compile(r"(省|市|区|县|路|街|道|号|楼|室|大厦|园区)")
ADDRESS_EN = re.compile(
    r"\d+\s*[\w .'-]*\b(?:street|st\.|road|rd\.|avenue|ave\.|blvd|lane|ln\.|"
    r"way|drive|dr\.|suite|floor)\b"
    r"|\w*(?:straße|strasse|str\.|weg|platz|allee|gasse|laan|straat)\s*\d+",
    re.IGNORECASE,
)
HAN = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")
LATIN_NAME = re.compile(r"^(?:[^\W\d_][^\W\d_'’-]*\.?\s+){1,2}[^\W\d_][^\W\d_'’-]+$")


def _field_of(label: str) -> str | None:
    for field, pattern in LABELS.items():
        if re.fullmatch(pattern, label, re.IGNORECASE):
            return field
    return None


def _phones(text: str, region: str) -> list[tuple[str, str]]:
    """(formatted number, "mobile" | "phone") for each number, in order."""
    found = []
    for match in phonenumbers.PhoneNumberMatcher(text, region or "CN"):
        number = match.number
        kind = phonenumbers.number_type(number)
        formatted = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        if number.extension:
            formatted = f"{formatted.split(' ext.')[0]} ext. {number.extension}"
        is_mobile = (
            kind
            in (
                phonenumbers.PhoneNumberType.MOBILE,
                phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
            )
            and not number.extension
        )
        found.append((formatted, "mobile" if is_mobile else "phone"))
    return found


def smart_fill(text: str, *, default_region: str = "CN") -> dict[str, str]:
    """Lead fields found in ``text`` (name, company, job_title, email, mobile, phone,
    website, address). Full-width letters and digits are folded first (NFKC)."""
    text = unicodedata.normalize("NFKC", text or "")
    # "Head of Procurement | Nordwerk GmbH": separators split a line into its parts.
    parts = [part for line in text.splitlines() for part in re.split(r"\s+[|•·]\s+|\s{3,}", line)]
    lines = [part.strip(" \t|•·,;") for part in parts]
    lines = [line for line in lines if line]
    found: dict[str, str] = {}
    rest: list[str] = []
    for line in lines:
        match = LABELLED.match(line)
        field = _field_of(match.group("label")) if match else None
        if field and field not in found:
            value = match.group("value").strip()
            if field in ("mobile", "phone"):
                numbers = _phones(value, default_region)
                if numbers:
                    value = numbers[0][0]
            found[field] = value
        else:
            rest.append(line)
    body = "\n".join(rest)
    if "email" not in found and (email := EMAIL.search(body)):
        found["email"] = email.group(0)
    for number, kind in _phones(body, default_region):
        if kind not in found:
            found[kind] = number
        elif "phone" not in found:
            found["phone"] = number
    if "website" not in found:
        without_emails = EMAIL.sub(" ", body)
        url = URL.search(without_emails) or BARE_DOMAIN.search(without_emails.lower())
        if url:
            found["website"] = url.group(0)
    for line in rest:
        plain = EMAIL.sub("", line).strip()
        if not plain or _mostly_digits(plain):
            continue
        if (
            "company" not in found
            and LEGAL_FORMS.search(plain)
            and not TITLE_WORDS.fullmatch(plain)
        ):
            found["company"] = plain
            continue
        if "address" not in found and (ADDRESS_EN.search(plain) or _looks_cn_address(plain)):
            found["address"] = plain
            continue
        if "job_title" not in found and TITLE_WORDS.search(plain) and len(plain) <= 60:
            found["job_title"] = plain
            continue
        if "name" not in found and (HAN.match(plain) or _latin_name(plain)):
            found["name"] = _tidy_name(plain)
    if "name" not in found:
        found.update(_name_from_mixed(rest))
    if "name" in found:
        found["name"] = _tidy_name(found["name"])
    if "address" in found:
        found.update({k: v for k, v in _cn_region_city(found["address"]).items() if k not in found})
    return {k: v[:200] for k, v in found.items() if v}


MUNICIPALITIES = ("北京", "上海", "天津", "重庆")
CN_PROVINCE = re.compile(r"^(.{2,3}?(?:省|自治区))")


def _cn_region_city(address: str) -> dict[str, str]:
    """ "浙江省杭州市西湖区…" → region 浙江, city 杭州; "上海市浦东新区…" → 上海, 上海."""
    for name in MUNICIPALITIES:
        if address.startswith(name):
            return {"region": name, "city": name, "country": "CN"}
    found = {}
    province = CN_PROVINCE.match(address)
    if province:
        found["region"] = province.group(1).removesuffix("省").removesuffix("自治区")
        found["country"] = "CN"
        rest = address[province.end() :]
        city = re.match(r"(.{2,4}?)市", rest)
        if city:
            found["city"] = city.group(1)
    return found


def _latin_name(text: str) -> bool:
    """Two or three capitalised words, letters only (accents welcome): "Anna Müller"."""
    return bool(LATIN_NAME.match(text)) and all(w[0].isupper() for w in text.split())


def _mostly_digits(text: str) -> bool:
    digits = sum(c.isdigit() for c in text)
    return digits >= max(6, len(text) // 2)


def _looks_cn_address(text: str) -> bool:
    return len(ADDRESS_CN.findall(text)) >= 2 and len(text) >= 6


def _name_from_mixed(lines: list[str]) -> dict[str, str]:
    """ "王小明 销售经理" or "John Smith, Purchasing Manager": a name before a title."""
    for line in lines:
        parts = re.split(r"[\s,，/|]+", line, maxsplit=1)
        if len(parts) == 2 and HAN.match(parts[0]) and TITLE_WORDS.search(parts[1]):
            return {"name": parts[0], "job_title": parts[1]}
        head, sep, tail = line.partition(",")
        if sep and _latin_name(head.strip()) and TITLE_WORDS.search(tail):
            return {"name": head.strip(), "job_title": tail.strip()}
    return {}


def _tidy_name(name: str) -> str:
    name = name.strip()
    if HAN.match(name.replace(" ", "")):
        return name.replace(" ", "")
    parsed = HumanName(name)
    parsed.capitalize(force=False)
    return " ".join(p for p in (parsed.first, parsed.middle, parsed.last) if p) or name
