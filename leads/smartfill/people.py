"""Step 5 of smart fill: the company, the job title and the name among the unlabelled parts."""

from __future__ import annotations

import re

from nameparser import HumanName

from leads.smartfill.text import (
    BARE_DOMAIN,
    EMAIL,
    HAN,
    LEGAL_FORMS,
    PHONE_LIKE,
    SOCIAL,
    URL,
    Part,
    mostly_digits,
)

ORG_WORDS = re.compile(
    r"\b(?:analytics|systems|logistics|partners|labs?|studios?|consulting|solutions|services|"
    r"technologies|technology|group|international|global|industries|capital|trading|"
    r"manufacturing|supply|foods|hospitality|packaging|medical|devices|university|hospitals?|"
    r"trust|council|foundation|association|institute|agency|bank|holdings?)\b",
    re.IGNORECASE,
)
TITLE_WORDS = re.compile(
    r"(经理|經理|总监|總監|主管|总裁|總裁|董事|主任|工程师|工程師|专员|專員|顾问|顧問|采购|採購|"
    r"销售|銷售|业务|業務|总经理|副总|创始人|负责人|合伙人|助理|代表|秘书|会计|律师|协理|協理|"
    r"襄理|部长|厂长|店长|"
    r"\b(?:manager|director|head|ceo|cto|cfo|coo|vp|svp|evp|president|founder|owner|engineer|"
    r"buyer|purchasing|procurement|officer|lead|consultant|specialist|executive|partner|sales|"
    r"controller|analyst|associate|coordinator|administrator|representative|assistant|"
    r"accountant|advisor|adviser|architect|chairman|secretary|counsel|attorney|marketing|"
    r"merchandiser|planner|supervisor|superintendent|technician|agent|broker)\b)",
    re.IGNORECASE,
)
DEPARTMENT = re.compile(r"(?:部|部门|部門|中心|\bdepartment|\bdept\.?)$", re.IGNORECASE)

SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
    "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃"
    "武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒"
    "阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓"
    "古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师仇栾隋商刁沙荣巫"
    "寇桑郎甄丛仲虞敖巩佘池查麻苑迟邝封谈匡鞠惠荆乐冀郁胥"
    "張陳楊黃趙吳劉鄭謝韓馮鄧蕭葉蘇呂盧鍾譚陸賈韋鄒龍賀顧龔萬錢嚴湯溫齊喬龐顏莊聶魯歐蘭紀畢單駱藍"
    "遊鮑饒繆簡車項連蘆麥婁竇黨費衛臧閔邊師欒榮鞏遲鄺談"
)
COMPOUND_SURNAMES = (  # noqa: SIM905
    "欧阳 歐陽 司马 司馬 上官 诸葛 諸葛 东方 東方 皇甫 令狐 慕容 司徒 尉迟 尉遲 长孙 "
    "長孫 夏侯 公孙 公孫 端木 张简 張簡 范姜"
).split()
COURTESY = re.compile(r"(先生|女士|小姐|太太)$")
HONORIFIC = re.compile(r"(先生|女士|小姐|太太|经理|經理|总|總|老师|老師|老板|老闆)$")
NOT_A_NAME_END = set("区區市省县縣部路街号號楼樓室司厂廠店院所局处科村镇鎮城园園")
_NAME_WORD = r"[^\W\d_]+(?:['’-][^\W\d_]+)*"  # Müller, O'Brien, Hans-Peter
LATIN_NAME = re.compile(rf"^(?:{_NAME_WORD}\.?\s+){{1,3}}{_NAME_WORD}$")
CREDENTIALS = re.compile(
    r"(?:,?\s+(?:CPA|CFA|PhD|Ph\.D\.|MBA|PMP|PE|Esq\.?|Jr\.?|Sr\.?|MD|FCCA|ACCA|ACA|FCA|CIPS|"
    r"MCIPS|FCIPS|CEng|MSc|BSc|MA|BA|LLM|MIET))+$"
)
NOT_NAME_WORDS = re.compile(
    r"\b(?:regards|thanks|thank|best|kind|cheers|sincerely|hi|hello|dear|sent|follow|united|"
    r"kingdom|states|hong|kong|singapore|china|germany|republic|new|york)\b",
    re.IGNORECASE,
)


def company_title_name(parts: list[Part], *, email: str, website: str) -> dict[str, str]:
    """Company, job title and name from the unlabelled parts, in the order a card gives them:
    a legal form makes a company; a title word a job title (a department only when there is
    nothing better); a surname-led Chinese name or capitalised words a name; an organisation
    word or the e-mail's domain a company without a legal form ("Brightline Analytics")."""
    company = organisation = job_title = department = ""
    names: list[str] = []
    domains = f"{email.partition('@')[2]} {website}".lower()
    for part in parts:
        text = PHONE_LIKE.sub(" ", EMAIL.sub("", part.text)).strip(" ,;")
        if part.prose or not text or mostly_digits(text) or URL.fullmatch(text):
            continue
        if BARE_DOMAIN.fullmatch(text.lower()) or SOCIAL.search(text.lower()):
            continue
        if LEGAL_FORMS.search(text) and not TITLE_WORDS.fullmatch(text):
            company = company or text
        elif mixed := _name_and_title(text):
            names.append(mixed[0])
            if DEPARTMENT.search(mixed[1]):
                department = department or mixed[1]
            else:
                job_title = job_title or mixed[1]
        elif TITLE_WORDS.search(text) and len(text) <= 60:
            if DEPARTMENT.search(text):
                department = department or text
            else:
                title, at_company = _title_at_company(text)
                job_title = job_title or title
                organisation = organisation or at_company
        elif ORG_WORDS.search(text) or (_in_domain(text, domains) and not _owns(text, email)):
            organisation = organisation or text
        elif _is_chinese_name(text) or _is_latin_name(text):
            names.append(text)
    found = {
        "company": company or organisation,
        "job_title": job_title or department,
        "name": _best_name(names, email),
    }
    return {k: v for k, v in found.items() if v}


def _title_at_company(text: str) -> tuple[str, str]:
    """ "Head of Sales at Brightline" → ("Head of Sales", "Brightline")."""
    title, at, company = text.partition(" at ")
    if at and company[:1].isupper():
        return title.strip(), company.strip()
    return text, ""


def _in_domain(text: str, domains: str) -> bool:
    """The line's first word is in the e-mail's or website's domain: "Bluefin Robotics"."""
    first = re.sub(r"[^a-z]", "", text.split()[0].lower()) if text.split() else ""
    return len(first) >= 4 and first in domains


def _owns(text: str, email: str) -> bool:
    """A word of ``text`` (three letters or more) is in the e-mail's local part."""
    local = re.sub(r"[^a-z]", "", email.partition("@")[0].lower())
    words = (re.sub(r"[^a-z]", "", w.lower()) for w in text.split())
    return bool(local) and any(len(w) >= 3 and w in local for w in words)


def _name_and_title(text: str) -> tuple[str, str] | None:
    """A Chinese name with what stands beside it ("李娜 采购经理", "销售部 孙丽", "陈嘉欣 女士",
    "王芳 Fiona Wang", "销售经理:王磊"), or "John Smith, Purchasing Manager" → (name, title);
    the title is "" beside a courtesy title or an English name."""
    tokens = re.split(r"\s*[:：]\s*|\s+", text)
    chinese = next((t for t in tokens if _is_chinese_name(t)), None)
    if chinese and len(tokens) > 1:
        rest = " ".join(t for t in tokens if t != chinese)
        if all(COURTESY.fullmatch(t) for t in rest.split()) or _is_latin_name(rest):
            return chinese, ""
        return (chinese, rest) if TITLE_WORDS.search(rest) else None
    head, comma, tail = text.partition(",")
    if comma and _is_latin_name(head.strip()) and TITLE_WORDS.search(tail):
        return head.strip(), tail.strip()
    return None


def _is_chinese_name(text: str) -> bool:
    """张伟, 欧阳娜娜, 赵建国先生, 陈先生, 王经理: a surname, then one or two characters or an
    honorific."""
    bare = COURTESY.sub("", text) if len(text) > 3 else text
    if not re.fullmatch(r"[\u4e00-\u9fff]{2,4}", bare) or bare[-1] in NOT_A_NAME_END:
        return False
    surname = next((s for s in COMPOUND_SURNAMES if bare.startswith(s)), bare[0])
    if surname not in COMPOUND_SURNAMES and surname not in SURNAMES:
        return False
    given = bare[len(surname) :]
    if HONORIFIC.fullmatch(given):
        return True
    return 1 <= len(given) <= 2 and not TITLE_WORDS.search(bare)


def _is_latin_name(text: str) -> bool:
    """Two to four capitalised words, letters only (accents, initials and a "Dr." welcome):
    "Anna Müller", "Jonathan R. Whitaker", "GREGORY T. MAXWELL", "Priya Raman MCIPS"."""
    text = CREDENTIALS.sub("", text.strip())
    if not LATIN_NAME.match(text) or NOT_NAME_WORDS.search(text):
        return False
    if TITLE_WORDS.search(text) or ORG_WORDS.search(text) or LEGAL_FORMS.search(text):
        return False
    return all(w[0].isupper() for w in text.split())


def _best_name(names: list[str], email: str) -> str:
    """The first name, unless a later one owns the e-mail address (the sender rather than a
    colleague named above them)."""
    return next((n for n in names if _owns(n, email)), names[0] if names else "")


def tidy_name(name: str) -> str:
    """ "赵建国先生" → 赵建国 (but 陈先生 stays); "Dr. Markus Weber" → Markus Weber;
    "GREGORY T. MAXWELL" → Gregory T. Maxwell; "Sarah K. Lindqvist, CPA" → Sarah K. Lindqvist."""
    name = name.strip()
    bare = name.replace(" ", "")
    if HAN.match(bare):
        stripped = COURTESY.sub("", bare)
        return stripped if len(stripped) >= 2 and _is_chinese_name(stripped) else bare
    parsed = HumanName(CREDENTIALS.sub("", name))
    parsed.capitalize(force=False)
    return " ".join(p for p in (parsed.first, parsed.middle, parsed.last) if p) or name
