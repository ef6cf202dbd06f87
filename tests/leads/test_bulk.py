"""Bulk actions go through the single-lead services, lead by lead, and refuse what the actor
may not write (including leads of another tenant) without undoing the rest."""

import pytest
from django.utils import translation
from django_tenants.utils import tenant_context

from leadcrm.notifications.models import Notification
from leads.errors import LeadError
from leads.models import Lead, LeadStatus, LossReason
from leads.services import lead as lead_services
from leads.services.bulk import lead_bulk_action
from leads.services.sharing import lead_member_add
from tests.conftest import tenant_client

S = LeadStatus


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared in English, whatever language an earlier request left active."""
    with translation.override("en"):
        yield


@pytest.fixture
def rep_leads(in_tenant_a):
    cast = in_tenant_a
    return [
        lead_services.lead_create(actor=cast.rep, owner=cast.rep, name=name, tags=["expo"])
        for name in ("Li Na", "Wang Fang", "Zhang Wei")
    ]


def test_bulk_assign_moves_every_lead_and_notifies_the_new_owner_once(in_tenant_a, rep_leads):
    cast = in_tenant_a
    result = lead_bulk_action(
        actor=cast.manager,
        uuids=[lead.uuid for lead in rep_leads],
        action="assign",
        owner=cast.teammate,
    )
    assert (result.done, result.refused) == (3, [])
    assert set(Lead.objects.filter(owner=cast.teammate).values_list("name", flat=True)) == {
        "Li Na",
        "Wang Fang",
        "Zhang Wei",
    }
    notes = Notification.objects.filter(recipient=cast.teammate, kind="lead_assigned")
    assert [n.title for n in notes] == ["3 new leads for you"]
    assert Lead.history.filter(owner_id=cast.teammate.pk, history_user_id=cast.manager.pk).count()


def test_bulk_assign_to_someone_outside_the_actors_line_touches_nothing(in_tenant_a, rep_leads):
    cast = in_tenant_a
    with pytest.raises(LeadError, match="only to yourself or your team"):
        lead_bulk_action(
            actor=cast.rep, uuids=[rep_leads[0].uuid], action="assign", owner=cast.teammate
        )
    assert not Lead.objects.filter(owner=cast.teammate).exists()


def test_bulk_status_refuses_an_illegal_transition_and_keeps_the_others(in_tenant_a, rep_leads):
    cast = in_tenant_a
    invalid = rep_leads[2]
    lead_services.lead_change_status(lead=invalid, to_status=S.INVALID, actor=cast.rep)
    result = lead_bulk_action(
        actor=cast.rep,
        uuids=[lead.uuid for lead in rep_leads],
        action="status",
        to_status=S.NURTURE,
    )
    assert result.done == 2
    assert [(r.label, r.reason) for r in result.refused] == [
        ("Zhang Wei", "A lead cannot go from Invalid to Nurture.")
    ]
    statuses = dict(Lead.objects.values_list("name", "status"))
    assert statuses == {"Li Na": S.NURTURE, "Wang Fang": S.NURTURE, "Zhang Wei": S.INVALID}
    assert result.summary() == (
        "2 leads updated, 1 refused: A lead cannot go from Invalid to Nurture. (Zhang Wei)"
    )


def test_bulk_lost_needs_a_reason_and_records_it(in_tenant_a, rep_leads):
    cast = in_tenant_a
    uuids = [lead.uuid for lead in rep_leads]
    with pytest.raises(LeadError, match="why the lead was lost"):
        lead_bulk_action(actor=cast.rep, uuids=uuids, action="status", to_status=S.LOST)
    reason = LossReason.objects.first()
    result = lead_bulk_action(
        actor=cast.rep, uuids=uuids, action="status", to_status=S.LOST, loss_reason=reason
    )
    assert result.done == 3
    assert set(Lead.objects.values_list("loss_reason", flat=True)) == {reason.pk}


def test_bulk_tag_adds_the_tag_once_and_keeps_the_others(in_tenant_a, rep_leads):
    cast = in_tenant_a
    uuids = [lead.uuid for lead in rep_leads]
    for _ in range(2):
        result = lead_bulk_action(actor=cast.rep, uuids=uuids, action="tag", tag="  展会 2026 ")
        assert result.done == 3
    assert {tuple(tags) for tags in Lead.objects.values_list("tags", flat=True)} == {
        ("expo", "展会 2026")
    }


def test_bulk_void_voids_and_a_second_void_is_refused(in_tenant_a, rep_leads):
    cast = in_tenant_a
    uuids = [lead.uuid for lead in rep_leads]
    assert lead_bulk_action(actor=cast.rep, uuids=uuids, action="void").done == 3
    assert set(Lead.objects.values_list("status", flat=True)) == {S.VOID}
    # Void leads vanish from a rep's sight: a second try is "not yours", not an error page.
    again = lead_bulk_action(actor=cast.rep, uuids=uuids, action="void")
    assert again.done == 0
    assert {r.reason for r in again.refused} == {"not yours"}


def test_leads_the_actor_cannot_write_are_refused_as_not_yours(in_tenant_a, rep_leads):
    cast = in_tenant_a
    hidden = lead_services.lead_create(actor=cast.teammate, owner=cast.teammate, name="Mate Lead")
    read_only = lead_services.lead_create(actor=cast.teammate, owner=cast.teammate, name="Shown")
    lead_member_add(lead=read_only, user=cast.rep, access="read", actor=cast.teammate)
    result = lead_bulk_action(
        actor=cast.rep,
        uuids=[rep_leads[0].uuid, hidden.uuid, read_only.uuid, "not-a-uuid"],
        action="tag",
        tag="hot",
    )
    assert result.done == 1
    assert len(result.refused) == 3
    assert {r.reason for r in result.refused} == {"not yours"}
    # The one the rep can see is named; the hidden one and the garbage are not.
    assert sorted(r.label for r in result.refused) == ["", "", "Shown"]
    assert Lead.objects.get(pk=hidden.pk).tags == []
    assert Lead.objects.get(pk=read_only.pk).tags == []


def test_leads_of_another_tenant_are_refused_and_untouched(cast_a, cast_b):
    with tenant_context(cast_b.tenant):
        theirs = lead_services.lead_create(actor=cast_b.rep, owner=cast_b.rep, name="Beta Lead")
    with tenant_context(cast_a.tenant):
        result = lead_bulk_action(actor=cast_a.admin, uuids=[theirs.uuid], action="void")
    assert (result.done, [r.reason for r in result.refused]) == (0, ["not yours"])
    with tenant_context(cast_b.tenant):
        assert Lead.objects.get(pk=theirs.pk).status == S.PENDING


def test_bulk_view_shows_the_result_and_keeps_the_filters(cast_a, rep_leads):
    with tenant_context(cast_a.tenant):
        lead_services.lead_change_status(lead=rep_leads[2], to_status=S.INVALID, actor=cast_a.rep)
    client = tenant_client(cast_a, cast_a.rep)
    response = client.post(
        "/leads/bulk/",
        {
            "action": "status",
            "status": "nurture",
            "lead": [str(lead.uuid) for lead in rep_leads],
            "next": "scene=mine&hot=1",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/leads/?scene=mine&hot=1"
    page = client.get(response.headers["Location"]).content.decode()
    assert "2 leads updated, 1 refused: A lead cannot go from Invalid to Nurture." in page


def test_bulk_view_refuses_another_tenants_admin_and_needs_csrf(cast_a, cast_b, rep_leads):
    client_b = tenant_client(cast_b, cast_b.admin)
    response = client_b.post(
        "/leads/bulk/", {"action": "void", "lead": [str(rep_leads[0].uuid)]}, follow=True
    )
    assert "0 leads updated, 1 refused: not yours (1)" in response.content.decode()
    strict = tenant_client(cast_a, cast_a.rep)
    strict.handler.enforce_csrf_checks = True
    assert strict.post("/leads/bulk/", {"action": "void"}).status_code == 403
    with tenant_context(cast_a.tenant):
        assert Lead.objects.get(pk=rep_leads[0].pk).status == S.PENDING


def test_list_page_has_the_checkboxes_and_the_bulk_bar(cast_a, rep_leads):
    html = tenant_client(cast_a, cast_a.rep).get("/leads/").content.decode()
    assert "data-check-all" in html
    assert html.count('name="lead" value="') == 3
    assert 'id="bulk-form"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'src="/static/js/leads.js"' in html
