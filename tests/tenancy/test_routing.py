from django.test import Client

from tests.conftest import tenant_client


def test_tenant_host_shows_its_login_page(cast_a):
    response = tenant_client(cast_a).get("/accounts/login/")
    assert response.status_code == 200
    assert cast_a.tenant.name in response.content.decode()


def test_unknown_host_gets_404_not_the_public_site(db):
    response = Client(HTTP_HOST="nosuchcompany.localhost").get("/")
    assert response.status_code == 404
    assert "Create your workspace" not in response.content.decode()


def test_public_host_serves_the_landing_page(db):
    response = Client(HTTP_HOST="localhost").get("/")
    assert response.status_code == 200
    assert "Create your workspace" in response.content.decode()


def test_signed_in_user_sees_the_shell_with_navigation_and_tenant_name(cast_a):
    response = tenant_client(cast_a, cast_a.rep).get("/")
    html = response.content.decode()
    assert response.status_code == 200
    for label in ("Leads", "Pools", "Analytics", cast_a.tenant.name, cast_a.rep.full_name):
        assert label in html
    assert "Settings" not in html  # a rep has no settings entry


def test_admin_sees_the_settings_entry(cast_a):
    html = tenant_client(cast_a, cast_a.admin).get("/").content.decode()
    assert 'href="/settings/users/"' in html


def test_anonymous_visitor_is_sent_to_login(cast_a):
    response = tenant_client(cast_a).get("/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_pages_show_times_in_the_tenants_time_zone(cast_a):
    from django.utils import timezone as tz

    seen = {}

    def capture(request):
        seen["zone"] = str(tz.get_current_timezone())

    from leadcrm.tenancy.middleware import TenantTimezoneMiddleware

    class FakeRequest:
        tenant = cast_a.tenant

    TenantTimezoneMiddleware(capture)(FakeRequest())
    assert seen["zone"] == cast_a.tenant.time_zone == "Asia/Shanghai"
    assert str(tz.get_current_timezone()) == "UTC"  # restored after the request


def test_favicon_ico_points_at_the_icon_on_both_sites(cast_a):
    from django.test import Client

    for host in ("localhost", cast_a.host):
        response = Client(HTTP_HOST=host).get("/favicon.ico")
        assert response.status_code == 301
        assert response["Location"].endswith("img/favicon.svg")
