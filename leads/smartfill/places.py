"""Step 3 of smart fill: the address, and the country, province/state, city and postcode in
it."""

from __future__ import annotations

import re

from leads.smartfill.text import EMAIL, HAN, LEGAL_FORMS, Part, mostly_digits

ADDRESS_CN = re.compile(
    r"(省|市|区|區|县|縣|路|街|道|号|號|楼|樓|室|大厦|大廈|园区|巷|弄|栋|棟|座)"
)
ADDRESS_EN = re.compile(
    r"\b(?:street|st\.|road|rd\.?|avenue|ave\.?|boulevard|blvd\.?|lane|ln\.|way|drive|dr\.|"
    r"place|square|court|terrace|parkway|highway|crescent|close|quay|wharf|suite|floor|"
    r"level|unit|building|tower|plaza|rue|via|calle)(?!\w)|#\d+-\d+"
    r"|[\w-]*(?:straße|strasse|str\.|weg|platz|allee|gasse|damm|ring|ufer|kai|markt)\s+\d+",
    re.IGNORECASE,
)
US_STATES = (  # noqa: SIM905
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO "
    "MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY"
).split()
COUNTRY_NAMES = {
    "GB": ("United Kingdom", "UK", "U.K.", "Great Britain", "England", "Scotland", "Wales"),
    "US": ("United States of America", "United States", "USA", "U.S.A.", "U.S."),
    "DE": ("Germany", "Deutschland"),
    "SG": ("Republic of Singapore", "Singapore"),
    "CN": ("People's Republic of China", "P.R. China", "P. R. China", "PR China", "PRC", "China"),
    "HK": ("Hong Kong SAR", "Hong Kong"),
    "TW": ("Taiwan R.O.C.", "Taiwan"),
    "AU": ("Australia",),
    "CA": ("Canada",),
    "FR": ("France",),
    "NL": ("The Netherlands", "Netherlands"),
    "IE": ("Ireland",),
    "MY": ("Malaysia",),
    "IN": ("India",),
    "CH": ("Switzerland",),
    "AT": ("Austria",),
    "JP": ("Japan",),
}
COUNTRY_CN_NAMES = {
    "CN": ("中华人民共和国", "中國大陸", "中国大陆", "中国", "中國"),
    "HK": ("中国香港", "中國香港", "香港特别行政区", "香港特別行政區", "香港"),
    "MO": ("中国澳门", "澳门特别行政区", "澳门", "澳門"),
    "TW": ("中国台湾", "中國台灣", "台湾省", "台湾", "台灣", "臺灣"),
}
COUNTRY_AT_END = re.compile(
    r"(?:^|\s)(?P<name>"
    + "|".join(re.escape(n) for names in COUNTRY_NAMES.values() for n in names)
    + r")$",
    re.IGNORECASE,
)
CN_PROVINCES = (  # noqa: SIM905
    "北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 "
    "广东 海南 四川 贵州 云南 陕西 甘肃 青海 内蒙古 广西 西藏 宁夏 新疆"
).split()
CN_MUNICIPALITIES = ("北京", "天津", "上海", "重庆")
PROVINCE_SUFFIX = r"(?:省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)?"
TW_CITIES = re.compile(
    r"^(台北|臺北|新北|桃园|桃園|台中|臺中|台南|臺南|高雄|基隆|新竹|嘉义|嘉義)(?:市|縣|县)?"
)
PINYIN_PROVINCES = {
    p.lower()
    for p in (  # noqa: SIM905
        "Beijing Tianjin Shanghai Chongqing Hebei Shanxi Liaoning Jilin Heilongjiang Jiangsu "
        "Zhejiang Anhui Fujian Jiangxi Shandong Henan Hubei Hunan Guangdong Hainan "
        "Sichuan Guizhou Yunnan Shaanxi Gansu Qinghai Guangxi Tibet Ningxia Xinjiang"
    ).split()
}
PINYIN_MUNICIPALITIES = {"beijing", "tianjin", "shanghai", "chongqing"}
POSTCODE = re.compile(r"[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}|\d{4,6}(?:-\d{4})?", re.IGNORECASE)
US_PLACE = re.compile(
    r"^(?:(?P<city>[A-Za-z][A-Za-z .'-]*?)\s+)?(?P<state>[A-Z]{2})\s+(?P<pc>\d{5}(?:-\d{4})?)$"
)
UK_PLACE = re.compile(
    r"^(?:(?P<city>[A-Za-z][A-Za-z .'-]*?)\s+)?(?P<pc>[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2})$"
)
SG_PLACE = re.compile(r"^Singapore\s+(?P<pc>\d{6})$", re.IGNORECASE)
CN_EN_PLACE = re.compile(r"^(?P<city>[A-Za-z][A-Za-z .'-]*?)(?:\s+(?P<pc>\d{6}))?$")
EU_PLACE = re.compile(r"^(?P<pc>\d{4,5})\s+(?P<city>[^\W\d][^\d,]*)$")


def address_parts(parts: list[Part]) -> list[Part]:
    """The labelled address, else the first part that reads like one; with the place lines
    that follow it ("Miami, FL 33131", "Bristol BS1 6XY", "Germany")."""
    start = next((i for i, p in enumerate(parts) if p.field == "address"), None)
    if start is None:
        start = next(
            (i for i, p in enumerate(parts) if p.field is None and _looks_like_address(p)), None
        )
    if start is None:
        return []
    block = [parts[start]]
    for part in parts[start + 1 :]:
        if part.field is not None or part.prose or part.line > block[-1].line + 1:
            break
        if not (_looks_like_address(part) or _is_place(part.text)):
            break
        block.append(part)
    return block


def _looks_like_address(part: Part) -> bool:
    text = part.text
    if part.prose or LEGAL_FORMS.search(text) or EMAIL.search(text) or mostly_digits(text):
        return False
    if HAN.match(text):
        return len(ADDRESS_CN.findall(text)) >= 2 and len(text) >= 6
    return (bool(ADDRESS_EN.search(text)) and bool(re.search(r"\d", text))) or _is_place(text)


def _is_place(text: str) -> bool:
    """A line of an address's place: a city with its postcode or state, or a country."""
    if country_named(text):
        return True
    last = text.split(",")[-1].strip()
    last = COUNTRY_AT_END.sub("", last).strip() or last
    if us := US_PLACE.match(last):
        return us.group("state") in US_STATES
    if (cn := CN_EN_PLACE.match(last)) and cn.group("pc"):
        return True  # "Zhejiang 315800"
    return any(p.match(last) for p in (UK_PLACE, SG_PLACE, EU_PLACE))


def country_named(text: str) -> str:
    """The country whose name is the whole text ("United Kingdom", "Germany")."""
    text = text.strip(" .,").lower()
    for code, names in COUNTRY_NAMES.items():
        if any(text == n.lower().rstrip(".") for n in names):
            return code
    return ""


def place_of(address: str) -> dict[str, str]:
    """Country (ISO code), region, city and postcode the address gives."""
    return _cn_place(address) if HAN.match(address) else _latin_place(address)


def _cn_place(address: str) -> dict[str, str]:
    """ "浙江省杭州市西湖区…" → 浙江, 杭州, CN; "上海市浦东新区…" → 上海, 上海, CN;
    "台北市信義區…" → 台北, TW; "香港九龙…" → 香港, HK."""
    rest, country = address, ""
    for code, names in COUNTRY_CN_NAMES.items():
        if name := next((n for n in names if rest.startswith(n)), None):
            rest, country = rest[len(name) :], code
            break
    if country in ("HK", "MO"):
        return {"country": country, "city": "香港" if country == "HK" else "澳门"}
    if country in ("", "TW") and (tw_city := TW_CITIES.match(rest)):
        return {"country": "TW", "city": tw_city.group(1)}
    if country == "TW":
        return {"country": "TW"}
    found = {}
    for province in CN_PROVINCES:
        if match := re.match(rf"{province}{PROVINCE_SUFFIX}", rest):
            found["region"] = province
            if province in CN_MUNICIPALITIES:
                found["city"] = province
            rest = rest[match.end() :]
            break
    if "city" not in found and (city := re.match(r"([\u4e00-\u9fff]{2,4}?)市", rest)):
        found["city"] = city.group(1)
    if found or country:
        found["country"] = "CN"
    return found


def _latin_place(address: str) -> dict[str, str]:
    """Country, state, city and postcode from the end of a Latin address: "…, Chicago, IL 60606",
    "…, London E14 4QW", "…, 20457 Hamburg, Germany", "…, Singapore 048616",
    "…, Ningbo, Zhejiang 315800, China", "…, Shenzhen, Guangdong, China 518040"."""
    segments = [s.strip() for s in address.split(",") if s.strip()]
    found: dict[str, str] = {}
    trailing = re.match(r"^(?P<name>.+?)\s+(?P<pc>\d{4,6})$", segments[-1])
    if trailing and country_named(trailing.group("name")) not in ("", "SG"):  # "China 518040"
        segments[-1:] = [trailing.group("pc"), trailing.group("name")]
    if match := COUNTRY_AT_END.search(segments[-1]):
        found["country"] = country_named(match.group("name"))
        segments[-1] = segments[-1][: match.start()].strip()
        if not segments[-1]:
            segments.pop()
    if found.get("country") == "CN" and len(segments) > 2 and POSTCODE.fullmatch(segments[-1]):
        found["postcode"] = segments.pop()  # "…, Guangdong, 518040": the place is before it
    if len(segments) < 2:
        return found
    last, before = segments[-1], segments[-2]
    before_city = "" if re.search(r"\d", before) else before
    if (m := US_PLACE.match(last)) and m.group("state") in US_STATES:
        found.setdefault("country", "US")
        found.update(region=m.group("state"), city=m.group("city") or before_city)
        found["postcode"] = m.group("pc")
    elif m := UK_PLACE.match(last):
        found.setdefault("country", "GB")
        found.update(city=m.group("city") or before_city, postcode=m.group("pc"))
    elif m := SG_PLACE.match(last):
        found.setdefault("country", "SG")
        found.update(city="Singapore", postcode=m.group("pc"))
    elif (m := CN_EN_PLACE.match(last)) and (
        m.group("city").lower() in PINYIN_PROVINCES or found.get("country") == "CN"
    ):
        name = m.group("city")
        found["postcode"] = m.group("pc") or found.get("postcode", "")
        if name.lower() in PINYIN_MUNICIPALITIES:
            found.update(region=name, city=name)
        elif name.lower() in PINYIN_PROVINCES:
            found.update(region=name, city=before_city)
        else:
            found["city"] = name
            if before.lower() in PINYIN_PROVINCES:
                found["region"] = before
        found.setdefault("country", "CN")
    elif m := EU_PLACE.match(last):
        found.update(city=m.group("city").strip(), postcode=m.group("pc"))
    return {k: v for k, v in found.items() if v}


def address_without_place(
    address: str, *, country: str, region: str, city: str, postcode: str = ""
) -> str:
    """``address`` without the country, province/state, city and postcode given: at the start
    of a Chinese address (中国浙江省杭州市西湖区… → 西湖区…), in the last comma-separated parts
    of a Latin one, where another postcode stays ("…, London E14 4QW, UK" → "…, E14 4QW"
    unless E14 4QW is given)."""
    address = address.strip()
    if HAN.match(address):
        prefixes = [re.escape(n) for n in COUNTRY_CN_NAMES.get(country.upper(), ())]
        prefixes += [re.escape(region) + PROVINCE_SUFFIX] if region else []
        prefixes += [re.escape(city) + "(?:市|縣|县)?"] if city else []
        while match := next(filter(None, (re.match(p, address) for p in prefixes)), None):
            address = address[match.end() :].lstrip(" ,，")
        return address
    names = [n for n in (city, region, *COUNTRY_NAMES.get(country.upper(), ())) if n]
    segments = [s.strip() for s in address.split(",")]
    postcodes: list[str] = []
    while len(segments) > 1:
        rest = segments[-1]
        for name in names:
            rest = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", " ", rest, flags=re.IGNORECASE)
        rest = " ".join(rest.split())
        if rest and not POSTCODE.fullmatch(rest):
            break
        segments.pop()
        if rest and _postcode_key(rest) != _postcode_key(postcode):
            postcodes[:0] = [rest]
    return ", ".join(segments + postcodes)


def _postcode_key(postcode: str) -> str:
    """A postcode as compared: "e14 4qw" and "E144QW" are the same."""
    return "".join(postcode.split()).casefold()
