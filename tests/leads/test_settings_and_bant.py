import pytest
from django_tenants.utils import tenant_context

from leads.errors import LeadError
from leads.models import Lead, LeadSettings, LeadStatus, SopTemplate, SourceChannel, Stage, Task
from leads.selectors import LeadFilters, lead_list
from leads.services import config
from leads.services import lead as lead_services
from tests.conftest import tenant_client


def test_qualified_needs_bant_only_when_the_tenant_requires_it(in_tenant_a):
    cast = in_tenant_a
    lead = lead_services.lead_create(actor=cast.rep, owner=cast.rep, name="Bant Lead")
    config.lead_settings_update(actor=cast.admin, require_bant_for_qualified=True, hot_score=70)
    with pytest.raises(LeadError, match="missing: budget, decision-maker, need, timeline"):
        lead_services.lead_change_status(lead=lead, to_status=LeadStatus.QUALIFIED, actor=cast.rep)
    lead_services.lead_bant_update(
        lead=lead, actor=cast.rep, budget=True, authority=True, need=True, timeline=False
    )
    with pytest.raises(LeadError, match="missing: timeline"):
        lead_services.lead_change_status(lead=lead, to_status=LeadStatus.QUALIFIED, actor=cast.rep)
    lead_services.lead_bant_update(
        lead=lead, actor=cast.rep, budget=True, authority=True, need=True, timeline=True
    )
    lead = lead_services.lead_change_status(
        lead=lead, to_status=LeadStatus.QUALIFIED, actor=cast.rep
    )
    assert lead.status == LeadStatus.QUALIFIED
    assert lead.history.filter(bant_timeline=True).exists()


def test_bant_checklist_saves_through_the_page_and_refuses_readers(cast_a):
    with tenant_context(cast_a.tenant):
        lead = lead_services.lead_create(actor=cast_a.rep, owner=cast_a.rep, name="Page Bant")
    response = tenant_client(cast_a, cast_a.rep).post(
        f"/leads/{lead.uuid}/bant/", {"budget": "on", "need": "on"}, HTTP_HX_REQUEST="true"
    )
    assert 'id="lead-bant"' in response.content.decode()
    with tenant_context(cast_a.tenant):
        lead.refresh_from_db()
        assert (lead.bant_budget, lead.bant_authority, lead.bant_need) == (True, False, True)
    assert (
        tenant_client(cast_a, cast_a.teammate).post(f"/leads/{lead.uuid}/bant/").status_code == 404
    )


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
        from leads.models import LossReason

        assert LossReason.objects.filter(name="Went bankrupt").exists()
        assert LeadSettings.load().require_bant_for_qualified
        assert LeadSettings.load().hot_score == 80
