"""Contacts: the list, a contact's page, adding one from its customer's page and editing it,
with the duplicate check (the same e-mail or mobile under one customer)."""

import pytest
from django.urls import reverse
from django_tenants.utils import tenant_context

from conversion.errors import ConversionError, DuplicateError
from conversion.models import Contact, ConversionSettings
from conversion.services.customers import contact_create, contact_update, customer_create
from leads.services.sharing import sharing_rule_create
from tests.conftest import tenant_client


def _customer(cast, name="Lianhua Trading", *, owner=None):
    return customer_create(actor=cast.admin, owner=owner or cast.rep, values={"name": name})


def _contact(cast, customer, name, **values):
    return contact_create(customer=customer, actor=cast.admin, name=name, **values)


def _url(name, record=None, **query):
    path = reverse(name, kwargs={"uuid": record.uuid} if record else None)
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _get(cast, user, url):
    response = tenant_client(cast, user).get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_list_searches_name_email_and_phone(in_tenant_a):
    cast = in_tenant_a
    customer = _customer(cast)
    _contact(cast, customer, "Wang Fang", email="wang@lianhua.cn", mobile="13800138000")
    _contact(cast, customer, "Li Lei", email="li@lianhua.cn", phone="021-6666-1234")
    for query, found, not_found in (
        ("wang", "Wang Fang", "Li Lei"),
        ("li@lianhua", "Li Lei", "Wang Fang"),
        ("6666", "Li Lei", "Wang Fang"),
        ("13800", "Wang Fang", "Li Lei"),
    ):
        page = _get(cast, cast.rep, _url("conversion-contacts", q=query))
        assert found in page, query
        assert not_found not in page, query


def test_the_list_filters_by_owner_sorts_and_pages(in_tenant_a):
    cast = in_tenant_a
    mine = _customer(cast, "Zeta Mine Co")
    theirs = _customer(cast, "Alpha Theirs Co", owner=cast.teammate)
    _contact(cast, mine, "Mine Person")
    _contact(cast, theirs, "Their Person")
    page = _get(cast, cast.manager, _url("conversion-contacts", owner=cast.teammate.uuid))
    assert "Their Person" in page
    assert "Mine Person" not in page
    page = _get(cast, cast.manager, _url("conversion-contacts", sort="customer"))
    assert page.index("Their Person") < page.index("Mine Person")
    page = _get(cast, cast.manager, _url("conversion-contacts", sort="name"))
    assert page.index("Mine Person") < page.index("Their Person")
    for i in range(51):
        _contact(cast, mine, f"Paged Person {i:02d}", email=f"p{i}@zeta.cn")
    page = _get(cast, cast.rep, _url("conversion-contacts", page=2))
    assert "Paged Person" in page
    assert "page=1" in page


def test_an_empty_list_and_a_bad_date_never_fail(in_tenant_a):
    cast = in_tenant_a
    page = _get(cast, cast.rep, _url("conversion-contacts", created_from="2026-13-45", sort="x"))
    assert "No contacts yet." in page


def test_visibility_follows_the_customer(in_tenant_a):
    cast = in_tenant_a
    theirs = _contact(cast, _customer(cast, "Robin Co", owner=cast.teammate), "Robin Contact")
    assert "Robin Contact" not in _get(cast, cast.rep, _url("conversion-contacts"))
    rep = tenant_client(cast, cast.rep)
    assert rep.get(_url("conversion-contact-detail", theirs)).status_code == 404
    assert rep.get(_url("conversion-contact-edit", theirs)).status_code == 404
    page = _get(cast, cast.manager, _url("conversion-contact-detail", theirs))
    assert "Robin Contact" in page
    assert _url("conversion-customer-detail", theirs.customer) in page


def test_another_tenants_contact_is_not_found(cast_a, cast_b):
    with tenant_context(cast_a.tenant):
        contact = _contact(cast_a, _customer(cast_a), "Alpha Only Person")
    client = tenant_client(cast_b, cast_b.admin)
    for name in ("conversion-contact-detail", "conversion-contact-edit"):
        response = client.get(_url(name, contact))
        assert response.status_code == 404
    assert "Alpha Only Person" not in client.get(_url("conversion-contacts")).content.decode()


def test_adding_a_contact_from_the_customer_page(in_tenant_a):
    cast = in_tenant_a
    customer = _customer(cast)
    client = tenant_client(cast, cast.rep)
    assert client.get(_url("conversion-contact-create", customer)).status_code == 200
    response = client.post(
        _url("conversion-contact-create", customer),
        {"name": "Zhao Min", "email": "Zhao.Min@Lianhua.cn", "mobile": "+86 139 0013 9000"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("?tab=contacts")
    contact = Contact.objects.get(name="Zhao Min")
    assert contact.customer == customer
    assert contact.owner == cast.rep
    assert contact.email_key == "zhao.min@lianhua.cn"
    assert contact.mobile_key.endswith("13900139000")
    assert contact.history.first().history_user == cast.rep


def test_the_same_email_or_mobile_under_one_customer_is_refused_and_named(in_tenant_a):
    cast = in_tenant_a
    customer = _customer(cast)
    _contact(cast, customer, "Wang Fang", email="wang@lianhua.cn", mobile="13800138000")
    client = tenant_client(cast, cast.rep)
    for data in (
        {"name": "Fang Wang", "email": "WANG@lianhua.cn"},
        {"name": "Fang Wang", "mobile": "+86 138-0013-8000"},
    ):
        page = client.post(_url("conversion-contact-create", customer), data).content.decode()
        assert "Wang Fang is already a contact of Lianhua Trading" in page
    assert customer.contacts.count() == 1
    # Under another customer the same person is fine.
    other = _customer(cast, "Another Buyer Co")
    assert _contact(cast, other, "Wang Fang", email="wang@lianhua.cn").customer == other


def test_with_the_contact_check_off_duplicates_are_allowed(in_tenant_a):
    cast = in_tenant_a
    ConversionSettings.objects.update_or_create(
        singleton=True, defaults={"contact_duplicate_check": False}
    )
    customer = _customer(cast)
    _contact(cast, customer, "One", email="same@lianhua.cn")
    _contact(cast, customer, "Two", email="same@lianhua.cn")
    assert customer.contacts.count() == 2


def test_editing_a_contact_recomputes_keys_and_refuses_a_duplicate(in_tenant_a):
    cast = in_tenant_a
    customer = _customer(cast)
    _contact(cast, customer, "Wang Fang", email="wang@lianhua.cn")
    contact = _contact(cast, customer, "Li Lei", email="li@lianhua.cn")
    client = tenant_client(cast, cast.rep)
    assert client.get(_url("conversion-contact-edit", contact)).status_code == 200
    refused = client.post(
        _url("conversion-contact-edit", contact), {"name": "Li Lei", "email": "wang@lianhua.cn"}
    )
    assert "Wang Fang is already a contact" in refused.content.decode()
    contact.refresh_from_db()
    assert contact.email == "li@lianhua.cn"
    saved = client.post(
        _url("conversion-contact-edit", contact),
        {"name": "Li Lei", "email": "LEI.LI@lianhua.cn", "job_title": "Buyer"},
    )
    assert saved.status_code == 302
    contact.refresh_from_db()
    assert (contact.email_key, contact.job_title) == ("lei.li@lianhua.cn", "Buyer")
    # Saving a contact unchanged is never refused as a duplicate of itself.
    contact_update(contact=contact, actor=cast.rep, name="Li Lei")
    history = _get(cast, cast.rep, _url("conversion-contact-detail", contact, tab="history"))
    assert "LEI.LI@lianhua.cn" in history
    assert cast.rep.full_name in history


def test_a_contact_needs_a_name_and_a_reader_may_not_change_it(in_tenant_a):
    cast = in_tenant_a
    customer = _customer(cast)
    with pytest.raises(ConversionError, match="needs a name"):
        contact_create(customer=customer, actor=cast.rep, name=" ")
    contact = _contact(cast, customer, "Wang Fang")
    sharing_rule_create(
        actor=cast.admin,
        name="Read Riley",
        access="read",
        from_user=cast.rep,
        to_user=cast.teammate,
    )
    page = _get(cast, cast.teammate, _url("conversion-contact-detail", contact))
    assert "Wang Fang" in page
    assert "Read only" in page
    client = tenant_client(cast, cast.teammate)
    assert client.get(_url("conversion-contact-edit", contact)).status_code == 403
    with pytest.raises(ConversionError):
        contact_update(contact=contact, actor=cast.teammate, name="Changed")
    with pytest.raises(ConversionError):
        contact_create(customer=customer, actor=cast.teammate, name="Sneaky")


def test_the_contact_page_lists_its_opportunities(in_tenant_a):
    from conversion.services.convert import ConvertRequest, lead_convert
    from leads.services.lead import lead_create

    cast = in_tenant_a
    lead = lead_create(
        actor=cast.admin, owner=cast.rep, name="Opp Person", company="Opp Co", email="o@opp.cn"
    )
    conversion = lead_convert(
        lead=lead, actor=cast.rep, request=ConvertRequest(opportunity={"name": "Opp Deal"})
    )
    page = _get(
        cast, cast.rep, _url("conversion-contact-detail", conversion.contact, tab="opportunities")
    )
    assert f"/opportunities/{conversion.opportunity.uuid}/" in page
    assert "Opp Deal" in page


def test_a_duplicate_error_carries_the_existing_contact(in_tenant_a):
    cast = in_tenant_a
    customer = _customer(cast)
    existing = _contact(cast, customer, "Wang Fang", mobile="13800138000")
    with pytest.raises(DuplicateError) as refused:
        _contact(cast, customer, "W. Fang", mobile="138 0013 8000")
    assert refused.value.existing == existing
