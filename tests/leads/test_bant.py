"""The BANT checklist on the lead page, the tenant's "BANT before Qualified" rule, and the other
lead settings that came with it: the hot threshold, the lists, SOP templates, the settings page."""

import re

import pytest
from django_tenants.utils import tenant_context

from leads.errors import LeadError
from leads.models import (
    Lead,
    LeadSettings,
    LeadStatus,
    LossReason,
    SopTemplate,
    SourceChannel,
    Stage,
    Task,
)
from leads.selectors import LeadFilters, lead_list
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


def test_bant_checklist_saves_through_the_page_and_refuses_readers(cast_a, lead_a):
    response = tenant_client(cast_a, cast_a.rep).post(
        f"/leads/{lead_a.uuid}/bant/", {"budget": "on", "need": "on"}, HTTP_HX_REQUEST="true"
    )
    assert 'id="lead-bant"' in response.content.decode()
    with tenant_context(cast_a.tenant):
        lead_a.refresh_from_db()
        assert (lead_a.bant_budget, lead_a.bant_authority, lead_a.bant_need) == (True, False, True)
    assert (
        tenant_client(cast_a, cast_a.teammate).post(f"/leads/{lead_a.uuid}/bant/").status_code
        == 404
    )


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
    _require_bant(cast)
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


def test_qualified_needs_bant_only_when_the_tenant_requires_it(in_tenant_a):
    cast = in_tenant_a
    lead = lead_services.lead_create(actor=cast.rep, owner=cast.rep, name="Bant Lead")
    _require_bant(cast)
    with pytest.raises(LeadError, match="missing: budget, decision-maker, need, timeline"):
        lead_services.lead_change_status(lead=lead, to_status=LeadStatus.QUALIFIED, actor=cast.rep)
    lead_services.lead_bant_update(
        lead=lead, actor=cast.rep, budget=True, authority=True, need=True, timeline=False
    )
    with pytest.raises(LeadError, match="missing: timeline"):
        lead_services.lead_change_status(lead=lead, to_status=LeadStatus.QUALIFIED, actor=cast.rep)
    lead_services.lead_bant_update(lead=lead, actor=cast.rep, **ALL_ON)
    lead = lead_services.lead_change_status(
        lead=lead, to_status=LeadStatus.QUALIFIED, actor=cast.rep
    )
    assert lead.status == LeadStatus.QUALIFIED
    assert lead.history.filter(bant_timeline=True).exists()


def test_turning_the_rule_on_leaves_already_qualified_leads_alone(in_tenant_a):
    cast = in_tenant_a
    lead = lead_services.lead_create(actor=cast.rep, owner=cast.rep, name="Qualified before")
    lead_services.lead_change_status(lead=lead, to_status=LeadStatus.QUALIFIED, actor=cast.rep)
    _require_bant(cast)
    lead.refresh_from_db()
    assert lead.status == LeadStatus.QUALIFIED
    # Leaving and coming back is a new decision, checked again.
    lead = lead_services.lead_change_status(
        lead=lead, to_status=LeadStatus.FOLLOWING_UP, actor=cast.rep
    )
    with pytest.raises(LeadError, match="missing: budget, decision-maker, need, timeline"):
        lead_services.lead_change_status(lead=lead, to_status=LeadStatus.QUALIFIED, actor=cast.rep)


def test_hot_threshold_is_a_tenant_setting(in_tenant_a):
    cast = in_tenant_a
    lead = lead_services.lead_create(actor=cast.rep, owner=cast.rep, name="Warm")
    Lead.objects.filter(pk=lead.pk).update(score=60)
    hot = LeadFilters(scene="mine", hot=True)
    assert not lead_list(user=cast.rep, filters=hot).exists()
    config.lead_settings_update(actor=cast.admin, require_bant_for_qualified=False, hot_score=55)
    assert lead_list(user=cast.rep, filters=hot).exists()
    with pytest.raises(LeadError):
        config.lead_settings_update(actor=cast.admin, require_bant_for_qualified=False, hot_score=0)
    with pytest.raises(LeadError, match="tenant admins"):
        config.lead_settings_update(
            actor=cast.manager, require_bant_for_qualified=False, hot_score=60
        )


def test_lists_grow_and_shrink_but_keep_one_stage(in_tenant_a):
    cast = in_tenant_a
    source = config.list_item_add(actor=cast.admin, kind="sources", name="LinkedIn")
    assert source.code == "linkedin"
    with pytest.raises(LeadError, match="already in the list"):
        config.list_item_add(actor=cast.admin, kind="sources", name="linkedin")
    stages = list(Stage.objects.filter(is_active=True))
    for stage in stages[1:]:
        config.list_item_update(
            actor=cast.admin,
            kind="stages",
            item=stage,
            name=stage.name,
            position=stage.position,
            is_active=False,
        )
    with pytest.raises(LeadError, match="at least one active stage"):
        config.list_item_update(
            actor=cast.admin,
            kind="stages",
            item=stages[0],
            name="Start",
            position=0,
            is_active=False,
        )
    lead = lead_services.lead_create(actor=cast.rep, name="Uses the one stage")
    assert lead.stage == stages[0]
    assert SourceChannel.objects.filter(code="linkedin", is_active=True).exists()


def test_sop_template_from_settings_creates_tasks_on_stage_entry(in_tenant_a):
    cast = in_tenant_a
    proposal = Stage.objects.order_by("position")[4]
    config.sop_template_add(
        actor=cast.admin, stage=proposal, title="Send the proposal", due_in_hours=72
    )
    lead = lead_services.lead_create(actor=cast.rep, owner=cast.rep, name="SOP Lead")
    lead_services.lead_change_stage(lead=lead, stage=proposal, actor=cast.rep)
    assert Task.objects.filter(lead=lead, title="Send the proposal", assignee=cast.rep).count() == 1
    config.sop_template_deactivate(actor=cast.admin, template=SopTemplate.objects.get())
    assert not SopTemplate.objects.filter(is_active=True).exists()


def test_settings_page_for_admins_only(cast_a):
    assert tenant_client(cast_a, cast_a.manager).get("/settings/leads/").status_code == 403
    client = tenant_client(cast_a, cast_a.admin)
    page = client.get("/settings/leads/").content.decode()
    assert "Funnel stages" in page
    client.post("/settings/leads/loss_reasons/", {"name": "Went bankrupt"})
    client.post("/settings/leads/", {"require_bant": "on", "hot_score": "80"})
    with tenant_context(cast_a.tenant):
        assert LossReason.objects.filter(name="Went bankrupt").exists()
        assert LeadSettings.load().require_bant_for_qualified
        assert LeadSettings.load().hot_score == 80
