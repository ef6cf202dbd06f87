"""Too many failed sign-ins lock the account (and, across accounts, the address) for a while,
longer each time; a success clears the failures; a password reset unlocks; tenants apart."""

import itertools
import re

import pytest
from django.core import mail
from django.test import Client, RequestFactory, override_settings
from django_tenants.utils import tenant_context

from leadcrm.accounts import throttle
from tests.conftest import PASSWORD

_addresses = itertools.count(1)


@pytest.fixture
def client_for(cast_a):
    """A client on tenant alpha from an address of its own, and clean counters afterwards."""
    used: list[tuple[str, str]] = []

    def make(cast=cast_a):
        address = f"10.77.{next(_addresses) % 250}.{len(used) + 1}"
        used.append((cast, address))
        return Client(HTTP_HOST=cast.host, REMOTE_ADDR=address)

    yield make
    for cast, address in used:
        with tenant_context(cast.tenant):
            for user in (cast.rep, cast.teammate, cast.manager):
                throttle.signin_unlock(username=user.email)
            key = f"signin:address:{address}"
            throttle.cache.delete_many([key, f"{key}:lock", f"{key}:strikes"])


def _sign_in(client, email, password):
    return client.post("/accounts/login/", {"username": email, "password": password})


def test_thirty_wrong_passwords_then_the_right_one_is_refused(cast_a, client_for):
    client = client_for()
    for _ in range(30):
        _sign_in(client, cast_a.rep.email, "wrong-password")
    response = _sign_in(client, cast_a.rep.email, PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-ins. Try again in 15 minutes" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_the_lock_starts_at_the_accounts_limit_and_names_no_password_check(cast_a, client_for):
    client = client_for()
    for _ in range(throttle.ACCOUNT_LIMIT - 1):
        assert _sign_in(client, cast_a.rep.email, "wrong").status_code == 200
    assert _sign_in(client, cast_a.rep.email, "wrong").status_code == 200  # the 8th counts
    assert _sign_in(client, cast_a.rep.email, PASSWORD).status_code == 429
    # The lock is the account's: from another address too, but not another account.
    assert _sign_in(client_for(), cast_a.rep.email, PASSWORD).status_code == 429
    assert _sign_in(client_for(), cast_a.teammate.email, PASSWORD).status_code == 302


def test_a_success_clears_the_accounts_failures(cast_a, client_for):
    client = client_for()
    for _ in range(throttle.ACCOUNT_LIMIT - 1):
        _sign_in(client, cast_a.rep.email, "wrong")
    assert _sign_in(client, cast_a.rep.email, PASSWORD).status_code == 302
    client = client_for()
    for _ in range(throttle.ACCOUNT_LIMIT - 1):
        _sign_in(client, cast_a.rep.email, "wrong")
    assert _sign_in(client, cast_a.rep.email, PASSWORD).status_code == 302


def test_spraying_many_accounts_from_one_address_locks_the_address(cast_a, client_for, monkeypatch):
    monkeypatch.setattr(throttle, "ADDRESS_LIMIT", 5)
    client = client_for()
    for i in range(5):
        _sign_in(client, f"nobody{i}@alpha.example.com", "guess")
    assert _sign_in(client, cast_a.manager.email, PASSWORD).status_code == 429
    assert _sign_in(client_for(), cast_a.manager.email, PASSWORD).status_code == 302


def test_each_new_lock_lasts_twice_as_long(cast_a):
    with tenant_context(cast_a.tenant):
        email = "backoff@alpha.example.com"
        try:
            for _ in range(throttle.ACCOUNT_LIMIT):
                throttle.signin_failed(username=email, address="10.1.1.1")
            first = throttle.signin_locked_for(username=email, address="10.1.1.2")
            throttle.cache.delete(f"signin:account:{email}:lock")  # the first lock is over
            for _ in range(throttle.ACCOUNT_LIMIT):
                throttle.signin_failed(username=email, address="10.1.1.1")
            second = throttle.signin_locked_for(username=email, address="10.1.1.2")
        finally:
            throttle.signin_unlock(username=email)
            throttle.cache.delete_many(["signin:address:10.1.1.1", "signin:address:10.1.1.1:lock"])
    assert 14 * 60 < first <= 15 * 60 + 1
    assert 29 * 60 < second <= 30 * 60 + 1


def test_a_lock_on_one_tenant_leaves_the_same_email_free_on_another(cast_a, cast_b):
    email = "same.person@example.com"
    with tenant_context(cast_a.tenant):
        for _ in range(throttle.ACCOUNT_LIMIT):
            throttle.signin_failed(username=email, address="10.2.2.2")
        assert throttle.signin_locked_for(username=email, address="10.3.3.3")
    with tenant_context(cast_b.tenant):
        assert throttle.signin_locked_for(username=email, address="10.3.3.3") == 0
    with tenant_context(cast_a.tenant):
        throttle.signin_unlock(username=email)
        throttle.cache.delete_many(["signin:address:10.2.2.2"])


def test_resetting_the_password_unlocks_the_account(cast_a, client_for):
    client = client_for()
    for _ in range(throttle.ACCOUNT_LIMIT):
        _sign_in(client, cast_a.rep.email, "wrong")
    assert _sign_in(client, cast_a.rep.email, PASSWORD).status_code == 429
    client.post("/accounts/password-reset/", {"email": cast_a.rep.email})
    link = re.search(r"https?://[^/\s]+(/accounts/password-reset/\S+)", mail.outbox[-1].body)
    page = client.get(link.group(1), follow=True)
    client.post(
        page.wsgi_request.path,
        {"new_password1": "Red-Panda-7781", "new_password2": "Red-Panda-7781"},
    )
    assert _sign_in(client_for(), cast_a.rep.email, "Red-Panda-7781").status_code == 302
    with tenant_context(cast_a.tenant):  # the cast keeps its password for the other tests
        cast_a.rep.set_password(PASSWORD)
        cast_a.rep.save(update_fields=["password"])


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "6.6.6.6", "10.0.0.9"),  # no proxy configured: the header is the client's words
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # what our proxy saw
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (2, "203.0.113.7", "10.0.0.9"),  # fewer hops than proxies: not trusted
    ],
)
def test_the_client_address_behind_trusted_proxies(proxies, forwarded, expected):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(LEADCRM_TRUSTED_PROXIES=proxies):
        assert throttle.client_address(request) == expected
