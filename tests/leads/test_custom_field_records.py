"""Custom fields of other records (customer, contact, opportunity) on the lead machinery: the
same definitions, keys unique per record, and every lead reader keeps reading lead fields."""

import pytest
from django.db import IntegrityError, transaction
from django_tenants.utils import tenant_context

from leads.errors import LeadError
from leads.fields import custom_fields_active, custom_fields_all
from leads.hooks import custom_field_records
from leads.models import CustomFieldDefinition
from leads.services import lead as lead_services
from leads.services.custom_fields import (
    custom_data_clean,
    custom_field_create,
    custom_field_move,
    custom_field_set_active,
)
from tests.conftest import tenant_client

FIELDS_URL = "/settings/leads/custom-fields/"


def _text(admin, key, record="lead", **extra):
    return custom_field_create(
        actor=admin, key=key, label=key.title(), field_type="text", record=record, **extra
    )


def test_conversion_registers_its_records_after_the_lead():
    names = [name for name, _label in custom_field_records()]
    assert names[0] == "lead"
    assert {"customer", "contact", "opportunity"} <= set(names)


def test_existing_definitions_are_lead_fields(in_tenant_a):
    field = custom_field_create(
        actor=in_tenant_a.admin, key="budget", label="Budget", field_type="number"
    )
    assert field.record == "lead"


def test_a_key_is_unique_per_record_only(in_tenant_a):
    admin = in_tenant_a.admin
    _text(admin, "segment")
    customer = _text(admin, "segment", record="customer")
    assert customer.record == "customer"
    with pytest.raises(LeadError) as taken:
        _text(admin, "segment", record="customer")
    assert taken.value.field == "key"
    with pytest.raises(IntegrityError), transaction.atomic():
        CustomFieldDefinition.objects.create(
            record="lead", key="segment", label="Again", field_type="text"
        )


def test_an_unregistered_record_is_refused(in_tenant_a):
    with pytest.raises(LeadError) as refused:
        _text(in_tenant_a.admin, "segment", record="invoice")
    assert refused.value.field == "record"
    assert not CustomFieldDefinition.objects.filter(key="segment").exists()


def test_lead_readers_see_lead_fields_only(in_tenant_a):
    admin = in_tenant_a.admin
    _text(admin, "wechat")
    _text(admin, "vat_number", record="customer", required=True)
    assert [d.key for d in custom_fields_active()] == ["wechat"]
    assert [d.key for d in custom_fields_active("customer")] == ["vat_number"]
    assert [d.key for d in custom_fields_all("customer")] == ["vat_number"]
    # A required customer field does not make leads need it, nor does a lead accept it.
    lead = lead_services.lead_create(actor=in_tenant_a.rep, name="Lead", custom_data={})
    assert lead.custom_data == {}
    with pytest.raises(LeadError):
        custom_data_clean(data={"vat_number": "x"}, partial=True)
    with pytest.raises(LeadError):
        custom_data_clean(data={}, partial=False, record="customer")
    assert custom_data_clean(data={"vat_number": " 91X "}, partial=False, record="customer") == {
        "vat_number": "91X"
    }


def test_positions_and_moves_stay_within_a_record(in_tenant_a):
    admin = in_tenant_a.admin
    first, second = _text(admin, "a1"), _text(admin, "a2")
    customer = _text(admin, "c1", record="customer")
    assert (first.position, second.position, customer.position) == (0, 1, 0)
    custom_field_move(actor=admin, definition=customer, direction="up")
    custom_field_move(actor=admin, definition=second, direction="up")
    assert [d.key for d in custom_fields_active()] == ["a2", "a1"]
    assert [d.key for d in custom_fields_active("customer")] == ["c1"]
    custom_field_set_active(actor=admin, definition=customer, is_active=False)
    back = custom_field_set_active(actor=admin, definition=customer, is_active=True)
    assert back.position == 0


def test_admin_adds_a_customer_field_that_the_lead_form_does_not_show(cast_a):
    admin = tenant_client(cast_a, cast_a.admin)
    form = admin.get(f"{FIELDS_URL}new/?record=customer").content.decode()
    assert 'name="record"' in form
    assert '<option value="customer" selected>' in form
    response = admin.post(
        f"{FIELDS_URL}new/",
        {"record": "customer", "label": "VAT number", "key": "vat_number", "field_type": "text"},
    )
    assert response.status_code == 302
    with tenant_context(cast_a.tenant):
        assert CustomFieldDefinition.objects.get(key="vat_number").record == "customer"
    listing = admin.get(f"{FIELDS_URL}?record=customer").content.decode()
    assert "VAT number" in listing
    assert "VAT number" not in admin.get(f"{FIELDS_URL}?record=lead").content.decode()
    rep = tenant_client(cast_a, cast_a.rep)
    assert 'name="cf_vat_number"' not in rep.get("/leads/new/").content.decode()
    # Not for other roles, nor for an unregistered record.
    assert rep.get(FIELDS_URL).status_code in (302, 403, 404)
    refused = admin.post(
        f"{FIELDS_URL}new/",
        {"record": "invoice", "label": "X", "key": "x_field", "field_type": "text"},
    )
    assert refused.status_code == 200
    with tenant_context(cast_a.tenant):
        assert not CustomFieldDefinition.objects.filter(key="x_field").exists()
