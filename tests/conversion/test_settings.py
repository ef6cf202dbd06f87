"""Settings → Conversion: the conversion rules, the opportunity pipeline and the field mapping.
Tenant admins only; every refused change says why and changes nothing."""

from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from conversion.errors import ConversionError
from conversion.mapping import mapping_effective
from conversion.models import ConversionSettings, OpportunityStage
from conversion.services.convert import ConvertRequest, lead_convert
from conversion.services.settings import (
    conversion_mapping_save,
    conversion_settings_save,
    stage_add,
    stage_move,
    stage_set_active,
    stage_update,
)
from leads.models import LeadStatus
from leads.services import lead as lead_services
from leads.services.custom_fields import custom_field_create
from tests.conftest import tenant_client

SETTINGS = "/settings/conversion/"
PIPELINE = "/settings/conversion/pipeline/"
MAPPING = "/settings/conversion/mapping/"
Outcome = OpportunityStage.Outcome


def _pipeline() -> list[tuple[str, str]]:
    return list(
        OpportunityStage.objects.filter(is_active=True)
        .order_by("position")
        .values_list("name", "outcome")
    )


def _stage(name: str) -> OpportunityStage:
    return OpportunityStage.objects.get(name=name, is_active=True)


def _lead(cast, **fields):
    values = {"name": "Wang Fang", "company": "Shanghai Lianhua Trading Co., Ltd.", **fields}
    lead = lead_services.lead_create(actor=cast.admin, owner=cast.rep, **values)
    return lead_services.lead_change_status(
        lead=lead, to_status=LeadStatus.QUALIFIED, actor=cast.admin
    )


# Who may


def test_conversion_settings_are_for_tenant_admins_only(cast_a):
    with tenant_context(cast_a.tenant):
        won = _stage("Won")
    pages = [SETTINGS, PIPELINE, MAPPING]
    posts = [
        SETTINGS,
        "/settings/conversion/pipeline/add/",
        f"/settings/conversion/pipeline/{won.uuid}/",
        f"/settings/conversion/pipeline/{won.uuid}/move/",
        f"/settings/conversion/pipeline/{won.uuid}/deactivate/",
        MAPPING,
        "/settings/conversion/mapping/reset/",
    ]
    data = {
        "name": "Hijacked",
        "probability": "5",
        "outcome": "open",
        "direction": "up",
        "default_currency": "USD",
        "open_followups": "close",
        "contact.name": "email",
    }
    for user in (cast_a.manager, cast_a.pool_admin, cast_a.rep):
        client = tenant_client(cast_a, user)
        assert {client.get(url).status_code for url in pages} == {403}
        assert {client.post(url, data).status_code for url in posts} == {403}
    anonymous = tenant_client(cast_a).get(SETTINGS)
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous.headers["Location"]
    with tenant_context(cast_a.tenant):
        row = ConversionSettings.load()
        assert (row.default_currency, row.open_followups, row.field_mapping) == ("CNY", "keep", {})
        assert not OpportunityStage.objects.filter(name="Hijacked").exists()
        assert _stage("Won").position == won.position


def test_the_services_refuse_anyone_but_a_tenant_admin(in_tenant_a):
    cast = in_tenant_a
    for user in (cast.manager, cast.rep):
        with pytest.raises(ConversionError, match="Only tenant admins"):
            conversion_settings_save(actor=user, default_currency="USD")
        with pytest.raises(ConversionError, match="Only tenant admins"):
            stage_add(actor=user, name="Demo", probability=20, outcome="open")
        with pytest.raises(ConversionError, match="Only tenant admins"):
            conversion_mapping_save(actor=user, mapping={})
    assert ConversionSettings.load().default_currency == "CNY"


def test_another_tenants_admin_cannot_reach_this_tenants_stages(cast_a, cast_b):
    with tenant_context(cast_a.tenant):
        stage = stage_add(
            actor=cast_a.admin, name="Alpha Secret Stage", probability=20, outcome="open"
        )
    client_b = tenant_client(cast_b, cast_b.admin)
    for action in ("", "move/", "deactivate/"):
        url = f"/settings/conversion/pipeline/{stage.uuid}/{action}"
        assert client_b.post(url, {"name": "Stolen", "direction": "up"}).status_code == 404
    assert "Alpha Secret Stage" not in client_b.get(PIPELINE).content.decode()
    with tenant_context(cast_a.tenant):
        stage.refresh_from_db()
        assert (stage.name, stage.is_active) == ("Alpha Secret Stage", True)


def test_settings_tabs_link_to_the_conversion_settings(cast_a):
    html = tenant_client(cast_a, cast_a.admin).get("/settings/users/").content.decode()
    assert f'href="{SETTINGS}"' in html
    assert ">Conversion<" in html


# The conversion rules


def test_admin_saves_the_conversion_rules(cast_a):
    client = tenant_client(cast_a, cast_a.admin)
    page = client.get(SETTINGS).content.decode()
    for name in ("customer_duplicate_check", "open_followups", "default_currency"):
        assert f'name="{name}"' in page
    assert "Discovery" in page
    assert "Won" in page
    response = client.post(
        SETTINGS,
        {"contact_duplicate_check": "on", "open_followups": "close", "default_currency": " usd "},
    )
    assert response.status_code == 302
    with tenant_context(cast_a.tenant):
        row = ConversionSettings.load()
    assert not row.customer_duplicate_check
    assert row.contact_duplicate_check
    assert not row.opportunity_name_unique
    assert (row.open_followups, row.default_currency) == ("close", "USD")


@pytest.mark.parametrize("currency", ["US", "USDX", "U5D", "ＵＳＤ", "€€€", ""])
def test_the_default_currency_is_three_letters(cast_a, currency):
    client = tenant_client(cast_a, cast_a.admin)
    response = client.post(SETTINGS, {"open_followups": "keep", "default_currency": currency})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter the currency as three letters" in body
    with tenant_context(cast_a.tenant):
        assert ConversionSettings.load().default_currency == "CNY"


def test_the_settings_service_checks_each_value(in_tenant_a):
    admin = in_tenant_a.admin
    with pytest.raises(ConversionError) as refused:
        conversion_settings_save(actor=admin, default_currency="RMB1")
    assert refused.value.field == "default_currency"
    with pytest.raises(ConversionError) as refused:
        conversion_settings_save(actor=admin, open_followups="archive")
    assert refused.value.field == "open_followups"
    with pytest.raises(TypeError):
        conversion_settings_save(actor=admin, singleton=False)
    row = conversion_settings_save(actor=admin, opportunity_name_unique=False)
    assert not row.opportunity_name_unique
    assert row.customer_duplicate_check  # what was not given stays


# The pipeline


def test_a_new_open_stage_goes_before_the_won_and_lost_stages(in_tenant_a):
    admin = in_tenant_a.admin
    stage_add(actor=admin, name="Demo", probability="55", outcome="open")
    stage_add(actor=admin, name="Won on renewal", probability=100, outcome="won")
    assert _pipeline() == [
        ("Discovery", "open"),
        ("Proposal", "open"),
        ("Negotiation", "open"),
        ("Demo", "open"),
        ("Won", "won"),
        ("Lost", "lost"),
        ("Won on renewal", "won"),
    ]
    assert _stage("Demo").probability == 55


@pytest.mark.parametrize("probability", ["-1", "101", "fifty", "", "12.5"])
def test_a_stage_probability_is_a_whole_number_from_0_to_100(in_tenant_a, probability):
    with pytest.raises(ConversionError, match="from 0 to 100") as refused:
        stage_add(actor=in_tenant_a.admin, name="Demo", probability=probability, outcome="open")
    assert refused.value.field == "probability"
    with pytest.raises(ConversionError, match="from 0 to 100"):
        stage_update(
            actor=in_tenant_a.admin,
            stage=_stage("Proposal"),
            name="Proposal",
            probability=probability,
            outcome="open",
        )
    assert not OpportunityStage.objects.filter(name="Demo").exists()
    assert _stage("Proposal").probability == 40


def test_active_stage_names_are_unique_but_a_deactivated_name_may_be_reused(in_tenant_a):
    admin = in_tenant_a.admin
    with pytest.raises(ConversionError, match="already a stage"):
        stage_add(actor=admin, name="  proposal ", probability=30, outcome="open")
    with pytest.raises(ConversionError, match="already a stage"):
        stage_update(
            actor=admin, stage=_stage("Discovery"), name="NEGOTIATION", probability=10,
            outcome="open",
        )  # fmt: skip
    old = _stage("Proposal")
    stage_set_active(actor=admin, stage=old, is_active=False)
    stage_add(actor=admin, name="Proposal", probability=45, outcome="open")
    with pytest.raises(ConversionError, match="already a stage"):
        stage_set_active(actor=admin, stage=old, is_active=True)
    old.refresh_from_db()
    assert not old.is_active


def test_the_last_won_and_lost_stages_are_protected(in_tenant_a):
    admin = in_tenant_a.admin
    for name, message in [("Won", "active won stage"), ("Lost", "active lost stage")]:
        with pytest.raises(ConversionError, match=message):
            stage_set_active(actor=admin, stage=_stage(name), is_active=False)
        with pytest.raises(ConversionError, match=message):
            stage_update(actor=admin, stage=_stage(name), name=name, probability=50, outcome="open")
    # With a second won stage, the first may go.
    stage_add(actor=admin, name="Won on renewal", probability=100, outcome="won")
    stage_set_active(actor=admin, stage=_stage("Won"), is_active=False)
    assert [o for _n, o in _pipeline()].count("won") == 1


def test_the_last_open_stage_is_protected(in_tenant_a):
    admin = in_tenant_a.admin
    stage_set_active(actor=admin, stage=_stage("Discovery"), is_active=False)
    stage_update(
        actor=admin, stage=_stage("Proposal"), name="Proposal", probability=40, outcome="lost"
    )
    with pytest.raises(ConversionError, match="active open stage"):
        stage_set_active(actor=admin, stage=_stage("Negotiation"), is_active=False)
    with pytest.raises(ConversionError, match="active open stage"):
        stage_update(
            actor=admin, stage=_stage("Negotiation"), name="Negotiation", probability=70,
            outcome="won",
        )  # fmt: skip


def test_a_stage_with_opportunities_keeps_its_outcome_but_may_be_deactivated(in_tenant_a):
    cast = in_tenant_a
    proposal = _stage("Proposal")
    conversion = lead_convert(
        lead=_lead(cast),
        actor=cast.admin,
        request=ConvertRequest(opportunity={"name": "Shelving", "stage": proposal}),
    )
    with pytest.raises(ConversionError, match="its outcome stays") as refused:
        stage_update(
            actor=cast.admin, stage=proposal, name="Proposal", probability=40, outcome="won"
        )
    assert refused.value.field == "outcome"
    renamed = stage_update(
        actor=cast.admin, stage=proposal, name="Proposal sent", probability=45, outcome="open"
    )
    assert (renamed.name, renamed.probability) == ("Proposal sent", 45)
    stage_set_active(actor=cast.admin, stage=proposal, is_active=False)
    opportunity = conversion.opportunity
    opportunity.refresh_from_db()
    assert opportunity.stage_id == proposal.pk
    assert opportunity.probability == 40  # it moves with the opportunity, not the stage
    assert "Proposal sent" not in [name for name, _o in _pipeline()]


def test_stages_move_up_and_down(in_tenant_a):
    admin = in_tenant_a.admin
    stage_move(actor=admin, stage=_stage("Negotiation"), direction="up")
    assert [n for n, _o in _pipeline()][:3] == ["Discovery", "Negotiation", "Proposal"]
    stage_move(actor=admin, stage=_stage("Discovery"), direction="down")
    assert [n for n, _o in _pipeline()][:3] == ["Negotiation", "Discovery", "Proposal"]
    stage_move(actor=admin, stage=_stage("Negotiation"), direction="up")  # first: no change
    assert next(n for n, _o in _pipeline()) == "Negotiation"
    with pytest.raises(ConversionError, match="up or down"):
        stage_move(actor=admin, stage=_stage("Won"), direction="sideways")


def test_the_pipeline_page_adds_edits_moves_and_refuses_with_a_message(cast_a):
    client = tenant_client(cast_a, cast_a.admin)
    page = client.get(PIPELINE).content.decode()
    assert "Negotiation" in page
    assert 'name="probability"' in page
    added = client.post(
        "/settings/conversion/pipeline/add/",
        {"name": "Demo", "probability": "50", "outcome": "open"},
        HTTP_HX_REQUEST="true",
    )
    assert added.status_code == 200
    assert "Demo added." in added.content.decode()
    assert 'id="pipeline"' in added.content.decode()
    assert "<html" not in added.content.decode()
    with tenant_context(cast_a.tenant):
        won, demo = _stage("Won"), _stage("Demo")
    refused = client.post(
        f"/settings/conversion/pipeline/{won.uuid}/deactivate/", HTTP_HX_REQUEST="true"
    )
    assert "Keep at least one active won stage" in refused.content.decode()
    moved = client.post(f"/settings/conversion/pipeline/{demo.uuid}/move/", {"direction": "up"})
    assert moved.status_code == 302
    assert moved.headers["Location"] == PIPELINE
    edited = client.post(
        f"/settings/conversion/pipeline/{demo.uuid}/",
        {"name": "Product demo", "probability": "150", "outcome": "open"},
        follow=True,
    )
    assert "from 0 to 100" in edited.content.decode()
    client.post(f"/settings/conversion/pipeline/{demo.uuid}/deactivate/")
    with tenant_context(cast_a.tenant):
        demo.refresh_from_db()
        assert (demo.name, demo.is_active) == ("Demo", False)
        assert [n for n, _o in _pipeline()][:4] == [
            "Discovery",
            "Proposal",
            "Negotiation",
            "Won",
        ]
    reactivated = client.post(
        f"/settings/conversion/pipeline/{demo.uuid}/activate/", HTTP_HX_REQUEST="true"
    )
    assert "Demo is back in the pipeline." in reactivated.content.decode()


# The field mapping


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"invoice": {"name": "company"}}, "not a record a lead converts into"),
        ({"customer": {"vat_number": "company"}}, "has no field vat_number"),
        ({"customer": {"industry": "favourite_colour"}}, "favourite_colour is not a field"),
        ({"customer": {"industry": "cf:no_such_field"}}, "cf:no_such_field is not a field"),
        ({"customer": {"cf:Bad Key": "company"}}, "cannot be a key of custom data"),
        ({"opportunity": {"amount": "notes"}}, "cannot fill the amount"),
        ({"customer": {"country": "city"}}, "cannot fill the country"),
        ({"contact": {"name": ""}}, "needs its name"),
        ({"contact": "name"}, "not readable"),
    ],
)
def test_the_mapping_refuses_unknown_or_unfit_fields(in_tenant_a, mapping, message):
    with pytest.raises(ConversionError, match=message):
        conversion_mapping_save(actor=in_tenant_a.admin, mapping=mapping)
    assert ConversionSettings.load().field_mapping == {}


def test_the_mapping_keeps_only_what_differs_from_the_defaults(in_tenant_a):
    admin = in_tenant_a.admin
    custom_field_create(actor=admin, key="budget", label="Budget", field_type="number")
    row = conversion_mapping_save(
        actor=admin,
        mapping={
            "customer": {"name": "company", "industry": "", "cf:budget": "cf:budget"},
            "opportunity": {"notes": "product_line", "amount": "cf:budget"},
        },
    )
    assert row.field_mapping == {
        "customer": {"industry": "", "cf:budget": "cf:budget"},
        "opportunity": {"notes": "product_line", "amount": "cf:budget"},
    }
    effective = mapping_effective(row.field_mapping)
    assert "industry" not in effective["customer"]
    assert effective["customer"]["name"] == "company"
    assert conversion_mapping_save(actor=admin, mapping={}).field_mapping == {}


def test_a_mapped_custom_field_arrives_on_the_converted_records(cast_a):
    with tenant_context(cast_a.tenant):
        custom_field_create(actor=cast_a.admin, key="budget", label="Budget", field_type="number")
        custom_field_create(actor=cast_a.admin, key="tier", label="Tier", field_type="choice",
                            choices=["Gold", "Silver"])  # fmt: skip
    client = tenant_client(cast_a, cast_a.admin)
    page = client.get(MAPPING).content.decode()
    assert 'name="customer.industry"' in page
    assert "Custom: Budget" in page
    assert 'name="customer.cf" value="budget"' in page
    saved = client.post(
        MAPPING,
        {
            "customer.name": "company",
            "customer.industry": "product_line",
            "customer.cf": ["budget", "tier"],
            "contact.name": "name",
            "opportunity.amount": "cf:budget",
            "opportunity.notes": "source_detail",
        },
    )
    assert saved.status_code == 302
    with tenant_context(cast_a.tenant):
        lead = _lead(
            cast_a,
            industry="Retail",
            product_line="Shelving",
            source_detail="Canton Fair booth 12",
            custom_data={"budget": 250000, "tier": "Gold"},
        )
        conversion = lead_convert(
            lead=lead,
            actor=cast_a.rep,
            request=ConvertRequest(opportunity={"name": "Shelving 2027"}),
        )
        customer, opportunity = conversion.customer, conversion.opportunity
        assert customer.custom_data == {"budget": 250000, "tier": "Gold"}
        assert customer.industry == "Shelving"
        assert opportunity.amount == Decimal("250000.00")
        assert opportunity.notes == "Canton Fair booth 12"
    again = client.get(MAPPING).content.decode()
    assert "Default: Industry" in again  # the changed row says what the default was
    reset = client.post("/settings/conversion/mapping/reset/")
    assert reset.status_code == 302
    with tenant_context(cast_a.tenant):
        assert ConversionSettings.load().field_mapping == {}


def test_a_refused_mapping_is_shown_again_with_the_reason(cast_a):
    client = tenant_client(cast_a, cast_a.admin)
    response = client.post(MAPPING, {"contact.name": "", "customer.city": "address"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "The contact needs its name" in body
    assert '<option value="address" selected>' in body  # what was chosen is kept
    with tenant_context(cast_a.tenant):
        assert ConversionSettings.load().field_mapping == {}
