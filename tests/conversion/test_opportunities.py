"""Opportunities: the list (filters, totals), the pipeline board and moving cards, the detail
and edit pages, create/update rules, and who may see or change what."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from conversion.errors import ConversionError, DuplicateError
from conversion.models import ConversionSettings, Opportunity, OpportunityStage
from conversion.services.convert import ConvertRequest, lead_convert
from conversion.services.records import (
    opportunity_create,
    opportunity_move,
    opportunity_update,
)
from leads.models import LossReason
from leads.services import lead as lead_services
from tests.conftest import tenant_client


def _stage(name):
    return OpportunityStage.objects.get(name=name)


def _convert(cast, owner, company, opportunity, **lead_fields):
    lead = lead_services.lead_create(
        actor=cast.admin, owner=owner, name=f"Buyer at {company}", company=company, **lead_fields
    )
    return lead_convert(
        lead=lead, actor=owner, request=ConvertRequest(opportunity=opportunity)
    ).opportunity


@pytest.fixture
def deals(cast_a):
    """The rep's two deals (one customer) and the teammate's one, with the stages' defaults."""
    with tenant_context(cast_a.tenant):
        shelving = _convert(
            cast_a,
            cast_a.rep,
            "Lianhua Trading",
            {
                "name": "Shelving 2027",
                "amount": "100000",
                "expected_close_date": "2035-03-01",
            },
        )
        lighting = opportunity_create(
            actor=cast_a.rep,
            customer=shelving.customer,
            name="Lighting retrofit",
            amount="50000",
            currency="USD",
            expected_close_date=date.today() - timedelta(days=3),
            stage=_stage("Proposal"),
        )
        robin = _convert(
            cast_a,
            cast_a.teammate,
            "Robin Supplies",
            {"name": "Robin Secret Deal", "amount": "7000", "expected_close_date": "2030-06-15"},
        )
    return shelving, lighting, robin


# The list ---------------------------------------------------------------------------------


def test_list_shows_what_the_user_may_see_with_totals_by_currency(cast_a, deals):
    html = tenant_client(cast_a, cast_a.rep).get("/opportunities/").content.decode()
    assert "Shelving 2027" in html
    assert "Lighting retrofit" in html
    assert "Robin Secret Deal" not in html
    # 100,000 CNY at 10 % and 50,000 USD at 40 %: amounts and weighted amounts per currency.
    assert "100,000.00" in html
    assert "10,000.00" in html
    assert "50,000.00" in html
    assert "20,000.00" in html


def test_list_filters_by_search_stage_outcome_owner_and_close_date(cast_a, deals):
    shelving, _lighting, _robin = deals
    client = tenant_client(cast_a, cast_a.manager)

    def names(query):
        html = client.get(f"/opportunities/?{query}").content.decode()
        return {n for n in ("Shelving 2027", "Lighting retrofit", "Robin Secret Deal") if n in html}

    assert names("") == {"Shelving 2027", "Lighting retrofit", "Robin Secret Deal"}
    assert names("q=lianhua") == {"Shelving 2027", "Lighting retrofit"}  # the customer's name
    assert names("q=retrofit") == {"Lighting retrofit"}
    assert names(f"stage={shelving.stage.uuid}") == {"Shelving 2027", "Robin Secret Deal"}
    assert names(f"owner={cast_a.teammate.uuid}") == {"Robin Secret Deal"}
    assert names("close_from=2030-06-01&close_to=2030-06-30") == {"Robin Secret Deal"}
    assert names("state=won") == set()
    with tenant_context(cast_a.tenant):
        opportunity_move(opportunity=shelving, stage=_stage("Won"), actor=cast_a.rep)
    assert names("state=won") == {"Shelving 2027"}
    assert names("state=open") == {"Lighting retrofit", "Robin Secret Deal"}


def test_bad_filter_values_are_ignored_never_a_500(cast_a, deals):
    client = tenant_client(cast_a, cast_a.rep)
    for query in (
        "close_from=0001-01-01",
        "close_to=9999-12-31",
        "close_from=yesterday",
        "owner=nobody",
        "stage=not-a-uuid",
        "state=maybe",
        "sort=random",
        "page=-4",
        "page=x",
    ):
        response = client.get(f"/opportunities/?{query}")
        assert response.status_code == 200, query
        assert "Shelving 2027" in response.content.decode(), query


def test_list_sorts_by_amount_and_close_date(cast_a, deals):
    client = tenant_client(cast_a, cast_a.rep)
    html = client.get("/opportunities/?sort=amount").content.decode()
    assert html.index("Shelving 2027") < html.index("Lighting retrofit")
    html = client.get("/opportunities/?sort=close").content.decode()
    assert html.index("Lighting retrofit") < html.index("Shelving 2027")


def test_htmx_gets_the_results_region_only(cast_a, deals):
    response = tenant_client(cast_a, cast_a.rep).get(
        "/opportunities/?q=shelving",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="opportunity-results",
    )
    html = response.content.decode()
    assert "<html" not in html
    assert "Shelving 2027" in html


# The board --------------------------------------------------------------------------------


def test_board_has_a_column_per_active_stage_with_counts_and_flags_overdue(cast_a, deals):
    with tenant_context(cast_a.tenant):
        retired = OpportunityStage.objects.create(name="Retired stage", position=99)
        retired.is_active = False
        retired.save()
    html = tenant_client(cast_a, cast_a.rep).get("/opportunities/board/").content.decode()
    for name in ("Discovery", "Proposal", "Negotiation", "Won", "Lost"):
        assert f'>{name} <span class="count"' in html
    assert "Retired stage" not in html
    assert html.index("Discovery") < html.index("Negotiation") < html.index(">Won ")
    assert "Robin Secret Deal" not in html
    assert "is-overdue" in html  # the lighting deal's close date has passed
    assert 'draggable="true"' in html


def test_moving_a_card_with_htmx_answers_the_board(cast_a, deals):
    shelving, _lighting, _robin = deals
    with tenant_context(cast_a.tenant):
        negotiation = _stage("Negotiation")
    response = tenant_client(cast_a, cast_a.rep).post(
        f"/opportunities/{shelving.uuid}/move/",
        {"stage": negotiation.uuid, "query": "q=shelving"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="board",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="board"' in html
    assert "moved to Negotiation" in html
    assert "Lighting retrofit" not in html  # the board's search is kept
    with tenant_context(cast_a.tenant):
        shelving.refresh_from_db()
        assert (shelving.stage, shelving.probability) == (negotiation, 70)
        assert shelving.history.first().history_user == cast_a.rep


def test_moving_a_card_with_a_plain_form_goes_back_to_the_board(cast_a, deals):
    shelving, _lighting, _robin = deals
    with tenant_context(cast_a.tenant):
        won = _stage("Won")
    response = tenant_client(cast_a, cast_a.rep).post(
        f"/opportunities/{shelving.uuid}/move/", {"stage": won.uuid, "query": "owner=me"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/opportunities/board/?owner=me")
    with tenant_context(cast_a.tenant):
        shelving.refresh_from_db()
        assert shelving.stage == won
        assert shelving.closed_at is not None


def test_moving_to_lost_asks_for_a_reason_first(cast_a, deals):
    shelving, _lighting, _robin = deals
    with tenant_context(cast_a.tenant):
        lost = _stage("Lost")
        reason = LossReason.objects.filter(is_active=True).first()
    client = tenant_client(cast_a, cast_a.rep)
    # HTMX (a drop on the Lost column): refused, and the card now shows the reason form.
    html = client.post(
        f"/opportunities/{shelving.uuid}/move/",
        {"stage": lost.uuid},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="board",
    ).content.decode()
    assert "Choose why the opportunity was lost." in html
    assert 'name="loss_reason"' in html
    assert "board-lose" in html
    # Without JavaScript: back to the board with the same form open on that card.
    response = client.post(f"/opportunities/{shelving.uuid}/move/", {"stage": lost.uuid})
    assert f"lose={shelving.uuid}" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "board-lose" in page
    assert "Choose why the opportunity was lost." in page
    with tenant_context(cast_a.tenant):
        shelving.refresh_from_db()
        assert shelving.stage.name == "Discovery"
        assert shelving.closed_at is None
    client.post(
        f"/opportunities/{shelving.uuid}/move/", {"stage": lost.uuid, "loss_reason": reason.uuid}
    )
    with tenant_context(cast_a.tenant):
        shelving.refresh_from_db()
        assert (shelving.stage, shelving.loss_reason) == (lost, reason)
        assert shelving.probability == 0
        assert shelving.closed_at is not None


def test_a_teammate_cannot_move_a_reps_opportunity_but_the_manager_can(cast_a, deals):
    shelving, _lighting, _robin = deals
    with tenant_context(cast_a.tenant):
        proposal = _stage("Proposal")
    path = f"/opportunities/{shelving.uuid}/move/"
    assert (
        tenant_client(cast_a, cast_a.teammate).post(path, {"stage": proposal.uuid}).status_code
        == 404
    )
    assert (
        tenant_client(cast_a, cast_a.teammate).get(f"/opportunities/{shelving.uuid}/").status_code
        == 404
    )
    response = tenant_client(cast_a, cast_a.manager).post(path, {"stage": proposal.uuid})
    assert response.status_code == 302
    with tenant_context(cast_a.tenant):
        shelving.refresh_from_db()
        assert shelving.stage == proposal


def test_a_reader_who_may_not_write_is_refused_with_a_message(cast_a, deals):
    from leads.services.sharing import sharing_rule_create

    shelving, _lighting, _robin = deals
    with tenant_context(cast_a.tenant):
        sharing_rule_create(
            actor=cast_a.admin,
            name="Rep to Robin, read",
            access="read",
            from_user=cast_a.rep,
            to_user=cast_a.teammate,
        )
        proposal = _stage("Proposal")
    client = tenant_client(cast_a, cast_a.teammate)
    assert client.get(f"/opportunities/{shelving.uuid}/").status_code == 200
    board = client.get("/opportunities/board/").content.decode()
    assert "Shelving 2027" in board
    assert f"move-{shelving.uuid}" not in board
    response = client.post(f"/opportunities/{shelving.uuid}/move/", {"stage": proposal.uuid})
    assert response.status_code == 403
    assert "You may not change this opportunity." in response.content.decode()
    assert client.get(f"/opportunities/{shelving.uuid}/edit/").status_code == 403


def test_another_tenants_admin_gets_404_and_sees_nothing(cast_a, cast_b, deals):
    shelving, _lighting, _robin = deals
    client = tenant_client(cast_b, cast_b.admin)
    for path in (f"/opportunities/{shelving.uuid}/", f"/opportunities/{shelving.uuid}/edit/"):
        assert client.get(path).status_code == 404
    assert client.post(f"/opportunities/{shelving.uuid}/move/", {}).status_code == 404
    for path in ("/opportunities/", "/opportunities/board/"):
        assert "Shelving 2027" not in client.get(path).content.decode()


# Detail, create, edit ---------------------------------------------------------------------


def test_detail_links_customer_contact_and_the_lead_it_came_from(cast_a, deals):
    shelving, _lighting, _robin = deals
    with tenant_context(cast_a.tenant):
        conversion = shelving.conversions.get()
    html = (
        tenant_client(cast_a, cast_a.rep).get(f"/opportunities/{shelving.uuid}/").content.decode()
    )
    assert f"/customers/{shelving.customer.uuid}/" in html
    assert f"/contacts/{shelving.contact.uuid}/" in html
    assert f"/leads/{conversion.lead.uuid}/" in html
    history = tenant_client(cast_a, cast_a.rep).get(
        f"/opportunities/{shelving.uuid}/?tab=history",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="opportunity-tab",
    )
    assert "<html" not in history.content.decode()
    assert "Created" in history.content.decode()


def test_create_through_the_form_needs_a_visible_customer(cast_a, deals):
    shelving, _lighting, robin = deals
    with tenant_context(cast_a.tenant):
        proposal = _stage("Proposal")
    client = tenant_client(cast_a, cast_a.rep)
    assert client.get(f"/opportunities/new/?customer={robin.customer.uuid}").status_code == 404
    assert "Lianhua Trading" in client.get("/opportunities/new/?q=lianhua").content.decode()
    url = f"/opportunities/new/?customer={shelving.customer.uuid}"
    form = {
        "name": "Cold storage",
        "amount": "12,500",
        "currency": "cny",
        "expected_close_date": "2027-06-30",
        "stage": proposal.uuid,
        "contact": shelving.contact.uuid,
        "owner": cast_a.rep.uuid,
    }
    response = client.post(url, form)
    assert response.status_code == 302
    with tenant_context(cast_a.tenant):
        created = Opportunity.objects.get(name="Cold storage")
        assert (created.amount, created.currency, created.probability) == (
            Decimal("12500.00"),
            "CNY",
            40,
        )
        assert created.contact == shelving.contact
        assert created.created_by == cast_a.rep
    # The same name again (any case) is refused, naming the clash.
    html = client.post(url, {**form, "name": "COLD STORAGE"}).content.decode()
    assert "already has an opportunity called COLD STORAGE" in html
    html = client.post(url, {**form, "name": "Other", "expected_close_date": "1999-12-31"})
    assert "between the years 2000 and 2100" in html.content.decode()


def test_edit_form_saves_and_respects_write_rights(cast_a, deals):
    shelving, _lighting, _robin = deals
    client = tenant_client(cast_a, cast_a.rep)
    page = client.get(f"/opportunities/{shelving.uuid}/edit/")
    assert page.status_code == 200
    assert "Shelving 2027" in page.content.decode()
    response = client.post(
        f"/opportunities/{shelving.uuid}/edit/",
        {
            "name": "Shelving 2027 (phase 1)",
            "amount": "90000",
            "currency": "CNY",
            "expected_close_date": "2027-04-01",
            "stage": shelving.stage.uuid,
            "probability": "25",
            "owner": cast_a.rep.uuid,
        },
    )
    assert response.status_code == 302
    with tenant_context(cast_a.tenant):
        shelving.refresh_from_db()
        assert (shelving.name, shelving.amount, shelving.probability) == (
            "Shelving 2027 (phase 1)",
            Decimal("90000.00"),
            25,
        )
        assert shelving.history.first().history_user == cast_a.rep


# The services -----------------------------------------------------------------------------


def test_create_refuses_bad_values_with_the_field(in_tenant_a, deals):
    cast = in_tenant_a
    shelving, _lighting, robin = deals
    base = {
        "actor": cast.rep,
        "customer": shelving.customer,
        "name": "New deal",
        "amount": "10",
        "currency": "CNY",
        "expected_close_date": None,
        "stage": None,
    }
    cases = [
        ({"name": "  "}, "opportunity_name"),
        ({"amount": "ten"}, "amount"),
        ({"amount": "-1"}, "amount"),
        ({"currency": "yuan"}, "currency"),
        ({"expected_close_date": "2101-01-01"}, "expected_close_date"),
        ({"probability": "140"}, "probability"),
        ({"stage": _stage("Lost")}, "loss_reason"),
        ({"contact": robin.contact}, "contact"),
        ({"customer": robin.customer}, "customer"),
    ]
    for change, field in cases:
        with pytest.raises(ConversionError) as refused:
            opportunity_create(**{**base, **change})
        assert refused.value.field == field, change
    with pytest.raises(ConversionError, match="yourself or your team"):
        opportunity_create(**base, owner=cast.teammate)


def test_name_must_be_unique_under_a_customer_unless_the_tenant_allows_it(in_tenant_a, deals):
    cast = in_tenant_a
    shelving, lighting, _robin = deals
    values = {"amount": 1, "currency": "CNY", "expected_close_date": None, "stage": None}
    with pytest.raises(DuplicateError, match="Lianhua Trading already has an opportunity"):
        opportunity_create(
            actor=cast.rep, customer=shelving.customer, name="shelving 2027", **values
        )
    with pytest.raises(DuplicateError):
        opportunity_update(opportunity=lighting, actor=cast.rep, name="SHELVING 2027", **values)
    # Renaming to its own name (other case) is fine.
    opportunity_update(opportunity=lighting, actor=cast.rep, name="LIGHTING RETROFIT", **values)
    settings_row = ConversionSettings.load()
    settings_row.opportunity_name_unique = False
    settings_row.save()
    opportunity_create(actor=cast.rep, customer=shelving.customer, name="Shelving 2027", **values)


def test_closed_at_is_set_on_won_or_lost_and_cleared_on_reopening(in_tenant_a, deals):
    cast = in_tenant_a
    shelving, _lighting, _robin = deals
    values = {
        "name": shelving.name,
        "amount": shelving.amount,
        "currency": "CNY",
        "expected_close_date": None,
    }
    won = opportunity_update(opportunity=shelving, actor=cast.rep, stage=_stage("Won"), **values)
    assert won.closed_at is not None
    assert won.probability == 100
    reopened = opportunity_update(
        opportunity=shelving, actor=cast.rep, stage=_stage("Proposal"), **values
    )
    assert reopened.closed_at is None
    assert reopened.probability == 40
    reason = LossReason.objects.filter(is_active=True).first()
    lost = opportunity_update(
        opportunity=shelving,
        actor=cast.rep,
        stage=_stage("Lost"),
        loss_reason=reason,
        **values,
    )
    assert lost.closed_at is not None
    assert lost.loss_reason == reason
    created = opportunity_create(
        actor=cast.rep,
        customer=shelving.customer,
        name="Already won",
        stage=_stage("Won"),
        **{k: v for k, v in values.items() if k != "name"},
    )
    assert created.closed_at is not None


def test_update_is_refused_to_who_may_not_write(in_tenant_a, deals):
    cast = in_tenant_a
    _shelving, _lighting, robin = deals
    with pytest.raises(ConversionError, match="may not change"):
        opportunity_update(
            opportunity=robin,
            actor=cast.rep,
            name="Taken over",
            amount=1,
            currency="CNY",
            expected_close_date=None,
            stage=robin.stage,
        )
