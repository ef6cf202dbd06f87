"""One selector decides what each role sees; every refusal is tested."""

import pytest
from django_tenants.utils import tenant_context

from leadcrm.accounts.services import team_create, user_create
from leadcrm.notifications.models import Notification
from leads.errors import LeadError
from leads.models import LeadStatus
from leads.selectors import (
    lead_can_write,
    leads_participating,
    leads_shared_with,
    leads_visible_to,
)
from leads.services import lead as lead_services
from leads.services.comments import comment_add, mentions_find
from leads.services.sharing import lead_member_add, lead_member_remove, sharing_rule_create
from tests.conftest import tenant_client


@pytest.fixture
def world(in_tenant_a):
    cast = in_tenant_a
    rep_lead = lead_services.lead_create(actor=cast.rep, owner=cast.rep, name="Rep Lead")
    mate_lead = lead_services.lead_create(
        actor=cast.teammate, owner=cast.teammate, name="Mate Lead"
    )
    void_lead = lead_services.lead_create(actor=cast.rep, owner=cast.rep, name="Void Lead")
    lead_services.lead_change_status(lead=void_lead, to_status=LeadStatus.VOID, actor=cast.rep)
    return cast, rep_lead, mate_lead, void_lead


def names(qs):
    return set(qs.values_list("name", flat=True))


def test_rep_sees_only_own_leads_and_never_void(world):
    cast, *_ = world
    assert names(leads_visible_to(cast.rep)) == {"Rep Lead"}


def test_manager_sees_the_team_admin_sees_all_including_void(world):
    cast, *_ = world
    assert names(leads_visible_to(cast.manager)) == {"Rep Lead", "Mate Lead"}
    assert names(leads_visible_to(cast.admin)) == {"Rep Lead", "Mate Lead", "Void Lead"}


@pytest.mark.usefixtures("world")
def test_team_manager_sees_members_without_a_reporting_line():
    lead_of_team = team_create(name="Northwind", manager=None)
    boss = user_create(email="boss@alpha.example.com", full_name="Boss", roles=["manager"])
    lead_of_team.manager = boss
    lead_of_team.save()
    loner = user_create(email="loner@alpha.example.com", full_name="Loner", roles=["sales_rep"])
    loner.team = lead_of_team
    loner.save()  # no reports_to on purpose
    lead_services.lead_create(actor=loner, owner=loner, name="Loner Lead")
    assert "Loner Lead" in names(leads_visible_to(boss))


def test_related_member_sees_the_lead_read_only_or_read_write(world):
    cast, rep_lead, *_ = world
    lead_member_add(lead=rep_lead, user=cast.teammate, access="read", actor=cast.rep)
    assert "Rep Lead" in names(leads_visible_to(cast.teammate))
    assert names(leads_participating(cast.teammate)) == {"Rep Lead"}
    assert not lead_can_write(cast.teammate, rep_lead)
    lead_member_add(lead=rep_lead, user=cast.teammate, access="write", actor=cast.rep)
    assert lead_can_write(cast.teammate, rep_lead)
    lead_member_remove(lead=rep_lead, user=cast.teammate, actor=cast.rep)
    assert "Rep Lead" not in names(leads_visible_to(cast.teammate))


def test_member_added_is_notified_once(world):
    cast, rep_lead, *_ = world
    lead_member_add(lead=rep_lead, user=cast.teammate, access="read", actor=cast.rep)
    lead_member_add(lead=rep_lead, user=cast.teammate, access="write", actor=cast.rep)
    assert Notification.objects.filter(recipient=cast.teammate).count() == 1


def test_only_owner_or_admin_manages_the_lead_team(world):
    cast, rep_lead, *_ = world
    with pytest.raises(LeadError, match="owner or a tenant admin"):
        lead_member_add(lead=rep_lead, user=cast.pool_admin, access="read", actor=cast.manager)


def test_sharing_rule_from_a_person_to_a_person(world):
    cast, *_ = world
    sharing_rule_create(
        actor=cast.admin, name="Cover", access="read", from_user=cast.rep, to_user=cast.teammate
    )
    assert names(leads_shared_with(cast.teammate)) == {"Rep Lead"}
    assert "Rep Lead" in names(leads_visible_to(cast.teammate))
    rep_lead = leads_visible_to(cast.teammate).get(name="Rep Lead")
    assert not lead_can_write(cast.teammate, rep_lead)


def test_sharing_rule_from_a_team_to_a_team_with_write(world):
    cast, *_ = world
    other = team_create(name="Support")
    helper = user_create(
        email="helper@alpha.example.com", full_name="Helper", roles=["sales_rep"], team=other
    )
    sharing_rule_create(
        actor=cast.admin,
        name="Sales to support",
        access="write",
        from_team=cast.team,
        to_team=other,
    )
    visible = leads_visible_to(helper)
    assert names(visible) == {"Rep Lead", "Mate Lead"}  # never the void one
    assert lead_can_write(helper, visible.get(name="Mate Lead"))


def test_only_admins_create_sharing_rules(world):
    cast, *_ = world
    with pytest.raises(LeadError, match="tenant admins"):
        sharing_rule_create(
            actor=cast.manager, name="x", access="read", from_user=cast.rep, to_user=cast.manager
        )


def test_mentions_are_found_by_name_or_email_and_longest_wins(world):
    cast, *_ = world
    found = mentions_find(f"Please call back @{cast.teammate.full_name} and @rep1 today")
    assert {u.pk for u in found} == {cast.teammate.pk, cast.rep.pk}
    assert mentions_find("mail me at someone@rep1.com") == []


def test_mention_notifies_only_people_who_can_see_the_lead(
    world, django_capture_on_commit_callbacks
):
    cast, rep_lead, *_ = world
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        comment_add(
            lead=rep_lead,
            author=cast.rep,
            body=f"@{cast.manager.full_name} can you join? @{cast.teammate.full_name} FYI",
        )
    assert Notification.objects.filter(recipient=cast.manager, kind="mention").count() == 1
    assert not Notification.objects.filter(recipient=cast.teammate).exists()  # cannot see it
    assert [m.to for m in mail.outbox] == [[cast.manager.email]]


def test_comment_pages_and_refusals(cast_a):
    with tenant_context(cast_a.tenant):
        lead = lead_services.lead_create(actor=cast_a.rep, owner=cast_a.rep, name="Talk Lead")
    client = tenant_client(cast_a, cast_a.rep)
    client.post(f"/leads/{lead.uuid}/comments/", {"body": "Budget approved!"})
    page = client.get(f"/leads/{lead.uuid}/?tab=comments").content.decode()
    assert "Budget approved!" in page
    outsider = tenant_client(cast_a, cast_a.teammate)
    assert outsider.post(f"/leads/{lead.uuid}/comments/", {"body": "x"}).status_code == 404


def test_sharing_rules_page_is_for_admins(cast_a):
    assert tenant_client(cast_a, cast_a.manager).get("/settings/sharing/").status_code == 403
    client = tenant_client(cast_a, cast_a.admin)
    response = client.post(
        "/settings/sharing/",
        {
            "name": "Cover Riley",
            "access": "read",
            "from_user": str(cast_a.rep.uuid),
            "to_user": str(cast_a.teammate.uuid),
        },
        follow=True,
    )
    assert "Cover Riley" in response.content.decode()


def test_member_panel_add_through_the_page(cast_a):
    with tenant_context(cast_a.tenant):
        lead = lead_services.lead_create(actor=cast_a.rep, owner=cast_a.rep, name="Panel Lead")
    mate = tenant_client(cast_a, cast_a.teammate)
    assert mate.get(f"/leads/{lead.uuid}/").status_code == 404
    owner = tenant_client(cast_a, cast_a.rep)
    owner.post(
        f"/leads/{lead.uuid}/members/", {"user": str(cast_a.teammate.uuid), "access": "write"}
    )
    assert mate.get(f"/leads/{lead.uuid}/").status_code == 200
    assert (
        mate.post(
            f"/leads/{lead.uuid}/members/",
            {"user": str(cast_a.manager.uuid), "access": "read"},
            follow=True,
        ).status_code
        == 200
    )  # refused with a message: only the owner manages the team
    with tenant_context(cast_a.tenant):
        assert not lead.members.filter(user=cast_a.manager).exists()
