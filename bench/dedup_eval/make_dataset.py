"""A labelled set of leads for measuring duplicate detection (deterministic for a seed).

    .venv/bin/python bench/dedup_eval/make_dataset.py [--companies 700] [--seed 7] [--out FILE]

Companies (Chinese and Western) employ one to four people each, so colleagues share a company
name, often a switchboard number and sometimes a generic mailbox (info@): the hard negatives.
Common names (王伟, 李娜, John Smith) recur across companies. About 40 % of the people are
entered again one to three times, each copy with one to three realistic changes: another phone
format (+86, 0086, dashes, full-width digits, moved to the other phone field), the email in
other case or missing, the company with or without its legal form or city, with a typo or in
full-width letters, the name in pinyin (either order), with a homophone or a typo, swapped
("Smith, John"), and fields left out. Each row carries ``cluster`` (the person) as its label.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pypinyin import lazy_pinyin  # noqa: E402

SURNAMES = list("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕")
COMPOUND = ["欧阳", "司马", "诸葛", "上官"]
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文辉鹏飞玲")
HOMOPHONES = {"明": "铭", "伟": "玮", "静": "婧", "丽": "莉", "华": "桦", "杰": "洁", "军": "君",
              "涛": "韬", "娜": "纳", "平": "萍", "飞": "菲", "玲": "琳", "强": "蔷"}  # fmt: skip
CITIES = ["上海", "北京", "深圳", "广州", "杭州", "苏州", "南京", "成都", "武汉", "天津"]
BRANDS = list("云启星河华信远航创新博达恒通凯盛瑞丰宏图天成金桥信达鼎力")
INDUSTRY_ZH = ["科技", "智能科技", "物流", "贸易", "电子", "机械", "软件", "医疗器械", "新材料"]
LEGAL_ZH = ["有限公司", "股份有限公司", "有限责任公司", "集团有限公司"]
FIRST = ["James", "Mary", "John", "Linda", "Anna", "Lukas", "Emma", "Noah", "Olivia", "Liam",
         "Sophie", "David", "Sarah", "Michael", "Laura", "Thomas", "Julia", "Daniel", "Eva"]  # fmt: skip
LAST = ["Smith", "Müller", "Brown", "Taylor", "Schmidt", "Wilson", "Lee", "Clark", "Young",
        "Fischer", "Weber", "Martin", "Moore", "Walker", "Wright", "Becker", "Hall", "King"]  # fmt: skip
WORDS = ["Nordwerk", "Acme", "Bluefin", "Kestrel", "Orbital", "Harbor", "Summit", "Vertex",
         "Lumen", "Granite", "Cobalt", "Pioneer", "Atlas", "Beacon", "Crescent", "Delta"]  # fmt: skip
SUFFIXES = ["", "", "tech", "line", "point", "field", "stone", "way", "gate", "mark", "dale"]
SECTORS = ["Logistics", "Systems", "Industries", "Trading", "Technologies", "Foods", "Medical"]
LEGAL_EN = {"DE": ["GmbH", "AG"], "US": ["Inc.", "LLC", "Corp."], "GB": ["Ltd.", "Limited", "PLC"]}
FULL = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}


def _pinyin(text: str) -> str:
    return "".join(lazy_pinyin(text))


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["swap", "drop", "sub", "double"])
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice("aeiounrst") + word[i + 1 :]


def _company(rng: random.Random, index: int, used: set) -> dict:
    """A company whose core name no other company in the set has (real registers do not
    repeat names within a city; the same brand in two countries is another matter)."""
    while True:
        company = _company_draw(rng, index)
        if company["core"].casefold() not in used:
            used.add(company["core"].casefold())
            return company


def _company_draw(rng: random.Random, index: int) -> dict:
    if rng.random() < 0.55:
        city = rng.choice(CITIES)
        brand = rng.choice(BRANDS) + rng.choice(BRANDS)
        core = f"{brand}{rng.choice(INDUSTRY_ZH)}"
        return {
            "zh": True,
            "city": city,
            "core": core,
            "name": f"{city}{core}{rng.choice(LEGAL_ZH)}",
            "domain": f"{_pinyin(brand)}{index}.com.cn",
            "switchboard": f"0{rng.choice(['21', '10', '755', '20', '571'])}-{rng.randrange(10**7, 10**8)}",
        }
    country = rng.choice(list(LEGAL_EN))
    core = f"{rng.choice(WORDS)}{rng.choice(SUFFIXES)} {rng.choice(SECTORS)}"
    codes = {"DE": "+49 30", "US": "+1 212", "GB": "+44 20"}
    return {
        "zh": False,
        "country": country,
        "core": core,
        "name": f"{core} {rng.choice(LEGAL_EN[country])}",
        "domain": f"{core.split()[0].lower()}{index}.com",
        "switchboard": f"{codes[country]} {rng.randrange(10**6, 10**7)}",
    }


def _person(rng: random.Random, company: dict, n: int) -> dict:
    if company["zh"]:
        surname = (
            rng.choice(COMPOUND)
            if rng.random() < 0.04
            else rng.choice(SURNAMES[:12] if rng.random() < 0.5 else SURNAMES)
        )
        given = "".join(
            rng.choice(GIVEN[:8] if rng.random() < 0.4 else GIVEN)
            for _ in range(rng.choice([1, 2, 2]))
        )
        name = surname + given
        local = f"{_pinyin(given)}.{_pinyin(surname)}{rng.randrange(100)}"
        mobile = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
    else:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        name = f"{first} {last}"
        local = f"{first.lower()}.{last.lower().replace('ü', 'ue')}"
        prefix = {"DE": "+49 151 ", "US": "+1 646 ", "GB": "+44 7911 "}[company["country"]]
        digits = {"DE": 8, "US": 7, "GB": 6}[company["country"]]
        mobile = f"{prefix}{rng.randrange(10 ** (digits - 1), 10**digits)}"
    shared_mailbox = rng.random() < 0.08
    return {
        "name": name,
        "company": company["name"],
        "email": f"{'info' if shared_mailbox else local}@{company['domain']}",
        "mobile": mobile if rng.random() < 0.85 else "",
        "phone": company["switchboard"] if rng.random() < 0.5 else "",
    }


def _reformat_phone(rng: random.Random, number: str, zh: bool) -> str:
    digits = "".join(c for c in number if c.isdigit() or c == "+")
    if zh and number.startswith("1"):
        return rng.choice(
            [
                f"+86 {number[:3]} {number[3:7]} {number[7:]}",
                f"0086{number}",
                f"{number[:3]}-{number[3:7]}-{number[7:]}",
                "".join(FULL.get(c, c) for c in number),
                f"(+86){number}",
            ]
        )
    return rng.choice([digits, digits.replace("+", "00"), number.replace(" ", "-")])


def _variant(rng: random.Random, record: dict, company: dict) -> dict:
    copy = dict(record)
    changes = rng.sample(["phone", "email", "company", "name", "drop"], k=rng.choice([1, 2, 2, 3]))
    for change in changes:
        if change == "phone":
            if copy["mobile"] and rng.random() < 0.7:
                copy["mobile"] = _reformat_phone(rng, copy["mobile"], company["zh"])
            if copy["mobile"] and rng.random() < 0.3:
                copy["phone"], copy["mobile"] = copy["mobile"], copy["phone"]
        elif change == "email" and copy["email"]:
            copy["email"] = rng.choice([copy["email"].upper(), f" {copy['email'].title()} "])
        elif change == "company":
            core = company["core"]
            if company["zh"]:
                copy["company"] = rng.choice(
                    [core, f"{company['city']}{core}", f"{core}有限公司", f"{core}(中国)有限公司",
                     f"{company['city']}{core[:-1]}{core[-1]}公司"]
                )  # fmt: skip
            else:
                copy["company"] = rng.choice(
                    [core, core.upper(), f"{_typo(rng, core)} {company['name'].split()[-1]}",
                     "".join(FULL.get(c, c) for c in core), f"{core}, {company['name'].split()[-1]}"]
                )  # fmt: skip
        elif change == "name":
            name = copy["name"]
            if company["zh"]:
                surname = name[:2] if name[:2] in COMPOUND else name[:1]
                given = name[len(surname) :]
                options = [
                    f"{_pinyin(surname).title()} {_pinyin(given).title()}",
                    f"{_pinyin(given).title()} {_pinyin(surname).title()}",
                ]
                swapped = "".join(HOMOPHONES.get(c, c) for c in given)
                if swapped != given:
                    options.append(surname + swapped)
                copy["name"] = rng.choice(options)
            else:
                first, last = name.split(" ", 1)
                copy["name"] = rng.choice(
                    [
                        f"{last}, {first}",
                        name.upper(),
                        f"{first} {_typo(rng, last)}",
                        f"{first[0]}. {last}",
                    ]
                )
        elif change == "typo":  # one wrong character in the email or one wrong digit
            if copy["email"] and rng.random() < 0.5:
                local, _at, domain = copy["email"].partition("@")
                copy["email"] = f"{_typo(rng, local)}@{domain}"
            elif copy["mobile"]:
                digits = list(copy["mobile"])
                spots = [i for i, c in enumerate(digits) if c.isdigit()][4:]
                if spots:
                    spot = rng.choice(spots)
                    digits[spot] = str((int(digits[spot]) + rng.randrange(1, 9)) % 10)
                copy["mobile"] = "".join(digits)
        elif change == "drop":
            victim = rng.choice(["company", "email", "mobile", "phone"])
            copy[victim] = ""
    return copy


def make(companies: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    cluster = 0
    used: set = set()
    for index in range(companies):
        company = _company(rng, index, used)
        names: set = set()
        for n in range(rng.choice([1, 1, 2, 2, 3, 4])):
            person = _person(rng, company, n)
            while person["name"] in names:  # two colleagues never share a full name here
                person = _person(rng, company, n)
            names.add(person["name"])
            cluster += 1
            rows.append({**person, "cluster": cluster})
            if rng.random() < 0.4:
                for _ in range(rng.choice([1, 1, 1, 2, 3])):
                    rows.append({**_variant(rng, person, company), "cluster": cluster})
    rng.shuffle(rows)
    for i, row in enumerate(rows, start=1):
        row["id"] = i
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--companies", type=int, default=700)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", default=str(ROOT / "bench" / "dedup_eval" / "dataset.csv"))
    args = parser.parse_args()
    rows = make(args.companies, args.seed)
    with open(args.out, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(
            handle, ["id", "cluster", "name", "company", "email", "phone", "mobile"]
        )
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} rows, {len({r['cluster'] for r in rows})} people -> {args.out}")


if __name__ == "__main__":
    main()
