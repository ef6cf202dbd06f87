"""Creating a lead: who gets it (me, a person, the assignment rules, a pool), the "+ New lead"
button of the top bar, and the tenant's "a lead needs an email or a phone number" rule in
every channel that creates leads."""

import json
import re
import time
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django_tenants.utils import tenant_context

from leads.errors import LeadError
from leads.importing.services import import_job_create, import_job_start, import_run
from leads.models import ImportIssue, Lead, LeadSettings, LeadStatus
from leads.services import lead as lead_services
from leads.services.config import lead_settings_update
from leads.services.webforms import webform_save
from pools.models import AssignmentRule, Pool, PoolEntry, PoolEvent
from pools.services.routing import leads_route
from pools.services.rules import rule_save
from tests.conftest import _load_cast, tenant_client

NEW = "/leads/new/"
CONTACT_MESSAGE = "Enter an email or a phone number: every lead needs one of them here."


def _post(client, **fields):
    return client.post(NEW, {"priority": "normal", **fields})


def _selected(html: str) -> str:
    """The value of the option the "Assign to" select has selected."""
    select = html.split('name="assign_to"')[1].split("</select>")[0]
    return re.search(r'<option value="([^"]*)" selected>', select).group(1)


def _options(html: str) -> list[str]:
    select = html.split('name="assign_to"')[1].split("</select>")[0]
    return re.findall(r'<option value="([^"]*)"', select)


def _require_contact(cast, on: bool = True) -> None:
    with tenant_context(cast.tenant):
        settings = LeadSettings.load()
        lead_settings_update(
            actor=cast.admin,
            require_bant_for_qualified=settings.require_bant_for_qualified,
            hot_score=settings.hot_score,
            require_email_or_phone=on,
        )


@pytest.fixture
def trade_show_pool(cast_a):
    """A pool the pool admin administers (and so may send new leads to)."""
    with tenant_context(cast_a.tenant):
        pool = Pool.objects.create(name="Trade shows 2026")
        pool.admins.add(cast_a.pool_admin)
    return pool


# Who gets it: the choice and its defaults


@pytest.mark.parametrize(
    ("who", "default"),
    [("rep", "me"), ("admin", "rules"), ("manager", "rules"), ("pool_admin", "rules")],
)
def test_the_default_is_me_for_reps_and_the_rules_for_those_who_hand_leads_out(
    cast_a, who, default
):
    html = tenant_client(cast_a, getattr(cast_a, who)).get(NEW).content.decode()
    assert _selected(html) == default


def test_a_rep_who_chooses_nothing_keeps_the_lead(cast_a):
    response = _post(tenant_client(cast_a, cast_a.rep), name="Zhang Wei", mobile="13800138000")
    with tenant_context(cast_a.tenant):
        lead = Lead.objects.get(name="Zhang Wei")
    assert response.url == f"/leads/{lead.uuid}/"
    assert (lead.owner, lead.status) == (cast_a.rep, LeadStatus.PENDING)


def test_an_admin_who_chooses_me_keeps_the_lead(cast_a):
    client = tenant_client(cast_a, cast_a.admin)
    response = _post(client, name="Kept by the admin", assign_to="me")
    with tenant_context(cast_a.tenant):
        lead = Lead.objects.get(name="Kept by the admin")
    assert (lead.owner, lead.status) == (cast_a.admin, LeadStatus.PENDING)
    assert response.url == f"/leads/{lead.uuid}/"
    assert "Lead created." in client.get(response.url).content.decode()


def _offered(cast, who: str) -> list[str]:
    """The "Assign to" values the new-lead form offers ``who``."""
    return _options(tenant_client(cast, getattr(cast, who)).get(NEW).content.decode())


def test_each_user_is_offered_the_people_they_may_assign_to_and_their_pools(
    cast_a, trade_show_pool
):
    assert _offered(cast_a, "rep") == ["me", "rules"]  # nobody reports to a rep; no pool
    manager = _offered(cast_a, "manager")
    assert f"user:{cast_a.rep.uuid}" in manager
    assert f"user:{cast_a.teammate.uuid}" in manager
    assert f"user:{cast_a.admin.uuid}" not in manager
    admin = _offered(cast_a, "admin")
    assert f"user:{cast_a.manager.uuid}" in admin
    assert f"user:{cast_a.admin.uuid}" not in admin  # that is "Me"
    assert f"pool:{trade_show_pool.uuid}" in admin
    assert f"pool:{trade_show_pool.uuid}" in _offered(cast_a, "pool_admin")


def test_choosing_a_person_gives_them_the_lead(cast_a):
    client = tenant_client(cast_a, cast_a.manager)
    response = _post(client, name="Li Na", assign_to=f"user:{cast_a.rep.uuid}")
    with tenant_context(cast_a.tenant):
        lead = Lead.objects.get(name="Li Na")
    assert (lead.owner, lead.status, lead.created_by) == (
        cast_a.rep,
        LeadStatus.PENDING,
        cast_a.manager,
    )
    assert response.url == f"/leads/{lead.uuid}/"  # the manager sees their rep's leads
    page = client.get(response.url).content.decode()
    assert f"Lead created and assigned to {cast_a.rep.full_name}." in page


def test_a_rep_cannot_give_a_lead_to_someone_outside_their_line(cast_a):
    client = tenant_client(cast_a, cast_a.rep)
    response = _post(client, name="Sneaky", assign_to=f"user:{cast_a.teammate.uuid}")
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    with tenant_context(cast_a.tenant):
        assert not Lead.objects.filter(name="Sneaky").exists()
        # The service refuses it too, whichever caller asks (the form only offers choices).
        with pytest.raises(LeadError, match="yourself or your team") as refused:
            lead_services.lead_create(actor=cast_a.rep, owner=cast_a.teammate, name="Sneaky")
        assert refused.value.field == "owner"
        assert not Lead.objects.filter(name="Sneaky").exists()


def test_a_person_of_another_tenant_cannot_be_chosen(cast_a, cast_b):
    client = tenant_client(cast_a, cast_a.admin)
    response = _post(client, name="Across", assign_to=f"user:{cast_b.rep.uuid}")
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    with tenant_context(cast_a.tenant):
        assert not Lead.objects.filter(name="Across").exists()


def test_a_user_of_another_tenant_cannot_use_the_form(cast_a, cast_b):
    response = Client(HTTP_HOST=cast_a.host).post(NEW, {"name": "Intruder"})
    assert response.status_code == 302
    assert "/login" in response.url
    stranger = tenant_client(cast_b, cast_b.admin)
    stranger.defaults["HTTP_HOST"] = cast_a.host  # beta's session on alpha's host
    refused = stranger.post(NEW, {"name": "Intruder"})
    assert (refused.status_code, refused.url) == (302, "/accounts/login/?next=/leads/new/")
    with tenant_context(cast_a.tenant):
        assert not Lead.objects.filter(name="Intruder").exists()


def test_left_to_the_rules_the_lead_waits_unowned_for_the_routing(cast_a):
    client = tenant_client(cast_a, cast_a.rep)
    response = _post(client, name="For the rules", assign_to="rules")
    with tenant_context(cast_a.tenant):
        lead = Lead.objects.get(name="For the rules")
        assert (lead.owner, lead.status) == (None, LeadStatus.UNASSIGNED)
        assert not PoolEntry.objects.filter(lead=lead).exists()
        rule = rule_save(
            actor=cast_a.admin,
            name="Everything to Robin",
            triggers=["new"],
            conditions=[],
            target_type="user",
            target_user=cast_a.teammate,
        )
        leads_route([lead.pk], trigger=AssignmentRule.Trigger.NEW)  # the routing task's body
        lead.refresh_from_db()
        assert (lead.owner, lead.status) == (cast_a.teammate, LeadStatus.PENDING)
        rule.delete()
    # The rep cannot follow a lead the rules may give anyone: the list, and why.
    assert response.url == "/leads/"
    page = client.get(response.url).content.decode()
    assert "Lead created. The assignment rules give it an owner or a pool." in page


@pytest.mark.worker
def test_a_lead_left_to_the_rules_is_routed_by_the_worker(committed_db, celery_worker):
    """The form's "assignment rules" → lead_create without owner → on commit → the routing
    task in a real worker → the rule's person."""
    cast = _load_cast("alpha")
    with tenant_context(cast.tenant):
        rule = rule_save(
            actor=cast.admin,
            name="New-lead form test",
            triggers=["new"],
            conditions=[[{"field": "source_detail", "op": "eq", "value": "newlead-worker"}]],
            target_type="user",
            target_user=cast.teammate,
        )
    client = tenant_client(cast, cast.admin)
    try:
        _post(client, name="Routed from the form", source_detail="newlead-worker")
        with tenant_context(cast.tenant):
            lead = Lead.objects.get(name="Routed from the form")
            for _ in range(100):
                lead.refresh_from_db()
                if lead.owner_id:
                    break
                time.sleep(0.1)
            assert lead.owner == cast.teammate
    finally:
        client.logout()
        with tenant_context(cast.tenant):
            for lead in Lead.objects.filter(name="Routed from the form"):
                Lead.history.filter(id=lead.pk).delete()
                PoolEvent.objects.filter(lead=lead).delete()
                lead.delete()
            rule.delete()
            AssignmentRule.history.filter(id=rule.pk).delete()


def test_choosing_a_pool_puts_the_lead_in_it(cast_a, trade_show_pool):
    client = tenant_client(cast_a, cast_a.pool_admin)
    response = _post(client, name="Expo visitor", assign_to=f"pool:{trade_show_pool.uuid}")
    with tenant_context(cast_a.tenant):
        lead = Lead.objects.get(name="Expo visitor")
        entry = PoolEntry.objects.get(lead=lead)
    assert entry.pool == trade_show_pool
    assert lead.owner is None
    assert response.url == f"/leads/{lead.uuid}/"  # the pool's admin sees its leads
    page = client.get(response.url).content.decode()
    assert "Lead created and put into the pool." in page


def test_a_rep_cannot_send_a_lead_to_a_pool_they_do_not_administer(cast_a, trade_show_pool):
    response = _post(
        tenant_client(cast_a, cast_a.rep),
        name="Not my pool",
        assign_to=f"pool:{trade_show_pool.uuid}",
    )
    assert response.status_code == 200
    with tenant_context(cast_a.tenant):
        assert not Lead.objects.filter(name="Not my pool").exists()
        with pytest.raises(LeadError, match="cannot send leads to that pool"):
            lead_services.lead_create(
                actor=cast_a.rep, name="Not my pool", destination=f"pool:{trade_show_pool.uuid}"
            )


def test_smart_fill_keeps_the_chosen_assignee(cast_a):
    response = tenant_client(cast_a, cast_a.manager).post(
        reverse("leads-smart-fill"),
        {"smart_text": "Wang Xiaoming, 138 0013 8000", "assign_to": f"user:{cast_a.rep.uuid}"},
    )
    html = response.content.decode()
    assert _selected(html) == f"user:{cast_a.rep.uuid}"
    assert 'value="Wang Xiaoming"' in html


# The "+ New lead" button of the top bar


TOP_BAR_BUTTON = '<a class="btn btn-primary topbar-new" href="/leads/new/"'


@pytest.mark.parametrize("who", ["rep", "manager", "pool_admin", "admin"])
def test_every_signed_in_page_has_the_new_lead_button(cast_a, who):
    user = getattr(cast_a, who)
    with tenant_context(cast_a.tenant):
        lead = lead_services.lead_create(actor=user, owner=user, name="Button test")
    client = tenant_client(cast_a, user)
    pages = ["/", "/leads/", f"/leads/{lead.uuid}/", "/pools/", "/notifications/", NEW]
    if who == "admin":
        pages.append(reverse("leads-settings"))
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert TOP_BAR_BUTTON in response.content.decode(), url


def test_the_sign_in_page_has_no_new_lead_button(cast_a):
    html = Client(HTTP_HOST=cast_a.host).get(reverse("accounts-login")).content.decode()
    assert "topbar-new" not in html


def test_on_a_phone_the_button_is_its_icon_with_the_name_for_screen_readers(cast_a):
    html = tenant_client(cast_a, cast_a.rep).get("/").content.decode()
    button = html.split(TOP_BAR_BUTTON)[1].split("</a>")[0]
    assert '<svg width="16" height="16"' in button
    assert '<span class="topbar-new-label">New lead</span>' in button
    css = (Path(__file__).resolve().parents[2] / "static/css/app.css").read_text()
    phone = css.split("@media (max-width: 640px) {")[1].split("\n}")[0]
    assert re.search(r"\.topbar-new-label \{ position: absolute; width: 1px;", phone)


def test_the_button_reads_in_chinese(cast_a):
    client = tenant_client(cast_a, cast_a.rep)
    client.post("/accounts/language/", {"language": "zh-hans", "next": "/"})
    html = client.get("/").content.decode()
    assert '<span class="topbar-new-label">新建线索</span>' in html


# "A lead needs an email or a phone number"


def test_the_rule_is_off_by_default_and_a_name_is_enough(cast_a):
    with tenant_context(cast_a.tenant):
        assert LeadSettings.load().require_email_or_phone is False
    client = tenant_client(cast_a, cast_a.rep)
    assert "Only the name is required." in client.get(NEW).content.decode()
    assert _post(client, name="Name only").status_code == 302


def test_the_form_refuses_a_lead_without_email_or_phone_and_says_why(cast_a):
    _require_contact(cast_a)
    client = tenant_client(cast_a, cast_a.rep)
    assert "The name and an email or a phone number are required." in (
        client.get(NEW).content.decode()
    )
    refused = _post(client, name="Name only", company="Huaxin Logistics")
    assert refused.status_code == 200
    html = refused.content.decode()
    assert CONTACT_MESSAGE in html
    assert 'value="Huaxin Logistics"' in html  # what was typed is kept
    for contact in (
        {"email": "li@huaxin.example"},
        {"mobile": "13912345678"},
        {"phone": "021-62345678"},
    ):
        assert _post(client, name=f"With {next(iter(contact))}", **contact).status_code == 302
    with tenant_context(cast_a.tenant):
        assert not Lead.objects.filter(name="Name only").exists()
        assert Lead.objects.filter(name__startswith="With ").count() == 3


def test_the_service_refuses_it_for_every_caller_and_the_edit_cannot_clear_the_last_one(
    cast_a,
):
    with tenant_context(cast_a.tenant):
        older = lead_services.lead_create(actor=cast_a.rep, owner=cast_a.rep, name="Older lead")
    _require_contact(cast_a)
    with tenant_context(cast_a.tenant):
        with pytest.raises(LeadError, match="email or a phone number") as refused:
            lead_services.lead_create(actor=cast_a.admin, name="Seeded")
        assert refused.value.field == "email"
        # A lead from before the rule can still be worked on ...
        lead_services.lead_update(lead=older, actor=cast_a.rep, company="Kaisheng Trading")
        # ... but a lead that has a number cannot lose its last one.
        lead = lead_services.lead_create(
            actor=cast_a.rep, owner=cast_a.rep, name="Has a number", mobile="13800138000"
        )
        lead_services.lead_update(lead=lead, actor=cast_a.rep, email="a@kaisheng.example")
        lead_services.lead_update(lead=lead, actor=cast_a.rep, mobile="")  # the email is left
        with pytest.raises(LeadError, match="email or a phone number"):
            lead_services.lead_update(lead=lead, actor=cast_a.rep, email="")
        lead.refresh_from_db()
        assert lead.email == "a@kaisheng.example"


def test_the_api_refuses_it_naming_the_field(cast_a):
    from leadcrm.accounts.services import api_key_create

    _require_contact(cast_a)
    with tenant_context(cast_a.tenant):
        _key, secret = api_key_create(actor=cast_a.admin, name="Website")
    client = Client(HTTP_HOST=cast_a.host, HTTP_AUTHORIZATION=f"Bearer {secret}")

    def post(data):
        return client.post(reverse("api-leads"), json.dumps(data), content_type="application/json")

    refused = post({"name": "API name only", "company": "Huaxin"})
    assert refused.status_code == 422  # a refusal, as every refused field of the API
    assert refused.json()["error"] == {"message": CONTACT_MESSAGE, "field": "email"}
    assert post({"name": "API with phone", "phone": "+86 21 6234 5678"}).status_code == 201
    with tenant_context(cast_a.tenant):
        assert not Lead.objects.filter(name="API name only").exists()


def test_an_import_reports_the_row_without_contact_and_lands_the_others(cast_a):
    """The import is the bulk create: each row is checked on its own."""
    _require_contact(cast_a)
    rows = "姓名,公司,手机,邮箱\n王小明,云启科技,13800138000,\n李娜,华信物流,,li.na@huaxin.example\n张伟,创新有限公司,,\n"
    with tenant_context(cast_a.tenant):
        job = import_job_create(actor=cast_a.admin, filename="expo.csv", data=rows.encode())
        job = import_job_start(
            job=job,
            actor=cast_a.admin,
            mapping=job.mapping,
            on_duplicate="skip",
            owner=None,
            source_detail="",
            run_rules=False,
        )
        job = import_run(job.pk)
        assert (job.created, job.errors) == (2, 1)
        assert set(Lead.objects.filter(import_job=job).values_list("name", flat=True)) == {
            "王小明",
            "李娜",
        }
        issue = ImportIssue.objects.get(job=job)
        assert (issue.row_number, issue.is_error, issue.reason) == (4, True, CONTACT_MESSAGE)


@pytest.fixture
def contact_forms(cast_a):
    """Two web forms: one asks for an email and a mobile, the other only for the company."""
    cache.clear()  # the web forms' rate limits
    with tenant_context(cast_a.tenant):
        asks = webform_save(actor=cast_a.admin, name="Contact us", fields=["email", "mobile"])
        silent = webform_save(actor=cast_a.admin, name="Brochure", fields=["company"])
    return asks, silent


def test_a_web_form_shows_the_visitor_why_and_saves_nothing(cast_a, contact_forms):
    asks, silent = contact_forms
    _require_contact(cast_a)
    visitor = Client(HTTP_HOST=cast_a.host)
    url = reverse("leads-webform-public", kwargs={"uuid": asks.uuid})
    refused = visitor.post(url, {"name": "Visitor without number"})
    assert refused.status_code == 422
    html = refused.content.decode()
    field = html.split('id="wf-email"')[1].split("</div>")[0]
    assert CONTACT_MESSAGE in field  # under the email field
    assert (
        visitor.post(url, {"name": "Visitor with mobile", "mobile": "13700001111"}).status_code
        == 200
    )
    # A form that asks for no number says it above the form rather than under no field.
    url = reverse("leads-webform-public", kwargs={"uuid": silent.uuid})
    refused = visitor.post(url, {"name": "Brochure reader", "company": "Kaisheng"})
    assert refused.status_code == 422
    assert f'<p class="wf-error" role="alert">{CONTACT_MESSAGE}</p>' in refused.content.decode()
    with tenant_context(cast_a.tenant):
        names = set(Lead.objects.filter(name__contains="Visitor").values_list("name", flat=True))
        assert names == {"Visitor with mobile"}
        assert not Lead.objects.filter(name="Brochure reader").exists()


def test_the_rule_of_one_tenant_does_not_touch_another(cast_a, cast_b):
    _require_contact(cast_a)
    response = _post(tenant_client(cast_b, cast_b.rep), name="Beta name only")
    assert response.status_code == 302
    with tenant_context(cast_b.tenant):
        assert Lead.objects.filter(name="Beta name only").exists()


# The setting on the lead settings page


def test_a_tenant_admin_turns_the_rule_on_from_the_lead_settings_page(cast_a):
    client = tenant_client(cast_a, cast_a.admin)
    url = reverse("leads-settings")
    page = client.get(url).content.decode()
    assert "A lead needs an email or a phone number" in page
    assert 'name="require_email_or_phone"' in page
    response = client.post(url, {"hot_score": "70", "require_email_or_phone": "on"})
    assert response.status_code == 302
    with tenant_context(cast_a.tenant):
        assert LeadSettings.load().require_email_or_phone is True
    ticked = re.compile(r'<input type="checkbox" name="require_email_or_phone"[^>]* checked>')
    assert ticked.search(client.get(url).content.decode())
    client.post(url, {"hot_score": "70"})  # unticked
    with tenant_context(cast_a.tenant):
        assert LeadSettings.load().require_email_or_phone is False


@pytest.mark.parametrize("who", ["rep", "manager", "pool_admin"])
def test_only_tenant_admins_change_the_rule(cast_a, who):
    client = tenant_client(cast_a, getattr(cast_a, who))
    url = reverse("leads-settings")
    assert client.get(url).status_code == 403
    assert client.post(url, {"hot_score": "70", "require_email_or_phone": "on"}).status_code == 403
    with tenant_context(cast_a.tenant):
        assert LeadSettings.load().require_email_or_phone is False


def test_another_tenants_admin_cannot_change_the_rule(cast_a, cast_b):
    stranger = tenant_client(cast_b, cast_b.admin)
    stranger.defaults["HTTP_HOST"] = cast_a.host
    response = stranger.post(
        reverse("leads-settings"), {"hot_score": "70", "require_email_or_phone": "on"}
    )
    assert (response.status_code, response.url) == (302, "/accounts/login/?next=/settings/leads/")
    with tenant_context(cast_a.tenant):
        assert LeadSettings.load().require_email_or_phone is False
