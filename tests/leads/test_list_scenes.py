"""Scenes of the list, sortable headers that keep the filters, and a page that stays cheap."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from leadcrm.accounts.services import team_create, user_create
from leads.models import Lead, LeadStatus, LossReason
from leads.selectors import LeadFilters, lead_list
from leads.services import lead as lead_services
from leads.services.sharing import lead_member_add, sharing_rule_create
from tests.conftest import tenant_client

S = LeadStatus


def names(user, **query):
    return set(
        lead_list(user=user, filters=LeadFilters.from_query(query)).values_list("name", flat=True)
    )


def _lead(owner, name, *, status=None, due_in_days=None):
    lead = lead_services.lead_create(actor=owner, owner=owner, name=name)
    if status:
        lead_services.lead_change_status(
            lead=lead, to_status=status, actor=owner, loss_reason=LossReason.objects.first()
        )
    if due_in_days is not None:
        due = timezone.now() + timezone.timedelta(days=due_in_days)
        Lead.objects.filter(pk=lead.pk).update(next_follow_up_at=due)
    return lead


def test_awaiting_my_follow_up_is_my_pending_and_following_up_leads(in_tenant_a):
    cast = in_tenant_a
    _lead(cast.rep, "Pending")
    _lead(cast.rep, "Due yesterday", status=S.FOLLOWING_UP, due_in_days=-1)
    _lead(cast.rep, "Due next week", status=S.FOLLOWING_UP, due_in_days=7)
    _lead(cast.rep, "Lost and due", status=S.LOST, due_in_days=-1)
    _lead(cast.teammate, "Mate pending")
    # The reference CRM's scene: my leads Pending or Following up, whenever they are due.
    assert names(cast.rep, scene="follow_up") == {"Pending", "Due yesterday", "Due next week"}
    assert names(cast.manager, scene="follow_up") == set()  # mine means mine, even to a boss


def test_my_overdue_is_open_leads_past_their_follow_up(in_tenant_a):
    cast = in_tenant_a
    _lead(cast.rep, "Overdue", status=S.FOLLOWING_UP, due_in_days=-2)
    _lead(cast.rep, "Not yet", status=S.FOLLOWING_UP, due_in_days=2)
    _lead(cast.rep, "Closed", status=S.LOST, due_in_days=-2)
    _lead(cast.teammate, "Mate overdue", status=S.FOLLOWING_UP, due_in_days=-2)
    assert names(cast.rep, scene="my_overdue") == {"Overdue"}


def test_my_department_is_my_team_and_its_sub_teams(in_tenant_a):
    cast = in_tenant_a
    north = team_create(name="North", parent=cast.team)
    northerner = user_create(
        email="north@alpha.example.com", full_name="Nora North", roles=["sales_rep"], team=north
    )
    outsider = user_create(email="out@alpha.example.com", full_name="Oz", roles=["sales_rep"])
    _lead(cast.rep, "Rep Lead")
    _lead(northerner, "North Lead")
    _lead(outsider, "Outside Lead")
    cast.admin.team = north
    cast.admin.save()
    assert names(cast.admin, scene="department") == {"North Lead"}
    cast.admin.team = cast.team
    cast.admin.save()
    assert names(cast.admin, scene="department") == {"Rep Lead", "North Lead"}
    # A rep's department is narrowed by what the rep may see: their own leads.
    assert names(cast.rep, scene="department") == {"Rep Lead"}
    assert names(outsider, scene="department") == {"Outside Lead"}  # no team: their own


def test_shared_with_me_and_i_participate_in(in_tenant_a):
    cast = in_tenant_a
    shared = _lead(cast.rep, "Shared Lead")
    joined = _lead(cast.manager, "Joined Lead")
    _lead(cast.teammate, "Own Lead")
    sharing_rule_create(
        actor=cast.admin,
        name="Riley to Robin",
        access="read",
        from_user=cast.rep,
        to_user=cast.teammate,
    )
    lead_member_add(lead=joined, user=cast.teammate, access="read", actor=cast.manager)
    assert names(cast.teammate, scene="shared") == {shared.name}
    assert names(cast.teammate, scene="participating") == {joined.name}
    assert names(cast.teammate, scene="mine") == {"Own Lead"}
    assert names(cast.teammate, scene="all") == {"Shared Lead", "Joined Lead", "Own Lead"}


def test_all_shows_void_leads_to_admins_only(in_tenant_a):
    cast = in_tenant_a
    _lead(cast.rep, "Void Lead", status=S.VOID)
    _lead(cast.rep, "Live Lead")
    assert names(cast.admin, scene="all") == {"Void Lead", "Live Lead"}
    assert names(cast.rep, scene="all") == {"Live Lead"}


def test_unknown_scene_falls_back_to_mine(in_tenant_a):
    cast = in_tenant_a
    _lead(cast.rep, "Rep Lead")
    _lead(cast.teammate, "Mate Lead")
    assert names(cast.manager, scene="everything") == set()
    assert names(cast.rep, scene="everything") == {"Rep Lead"}


@pytest.mark.parametrize("scene", ["follow_up", "my_overdue", "shared", "participating"])
def test_scene_tabs_are_links_that_keep_the_other_filters(cast_a, scene):
    html = tenant_client(cast_a, cast_a.rep).get("/leads/?hot=1&page=2").content.decode()
    assert f'href="?hot=1&amp;scene={scene}"' in html


def test_sort_headers_keep_the_filters_and_mark_the_current_sort(cast_a):
    client = tenant_client(cast_a, cast_a.rep)
    html = client.get("/leads/?status=new&hot=1&sort=activity&page=2").content.decode()
    for key in ("score", "created", "activity", "due"):
        assert f'href="?status=new&amp;hot=1&amp;sort={key}"' in html
    assert re.search(
        r'<th [^>]*aria-sort="descending"><a class="sort-link"[^>]*sort=activity"', html
    )
    assert "??" not in html  # querystring already starts with "?"


def test_rows_cost_no_queries_per_lead(cast_a):
    client = tenant_client(cast_a, cast_a.admin)
    with tenant_context(cast_a.tenant):
        _lead(cast_a.rep, "First")
    client.get("/leads/?scene=all")  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/leads/?scene=all").status_code == 200
    with tenant_context(cast_a.tenant):
        for i in range(25):
            _lead(cast_a.rep if i % 2 else cast_a.teammate, f"Lead {i}", due_in_days=i - 3)
    with CaptureQueriesContext(connection) as many:
        assert "Lead 24" in client.get("/leads/?scene=all").content.decode()
    assert len(many) == len(few)
    counts = [q["sql"] for q in many.captured_queries if "COUNT(" in q["sql"].upper()]
    # Only the navigation's due badge counts (the user's own due items), never the listed leads.
    assert all(' AS "later"' in sql for sql in counts)


def test_the_page_has_the_shortcut_help_and_no_inline_script_or_style(cast_a):
    response = tenant_client(cast_a, cast_a.rep).get("/leads/")
    html = response.content.decode()
    assert 'id="shortcut-help"' in html
    assert "data-shortcut-help" in html
    assert 'class="kbd">j</span>' in html
    assert "data-shortcut-new" in html
    assert "<script>" not in html
    assert " style=" not in html
    assert "script-src 'self'" in response["Content-Security-Policy"]
