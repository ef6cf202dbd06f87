"""Control characters (NUL first of all: Postgres refuses it in text) never reach a view: the
middleware removes them from query strings and posted forms, leadcrm.api from JSON bodies."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from conversion.models import Conversion
from leadcrm.accounts.services import api_key_create
from leadcrm.parsing import data_clean, text_clean
from leads.models import Lead
from leads.services import lead as lead_services
from tests.conftest import tenant_client


def test_text_and_json_are_cleaned_of_control_characters_but_not_of_layout():
    assert text_clean("a\x00b\x07c\x1b[0m\x7f") == "abc[0m"
    assert text_clean("line 1\nline 2\tend\r\n") == "line 1\nline 2\tend\r\n"
    assert data_clean({"k\x00": ["a\x00", 1, None, {"n": "\x00x"}]}) == {
        "k": ["a", 1, None, {"n": "x"}]
    }


@pytest.mark.parametrize(
    "path",
    [
        "/leads/?q=%00",
        "/leads/?q=a%00b&sort=%00",
        "/pools/?q=%00",
        "/settings/users/?q=%00",
        "/customers/?q=%00",
        "/contacts/?q=%00",
        "/opportunities/?q=%00",
        "/opportunities/board/?q=%00",
        "/settings/scoring/test/?q=%00",
    ],
)
def test_a_nul_in_a_search_is_a_normal_search(cast_a, path):
    assert tenant_client(cast_a, cast_a.admin).get(path).status_code == 200


def test_a_nul_in_a_posted_form_is_dropped_and_nothing_is_lost(in_tenant_a):
    cast = in_tenant_a
    lead = lead_services.lead_create(actor=cast.admin, owner=cast.rep, name="Nul Co contact")
    response = tenant_client(cast, cast.rep).post(
        reverse("conversion-convert", kwargs={"uuid": lead.uuid}),
        {"customer": "new", "customer_name": "Nul\x00 Co", "contact": "new",
         "contact_name": "Li\x00 Lei"},
    )  # fmt: skip
    assert response.status_code == 302
    conversion = Conversion.objects.get(lead=lead)
    assert (conversion.customer.name, conversion.contact.name) == ("Nul Co", "Li Lei")


def test_a_nul_in_api_json_is_dropped(in_tenant_a):
    cast = in_tenant_a
    _key, secret = api_key_create(actor=cast.admin, name="ERP")
    client = Client(HTTP_HOST=cast.host, HTTP_AUTHORIZATION=f"Bearer {secret}")
    response = client.post(
        reverse("api-leads"),
        json.dumps({"name": "Zhao\u0000 Min", "company": "Nul\u0000 Ltd"}),
        content_type="application/json",
    )
    assert response.status_code == 201
    lead = Lead.objects.get(uuid=response.json()["id"])
    assert (lead.name, lead.company) == ("Zhao Min", "Nul Ltd")


def test_a_form_body_sent_to_the_api_is_refused_with_a_clear_reason(in_tenant_a):
    cast = in_tenant_a
    _key, secret = api_key_create(actor=cast.admin, name="Curl")
    client = Client(HTTP_HOST=cast.host, HTTP_AUTHORIZATION=f"Bearer {secret}")
    response = client.post(reverse("api-leads"), {"name": "Form body"})  # multipart
    assert response.status_code == 400
    assert "Content-Type: application/json" in response.json()["error"]["message"]
    assert not Lead.objects.filter(name="Form body").exists()
