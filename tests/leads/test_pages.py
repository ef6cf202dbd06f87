import pytest
from django_tenants.utils import tenant_context

from leads.models import Lead, LeadStatus, Stage
from leads.services import lead as lead_services
from tests.conftest import tenant_client


@pytest.fixture
def leads_a(cast_a):
    with tenant_context(cast_a.tenant):
        mine = lead_services.lead_create(actor=cast_a.rep, owner=cast_a.rep, name="Riley Own Lead")
        theirs = lead_services.lead_create(
            actor=cast_a.teammate, owner=cast_a.teammate, name="Robin Own Lead"
        )
        Lead.objects.filter(pk=mine.pk).update(score=91)
    return mine, theirs


def test_rep_sees_own_leads_not_a_teammates(cast_a, leads_a):
    html = tenant_client(cast_a, cast_a.rep).get("/leads/?scene=all").content.decode()
    assert "Riley Own Lead" in html
    assert "Robin Own Lead" not in html


def test_manager_sees_subordinates_leads(cast_a, leads_a):
    html = tenant_client(cast_a, cast_a.manager).get("/leads/?scene=subordinates").content.decode()
    assert "Riley Own Lead" in html
    assert "Robin Own Lead" in html


def test_rep_cannot_open_a_teammates_lead(cast_a, leads_a):
    _mine, theirs = leads_a
    client = tenant_client(cast_a, cast_a.rep)
    assert client.get(f"/leads/{theirs.uuid}/").status_code == 404
    assert client.post(f"/leads/{theirs.uuid}/activities/", {"kind": "call"}).status_code == 404


def test_filters_live_in_the_url_and_htmx_gets_the_results_only(cast_a, leads_a):
    client = tenant_client(cast_a, cast_a.rep)
    response = client.get("/leads/?hot=1", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="lead-results")
    html = response.content.decode()
    assert "<html" not in html
    assert "Riley Own Lead" in html
    assert "Riley Own Lead" not in client.get("/leads/?status=qualified").content.decode()


def test_search_finds_by_name_fragment(cast_a, leads_a):
    client = tenant_client(cast_a, cast_a.rep)
    assert "Riley Own Lead" in client.get("/leads/?q=own+lea").content.decode()
    assert "Riley Own Lead" not in client.get("/leads/?q=nothing-like-it").content.decode()


def test_create_lead_through_the_form(cast_a):
    client = tenant_client(cast_a, cast_a.rep)
    response = client.post(
        "/leads/new/",
        {
            "name": "张伟",
            "company": "深圳创新有限公司",
            "priority": "normal",
            "email": "zw@example.cn",
        },
    )
    assert response.status_code == 302
    with tenant_context(cast_a.tenant):
        lead = Lead.objects.get(name="张伟")
        assert lead.owner == cast_a.rep
        assert lead.status == LeadStatus.PENDING


def test_log_call_from_the_detail_page(cast_a, leads_a):
    mine, _ = leads_a
    client = tenant_client(cast_a, cast_a.rep)
    response = client.post(
        f"/leads/{mine.uuid}/activities/",
        {"kind": "call", "outcome": "connected", "duration_minutes": "5", "body": "Wants a demo"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="lead-main",
    )
    assert "Wants a demo" in response.content.decode()
    assert "Logged." in response.content.decode()  # the confirmation comes with the swap
    with tenant_context(cast_a.tenant):
        mine.refresh_from_db()
        assert mine.status == LeadStatus.FOLLOWING_UP


def test_marking_lost_without_reason_shows_the_message_and_changes_nothing(cast_a, leads_a):
    mine, _ = leads_a
    client = tenant_client(cast_a, cast_a.rep)
    page = client.post(f"/leads/{mine.uuid}/status/", {"status": "lost"}, follow=True)
    assert "Choose why the lead was lost." in page.content.decode()
    with tenant_context(cast_a.tenant):
        mine.refresh_from_db()
        assert mine.status == LeadStatus.PENDING


def test_stage_bar_advances_the_stage(cast_a, leads_a):
    mine, _ = leads_a
    with tenant_context(cast_a.tenant):
        target = Stage.objects.order_by("position")[3]
    tenant_client(cast_a, cast_a.rep).post(
        f"/leads/{mine.uuid}/stage/", {"stage": str(target.uuid)}
    )
    with tenant_context(cast_a.tenant):
        mine.refresh_from_db()
        assert mine.stage == target


def test_rep_cannot_assign_a_lead_to_someone_outside_their_line(cast_a, leads_a):
    mine, _ = leads_a
    client = tenant_client(cast_a, cast_a.rep)
    page = client.post(
        f"/leads/{mine.uuid}/assign/", {"owner": str(cast_a.teammate.uuid)}, follow=True
    )
    assert "only to yourself or your team" in page.content.decode()
    with tenant_context(cast_a.tenant):
        mine.refresh_from_db()
        assert mine.owner == cast_a.rep


def test_home_shows_the_reps_workload(cast_a):
    from django.utils import timezone

    with tenant_context(cast_a.tenant):
        late = lead_services.lead_create(actor=cast_a.rep, owner=cast_a.rep, name="Late Lead")
        Lead.objects.filter(pk=late.pk).update(
            next_follow_up_at=timezone.now() - timezone.timedelta(days=1)
        )
        lead_services.lead_create(actor=cast_a.rep, owner=cast_a.rep, name="Fresh Lead")
        from leads.selectors import lead_workload

        workload = lead_workload(user=cast_a.rep)
    assert workload["open"] == 2
    assert workload["overdue"] == 1
    assert workload["pending"] == 2
    html = tenant_client(cast_a, cast_a.rep).get("/").content.decode()
    assert "Overdue follow-ups" in html
    assert 'href="/tasks/#tasks-overdue"' in html  # what is due lives on My tasks


def test_change_history_tab_lists_what_changed(cast_a, leads_a):
    mine, _ = leads_a
    with tenant_context(cast_a.tenant):
        lead_services.lead_update(lead=mine, actor=cast_a.rep, company="Xinghe Group")
    html = (
        tenant_client(cast_a, cast_a.rep).get(f"/leads/{mine.uuid}/?tab=history").content.decode()
    )
    assert "Company" in html
    assert "Xinghe Group" in html
