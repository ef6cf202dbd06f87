"""Normalised keys for duplicate detection. Pure functions, no database.

- email: trimmed and lower-cased (plus-tags are kept: they are real, distinct mailboxes).
- phone: E.164 digits ("+8613800138000") through libphonenumber with the tenant's default
  country; "0086"/"+86" prefixes, spaces, dashes, brackets and full-width digits all fold to
  the same key; the extension ("ext. 12", "转8001", "x12", "#12") is split off and kept apart,
  so a switchboard with two extensions is one number. Text that is no possible number gives "".
- company: NFKC (full-width to half-width), case-folded, legal-form words removed (Co., Ltd.,
  Inc., GmbH, 有限公司, 股份有限公司, 集团 ...) and "(China)"-style region tags, punctuation
  and spaces removed. "上海云启智能科技有限公司" and "上海云启智能科技" give one key.
- person name: the name's parts in a fixed order, so "John Smith", "Smith, John" and
  "SMITH John" agree; a Chinese name is also spelled in pinyin, family name first, so
  "王小明" meets "Wang Xiaoming" and "Xiaoming Wang".
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from pypinyin import lazy_pinyin

# Legal forms and filler words, longest first within each group (order matters for Chinese).
_LEGAL_ZH = [
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "集团股份",
    "集团公司",
    "控股集团",
    "集团",
    "分公司",
    "总公司",
    "公司",
    "有限",
]
_REGION_TAGS = re.compile(r"[（(](?:中国|中國|china|prc|香港|hong kong|上海|北京|深圳)[)）]", re.I)
_LEGAL_EN = re.compile(
    r"\b(?:co|company|corp|corporation|inc|incorporated|ltd|limited|llc|l\.l\.c|plc|gmbh|ag|kg|"
    r"sa|s\.a|sas|sarl|srl|spa|bv|nv|oy|ab|as|pte|pty|kk|group|holdings?|the)\b\.?",
    re.I,
)
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_EXTENSION = re.compile(r"(?:ext\.?|extension|x|转|分机|#)\s*(\d{1,6})\s*$", re.I)
_HAN = re.compile(r"[\u4e00-\u9fff]")
# Two-character Chinese family names (the rest are one character).
_COMPOUND_SURNAMES = {
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文",
    "司徒", "夏侯", "轩辕", "令狐", "端木", "独孤", "南宫", "西门", "申屠", "澹台",
}  # fmt: skip


def fold(text: str) -> str:
    """NFKC (full-width letters and digits to ASCII), trimmed, case-folded."""
    return unicodedata.normalize("NFKC", text or "").strip().casefold()


#: Local parts people type when they have no address ("none@none", "test@localhost").
_PLACEHOLDER_LOCALS = frozenset({
    "none", "null", "nil", "na", "n/a", "no", "noemail", "no-email", "no_email", "nomail",
    "test", "xxx", "xx", "x", "asdf", "abc", "unknown", "无", "没有", "暂无",
})  # fmt: skip


def email_placeholder(email: str) -> bool:
    """Whether an address is a stand-in for none: no dot in the domain ("none@none",
    "test@localhost"), a placeholder local part, or one letter at one letter ("a@a.com")."""
    email = fold(email)
    local, _at, domain = email.partition("@")
    if not domain:
        return False
    label = domain.split(".", 1)[0]
    return (
        "." not in domain or local in _PLACEHOLDER_LOCALS or (len(local) == 1 and len(label) == 1)
    )


def email_key(email: str) -> str:
    email = fold(email)
    if "@" not in email or len(email) > 254 or email_placeholder(email):
        return ""
    return email


def digits_placeholder(digits: str) -> bool:
    """Whether a number's digits are a stand-in for none: one digit repeated (0000000), a
    long run of zeros at the end (138-0000-0000; a run of eights is a lucky number, real), a
    counting run (12345678, 9876543) or a repeated pair (12121212)."""
    if len(digits) < 7:
        return False
    if len(set(digits)) == 1 or re.search(r"0{7,}$", digits):
        return True
    steps = {int(b) - int(a) for a, b in itertools.pairwise(digits)}
    if steps in ({1}, {-1}, {1, -9}, {-1, 9}):  # 0123456789 wraps 9 -> 0
        return True
    return len(digits) >= 8 and digits == (digits[:2] * len(digits))[: len(digits)]


@dataclass(frozen=True)
class PhoneKey:
    e164: str
    extension: str
    valid: bool


def phone_parse(raw: str, default_region: str = "CN") -> PhoneKey:
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text:
        return PhoneKey("", "", False)
    extension = ""
    match = _EXTENSION.search(text)
    if match:
        extension, text = match.group(1), text[: match.start()]
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, (default_region or "CN").upper())
    except phonenumbers.NumberParseException:
        return PhoneKey("", extension, False)
    national = str(number.national_number)
    if (
        not phonenumbers.is_possible_number(number)
        or len(national) < 7
        or digits_placeholder(national)  # 0000000, 138-0000-0000: placeholders, not numbers
    ):
        return PhoneKey("", extension, False)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return PhoneKey(
        e164, extension or (number.extension or ""), phonenumbers.is_valid_number(number)
    )


def phone_key(raw: str, default_region: str = "CN") -> str:
    return phone_parse(raw, default_region).e164


def company_key(name: str) -> str:
    text = fold(name)
    if not text:
        return ""
    text = _REGION_TAGS.sub("", text)
    for word in _LEGAL_ZH:
        if len(text) > len(word) + 1:
            text = text.replace(word, "")
    text = text.replace("&", " and ")
    text = _LEGAL_EN.sub(" ", text)
    return _NON_WORD.sub("", text)


@lru_cache(maxsize=200_000)
def pinyin_of(text: str) -> tuple[str, ...]:
    """``lazy_pinyin(text)``, remembered: pypinyin takes about 100 µs a name, and the same
    surnames, given names and brand names come back in every batch of an import."""
    return tuple(lazy_pinyin(text))


def _pinyin_name(name: str) -> list[str]:
    """ "王小明" -> ["wang", "xiaoming"]; "欧阳娜娜" -> ["ouyang", "nana"]."""
    chars = "".join(_HAN.findall(name))
    if len(chars) < 2:
        return ["".join(pinyin_of(chars))] if chars else []
    split = 2 if chars[:2] in _COMPOUND_SURNAMES and len(chars) > 2 else 1
    return ["".join(pinyin_of(chars[:split])), "".join(pinyin_of(chars[split:]))]


def name_tokens(name: str) -> list[str]:
    """The name's parts, lower-case ASCII where possible (Chinese in pinyin), in a fixed
    order (sorted), so the order people write names in does not matter."""
    text = fold(name)
    if not text:
        return []
    if _HAN.search(text):
        return sorted(_pinyin_name(text))
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    tokens = [t for t in _NON_WORD.sub(" ", text).split() if t]
    titles = {"mr", "mrs", "ms", "dr", "prof", "herr", "frau", "先生", "女士"}
    return sorted(t for t in tokens if t not in titles)


def name_key(name: str) -> str:
    return " ".join(name_tokens(name))
