"""The BANT checklist on the lead page and the tenant's "BANT before Qualified" rule."""

import re

import pytest
from django_tenants.utils import tenant_context

from leads.errors import LeadError
from leads.models import Lead, LeadStatus
from leads.services import config
from leads.services import lead as lead_services
from leads.services.sharing import lead_member_add
from tests.conftest import tenant_client

ALL_ON = {"budget": True, "authority": True, "need": True, "timeline": True}


@pytest.fixture
def lead_a(cast_a):
    with tenant_context(cast_a.tenant):
        return lead_services.lead_create(actor=cast_a.rep, owner=cast_a.rep, name="BANT Lead")


def _require_bant(cast, on: bool = True) -> None:
    with tenant_context(cast.tenant):
        config.lead_settings_update(actor=cast.admin, require_bant_for_qualified=on, hot_score=70)


def test_ticking_an_item_saves_it_through_htmx_and_keeps_who_did_it(cast_a, lead_a):
    client = tenant_client(cast_a, cast_a.rep)
    response = client.post(
        f"/leads/{lead_a.uuid}/bant/",
        {"budget": "on", "timeline": "on"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<section id="lead-bant"')
    assert 'name="budget" checked' in html
    assert 'name="need" checked' not in html
    with tenant_context(cast_a.tenant):
        lead = Lead.objects.get(pk=lead_a.pk)
        assert (lead.bant_budget, lead.bant_authority, lead.bant_need, lead.bant_timeline) == (
            True,
            False,
            False,
            True,
        )
        latest = lead.history.first()
        assert latest.history_user == cast_a.rep
        assert latest.bant_budget
        assert latest.bant_timeline


def test_without_javascript_the_checklist_posts_and_returns_to_the_lead(cast_a, lead_a):
    response = tenant_client(cast_a, cast_a.rep).post(f"/leads/{lead_a.uuid}/bant/", {"need": "on"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/leads/{lead_a.uuid}/"


def test_saving_the_same_ticks_again_adds_no_history(in_tenant_a):
    cast = in_tenant_a
    lead = lead_services.lead_create(actor=cast.rep, owner=cast.rep, name="Once")
    lead_services.lead_bant_update(lead=lead, actor=cast.rep, **ALL_ON)
    count = lead.history.count()
    lead_services.lead_bant_update(lead=lead, actor=cast.rep, **ALL_ON)
    assert lead.history.count() == count


def test_readers_and_strangers_cannot_tick(cast_a, lead_a):
    with tenant_context(cast_a.tenant):
        lead_member_add(lead=lead_a, user=cast_a.teammate, access="read", actor=cast_a.rep)
    reader = tenant_client(cast_a, cast_a.teammate)
    page = reader.get(f"/leads/{lead_a.uuid}/").content.decode()
    assert re.search(r'name="budget"\s+disabled', page)
    assert reader.post(f"/leads/{lead_a.uuid}/bant/", {"budget": "on"}).status_code == 403
    assert tenant_client(cast_a).post(f"/leads/{lead_a.uuid}/bant/").status_code == 302
    with tenant_context(cast_a.tenant):
        assert not Lead.objects.get(pk=lead_a.pk).bant_budget


def test_the_page_says_bant_is_required_only_when_the_tenant_requires_it(cast_a, lead_a):
    client = tenant_client(cast_a, cast_a.rep)
    assert "required before Qualified" not in client.get(f"/leads/{lead_a.uuid}/").content.decode()
    _require_bant(cast_a)
    assert "required before Qualified" in client.get(f"/leads/{lead_a.uuid}/").content.decode()
    partial = client.post(f"/leads/{lead_a.uuid}/bant/", {}, HTTP_HX_REQUEST="true")
    assert "required before Qualified" in partial.content.decode()


def test_qualified_is_refused_with_the_missing_items_while_the_rule_is_on(cast_a, lead_a):
    _require_bant(cast_a)
    with tenant_context(cast_a.tenant):
        lead_services.lead_bant_update(
            lead=lead_a, actor=cast_a.rep, budget=True, authority=False, need=True, timeline=False
        )
    client = tenant_client(cast_a, cast_a.rep)
    response = client.post(f"/leads/{lead_a.uuid}/status/", {"status": "qualified"}, follow=True)
    html = response.content.decode()
    assert (
        "Complete the BANT checklist before Qualified; missing: decision-maker, timeline." in html
    )
    with tenant_context(cast_a.tenant):
        assert Lead.objects.get(pk=lead_a.pk).status == LeadStatus.PENDING


def test_qualified_is_allowed_once_the_checklist_is_complete(in_tenant_a):
    cast = in_tenant_a
    config.lead_settings_update(actor=cast.admin, require_bant_for_qualified=True, hot_score=70)
    lead = lead_services.lead_create(actor=cast.rep, owner=cast.rep, name="Complete")
    lead_services.lead_bant_update(lead=lead, actor=cast.rep, **ALL_ON)
    lead = lead_services.lead_change_status(
        lead=lead, to_status=LeadStatus.QUALIFIED, actor=cast.rep
    )
    assert lead.status == LeadStatus.QUALIFIED


def test_qualified_needs_no_checklist_while_the_rule_is_off(in_tenant_a):
    cast = in_tenant_a
    lead = lead_services.lead_create(actor=cast.rep, owner=cast.rep, name="No rule")
    lead = lead_services.lead_change_status(
        lead=lead, to_status=LeadStatus.QUALIFIED, actor=cast.rep
    )
    assert lead.status == LeadStatus.QUALIFIED
    assert not lead.bant_complete


def test_turning_the_rule_on_leaves_already_qualified_leads_alone(in_tenant_a):
    cast = in_tenant_a
    lead = lead_services.lead_create(actor=cast.rep, owner=cast.rep, name="Qualified before")
    lead_services.lead_change_status(lead=lead, to_status=LeadStatus.QUALIFIED, actor=cast.rep)
    config.lead_settings_update(actor=cast.admin, require_bant_for_qualified=True, hot_score=70)
    lead.refresh_from_db()
    assert lead.status == LeadStatus.QUALIFIED
    # Leaving and coming back is a new decision, checked again.
    lead = lead_services.lead_change_status(
        lead=lead, to_status=LeadStatus.FOLLOWING_UP, actor=cast.rep
    )
    with pytest.raises(LeadError, match="missing: budget, decision-maker, need, timeline"):
        lead_services.lead_change_status(lead=lead, to_status=LeadStatus.QUALIFIED, actor=cast.rep)
