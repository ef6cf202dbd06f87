"""A POSTed ``next`` sends the browser back to a path on this site, never to another site."""

import pytest

from leadcrm.redirects import next_or
from tests.conftest import tenant_client

EVIL = ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "http:/\\evil.example"]


@pytest.mark.parametrize("target", EVIL)
def test_merge_with_too_few_leads_never_redirects_off_site(cast_a, target):
    response = tenant_client(cast_a, cast_a.rep).post("/leads/merge/", {"next": target})
    assert response.status_code == 302
    assert response.url == "/leads/"


@pytest.mark.parametrize("target", EVIL)
def test_the_language_switch_never_redirects_off_site(cast_a, target):
    response = tenant_client(cast_a, cast_a.rep).post(
        "/accounts/language/", {"language": "en", "next": target}
    )
    assert response.url == "/"


def test_a_local_path_is_kept(rf):
    request = rf.post("/x/", {"next": "/leads/?status=pending"}, HTTP_HOST="alpha.localhost")
    assert next_or(request, "/") == "/leads/?status=pending"
    request = rf.post("/x/", {"next": "https://evil.example/"}, HTTP_HOST="alpha.localhost")
    assert next_or(request, "/fallback/") == "/fallback/"
