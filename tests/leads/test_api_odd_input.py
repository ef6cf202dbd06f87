"""The API answers odd but valid JSON with a JSON refusal (4xx), never an HTML 500."""

import json

import pytest
from django.test import Client

from leadcrm.accounts.services import api_key_create
from leads.models import Lead

BODIES = [
    {"name": "A", "tags": 5},
    {"name": "A", "owner": 5},
    {"name": "A" * 5000},
    {"name": "A\u0000B"},
    {"name": "\ud800"},
    {"name": "A", "custom_data": {"x": {"y": [1] * 3}}},
    {"name": 5},
    {"name": None},
    {"name": "A", "email": ["x"]},
    {"name": "A", "country": {"a": 1}},
    {"name": "A", "campaign": 7},
    {"name": "A", "next_follow_up_at": "0001-01-01T00:00:00"},
    {"name": "A", "score": "x"},
    [1, 2],
    "str",
    5,
]


@pytest.fixture
def api(in_tenant_a):
    _key, secret = api_key_create(actor=in_tenant_a.admin, name="odd input")
    return Client(HTTP_HOST=in_tenant_a.host, HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.mark.parametrize("body", BODIES, ids=range(len(BODIES)))
def test_odd_bodies_get_a_json_answer_never_a_500(api, body):
    response = api.post("/api/v1/leads/", json.dumps(body), content_type="application/json")
    assert response.status_code < 500
    assert response["Content-Type"] == "application/json"
    if response.status_code == 201:  # accepted: what is stored is clean text
        name = Lead.objects.get(uuid=response.json()["id"]).name
        assert "\x00" not in name
        assert not any(0xD800 <= ord(c) <= 0xDFFF for c in name)


def test_refusals_name_the_field(api):
    for body, field in (({"name": "A", "tags": 5}, "tags"), ({"name": "A", "owner": 5}, "owner")):
        response = api.post("/api/v1/leads/", json.dumps(body), content_type="application/json")
        assert response.status_code == 422
        assert response.json()["error"]["field"] == field


@pytest.mark.parametrize(
    "query",
    [
        "updated_after=2026-13-45",
        "page=1000000000000000000000000000000",
        "limit=-1",
        "limit=abc",
        "page=0",
        "q=%00",
        "updated_after=%00",
    ],
)
def test_odd_list_parameters_get_a_json_answer(api, query):
    response = api.get("/api/v1/leads/?" + query)
    assert response.status_code < 500
    assert response["Content-Type"] == "application/json"
