"""Every tenant starts with rules a Chinese or English B2B team recognises, which it then edits.

Three dimensions (Demographic 0–40, Behavioural 0–40 decaying with inactivity, Firmographic
0–20) and rules on titles, company size, budget authority, revenue, sources, intent keywords,
call outcomes and negative signals. Runs in each tenant schema when it is created."""

from django.db import migrations


def _any(field: str, words: list[str]) -> dict:
    """A field rule that holds when ``field`` contains any of ``words`` (one group each)."""
    return {"conditions": [[{"field": field, "op": "contains", "value": w}] for w in words]}


def _is(field: str, values: list[str]) -> dict:
    return {"conditions": [[{"field": field, "op": "in", "value": values}]]}


FREE_MAIL = [
    "qq.com", "163.com", "126.com", "yeah.net", "sina.com", "sina.cn", "sohu.com", "foxmail.com",
    "139.com", "aliyun.com", "gmail.com", "hotmail.com", "outlook.com", "live.com", "yahoo.com",
    "icloud.com", "aol.com", "gmx.de", "web.de",
]  # fmt: skip

DIMENSIONS = [
    # name, cap, decays
    ("Demographic", 40, False),
    ("Behavioural", 40, True),
    ("Firmographic", 20, False),
]

RULES = [
    # dimension, name, kind, config, points, active
    (
        "Demographic",
        "Executive title (CEO, VP, 总经理, 总裁 …)",
        "field",
        _any(
            "job_title",
            [
                "CEO",
                "CTO",
                "CFO",
                "COO",
                "CIO",
                "VP",
                "vice president",
                "president",
                "founder",
                "owner",
                "总经理",
                "总裁",
                "副总",
                "董事长",
                "创始人",
                "老板",
                "合伙人",
            ],
        ),
        20,
        True,
    ),  # fmt: skip
    (
        "Demographic",
        "Director or head (总监, 负责人, director, head …)",
        "field",
        _any(
            "job_title",
            [
                "总监",
                "负责人",
                "主管",
                "director",
                "head",
            ],
        ),
        15,
        True,
    ),  # fmt: skip
    (
        "Demographic",
        "Manager (经理, manager)",
        "field",
        _any("job_title", ["经理", "manager"]),
        8,
        True,
    ),  # fmt: skip
    (
        "Demographic",
        "Company of 250 employees or more",
        "field",
        _is("company_size", ["250-999", "1000+"]),
        12,
        True,
    ),  # fmt: skip
    (
        "Demographic",
        "Company of 50–249 employees",
        "field",
        _is("company_size", ["50-249"]),
        8,
        True,
    ),  # fmt: skip
    (
        "Demographic",
        "Company of 10–49 employees",
        "field",
        _is("company_size", ["10-49"]),
        4,
        True,
    ),  # fmt: skip
    (
        "Demographic",
        "Decision-maker reached (BANT)",
        "field",
        {"conditions": [[{"field": "bant_authority", "op": "eq", "value": "true"}]]},
        8,
        True,
    ),
    (
        "Demographic",
        "Budget confirmed (BANT)",
        "field",
        {"conditions": [[{"field": "bant_budget", "op": "eq", "value": "true"}]]},
        8,
        True,
    ),
    (
        "Demographic",
        "Free-mail address (qq.com, 163.com, gmail.com …)",
        "negative",
        {"email_domains": FREE_MAIL},
        -10,
        True,
    ),  # fmt: skip
    (
        "Demographic",
        "Student or job seeker (学生, 求职, student …)",
        "negative",
        {
            "words": [
                "学生",
                "在校",
                "毕业设计",
                "论文",
                "求职",
                "应聘",
                "实习",
                "student",
                "thesis",
                "job seeker",
                "internship",
                "looking for a job",
            ]
        },
        -25,
        True,
    ),  # fmt: skip
    (
        "Demographic",
        "Competitor domain (add yours)",
        "negative",
        {"email_domains": ["competitor.example"]},
        -30,
        False,
    ),
    ("Behavioural", "Came through the website form", "source", {"codes": ["website"]}, 10, True),
    ("Behavioural", "Referral", "source", {"codes": ["referral"]}, 12, True),
    ("Behavioural", "Met at a trade show", "source", {"codes": ["trade_show"]}, 8, True),
    (
        "Behavioural",
        "Called the hotline or wrote on WeChat",
        "source",
        {"codes": ["hotline", "wechat"]},
        8,
        True,
    ),
    (
        "Behavioural",
        "Asks for a quote or prices (报价, 价格, quote, pricing …)",
        "keyword",
        {
            "words": [
                "报价",
                "价格",
                "多少钱",
                "询价",
                "报个价",
                "费用",
                "quote",
                "quotation",
                "pricing",
                "price",
                "prices",
                "cost",
            ]
        },
        12,
        True,
    ),  # fmt: skip
    (
        "Behavioural",
        "Urgent need (急需, 尽快, urgent, ASAP …)",
        "keyword",
        {
            "words": [
                "急需",
                "急用",
                "尽快",
                "马上",
                "加急",
                "urgent",
                "urgently",
                "asap",
                "as soon as possible",
            ]
        },
        10,
        True,
    ),  # fmt: skip
    (
        "Behavioural",
        "Buying process (采购, 招标, purchase, RFQ …)",
        "keyword",
        {
            "words": [
                "采购",
                "招标",
                "投标",
                "预算",
                "合同",
                "purchase",
                "procurement",
                "tender",
                "rfq",
                "rfp",
                "budget",
            ]
        },
        10,
        True,
    ),  # fmt: skip
    (
        "Behavioural",
        "Wants a demo or trial (演示, 试用, demo, trial)",
        "keyword",
        {
            "words": [
                "演示",
                "试用",
                "样品",
                "demo",
                "trial",
                "sample",
                "samples",
            ]
        },
        8,
        True,
    ),  # fmt: skip
    (
        "Behavioural",
        "Connected call",
        "activity",
        {"kind": "call", "outcome": "connected"},
        10,
        True,
    ),  # fmt: skip
    ("Behavioural", "Meeting held", "activity", {"kind": "meeting"}, 15, True),
    ("Behavioural", "Email exchanged", "activity", {"kind": "email"}, 3, True),
    (
        "Behavioural",
        "No answer after 3 calls",
        "activity",
        {"kind": "call", "outcome": "no_answer", "min": 3},
        -10,
        True,
    ),
    (
        "Behavioural",
        "Invalid number",
        "activity",
        {"kind": "call", "outcome": "invalid_number"},
        -20,
        True,
    ),  # fmt: skip
    (
        "Firmographic",
        "Annual revenue over 50 M",
        "field",
        _is("annual_revenue", ["50m-250m", "250m+"]),
        12,
        True,
    ),  # fmt: skip
    (
        "Firmographic",
        "Annual revenue 10–50 M",
        "field",
        _is("annual_revenue", ["10m-50m"]),
        8,
        True,
    ),  # fmt: skip
    (
        "Firmographic",
        "Annual revenue 1–10 M",
        "field",
        _is("annual_revenue", ["1m-10m"]),
        4,
        True,
    ),  # fmt: skip
    (
        "Firmographic",
        "Company named",
        "field",
        {"conditions": [[{"field": "company", "op": "not_empty", "value": ""}]]},
        4,
        True,
    ),
    (
        "Firmographic",
        "Company website given",
        "field",
        {"conditions": [[{"field": "website", "op": "not_empty", "value": ""}]]},
        4,
        True,
    ),
    (
        "Firmographic",
        "Target industry (edit the list)",
        "field",
        _is("industry", ["Manufacturing", "制造业"]),
        6,
        False,
    ),  # fmt: skip
]


def create_defaults(apps, schema_editor):
    ScoringSettings = apps.get_model("scoring", "ScoringSettings")
    Dimension = apps.get_model("scoring", "Dimension")
    ScoringRule = apps.get_model("scoring", "ScoringRule")
    ScoringSettings.objects.get_or_create(singleton=True)
    if Dimension.objects.exists():
        return
    dims = {}
    for position, (name, cap, decays) in enumerate(DIMENSIONS):
        dims[name] = Dimension.objects.create(name=name, cap=cap, decays=decays, position=position)
    for position, (dim, name, kind, config, points, active) in enumerate(RULES):
        ScoringRule.objects.create(
            dimension=dims[dim],
            name=name,
            kind=kind,
            config=config,
            points=points,
            position=position,
            is_active=active,
        )


class Migration(migrations.Migration):
    dependencies = [("scoring", "0001_initial")]
    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
