"""Duplicate detection: normalisation, the tenant's rules, blocking, the live check."""

import pytest
from django.urls import reverse

from leads.dedup.matching import duplicates_find
from leads.errors import DuplicateLeadError
from leads.identity.normalize import company_key, email_key, name_key, phone_parse
from leads.models import DuplicateRule, Lead
from leads.services import lead as lead_services
from tests.conftest import tenant_client


@pytest.mark.parametrize(
    "raw",
    [
        "138 0013 8000",
        "+86-138-0013-8000",
        "0086 13800138000",
        "１３８００１３８０００",
        "(138)00138000",
    ],
)
def test_chinese_mobile_formats_share_one_key(raw):
    assert phone_parse(raw, "CN").e164 == "+8613800138000"


def test_extensions_are_kept_apart_and_junk_gives_no_key():
    office = phone_parse("021-12345678转8001", "CN")
    assert (office.e164, office.extension) == ("+862112345678", "8001")
    assert phone_parse("(010) 6552-1234 ext. 88", "CN").extension == "88"
    assert phone_parse("+49 30 1234567 x12", "CN").e164 == "+49301234567"
    for junk in ("12345", "0000000", "n/a", ""):
        assert phone_parse(junk, "CN").e164 == ""


def test_numbers_are_read_in_the_leads_country():
    from leads.identity.keys import keys_for

    german = keys_for({"mobile": "0151 23456789", "country": "DE"}, "CN")
    assert german["mobile_key"] == "+4915123456789"
    assert keys_for({"mobile": "+49 151 23456789"}, "CN")["mobile_key"] == "+4915123456789"


def test_company_and_name_keys():
    assert company_key("上海云启智能科技有限公司") == company_key("上海云启智能科技")
    assert company_key("云启科技(中国)有限公司") == company_key("云启科技股份有限公司")
    assert company_key("Acme Co., Ltd.") == company_key("ACME Limited") == "acme"
    assert company_key("Ｎｏｒｄｗｅｒｋ GmbH") == company_key("Nordwerk AG")
    assert name_key("王小明") == name_key("Wang Xiaoming") == name_key("Xiaoming Wang")
    assert name_key("Smith, John") == name_key("JOHN SMITH") == name_key("Dr. John Smith")
    assert name_key("欧阳娜娜") == name_key("Ouyang Nana")
    assert email_key("  Li.Na@Example.COM ") == "li.na@example.com"


def test_exact_and_similar_matches_with_their_rule(in_tenant_a):
    cast = in_tenant_a
    lead = lead_services.lead_create(
        actor=cast.rep,
        owner=cast.rep,
        name="王小明",
        company="上海云启智能科技有限公司",
        mobile="138 0013 8000",
        email="xm.wang@yunqi.example",
    )
    by_phone = duplicates_find({"name": "Someone else", "phone": "+86 13800138000"})
    assert [(m.lead, m.level, m.fields) for m in by_phone] == [(lead, "exact", ["phone"])]
    by_email = duplicates_find({"name": "X", "email": "XM.Wang@yunqi.example"})
    assert by_email[0].rule.name == "Same email address"
    similar = duplicates_find({"name": "Wang Xiaoming", "company": "上海云启智能科技"})
    assert similar[0].lead == lead
    assert similar[0].level == "similar"
    assert set(similar[0].fields) == {"company", "name"}
    # Same person at another company, or another person at the same company: no match.
    assert duplicates_find({"name": "王小明", "company": "北京华信物流有限公司"}) == []
    assert duplicates_find({"name": "李娜", "company": "上海云启智能科技有限公司"}) == []
    assert duplicates_find({"name": "王小明"}, exclude_ids=[lead.pk]) == []


def test_a_block_rule_refuses_the_second_lead_in_every_channel(in_tenant_a):
    cast = in_tenant_a
    DuplicateRule.objects.filter(name="Same email address").update(action="block")
    lead_services.lead_create(actor=cast.rep, name="First", email="buyer@acme.example")
    with pytest.raises(DuplicateLeadError, match="already exists") as refused:
        lead_services.lead_create(actor=cast.rep, name="Second", email=" BUYER@acme.example")
    assert refused.value.matches[0].lead.name == "First"
    assert Lead.objects.filter(name="Second").count() == 0
    # Warn rules let the lead in.
    lead_services.lead_create(actor=cast.rep, name="Third", mobile="13900001111")
    assert lead_services.lead_create(actor=cast.rep, name="Fourth", mobile="139 0000 1111").pk


def test_a_block_rule_refuses_an_edit_that_makes_a_duplicate(in_tenant_a):
    from django.urls import reverse

    from tests.conftest import tenant_client

    cast = in_tenant_a
    DuplicateRule.objects.filter(name="Same email address").update(action="block")
    lead_services.lead_create(
        actor=cast.rep, owner=cast.rep, name="First", email="buyer@acme.example"
    )
    other = lead_services.lead_create(actor=cast.rep, owner=cast.rep, name="Other")
    with pytest.raises(DuplicateLeadError, match="already exists"):
        lead_services.lead_update(lead=other, actor=cast.rep, email="Buyer@ACME.example")
    other.refresh_from_db()
    assert other.email == ""
    # The lead's own values never block it, and other fields change freely.
    first = Lead.objects.get(name="First")
    lead_services.lead_update(lead=first, actor=cast.rep, city="Xi'an", name="First Buyer")
    page = tenant_client(cast, cast.rep).post(
        reverse("leads-edit", kwargs={"uuid": other.uuid}),
        {"name": "Other", "email": "buyer@acme.example", "priority": "normal"},
    )
    assert "This lead already exists" in page.content.decode()
    assert Lead.objects.get(pk=other.pk).email == ""


def test_live_check_shows_owner_and_status_but_hides_what_the_user_may_not_see(in_tenant_a):
    cast = in_tenant_a
    lead_services.lead_create(
        actor=cast.manager, owner=cast.manager, name="Hidden Person", mobile="13700001234"
    )
    lead_services.lead_create(
        actor=cast.rep, owner=cast.rep, name="Own Person", mobile="13700005678"
    )
    client = tenant_client(cast, cast.teammate)
    hidden = client.post(reverse("leads-duplicates"), {"name": "x", "mobile": "137 0000 1234"})
    html = hidden.content.decode()
    assert "Duplicate" in html
    assert "A lead you cannot open" in html
    assert cast.manager.full_name in html
    assert "Hidden Person" not in html
    rep_client = tenant_client(cast, cast.rep)
    own = rep_client.post(reverse("leads-duplicates"), {"name": "x", "mobile": "13700005678"})
    assert "Own Person" in own.content.decode()
    assert rep_client.post(reverse("leads-duplicates"), {"name": ""}).content.decode().strip() == ""


def test_matches_never_cross_tenants(cast_b, in_tenant_a):
    from django_tenants.utils import tenant_context

    cast = in_tenant_a
    lead_services.lead_create(actor=cast.rep, name="Tenant A Person", mobile="13600009999")
    with tenant_context(cast_b.tenant):
        assert duplicates_find({"name": "x", "mobile": "13600009999"}) == []


def test_dedup_scan_command_prints_groups_as_json(in_tenant_a):
    import json
    from io import StringIO

    from django.core.management import call_command

    cast = in_tenant_a
    first = lead_services.lead_create(
        actor=cast.rep, name="Anna Müller", company="Nordwerk GmbH", custom_data={}
    )
    second = lead_services.lead_create(actor=cast.rep, name="MÜLLER, Anna", company="Nordwerk AG")
    lead_services.lead_create(actor=cast.rep, name="Someone Else", company="Other Co")
    out = StringIO()
    call_command("dedup_scan", cast.tenant.slug, "--format", "json", stdout=out)
    groups = json.loads(out.getvalue())["groups"]
    assert len(groups) == 1
    assert {lead["id"] for lead in groups[0]["leads"]} == {str(first.uuid), str(second.uuid)}
    assert groups[0]["rules"] == ["Similar company and name"]


def test_admin_edits_the_duplicate_rules(in_tenant_a):
    cast = in_tenant_a
    client = tenant_client(cast, cast.admin)
    assert "Same email address" in client.get(reverse("leads-duplicate-rules")).content.decode()
    client.post(
        reverse("leads-duplicate-rules"),
        {"name": "Same company and email", "match_company": "exact", "match_email": "exact",
         "action": "block", "is_active": "on"},
    )  # fmt: skip
    rule = DuplicateRule.objects.get(name="Same company and email")
    assert rule.action == "block"
    assert {f["field"] for f in rule.fields} == {"company", "email"}
    bad = client.post(
        reverse("leads-duplicate-rules"), {"name": "Nothing", "action": "warn"}, follow=True
    )
    assert "Choose at least one field" in bad.content.decode()
    client.post(reverse("leads-duplicate-rule-edit", kwargs={"uuid": rule.uuid}), {"delete": "1"})
    assert not DuplicateRule.objects.filter(pk=rule.pk).exists()
    assert tenant_client(cast, cast.rep).get(reverse("leads-duplicate-rules")).status_code == 403
