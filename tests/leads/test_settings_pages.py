"""The tenant admin's lead settings pages: lead settings, stages, sources, loss reasons, SOP
tasks. Every page refuses non-admins; every refused change says why and changes nothing."""

import pytest
from django_tenants.utils import tenant_context

from leads.errors import LeadError
from leads.models import Lead, LeadSettings, LossReason, SopTemplate, SourceChannel, Stage, Task
from leads.services import config
from leads.services import lead as lead_services
from tests.conftest import tenant_client

LISTS = "/settings/leads/lists/"


def _active_names(model) -> list[str]:
    return list(
        model.objects.filter(is_active=True).order_by("position").values_list("name", flat=True)
    )


def test_settings_pages_are_for_tenant_admins_only(cast_a):
    with tenant_context(cast_a.tenant):
        stage = Stage.objects.order_by("position").first()
        template = config.sop_template_add(
            actor=cast_a.admin, stage=stage, title="Call", due_in_hours=24
        )
    pages = ["/settings/leads/", LISTS, f"/settings/leads/sop/{template.uuid}/"]
    posts = [
        "/settings/leads/",
        "/settings/leads/stages/",
        f"/settings/leads/stages/{stage.uuid}/",
        f"/settings/leads/stages/{stage.uuid}/move/",
        f"/settings/leads/stages/{stage.uuid}/deactivate/",
        "/settings/leads/sop/",
        f"/settings/leads/sop/{template.uuid}/deactivate/",
    ]
    for user in (cast_a.manager, cast_a.pool_admin, cast_a.rep):
        client = tenant_client(cast_a, user)
        assert {client.get(url).status_code for url in pages} == {403}
        assert {
            client.post(url, {"name": "X", "direction": "down"}).status_code for url in posts
        } == {403}
    anonymous = tenant_client(cast_a).get(LISTS)
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous.headers["Location"]
    with tenant_context(cast_a.tenant):
        stage.refresh_from_db()
        assert stage.is_active
        assert stage.position == 0
        assert SopTemplate.objects.get().is_active


def test_settings_tabs_lead_to_the_three_lead_pages(cast_a):
    html = tenant_client(cast_a, cast_a.admin).get("/settings/users/").content.decode()
    for href, label in [
        ("/settings/leads/custom-fields/", "Lead fields"),
        (LISTS, "Stages and lists"),
        ("/settings/leads/", "Lead settings"),
    ]:
        assert f'href="{href}"' in html
        assert label in html


# Lead settings


def test_lead_settings_form_saves_and_refuses_an_out_of_range_hot_score(cast_a):
    client = tenant_client(cast_a, cast_a.admin)
    page = client.get("/settings/leads/").content.decode()
    assert 'name="hot_score"' in page
    assert "Funnel stages" in page
    saved = client.post("/settings/leads/", {"require_bant": "on", "hot_score": "85"})
    assert saved.status_code == 302
    for bad, message in [("0", "between 1 and 100"), ("101", "between 1 and 100")]:
        response = client.post("/settings/leads/", {"hot_score": bad})
        assert response.status_code == 200
        assert message in response.content.decode()
    response = client.post("/settings/leads/", {"hot_score": "hot"})
    assert "Enter a whole number." in response.content.decode()
    with tenant_context(cast_a.tenant):
        row = LeadSettings.load()
        assert (row.require_bant_for_qualified, row.hot_score) == (True, 85)


def test_the_hot_threshold_moves_the_hot_filter_of_the_list(cast_a):
    with tenant_context(cast_a.tenant):
        lead = lead_services.lead_create(actor=cast_a.rep, owner=cast_a.rep, name="Warm Lead")
        Lead.objects.filter(pk=lead.pk).update(score=65)
    rep = tenant_client(cast_a, cast_a.rep)
    assert "Warm Lead" not in rep.get("/leads/?hot=1").content.decode()
    tenant_client(cast_a, cast_a.admin).post("/settings/leads/", {"hot_score": "60"})
    assert "Warm Lead" in rep.get("/leads/?hot=1").content.decode()
    tenant_client(cast_a, cast_a.admin).post("/settings/leads/", {"hot_score": "66"})
    assert "Warm Lead" not in rep.get("/leads/?hot=1").content.decode()


# Stages, sources and loss reasons


def test_stages_are_added_renamed_and_reordered_with_up_and_down(cast_a):
    client = tenant_client(cast_a, cast_a.admin)
    client.post("/settings/leads/stages/", {"name": "  Contract   signed "})
    with tenant_context(cast_a.tenant):
        names = _active_names(Stage)
        assert names[-1] == "Contract signed"
        first, second = Stage.objects.filter(is_active=True).order_by("position")[:2]
    client.post(f"/settings/leads/stages/{second.uuid}/move/", {"direction": "up"})
    client.post(f"/settings/leads/stages/{first.uuid}/", {"name": "Cold"})
    with tenant_context(cast_a.tenant):
        assert _active_names(Stage)[:2] == [second.name, "Cold"]
        assert list(Stage.objects.filter(is_active=True).values_list("position", flat=True)) == (
            list(range(len(names)))
        )
        # The first stage is where new leads start.
        lead = lead_services.lead_create(
            actor=cast_a.rep, owner=cast_a.rep, name="Starts at the new first stage"
        )
        assert lead.stage == second
    page = tenant_client(cast_a, cast_a.rep).get(f"/leads/{lead.uuid}/").content.decode()
    assert page.index(second.name) < page.index("Cold")


def test_moving_past_either_end_changes_nothing(in_tenant_a):
    admin = in_tenant_a.admin
    before = _active_names(LossReason)
    first = LossReason.objects.get(name=before[0])
    last = LossReason.objects.get(name=before[-1])
    config.list_item_move(actor=admin, kind="loss_reasons", item=first, direction="up")
    config.list_item_move(actor=admin, kind="loss_reasons", item=last, direction="down")
    assert _active_names(LossReason) == before
    with pytest.raises(LeadError, match="up or down"):
        config.list_item_move(actor=admin, kind="loss_reasons", item=first, direction="left")


def test_a_duplicate_or_empty_name_is_refused(cast_a):
    client = tenant_client(cast_a, cast_a.admin)
    with tenant_context(cast_a.tenant):
        first, second = LossReason.objects.filter(is_active=True).order_by("position")[:2]
        count = LossReason.objects.count()
    response = client.post(
        "/settings/leads/loss_reasons/", {"name": first.name.upper()}, follow=True
    )
    assert f"{first.name.upper()} is already in the list." in response.content.decode()
    response = client.post(
        f"/settings/leads/loss_reasons/{second.uuid}/", {"name": first.name}, follow=True
    )
    assert "is already in the list." in response.content.decode()
    response = client.post(
        f"/settings/leads/loss_reasons/{second.uuid}/", {"name": " "}, follow=True
    )
    assert "Enter a name." in response.content.decode()
    with tenant_context(cast_a.tenant):
        assert LossReason.objects.count() == count
        second.refresh_from_db()
        assert second.name != first.name


def test_the_last_active_stage_cannot_be_deactivated(cast_a):
    client = tenant_client(cast_a, cast_a.admin)
    with tenant_context(cast_a.tenant):
        stages = list(Stage.objects.filter(is_active=True).order_by("position"))
    for stage in stages[1:]:
        client.post(f"/settings/leads/stages/{stage.uuid}/deactivate/")
    response = client.post(f"/settings/leads/stages/{stages[0].uuid}/deactivate/", follow=True)
    html = response.content.decode()
    assert "Keep at least one active stage" in html
    with tenant_context(cast_a.tenant):
        assert _active_names(Stage) == [stages[0].name]
    # The page greys the button out too.
    page = client.get(LISTS).content.decode()
    assert 'disabled title="Keep at least one active stage' in page


def test_a_deactivated_stage_stays_on_its_leads_and_comes_back_at_the_end(cast_a):
    with tenant_context(cast_a.tenant):
        lead = lead_services.lead_create(actor=cast_a.rep, owner=cast_a.rep, name="At stage one")
        stage = lead.stage
    client = tenant_client(cast_a, cast_a.admin)
    response = client.post(
        f"/settings/leads/stages/{stage.uuid}/deactivate/", HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="settings-lists"')
    assert f"{stage.name} deactivated." in html
    assert "1 deactivated" in html
    with tenant_context(cast_a.tenant):
        lead.refresh_from_db()
        assert lead.stage == stage
        assert Stage.objects.filter(pk=stage.pk).exists()
        new_lead = lead_services.lead_create(actor=cast_a.rep, name="Starts at the next stage")
        assert new_lead.stage != stage
    client.post(f"/settings/leads/stages/{stage.uuid}/activate/")
    with tenant_context(cast_a.tenant):
        assert _active_names(Stage)[-1] == stage.name


def test_sources_get_a_permanent_code(cast_a):
    client = tenant_client(cast_a, cast_a.admin)
    client.post("/settings/leads/sources/", {"name": "Douyin live stream"})
    client.post("/settings/leads/sources/", {"name": "Canton Fair", "code": "canton-fair"})
    refused = [
        client.post(
            "/settings/leads/sources/", {"name": "Fair 2", "code": "canton-fair"}, follow=True
        ),
        client.post(
            "/settings/leads/sources/", {"name": "Fair 3", "code": "Canton Fair!"}, follow=True
        ),
    ]
    assert "The code canton-fair is taken." in refused[0].content.decode()
    assert "A code has lower-case letters" in refused[1].content.decode()
    with tenant_context(cast_a.tenant):
        douyin = SourceChannel.objects.get(name="Douyin live stream")
        assert douyin.code == "douyin-live-stream"
        assert not SourceChannel.objects.filter(name__startswith="Fair").exists()
    client.post(f"/settings/leads/sources/{douyin.uuid}/", {"name": "Douyin"})
    with tenant_context(cast_a.tenant):
        douyin.refresh_from_db()
        assert (douyin.name, douyin.code) == ("Douyin", "douyin-live-stream")
    assert "douyin-live-stream" in client.get(LISTS).content.decode()


def test_a_deactivated_loss_reason_is_no_longer_offered(cast_a):
    with tenant_context(cast_a.tenant):
        reason = LossReason.objects.filter(is_active=True).first()
        lead = lead_services.lead_create(actor=cast_a.rep, owner=cast_a.rep, name="Lost one")
    tenant_client(cast_a, cast_a.admin).post(
        f"/settings/leads/loss_reasons/{reason.uuid}/deactivate/"
    )
    page = tenant_client(cast_a, cast_a.rep).get(f"/leads/{lead.uuid}/").content.decode()
    assert f'value="{reason.pk}">{reason.name}</option>' not in page


def test_an_unknown_list_is_a_404(cast_a):
    with tenant_context(cast_a.tenant):
        stage = Stage.objects.first()
    client = tenant_client(cast_a, cast_a.admin)
    assert client.post(f"/settings/leads/teams/{stage.uuid}/", {"name": "X"}).status_code == 404
    assert client.post(f"/settings/leads/sources/{stage.uuid}/", {"name": "X"}).status_code == 404


# SOP task templates


def test_sop_tasks_are_added_edited_and_removed_on_the_page(cast_a):
    with tenant_context(cast_a.tenant):
        proposal = Stage.objects.filter(is_active=True).order_by("position")[4]
        first = Stage.objects.filter(is_active=True).order_by("position").first()
    client = tenant_client(cast_a, cast_a.admin)
    client.post(
        "/settings/leads/sop/",
        {"stage": str(proposal.uuid), "title": "Send the proposal", "due_in_hours": "48"},
    )
    with tenant_context(cast_a.tenant):
        template = SopTemplate.objects.get()
        assert (template.stage, template.due_in_hours) == (proposal, 48)
    page = client.get(LISTS).content.decode()
    assert "Send the proposal" in page
    assert "48 hours" in page
    edit_url = f"/settings/leads/sop/{template.uuid}/"
    assert "Send the proposal" in client.get(edit_url).content.decode()
    refused = client.post(
        edit_url, {"stage": str(first.uuid), "title": "Call back", "due_in_hours": "9999"}
    )
    assert "Due within 1 hour to 90 days." in refused.content.decode()
    saved = client.post(
        edit_url, {"stage": str(first.uuid), "title": "Call back", "due_in_hours": "4"}
    )
    assert saved.status_code == 302
    with tenant_context(cast_a.tenant):
        template.refresh_from_db()
        assert (template.stage, template.title, template.due_in_hours) == (first, "Call back", 4)
        lead = lead_services.lead_create(
            actor=cast_a.rep, owner=cast_a.rep, name="Gets the SOP task"
        )
        assert Task.objects.filter(lead=lead, title="Call back", sop_template=template).exists()
    client.post(f"/settings/leads/sop/{template.uuid}/deactivate/")
    assert client.get(edit_url).status_code == 404
    with tenant_context(cast_a.tenant):
        lead = lead_services.lead_create(actor=cast_a.rep, owner=cast_a.rep, name="No SOP task")
        assert not Task.objects.filter(lead=lead).exists()


def test_sop_tasks_refuse_a_blank_title_and_an_inactive_stage(in_tenant_a):
    admin = in_tenant_a.admin
    stages = list(Stage.objects.filter(is_active=True).order_by("position"))
    with pytest.raises(LeadError, match="Say what is to be done"):
        config.sop_template_add(actor=admin, stage=stages[0], title="  ", due_in_hours=24)
    config.list_item_set_active(actor=admin, kind="stages", item=stages[-1], is_active=False)
    stages[-1].refresh_from_db()
    with pytest.raises(LeadError, match="no longer used"):
        config.sop_template_add(actor=admin, stage=stages[-1], title="Sign", due_in_hours=24)
    with pytest.raises(LeadError, match="tenant admins"):
        config.sop_template_add(
            actor=in_tenant_a.manager, stage=stages[0], title="Call", due_in_hours=24
        )
    assert not SopTemplate.objects.exists()
