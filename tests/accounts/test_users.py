import re

import pytest
from django.core import mail
from django_tenants.utils import tenant_context

from leadcrm.accounts import services
from leadcrm.accounts.errors import AccountsError
from leadcrm.accounts.models import Team, User
from leadcrm.accounts.roles import Role
from leadcrm.accounts.selectors import user_subordinates
from tests.conftest import PASSWORD, tenant_client


def test_admin_creates_a_user_with_a_password(cast_a):
    client = tenant_client(cast_a, cast_a.admin)
    response = client.post(
        "/settings/users/new/",
        {
            "email": "New.Rep@Alpha.example.com",
            "full_name": "Nina New",
            "roles": [Role.SALES_REP],
            "team": cast_a.team.pk,
            "password": PASSWORD,
        },
    )
    assert response.status_code == 302
    with tenant_context(cast_a.tenant):
        user = User.objects.get(email="new.rep@alpha.example.com")
        assert user.team == cast_a.team
        assert user.reports_to == cast_a.manager  # the team's manager by default
    assert tenant_client(cast_a).login(username="new.rep@alpha.example.com", password=PASSWORD)


def test_a_weak_password_shows_with_the_other_problems_of_the_new_user_form(cast_a):
    client = tenant_client(cast_a, cast_a.admin)
    response = client.post(
        "/settings/users/new/",
        {"email": "no-at-sign", "full_name": "Nina New", "password": "12345678"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "email" in errors
    assert "roles" in errors
    assert "password" in errors
    with tenant_context(cast_a.tenant):
        assert not User.objects.filter(full_name="Nina New").exists()


def test_invited_user_sets_a_password_through_the_emailed_link(
    cast_a, django_capture_on_commit_callbacks
):
    admin_client = tenant_client(cast_a, cast_a.admin)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            "/settings/users/new/",
            {
                "email": "invitee@alpha.example.com",
                "full_name": "Ivy Invitee",
                "roles": ["sales_rep"],
            },
        )
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    link = re.search(r"https://alpha\.localhost(/accounts/password-reset/\S+)", body)
    assert link, body
    client = tenant_client(cast_a)
    form_page = client.get(link.group(1), follow=True)
    assert "Choose a password" in form_page.content.decode()
    done = client.post(
        form_page.wsgi_request.path,
        {"new_password1": "Blue-Whale-2099", "new_password2": "Blue-Whale-2099"},
    )
    assert done.status_code == 302
    assert tenant_client(cast_a).login(
        username="invitee@alpha.example.com", password="Blue-Whale-2099"
    )


def test_password_reset_by_email(cast_a):
    client = tenant_client(cast_a)
    client.post("/accounts/password-reset/", {"email": cast_a.rep.email})
    assert len(mail.outbox) == 1
    link = re.search(
        r"https?://alpha\.localhost(/accounts/password-reset/\S+)", mail.outbox[0].body
    )
    page = client.get(link.group(1), follow=True)
    client.post(
        page.wsgi_request.path,
        {"new_password1": "Red-Panda-7781", "new_password2": "Red-Panda-7781"},
    )
    assert tenant_client(cast_a).login(username=cast_a.rep.email, password="Red-Panda-7781")


def test_password_reset_for_another_tenants_email_sends_nothing(cast_a, cast_b):
    tenant_client(cast_b).post("/accounts/password-reset/", {"email": cast_a.rep.email})
    assert mail.outbox == []


def test_duplicate_email_is_refused(in_tenant_a):
    with pytest.raises(AccountsError, match="already exists"):
        services.user_create(
            email=in_tenant_a.rep.email.upper(), full_name="X", roles=["sales_rep"]
        )


def test_rep_cannot_open_settings(cast_a):
    client = tenant_client(cast_a, cast_a.rep)
    assert client.get("/settings/users/").status_code == 403
    assert client.post("/settings/users/new/", {"email": "x@y.com"}).status_code == 403
    with tenant_context(cast_a.tenant):
        assert not User.objects.filter(email="x@y.com").exists()


def test_manager_sees_subordinates_through_the_whole_line(in_tenant_a):
    cast = in_tenant_a
    lead_rep = services.user_create(
        email="lead@alpha.example.com",
        full_name="Lee Lead",
        roles=["sales_rep"],
        reports_to=cast.rep,
    )
    below = {u.email for u in user_subordinates(cast.manager)}
    assert {cast.rep.email, cast.teammate.email, cast.pool_admin.email, lead_rep.email} <= below
    assert cast.admin.email not in below
    assert {u.email for u in user_subordinates(cast.rep)} == {lead_rep.email}


def test_reporting_to_own_subordinate_is_refused(in_tenant_a):
    cast = in_tenant_a
    with pytest.raises(AccountsError, match="reports to them"):
        services.user_update(
            user=cast.manager,
            actor=cast.admin,
            full_name=cast.manager.full_name,
            roles=cast.manager.roles,
            team=None,
            reports_to=cast.rep,
        )


def test_last_tenant_admin_cannot_be_demoted(in_tenant_a):
    cast = in_tenant_a
    with pytest.raises(AccountsError, match="at least one active tenant admin"):
        services.user_update(
            user=cast.admin,
            actor=cast.manager,
            full_name=cast.admin.full_name,
            roles=[Role.SALES_REP],
            team=None,
            reports_to=None,
        )
    cast.admin.refresh_from_db()
    assert cast.admin.is_tenant_admin


def test_role_changes_are_kept_in_history(in_tenant_a):
    cast = in_tenant_a
    services.user_update(
        user=cast.rep,
        actor=cast.admin,
        full_name=cast.rep.full_name,
        roles=[Role.SALES_REP, Role.POOL_ADMIN],
        team=cast.team,
        reports_to=cast.manager,
    )
    latest = cast.rep.history.first()
    delta = latest.diff_against(latest.prev_record)
    assert [c.field for c in delta.changes] == ["roles"]
    assert delta.changes[0].new == [Role.SALES_REP, Role.POOL_ADMIN]


def test_new_team_manager_takes_over_the_members_line(in_tenant_a):
    cast = in_tenant_a
    boss = services.user_create(
        email="boss@alpha.example.com", full_name="Bo Boss", roles=["manager"]
    )
    services.team_update(
        team=cast.team, name=cast.team.name, kind=Team.Kind.TEAM, parent=None, manager=boss
    )
    cast.rep.refresh_from_db()
    assert cast.rep.reports_to == boss


def test_team_cannot_be_part_of_its_own_subteam(in_tenant_a):
    cast = in_tenant_a
    child = services.team_create(name="Child", parent=cast.team)
    with pytest.raises(AccountsError, match="part of itself"):
        services.team_update(
            team=cast.team, name=cast.team.name, kind="team", parent=child, manager=None
        )


def test_user_list_search_answers_htmx_with_the_table_only(cast_a):
    client = tenant_client(cast_a, cast_a.admin)
    response = client.get("/settings/users/?q=riley", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="user-table"' in html
    assert "<html" not in html
    assert cast_a.rep.full_name in html
    assert cast_a.teammate.full_name not in html


def test_language_choice_is_kept_per_user(cast_a):
    client = tenant_client(cast_a, cast_a.rep)
    client.post("/accounts/language/", {"language": "zh-hans", "next": "/"})
    with tenant_context(cast_a.tenant):
        assert User.objects.get(pk=cast_a.rep.pk).language == "zh-hans"
    html = client.get("/").content.decode()
    assert 'lang="zh-hans"' in html
    assert "线索" in html  # "Leads" in the navigation


def test_language_switch_refuses_an_offsite_redirect(cast_a):
    client = tenant_client(cast_a, cast_a.rep)
    response = client.post(
        "/accounts/language/", {"language": "en", "next": "https://evil.example/"}
    )
    assert response.url == "/"


def test_the_password_reset_link_uses_the_tenants_origin_not_the_host_header(cast_a):
    from django.test import Client

    Client(HTTP_HOST=f"{cast_a.tenant.slug}.localhost:6666").post(
        "/accounts/password-reset/", {"email": cast_a.rep.email}
    )
    assert len(mail.outbox) == 1
    assert ":6666" not in mail.outbox[0].body
    assert re.search(r"https?://alpha\.localhost/accounts/password-reset/\S+", mail.outbox[0].body)
