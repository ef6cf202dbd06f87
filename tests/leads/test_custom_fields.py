import pytest
from django_tenants.utils import tenant_context

from leads import services
from leads.errors import LeadError
from leads.models import Lead
from leads.selectors import LeadFilters, lead_list
from leads.services.custom_fields import custom_field_create, custom_field_update
from tests.conftest import tenant_client


@pytest.fixture
def fields(in_tenant_a):
    admin = in_tenant_a.admin
    return {
        "budget": custom_field_create(
            actor=admin, key="budget", label="Budget (CNY)", field_type="number"
        ),
        "decision": custom_field_create(
            actor=admin, key="decision", label="Decision date", field_type="date"
        ),
        "modules": custom_field_create(
            actor=admin,
            key="modules",
            label="Modules",
            field_type="multi_choice",
            choices=["ERP", "WMS", "IoT"],
        ),
        "tier": custom_field_create(
            actor=admin,
            key="tier",
            label="Tier",
            field_type="choice",
            choices=["A", "B"],
            required=True,
        ),
        "export": custom_field_create(
            actor=admin, key="exporter", label="Exporter", field_type="boolean"
        ),
        "wechat": custom_field_create(actor=admin, key="wechat", label="WeChat", field_type="text"),
    }


def test_values_are_stored_in_their_json_form(in_tenant_a, fields):
    lead = services.lead_create(
        actor=in_tenant_a.rep,
        name="CF Lead",
        custom_data={
            "budget": "1,200,000",
            "decision": "2027-01-15",
            "modules": ["WMS", "ERP"],
            "tier": "A",
            "exporter": "yes",
            "wechat": " zw-2026 ",
        },
    )
    assert lead.custom_data == {
        "budget": 1200000,
        "decision": "2027-01-15",
        "modules": ["ERP", "WMS"],
        "tier": "A",
        "exporter": True,
        "wechat": "zw-2026",
    }


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"tier": "A", "budget": "a lot"}, "cf_budget", "Enter a number"),
        ({"tier": "A", "decision": "15/01/2027"}, "cf_decision", "YYYY-MM-DD"),
        ({"tier": "C"}, "cf_tier", "Choose one of: A, B"),
        ({"tier": "A", "modules": ["CRM"]}, "cf_modules", "Choose among"),
        ({}, "cf_tier", "Tier is required"),
        ({"tier": "A", "color": "red"}, None, "Unknown custom field: color"),
    ],
)
def test_bad_custom_values_are_refused_and_nothing_is_saved(
    in_tenant_a, fields, data, field, message
):
    with pytest.raises(LeadError, match=message) as error:
        services.lead_create(actor=in_tenant_a.rep, name="Bad CF", custom_data=data)
    assert error.value.field == field
    assert not Lead.objects.filter(name="Bad CF").exists()


def test_update_changes_only_the_keys_given(in_tenant_a, fields):
    lead = services.lead_create(
        actor=in_tenant_a.rep, name="X", custom_data={"tier": "A", "budget": 10, "wechat": "w"}
    )
    lead = services.lead_update(
        lead=lead, actor=in_tenant_a.rep, custom_data={"budget": 20, "wechat": ""}
    )
    assert lead.custom_data == {"tier": "A", "budget": 20}


def test_filters_for_each_type(in_tenant_a, fields):
    rep = in_tenant_a.rep
    services.lead_create(
        actor=rep,
        owner=rep,
        name="Big",
        custom_data={
            "tier": "A",
            "budget": 500,
            "modules": ["ERP", "IoT"],
            "exporter": True,
            "wechat": "BigCo-WX",
            "decision": "2027-01-15",
        },
    )
    services.lead_create(
        actor=rep,
        owner=rep,
        name="Small",
        custom_data={"tier": "B", "budget": 5, "modules": ["WMS"], "exporter": False},
    )

    def names(**params):
        query = {f"cf_{k}": v for k, v in params.items()}
        return {lead.name for lead in lead_list(user=rep, filters=LeadFilters.from_query(query))}

    assert names(tier="A") == {"Big"}
    assert names(budget="5") == {"Small"}
    assert names(modules="IoT") == {"Big"}
    assert names(exporter="no") == {"Small"}
    assert names(wechat="bigco") == {"Big"}
    assert names(decision="2027-01-15") == {"Big"}
    assert names(budget="not-a-number") == {"Big", "Small"}  # a bad value filters nothing


def test_key_and_type_are_fixed_and_choices_required(in_tenant_a, fields):
    admin = in_tenant_a.admin
    with pytest.raises(LeadError, match="taken"):
        custom_field_create(actor=admin, key="budget", label="Again", field_type="text")
    with pytest.raises(LeadError, match="choices"):
        custom_field_create(actor=admin, key="size", label="Size", field_type="choice")
    with pytest.raises(LeadError, match="key starts"):
        custom_field_create(actor=admin, key="9lives", label="Nine", field_type="text")
    with pytest.raises(LeadError, match="tenant admins"):
        custom_field_create(actor=in_tenant_a.manager, key="x", label="X", field_type="text")
    updated = custom_field_update(
        actor=admin,
        definition=fields["tier"],
        label="Account tier",
        choices=["A", "B", "C"],
        required=False,
        filterable=True,
        is_active=True,
    )
    assert (updated.key, updated.field_type, updated.choices) == ("tier", "choice", ["A", "B", "C"])


def test_form_detail_and_settings_pages(cast_a):
    admin_client = tenant_client(cast_a, cast_a.admin)
    admin_client.post(
        "/settings/leads/fields/",
        {
            "label": "Modules",
            "key": "modules",
            "field_type": "multi_choice",
            "choices": "ERP, WMS",
            "filterable": "on",
        },
    )
    assert (
        tenant_client(cast_a, cast_a.rep).post("/settings/leads/fields/", {"key": "x"}).status_code
        == 403
    )
    rep = tenant_client(cast_a, cast_a.rep)
    assert 'name="cf_modules"' in rep.get("/leads/new/").content.decode()
    rep.post("/leads/new/", {"name": "Form CF", "priority": "normal", "cf_modules": ["WMS"]})
    with tenant_context(cast_a.tenant):
        lead = Lead.objects.get(name="Form CF")
        assert lead.custom_data == {"modules": ["WMS"]}
    page = rep.get(f"/leads/{lead.uuid}/").content.decode()
    assert "Modules" in page
    assert "WMS" in page


def test_list_offers_filters_for_filterable_custom_fields(cast_a):
    with tenant_context(cast_a.tenant):
        custom_field_create(
            actor=cast_a.admin, key="tier", label="Tier", field_type="choice", choices=["A", "B"]
        )
        custom_field_create(
            actor=cast_a.admin, key="hidden", label="Hidden", field_type="text", filterable=False
        )
        services.lead_create(
            actor=cast_a.rep, owner=cast_a.rep, name="Tier A", custom_data={"tier": "A"}
        )
        services.lead_create(
            actor=cast_a.rep, owner=cast_a.rep, name="Tier B", custom_data={"tier": "B"}
        )
    client = tenant_client(cast_a, cast_a.rep)
    page = client.get("/leads/").content.decode()
    assert 'name="cf_tier"' in page
    assert 'name="cf_hidden"' not in page
    filtered = client.get("/leads/?cf_tier=B").content.decode()
    assert "Tier B" in filtered
    assert "Tier A" not in filtered
