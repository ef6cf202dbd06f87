"""The Fellegi-Sunter evidence (leads.dedup.evidence) and the rules on top of it, without a
database: which pairs match, how sure, and why, in words."""

from django.utils import translation

from leads.dedup.defaults import ADDRESS_RULES, default_rules_unsaved
from leads.dedup.evidence import CountedFrequencies, evidence
from leads.dedup.explain import evidence_phrases
from leads.dedup.matching import best_match, field_score
from leads.dedup.profiles import data_profile
from leads.models import DuplicateRule

RULES = default_rules_unsaved()


def _p(**data):
    data.setdefault("name", "")
    return data_profile(data, data.get("country") or "US")


def _match(a, b, rules=RULES, freq=None):
    return best_match(rules, a, b, freq)


def test_person_with_name_and_address_only_is_found_through_typos():
    a = _p(name="lachlan berry", address="69 giblin street", city="bittern", postcode="4814",
           country="AU")  # fmt: skip
    b = _p(name="lachlan bery", address="69 giblin st", city="bitern", postcode="4814",
           country="AU")  # fmt: skip
    found = _match(a, b)
    assert found is not None
    assert found.score >= 90
    fields = dict((f, lvl) for f, lvl, _s in found.evidence.explained())
    assert fields["postcode"] == "same"
    assert fields["address"] in ("same", "similar")


def test_family_at_one_address_are_not_one_person():
    a = _p(name="John Smith", address="12 Main Street", city="Springfield", postcode="62701")
    b = _p(name="Mary Smith", address="12 Main St", city="Springfield", postcode="62701")
    assert _match(a, b) is None


def test_colleagues_at_one_office_are_not_one_person():
    office = dict(company="Huaxin Logistics", address="88 Zhangjiang Road", city="Shanghai",
                  postcode="201203", phone="021-5080 1234", country="CN")  # fmt: skip
    a, b = _p(name="Li Na", **office), _p(name="Wang Fang", **office)
    assert _match(a, b) is None
    assert _match(a, _p(name="Li Na", **office)) is not None


def test_another_house_number_on_the_street_is_weaker_than_the_same_address():
    here = dict(city="Studio City", postcode="91604")
    a = _p(name="Wei Zhang", address="10 Ventura Blvd", **here)
    same = evidence(a, _p(name="Wei Zhang", address="10 Ventura Boulevard", **here))
    neighbour = evidence(a, _p(name="Wei Zhang", address="28 Ventura Blvd", **here))
    assert neighbour.fields["address"].level == "alike"
    assert ("alike", "same street") in evidence_phrases(neighbour.explained())
    assert same.score > neighbour.score
    # Another person on the street (another name) is nobody's duplicate.
    assert _match(a, _p(name="Ann Brown", address="28 Ventura Blvd", **here)) is None


def test_one_business_in_two_directories_is_found_by_phone_and_name():
    a = _p(company="harbor grill", address="1010 alaskan way", city="seattle",
           phone="206/555-0143")  # fmt: skip
    b = _p(company="harbor grill (seattle)", address="1010 alaskan wy.", city="seattle",
           phone="206-555-0143")  # fmt: skip
    found = _match(a, b)
    assert found is not None
    assert found.score >= 95


def test_two_outlets_of_one_hotel_are_not_one_business():
    # Restaurants inside one hotel share its street address and its switchboard: one
    # premises, weighed once, and their names differ.
    hotel = dict(address="3570 Las Vegas Blvd S", city="Las Vegas", phone="702-555-7110")
    a, b = _p(company="palace court", **hotel), _p(company="cafe roma", **hotel)
    found = evidence(a, b)
    assert found.fields["phone"].level == "similar"
    assert found.fields["address"].level == "same"
    assert found.score < 80
    assert _match(a, b) is None
    # The same restaurant listed twice at that address is still one business.
    again = _p(company="palace court (caesars palace)", **hotel)
    found = _match(a, again)
    assert found is not None
    assert found.score >= 95


def test_look_alike_businesses_with_other_numbers_in_other_cities_differ():
    a = _p(company="caffe luna", address="12 elm st", city="new york", phone="212-555-0101")
    b = _p(company="cafe luna", address="830 pine ave", city="atlanta", phone="404-555-0177")
    assert _match(a, b) is None
    found = evidence(a, b)
    assert {f: e.level for f, e in found.fields.items()} == {
        "phone": "differs",
        "company": "same" if found.fields["company"].similarity == 100 else "similar",
        "address": "differs",
        "city": "differs",
    }


def test_another_mobile_and_email_overrule_a_similar_name_at_a_look_alike_company():
    a = _p(name="Laura Clark", company="Kestrelgate Industries", mobile="+86 138 0013 8000",
           email="laura@kestrelgate.example")  # fmt: skip
    b = _p(name="Laura Clark", company="Kestrelgate Industry", mobile="+86 139 0013 9000",
           email="laura@other.example")  # fmt: skip
    assert _match(a, b) is None


def test_a_number_forty_leads_share_weighs_less_than_a_rare_one():
    a = _p(name="Li Na", phone="0755-8888 6666", country="CN")
    b = _p(name="Li Na", phone="+86 755 8888 6666", country="CN")
    crowd = [_p(name=f"Person {i}", phone="0755-8888 6666", country="CN") for i in range(40)]
    rare = evidence(a, b, CountedFrequencies([a, b])).fields["phone"].weight
    common = evidence(a, b, CountedFrequencies([a, b, *crowd])).fields["phone"].weight
    assert rare - common > 4
    assert common > 0  # still agreement, never evidence against


def test_a_common_name_weighs_less():
    a, b = _p(name="王伟", city="上海"), _p(name="王伟", city="上海市")
    crowd = [_p(name="王伟") for _ in range(64)]
    rare = evidence(a, b, CountedFrequencies([a, b])).fields["name"].weight
    common = evidence(a, b, CountedFrequencies([a, b, *crowd])).fields["name"].weight
    assert rare > common >= 1.0


def test_a_missing_field_is_no_evidence_either_way():
    a = _p(name="Anna Lee", email="anna.lee@cobalt.example")
    b = _p(name="Anna Lee", email="anna.lee@cobalt.example", city="Berlin", phone="030 1234567",
           country="DE")  # fmt: skip
    assert set(evidence(a, b).fields) == {"email", "name"}


def test_a_rule_with_fields_also_needs_its_minimum_score():
    rule = DuplicateRule(
        name="Same company", fields=[{"field": "company", "match": "exact"}], min_score=50
    )
    a = _p(name="Noah Hall", company="Delta Technologies", mobile="+1 646 555 0101")
    b = _p(name="Eva Young", company="Delta Technologies", mobile="+1 646 555 0199")
    assert field_score("company", "exact", a, b) == 100
    assert _match(a, b, [rule]) is None  # colleagues: other names, other mobiles
    rule.min_score = 0
    assert _match(a, b, [rule]) is not None


def test_address_postcode_and_city_rules():
    a = _p(name="Zhou Min", address="上海市浦东新区张江路88号", city="上海", postcode="201203",
           country="CN")  # fmt: skip
    b = _p(name="周敏", address="浦东新区张江路88号", city="上海市", postcode="201203",
           country="CN")  # fmt: skip
    assert field_score("address", "fuzzy", a, b) >= 85
    assert field_score("postcode", "exact", a, b) == 100
    assert field_score("city", "exact", a, b) == 100
    found = _match(a, b)
    assert found is not None
    assert found.rule.name in {name for name, _f, _m in ADDRESS_RULES}


def test_evidence_reads_in_the_readers_language():
    a = _p(company="harbor grill", city="seattle", phone="206/555-0143")
    b = _p(company="harbor grill", city="portland", phone="206-555-0143")
    explained = evidence(a, b).explained()
    with translation.override("en"):
        english = [text for _level, text in evidence_phrases(explained)]
    with translation.override("zh-hans"):
        chinese = [text for _level, text in evidence_phrases(explained)]
    assert "cities differ" in english
    assert "same switchboard" in english
    assert all(not any(c.isascii() and c.isalpha() for c in text) for text in chinese), chinese


def test_the_quick_mobile_test_agrees_with_phonenumbers():
    import random

    import phonenumbers

    from leads.dedup.evidence import _number_type_parsed, _surely_mobile

    rng = random.Random(7)
    numbers = ["+8613912345678", "+8618600001111", "+447700900123", "+491701234567"]
    for code in ("86", "1", "44", "49", "61", "81", "852", "7"):
        numbers += [f"+{code}{rng.randrange(10**6, 10**12)}" for _ in range(300)]
    quick = [n for n in numbers if _surely_mobile(n)]
    assert {"+8613912345678", "+8618600001111", "+491701234567"} <= set(quick)
    assert not _surely_mobile("+861012345678")  # a Beijing landline
    assert not _surely_mobile("+12025550143")  # North America: fixed line or mobile
    for number in quick:
        assert _number_type_parsed(number) == phonenumbers.PhoneNumberType.MOBILE, number
