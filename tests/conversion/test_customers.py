"""Customers as records with their own pages: the list (search, filters, sorts, pages), who sees
and changes what, creating and editing with the duplicate check, the activity timeline, the
history and where a customer came from."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import tenant_context

from conversion.errors import ConversionError, DuplicateError
from conversion.models import ConversionSettings, Customer, CustomerActivity
from conversion.services.convert import ConvertRequest, lead_convert
from conversion.services.customers import (
    customer_activity_log,
    customer_create,
    customer_update,
)
from leads.identity.normalize import company_key
from leads.models import LeadStatus
from leads.services import lead as lead_services
from leads.services.comments import comment_add
from leads.services.followups import followup_create
from leads.services.sharing import sharing_rule_create
from tests.conftest import tenant_client


def _customer(cast, name, *, owner=None, **values):
    owner = owner or cast.rep
    return customer_create(actor=cast.admin, owner=owner, values={"name": name, **values})


def _converted(
    cast, *, owner=None, company="Shanghai Lianhua Trading Co., Ltd.", opportunity=None, before=None
):
    lead = lead_services.lead_create(
        actor=cast.admin,
        owner=owner or cast.rep,
        name="Wang Fang",
        company=company,
        email="wang.fang@lianhua.example.cn",
        mobile="13800138000",
        city="Shanghai",
        tags=["expo"],
    )
    lead = lead_services.lead_change_status(
        lead=lead, to_status=LeadStatus.QUALIFIED, actor=cast.admin
    )
    if before is not None:
        before(lead)  # what the lead collected while it was worked (it is read-only after)
    return lead_convert(
        lead=lead, actor=cast.admin, request=ConvertRequest(opportunity=opportunity)
    )


def _url(name, customer=None, **query):
    path = reverse(name, kwargs={"uuid": customer.uuid} if customer else None)
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _get(cast, user, url):
    response = tenant_client(cast, user).get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- The list ------------------------------------------------------------------------------


def test_the_list_shows_a_customers_contacts_and_open_opportunities(in_tenant_a):
    cast = in_tenant_a
    conversion = _converted(cast, opportunity={"name": "Shelving", "amount": "128000.50"})
    _customer(cast, "Empty Shell Ltd", city="Hangzhou")
    page = _get(cast, cast.rep, _url("conversion-customers"))
    assert "Shanghai Lianhua Trading Co., Ltd." in page
    assert "Empty Shell Ltd" in page
    row = page.split(conversion.customer.name)[1].split("</tr>")[0]
    assert "128,000.50" in row
    assert ">1<" in row.replace(" ", "")  # one contact, one open opportunity


def test_an_empty_list_explains_where_customers_come_from(in_tenant_a):
    cast = in_tenant_a
    page = _get(cast, cast.rep, _url("conversion-customers"))
    assert "No customers yet." in page
    assert "convert a qualified lead" in page


def test_search_finds_customers_by_name_phone_and_city(in_tenant_a):
    cast = in_tenant_a
    _customer(cast, "Alpha Steel", phone="021-5555-0101", city="Tianjin")
    _customer(cast, "Beta Paper", phone="010-7777-0202", city="Wuhan")
    for query, found, not_found in (
        ("steel", "Alpha Steel", "Beta Paper"),
        ("7777", "Beta Paper", "Alpha Steel"),
        ("tianjin", "Alpha Steel", "Beta Paper"),
    ):
        page = _get(cast, cast.rep, _url("conversion-customers", q=query))
        assert found in page, query
        assert not_found not in page, query


def test_filters_by_owner_and_created_dates(in_tenant_a):
    cast = in_tenant_a
    mine = _customer(cast, "Rep Owned Co")
    team = _customer(cast, "Teammate Owned Co", owner=cast.teammate)
    Customer.objects.filter(pk=team.pk).update(created_at=timezone.now() - timedelta(days=400))
    page = _get(cast, cast.manager, _url("conversion-customers", owner=cast.teammate.uuid))
    assert "Teammate Owned Co" in page
    assert "Rep Owned Co" not in page
    today = timezone.localdate().isoformat()
    page = _get(cast, cast.manager, _url("conversion-customers", created_from=today))
    assert mine.name in page
    assert team.name not in page
    last_year = (timezone.localdate() - timedelta(days=300)).isoformat()
    page = _get(cast, cast.manager, _url("conversion-customers", created_to=last_year))
    assert team.name in page
    assert mine.name not in page


@pytest.mark.parametrize(
    "bad", ["99999-01-01", "1999-12-31", "2101-01-01", "yesterday", "2026-02-30"]
)
def test_a_bad_date_is_ignored_with_a_notice_never_a_500(in_tenant_a, bad):
    cast = in_tenant_a
    _customer(cast, "Still Listed Co")
    page = _get(cast, cast.rep, _url("conversion-customers", created_from=bad, created_to=bad))
    assert "Still Listed Co" in page
    assert "not understood and is ignored" in page


def test_an_owner_the_user_may_not_see_filters_nothing_in(in_tenant_a):
    cast = in_tenant_a
    _customer(cast, "Teammate Secret Co", owner=cast.teammate)
    page = _get(cast, cast.rep, _url("conversion-customers", owner=cast.teammate.uuid))
    assert "Teammate Secret Co" not in page
    assert cast.teammate.full_name not in page  # not offered in the owner menu either


def test_sorts_by_name_newest_open_opportunities_and_amount(in_tenant_a):
    cast = in_tenant_a
    small = _converted(cast, company="Small Deal Co", opportunity={"name": "S", "amount": "10"})
    big = _converted(cast, company="Big Deal Co", opportunity={"name": "B", "amount": "90000"})
    _customer(cast, "Aaa No Deals")
    for sort, order in (
        ("name", ["Aaa No Deals", "Big Deal Co", "Small Deal Co"]),
        ("newest", ["Aaa No Deals", "Big Deal Co", "Small Deal Co"]),
        ("amount", ["Big Deal Co", "Small Deal Co", "Aaa No Deals"]),
    ):
        page = _get(cast, cast.rep, _url("conversion-customers", sort=sort))
        assert sorted(order, key=page.index) == order, sort
    # Two open opportunities beat one, whatever their amount.
    lead = lead_services.lead_create(
        actor=cast.admin, owner=cast.rep, name="Second", company="Small Deal Co", email="x@s.cn"
    )
    lead_convert(
        lead=lead,
        actor=cast.admin,
        request=ConvertRequest(customer=small.customer, opportunity={"name": "S2", "amount": "1"}),
    )
    page = _get(cast, cast.rep, _url("conversion-customers", sort="opportunities"))
    assert page.index("Small Deal Co") < page.index(big.customer.name)


def test_the_list_pages_by_fifty_and_htmx_gets_only_the_results(in_tenant_a):
    cast = in_tenant_a
    for i in range(53):
        _customer(cast, f"Paged Customer {i:02d}")
    first = _get(cast, cast.rep, _url("conversion-customers"))
    assert "Paged Customer 49" in first
    assert "Paged Customer 50" not in first
    assert "page=2" in first
    second = _get(cast, cast.rep, _url("conversion-customers", page=2))
    assert "Paged Customer 50" in second
    assert "Paged Customer 49" not in second
    partial = tenant_client(cast, cast.rep).get(
        _url("conversion-customers", page=2),
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="customer-results",
    )
    body = partial.content.decode()
    assert "Paged Customer 52" in body
    assert "<html" not in body


# --- Who sees what -------------------------------------------------------------------------


def test_a_rep_does_not_see_a_teammates_customer_but_the_manager_does(in_tenant_a):
    cast = in_tenant_a
    theirs = _customer(cast, "Robin's Account Co", owner=cast.teammate)
    assert "Robin&#x27;s Account Co" not in _get(cast, cast.rep, _url("conversion-customers"))
    rep = tenant_client(cast, cast.rep)
    assert rep.get(_url("conversion-customer-detail", theirs)).status_code == 404
    assert rep.get(_url("conversion-customer-edit", theirs)).status_code == 404
    assert "Robin&#x27;s Account Co" in _get(cast, cast.manager, _url("conversion-customers"))
    page = _get(cast, cast.manager, _url("conversion-customer-detail", theirs))
    assert "Robin&#x27;s Account Co" in page
    assert ">Edit<" in page


def test_another_tenants_customer_is_not_found(cast_a, cast_b):
    with tenant_context(cast_a.tenant):
        customer = _customer(cast_a, "Alpha Only Co")
    client = tenant_client(cast_b, cast_b.admin)
    for name in ("conversion-customer-detail", "conversion-customer-edit"):
        response = client.get(_url(name, customer))
        assert response.status_code == 404
        assert "Alpha Only Co" not in response.content.decode()
    assert "Alpha Only Co" not in client.get(_url("conversion-customers")).content.decode()


def test_someone_who_may_only_read_sees_no_edit_and_is_refused_changes(in_tenant_a):
    cast = in_tenant_a
    customer = _customer(cast, "Shared Read Co")
    sharing_rule_create(
        actor=cast.admin,
        name="Read Riley",
        access="read",
        from_user=cast.rep,
        to_user=cast.teammate,
    )
    page = _get(cast, cast.teammate, _url("conversion-customer-detail", customer, tab="activity"))
    assert "Shared Read Co" in page
    assert "Read only" in page
    assert "/activity/" not in page  # no form to log activity
    client = tenant_client(cast, cast.teammate)
    assert client.get(_url("conversion-customer-edit", customer)).status_code == 403
    posted = client.post(_url("conversion-customer-activity-create", customer), {"kind": "call"})
    assert posted.status_code == 403
    assert client.get(_url("conversion-contact-create", customer)).status_code == 403
    assert not CustomerActivity.objects.filter(customer=customer).exists()
    with pytest.raises(ConversionError):
        customer_update(customer=customer, actor=cast.teammate, name="Renamed By Reader")


# --- Create and edit -----------------------------------------------------------------------


def test_creating_a_customer_by_hand(in_tenant_a):
    cast = in_tenant_a
    client = tenant_client(cast, cast.rep)
    assert client.get(_url("conversion-customer-create")).status_code == 200
    response = client.post(
        _url("conversion-customer-create"),
        {"name": "  Hangzhou  Yunqi Tech Co., Ltd. ", "owner": cast.rep.uuid, "city": "Hangzhou"},
    )
    customer = Customer.objects.get(city="Hangzhou")
    assert response.status_code == 302
    assert response.headers["Location"] == _url("conversion-customer-detail", customer)
    assert customer.name == "Hangzhou Yunqi Tech Co., Ltd."
    assert customer.name_key
    assert customer.owner == cast.rep
    assert customer.created_by == cast.rep
    assert customer.history.first().history_user == cast.rep


def test_a_name_is_required_and_owners_are_the_actor_or_their_team(in_tenant_a):
    cast = in_tenant_a
    rep = tenant_client(cast, cast.rep)
    page = rep.post(_url("conversion-customer-create"), {"name": " ", "owner": cast.rep.uuid})
    assert page.status_code == 200
    assert not Customer.objects.exists()
    refused = rep.post(
        _url("conversion-customer-create"), {"name": "Gift Co", "owner": cast.teammate.uuid}
    )
    assert refused.status_code == 200
    assert not Customer.objects.exists()
    with pytest.raises(ConversionError, match="yourself or your team"):
        customer_create(actor=cast.rep, owner=cast.teammate, values={"name": "Gift Co"})
    # The manager may give one to someone in the team.
    made = customer_create(actor=cast.manager, owner=cast.teammate, values={"name": "Gift Co"})
    assert made.owner == cast.teammate


def test_a_customer_with_the_same_company_name_is_refused_and_named(in_tenant_a):
    cast = in_tenant_a
    existing = _customer(cast, "上海联华贸易有限公司")
    response = tenant_client(cast, cast.rep).post(
        _url("conversion-customer-create"), {"name": "上海联华贸易", "owner": cast.rep.uuid}
    )
    page = response.content.decode()
    assert "The customer 上海联华贸易有限公司 already exists." in page
    assert _url("conversion-customer-detail", existing) in page
    assert Customer.objects.count() == 1


def test_a_duplicate_the_user_may_not_see_is_refused_without_naming_it(in_tenant_a):
    cast = in_tenant_a
    _customer(cast, "Hidden Holdings Ltd", owner=cast.teammate)
    with pytest.raises(DuplicateError) as refused:
        customer_create(actor=cast.rep, owner=cast.rep, values={"name": "HIDDEN HOLDINGS"})
    assert "Hidden Holdings" not in refused.value.message
    assert refused.value.existing is None


def test_with_the_duplicate_check_off_the_same_name_is_allowed(in_tenant_a):
    cast = in_tenant_a
    ConversionSettings.objects.update_or_create(
        singleton=True, defaults={"customer_duplicate_check": False}
    )
    _customer(cast, "Twin Co")
    _customer(cast, "Twin Co.")
    assert Customer.objects.filter(name__startswith="Twin").count() == 2


def test_editing_a_customer_recomputes_its_key_and_refuses_a_duplicate_rename(in_tenant_a):
    cast = in_tenant_a
    customer = _customer(cast, "Old Name Ltd")
    _customer(cast, "Taken Name Ltd")
    client = tenant_client(cast, cast.rep)
    assert client.get(_url("conversion-customer-edit", customer)).status_code == 200
    refused = client.post(
        _url("conversion-customer-edit", customer),
        {"name": "TAKEN NAME", "owner": cast.rep.uuid},
    )
    assert "The customer Taken Name Ltd already exists." in refused.content.decode()
    customer.refresh_from_db()
    assert customer.name == "Old Name Ltd"
    saved = client.post(
        _url("conversion-customer-edit", customer),
        {"name": "New Name Ltd", "owner": cast.rep.uuid, "industry": "Logistics"},
    )
    assert saved.status_code == 302
    customer.refresh_from_db()
    assert (customer.name, customer.industry) == ("New Name Ltd", "Logistics")
    assert customer.name_key == company_key("New Name Ltd") != company_key("Old Name Ltd")
    assert customer.history.first().history_user == cast.rep


def test_the_history_tab_shows_a_change(in_tenant_a):
    cast = in_tenant_a
    customer = _customer(cast, "History Co")
    customer_update(customer=customer, actor=cast.rep, city="Chengdu")
    page = _get(cast, cast.rep, _url("conversion-customer-detail", customer, tab="history"))
    assert "Chengdu" in page
    assert cast.rep.full_name in page


# --- Activity and where it came from -------------------------------------------------------


def test_the_timeline_shows_the_converted_leads_activity_and_the_customers_own(in_tenant_a):
    cast = in_tenant_a

    def worked(lead):
        lead_services.activity_log(lead=lead, actor=cast.rep, kind="call", body="Asked for a quote")
        comment_add(lead=lead, author=cast.rep, body="Their buyer prefers WeChat")
        followup_create(
            lead=lead,
            actor=cast.rep,
            title="Send the samples",
            due_at=timezone.now() + timedelta(days=2),
        )

    conversion = _converted(cast, before=worked)
    customer = conversion.customer
    response = tenant_client(cast, cast.rep).post(
        _url("conversion-customer-activity-create", customer),
        {"kind": "meeting", "body": "Visited the warehouse", "contact": conversion.contact.uuid},
    )
    assert response.status_code == 302
    logged = CustomerActivity.objects.get(customer=customer)
    assert (logged.kind, logged.contact, logged.created_by) == (
        "meeting",
        conversion.contact,
        cast.rep,
    )
    page = _get(cast, cast.rep, _url("conversion-customer-detail", customer, tab="activity"))
    for text in ("Asked for a quote", "Their buyer prefers WeChat", "Send the samples"):
        assert text in page
    assert page.index("Visited the warehouse") < page.index("Asked for a quote")  # newest first


@pytest.mark.parametrize("at", ["1999-12-31T10:00", "2040-01-01T10:00", "99999-01-01T10:00"])
def test_an_activity_dated_before_2000_or_over_a_year_ahead_is_refused(in_tenant_a, at):
    cast = in_tenant_a
    customer = _customer(cast, "Dated Co")
    response = tenant_client(cast, cast.rep).post(
        _url("conversion-customer-activity-create", customer),
        {"kind": "call", "at": at, "body": "Typed before the mistake"},
    )
    assert response.status_code == 200  # the page again, with the form's error and input
    page = response.content.decode()
    assert "errorlist" in page
    assert "Typed before the mistake" in page
    assert not CustomerActivity.objects.exists()


def test_the_activity_service_keeps_its_rules(in_tenant_a):
    cast = in_tenant_a
    customer = _customer(cast, "Rules Co")
    other = _customer(cast, "Other Rules Co")
    other_contact = _converted(cast, company="Other Rules Co").contact
    assert other_contact.customer == other
    with pytest.raises(ConversionError, match="Write the note"):
        customer_activity_log(customer=customer, actor=cast.rep, kind="note")
    with pytest.raises(ConversionError, match="contact of this customer"):
        customer_activity_log(customer=customer, actor=cast.rep, kind="call", contact=other_contact)
    with pytest.raises(ConversionError, match="year 2000"):
        customer_activity_log(
            customer=customer, actor=cast.rep, kind="call", at=timezone.now() + timedelta(days=400)
        )
    with pytest.raises(ConversionError):
        customer_activity_log(customer=customer, actor=cast.teammate, kind="call")
    soon = customer_activity_log(
        customer=customer, actor=cast.rep, kind="meeting", at=timezone.now() + timedelta(days=30)
    )
    assert soon.pk


def test_the_came_from_box_lists_the_converted_lead(in_tenant_a):
    cast = in_tenant_a
    conversion = _converted(cast)
    page = _get(cast, cast.rep, _url("conversion-customer-detail", conversion.customer))
    box = page.split("Came from")[1]
    assert reverse("leads-detail", kwargs={"uuid": conversion.lead.uuid}) in box
    assert "#expo" in box
    assert cast.admin.full_name in box
    hand_made = _customer(cast, "By Hand Co")
    page = _get(cast, cast.rep, _url("conversion-customer-detail", hand_made))
    assert "Created by hand, not from a lead." in page


def test_the_tabs_list_contacts_and_opportunities_with_their_links(in_tenant_a):
    cast = in_tenant_a
    conversion = _converted(cast, opportunity={"name": "Racks 2027", "amount": "5000"})
    customer = conversion.customer
    contacts = _get(cast, cast.rep, _url("conversion-customer-detail", customer, tab="contacts"))
    assert _url("conversion-contact-detail", conversion.contact) in contacts
    assert _url("conversion-contact-create", customer) in contacts
    opportunities = _get(
        cast, cast.rep, _url("conversion-customer-detail", customer, tab="opportunities")
    )
    assert f"/opportunities/{conversion.opportunity.uuid}/" in opportunities
    assert f"/opportunities/new/?customer={customer.uuid}" in opportunities
    assert "Racks 2027" in opportunities
    assert "5,000.00" in opportunities
    assert Decimal(conversion.opportunity.amount) == Decimal("5000")
