"""Dates stay in a plausible era at every entry point (issue 15): a year-1 follow-up from the
browser's own picker was saved and then broke every list that showed the lead. The forms say
it in words, the services refuse it for any other caller, and the database keeps it out."""

from datetime import UTC, date, datetime

import pytest
from django.db import IntegrityError, transaction
from django_tenants.utils import tenant_context

from leadcrm.formfields import BoundedDateField, BoundedDateTimeField
from leads.errors import LeadError
from leads.fields import custom_value_parse
from leads.models import Activity, CustomFieldDefinition, Lead, Task
from leads.services.followups import followup_create
from leads.services.lead import activity_log
from tests.conftest import tenant_client

YEAR_ONE = "0001-01-01T10:00"


@pytest.fixture
def lead(in_tenant_a):
    return Lead.objects.create(name="Zhang Wei", owner=in_tenant_a.rep, status="pending")


def test_the_activity_form_refuses_a_year_one_follow_up_and_saves_nothing(in_tenant_a, lead):
    client = tenant_client(in_tenant_a, in_tenant_a.rep)
    for htmx in ({}, {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "lead-main"}):
        page = client.post(
            f"/leads/{lead.uuid}/activities/",
            {"kind": "call", "body": "Called", "next_follow_up_at": YEAR_ONE},
            **htmx,
        )
        assert page.status_code == 200
        assert "Choose a date between 2000 and 2100." in page.content.decode()
    lead.refresh_from_db()
    assert lead.next_follow_up_at is None
    assert not Activity.objects.filter(lead=lead).exists()
    # The lead's page and the lists still open.
    assert client.get(f"/leads/{lead.uuid}/").status_code == 200
    assert client.get("/leads/", {"sort": "due"}).status_code == 200


def test_the_follow_up_form_refuses_1999_and_9999(in_tenant_a, lead):
    client = tenant_client(in_tenant_a, in_tenant_a.rep)
    for due in ("1999-06-01T09:00", "9999-12-31T23:59"):
        page = client.post(f"/leads/{lead.uuid}/tasks/", {"title": "Call back", "due_at": due},
                           follow=True)  # fmt: skip
        assert "Choose a date between 2000 and 2100." in page.content.decode()
    assert not Task.objects.filter(lead=lead).exists()


def test_the_services_refuse_implausible_dates_from_any_caller(in_tenant_a, lead):
    with pytest.raises(LeadError) as refused:
        activity_log(lead=lead, actor=in_tenant_a.rep, kind="call",
                     next_follow_up_at=datetime(1, 1, 2, tzinfo=UTC))  # fmt: skip
    assert refused.value.field == "next_follow_up_at"
    with pytest.raises(LeadError):
        activity_log(lead=lead, actor=in_tenant_a.rep, kind="call",
                     occurred_at=datetime(1850, 5, 1, tzinfo=UTC))  # fmt: skip
    with pytest.raises(LeadError) as refused:
        followup_create(lead=lead, actor=in_tenant_a.rep, title="Call",
                        due_at=datetime(1999, 12, 1, tzinfo=UTC))  # fmt: skip
    assert refused.value.field == "due_at"
    assert not Activity.objects.filter(lead=lead).exists()
    # In range: saved.
    activity_log(lead=lead, actor=in_tenant_a.rep, kind="call",
                 next_follow_up_at=datetime(2030, 1, 2, 9, tzinfo=UTC))  # fmt: skip
    lead.refresh_from_db()
    assert lead.next_follow_up_at.year == 2030


def test_custom_dates_in_forms_imports_and_the_api_are_bounded(in_tenant_a):
    definition = CustomFieldDefinition.objects.create(key="signed_on", label="Signed on",
                                                      field_type="date")  # fmt: skip
    assert custom_value_parse(definition, "2024-05-01") == "2024-05-01"
    assert custom_value_parse(definition, date(1950, 1, 1)) == "1950-01-01"
    for bad in ("0001-01-01", "1899-12-31", "2101-01-01", datetime(3000, 1, 1)):
        with pytest.raises(ValueError, match="between 1900 and 2100"):
            custom_value_parse(definition, bad)


def test_the_form_fields_bound_the_browsers_picker_too():
    field = BoundedDateTimeField()
    assert field.widget.attrs["min"] == "2000-01-01T00:00"
    assert field.widget.attrs["max"] == "2100-12-31T23:59"
    assert BoundedDateField().widget.attrs["min"] == "1900-01-01"
    assert not BoundedDateTimeField(required=False).clean("")
    with pytest.raises(Exception, match="between 2000 and 2100"):
        field.clean("0001-01-01T00:00")


def test_the_database_keeps_implausible_dates_out_whatever_the_entry_point(in_tenant_a, lead):
    with pytest.raises(IntegrityError), transaction.atomic():
        Lead.objects.filter(pk=lead.pk).update(next_follow_up_at=datetime(1, 1, 2, tzinfo=UTC))
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.create(lead=lead, title="T", assignee=in_tenant_a.rep,
                            due_at=datetime(9999, 1, 1, tzinfo=UTC))  # fmt: skip


def test_a_customer_activity_in_year_one_is_refused(cast_a):
    from conversion.services.customers import customer_create

    with tenant_context(cast_a.tenant):
        customer = customer_create(actor=cast_a.admin, owner=cast_a.admin, values={"name": "Acme"})
    client = tenant_client(cast_a, cast_a.admin)
    page = client.post(f"/customers/{customer.uuid}/activity/",
                       {"kind": "call", "body": "x", "at": YEAR_ONE})  # fmt: skip
    assert page.status_code == 200
    assert "Choose a date between 2000 and 2100." in page.content.decode()
