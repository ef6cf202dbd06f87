"""A value longer than its column, or with control characters, is refused in words at every
entry point: never a database error that fails an import batch or answers 500."""

import json

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from leadcrm.accounts.services import api_key_create
from leads.errors import LeadError
from leads.importing.services import import_job_create
from leads.models import ImportIssue, ImportJob, Lead
from leads.services import lead as lead_services
from leads.services.webforms import webform_save
from tests.conftest import tenant_client
from tests.leads.test_import import _run

LONG_NAME = "X" * 151


def test_an_overlong_name_refuses_its_row_and_the_good_rows_land(in_tenant_a):
    """The 151-character name of row 3 used to fail the whole batch in the database (no lead
    of the file landed); a 200-character city is left out with a warning and kept in notes."""
    data = (
        "Name,Company,Mobile,City\n"
        "Good One,Acme,13800138001,Beijing\n"
        f"{LONG_NAME},Acme,13800138002,Xi'an\n"
        "Control Co,Ac\x01me\x7f,13800138003,Wuhan\n"
        f"Long City,Beta,13800138004,{'C' * 200}\n"
    ).encode()
    job = _run(import_job_create(actor=in_tenant_a.admin, filename="a.csv", data=data))
    assert job.status == ImportJob.Status.DONE
    assert (job.created, job.errors) == (3, 1)
    refused = ImportIssue.objects.get(job=job, row_number=3)
    assert (refused.reason, refused.is_error) == ("longer than 150 characters", True)
    warned = ImportIssue.objects.get(job=job, row_number=5)
    assert (warned.reason, warned.is_error) == ("longer than 100 characters", False)
    assert Lead.objects.get(name="Control Co").company == "Acme"
    kept = Lead.objects.get(name="Long City")
    assert kept.city == ""
    assert "C" * 200 in kept.notes


@pytest.mark.parametrize(
    ("field", "value"), [("name", LONG_NAME), ("company", "C" * 201), ("job_title", "T" * 121)]
)
def test_the_service_refuses_an_overlong_value_naming_the_field(in_tenant_a, field, value):
    fields = {"name": "Someone", field: value}
    with pytest.raises(LeadError) as refused:
        lead_services.lead_create(actor=in_tenant_a.admin, **fields)
    assert refused.value.field == field
    assert "at most" in refused.value.message
    assert not Lead.objects.filter(company=value).exists()


def test_the_service_drops_control_characters(in_tenant_a):
    lead = lead_services.lead_create(
        actor=in_tenant_a.admin, name="Li\x00 Lei\x1b", city="Bei\x00jing"
    )
    assert (lead.name, lead.city) == ("Li Lei", "Beijing")


def test_the_api_answers_422_with_the_field_for_an_overlong_name(in_tenant_a):
    _key, secret = api_key_create(actor=in_tenant_a.admin, name="probe")
    client = Client(HTTP_HOST=in_tenant_a.host, HTTP_AUTHORIZATION=f"Bearer {secret}")
    response = client.post(
        "/api/v1/leads/", json.dumps({"name": LONG_NAME}), content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "name"
    assert not Lead.objects.filter(name=LONG_NAME).exists()


def test_the_lead_form_shows_the_problem_and_keeps_the_input(in_tenant_a):
    response = tenant_client(in_tenant_a, in_tenant_a.rep).post(
        reverse("leads-create"), {"name": "Someone", "company": "C" * 201}
    )
    assert response.status_code == 200
    assert "at most" in response.content.decode()
    assert not Lead.objects.filter(name="Someone").exists()


def test_the_public_web_form_answers_with_the_form_not_500(in_tenant_a):
    cache.clear()
    form = webform_save(
        actor=in_tenant_a.admin, name="Contact", title="Talk to sales",
        fields=["company", "email"], required=["email"], thank_you="Thanks",
    )  # fmt: skip
    url = reverse("leads-webform-public", kwargs={"uuid": form.uuid})
    response = Client(HTTP_HOST=in_tenant_a.host).post(
        url, {"name": LONG_NAME, "company": "Acme", "email": "a@acme.example"}
    )
    assert response.status_code in (200, 422)
    assert "Thanks" not in response.content.decode()
    assert not Lead.objects.filter(company="Acme").exists()
