"""How alike two person names, or two company names, are: 0-100, on the raw text as typed.

Pure functions, no database. Duplicate detection calls them for every candidate pair, so each
string is prepared once (``lru_cache``) and a comparison only lines the prepared parts up.

Person names (``person_name_similarity``):
- Case, accents, full-width letters and titles (Mr, Dr, Herr, 先生, 女士, 经理 ...) do not count;
  the order of the parts does not either ("Smith, John" = "John Smith").
- Parts are paired one to one, each pair scored: the same (100), an initial of the other
  ("m" / "michael": 90), a nickname from the ``nicknames`` list ("bob" / "robert": 92; two
  nicknames of one name, "bob" / "rob": 82), else a typo: Jaro-Winkler made steeper (1.8
  points per point lost, so "jon" / "john" keeps 88 and "john" / "joan" falls to 76), or one
  slip in a part of four letters or more ("hall" / "hasl": 85, "moore" / "miore": 88) unless
  both are given names of the nicknames list ("mark" / "mary" are two names). Parts of two
  letters never count as typos ("li" / "lin" are two family names). The name scores its weakest pair
  mostly (3/4 of the worst pair, 1/4 of the mean): one wrong part is another person.
- A part the other name lacks: a lone surname or given name ("waller" / "tyler waller") keeps
  3/4 of its score, a missing middle name 9/10. Parts run together ("Mary Ann" / "Maryann",
  "Wang Xiao Ming" / "Xiaoming Wang") give 96.
- Both in Chinese characters: the characters decide (as the scorer in matching.py always did):
  the same 100; the same pinyin in order (王小明 / 王晓明, a typing slip) 88; three or more
  characters, the family name the same and the characters that differ sounding alike
  (孙芳琳 / 孙芳玲, lin/ling) 86; a family name alone (王先生 / 王小明) 75; else the
  characters' edit ratio (张琳 / 张玲 50: two-character names are often two people).
- Characters against Latin letters: the characters' pinyin (``normalize.name_tokens``, with the
  readings family names really take: 曾 zeng, 单 shan, 吕 lv/lu/lyu) compared as above, times
  0.95, since the letters cannot tell homophones apart.

Company names (``company_name_similarity``):
- Legal forms (Co., Ltd., GmbH, 有限公司 ..., the ones ``normalize.company_key`` drops),
  bracketed qualifiers ("(Seattle)", "(上海)", in full-width brackets too), apostrophes and
  "the" are dropped; "&" is "and"; "of" and "and" are not compared.
- ``generic_company_words`` say what kind of business, not which one. They are compared apart
  from the distinctive words, by kind (cafe = café = caffe = coffee = 咖啡), also with one slip
  in a long one ("technologiies"): shared, they add nothing ("luna cafe" / "sole cafe" is
  low); two kinds of venue on the two sides (cafe, restaurant, bar, hotel, shop) cost a factor
  0.88 ("harbor cafe" / "harbor restaurant": 88: one place described two ways); other kinds
  0.8 ("云启科技" / "云启贸易": two lines of business), as does one name's generic word
  standing where the other has a word of its own ("kestrel trading" / "kestrel foods"); one
  name merely having one more costs 0.95. A slip that joins or splits words ("deltaotrading" /
  "delta trading") is caught on the whole names run together.
- A Chinese name also loses its leading city or province (上海, 广东省 ...): missing on one
  side it costs a factor 0.95 ("上海云启智能科技" / "云启智能科技": 95), different on the two
  sides 0.8 (branches or namesakes in two cities).
- Distinctive words are paired one to one as for names (a one-letter slip in a word of four
  letters or more keeps 85-95; two slips in "kestrelgate" / "kestreldale" do not); the words
  of one name all found in the other give 70 plus up to 25 for how much of the longer they
  cover ("arnie mortons of chicago" / "arnie morton's": 86), the same words in another order
  95;
  Chinese cores score 88 for the same pinyin, as above when one holds the other, else their
  ratio;
  Chinese against pinyin letters ("凯盛贸易" / "Kaisheng Trading") at most 90.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import permutations
from operator import getitem

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, JaroWinkler

from leads.identity.normalize import (
    _COMPOUND_SURNAMES,
    _LEGAL_EN,
    _LEGAL_ZH,
    _NON_WORD,
    fold,
    name_tokens,
    pinyin_of,
)

_HAN = re.compile(r"[\u4e00-\u9fff]")
_APOSTROPHES = re.compile(r"['’‘`´]")  # O'Brien = OBrien, marco's = marcos
_CACHE_SIZE = 100_000

# --- person names -------------------------------------------------------------------------

_TITLES = frozenset({
    "mr", "mrs", "ms", "miss", "mx", "mister", "madam", "dr", "prof", "professor", "sir",
    "dame", "herr", "frau", "jr", "sr", "ii", "iii", "iv", "phd", "md", "esq", "dipl", "ing",
})  # fmt: skip
#: Written after a Chinese name: 王先生, 李女士, 张经理. The one-character ones (王总, 张工)
#: only when one character is left, so that a given name ending in 总 or 工 stays whole.
_TITLES_ZH = (
    "总经理", "董事长", "先生", "女士", "小姐", "太太", "夫人", "老师", "经理", "总监",
    "主任", "博士", "教授", "医生", "律师", "老板",
)  # fmt: skip
_TITLES_ZH_SHORT = ("总", "工")
#: Family names whose reading is not the character's everyday one (lazy_pinyin reads 曾 as
#: "ceng"); a name in letters may use any of these.
_SURNAME_READINGS = {
    "曾": ("zeng",), "单": ("shan",), "解": ("xie",), "仇": ("qiu",), "区": ("ou",),
    "朴": ("piao",), "查": ("zha",), "覃": ("qin",), "乐": ("yue", "le"), "盖": ("ge", "gai"),
    "缪": ("miao",), "翟": ("zhai",), "种": ("chong",), "秘": ("bi",), "沈": ("shen",),
    "吕": ("lv", "lu", "lyu"), "宿": ("su",), "繁": ("po",), "员": ("yun",), "能": ("nai",),
}  # fmt: skip
_INITIAL = 90
_JW_STEEPNESS = 180  # points lost per unit of Jaro-Winkler similarity
_NICKNAME = 92
_SHARED_NICKNAME = 82
_LONE_PART = 0.75
_MISSING_MIDDLE = 0.9
_CROSS_SCRIPT = 0.95
_RUN_TOGETHER = 96.0


@dataclass(frozen=True, slots=True)
class _Spelling:
    parts: tuple[str, ...]  # as written
    ordered: tuple[str, ...]  # sorted: the same name in any order
    compact: frozenset[str]  # run together (see ``_compact``)


@dataclass(frozen=True, slots=True)
class _Person:
    han: str  # the Chinese characters ("" for a name in letters)
    syllables: tuple[str, ...]  # pinyin of each character, in order
    spellings: tuple[_Spelling, ...]  # in letters; more than one for 曾, 吕 ...


def _spelling(parts: tuple[str, ...]) -> _Spelling:
    return _Spelling(parts, tuple(sorted(parts)), _compact(parts))


def _strip_accents(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


def _han_without_titles(text: str) -> str:
    chars = "".join(_HAN.findall(text))
    if chars in _TITLES_ZH:  # "先生" alone: no name
        return ""
    for title in _TITLES_ZH:
        if chars.endswith(title) and len(chars) > len(title):
            return chars[: -len(title)]
    if len(chars) == 2 and chars.endswith(_TITLES_ZH_SHORT):
        return chars[:1]
    return chars


def _surname(han: str) -> str:
    return han[:2] if han[:2] in _COMPOUND_SURNAMES and len(han) > 2 else han[:1]


@lru_cache(maxsize=_CACHE_SIZE)
def _person(name: str) -> _Person:
    text = fold(name)
    if _HAN.search(text):
        han = _han_without_titles(text)
        if not han:
            return _Person("", (), ())
        tokens = tuple(name_tokens(han))
        spellings = {tokens}
        surname = _surname(han)
        own = "".join(pinyin_of(surname))
        for reading in _SURNAME_READINGS.get(surname, ()):
            spellings.add(tuple(reading if t == own else t for t in tokens))
        for spelling in list(spellings):  # ü is typed as v, u or yu
            if any("v" in t for t in spelling):
                spellings.add(tuple(t.replace("v", "u") for t in spelling))
                spellings.add(tuple(t.replace("v", "yu") for t in spelling))
        return _Person(han, pinyin_of(han), tuple(_spelling(p) for p in sorted(spellings)))
    words = _NON_WORD.sub(" ", _APOSTROPHES.sub("", _strip_accents(text))).split()
    tokens = tuple(w for w in words if w not in _TITLES)
    return _Person("", (), (_spelling(tokens),) if tokens else ())


@cache
def _nicknames() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(name -> its nicknames, nickname -> the names it stands for), loaded on first use."""
    from nicknames import NickNamer

    namer = NickNamer()
    return namer.nickname_lookup, namer.canonical_lookup


@cache
def _given_names() -> frozenset[str]:
    """Every name in the nicknames list."""
    nicks, names = _nicknames()
    return frozenset(nicks) | frozenset(names)


def _nickname_score(x: str, y: str) -> int:
    nicks, names = _nicknames()
    if y in nicks.get(x, ()) or x in nicks.get(y, ()):
        return _NICKNAME
    if names.get(x, set()) & names.get(y, set()):
        return _SHARED_NICKNAME
    return 0


@lru_cache(maxsize=_CACHE_SIZE)
def _part_score(x: str, y: str) -> float:
    """How alike two parts of a name are, 0-100."""
    if x == y:
        return 100.0
    if len(x) == 1 or len(y) == 1:
        return _INITIAL if x[0] == y[0] else 0.0
    shortest = min(len(x), len(y))
    # Jaro-Winkler made steeper: 0.933 ("jon" / "john") -> 88, 0.867 ("john" / "joan") -> 76.
    typo = max(0.0, 100 - (1 - JaroWinkler.similarity(x, y)) * _JW_STEEPNESS)
    if (
        shortest >= 4
        and OSA.distance(x, y) == 1
        and not (x in _given_names() and y in _given_names())
    ):
        # One slip ("hall" / "hasl", "moore" / "miore"), which Jaro-Winkler undervalues away
        # from the first letters; but two given names one letter apart are two names
        # ("john" / "joan", "mark" / "mary").
        typo = max(typo, 100 - 60 / max(len(x), len(y)))
    if shortest <= 2:  # "li" / "lin" are two family names, not a slip
        typo = min(typo, 70.0)
    return max(typo, _nickname_score(x, y))


def _best_pairing(short: tuple[str, ...], long: tuple[str, ...], score) -> float:
    """The blended score (``_blend``) of the best one-to-one pairing of ``short``'s items with
    ``long``'s (callers put the two in a fixed order, ``_ordered``, so that the order of the
    arguments never counts, not even in the greedy pairing of long names)."""
    rows = [[score(s, t) for t in long] for s in short]
    if len(short) == 1:
        return max(rows[0])
    if len(long) > 3:  # longer names: greedy, the best pair first
        pairs = sorted(
            ((value, i, j) for i, row in enumerate(rows) for j, value in enumerate(row)),
            reverse=True,
        )
        used_i, used_j, scores = set(), set(), []
        for value, i, j in pairs:
            if i not in used_i and j not in used_j:
                used_i.add(i)
                used_j.add(j)
                scores.append(value)
        return _blend(scores)
    return max(
        _blend(list(map(getitem, rows, chosen)))
        for chosen in permutations(range(len(long)), len(short))
    )


def _ordered(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """(shorter, longer); of two as long, the one that sorts first."""
    return tuple(sorted((a, b), key=lambda words: (len(words), words)))


def _blend(scores: list[float]) -> float:
    """Mostly the weakest pair: one wrong part makes another name."""
    return 0.75 * min(scores) + 0.25 * sum(scores) / len(scores)


def _compact(tokens: tuple[str, ...]) -> frozenset[str]:
    """The parts run together, as written and with the first or last part moved round:
    "mary ann smith" meets "maryann smith", "wang xiao ming" meets "xiaoming wang"."""
    return frozenset({
        "".join(tokens),
        "".join(tokens[1:] + tokens[:1]),
        "".join(tokens[-1:] + tokens[:-1]),
    })  # fmt: skip


def _parts_similarity(a: _Spelling, b: _Spelling) -> float:
    if a.ordered == b.ordered:
        return 100.0
    run_together = not a.compact.isdisjoint(b.compact)
    if run_together and len(a.parts) != len(b.parts):
        return _RUN_TOGETHER  # a missing part would cap the pairing lower anyway
    short, long = _ordered(a.parts, b.parts)
    score = _best_pairing(short, long, _part_score)
    if len(long) > len(short):
        score *= _LONE_PART if len(short) == 1 else _MISSING_MIDDLE
    return max(score, _RUN_TOGETHER) if run_together else score


def _near_homophone(a: _Person, b: _Person) -> int:
    """ "孙芳琳" / "孙芳玲": three or more characters, the family name the same and every other
    character that differs sounding alike (lin/ling, a pinyin typing slip): 86. Two-character
    names are left alone (张琳 and 张玲 are often two people)."""
    if len(a.han) != len(b.han) or len(a.han) < 3 or a.han[0] != b.han[0]:
        return 0
    for x, y, sound_x, sound_y in zip(a.han, b.han, a.syllables, b.syllables, strict=True):
        if x != y and fuzz.ratio(sound_x, sound_y) < 80:
            return 0
    return 86


def _han_similarity(a: _Person, b: _Person) -> int:
    if a.han == b.han:
        return 100
    short, long = sorted((a.han, b.han), key=len)
    if len(short) >= 2 and a.syllables == b.syllables:  # in order: 彭晨 is not 陈鹏
        return 88
    if len(long) > len(short) and short == _surname(long):
        return round(100 * _LONE_PART)
    return max(round(fuzz.ratio(a.han, b.han)), _near_homophone(a, b))


def person_name_similarity(a: str, b: str) -> int:
    """0-100: how alike two person names are, as typed (see the module's docstring).

    100 for the same name however written ("Smith, John" / "Dr. John Smith"); 0 when either
    has nothing to compare."""
    if a == b:
        return 100 if _person(a).spellings else 0
    left, right = _person(a), _person(b)
    if not left.spellings or not right.spellings:
        return 0
    if left.han and right.han:
        return _han_similarity(left, right)
    score = max(_parts_similarity(x, y) for x in left.spellings for y in right.spellings)
    if left.han or right.han:
        score *= _CROSS_SCRIPT
    return round(score)


# --- company names ------------------------------------------------------------------------

#: Generic word -> the kind of business it names. Two names with generic words of one kind
#: agree on it; "grill", "kitchen", "bakery" and sector words such as "logistics" or "物流"
#: are distinctive and stay out. 饭店 counts as a restaurant (the everyday sense), 酒店 as a
#: hotel. Chinese words are only dropped from the end of a name (星河贸易 -> 星河), so a brand
#: that contains 店 or 信息 stays whole.
_GENERIC_KINDS = {
    # eating and drinking
    "cafe": "cafe", "café": "cafe", "cafes": "cafe", "caffe": "cafe", "caffè": "cafe",
    "coffee": "cafe", "coffeehouse": "cafe", "coffeeshop": "cafe",
    "咖啡": "cafe", "咖啡馆": "cafe", "咖啡厅": "cafe", "咖啡店": "cafe",
    "restaurant": "restaurant", "restaurants": "restaurant", "ristorante": "restaurant",
    "restaurante": "restaurant", "eatery": "restaurant", "diner": "restaurant",
    "bistro": "restaurant", "brasserie": "restaurant", "trattoria": "restaurant",
    "osteria": "restaurant", "餐厅": "restaurant", "餐馆": "restaurant", "饭店": "restaurant",
    "饭馆": "restaurant", "酒楼": "restaurant", "菜馆": "restaurant", "餐饮": "restaurant",
    "食府": "restaurant",
    "deli": "deli", "delis": "deli", "delicatessen": "deli", "delicatessens": "deli",
    "熟食店": "deli",
    "bar": "bar", "pub": "bar", "tavern": "bar", "saloon": "bar", "taproom": "bar",
    "酒吧": "bar",
    "hotel": "hotel", "hotels": "hotel", "motel": "hotel", "inn": "hotel", "hostel": "hotel",
    "酒店": "hotel", "大酒店": "hotel", "宾馆": "hotel", "旅馆": "hotel",
    "shop": "shop", "shops": "shop", "shoppe": "shop", "store": "shop", "stores": "shop",
    "boutique": "shop", "mart": "shop", "店": "shop", "商店": "shop", "商行": "shop",
    "门市": "shop", "专卖店": "shop",
    # vague sectors and filler
    "tech": "tech", "technology": "tech", "technologies": "tech", "科技": "tech",
    "技术": "tech", "网络": "tech", "信息": "tech", "智能": "tech", "数码": "tech",
    "数字": "tech",
    "trading": "trade", "traders": "trade", "trade": "trade", "贸易": "trade", "商贸": "trade",
    "进出口": "trade",
    "service": "services", "services": "services", "solutions": "services", "服务": "services",
    "enterprise": "enterprise", "enterprises": "enterprise", "实业": "enterprise",
    "企业": "enterprise", "发展": "enterprise",
    "international": "international", "intl": "international", "global": "international",
    "worldwide": "international", "国际": "international",
}  # fmt: skip
generic_company_words: frozenset[str] = frozenset(_GENERIC_KINDS)
"""Words that say what kind of business a company is, not which one ("cafe", "restaurant",
"shop", "technologies", "科技", "贸易", "网络", "餐厅", "店" ...): compared apart from the
distinctive words, and by kind (café = caffe = coffee = 咖啡; trading = 贸易)."""

_GENERIC_ZH = sorted((w for w in _GENERIC_KINDS if _HAN.match(w)), key=len, reverse=True)
_GENERIC_LONG = tuple(w for w in _GENERIC_KINDS if len(w) >= 5 and not _HAN.match(w))
_STOPWORDS = frozenset({"and", "of", "und", "et", "the"})
_BRACKETS = re.compile(r"[(\[【〔][^)\]】〕]*[)\]】〕]")
_HAN_GAP = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")
#: Provinces and large cities a Chinese company name starts with (上海云启智能科技).
_PLACE_NAMES = """
    北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北
    湖南 广东 海南 四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门 中国
    广州 深圳 杭州 苏州 南京 成都 武汉 西安 长沙 郑州 青岛 宁波 厦门 无锡 合肥 福州 济南 大连
    沈阳 哈尔滨 长春 石家庄 太原 南昌 昆明 贵阳 南宁 兰州 海口 呼和浩特 乌鲁木齐 银川 西宁 拉萨
    东莞 佛山 珠海 中山 惠州 温州 绍兴 嘉兴 金华 台州 湖州 常州 南通 徐州 扬州 镇江 昆山 烟台
    潍坊 威海 泉州 漳州 洛阳 唐山 保定 廊坊 芜湖 宜昌 襄阳 株洲 柳州 桂林 三亚 绵阳 遵义 义乌
    江门 汕头 湛江 鞍山 大庆"""
_PLACES = sorted(_PLACE_NAMES.split(), key=len, reverse=True)
_PLACE_SUFFIXES = ("市", "省")
_ONE_SIDED_GENERIC = 0.95
_OTHER_VENUE = 0.88  # "harbor cafe" / "harbor restaurant": one place, described two ways
_OTHER_GENERIC = 0.8  # "云启科技" / "云启贸易": two lines of business
_VENUES = frozenset({"cafe", "restaurant", "deli", "bar", "hotel", "shop"})
_ONE_SIDED_PLACE = 0.95
_OTHER_PLACE = 0.8
_REORDERED = 95.0
_CROSS_SCRIPT_COMPANY = 0.9


@dataclass(frozen=True, slots=True)
class _Company:
    words: tuple[str, ...]  # the distinctive words, in order
    compact: str  # the distinctive words run together
    full: str  # every word run together, generic ones too ("deltatrading")
    kinds: frozenset[str]  # kinds of the generic words ("cafe", "tech")
    place: str  # a Chinese name's leading city or province
    han: bool  # written in Chinese characters
    sound: str  # the pinyin of a Chinese name's distinctive part


def _split_chinese(word: str) -> tuple[str, str, set[str]]:
    """ "上海云启智能科技" -> ("上海", "云启", {"tech"}): place, core, generic kinds."""
    place = ""
    for candidate in _PLACES:
        if word.startswith(candidate):
            rest = word[len(candidate) :]
            if rest[:1] in _PLACE_SUFFIXES:
                candidate, rest = candidate + rest[0], rest[1:]
            if len(rest) >= 2:
                place, word = candidate.rstrip("市省"), rest
            break
    kinds: set[str] = set()
    stripped = True
    while stripped:
        stripped = False
        for generic in _GENERIC_ZH:
            if word.endswith(generic) and len(word) - len(generic) >= 2:
                word = word[: -len(generic)]
                kinds.add(_GENERIC_KINDS[generic])
                stripped = True
                break
    return place, word, kinds


def _generic_kind(word: str) -> str:
    """The kind of a generic word, also with one slip in a long one ("technologiies")."""
    kind = _GENERIC_KINDS.get(word, "")
    if not kind and len(word) >= 5:
        for generic in _GENERIC_LONG:
            if abs(len(generic) - len(word)) <= 1 and OSA.distance(word, generic) <= 1:
                return _GENERIC_KINDS[generic]
    return kind


@lru_cache(maxsize=_CACHE_SIZE)
def _company(name: str) -> _Company:
    text = fold(name)
    unbracketed = _BRACKETS.sub(" ", text)
    text = unbracketed if unbracketed.strip() else text
    text = _APOSTROPHES.sub("", _strip_accents(text)).replace("&", " and ")
    text = _HAN_GAP.sub("", text)  # "上海 云启 科技" is one Chinese name
    for word in _LEGAL_ZH:
        if len(text) > len(word) + 1:
            text = text.replace(word, "")
    text = _LEGAL_EN.sub(" ", text)
    tokens = [t for t in _NON_WORD.sub(" ", text).split() if t not in _STOPWORDS]
    words: list[str] = []
    kinds: set[str] = set()
    place = ""
    han = False
    for token in tokens:
        if _HAN.search(token):
            han = True
            token_place, core, token_kinds = _split_chinese(token)
            place = place or token_place
            kinds |= token_kinds
            words.append(core)
        elif kind := _generic_kind(token):
            kinds.add(kind)
        else:
            words.append(token)
    if not words:  # nothing but generic words ("The Cafe"): compare them as they are
        words, kinds = [t for t in tokens if t], set()
    compact = "".join(words)
    sound = "".join(pinyin_of(compact)) if han else ""
    full = "".join(tokens)
    return _Company(tuple(words), compact, full, frozenset(kinds), place, han, sound)


@lru_cache(maxsize=_CACHE_SIZE)
def _word_score(x: str, y: str) -> float:
    """One company word against another: a single slip (OSA: a swap counts once) in a word of
    four letters or more is a typo; more slips fall fast."""
    if x == y:
        return 100.0
    slips = OSA.distance(x, y)
    longest = max(len(x), len(y))
    if slips == 1 and min(len(x), len(y)) >= 4:
        return 100 - 60 / longest
    return max(0.0, 100 * (1 - 1.5 * slips / longest))


def _contained(a: str, b: str) -> float:
    """One name within the other: 70 plus up to 25 for how much of the longer it covers
    ("arnie mortons" in "arnie mortons chicago": 86; 银行 in 建设银行: 82)."""
    return 70 + 25 * min(len(a), len(b)) / max(len(a), len(b))


def _latin_core(a: _Company, b: _Company) -> float:
    short, long = _ordered(a.words, b.words)
    if set(short) == set(long):
        return _REORDERED
    if set(short) <= set(long):
        return _contained(a.compact, b.compact)
    score = _best_pairing(short, long, _word_score)
    if len(long) > len(short):
        score = min(score, _contained(a.compact, b.compact)) * _MISSING_MIDDLE
    # Spaces typed or lost ("harbour grill" / "harbourgrill"): compare the words run together.
    if OSA.distance(a.compact, b.compact) <= 1:
        score = max(score, _word_score(a.compact, b.compact))
    return score


def _chinese_core(a: _Company, b: _Company) -> float:
    if a.sound == b.sound:  # 云启 / 云起: the same sounds typed with other characters
        return 88.0
    short, long = sorted((a.compact, b.compact), key=len)
    if len(short) >= 2 and short in long:
        return _contained(a.compact, b.compact)
    return float(fuzz.ratio(a.compact, b.compact))


def _generic_factor(a: _Company, b: _Company) -> float:
    """What the generic words cost: nothing when they share a kind; some when they are of
    other kinds, or when one name's generic word stands where the other has a word of its own
    ("Kestrel Trading" / "Kestrel Foods"); less when one name just has one more."""
    if a.kinds and b.kinds:
        if a.kinds & b.kinds:
            return 1.0
        return _OTHER_VENUE if a.kinds | b.kinds <= _VENUES else _OTHER_GENERIC
    if not a.kinds and not b.kinds:
        return 1.0
    plain, generic = (a, b) if b.kinds else (b, a)
    if set(plain.words) - set(generic.words):
        return _OTHER_GENERIC
    return _ONE_SIDED_GENERIC


def company_name_similarity(a: str, b: str) -> int:
    """0-100: how alike two company (business) names are, as typed (see the module's
    docstring). 100 for the same name however written ("Acme Co., Ltd." / "ACME Limited",
    "harbor grill (seattle)" / "Harbor Grill"); 0 when either has nothing to compare."""
    if a == b:
        return 100 if _company(a).compact else 0
    left, right = _company(a), _company(b)
    if not left.compact or not right.compact:
        return 0
    if left.compact == right.compact:
        score = 100.0
    elif left.han and right.han:
        score = _chinese_core(left, right)
    elif left.han or right.han:
        sound, letters = (left.sound, right) if left.han else (right.sound, left)
        score = _word_score(sound, letters.compact) * _CROSS_SCRIPT_COMPANY
    else:
        score = _latin_core(left, right)
    score *= _generic_factor(left, right)
    if not (left.han or right.han) and OSA.distance(left.full, right.full) <= 1:
        # A slip that joins or splits words ("deltaotrading" / "delta trading").
        score = max(score, _word_score(left.full, right.full))
    if left.place and right.place:
        if left.place != right.place:
            score *= _OTHER_PLACE
    elif left.place or right.place:
        score *= _ONE_SIDED_PLACE
    return round(score)
