"""The scoring engine on plain values: rules of every kind in Chinese and English, negatives,
caps, the 0-100 clamp, decay with inactivity, bands and letters."""

from datetime import UTC, datetime, timedelta

import pytest

from scoring.engine import (
    DimensionSpec,
    LeadFacts,
    RuleSpec,
    Thresholds,
    lead_score,
    ruleset_compile,
    words_pattern,
)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
DEMO, BEHAV, FIRMO = 1, 2, 3
DIMENSIONS = [
    DimensionSpec(DEMO, "Demographic", 40),
    DimensionSpec(BEHAV, "Behavioural", 40, decays=True),
    DimensionSpec(FIRMO, "Firmographic", 20),
]


def _rule(rid, dimension, kind, config, points, name=None):
    return RuleSpec(rid, name or f"rule {rid}", dimension, kind, config, points)


def _any(field, words):
    return {"conditions": [[{"field": field, "op": "contains", "value": w}] for w in words]}


RULES = [
    _rule(1, DEMO, "field", _any("job_title", ["总监", "director", "head", "VP", "CEO"]), 15),
    _rule(2, DEMO, "field", _any("job_title", ["经理", "manager"]), 8),
    _rule(
        3,
        DEMO,
        "field",
        {"conditions": [[{"field": "company_size", "op": "in", "value": ["250-999", "1000+"]}]]},
        12,
    ),
    _rule(4, DEMO, "negative", {"email_domains": ["qq.com", "163.com", "gmail.com"]}, -10),
    _rule(5, DEMO, "negative", {"words": ["学生", "student", "求职"]}, -25),
    _rule(6, BEHAV, "source", {"codes": ["website", "referral"]}, 10),
    _rule(7, BEHAV, "keyword", {"words": ["报价", "价格", "quote", "pricing"]}, 12),
    _rule(8, BEHAV, "keyword", {"words": ["急需", "urgent", "demo"]}, 10),
    _rule(9, BEHAV, "activity", {"kind": "call", "outcome": "connected"}, 10),
    _rule(10, BEHAV, "activity", {"kind": "call", "outcome": "no_answer", "min": 3}, -10),
    _rule(11, BEHAV, "activity", {"kind": "meeting"}, 15),
    _rule(
        12,
        FIRMO,
        "field",
        {"conditions": [[{"field": "cf:budget", "op": "gte", "value": "100000"}]]},
        15,
    ),
    _rule(13, FIRMO, "field", {"conditions": [[{"field": "website", "op": "not_empty"}]]}, 8),
]
RULESET = ruleset_compile(dimensions=DIMENSIONS, rules=RULES, thresholds=Thresholds())


def _facts(**fields):
    custom = fields.pop("custom", {})
    source = fields.pop("source", "")
    activities = fields.pop("activities", {})
    last = fields.pop("last_activity_at", None)
    return LeadFacts(
        fields=fields, custom=custom, source=source, activities=activities,
        last_activity_at=last, created_at=fields.pop("created_at", NOW),
    )  # fmt: skip


def _fired(result):
    return sorted(f.rule_id for f in result.fired)


def test_an_empty_lead_scores_zero_and_is_cold_d():
    result = lead_score(_facts(), RULESET, now=NOW)
    assert (result.total, result.band, result.letter, result.fired) == (0, "cold", "D", ())


@pytest.mark.parametrize(
    ("title", "fired"),
    [
        ("销售总监", [1]),
        ("采购经理", [2]),
        ("Sales Director", [1]),
        ("head of procurement", [1]),
        ("Regional Sales MANAGER", [2]),
        ("vp engineering", [1]),
        ("CEO", [1]),
        ("Engineer", []),
        ("", []),
    ],
)
def test_titles_in_chinese_and_english_fire_case_insensitively(title, fired):
    assert _fired(lead_score(_facts(job_title=title), RULESET, now=NOW)) == fired


@pytest.mark.parametrize(
    ("notes", "fired"),
    [
        ("请尽快报价，谢谢", [7]),
        ("想了解一下价格，急需", [7, 8]),
        ("Please send a QUOTE for 200 units", [7]),
        ("We need pricing, it's urgent.", [7, 8]),
        ("Can we book a demo?", [8]),
        ("We plan the demolition of the old plant", []),  # "demo" is a whole word only
        ("Just browsing", []),
    ],
)
def test_intent_keywords_in_notes(notes, fired):
    assert _fired(lead_score(_facts(notes=notes), RULESET, now=NOW)) == fired


def test_keywords_are_also_found_in_the_inquiry_source_detail():
    result = lead_score(_facts(source_detail="官网表单：需要报价"), RULESET, now=NOW)
    assert _fired(result) == [7]


def test_words_pattern_keeps_latin_words_whole_and_chinese_anywhere():
    pattern = words_pattern(["vp", "报价"])
    assert pattern.search("svp of sales") is None
    assert pattern.search("vp, sales")
    assert pattern.search("需要报价单")


@pytest.mark.parametrize(
    ("email", "points"),
    [
        ("zhang@qq.com", -10),
        ("li.na@163.com", -10),
        ("Anna@GMAIL.com", -10),
        ("someone@vip.qq.com", -10),  # a sub-domain of a listed one
        ("someone@qq.com.example.cn", 0),
        ("xm.wang@yunqi.example", 0),
        ("", 0),
    ],
)
def test_free_mail_addresses_take_points(email, points):
    result = lead_score(_facts(email=email, job_title="总监"), RULESET, now=NOW)
    assert result.dimensions["Demographic"] == 15 + points


def test_student_and_job_seeker_words_in_notes_title_or_company():
    for fields in (
        {"notes": "我是学生，想做毕业设计"},
        {"job_title": "Student"},
        {"notes": "求职销售岗位"},
    ):
        assert lead_score(_facts(**fields), RULESET, now=NOW).dimensions["Demographic"] == -25


def test_negatives_pull_the_total_down_but_never_below_zero():
    result = lead_score(_facts(email="a@qq.com", notes="student"), RULESET, now=NOW)
    assert result.dimensions["Demographic"] == -35
    assert result.total == 0


def test_sources_and_custom_field_numbers():
    result = lead_score(
        _facts(source="referral", custom={"budget": "250,000"}, website="x.cn"), RULESET, now=NOW
    )
    assert _fired(result) == [6, 12, 13]
    assert result.dimensions == {"Demographic": 0, "Behavioural": 10, "Firmographic": 20}
    low = lead_score(_facts(custom={"budget": 5000}), RULESET, now=NOW)
    assert _fired(low) == []


def test_activity_counts_by_kind_and_outcome():
    two_no_answers = {("call", "no_answer"): 2, ("call", "connected"): 1}
    assert _fired(lead_score(_facts(activities=two_no_answers), RULESET, now=NOW)) == [9]
    three = {("call", "no_answer"): 3}
    result = lead_score(_facts(activities=three, last_activity_at=NOW), RULESET, now=NOW)
    assert (_fired(result), result.dimensions["Behavioural"]) == ([10], -10)
    meeting = {("meeting", ""): 1}
    assert _fired(lead_score(_facts(activities=meeting), RULESET, now=NOW)) == [11]


def test_each_counts_points_per_activity_within_the_cap():
    ruleset = ruleset_compile(
        dimensions=DIMENSIONS,
        rules=[_rule(1, BEHAV, "activity", {"kind": "email", "each": True}, 7)],
    )
    three = lead_score(_facts(activities={("email", ""): 3}), ruleset, now=NOW)
    assert three.dimensions["Behavioural"] == 21
    ten = lead_score(_facts(activities={("email", ""): 10}), ruleset, now=NOW)
    assert ten.dimensions["Behavioural"] == 40
    assert ten.fired[0].points == 70  # the explanation keeps what the rule gave


def test_each_dimension_is_capped_and_the_total_clamped_to_100():
    hot = _facts(
        job_title="CEO and head of sales, 总经理",
        company_size="1000+",
        source="website",
        notes="急需报价, urgent quote, demo",
        activities={("call", "connected"): 2, ("meeting", ""): 1},
        custom={"budget": 1_000_000},
        website="acme.com",
        last_activity_at=NOW,
    )
    result = lead_score(hot, RULESET, now=NOW)
    # Behavioural 10+12+10+10+15 = 57 and Firmographic 15+8 = 23 are capped; 总经理 is a
    # manager too (15 + 8 + 12 = 35)
    assert result.dimensions == {"Demographic": 35, "Behavioural": 40, "Firmographic": 20}
    assert (result.total, result.band, result.letter) == (95, "hot", "A")
    generous = ruleset_compile(
        dimensions=[DimensionSpec(1, "A", 80), DimensionSpec(2, "B", 80)],
        rules=[_rule(1, 1, "source", {"codes": ["x"]}, 80), _rule(2, 2, "source",
                                                                  {"codes": ["x"]}, 80)],
    )  # fmt: skip
    assert lead_score(_facts(source="x"), generous, now=NOW).total == 100


def test_behavioural_points_halve_each_half_life_without_activity():
    facts = dict(source="website", notes="报价", job_title="总监")  # 22 behavioural, 15 demo
    fresh = lead_score(_facts(**facts, last_activity_at=NOW), RULESET, now=NOW)
    assert fresh.dimensions["Behavioural"] == 22
    month = lead_score(_facts(**facts, last_activity_at=NOW - timedelta(days=30)), RULESET, now=NOW)
    assert (month.dimensions["Behavioural"], month.decay) == (11, 0.5)
    assert month.dimensions["Demographic"] == 15  # only the decaying dimension decays
    two = lead_score(_facts(**facts, last_activity_at=NOW - timedelta(days=60)), RULESET, now=NOW)
    assert two.dimensions["Behavioural"] == 6  # 22 / 4 = 5.5
    never = lead_score(_facts(**facts, created_at=NOW - timedelta(days=30)), RULESET, now=NOW)
    assert never.dimensions["Behavioural"] == 11  # no activity: counted from creation
    slow = ruleset_compile(
        dimensions=DIMENSIONS, rules=RULES, thresholds=Thresholds(half_life_days=60)
    )
    assert (
        lead_score(_facts(**facts, last_activity_at=NOW - timedelta(days=60)), slow, now=NOW)
        .dimensions["Behavioural"]
    ) == 11  # fmt: skip


def test_negative_behavioural_points_do_not_decay():
    facts = _facts(activities={("call", "no_answer"): 4}, last_activity_at=NOW - timedelta(days=90))
    assert lead_score(facts, RULESET, now=NOW).dimensions["Behavioural"] == -10


@pytest.mark.parametrize(
    ("total", "band", "letter"),
    [(100, "hot", "A"), (70, "hot", "A"), (69, "warm", "B"), (51, "warm", "B"),
     (50, "warm", "C"), (31, "warm", "C"), (30, "cold", "D"), (0, "cold", "D")],
)  # fmt: skip
def test_bands_and_letters_follow_the_thresholds(total, band, letter):
    thresholds = Thresholds(hot=70, warm=31)
    assert (thresholds.band(total), thresholds.letter(total)) == (band, letter)


def test_tags_multi_choice_and_booleans():
    ruleset = ruleset_compile(
        dimensions=DIMENSIONS,
        rules=[
            _rule(
                1,
                DEMO,
                "field",
                {"conditions": [[{"field": "tags", "op": "contains", "value": ["VIP"]}]]},
                5,
            ),
            _rule(
                2,
                DEMO,
                "field",
                {"conditions": [[{"field": "bant_budget", "op": "eq", "value": "true"}]]},
                7,
            ),
            _rule(
                3,
                DEMO,
                "field",
                {"conditions": [[{"field": "cf:lines", "op": "in", "value": "ERP, CRM"}]]},
                3,
            ),
        ],
    )
    result = lead_score(
        _facts(tags=["vip", "展会"], bant_budget=True, custom={"lines": ["crm"]}), ruleset, now=NOW
    )
    assert _fired(result) == [1, 2, 3]
    assert _fired(lead_score(_facts(tags=[], bant_budget=False), ruleset, now=NOW)) == []


def test_rules_of_an_inactive_dimension_are_left_out():
    ruleset = ruleset_compile(dimensions=DIMENSIONS[:1], rules=RULES)
    assert _fired(lead_score(_facts(source="website", job_title="总监"), ruleset, now=NOW)) == [1]


def test_the_explanation_lists_each_fired_rule_with_its_points():
    result = lead_score(_facts(job_title="总监", email="x@qq.com"), RULESET, now=NOW)
    assert result.fired_json() == [
        {"rule": 1, "name": "rule 1", "dimension": "Demographic", "points": 15},
        {"rule": 4, "name": "rule 4", "dimension": "Demographic", "points": -10},
    ]
