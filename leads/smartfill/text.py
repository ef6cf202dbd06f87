"""Steps 1 and 2 of smart fill: tidy the pasted text and split it into labelled parts."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

LABEL_WORDS = {
    "name": "name|full name|contact person|contact|姓名|联系人|聯絡人|名字",
    "company": "company|organisation|organization|firm|公司名称|公司|单位|單位|企业",
    "job_title": "job title|title|position|职位|职务|職位|職務|头衔",
    "email": "e-mail|email|mail|e|邮箱|郵箱|电子邮件|電子郵件|电邮|電郵|邮件",
    "mobile": "mobile phone|mobile|mob|cell phone|cellphone|cell|handy|h/p|hp|m|whatsapp|"
    "手机号码|手机号|手机|手機|移动电话",
    "phone": "telephone|tel|phone|ph|direct line|direct|dir|did|dl|office|work|main|"
    "switchboard|landline|t|o|d|p|办公电话|电话|電話|座机|固话|总机|直线|全国服务热线|"
    "服务热线|客服热线|客服电话|热线",
    "fax": "fax|f|传真|傳真",
    "website": "website|web|url|www|w|网址|網址|网站|網站|主页|官网|官網",
    "address": "address|addr|add|a|公司地址|办公地址|通讯地址|地址",
    "postcode": "postcode|post code|postal code|zip|zip code|邮编|郵編|邮政编码|郵政編碼",
    "ignore": "wechat|weixin|微信|qq|skype|linkedin|twitter|facebook|instagram|weibo|微博",
}
NUMBER_FIELDS = ("mobile", "phone", "fax")


def _alternatives(*fields: str) -> str:
    words = "|".join(LABEL_WORDS[f] for f in fields).split("|")
    return "|".join(sorted(words, key=len, reverse=True))  # the longest label wins


_LABEL = rf"(?:{_alternatives(*LABEL_WORDS)})\.?"
_LABELS = rf"(?P<label>{_LABEL}(?:\s*[/ ]\s*{_LABEL})*)"  # "电话 Tel", "Mob/WhatsApp"
LABELLED = re.compile(rf"^{_LABELS}\s*[:：]\s*(?P<value>.+)$", re.IGNORECASE)
# "Tel. 0161 …", "Cell 415.555.0132", "Mobile +49 …": a number label needs no colon.
LABELLED_NUMBER = re.compile(rf"^{_LABELS}\s+(?P<value>[+(]?\d.*)$", re.IGNORECASE)
# "Tel 1-800-555-0123 Fax 503-555-0190", "电话:… 传真:…": a second number label in a part
# (a one-letter label only with its colon).
_WORD_NUMBER_LABEL = "|".join(w for w in _alternatives(*NUMBER_FIELDS).split("|") if len(w) > 1)
INNER_LABEL = re.compile(
    rf"\s+(?=(?:{_WORD_NUMBER_LABEL})\.?\s*[:：]?\s*[+(]?\d|[a-z]\s*[:：]\s*[+(]?\d)"
    r"|(?<=\d)(?=(?:电话|電話|手机|手機|传真|傳真)[:：])",
    re.IGNORECASE,
)
SEPARATORS = re.compile(r"\s*[|•]\s*|\s+·\s+|\s{3,}|\t+")

CLOSING = re.compile(
    r"^(?:(?:best|kind|warm|warmest|many|with best|with kind)?\s*(?:regards|wishes|thanks)|"
    r"thank you|best|cheers|sincerely|yours(?: \w+)?|mit freundlichen grüßen|viele grüße|"
    r"beste grüße|(?:hi|hello|dear|hey)(?:\s+[\w.'’-]+){0,3}|sent from my .*|"
    r"get outlook for .*|发自我的.*|此致|敬礼|谢谢|多谢|祝好|顺祝商祺|顺颂商祺|(?:您好|你好).*|"
    r"-+|【名片】|\[名片\])[\s,.!！。，]*$",
    re.IGNORECASE,
)
CUT_AT_START = re.compile(
    r"^\s*(?:>|-{2,}\s*(?:original message|forwarded message|原始邮件|邮件原件)|_{8,}|"
    r"on\s.+\bwrote:?\s*$|.*写道[:：]\s*$|confidentiality notice|confidential(?:ity)?:|"
    r"disclaimer|this (?:e-?mail|message|communication)\b|the information (?:contained|in this)|"
    r"please consider the environment|think before you print|本邮件|此邮件|本电子邮件|免责声明|"
    r"保密声明)",
    re.IGNORECASE,
)
CUT_ANYWHERE = re.compile(
    r"registered office|register court|amtsgericht|handelsregister|registered in england|"
    r"company (?:registration|reg\.?) (?:no|number)|managing directors?:|geschäftsführer:",
    re.IGNORECASE,
)
MAIL_HEADER = re.compile(r"^\s*(?:from|发件人|發件人|寄件者)\s*[:：]", re.IGNORECASE)
MAIL_HEADER_NEXT = re.compile(
    r"^\s*(?:sent|date|to|subject|发送时间|收件人|日期|主题|主題)\s*[:：]", re.IGNORECASE
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
URL = re.compile(
    r"(?:https?://)?(?:www\.)[\w-]+(?:\.[\w-]+)+(?:/\S*)?|https?://[\w-]+(?:\.[\w-]+)+(?:/\S*)?"
)
BARE_DOMAIN = re.compile(
    r"\b(?:[a-z0-9-]+\.)+(?:com|net|org|io|co|cn|de|uk|hk|tw|sg|au|ca|fr|jp|us|nl|info|biz)"
    r"(?:\.[a-z]{2})?\b"
)
SOCIAL = re.compile(
    r"linkedin\.|twitter\.|\bx\.com|facebook\.|instagram\.|youtube\.|weibo\.|wechat\.|t\.me\b"
)
LEGAL_FORMS = re.compile(
    r"(有限公司|有限責任公司|有限责任公司|股份有限公司|集团|集團|公司|工作室|事务所|事務所|研究院|"
    r"(?<!\w)(?:co\.?,?\s*ltd\.?|co\.|ltd\.?|limited|inc\.?|corp\.?|corporation|llc|llp|plc|"
    r"gmbh|ag|kg|sas|sarl|s\.a\.|s\.p\.a\.|s\.r\.l\.|b\.v\.|n\.v\.|bv|nv|pte\.?|pty\.?|company)"
    r"(?!\w))",
    re.IGNORECASE,
)
HAN = re.compile(r"[\u4e00-\u9fff]")
PHONE_LIKE = re.compile(r"[+(]?\d[\d\s().-]{5,}\d")


@dataclass(frozen=True)
class Part:
    """One part of a line: its line number, what its label says (None: unlabelled, "ignore":
    a WeChat ID, a postcode …), its text, and whether it is a sentence of the e-mail body."""

    line: int
    field: str | None
    text: str
    prose: bool = False


def parts_of(text: str) -> list[Part]:
    """The parts of ``text`` worth reading, in order."""
    parts = []
    for index, (line, prose) in enumerate(_lines(text)):
        pieces = [line] if prose else SEPARATORS.split(line)
        for piece in pieces:
            for chunk in [piece] if prose else INNER_LABEL.split(piece):
                chunk = chunk.strip(" \t|•·,;")
                if chunk:
                    parts.append(
                        Part(index, None, chunk, prose=True) if prose else _part(index, chunk)
                    )
    return parts


def _lines(text: str) -> list[tuple[str, bool]]:
    """(line, is_prose) up to a quoted reply, disclaimer or register footer, without greetings
    and closings; full-width forms folded, "+44 (0)20" and "(852) 2523…" made plain."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"(\+\s?\d{1,3})[\s-]*\(0\)[\s-]*", r"\1 ", text)
    text = re.sub(r"(?<![\d+])\(\s*\+?(852|853|886|86)\s*\)\s*", r"+\1 ", text)
    lines = [line.strip() for line in text.splitlines()]
    kept: list[tuple[str, bool]] = []
    for index, line in enumerate(lines):
        if kept and _is_cut(line, lines[index + 1 : index + 5]):
            break
        if not line or CLOSING.match(line) or all(CLOSING.match(p) for p in line.split(" / ")):
            continue
        kept.append((line, _is_prose(line)))
    return kept


def _is_cut(line: str, following: list[str]) -> bool:
    if CUT_AT_START.match(line) or CUT_ANYWHERE.search(line):
        return True
    return bool(MAIL_HEADER.match(line)) and any(MAIL_HEADER_NEXT.match(n) for n in following)


def _is_prose(line: str) -> bool:
    """A sentence of an e-mail body or a call note, not a line of a signature."""
    if HAN.search(line):
        return bool(re.search(r"[，。！？]", line)) and len(line) >= 10
    words = EMAIL.sub("", line).split()
    small = {"of", "and", "the", "for", "at", "de", "van", "von", "bei", "der", "du", "la", "le"}
    lower = [w for w in words if w[:1].islower() and w.lower() not in small]
    return len(lower) >= 3 or (line[-1:] in ".!?" and len(words) >= 4 and len(lower) >= 1)


def _part(index: int, chunk: str) -> Part:
    match = LABELLED.match(chunk) or LABELLED_NUMBER.match(chunk)
    if not match:
        return Part(index, None, chunk)
    label = match.group("label").lower().rstrip(".")
    words = re.split(r"\s*[/ ]\s*", label)  # "电话 Tel", "Mob/WhatsApp"; "H/P" is one label
    fields = [_field_of(label), *(_field_of(w.rstrip(".")) for w in words)]
    field = next((f for f in fields if f and f != "ignore"), "ignore")
    value = match.group("value").strip()
    if field in NUMBER_FIELDS and not PHONE_LIKE.search(value):
        return Part(index, None, chunk)  # "Office 3, 12 High Street" is no phone number
    if field not in NUMBER_FIELDS and not LABELLED.match(chunk):
        return Part(index, None, chunk)
    if field == "name" and mostly_digits(value):
        return Part(index, None, value)  # "Contact: +44 20 …"
    if field == "email":
        email = EMAIL.search(value)
        return Part(index, "email", email.group(0)) if email else Part(index, None, chunk)
    return Part(index, field, value)


def _field_of(label: str) -> str | None:
    for field, pattern in LABEL_WORDS.items():
        if re.fullmatch(pattern, label, re.IGNORECASE):
            return field
    return None


def website_in(parts: list[Part]) -> str:
    """The first web address that is not an e-mail's domain or a social profile."""
    for part in parts:
        if part.prose:
            continue
        text = EMAIL.sub(" ", part.text)
        url = URL.search(text) or BARE_DOMAIN.search(text.lower())
        if url and not SOCIAL.search(url.group(0).lower()):
            return url.group(0)
    return ""


def mostly_digits(text: str) -> bool:
    digits = sum(c.isdigit() for c in text)
    return digits >= max(6, len(text) // 2)
