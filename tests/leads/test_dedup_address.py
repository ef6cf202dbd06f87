"""Addresses, postcodes and the overall evidence in every channel: the live check, the
import, the scan (with its explanations) and the duplicate rules page."""

import pytest
from django.urls import reverse
from django.utils import translation

from leads.dedup.matching import duplicates_find
from leads.dedup.scan import tenant_duplicate_groups
from leads.importing.services import import_job_create, import_job_start, import_run
from leads.models import DuplicateRule, Lead
from leads.services import lead as lead_services
from leads.services.dedup_rules import duplicate_rule_save
from leads.services.dedup_scan import dedup_scan_perform
from tests.conftest import tenant_client

PERSON = {
    "name": "Lachlan Berry",
    "address": "69 Giblin Street",
    "city": "Bittern",
    "postcode": "4814",
    "country": "AU",
}


def test_the_default_rules_include_address_rules_and_the_evidence_rule(in_tenant_a):
    names = list(DuplicateRule.objects.values_list("name", "min_score"))
    assert ("Same name at the same address", 50) in names
    assert ("Strong overall evidence", 80) in names
    with translation.override("zh-hans"):
        label = DuplicateRule.objects.get(name="Strong overall evidence").label
    assert label != "Strong overall evidence"
    assert not label.isascii()


def test_the_live_check_finds_a_person_with_name_and_address_only(in_tenant_a):
    cast = in_tenant_a
    lead = lead_services.lead_create(actor=cast.admin, **PERSON)
    assert lead.address_key
    found = duplicates_find({**PERSON, "name": "Lachlan Bery", "address": "69 Giblin St"})
    assert [m.lead.pk for m in found] == [lead.pk]
    assert found[0].score >= 90
    assert ("postcode", "same", 100) in found[0].explained
    assert duplicates_find({**PERSON, "name": "Mary Berry"}) == []  # her sister, same house


def test_the_live_check_finds_typos_in_both_name_and_street_by_the_blocking_keys(in_tenant_a):
    # Neither the name key nor the address key is the stored lead's: the candidate comes from
    # the blocking keys (the house number with the postcode, the name's start with it).
    cast = in_tenant_a
    lead = lead_services.lead_create(actor=cast.admin, **PERSON)
    typed = {**PERSON, "name": "Lachlan Bery", "address": "69 Giblen St"}
    found = duplicates_find(typed)
    assert [m.lead.pk for m in found] == [lead.pk]
    assert found[0].score >= 80


def test_the_live_warning_explains_itself(in_tenant_a):
    cast = in_tenant_a
    lead_services.lead_create(actor=cast.admin, **PERSON)
    client = tenant_client(cast, cast.admin)
    url = reverse("leads-duplicates")
    page = client.post(url, {**PERSON, "name": "Lachlan Bery"}, HTTP_HX_REQUEST="true")
    text = page.content.decode()
    assert "same postcode" in text
    assert "Lachlan Berry" in text


def test_an_import_flags_a_row_that_repeats_a_lead_with_a_typo_at_the_same_address(in_tenant_a):
    cast = in_tenant_a
    lead_services.lead_create(actor=cast.admin, **PERSON)
    data = (
        b"Name,Address,City,Postcode,Country\n"
        b"Lachlan Bery,69 Giblin St,Bittern,4814,AU\n"
        b"Ada Moore,3 Kerr Place,Marsden,3165,AU\n"
    )
    job = import_job_create(actor=cast.admin, filename="cards.csv", data=data)
    job = import_job_start(job=job, actor=cast.admin, mapping=job.mapping, on_duplicate="flag",
                           owner=None, source_detail="", run_rules=False)  # fmt: skip
    job = import_run(job.pk)
    assert (job.created, job.duplicates) == (2, 1)
    assert "possible duplicate" in Lead.objects.get(name="Lachlan Bery").tags


def test_the_scan_groups_people_without_email_or_phone_and_says_why(in_tenant_a):
    cast = in_tenant_a
    first = lead_services.lead_create(actor=cast.admin, **PERSON)
    second = lead_services.lead_create(
        actor=cast.admin, check_duplicates=False,
        **{**PERSON, "name": "berry lachlan", "address": "69 giblin st", "city": "bitern"},
    )  # fmt: skip
    lead_services.lead_create(actor=cast.admin, **{**PERSON, "name": "Mary Berry"})
    groups = tenant_duplicate_groups()
    assert [g.lead_ids for g in groups] == [sorted([first.pk, second.pk])]
    result = dedup_scan_perform(job=None)
    why = {field: level for field, level, _s in result["groups"][0]["why"]}
    assert why["postcode"] == "same"
    assert why["name"] == "same"
    client = tenant_client(cast, cast.admin)
    from leadcrm.jobs.models import Job

    Job.objects.create(kind="dedup_scan", status=Job.Status.DONE, result=result)
    page = client.get(reverse("leads-duplicate-groups")).content.decode()
    assert "same postcode" in page


def test_admins_add_address_postcode_and_city_to_a_rule(in_tenant_a):
    cast = in_tenant_a
    client = tenant_client(cast, cast.admin)
    response = client.post(
        reverse("leads-duplicate-rules"),
        {
            "name": "Same household",
            "match_address": "exact",
            "match_postcode": "exact",
            "match_city": "fuzzy",
            "threshold_city": "90",
            "min_score": "60",
            "action": "warn",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    rule = DuplicateRule.objects.get(name="Same household")
    assert [s["field"] for s in rule.fields] == ["address", "postcode", "city"]
    assert rule.min_score == 60
    page = client.get(reverse("leads-duplicate-rules")).content.decode()
    assert "Street address" in page
    assert "Postcode" in page


def test_a_rule_on_the_evidence_alone_must_be_sure(in_tenant_a):
    from leads.errors import LeadError

    cast = in_tenant_a
    with pytest.raises(LeadError, match="70"):
        duplicate_rule_save(actor=cast.admin, name="Anything", fields=[], action="warn",
                            min_score=40)  # fmt: skip
    rule = duplicate_rule_save(actor=cast.admin, name="Sure", fields=[], action="block",
                               min_score=97)  # fmt: skip
    assert (rule.fields, rule.min_score) == ([], 97)


def test_the_merge_page_says_how_sure_and_why(in_tenant_a):
    cast = in_tenant_a
    first = lead_services.lead_create(actor=cast.admin, **PERSON)
    second = lead_services.lead_create(actor=cast.admin, check_duplicates=False,
                                       **{**PERSON, "name": "Lachlan Bery"})  # fmt: skip
    client = tenant_client(cast, cast.admin)
    page = client.post(reverse("leads-merge"), {"lead": [first.uuid, second.uuid]})
    text = page.content.decode()
    assert "% sure" in text
    assert "same postcode" in text
    cast.admin.language = "zh-hans"
    cast.admin.save(update_fields=["language"])
    chinese = tenant_client(cast, cast.admin).post(
        reverse("leads-merge"), {"lead": [first.uuid, second.uuid]}
    )
    assert "邮编相同" in chinese.content.decode()


def test_an_import_sees_a_typo_in_the_company_of_an_existing_lead(in_tenant_a):
    cast = in_tenant_a
    lead_services.lead_create(actor=cast.admin, name="Sarah King", company="Vertex Systems Ltd")
    assert "c<verte" in Lead.objects.get(name="Sarah King").block_keys
    data = b"Name,Company\nSarah King,Vertex Systms\nOmar Haddad,Vertex Systems Ltd\n"
    job = import_job_create(actor=cast.admin, filename="typo.csv", data=data)
    job = import_job_start(job=job, actor=cast.admin, mapping=job.mapping, on_duplicate="flag",
                           owner=None, source_detail="", run_rules=False)  # fmt: skip
    job = import_run(job.pk)
    assert (job.created, job.duplicates) == (2, 1)
    flagged = Lead.objects.filter(tags__contains=["possible duplicate"])
    assert list(flagged.values_list("company", flat=True)) == ["Vertex Systms"]


def test_the_imports_quick_test_skips_only_pairs_no_default_rule_takes():
    from leads.dedup.defaults import default_rules_unsaved
    from leads.dedup.matching import best_match, worth_weighing
    from leads.dedup.profiles import data_profile
    from leads.importing.duplicates import _quick_safe

    rules = default_rules_unsaved()
    assert all(_quick_safe(rule) for rule in rules)
    own = DuplicateRule(name="Same office", fields=[{"field": "address", "match": "exact"}],
                        min_score=0)  # fmt: skip
    assert not _quick_safe(own)
    pairs = [
        ({"name": "Bill Gates", "company": "Acme"}, {"name": "William Gates", "company": "Acme"}),
        ({"name": "王小明", "mobile": "13800138000"}, {"name": "Li Na", "mobile": "138 0013 8000"}),
        ({**PERSON}, {**PERSON, "name": "Lachlan Bery", "address": "69 Giblin St"}),
        ({"name": "Ada Moore", "company": "Kestrel"}, {"name": "Tom Lee", "company": "Bluefin"}),
        ({"name": "Ada Moore", **PERSON}, {**PERSON, "name": "Omar Haddad"}),
    ]
    for left, right in pairs:
        a, b = data_profile(left, "CN"), data_profile(right, "CN")
        if best_match(rules, a, b) is not None:
            assert worth_weighing(a, b), (left, right)
    skipped = data_profile(pairs[3][0], "CN"), data_profile(pairs[3][1], "CN")
    assert not worth_weighing(*skipped)


def test_the_api_explains_a_duplicate_only_to_who_may_see_it(in_tenant_a):
    from leads.views.api import _duplicates

    cast = in_tenant_a
    theirs = lead_services.lead_create(actor=cast.admin, owner=cast.teammate,
                                       name="Zhou Min", mobile="13800138000")  # fmt: skip
    new = lead_services.lead_create(actor=cast.admin, owner=cast.admin, check_duplicates=False,
                                    name="Zhou Min", mobile="138 0013 8000")  # fmt: skip
    fields = {"name": "Zhou Min", "mobile": "138 0013 8000"}
    to_admin = _duplicates(fields, new, cast.admin)
    to_rep = _duplicates(fields, new, cast.rep)  # the teammate's lead is not the rep's to see
    assert [d["id"] for d in to_admin] == [d["id"] for d in to_rep] == [str(theirs.uuid)]
    assert {"field": "phone", "level": "same", "similarity": 100} in to_admin[0]["evidence"]
    assert to_rep[0]["evidence"] == []
