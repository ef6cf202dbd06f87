import pytest
from django_tenants.utils import tenant_context

from leads.errors import LeadError
from leads.fields import custom_fields_active
from leads.models import CustomFieldDefinition, Lead
from leads.selectors import LeadFilters, lead_list
from leads.services import lead as lead_services
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
    lead = lead_services.lead_create(
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
        lead_services.lead_create(actor=in_tenant_a.rep, name="Bad CF", custom_data=data)
    assert error.value.field == field
    assert not Lead.objects.filter(name="Bad CF").exists()


def test_update_changes_only_the_keys_given(in_tenant_a, fields):
    lead = lead_services.lead_create(
        actor=in_tenant_a.rep, name="X", custom_data={"tier": "A", "budget": 10, "wechat": "w"}
    )
    lead = lead_services.lead_update(
        lead=lead, actor=in_tenant_a.rep, custom_data={"budget": 20, "wechat": ""}
    )
    assert lead.custom_data == {"tier": "A", "budget": 20}


def test_filters_for_each_type(in_tenant_a, fields):
    rep = in_tenant_a.rep
    lead_services.lead_create(
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
    lead_services.lead_create(
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
        "/settings/leads/custom-fields/new/",
        {
            "label": "Modules",
            "key": "modules",
            "field_type": "multi_choice",
            "choices": "ERP\nWMS",
            "filterable": "on",
        },
    )
    rep_post = tenant_client(cast_a, cast_a.rep).post(
        "/settings/leads/custom-fields/new/", {"key": "x"}
    )
    assert rep_post.status_code == 403
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
        lead_services.lead_create(
            actor=cast_a.rep, owner=cast_a.rep, name="Tier A", custom_data={"tier": "A"}
        )
        lead_services.lead_create(
            actor=cast_a.rep, owner=cast_a.rep, name="Tier B", custom_data={"tier": "B"}
        )
    client = tenant_client(cast_a, cast_a.rep)
    page = client.get("/leads/").content.decode()
    assert 'name="cf_tier"' in page
    assert 'name="cf_hidden"' not in page
    filtered = client.get("/leads/?cf_tier=B").content.decode()
    assert "Tier B" in filtered
    assert "Tier A" not in filtered


# The values themselves


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("NaN", "Enter a number"),
        ("Infinity", "Enter a number"),
        ("-inf", "Enter a number"),
        (True, "Enter a number"),
        ("1e999999", "below a quadrillion"),
        (-(10**15), "below a quadrillion"),
    ],
)
def test_a_number_is_finite_and_never_a_boolean(in_tenant_a, fields, raw, message):
    with pytest.raises(LeadError, match=message) as error:
        lead_services.lead_create(
            actor=in_tenant_a.rep, name="Odd number", custom_data={"tier": "A", "budget": raw}
        )
    assert error.value.field == "cf_budget"


def test_clearing_a_required_field_on_update_is_refused(in_tenant_a, fields):
    lead = lead_services.lead_create(
        actor=in_tenant_a.rep, name="Keeps tier", custom_data={"tier": "A"}
    )
    with pytest.raises(LeadError, match="Tier is required") as error:
        lead_services.lead_update(lead=lead, actor=in_tenant_a.rep, custom_data={"tier": ""})
    assert error.value.field == "cf_tier"
    lead.refresh_from_db()
    assert lead.custom_data == {"tier": "A"}


def test_values_of_a_deactivated_field_stay_but_cannot_be_written(in_tenant_a, fields):
    from leads.services.custom_fields import custom_field_set_active

    admin, rep = in_tenant_a.admin, in_tenant_a.rep
    lead = lead_services.lead_create(
        actor=rep, name="Old WeChat", custom_data={"tier": "A", "wechat": "wx-1"}
    )
    custom_field_set_active(actor=admin, definition=fields["wechat"], is_active=False)
    lead = lead_services.lead_update(lead=lead, actor=rep, custom_data={"tier": "B"})
    assert lead.custom_data == {"tier": "B", "wechat": "wx-1"}
    with pytest.raises(LeadError, match="Unknown custom field: wechat"):
        lead_services.lead_update(lead=lead, actor=rep, custom_data={"wechat": "wx-2"})


def test_filters_ignore_fields_that_are_not_filterable_or_not_active(in_tenant_a, fields):
    from leads.services.custom_fields import custom_field_set_active

    admin, rep = in_tenant_a.admin, in_tenant_a.rep
    lead_services.lead_create(
        actor=rep, owner=rep, name="A1", custom_data={"tier": "A", "budget": 1}
    )
    lead_services.lead_create(
        actor=rep, owner=rep, name="B2", custom_data={"tier": "B", "budget": 2}
    )
    custom_field_update(
        actor=admin,
        definition=fields["tier"],
        label="Tier",
        choices=["A", "B"],
        required=True,
        filterable=False,
    )
    custom_field_set_active(actor=admin, definition=fields["budget"], is_active=False)

    def names(query):
        return {lead.name for lead in lead_list(user=rep, filters=LeadFilters.from_query(query))}

    assert names({"cf_tier": "A"}) == {"A1", "B2"}
    assert names({"cf_budget": "2"}) == {"A1", "B2"}
    assert names({"cf_nothing": "x"}) == {"A1", "B2"}


# The settings pages

FIELDS_URL = "/settings/leads/custom-fields/"


def _field_post(**overrides):
    data = {"label": "Industry segment", "key": "segment", "field_type": "choice"}
    data["choices"] = "Retail\nFactory, light industry\nLogistics"
    data["filterable"] = "on"
    return {**data, **overrides}


def test_admin_defines_a_field_on_the_settings_page(cast_a):
    client = tenant_client(cast_a, cast_a.admin)
    assert "Lead fields" in client.get(FIELDS_URL).content.decode()
    assert 'name="key"' in client.get(f"{FIELDS_URL}new/").content.decode()
    response = client.post(f"{FIELDS_URL}new/", _field_post(required="on"))
    assert response.status_code == 302
    assert response.headers["Location"] == FIELDS_URL
    with tenant_context(cast_a.tenant):
        definition = CustomFieldDefinition.objects.get(key="segment")
        # One choice per line, so a choice may contain a comma.
        assert definition.choices == ["Retail", "Factory, light industry", "Logistics"]
        assert (definition.required, definition.filterable, definition.is_active) == (
            True,
            True,
            True,
        )
    page = client.get(FIELDS_URL).content.decode()
    assert "Industry segment" in page
    assert "segment" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"key": "budget"}, "The key budget is taken."),
        ({"choices": ""}, "List the choices, one per line."),
        ({"key": "Budget Total"}, "A key starts with a letter"),
        ({"label": ""}, "This field is required."),
    ],
)
def test_refused_definitions_say_why_and_save_nothing(cast_a, data, message):
    with tenant_context(cast_a.tenant):
        custom_field_create(actor=cast_a.admin, key="budget", label="Budget", field_type="number")
    client = tenant_client(cast_a, cast_a.admin)
    response = client.post(f"{FIELDS_URL}new/", _field_post(**data))
    assert response.status_code == 200
    assert message in response.content.decode()
    with tenant_context(cast_a.tenant):
        assert CustomFieldDefinition.objects.count() == 1


def test_only_tenant_admins_reach_the_field_pages(cast_a):
    with tenant_context(cast_a.tenant):
        definition = custom_field_create(
            actor=cast_a.admin, key="wechat", label="WeChat", field_type="text"
        )
    urls_get = [FIELDS_URL, f"{FIELDS_URL}new/", f"{FIELDS_URL}{definition.uuid}/"]
    urls_post = [
        f"{FIELDS_URL}new/",
        f"{FIELDS_URL}{definition.uuid}/",
        f"{FIELDS_URL}{definition.uuid}/deactivate/",
        f"{FIELDS_URL}{definition.uuid}/move/",
    ]
    for user in (cast_a.manager, cast_a.pool_admin, cast_a.rep):
        client = tenant_client(cast_a, user)
        assert {client.get(url).status_code for url in urls_get} == {403}
        assert {client.post(url, _field_post()).status_code for url in urls_post} == {403}
    with tenant_context(cast_a.tenant):
        definition.refresh_from_db()
        assert definition.is_active
        assert CustomFieldDefinition.objects.count() == 1


def test_edit_changes_label_and_choices_but_never_the_key(cast_a):
    with tenant_context(cast_a.tenant):
        definition = custom_field_create(
            actor=cast_a.admin, key="tier", label="Tier", field_type="choice", choices=["A", "B"]
        )
    client = tenant_client(cast_a, cast_a.admin)
    url = f"{FIELDS_URL}{definition.uuid}/"
    page = client.get(url).content.decode()
    assert 'value="tier"' in page
    assert "readonly" in page
    refused = client.post(url, {"label": "Tier", "key": "account_tier", "choices": "A\nB"})
    assert refused.status_code == 200
    assert "The key of a field never changes" in refused.content.decode()
    saved = client.post(
        url, {"label": "Account tier", "key": "tier", "choices": "A\nB\nC", "required": "on"}
    )
    assert saved.status_code == 302
    with tenant_context(cast_a.tenant):
        definition.refresh_from_db()
        assert (definition.key, definition.label) == ("tier", "Account tier")
        assert (definition.choices, definition.required) == (["A", "B", "C"], True)


def test_key_and_type_changes_are_refused_by_the_service(in_tenant_a, fields):
    common = {
        "actor": in_tenant_a.admin,
        "definition": fields["tier"],
        "label": "Tier",
        "choices": ["A"],
        "required": False,
        "filterable": True,
    }
    with pytest.raises(LeadError, match="key of a field never changes") as error:
        custom_field_update(**common, key="tier2")
    assert error.value.field == "key"
    with pytest.raises(LeadError, match="type of a field never changes"):
        custom_field_update(**common, field_type="text")
    fields["tier"].refresh_from_db()
    assert fields["tier"].choices == ["A", "B"]


def test_deactivate_hides_the_field_and_reactivate_brings_it_back(cast_a):
    with tenant_context(cast_a.tenant):
        definition = custom_field_create(
            actor=cast_a.admin, key="wechat", label="WeChat ID", field_type="text"
        )
        lead = lead_services.lead_create(
            actor=cast_a.rep, owner=cast_a.rep, name="WX", custom_data={"wechat": "wx-42"}
        )
    admin, rep = tenant_client(cast_a, cast_a.admin), tenant_client(cast_a, cast_a.rep)
    assert "wx-42" in rep.get(f"/leads/{lead.uuid}/").content.decode()
    admin.post(f"{FIELDS_URL}{definition.uuid}/deactivate/")
    assert 'name="cf_wechat"' not in rep.get("/leads/new/").content.decode()
    assert "wx-42" not in rep.get(f"/leads/{lead.uuid}/").content.decode()
    assert "Deactivated" in admin.get(FIELDS_URL).content.decode()
    admin.post(f"{FIELDS_URL}{definition.uuid}/activate/")
    assert "wx-42" in rep.get(f"/leads/{lead.uuid}/").content.decode()


def test_fields_are_reordered_with_up_and_down(cast_a):
    with tenant_context(cast_a.tenant):
        for key in ("first", "second", "third"):
            custom_field_create(actor=cast_a.admin, key=key, label=key.title(), field_type="text")
        second = CustomFieldDefinition.objects.get(key="second")
    client = tenant_client(cast_a, cast_a.admin)
    client.post(f"{FIELDS_URL}{second.uuid}/move/", {"direction": "up"})
    client.post(f"{FIELDS_URL}{second.uuid}/move/", {"direction": "up"})  # already first
    with tenant_context(cast_a.tenant):
        assert [d.key for d in custom_fields_active()] == ["second", "first", "third"]
    response = client.post(
        f"{FIELDS_URL}{second.uuid}/move/", {"direction": "down"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert 'id="field-table"' in html
    assert "<html" not in html
    with tenant_context(cast_a.tenant):
        assert [d.key for d in custom_fields_active()] == ["first", "second", "third"]
    form = tenant_client(cast_a, cast_a.rep).get("/leads/new/").content.decode()
    assert form.index('name="cf_first"') < form.index('name="cf_second"')


# The lead form and page


@pytest.fixture
def form_fields(cast_a):
    with tenant_context(cast_a.tenant):
        admin = cast_a.admin
        custom_field_create(actor=admin, key="budget", label="Budget (CNY)", field_type="number")
        custom_field_create(actor=admin, key="decision", label="Decision date", field_type="date")
        custom_field_create(
            actor=admin,
            key="modules",
            label="Interested modules",
            field_type="multi_choice",
            choices=["ERP", "WMS", "IoT"],
        )
        custom_field_create(
            actor=admin,
            key="tier",
            label="Tier",
            field_type="choice",
            choices=["A", "B"],
            required=True,
        )
        custom_field_create(actor=admin, key="exporter", label="Exporter", field_type="boolean")
        custom_field_create(actor=admin, key="wechat", label="WeChat", field_type="text")


def _lead_post(**custom):
    return {"name": "Form Lead", "priority": "normal", **{f"cf_{k}": v for k, v in custom.items()}}


def test_the_form_offers_each_type_with_its_widget(cast_a, form_fields):
    html = tenant_client(cast_a, cast_a.rep).get("/leads/new/").content.decode()
    assert 'type="number" name="cf_budget"' in html
    assert 'type="date" name="cf_decision"' in html
    assert 'type="checkbox" name="cf_modules" value="WMS"' in html
    assert '<select name="cf_tier"' in html
    assert 'name="cf_tier" required' in html
    assert '<select name="cf_exporter"' in html
    assert 'type="text" name="cf_wechat"' in html


def test_a_lead_is_created_and_edited_with_custom_fields(cast_a, form_fields):
    client = tenant_client(cast_a, cast_a.rep)
    response = client.post(
        "/leads/new/",
        _lead_post(
            budget="250000.50",
            decision="2027-03-01",
            modules=["IoT", "ERP"],
            tier="A",
            exporter="true",
            wechat="wx-form",
        ),
    )
    assert response.status_code == 302
    with tenant_context(cast_a.tenant):
        lead = Lead.objects.get(name="Form Lead")
        assert lead.custom_data == {
            "budget": 250000.5,
            "decision": "2027-03-01",
            "modules": ["ERP", "IoT"],
            "tier": "A",
            "exporter": True,
            "wechat": "wx-form",
        }
    edit_page = client.get(f"/leads/{lead.uuid}/edit/").content.decode()
    assert 'value="2027-03-01"' in edit_page
    assert 'value="wx-form"' in edit_page
    response = client.post(
        f"/leads/{lead.uuid}/edit/",
        _lead_post(budget="300000", modules=["WMS"], tier="B", exporter="false"),
    )
    assert response.status_code == 302
    with tenant_context(cast_a.tenant):
        lead.refresh_from_db()
        assert lead.custom_data == {
            "budget": 300000,
            "modules": ["WMS"],
            "tier": "B",
            "exporter": False,
        }
        assert lead.history.count() == 2


@pytest.mark.parametrize(
    ("custom", "field", "message"),
    [
        ({"tier": "A", "budget": "a lot"}, "cf_budget", "Enter a number."),
        ({"tier": "A", "decision": "next spring"}, "cf_decision", "Enter a valid date."),
        ({"tier": "C"}, "cf_tier", "Select a valid choice."),
        ({"tier": "A", "modules": ["CRM"]}, "cf_modules", "Select a valid choice."),
        ({}, "cf_tier", "This field is required."),
    ],
)
def test_a_bad_custom_value_is_shown_on_the_form_and_nothing_is_saved(
    cast_a, form_fields, custom, field, message
):
    response = tenant_client(cast_a, cast_a.rep).post("/leads/new/", _lead_post(**custom))
    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    with tenant_context(cast_a.tenant):
        assert not Lead.objects.filter(name="Form Lead").exists()


def test_a_required_field_added_later_must_be_filled_when_editing(cast_a):
    with tenant_context(cast_a.tenant):
        lead = lead_services.lead_create(actor=cast_a.rep, owner=cast_a.rep, name="Form Lead")
        custom_field_create(
            actor=cast_a.admin,
            key="region_code",
            label="Region code",
            field_type="text",
            required=True,
        )
    client = tenant_client(cast_a, cast_a.rep)
    response = client.post(f"/leads/{lead.uuid}/edit/", _lead_post(region_code=""))
    assert response.status_code == 200
    assert response.context["form"].errors["cf_region_code"]
    assert client.post(f"/leads/{lead.uuid}/edit/", _lead_post(region_code="S1")).status_code == 302


def test_the_detail_page_shows_each_value_formatted(cast_a, form_fields):
    with tenant_context(cast_a.tenant):
        lead = lead_services.lead_create(
            actor=cast_a.rep,
            owner=cast_a.rep,
            name="Shown",
            custom_data={
                "budget": 1200000,
                "decision": "2027-01-15",
                "modules": ["IoT", "ERP"],
                "tier": "B",
                "exporter": False,
            },
        )
    html = tenant_client(cast_a, cast_a.rep).get(f"/leads/{lead.uuid}/").content.decode()
    assert "<dt>Budget (CNY)</dt><dd>1200000</dd>" in html
    assert "<dt>Decision date</dt><dd>2027-01-15</dd>" in html
    assert "<dt>Interested modules</dt><dd>ERP, IoT</dd>" in html
    assert "<dt>Tier</dt><dd>B</dd>" in html
    assert "<dt>Exporter</dt><dd>No</dd>" in html
    assert "<dt>WeChat</dt><dd>—</dd>" in html
