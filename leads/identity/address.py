"""Street addresses, cities and postcodes made comparable, for duplicate detection. Pure
functions, no database; parsing is cached, comparison works on parsed ``Address`` objects.

- ``address_parse``: a small parser of our own (``usaddress`` knows only the US; tenants are
  Chinese and international). Western addresses give house number, street tokens with each
  street type, direction and ordinal folded to one spelling ("Blvd."/"blv"/"boulevard" ->
  "blvd", "fifth"/"5th" -> "5th", "pridhamstreet" -> "pridham st"), and the unit ("apt 5",
  "#5", "suite 200", Australian "3/12"). Chinese addresses give province, city, district (its
  新区/区/县 suffix dropped, so "浦东新区" and "浦东" agree), road, number (88号, 88弄3号 ->
  "88-3") and building/room.
- ``address_key``: number plus the first distinctive street word(s) ("12224 ventura",
  "88 张江"), for exact indexes and blocking; "" when the address is too vague to block on.
- ``address_similarity``: 0-100 on parsed addresses; 0 means "unknown", see ``address_known``.
- ``city_key``/``city_similarity`` and ``postcode_key``/``postcode_similarity``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from leads.identity.normalize import fold, pinyin_of


@dataclass(frozen=True)
class Address:
    """The parsed parts of an address, each folded to its comparison form; "" (or ``()``)
    when unknown. ``city`` and ``district`` are keys (``city_key`` form: "上海",
    "studiocity"); ``street`` is the street's tokens, its type last ("ventura", "blvd") or,
    for a Chinese road, name and type ("张江", "路")."""

    number: str = ""
    street: tuple[str, ...] = ()
    unit: str = ""
    district: str = ""
    city: str = ""
    province: str = ""


_EMPTY = Address()


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# What people type when they have no address (compared with punctuation removed: "n/a").
_PLACEHOLDERS = {""} | _words("na none null nil unknown tbd tba test xxx 无 暂无 不详 未知 没有")
_MAX_INPUT = 400  # the address field holds 300 characters; longer text is cut, not parsed

# ---------------------------------------------------------------------------------------------
# Western tables: USPS Publication 28 and Australia Post style abbreviations.

_STREET_TYPES = {
    "st": "street str strasse stree",
    "rd": "road",
    "ave": "avenue av aven avenu avn avnue",
    "blvd": "boulevard blv boul boulv",
    "dr": "drive drv driv",
    "ln": "lane",
    "pl": "place",
    "ct": "court crt",
    "cres": "crescent cresc crsnt cr",
    "hwy": "highway hway hiway",
    "pkwy": "parkway parkwy pkway pky",
    "sq": "square sqr",
    "tce": "terrace ter terr",
    "cct": "circuit",
    "cl": "close",
    "way": "wy",
    "cir": "circle circ",
    "aly": "alley ally",
    "expy": "expressway expwy expw",
    "fwy": "freeway frwy",
    "gr": "grove grv",
    "pde": "parade",
    "esp": "esplanade",
    "trl": "trail",
    "plz": "plaza",
    "gdns": "gardens",
    "hts": "heights",
    "mews": "",
    "row": "",
    "rise": "",
    "loop": "",
    "cv": "cove",
    "xing": "crossing",
}
_DIRECTIONS = {
    "n": "north",
    "s": "south",
    "e": "east",
    "w": "west",
    "ne": "northeast",
    "nw": "northwest",
    "se": "southeast",
    "sw": "southwest",
}
# Words that are not street types but have two spellings.
_WORDS = {"st": "saint", "ste": "sainte", "mt": "mount", "ft": "fort", "ctr": "center centre"}

# Chinese road types take the same place as a street type.
_ZH_ROAD_TYPES = ("大道", "大街", "胡同", "路", "街", "道", "巷", "弄", "里")

_CANON: dict[str, str] = {}
for _table in (_WORDS, _DIRECTIONS, _STREET_TYPES):
    for _canon, _variants in _table.items():
        _CANON[_canon] = _canon
        for _variant in _variants.split():
            _CANON[_variant] = _canon
# Street words that come before the name ("rue de rivoli", "via roma"): left out of keys.
_LEADING_TYPES = _words("rue via calle avenida viale piazza chemin")
TYPES = frozenset(_STREET_TYPES) | frozenset(_ZH_ROAD_TYPES) | _LEADING_TYPES
DIRECTIONS = frozenset(_DIRECTIONS)
# A street type glued to the name ("pridhamstreet", "hauptstrasse", "hauptstr") is split off
# when the tail is one of these long words (short ones like "st" or "rd" end too many names).
_GLUED_TAILS = (
    ("boulevard", "blvd"),
    ("crescent", "cres"),
    ("strasse", "st"),
    ("highway", "hwy"),
    ("parkway", "pkwy"),
    ("terrace", "tce"),
    ("circuit", "cct"),
    ("street", "st"),
    ("avenue", "ave"),
    ("square", "sq"),
    ("str", "st"),
)

_ORDINAL_WORDS = (
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
    "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth"
)
_ORDINAL_RE = re.compile(r"^(\d{1,3})(?:st|nd|rd|th)$")


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


for _n, _word in enumerate(_ORDINAL_WORDS.split(), start=1):
    _CANON[_word] = _ordinal(_n)

_APT_WORDS = _words("apt apartment unit suite ste flat room rm shop #")
_FLOOR_WORDS = _words("floor fl flr level lvl lev")
_BUILDING_WORDS = _words("building bldg bld block blk tower twr")
_UNIT_WORDS = _APT_WORDS | _FLOOR_WORDS | _BUILDING_WORDS
_UNIT_ID = re.compile(r"^(?:[a-z]?\d+[a-z]?(?:-\d+[a-z]?)?|[a-z])$")
_UNIT_GLUED = re.compile(r"^(apt|unit|ste|suite|flat|rm|room|fl|lvl|l|bldg|blk)(\d+[a-z]?)$")
_NUMBER = re.compile(r"^\d+[a-z]?(?:-\d+[a-z]?)?$")
_UNIT_SLASH_NUMBER = re.compile(r"^([a-z]?\d+[a-z]?)/(\d+[a-z]?)$")  # Australian 3/12
_DIGIT_JOIN = re.compile(r"(?<=\d)\s*([/-])\s*(?=\d)")
_LATIN_DROP = re.compile(r"[^\w/#-]+|_")
_LONE_MARK = re.compile(r"(?<!\d)[-/]|[-/](?!\d)")
_PO_BOX = re.compile(r"\b(?:p\s*\.?\s*o\s*\.?|post\s+office|gpo)\s*box\b")

_US_STATES = (
    "al ak az ar ca co ct de dc fl ga hi id il in ia ks ky la me md ma mi mn ms mo mt ne nv nh "
    "nj nm ny nc nd oh ok or pa ri sc sd tn tx ut vt va wa wv wi wy pr"
)
_STATES = _words(_US_STATES) | _words("nsw vic qld sa tas act nt")
_COUNTRIES = frozenset({
    "usa", "us", "united states", "united states of america", "america", "australia", "uk",
    "united kingdom", "england", "scotland", "wales", "great britain", "gb", "china", "prc",
    "canada", "new zealand", "nz", "ireland", "singapore", "germany", "deutschland", "france",
    "italy", "spain", "japan", "india", "hong kong", "taiwan",
})  # fmt: skip

# ---------------------------------------------------------------------------------------------
# Chinese tables.

_MUNICIPALITIES = ("北京", "天津", "上海", "重庆")
_PROVINCES = _MUNICIPALITIES + tuple(
    _words(
        "河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 海南 四川 "
        "贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门"
    )
)
# Big cities, so that "深圳南山区..." (no 市) still finds its city.
_CITIES = _words(
    "广州 深圳 珠海 汕头 佛山 东莞 中山 惠州 江门 湛江 肇庆 杭州 宁波 温州 嘉兴 湖州 绍兴 金华 "
    "台州 南京 苏州 无锡 常州 南通 扬州 徐州 镇江 盐城 泰州 连云港 成都 绵阳 武汉 宜昌 襄阳 长沙 "
    "株洲 西安 郑州 洛阳 济南 青岛 烟台 潍坊 临沂 淄博 威海 石家庄 唐山 保定 廊坊 太原 沈阳 大连 "
    "长春 哈尔滨 合肥 芜湖 福州 厦门 泉州 南昌 南宁 桂林 海口 三亚 贵阳 昆明 兰州 西宁 银川 "
    "乌鲁木齐 拉萨 呼和浩特 包头"
)
# Districts of the municipalities and a few big cities, written without their 区 as often
# as with it ("上海浦东张江路88号").
_DISTRICTS = _words(
    "浦东 黄浦 徐汇 长宁 静安 普陀 虹口 杨浦 闵行 宝山 嘉定 金山 松江 青浦 奉贤 崇明 "
    "东城 西城 朝阳 丰台 石景山 海淀 门头沟 房山 通州 顺义 昌平 大兴 怀柔 平谷 密云 延庆 "
    "和平 河东 河西 南开 红桥 滨海 东丽 西青 津南 北辰 武清 宝坻 渝中 江北 南岸 九龙坡 沙坪坝 "
    "渝北 巴南 北碚 福田 罗湖 南山 宝安 龙岗 盐田 龙华 坪山 越秀 海珠 荔湾 天河 白云 番禺 花都 "
    "南沙 上城 拱墅 西湖 滨江 萧山 余杭"
)
_HAN = re.compile(r"[\u4e00-\u9fff]")
_ZH_TRADITIONAL = str.maketrans("號樓區縣鎮鄉園棟層門國東廣", "号楼区县镇乡园栋层门国东广")
_ZH_BRACKETS = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")  # "(近祖冲之路)": a landmark
_ZH_DROP = re.compile(r"[^\w#\-]+|_")
_ZH_PROVINCE = re.compile(
    rf"^({'|'.join(sorted(_PROVINCES, key=len, reverse=True))})"
    r"(壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区|省|市)?"
)
_ZH_ROAD_CHARS = "路街道巷弄"
_ZH_DIRECTIONS = "东南西北中"
_ZH_CITY = re.compile(r"^([^\d区县旗路街道巷弄号市省镇乡]{2,8}?)(自治州|地区|市|盟)")
_ZH_DISTRICT = re.compile(r"^([^\d区县旗路街道巷弄号市省镇乡]{1,6}?)(新区|区|县|旗|市)")
_ZH_ZONE = re.compile(
    r"^([^\d区县路街道巷弄号]{0,10}?)"
    r"(经济技术开发区|开发区|高新区|工业园|工业区|科技园|产业园|软件园|园区|保税区|自贸区)区?"
    r"(?![路街道巷弄])"
)
_ZH_TOWN = re.compile(r"^([^\d路街道巷弄号]{1,8}?)(街道|镇|乡)")
_ZH_ROAD = re.compile(rf"([^\d#\-]{{1,15}}?)({'|'.join(_ZH_ROAD_TYPES)})(?=[\da-z#\-]|$)")
_ZH_NUMBER = re.compile(r"^#?(\d+[a-z]?)(?:[-之](\d+))?号?(?:弄(\d+)号?)?")
_ZH_UNIT_STEPS = (
    (re.compile(r"room|rm|unit|apt|suite|flat|#"), ""),
    (re.compile(r"([0-9a-z]+)(?:号楼|号院|幢|栋|座|号馆)"), r"\1栋"),
    (re.compile(r"(\d+)(?:层|楼|f)"), r"\1层"),
    (re.compile(r"(\d+)(?:室|房|户|号)"), r"\1"),
)
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_DIGITS = re.compile(r"\d+")


# ---------------------------------------------------------------------------------------------
# Parsing.


@lru_cache(maxsize=65536)
def address_parse(address: str, city: str = "", region: str = "") -> Address:
    """The parts of ``address``. ``city`` and ``region`` (the lead's own fields) fill the city
    and province when the text does not name them, and help to find where a Chinese road
    starts ("深圳南山区..." with city "深圳"). Unknown parts are empty."""
    text = fold(address)[:_MAX_INPUT]
    city_hint = city_key(city)
    region_hint = _region_key(region)
    if _NON_WORD.sub("", text) in _PLACEHOLDERS:
        parsed = _EMPTY
    elif _HAN.search(text):
        parsed = _parse_chinese(text, city_hint)
    else:
        parsed = _parse_western(text)
    city_value = parsed.city or city_hint
    province = parsed.province or region_hint
    if not province and city_value in _MUNICIPALITIES:
        province = city_value
    if (city_value, province) == (parsed.city, parsed.province):
        return parsed
    return Address(parsed.number, parsed.street, parsed.unit, parsed.district, city_value, province)


def _strip_accents(text: str) -> str:
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _latin_tokens(segment: str) -> list[str]:
    text = _strip_accents(segment).replace("'", "").replace("\u2019", "")
    text = _PO_BOX.sub(" pobox ", text)
    text = text.replace("#", " # ")
    text = _DIGIT_JOIN.sub(r"\1", text)  # "3 / 12" -> "3/12"
    text = _LATIN_DROP.sub(" ", text)
    text = _LONE_MARK.sub(" ", text)  # keep - and / only between digits
    return text.split()


@lru_cache(maxsize=16384)
def _canonical(token: str) -> tuple[str, ...]:
    """One token in its canonical spelling; a glued street type gives two tokens."""
    if token in _CANON:
        return (_CANON[token],)
    match = _ORDINAL_RE.match(token)
    if match:
        return (_ordinal(int(match.group(1))),)
    for tail, canon in _GLUED_TAILS:
        if token.endswith(tail) and len(token) - len(tail) >= (4 if tail == "str" else 3):
            head = token[: -len(tail)]
            if head.isalpha():
                return (head, canon)
    return (token,)


def _unit_at(tokens: list[str], i: int) -> tuple[str, int, str] | None:
    """A unit starting at ``tokens[i]``: (unit, index after it, house number if the unit came
    as "unit 3/12"), or None."""
    token = tokens[i]
    glued = _UNIT_GLUED.match(token)
    if glued:
        word, ident = glued.groups()
        return _unit_text(word, ident), i + 1, ""
    following = tokens[i + 1] if i + 1 < len(tokens) else ""
    if token in _UNIT_WORDS and following:
        slash = _UNIT_SLASH_NUMBER.match(following)
        if slash:
            return slash.group(1), i + 2, slash.group(2)
        if _UNIT_ID.match(following) and not (following in DIRECTIONS and token != "#"):
            return _unit_text(token, following), i + 2, ""
    ordinal = _ORDINAL_RE.match(token)
    if ordinal and following in _FLOOR_WORDS:  # "2nd floor"
        return "fl" + ordinal.group(1), i + 2, ""
    return None


def _unit_text(word: str, ident: str) -> str:
    if word in _FLOOR_WORDS or word == "l":
        return "fl" + ident
    if word in _BUILDING_WORDS:
        return "bldg" + ident
    return ident


def _unit_only(tokens: list[str]) -> list[str] | None:
    """The units of a segment that holds nothing else ("flat 3", "level 2 suite 5")."""
    units, i = [], 0
    while i < len(tokens):
        found = _unit_at(tokens, i)
        if found is None or found[2]:
            return None
        units.append(found[0])
        i = found[1]
    return units or None


def _street_segment_index(segments: list[list[str]]) -> int:
    """Which comma-separated part holds the street, the first of: one that starts with a
    house number and has a street type; one with a street type after a name ("hauptstrasse
    5", not the "10115 berlin" after it); one that starts with a house number ("12 main");
    one with a number and a word; the first that is not only a unit."""
    candidates = []
    for k, seg in enumerate(segments):
        if not seg or _unit_only(seg) is not None:
            continue
        head = [t for t in seg if t not in ("no", "nr", "number")]
        i = 0
        while i < len(head) and (found := _unit_at(head, i)) is not None and not found[2]:
            i = found[1]
        starts_with_number = i < len(head) - 1 and bool(
            _NUMBER.match(head[i]) or _UNIT_SLASH_NUMBER.match(head[i])
        )
        canon = [c for t in seg for c in _canonical(t)]
        has_type = any(c in _STREET_TYPES for c in canon[1:])
        if starts_with_number and has_type:
            return k  # the usual case: no need to look further
        has_number = any(_NUMBER.match(t) for t in seg) and any(t.isalpha() for t in seg)
        candidates.append((k, starts_with_number, has_type, has_number))
    for test in (
        lambda c: c[2],
        lambda c: c[1],
        lambda c: c[3],
        lambda c: True,
    ):
        for candidate in candidates:
            if test(candidate):
                return candidate[0]
    return -1


def _parse_western(text: str) -> Address:
    segments = [_latin_tokens(s) for s in re.split(r"[,;\n]", text)]
    merged: list[list[str]] = []
    for seg in segments:  # "No. 12, Main Street" / "12, High Street": the number joins on
        previous = merged[-1] if merged else []
        if previous and _NUMBER.match(previous[-1]) and previous[:-1] in ([], ["no"], ["nr"]):
            merged[-1] = merged[-1] + seg
        elif seg:
            merged.append(seg)
    index = _street_segment_index(merged)
    if index < 0:
        return _EMPTY
    units: list[str] = []
    for seg in merged[:index]:
        units.extend(_unit_only(seg) or [])
    number, street, seg_units, leftover = _street_tokens(merged[index])
    if not number and not any(t in _STREET_TYPES for t in street):
        street = []  # one word and no number ("pudong", "n/a"): not a street we can use
    units.extend(seg_units)
    locality = [leftover] if leftover else []
    for seg in merged[index + 1 :]:
        more = _unit_only(seg)
        if more:
            units.extend(more)
        else:
            locality.append(seg)
    city, province = _locality(locality)
    return Address(number, tuple(street), " ".join(units), "", city, province)


def _street_tokens(tokens: list[str]) -> tuple[str, list[str], list[str], list[str]]:
    """(house number, street tokens, units, leftover tokens after the street)."""
    n = len(tokens)
    i, number, units = 0, "", []
    while i < n and (found := _unit_at(tokens, i)) is not None:
        units.append(found[0])
        number = number or found[2]
        i = found[1]
    if i + 1 < n and tokens[i] in ("no", "nr", "number") and _NUMBER.match(tokens[i + 1]):
        i += 1
    if not number and i < n:
        slash = _UNIT_SLASH_NUMBER.match(tokens[i])
        if slash:
            units.append(slash.group(1))
            number, i = slash.group(2), i + 1
        elif _NUMBER.match(tokens[i]):
            number, i = tokens[i], i + 1
            letter = tokens[i] if i < n else ""
            if (  # "221 b baker st"
                len(letter) == 1 and letter.isalpha() and letter not in DIRECTIONS and i + 1 < n
            ):
                number, i = number + letter, i + 1
    street: list[str] = []
    leftover: list[str] = []
    seen_name = ended = False
    while i < n:
        found = _unit_at(tokens, i)
        if found is not None:
            units.append(found[0])
            i = found[1]
            continue
        token = tokens[i]
        i += 1
        if not number and street and _NUMBER.match(token):  # "hauptstrasse 5", "via roma 12"
            number, ended = token, True
            continue
        if ended:
            leftover.append(token)
            continue
        for part in _canonical(token):
            if part in _STREET_TYPES and seen_name:
                street.append(part)
                if i < n and _CANON.get(tokens[i]) in DIRECTIONS:  # "main st nw"
                    street.append(_CANON[tokens[i]])
                    i += 1
                ended = True
                break
            street.append(part)
            seen_name = seen_name or part not in DIRECTIONS
    return number, street, units, leftover


def _locality(segments: list[list[str]]) -> tuple[str, str]:
    """City and state from the parts after the street ("studio city", "ca 91604")."""
    city = province = ""
    for seg in segments:
        if " ".join(seg) in _COUNTRIES:
            continue
        words = [t for t in seg if not any(c.isdigit() for c in t)]
        had_postcode = len(words) < len(seg)
        if words and words[-1] in _STATES and (had_postcode or (len(words) == 1 and city)):
            province = province or words.pop()
        if not words:
            continue
        if not city:
            city = city_key(" ".join(words))
        elif not province:
            province = _region_key(" ".join(words))
    return city, province


def _parse_chinese(text: str, city_hint: str) -> Address:
    text = _ZH_BRACKETS.sub("", text.translate(_ZH_TRADITIONAL))
    text = _ZH_DROP.sub("", text)
    text = re.sub(r"^(?:中国|中华人民共和国)", "", text)
    text = re.sub(r"^\d{6}(?=\D)", "", text)  # a postcode in front
    province = city = district = ""
    match = _ZH_PROVINCE.match(text)
    if match:
        name, suffix = match.groups()
        after = text[match.end() : match.end() + 1]
        municipal = name in _MUNICIPALITIES
        road_named_so = not suffix and after and after in _ZH_ROAD_CHARS + "号"  # 上海路
        if (municipal or suffix != "市") and not road_named_so:
            province, text = name, text[match.end() :]
            if municipal:
                city = name
    if not city:
        match = _ZH_CITY.match(text)
        if match:
            city, text = match.group(1), text[match.end() :]
        else:
            for length in (4, 3, 2):
                head = text[:length]
                if (head in _CITIES or head == city_hint) and (
                    head == city_hint or _district_at(text[length:]) or _road_at(text[length:])
                ):
                    city, text = head, text[length:]
                    break
    found = _district_at(text)
    if found:
        district, text = found
    match = _ZH_ZONE.match(text)
    if match and _ZH_ROAD.search(text, match.end()):
        text = text[match.end() :]
    match = _ZH_TOWN.match(text)
    if match and _ZH_ROAD.search(text, match.end()):
        text = text[match.end() :]
    street: tuple[str, ...] = ()
    number = ""
    unit_text = text
    road = _ZH_ROAD.search(text)
    if road:
        street = (road.group(1), road.group(2))
        prefix, rest = text[: road.start()], text[road.end() :]
        match = _ZH_NUMBER.match(rest)
        if match:
            base, dash, lane_house = match.groups()
            number = base + (f"-{dash or lane_house}" if (dash or lane_house) else "")
            rest = rest[match.end() :]
        unit_text = (prefix if _DIGITS.search(prefix) else "") + rest
    else:
        match = re.search(r"(\d+[a-z]?)号", text)
        if match:
            number, unit_text = match.group(1), text[match.end() :]
    return Address(number, street, _zh_unit(unit_text), district, city, province)


def _district_at(text: str) -> tuple[str, str] | None:
    """(district key, text after it) when ``text`` starts with a district: "浦东新区..." or a
    known one without its suffix ("浦东张江路...", not "长宁路" or "黄浦江路")."""
    match = _ZH_DISTRICT.match(text)
    if match:
        return match.group(1), text[match.end() :]
    for length in (3, 2):
        head, rest = text[:length], text[length:]
        if head in _DISTRICTS:
            road = _ZH_ROAD.match(rest)
            if (road and len(road.group(1)) >= 2) or _ZH_TOWN.match(rest) or _ZH_ZONE.match(rest):
                return head, rest
    return None


def _road_at(text: str) -> bool:
    """Whether ``text`` starts with a road of a name of two characters or more that is not
    the tail of a longer road ("天河路...", not "北路" of 中山北路 or "东一路" of 中山东一路)."""
    road = _ZH_ROAD.match(text)
    return bool(road) and len(road.group(1)) >= 2 and text[0] not in _ZH_DIRECTIONS


def _zh_unit(text: str) -> str:
    for pattern, replacement in _ZH_UNIT_STEPS:
        text = pattern.sub(replacement, text)
    return text.strip("-#")


# ---------------------------------------------------------------------------------------------
# Keys and comparison.


@lru_cache(maxsize=65536)
def _street_parts(street: tuple[str, ...]) -> tuple[str, str, str, str]:
    """(name words, name glued, street type, directions): "n main st nw" ->
    ("main", "main", "st", "n nw"), 南京东路 -> ("南京", "南京", "路", "东"). A street that
    is only a type or a direction keeps it as its name ("north st" -> name "n")."""
    tokens = list(street)
    directions = []
    street_type = ""
    if len(tokens) > 1 and tokens[-1] in DIRECTIONS:
        directions.append(tokens.pop())
    if len(tokens) > 1 and tokens[-1] in TYPES:
        street_type = tokens.pop()
    if len(tokens) > 1 and tokens[0] in DIRECTIONS:
        directions.insert(0, tokens.pop(0))
    if len(tokens) == 1 and len(tokens[0]) >= 3 and tokens[0][-1] in _ZH_DIRECTIONS:
        directions.append(tokens[0][-1])  # 南京东路: road 南京, east part
        tokens = [tokens[0][:-1]]
    names = " ".join(tokens)
    return names, names.replace(" ", ""), street_type, " ".join(sorted(directions))


def _key_of(parsed: Address) -> str:
    if not parsed.number or not parsed.street:
        return ""
    digits = _DIGITS.match(parsed.number)
    number = digits.group() if digits else parsed.number
    names = _street_parts(parsed.street)[0].split()
    distinctive = [t for t in names if t not in TYPES and t not in ("the", "of")] or names
    words = distinctive[:1]
    if len(words[0]) < 3 and words[0].isascii() and len(distinctive) > 1:  # "la cienega"
        words = distinctive[:2]
    return f"{number} {' '.join(words)}"[:100]


def address_key(address: str, city: str = "", region: str = "") -> str:
    """The house number's digits and the first distinctive street word(s), for exact
    indexes and blocking: "12224 Ventura Blvd." -> "12224 ventura", "435 S. La Cienega
    Blv." -> "435 la cienega", "上海市浦东新区张江路88号" -> "88 张江". Street types,
    directions and "saint" are left out, so spelling variants share the key. "" when there
    is no house number or no street (too vague to block on). At most 100 characters."""
    return _key_of(address_parse(address, city, region))


def address_known(a: Address) -> bool:
    """Whether the address says enough to compare: it has a street."""
    return bool(a.street)


def _street_similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    names_a, glued_a, type_a, dirs_a = _street_parts(a)
    names_b, glued_b, type_b, dirs_b = _street_parts(b)
    if glued_a == glued_b:
        score = 100.0
    else:
        score = fuzz.ratio(glued_a, glued_b)
        shorter = min(len(glued_a), len(glued_b))
        if score < 90 and shorter >= 4:  # one typo ("ventrua") in a long enough name
            distance = OSA.distance(glued_a, glued_b, score_cutoff=2)
            if distance == 1:
                score = 90.0
            elif distance == 2 and shorter >= 8:
                score = max(score, 80.0)
        if " " in names_a or " " in names_b:  # a word left out: "la cienega" / "cienega"
            score = max(score, fuzz.token_set_ratio(names_a, names_b) - 10)
    if type_a and type_b and type_a != type_b:  # main st / main ave: another street
        score -= 30
    if dirs_a and dirs_b and dirs_a != dirs_b:  # e 5th st / w 5th st, 南京东路 / 南京西路
        score -= 40
    return max(score, 0.0)


def _number_factor(a: str, b: str) -> float | None:
    """How far two house numbers agree: 1 the same, 0.9 one inside the other's range
    ("12-14" / "14"), 0.85 the same digits with a letter or sub-number on one side only
    ("12a" / "12", "88-3" / "88"); None for different numbers (a neighbour)."""
    if a == b:
        return 1.0
    for one, other in ((a, b), (b, a)):
        low, _, high = one.partition("-")
        if (
            low.isdigit()
            and high.isdigit()
            and other.isdigit()
            and int(low) < int(high) <= int(low) + 50
            and int(low) <= int(other) <= int(high)
        ):
            return 0.9
    digits_a, digits_b = _DIGITS.match(a), _DIGITS.match(b)
    same_digits = digits_a and digits_b and digits_a.group() == digits_b.group()
    if same_digits and (a == digits_a.group() or b == digits_b.group()):
        return 0.85
    return None


def _same_unit(a: str, b: str) -> bool:
    if a == b:
        return True
    digits_a = _DIGITS.findall(a)
    return bool(digits_a) and digits_a == _DIGITS.findall(b)


def address_similarity(a: Address, b: Address) -> int:
    """0-100: how surely two parsed addresses are the same place.

    100 same house number and street (and the same unit when both have one); a typo in the
    street name or a left-out street type with the same number stays high (about 90); a
    different number on the same street is a neighbour (at most 40); different units at
    the same number 70 (one building, maybe another flat); another street type or direction
    on both sides ("main st" / "main ave", "e 5th st" / "w 5th st", 南京东路 / 南京西路) at
    most 70 / 60; a number on one side only at most 60, on neither side 50 (the same street,
    no house to compare: also for the same street written twice, unless the same building
    or unit is named, "李路D座"); different
    districts at most 50. City and province are not weighed here: compare them
    with ``city_similarity``.

    0 also when either side has no street: that is "unknown", not disagreement. Callers tell
    the two apart with ``address_known``."""
    if not a.street or not b.street:
        return 0
    same_place = (a.street, a.unit, a.district) == (b.street, b.unit, b.district)
    if same_place and a.number == b.number and (a.number or a.unit):
        return 100  # the city and province are the caller's to weigh
    score = _street_similarity(a.street, b.street)
    if a.number and b.number:
        factor = _number_factor(a.number, b.number)
        if factor is None:
            return min(40, round(score * 0.4))
        score *= factor
    elif a.number or b.number:
        score *= 0.6
    else:
        score *= 0.5
    if a.unit and b.unit and not _same_unit(a.unit, b.unit):
        score = min(score, 70)
    if (
        a.district
        and b.district
        and not (a.district.endswith(b.district) or b.district.endswith(a.district))
    ):
        score = min(score, 50)
    return round(score)


_CITY_WORDS = {"saint": "st", "sainte": "ste", "fort": "ft", "mount": "mt"}
_ZH_CITY_SUFFIX = re.compile(r"(?<=..)(?:特别行政区|自治州|地区|新区|市|县|区|盟)$")


@lru_cache(maxsize=16384)
def city_key(city: str) -> str:
    """A city for comparison: folded, punctuation and spaces dropped; Chinese 市/县/区 (and
    新区, 自治州 ...) and a province in front dropped ("广东省深圳市" -> "深圳", "上海市" ->
    "上海"); "St."/"Saint" fold to "st" ("St. Louis" and "Saint Louis" -> "stlouis")."""
    text = fold(city)
    if not text:
        return ""
    if _HAN.search(text):
        text = _NON_WORD.sub("", text.translate(_ZH_TRADITIONAL))
        match = _ZH_PROVINCE.match(text)
        # "广东省深圳市" -> "深圳市", "广东深圳" -> "深圳"; "上海市" and "吉林市" stay whole.
        if (
            match
            and len(text) > match.end() + 1
            and (match.group(1) not in _MUNICIPALITIES or match.group(2))
        ):
            text = text[match.end() :]
        return _ZH_CITY_SUFFIX.sub("", text)
    words = _NON_WORD.split(_strip_accents(text).replace("'", ""))
    return "".join(_CITY_WORDS.get(w, w) for w in words)


def _region_key(region: str) -> str:
    text = fold(region)
    if _HAN.search(text):
        match = _ZH_PROVINCE.match(_NON_WORD.sub("", text))
        return match.group(1) if match else _ZH_CITY_SUFFIX.sub("", _NON_WORD.sub("", text))
    return _NON_WORD.sub("", _strip_accents(text))


@lru_cache(maxsize=16384)
def _pinyin(key: str) -> str:
    return "".join(pinyin_of(key)) if _HAN.search(key) else key


def city_similarity(a: str, b: str) -> int:
    """0-100: rapidfuzz ratio of the two ``city_key``s; a Chinese name meets a Latin one in
    pinyin ("上海市" / "Shanghai" 100). 0 when either is empty."""
    key_a, key_b = city_key(a), city_key(b)
    if not key_a or not key_b:
        return 0
    if key_a == key_b:
        return 100
    if bool(_HAN.search(key_a)) != bool(_HAN.search(key_b)):
        key_a, key_b = _pinyin(key_a), _pinyin(key_b)
    return round(fuzz.ratio(key_a, key_b))


_POSTCODE_PLACEHOLDERS = _words("na n/a none null nil unknown tbd tba xxx 无 暂无 不详")


@lru_cache(maxsize=16384)
def postcode_key(postcode: str, country: str = "") -> str:
    """Upper case, spaces and hyphens removed ("nw1 6xe" -> "NW16XE"); a US ZIP+4 keeps its
    five digits ("94107-1234" -> "94107"); "" for placeholders (all zeros, one character
    repeated, "n/a")."""
    text = fold(postcode)
    if text in _POSTCODE_PLACEHOLDERS:
        return ""
    key = _NON_WORD.sub("", text.replace("-", "")).upper()
    if not key or (len(key) >= 4 and len(set(key)) == 1) or set(key) == {"0"}:
        return ""
    zip_plus_four = re.fullmatch(r"(\d{5})\s*-?\s*\d{4}", text)
    if zip_plus_four and (country.upper() == "US" or (not country and "-" in text)):
        return zip_plus_four.group(1)
    return key[:12]


def postcode_similarity(a: str, b: str) -> int:
    """100 for equal keys; 80 when one is a prefix of the other (at least three characters:
    "SW1A" / "SW1A1AA") or only the last character differs ("94107" / "94108"); else 0, also
    when either is empty."""
    key_a, key_b = postcode_key(a), postcode_key(b)
    if not key_a or not key_b:
        return 0
    if key_a == key_b:
        return 100
    shorter, longer = sorted((key_a, key_b), key=len)
    if len(shorter) >= 3 and longer.startswith(shorter):
        return 80
    if len(key_a) == len(key_b) and key_a[:-1] == key_b[:-1]:
        return 80
    return 0
