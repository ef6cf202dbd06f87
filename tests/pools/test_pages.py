"""The pool pages through HTTP: listing, claiming, allocating, masking, the rule editor."""

import re

import pytest
from django.urls import reverse

from leads.models import Lead
from leads.services import lead as lead_services
from pools.models import AssignmentRule, ContactReveal, Pool, PoolEvent
from pools.services.claim import pool_claim, pool_lead_add
from tests.conftest import tenant_client


@pytest.fixture
def delta_leads(in_tenant_a, pool):
    """Three leads waiting in the shared pool ("Delta lead 0" to 2), with the contacts that
    members must see masked."""
    cast = in_tenant_a
    for i in range(3):
        lead = lead_services.lead_create(
            actor=cast.admin,
            name=f"Delta lead {i}",
            email=f"buyer{i}@delta-example.cn",
            mobile=f"1380013800{i}",
        )
        pool_lead_add(pool=pool, lead=lead, actor=cast.admin)


@pytest.mark.usefixtures("delta_leads")
def test_member_sees_the_pool_with_masked_contacts_and_claims_from_the_row(in_tenant_a, pool):
    cast = in_tenant_a
    client = tenant_client(cast, cast.rep)
    index = client.get(reverse("pools-index"))
    assert "Yangtze Delta" in index.content.decode()
    page = client.get(reverse("pools-detail", kwargs={"uuid": pool.uuid})).content.decode()
    assert "Delta lead 0" in page
    assert "b****@delta-example.cn" in page
    assert "138****8000" in page
    assert "13800138000" not in page
    assert "buyer0@" not in page
    lead = Lead.objects.get(name="Delta lead 0")
    response = client.post(
        reverse("pools-claim", kwargs={"uuid": pool.uuid}),
        {"lead": str(lead.uuid)},
        HTTP_HX_REQUEST="true",
    )
    assert "Yours" in response.content.decode()
    lead.refresh_from_db()
    assert lead.owner == cast.rep
    # Robin tries the same lead: told who has it.
    other = tenant_client(cast, cast.teammate).post(
        reverse("pools-claim", kwargs={"uuid": pool.uuid}),
        {"lead": str(lead.uuid)},
        HTTP_HX_REQUEST="true",
    )
    assert cast.rep.full_name in other.content.decode()


@pytest.mark.usefixtures("delta_leads")
def test_reveal_is_logged_and_detail_page_masks(in_tenant_a, pool):
    cast = in_tenant_a
    lead = Lead.objects.get(name="Delta lead 1")
    client = tenant_client(cast, cast.teammate)
    detail = client.get(reverse("leads-detail", kwargs={"uuid": lead.uuid})).content.decode()
    assert "138****8001" in detail
    assert "13800138001" not in detail
    assert "Claim this lead" in detail
    revealed = client.post(reverse("pools-reveal", kwargs={"uuid": lead.uuid, "field": "mobile"}))
    assert "13800138001" in revealed.content.decode()
    assert ContactReveal.objects.filter(lead=lead, user=cast.teammate).count() == 1
    # Pool admins see contacts in full without revealing.
    admin_page = tenant_client(cast, cast.pool_admin).get(
        reverse("leads-detail", kwargs={"uuid": lead.uuid})
    )
    assert "13800138001" in admin_page.content.decode()


@pytest.mark.usefixtures("delta_leads")
def test_export_by_a_member_masks_pooled_contacts(in_tenant_a, pool):
    cast = in_tenant_a
    response = tenant_client(cast, cast.rep).get(reverse("leads-export") + "?format=csv&scene=all")
    body = b"".join(response.streaming_content if response.streaming else [response.content])
    text = body.decode("utf-8-sig")
    assert "Delta lead 2" in text
    assert "b****@delta-example.cn" in text
    assert "buyer2@delta-example.cn" not in text


@pytest.mark.usefixtures("delta_leads")
def test_admin_tabs_allocate_and_withdraw(in_tenant_a, pool):
    cast = in_tenant_a
    client = tenant_client(cast, cast.pool_admin)
    lead = Lead.objects.get(name="Delta lead 2")
    response = client.post(
        reverse("pools-allocate", kwargs={"uuid": pool.uuid}),
        {"lead": str(lead.uuid), "to_user": str(cast.teammate.uuid)},
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.owner == cast.teammate
    for tab in ("held", "members", "events"):
        page = client.get(reverse("pools-detail", kwargs={"uuid": pool.uuid}) + f"?tab={tab}")
        assert page.status_code == 200
    held = client.get(reverse("pools-detail", kwargs={"uuid": pool.uuid}) + "?tab=held")
    assert "Delta lead 2" in held.content.decode()
    client.post(reverse("pools-lead-withdraw", kwargs={"uuid": lead.uuid}), {"reason": "Rebalance"})
    lead.refresh_from_db()
    assert lead.owner is None
    assert PoolEvent.objects.filter(lead=lead, action="withdraw").exists()


@pytest.mark.usefixtures("delta_leads")
def test_return_from_the_lead_page(in_tenant_a, pool):
    cast = in_tenant_a
    lead = Lead.objects.get(name="Delta lead 0")
    pool_claim(pool=pool, lead=lead, actor=cast.rep)
    client = tenant_client(cast, cast.rep)
    page = client.get(reverse("leads-detail", kwargs={"uuid": lead.uuid})).content.decode()
    assert "Return to the pool" in page
    client.post(reverse("pools-lead-return", kwargs={"uuid": lead.uuid}), {"reason": "Wrong fit"})
    lead.refresh_from_db()
    assert lead.owner is None


@pytest.mark.usefixtures("delta_leads")
def test_rule_editor_saves_conditions_and_previews(in_tenant_a, pool):
    cast = in_tenant_a
    client = tenant_client(cast, cast.admin)
    assert client.get(reverse("pools-rule-create")).status_code == 200
    row = client.get(reverse("pools-rule-condition-row") + "?group=1")
    assert 'name="cond_group" value="1"' in row.content.decode()
    response = client.post(
        reverse("pools-rule-create"),
        {
            "name": "Shanghai to Robin",
            "triggers": ["new"],
            "target_type": "user",
            "target_user": cast.teammate.pk,
            "is_active": "on",
            "cond_group": ["0", "0"],
            "cond_field": ["city", "industry"],
            "cond_op": ["eq", "in"],
            "cond_value": ["Shanghai", "Retail, Logistics"],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = AssignmentRule.objects.get(name="Shanghai to Robin")
    assert rule.conditions == [
        [
            {"field": "city", "op": "eq", "value": "Shanghai"},
            {"field": "industry", "op": "in", "value": ["Retail", "Logistics"]},
        ]
    ]
    listing = client.get(reverse("pools-rules")).content.decode()
    assert "Shanghai to Robin" in listing
    assert "Retail, Logistics" in listing
    # A broken rule is refused with the reason, nothing saved.
    bad = client.post(
        reverse("pools-rule-create"),
        {
            "name": "Broken",
            "triggers": ["new"],
            "target_type": "user",
            "target_user": cast.teammate.pk,
            "cond_group": ["0"],
            "cond_field": ["score"],
            "cond_op": ["gt"],
            "cond_value": ["lots"],
        },
    )
    assert bad.status_code == 200
    assert "needs a number" in bad.content.decode()
    assert not AssignmentRule.objects.filter(name="Broken").exists()
    lead_services.lead_create(
        actor=cast.admin, name="Preview Probe", city="Shanghai", industry="Retail"
    )
    preview = client.get(reverse("pools-rule-test") + "?q=Preview Probe").content.decode()
    assert "Shanghai to Robin" in preview
    assert cast.teammate.full_name in preview
    # Reps may not open the editor.
    assert tenant_client(cast, cast.rep).get(reverse("pools-rules")).status_code == 403


def test_pool_settings_form(in_tenant_a):
    cast = in_tenant_a
    client = tenant_client(cast, cast.admin)
    response = client.post(
        reverse("pools-create"),
        {
            "name": "Expo 2026",
            "kind": "product_line",
            "mode": "claim",
            "members": [cast.rep.pk],
            "member_teams": [cast.team.pk],
            "max_open_per_member": "10",
            "return_cooldown_days": "3",
            "reclaim_no_follow_up_days": "5",
            "reclaim_warning_days": "1",
            "return_reasons": "Wrong region\nNo budget\n",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    pool = Pool.objects.get(name="Expo 2026")
    assert pool.return_reasons == ["Wrong region", "No budget"]
    assert pool.reclaim_no_follow_up_days == 5
    assert list(pool.member_teams.all()) == [cast.team]
    assert tenant_client(cast, cast.rep).get(reverse("pools-create")).status_code == 403


@pytest.mark.usefixtures("delta_leads")
def test_pool_page_filters_like_the_leads_list(in_tenant_a, pool):
    from leads.services.custom_fields import custom_field_create

    cast = in_tenant_a
    custom_field_create(
        actor=cast.admin, key="booth", label="Booth", field_type="choice", choices=["A1", "B2"]
    )
    lead = lead_services.lead_create(
        actor=cast.admin, name="Booth visitor", custom_data={"booth": "B2"}
    )
    pool_lead_add(pool=pool, lead=lead, actor=cast.admin)
    client = tenant_client(cast, cast.rep)
    url = reverse("pools-detail", kwargs={"uuid": pool.uuid})
    page = client.get(url + "?cf_booth=B2").content.decode()
    assert "Booth visitor" in page
    assert "Delta lead 0" not in page
    today = client.get(url + "?period=today&q=Delta").content.decode()
    assert "Delta lead 0" in today
    assert "Booth visitor" not in today


def test_paging_the_waiting_leads_shows_the_next_rows(cast_b, in_tenant_a, pool, delta_leads):
    from leads.listing import PAGE_SIZE

    cast = in_tenant_a
    for i in range(PAGE_SIZE):
        lead = lead_services.lead_create(actor=cast.admin, name=f"Queue lead {i:02}")
        pool_lead_add(pool=pool, lead=lead, actor=cast.admin)
    waiting = PAGE_SIZE + 3  # and the fixture's three
    client = tenant_client(cast, cast.rep)
    url = reverse("pools-detail", kwargs={"uuid": pool.uuid})
    first = client.get(url + "?sort=created").content.decode()
    second = client.get(
        url + "?sort=created&page=2", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="pool-results"
    ).content.decode()
    first_names = re.findall(r"<strong>((?:Queue|Delta) lead \d+)</strong>", first)
    second_names = re.findall(r"<strong>((?:Queue|Delta) lead \d+)</strong>", second)
    assert len(first_names) == PAGE_SIZE
    assert len(second_names) == waiting - PAGE_SIZE
    assert set(first_names) | set(second_names) == {
        *(f"Queue lead {i:02}" for i in range(PAGE_SIZE)),
        *(f"Delta lead {i}" for i in range(3)),
    }
    # Newest first: page 2 holds the oldest, the fixture's leads.
    assert first_names[0] == f"Queue lead {PAGE_SIZE - 1:02}"
    assert set(second_names) == {"Delta lead 0", "Delta lead 1", "Delta lead 2"}
    assert f"Showing 1–{PAGE_SIZE}" in first
    assert 'href="?sort=created&amp;page=2"' in first
    assert "<html" not in second
    assert f"Showing {PAGE_SIZE + 1}–{waiting}" in second
    assert 'href="?sort=created&amp;page=1"' in second
    assert "page=3" not in second
    # Paging shows nothing to whoever may not open the pool.
    outsider = tenant_client(cast, cast.manager).get(url + "?page=2")
    assert outsider.status_code == 404
    assert tenant_client(cast_b, cast_b.rep).get(url + "?page=2").status_code == 404


@pytest.mark.usefixtures("delta_leads")
@pytest.mark.parametrize("probe", ["138001", "8000", "buyer0", "delta-example"])
def test_a_member_cannot_spell_out_masked_contacts_by_searching(in_tenant_a, pool, probe):
    """Substring searches of a masked number or address find nothing (they would confirm it
    digit by digit); the name and company still find the lead, and an admin finds it all."""
    cast = in_tenant_a
    pool_page = reverse("pools-detail", kwargs={"uuid": pool.uuid})
    member = tenant_client(cast, cast.rep)
    assert "Delta lead 0" not in member.get(pool_page, {"q": probe}).content.decode()
    assert (
        "Delta lead 0" not in member.get("/leads/", {"scene": "all", "q": probe}).content.decode()
    )
    assert "Delta lead 0" in member.get(pool_page, {"q": "Delta lead 0"}).content.decode()
    admin = tenant_client(cast, cast.admin)
    assert "Delta lead 0" in admin.get("/leads/", {"scene": "all", "q": probe}).content.decode()


@pytest.mark.usefixtures("delta_leads")
def test_the_live_duplicate_check_never_names_a_lead_whose_contact_is_masked(in_tenant_a):
    """A member guessing a pooled lead's mobile is warned that a lead has it (no duplicate is
    made unawares) but is not told which: that would confirm the guess."""
    cast = in_tenant_a
    member = tenant_client(cast, cast.rep)
    html = member.post(
        reverse("leads-duplicates"), {"name": "x", "mobile": "13800138000"}
    ).content.decode()
    assert "A lead you cannot open" in html
    assert "Delta lead 0" not in html
    admin_html = (
        tenant_client(cast, cast.admin)
        .post(reverse("leads-duplicates"), {"name": "x", "mobile": "13800138000"})
        .content.decode()
    )
    assert "Delta lead 0" in admin_html


@pytest.mark.usefixtures("delta_leads")
def test_reveals_stop_at_the_daily_cap_but_a_contact_seen_again_is_free(
    in_tenant_a, pool, monkeypatch
):
    from pools.services import pool as pool_services

    monkeypatch.setattr(pool_services, "REVEALS_PER_DAY", 2)
    cast = in_tenant_a
    client = tenant_client(cast, cast.teammate)
    leads = [Lead.objects.get(name=f"Delta lead {i}") for i in range(3)]

    def reveal(lead, field="mobile"):
        return client.post(reverse("pools-reveal", kwargs={"uuid": lead.uuid, "field": field}))

    assert reveal(leads[0]).status_code == 200
    assert reveal(leads[1]).status_code == 200
    refused = reveal(leads[2])
    assert refused.status_code == 400
    assert "most allowed" in refused.content.decode()
    assert "13800138002" not in refused.content.decode()
    assert reveal(leads[0]).status_code == 200  # already revealed today: shown again
    assert ContactReveal.objects.filter(user=cast.teammate).count() == 3
