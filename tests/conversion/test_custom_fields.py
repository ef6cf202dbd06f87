"""Custom fields of customers, contacts and opportunities: the forms show the record's fields,
the services refuse a missing required one and save the values, the pages show them with
their labels, and a conversion carries mapped values only where they fit."""

import pytest
from django.urls import reverse
from django_tenants.utils import tenant_context

from conversion.errors import ConversionError
from conversion.models import Contact, Customer, Opportunity, OpportunityStage
from conversion.services.convert import lead_convert
from conversion.services.customers import contact_create, customer_create, customer_update
from conversion.services.records import opportunity_create
from conversion.services.settings import conversion_mapping_save
from leads.services import lead as lead_services
from leads.services.custom_fields import custom_field_create, custom_field_set_active
from tests.conftest import tenant_client


def _field(cast, record, key, label, field_type="text", **extra):
    return custom_field_create(
        actor=cast.admin, record=record, key=key, label=label, field_type=field_type, **extra
    )


def _customer(cast, name="Lianhua Trading", **extra):
    return customer_create(actor=cast.admin, owner=cast.rep, values={"name": name}, **extra)


# Customers ---------------------------------------------------------------------------------


def test_customer_form_requires_a_required_field_and_saves_it(cast_a):
    with tenant_context(cast_a.tenant):
        _field(cast_a, "customer", "vat_number", "VAT number", required=True)
        _field(cast_a, "lead", "wechat", "WeChat")
    client = tenant_client(cast_a, cast_a.rep)
    form = client.get("/customers/new/").content.decode()
    assert 'name="cf_vat_number"' in form
    assert 'name="cf_wechat"' not in form
    post = {"name": "Hengda Logistics", "owner": cast_a.rep.uuid}
    refused = client.post("/customers/new/", post)
    assert refused.status_code == 200
    assert "This field is required." in refused.content.decode()
    with tenant_context(cast_a.tenant):
        assert not Customer.objects.filter(name="Hengda Logistics").exists()
    saved = client.post("/customers/new/", {**post, "cf_vat_number": " 91310000X "})
    assert saved.status_code == 302
    with tenant_context(cast_a.tenant):
        customer = Customer.objects.get(name="Hengda Logistics")
        assert customer.custom_data == {"vat_number": "91310000X"}
    page = client.get(saved.headers["Location"]).content.decode()
    assert "VAT number" in page
    assert "91310000X" in page


def test_customer_service_refuses_a_missing_required_field(in_tenant_a):
    _field(in_tenant_a, "customer", "vat_number", "VAT number", required=True)
    with pytest.raises(ConversionError) as refused:
        _customer(in_tenant_a)
    assert refused.value.field == "cf_vat_number"
    customer = _customer(in_tenant_a, custom={"vat_number": "X1"})
    with pytest.raises(ConversionError):
        customer_update(customer=customer, actor=in_tenant_a.admin, custom={"vat_number": ""})


def test_editing_keeps_values_of_deactivated_and_unknown_keys(cast_a):
    with tenant_context(cast_a.tenant):
        tier = _field(cast_a, "customer", "tier", "Tier", "choice", choices=["A", "B"])
        old = _field(cast_a, "customer", "old_code", "Old code")
        customer = _customer(cast_a, custom={"tier": "A", "old_code": "OC-1"})
        Customer.objects.filter(pk=customer.pk).update(
            custom_data={**customer.custom_data, "from_lead": "kept"}
        )
        custom_field_set_active(actor=cast_a.admin, definition=old, is_active=False)
    client = tenant_client(cast_a, cast_a.rep)
    edit = f"/customers/{customer.uuid}/edit/"
    page = client.get(edit).content.decode()
    assert 'name="cf_tier"' in page
    assert 'name="cf_old_code"' not in page
    response = client.post(edit, {"name": customer.name, "owner": cast_a.rep.uuid, "cf_tier": "B"})
    assert response.status_code == 302
    with tenant_context(cast_a.tenant):
        customer.refresh_from_db()
        assert customer.custom_data == {"tier": "B", "old_code": "OC-1", "from_lead": "kept"}
        assert tier.record == "customer"
    detail = client.get(f"/customers/{customer.uuid}/").content.decode()
    assert "Tier" in detail
    assert "OC-1" in detail
    assert "old_code" in detail


def test_a_reader_who_may_not_write_cannot_edit_custom_fields(cast_a):
    with tenant_context(cast_a.tenant):
        _field(cast_a, "customer", "tier", "Tier")
        customer = customer_create(
            actor=cast_a.admin, owner=cast_a.teammate, values={"name": "Robin Co"}
        )
    rep = tenant_client(cast_a, cast_a.rep)
    assert rep.post(f"/customers/{customer.uuid}/edit/", {"cf_tier": "x"}).status_code in (
        403,
        404,
    )
    with tenant_context(cast_a.tenant):
        customer.refresh_from_db()
        assert customer.custom_data == {}


# Contacts ----------------------------------------------------------------------------------


def test_contact_form_requires_a_required_field_and_saves_it(cast_a):
    with tenant_context(cast_a.tenant):
        _field(cast_a, "contact", "wechat_id", "WeChat ID", required=True)
        customer = _customer(cast_a)
    client = tenant_client(cast_a, cast_a.rep)
    url = reverse("conversion-contact-create", kwargs={"uuid": customer.uuid})
    assert 'name="cf_wechat_id"' in client.get(url).content.decode()
    refused = client.post(url, {"name": "Zhao Min"})
    assert refused.status_code == 200
    with tenant_context(cast_a.tenant):
        assert not Contact.objects.filter(name="Zhao Min").exists()
    assert client.post(url, {"name": "Zhao Min", "cf_wechat_id": "zm-88"}).status_code == 302
    with tenant_context(cast_a.tenant):
        contact = Contact.objects.get(name="Zhao Min")
        assert contact.custom_data == {"wechat_id": "zm-88"}
    edit = reverse("conversion-contact-edit", kwargs={"uuid": contact.uuid})
    refused = client.post(edit, {"name": "Zhao Min", "cf_wechat_id": ""})
    assert refused.status_code == 200
    assert client.post(edit, {"name": "Zhao Min", "cf_wechat_id": "zm-99"}).status_code == 302
    with tenant_context(cast_a.tenant):
        contact.refresh_from_db()
        assert contact.custom_data == {"wechat_id": "zm-99"}
    page = client.get(reverse("conversion-contact-detail", kwargs={"uuid": contact.uuid}))
    assert "WeChat ID" in page.content.decode()


def test_contact_service_refuses_a_missing_required_field(in_tenant_a):
    _field(in_tenant_a, "contact", "wechat_id", "WeChat ID", required=True)
    customer = _customer(in_tenant_a)
    with pytest.raises(ConversionError) as refused:
        contact_create(customer=customer, actor=in_tenant_a.admin, name="Li Lei")
    assert refused.value.field == "cf_wechat_id"


# Opportunities -----------------------------------------------------------------------------


def test_opportunity_form_requires_a_required_field_and_saves_it(cast_a):
    with tenant_context(cast_a.tenant):
        _field(cast_a, "opportunity", "budget_year", "Budget year", "number", required=True)
        customer = _customer(cast_a)
        stage = OpportunityStage.objects.filter(is_active=True).order_by("position").first()
    client = tenant_client(cast_a, cast_a.rep)
    url = f"/opportunities/new/?customer={customer.uuid}"
    assert 'name="cf_budget_year"' in client.get(url).content.decode()
    form = {
        "name": "Cold storage",
        "currency": "CNY",
        "stage": stage.uuid,
        "owner": cast_a.rep.uuid,
    }
    assert client.post(url, form).status_code == 200
    with tenant_context(cast_a.tenant):
        assert not Opportunity.objects.filter(name="Cold storage").exists()
    saved = client.post(url, {**form, "cf_budget_year": "2027"})
    assert saved.status_code == 302
    with tenant_context(cast_a.tenant):
        opportunity = Opportunity.objects.get(name="Cold storage")
        assert opportunity.custom_data == {"budget_year": 2027}
    page = client.get(saved.headers["Location"]).content.decode()
    assert "Budget year" in page
    assert "2027" in page
    edit = f"/opportunities/{opportunity.uuid}/edit/"
    assert 'value="2027"' in client.get(edit).content.decode()
    assert client.post(edit, {**form, "cf_budget_year": "2028"}).status_code == 302
    with tenant_context(cast_a.tenant):
        opportunity.refresh_from_db()
        assert opportunity.custom_data == {"budget_year": 2028}


def test_opportunity_service_refuses_a_missing_required_field(in_tenant_a):
    _field(in_tenant_a, "opportunity", "budget_year", "Budget year", "number", required=True)
    customer = _customer(in_tenant_a)
    stage = OpportunityStage.objects.filter(is_active=True).order_by("position").first()
    values = {"name": "X", "amount": "", "currency": "CNY", "expected_close_date": ""}
    with pytest.raises(ConversionError) as refused:
        opportunity_create(actor=in_tenant_a.admin, customer=customer, stage=stage, **values)
    assert refused.value.field == "cf_budget_year"


# Conversion --------------------------------------------------------------------------------


def test_a_lead_custom_field_mapped_into_a_customer_field_arrives_when_it_fits(in_tenant_a):
    cast = in_tenant_a
    _field(cast, "lead", "tax_id", "Tax ID")
    _field(cast, "lead", "budget", "Budget", "number")
    _field(cast, "customer", "vat_number", "VAT number")
    _field(cast, "customer", "tier", "Tier", "choice", choices=["Gold", "Silver"])
    _field(cast, "customer", "must_have", "Must have", required=True)  # never asked on convert
    conversion_mapping_save(
        actor=cast.admin,
        mapping={
            "customer": {"cf:vat_number": "cf:tax_id", "cf:tier": "cf:budget"},
            "contact": {},
            "opportunity": {},
        },
    )
    lead = lead_services.lead_create(
        actor=cast.admin,
        owner=cast.rep,
        name="Wang Fang",
        company="Hengda Logistics",
        custom_data={"tax_id": "91310000X", "budget": 250000},
    )
    conversion = lead_convert(lead=lead, actor=cast.rep)
    customer = conversion.customer
    # The tax id fits the text field; a number is not one of the tier's choices: left out.
    assert customer.custom_data == {"vat_number": "91310000X"}
    lead.refresh_from_db()
    assert lead.custom_data == {"tax_id": "91310000X", "budget": 250000}


def test_a_mapped_lead_field_into_a_deactivated_record_field_is_dropped(in_tenant_a):
    cast = in_tenant_a
    region = _field(cast, "customer", "sales_region", "Sales region")
    conversion_mapping_save(actor=cast.admin, mapping={"customer": {"cf:sales_region": "region"}})
    custom_field_set_active(actor=cast.admin, definition=region, is_active=False)
    lead = lead_services.lead_create(
        actor=cast.admin, owner=cast.rep, name="Li", company="Zeta Co", region="East"
    )
    assert lead_convert(lead=lead, actor=cast.rep).customer.custom_data == {}


def test_the_mapping_page_lists_the_records_own_fields_as_targets(cast_a):
    with tenant_context(cast_a.tenant):
        _field(cast_a, "lead", "tax_id", "Tax ID")
        _field(cast_a, "lead", "wechat", "WeChat")
        _field(cast_a, "customer", "vat_number", "VAT number")
        _field(cast_a, "opportunity", "budget_year", "Budget year", "number")
    mapping = "/settings/conversion/mapping/"
    assert tenant_client(cast_a, cast_a.rep).get(mapping).status_code in (302, 403, 404)
    client = tenant_client(cast_a, cast_a.admin)
    page = client.get(mapping).content.decode()
    assert 'name="customer.cf:vat_number"' in page
    assert 'name="opportunity.cf:budget_year"' in page
    assert 'name="contact.cf:vat_number"' not in page
    assert 'name="customer.cf" value="wechat"' in page  # a lead field copied under its key
    saved = client.post(
        mapping,
        {
            "customer.name": "company",
            "customer.cf:vat_number": "cf:tax_id",
            "customer.cf": ["wechat"],
            "contact.name": "name",
            "opportunity.cf:budget_year": "",
        },
    )
    assert saved.status_code == 302
    assert 'value="cf:tax_id" selected' in client.get(mapping).content.decode()
    with tenant_context(cast_a.tenant):
        lead = lead_services.lead_create(
            actor=cast_a.admin,
            owner=cast_a.rep,
            name="Wang Fang",
            company="Hengda Logistics",
            custom_data={"tax_id": "91310000X", "wechat": "wf-1"},
        )
        customer = lead_convert(lead=lead, actor=cast_a.rep).customer
        assert customer.custom_data == {"vat_number": "91310000X", "wechat": "wf-1"}
    detail = tenant_client(cast_a, cast_a.rep).get(f"/customers/{customer.uuid}/")
    assert "VAT number" in detail.content.decode()
