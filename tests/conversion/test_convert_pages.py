"""Converting through the pages and the API: the wizard on the lead page, the stage bar and
status menu leading into it, the bulk bar, and POST /api/v1/leads/<id>/convert/."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from django_tenants.utils import tenant_context

from conversion.models import Contact, Conversion, Customer, Opportunity, OpportunityStage
from conversion.services.convert import lead_convert
from leadcrm.accounts.services import api_key_create
from leads.models import Lead, LeadStatus, Stage
from leads.services import lead as lead_services
from tests.conftest import tenant_client


def _lead(cast, owner=None, **fields):
    values = {
        "name": "Chen Jing",
        "company": "Hangzhou Xinyu Machinery Co., Ltd.",
        "email": "chen.jing@xinyu.example.cn",
        "mobile": "13700137000",
        "job_title": "Plant manager",
        **fields,
    }
    return lead_services.lead_create(actor=cast.admin, owner=owner or cast.rep, **values)


def _wizard(lead):
    return reverse("conversion-convert", kwargs={"uuid": lead.uuid})


def test_the_lead_page_offers_convert_to_who_may_and_not_to_others(in_tenant_a):
    cast = in_tenant_a
    lead = _lead(cast)
    page = tenant_client(cast, cast.rep).get(reverse("leads-detail", kwargs={"uuid": lead.uuid}))
    assert _wizard(lead) in page.content.decode()
    assert "Conversion arrives" not in page.content.decode()
    reader = tenant_client(cast, cast.teammate)
    assert reader.get(_wizard(lead)).status_code == 404  # cannot even see it
    lead_services.lead_change_status(lead=lead, to_status="nurture", actor=cast.admin)
    page = tenant_client(cast, cast.rep).get(reverse("leads-detail", kwargs={"uuid": lead.uuid}))
    assert _wizard(lead) not in page.content.decode()  # nurture is not convertible


def test_the_wizard_proposes_the_matching_customer_and_prefills_the_contact(in_tenant_a):
    cast = in_tenant_a
    existing = lead_convert(lead=_lead(cast, email="a@xinyu.example.cn", mobile=""), actor=cast.rep)
    lead = _lead(cast, name="Zhou Tao", company="HANGZHOU XINYU MACHINERY CO LTD",
                 email="zt@xinyu.example.cn", mobile="")  # fmt: skip
    page = tenant_client(cast, cast.rep).get(_wizard(lead)).content.decode()
    assert f'value="{existing.customer.uuid}"' in page
    assert "Link the existing customer" in page
    assert 'value="Zhou Tao"' in page
    assert 'value="zt@xinyu.example.cn"' in page


def test_converting_through_the_wizard_creates_the_records_and_shows_the_customer(in_tenant_a):
    cast = in_tenant_a
    lead = _lead(cast)
    stage = OpportunityStage.objects.get(name="Proposal")
    client = tenant_client(cast, cast.rep)
    response = client.post(
        _wizard(lead),
        {
            "customer": "new",
            "customer_name": "Xinyu Machinery",
            "contact": "new",
            "contact_name": "Chen Jing",
            "contact_email": "chen.jing@xinyu.example.cn",
            "contact_mobile": "13700137000",
            "opportunity": "on",
            "opportunity_name": "CNC retrofit",
            "amount": "560000",
            "currency": "CNY",
            "expected_close_date": "2027-03-31",
            "stage": str(stage.uuid),
        },
    )
    conversion = Conversion.objects.get(lead=lead)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "conversion-customer-detail", kwargs={"uuid": conversion.customer.uuid}
    )
    assert conversion.customer.name == "Xinyu Machinery"
    assert conversion.opportunity.stage == stage
    assert str(conversion.opportunity.expected_close_date) == "2027-03-31"
    lead_page = client.get(reverse("leads-detail", kwargs={"uuid": lead.uuid})).content.decode()
    assert "Xinyu Machinery" in lead_page  # the lead shows what it became
    assert _wizard(lead) not in lead_page
    # Opening the wizard again goes to the customer.
    again = client.get(_wizard(lead))
    assert again.status_code == 302


def test_a_refused_conversion_keeps_the_form_and_offers_the_existing_contact(in_tenant_a):
    cast = in_tenant_a
    first = lead_convert(lead=_lead(cast), actor=cast.rep)
    lead = _lead(cast, name="陈静")
    client = tenant_client(cast, cast.rep)
    form = {
        "customer": str(first.customer.uuid),
        "customer_name": "x",
        "contact": "new",
        "contact_name": "陈静",
        "contact_email": "chen.jing@xinyu.example.cn",
    }
    page = client.post(_wizard(lead), form)
    assert page.status_code == 200
    text = page.content.decode()
    assert "already a contact" in text
    assert f'value="{first.contact.uuid}"' in text  # "Link this contact instead"
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.PENDING
    linked = client.post(_wizard(lead), {**form, "contact": str(first.contact.uuid)})
    assert linked.status_code == 302
    assert Conversion.objects.get(lead=lead).contact == first.contact


def test_the_customer_search_shows_only_customers_the_user_may_open(in_tenant_a):
    cast = in_tenant_a
    lead_convert(
        lead=_lead(cast, owner=cast.teammate, company="Hidden Gears Ltd"), actor=cast.admin
    )
    lead_convert(lead=_lead(cast, company="Visible Gears Ltd", email="v@g.example", mobile=""),
                 actor=cast.rep)  # fmt: skip
    lead = _lead(cast, company="Other", email="o@o.example", mobile="")
    url = reverse("conversion-convert-customer-search", kwargs={"uuid": lead.uuid})
    found = tenant_client(cast, cast.rep).get(url, {"q": "gears"}).content.decode()
    assert "Visible Gears Ltd" in found
    assert "Hidden Gears Ltd" not in found


def test_the_last_stage_and_the_converted_status_lead_into_the_wizard(in_tenant_a):
    cast = in_tenant_a
    lead = _lead(cast)
    client = tenant_client(cast, cast.rep)
    last = Stage.objects.filter(is_active=True).order_by("position", "name").last()
    moved = client.post(reverse("leads-stage", kwargs={"uuid": lead.uuid}), {"stage": last.uuid})
    assert moved.status_code == 302
    assert moved["Location"] == _wizard(lead)
    status = client.post(
        reverse("leads-status", kwargs={"uuid": lead.uuid}), {"status": "converted"}
    )
    assert status["Location"] == _wizard(lead)
    lead.refresh_from_db()
    assert lead.status == LeadStatus.PENDING  # never a status flip without records
    assert lead.stage != last


def test_bulk_convert_converts_each_lead_and_lists_the_refused(in_tenant_a):
    cast = in_tenant_a
    a = _lead(cast, company="Bulk One Ltd", email="1@bulk.example", mobile="")
    b = _lead(cast, name="Second", company="Bulk One Ltd", email="2@bulk.example", mobile="")
    c = _lead(cast, company="Bulk Two Ltd", email="3@bulk.example", mobile="")
    lead_services.lead_change_status(lead=c, to_status="nurture", actor=cast.admin)
    client = tenant_client(cast, cast.rep)
    response = client.post(
        reverse("conversion-convert-bulk"), {"lead": [a.uuid, b.uuid, c.uuid], "next": "scene=mine"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?scene=mine")
    assert Conversion.objects.filter(lead__in=[a, b]).count() == 2
    # The two leads of one company share one customer.
    assert Customer.objects.filter(name="Bulk One Ltd").count() == 1
    assert not Conversion.objects.filter(lead=c).exists()
    page = client.get(response["Location"]).content.decode()
    assert "cannot be converted" in page
    # The list's bulk bar offers it.
    assert reverse("conversion-convert-bulk") in page


@pytest.fixture
def api(in_tenant_a):
    cast = in_tenant_a
    _key, secret = api_key_create(actor=cast.admin, name="ERP")
    return cast, Client(HTTP_HOST=cast.host, HTTP_AUTHORIZATION=f"Bearer {secret}")


def _api_convert(client, lead, data=None, **headers):
    return client.post(
        reverse("api-lead-convert", kwargs={"uuid": lead.uuid}),
        json.dumps(data or {}),
        content_type="application/json",
        **headers,
    )


def test_the_api_converts_once_and_replays_with_the_idempotency_key(api):
    cast, client = api
    lead = _lead(cast)
    body = {"opportunity": {"name": "Spare parts", "amount": "12000"}}
    first = _api_convert(client, lead, body, HTTP_IDEMPOTENCY_KEY="conv-1")
    assert first.status_code == 201
    data = first.json()
    assert data["customer"]["created"] is True
    assert data["opportunity"]["amount"] == "12000.00"
    again = _api_convert(client, lead, body, HTTP_IDEMPOTENCY_KEY="conv-1")
    assert again.status_code == 201
    assert again.json() == data
    assert again["Idempotent-Replayed"] == "true"
    other_body = _api_convert(client, lead, {"contact": False}, HTTP_IDEMPOTENCY_KEY="conv-1")
    assert other_body.status_code == 422
    no_key = _api_convert(client, lead, body)
    assert no_key.status_code == 409
    assert "already converted" in no_key.json()["error"]["message"]
    assert Conversion.objects.filter(lead=lead).count() == 1
    assert Opportunity.objects.filter(name="Spare parts").count() == 1


def test_the_api_refuses_with_reasons_and_is_documented(api):
    cast, client = api
    lead = _lead(cast)
    bad = _api_convert(client, lead, {"opportunity": {"name": "X", "amount": "many"}})
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "amount"
    assert Contact.objects.count() == 0
    unknown = client.post(
        reverse("api-lead-convert", kwargs={"uuid": "00000000-0000-0000-0000-000000000000"}),
        "{}",
        content_type="application/json",
    )
    assert unknown.status_code == 404
    anonymous = Client(HTTP_HOST=cast.host).post(
        reverse("api-lead-convert", kwargs={"uuid": lead.uuid}),
        "{}",
        content_type="application/json",
    )
    assert anonymous.status_code == 401
    spec = client.get(reverse("api-openapi")).json()
    assert "post" in spec["paths"]["/api/v1/leads/{id}/convert/"]


def test_another_tenants_key_cannot_convert_a_lead(cast_b, api):
    cast, _client = api
    lead = _lead(cast)
    with tenant_context(cast_b.tenant):
        _key, secret = api_key_create(actor=cast_b.admin, name="Other")
    on_a = Client(HTTP_HOST=cast.host, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert _api_convert(on_a, lead).status_code == 401
    assert not Conversion.objects.filter(lead=lead).exists()
