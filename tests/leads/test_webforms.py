"""Web-to-lead: public posts become leads through lead_create; bots, floods and bad input
are turned away with nothing saved."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from leads.errors import LeadError
from leads.models import Lead, WebForm
from leads.services.webforms import webform_save
from tests.conftest import tenant_client


@pytest.fixture
def web_form(in_tenant_a):
    cache.clear()
    return webform_save(
        actor=in_tenant_a.admin,
        name="Contact us",
        title="Talk to sales",
        fields=["company", "email", "mobile", "notes"],
        required=["email"],
        thank_you="Thanks, we call you within a day.",
    )


def _url(form, query=""):
    return reverse("leads-webform-public", kwargs={"uuid": form.uuid}) + query


def test_visitor_submits_and_a_lead_is_created_with_utm(in_tenant_a, web_form):
    client = Client(HTTP_HOST=in_tenant_a.host)
    page = client.get(_url(web_form, "?utm_source=google&utm_medium=cpc&utm_campaign=expo"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Talk to sales" in html
    assert 'value="google"' in html  # carried into the post
    assert "frame-ancestors *" in page["Content-Security-Policy"]
    response = client.post(
        _url(web_form),
        {
            "name": "Zhou Min",
            "company": "Kaisheng Trading",
            "email": "zhou.min@kaisheng.example",
            "utm_source": "google",
            "utm_medium": "cpc",
            "utm_campaign": "expo",
        },
    )
    assert "Thanks, we call you within a day." in response.content.decode()
    lead = Lead.objects.get(name="Zhou Min")
    assert lead.source.code == "website"
    assert lead.source_detail == "Web form: Contact us · utm google / cpc / expo"
    assert lead.owner is None  # the assignment rules route it
    web_form.refresh_from_db()
    assert web_form.submissions == 1


def test_required_fields_honeypot_and_rate_limit(in_tenant_a, web_form):
    client = Client(HTTP_HOST=in_tenant_a.host)
    missing = client.post(_url(web_form), {"name": "No Email"})
    assert missing.status_code == 422
    assert "This field is required." in missing.content.decode()
    bot = client.post(_url(web_form), {"name": "Bot", "email": "b@x.example", "website_url": "x"})
    assert bot.status_code == 200  # the bot is thanked ...
    assert not Lead.objects.filter(name__in=["No Email", "Bot"]).exists()  # ... and ignored
    for i in range(4):
        client.post(_url(web_form), {"name": f"Visitor {i}", "email": f"v{i}@x.example"})
    flood = client.post(_url(web_form), {"name": "Visitor 5", "email": "v5@x.example"})
    assert flood.status_code == 429
    assert "Too many submissions" in flood.content.decode()
    assert Lead.objects.filter(name__startswith="Visitor").count() == 4
    huge = client.post(_url(web_form), {"name": "Big", "notes": "x" * 30000})
    assert huge.status_code == 413


def test_inactive_or_unknown_forms_and_admin_pages(in_tenant_a, web_form):
    cast = in_tenant_a
    with pytest.raises(LeadError, match="tenant admins"):
        webform_save(actor=cast.rep, name="Nope")
    admin = tenant_client(cast, cast.admin)
    edit = admin.get(reverse("leads-webform-edit", kwargs={"uuid": web_form.uuid}))
    assert str(web_form.uuid) in edit.content.decode()  # the embed code
    assert admin.get(reverse("leads-webforms")).status_code == 200
    created = admin.post(
        reverse("leads-webform-create"),
        {
            "name": "Expo signup",
            "fields": ["company", "mobile"],
            "required": ["mobile"],
            "is_active": "on",
        },
    )
    assert created.status_code == 302
    assert WebForm.objects.get(name="Expo signup").required == ["mobile"]
    assert tenant_client(cast, cast.rep).get(reverse("leads-webforms")).status_code == 403
    WebForm.objects.filter(pk=web_form.pk).update(is_active=False)
    assert Client(HTTP_HOST=cast.host).get(_url(web_form)).status_code == 404


def test_a_form_of_tenant_a_is_not_found_on_tenant_b(web_form, cast_b):
    assert Client(HTTP_HOST=cast_b.host).get(_url(web_form)).status_code == 404


def test_a_form_can_send_its_leads_into_a_pool(in_tenant_a, web_form):
    from pools.models import Pool, PoolEntry

    cast = in_tenant_a
    pool = Pool.objects.create(name="Website enquiries")
    admin = tenant_client(cast, cast.admin)
    edit = reverse("leads-webform-edit", kwargs={"uuid": web_form.uuid})
    page = admin.get(edit).content.decode()
    assert f'value="pool:{pool.uuid}"' in page
    both = admin.post(edit, {"name": "Contact us", "owner": cast.rep.pk,
                             "destination": f"pool:{pool.uuid}"})  # fmt: skip
    assert "Choose an owner or a pool, not both." in both.content.decode()
    saved = admin.post(edit, {"name": "Contact us", "fields": ["email"],
                              "destination": f"pool:{pool.uuid}", "is_active": "on"})  # fmt: skip
    assert saved.status_code == 302
    web_form.refresh_from_db()
    assert web_form.destination == f"pool:{pool.uuid}"
    assert "Pool: Website enquiries" in admin.get(reverse("leads-webforms")).content.decode()
    visitor = Client(HTTP_HOST=cast.host)
    visitor.post(_url(web_form), {"name": "Pooled Visitor", "email": "pv@x.example"})
    lead = Lead.objects.get(name="Pooled Visitor")
    assert (lead.owner, PoolEntry.objects.get(lead=lead).pool) == (None, pool)
    # The pool retired: submissions still become leads, and the rules route them.
    Pool.objects.filter(pk=pool.pk).update(is_active=False)
    visitor.post(_url(web_form), {"name": "Later Visitor", "email": "lv@x.example"})
    later = Lead.objects.get(name="Later Visitor")
    assert not PoolEntry.objects.filter(lead=later).exists()
    assert "no longer available" in admin.get(edit).content.decode()


def test_empty_choices_are_translated_for_chinese_admins(in_tenant_a, monkeypatch):
    cast = in_tenant_a
    monkeypatch.setattr(cast.admin, "language", "zh-hans")  # the shared object is restored
    cast.admin.save(update_fields=["language"])  # the row is rolled back with the test
    html = tenant_client(cast, cast.admin).get(reverse("leads-webform-create")).content.decode()
    assert "- 请选择 -" in html
    assert "Select an option" not in html


def test_the_save_service_refuses_a_pool_the_admin_cannot_choose(in_tenant_a, web_form):
    from pools.models import Pool

    inactive = Pool.objects.create(name="Retired", is_active=False)
    with pytest.raises(LeadError, match="cannot send leads to that pool"):
        webform_save(actor=in_tenant_a.admin, form=web_form, name="Contact us",
                     destination=f"pool:{inactive.uuid}")  # fmt: skip
    with pytest.raises(LeadError, match="cannot send leads"):
        webform_save(actor=in_tenant_a.admin, form=web_form, name="Contact us",
                     destination="pool:not-a-pool")  # fmt: skip
    web_form.refresh_from_db()
    assert web_form.destination == ""
