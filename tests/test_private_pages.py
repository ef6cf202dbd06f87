"""Signed-in answers are private and never stored; every answer varies on HX-Request."""

import json

from django.test import Client

from leadcrm.accounts.services import api_key_create
from tests.conftest import tenant_client


def test_pages_partials_and_exports_of_a_signed_in_user_are_private(cast_a):
    client = tenant_client(cast_a, cast_a.manager)
    for path, headers in (
        ("/leads/", {}),
        ("/leads/?scene=all", {"HTTP_HX_REQUEST": "true"}),
        ("/analytics/", {}),
        ("/analytics/sources/?format=csv", {}),
    ):
        response = client.get(path, **headers)
        assert response.status_code == 200, path
        cache_control = response["Cache-Control"]
        assert "private" in cache_control, path
        assert "no-store" in cache_control, path
        assert "HX-Request" in response["Vary"], path


def test_the_api_answers_privately(in_tenant_a):
    _key, secret = api_key_create(actor=in_tenant_a.admin, name="cache")
    response = Client(HTTP_HOST=in_tenant_a.host, HTTP_AUTHORIZATION=f"Bearer {secret}").get(
        "/api/v1/leads/"
    )
    assert response.status_code == 200
    assert json.loads(response.content)["results"] == []
    assert "no-store" in response["Cache-Control"]


def test_a_public_page_varies_on_htmx_and_keeps_its_own_caching(cast_a):
    response = Client(HTTP_HOST="localhost").get("/")  # the public landing page
    assert "HX-Request" in response["Vary"]
    assert "private" not in response.get("Cache-Control", "")
