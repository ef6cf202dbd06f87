from django.contrib.sessions.backends.db import SessionStore
from django_tenants.utils import tenant_context

from tests.conftest import PASSWORD, tenant_client


def _login(cast, user):
    client = tenant_client(cast)
    response = client.post("/accounts/login/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def test_login_with_email_and_password(cast_a):
    client = _login(cast_a, cast_a.rep)
    assert client.get("/").wsgi_request.user.email == cast_a.rep.email


def test_login_with_wrong_password_is_refused(cast_a):
    response = tenant_client(cast_a).post(
        "/accounts/login/", {"username": cast_a.rep.email, "password": "nope"}
    )
    assert response.status_code == 200
    assert "correct" in response.content.decode()  # Django's "enter a correct email..."


def test_user_of_tenant_a_cannot_log_in_on_tenant_b(cast_a, cast_b):
    response = tenant_client(cast_b).post(
        "/accounts/login/", {"username": cast_a.rep.email, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated


def test_session_cookie_replayed_on_another_tenant_is_not_logged_in(cast_a, cast_b):
    session_key = _login(cast_a, cast_a.admin).cookies["sessionid"].value
    thief = tenant_client(cast_b)
    thief.cookies["sessionid"] = session_key
    response = thief.get("/")
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_session_copied_into_another_tenants_store_is_still_refused(cast_a, cast_b):
    """Second wall: even if the session data were readable on B, it is bound to A."""
    session_key = _login(cast_a, cast_a.admin).cookies["sessionid"].value
    with tenant_context(cast_a.tenant):
        data = SessionStore(session_key=session_key).load()
    with tenant_context(cast_b.tenant):
        forged = SessionStore()
        forged.update(data)
        forged["_auth_user_id"] = str(cast_b.admin.pk)  # a valid user id on B
        forged.create()
    thief = tenant_client(cast_b)
    thief.cookies["sessionid"] = forged.session_key
    response = thief.get("/")
    assert response.status_code == 302
    assert not response.wsgi_request.user.is_authenticated


def test_logout_needs_post_and_ends_the_session(cast_a):
    client = _login(cast_a, cast_a.rep)
    assert client.get("/accounts/logout/").status_code == 405
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302
