"""Campaign pages: the list with each campaign's lead count, the editor and its rules, a
campaign's page with its funnel over the leads the reader may see, deleting (only without
leads), the lead list's ?campaign= filter, and the pages in Chinese."""

import html as html_lib
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from leads.errors import LeadError
from leads.models import Campaign, Lead, LeadStatus
from leads.selectors import LeadFilters, lead_list
from leads.services import lead as lead_services
from leads.services.campaigns import campaign_funnel, campaign_list, campaign_save
from tests.conftest import tenant_client


def _campaign(cast, name, **fields):
    values = {"kind": "trade_show", "status": "active", **fields}
    return campaign_save(actor=cast.admin, name=name, **values)


def _lead(owner, name, campaign, status=None):
    lead = lead_services.lead_create(actor=owner, owner=owner, name=name)
    Lead.objects.filter(pk=lead.pk).update(campaign=campaign, status=status or lead.status)
    return lead


@pytest.fixture
def world(in_tenant_a):
    """Canton Fair: the rep's A, B (pending), C (converted), D (void); the teammate's E
    (following up), F (converted); cost 10,000. Spring webinar: the teammate's G, the rep's H;
    no cost. Old mailing: completed, no leads."""
    cast = in_tenant_a
    fair = _campaign(
        cast,
        "Canton Fair 2025",
        start_date=date(2025, 4, 15),
        end_date=date(2025, 4, 19),
        budget=Decimal("12000"),
        actual_cost=Decimal("10000"),
        owner=cast.manager,
    )
    webinar = _campaign(cast, "Spring webinar", kind="webinar", start_date=date(2025, 3, 1))
    old = _campaign(cast, "Old mailing", kind="mailing", status="completed",
                    start_date=date(2024, 1, 10))  # fmt: skip
    _lead(cast.rep, "Fair A", fair)
    _lead(cast.rep, "Fair B", fair)
    _lead(cast.rep, "Fair C", fair, LeadStatus.CONVERTED)
    _lead(cast.rep, "Fair D", fair, LeadStatus.VOID)
    _lead(cast.teammate, "Fair E", fair, LeadStatus.FOLLOWING_UP)
    _lead(cast.teammate, "Fair F", fair, LeadStatus.CONVERTED)
    _lead(cast.teammate, "Web G", webinar, LeadStatus.QUALIFIED)
    _lead(cast.rep, "Web H", webinar)
    cast.fair, cast.webinar, cast.old = fair, webinar, old
    return cast


def _page(cast, user, name, **kwargs):
    response = tenant_client(cast, user).get(reverse(name, kwargs=kwargs or None))
    assert response.status_code == 200
    return html_lib.unescape(response.content.decode())


def _detail(cast, user, campaign):
    return _page(cast, user, "leads-campaign-detail", uuid=campaign.uuid)


def _stat(page, key):
    return re.search(rf'id="campaign-{key}">([^<]*)<', page).group(1)


# The list ----------------------------------------------------------------------------------


def test_list_counts_the_leads_each_reader_sees_in_one_query(world):
    cast = world
    with CaptureQueriesContext(connection) as queries:
        counts = {c.name: c.lead_count for c in campaign_list(user=cast.admin)}
    assert len([q for q in queries.captured_queries if q["sql"].startswith("SELECT")]) == 1
    # Void D is left out: 5 at the fair, G and H at the webinar.
    assert counts == {"Canton Fair 2025": 5, "Spring webinar": 2, "Old mailing": 0}
    mine = {c.name: c.lead_count for c in campaign_list(user=cast.rep)}
    assert mine == {"Canton Fair 2025": 3, "Spring webinar": 1, "Old mailing": 0}
    page = _page(cast, cast.rep, "leads-campaigns")
    fair_row = page[page.index("Canton Fair 2025") :].split("</tr>")[0]
    assert 'data-lead-count="3"' in fair_row
    assert "12,000.00" in fair_row
    assert "10,000.00" in fair_row
    assert "Morgan Manager" in fair_row


def test_list_sorts_by_start_date_and_filters_by_status(world):
    cast = world
    latest_first = [c.name for c in campaign_list(user=cast.admin)]
    assert latest_first == ["Canton Fair 2025", "Spring webinar", "Old mailing"]
    client = tenant_client(cast, cast.rep)
    page = client.get(reverse("leads-campaigns") + "?sort=start").content.decode()
    positions = [page.index(n) for n in ("Old mailing", "Spring webinar", "Canton Fair 2025")]
    assert positions == sorted(positions)
    completed = client.get(reverse("leads-campaigns") + "?status=completed").content.decode()
    assert "Old mailing" in completed
    assert "Canton Fair 2025" not in completed
    bad = client.get(reverse("leads-campaigns") + "?status=nope&sort=%00")
    assert bad.status_code == 200
    assert "Canton Fair 2025" in bad.content.decode()


def test_a_new_workspace_is_told_what_campaigns_are_for(in_tenant_a):
    cast = in_tenant_a
    page = _page(cast, cast.manager, "leads-campaigns")
    assert "No campaigns yet." in page
    assert "A campaign is where leads come from at a cost" in page
    assert reverse("leads-campaign-create") in page
    rep_page = _page(cast, cast.rep, "leads-campaigns")
    assert "No campaigns yet." in rep_page
    assert reverse("leads-campaign-create") not in rep_page  # reps may only look


# Creating and editing ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": "   "}, "name", "Give the campaign a name."),
        ({"name": "Expo\x00 2025"}, "name", "Remove the control characters from this text."),
        ({"description": "bell\x07"}, "description", "Remove the control characters"),
        ({"name": "x" * 201}, "name", "Use at most 200 characters."),
        ({"start_date": date(1999, 12, 31)}, "start_date", "between the years 2000 and 2100"),
        ({"end_date": date(2101, 1, 1)}, "end_date", "between the years 2000 and 2100"),
        (
            {"start_date": date(2025, 5, 10), "end_date": date(2025, 5, 9)},
            "end_date",
            "The end date cannot be before the start date.",
        ),
        ({"budget": Decimal("-0.01")}, "budget", "Give an amount of zero or more."),
        ({"actual_cost": Decimal("-1")}, "actual_cost", "Give an amount of zero or more."),
        ({"budget": Decimal("1000000000000")}, "budget", "at most 12 digits before the decimal"),
        ({"kind": "billboard"}, "kind", "Choose a campaign type."),
        ({"status": "paused"}, "status", "Choose a status."),
    ],
)
def test_save_refuses_bad_input_naming_the_field(in_tenant_a, fields, field, message):
    values = {"name": "Expo", "kind": "event", "status": "planned", **fields}
    with pytest.raises(LeadError, match=re.escape(message)) as refused:
        campaign_save(actor=in_tenant_a.manager, **values)
    assert refused.value.field == field
    assert not Campaign.objects.exists()


def test_save_trims_the_name_and_takes_the_largest_amounts_and_one_day(in_tenant_a):
    campaign = campaign_save(
        actor=in_tenant_a.pool_admin,
        name="  Expo Shanghai  ",
        kind="event",
        status="planned",
        start_date=date(2025, 6, 1),
        end_date=date(2025, 6, 1),
        budget=Decimal("999999999999.99"),
        actual_cost=Decimal("0"),
    )
    campaign.refresh_from_db()
    assert campaign.name == "Expo Shanghai"
    assert campaign.budget == Decimal("999999999999.99")
    assert campaign.actual_cost == 0
    assert campaign.created_by == in_tenant_a.pool_admin


def test_the_editor_shows_the_rules_messages_and_saves_nothing_until_fixed(in_tenant_a):
    cast = in_tenant_a
    client = tenant_client(cast, cast.manager)
    url = reverse("leads-campaign-create")
    base = {"name": "Expo", "kind": "trade_show", "status": "active"}
    backwards = client.post(url, {**base, "start_date": "2025-05-10", "end_date": "2025-05-01"})
    assert backwards.status_code == 200
    assert "The end date cannot be before the start date." in backwards.content.decode()
    for amount, message in (
        ("-5", "Give an amount of zero or more."),
        ("1000000000000", "Give at most 12 digits before the decimal point."),
    ):
        page = client.post(url, {**base, "budget": amount}).content.decode()
        assert message in page
    blank = client.post(url, {**base, "name": "  "}).content.decode()
    assert "Give the campaign a name." in blank
    assert not Campaign.objects.exists()
    # A NUL never reaches the view: the middleware drops control characters from forms.
    saved = client.post(url, {**base, "name": " Expo\x00 2025 ", "budget": "8000.5"})
    campaign = Campaign.objects.get()
    assert saved.status_code == 302
    assert saved["Location"] == reverse("leads-campaign-detail", kwargs={"uuid": campaign.uuid})
    assert (campaign.name, campaign.budget) == ("Expo 2025", Decimal("8000.50"))


def test_reps_may_look_but_not_manage(world):
    cast = world
    rep = tenant_client(cast, cast.rep)
    fair = {"uuid": cast.fair.uuid}
    assert rep.get(reverse("leads-campaigns")).status_code == 200
    assert rep.get(reverse("leads-campaign-detail", kwargs=fair)).status_code == 200
    assert rep.get(reverse("leads-campaign-create")).status_code == 403
    new = {"name": "Rep's own", "kind": "ad", "status": "active"}
    assert rep.post(reverse("leads-campaign-create"), new).status_code == 403
    assert rep.post(reverse("leads-campaign-edit", kwargs=fair), new).status_code == 403
    assert rep.post(reverse("leads-campaign-delete", kwargs=fair)).status_code == 403
    assert not Campaign.objects.filter(name="Rep's own").exists()
    assert reverse("leads-campaign-edit", kwargs=fair) not in _detail(cast, cast.rep, cast.fair)
    with pytest.raises(LeadError, match="Only managers and admins"):
        campaign_save(actor=cast.rep, **new)


def test_a_manager_archives_a_campaign_by_completing_it(world):
    cast = world
    client = tenant_client(cast, cast.manager)
    edit = reverse("leads-campaign-edit", kwargs={"uuid": cast.webinar.uuid})
    assert 'value="Spring webinar"' in client.get(edit).content.decode()
    saved = client.post(edit, {"name": "Spring webinar", "kind": "webinar",
                               "status": "cancelled", "start_date": "2025-03-01"})  # fmt: skip
    assert saved.status_code == 302
    cast.webinar.refresh_from_db()
    assert cast.webinar.status == "cancelled"
    cancelled = client.get(reverse("leads-campaigns") + "?status=cancelled").content.decode()
    assert "Spring webinar" in cancelled
    assert "Canton Fair 2025" not in cancelled
    assert Lead.objects.filter(campaign=cast.webinar).count() == 2  # its leads keep it


# Deleting ----------------------------------------------------------------------------------


def test_delete_is_refused_while_leads_are_attached(world):
    cast = world
    client = tenant_client(cast, cast.admin)
    url = reverse("leads-campaign-delete", kwargs={"uuid": cast.fair.uuid})
    assert client.get(url).status_code == 405
    refused = client.post(url, follow=True)
    assert "Leads are attached to this campaign, so it cannot be deleted." in (
        refused.content.decode()
    )
    assert Campaign.objects.filter(pk=cast.fair.pk).exists()
    # A void lead still holds it (the foreign key protects every lead).
    Lead.objects.filter(campaign=cast.fair).exclude(name="Fair D").update(campaign=None)
    assert client.post(url).status_code == 302
    assert Campaign.objects.filter(pk=cast.fair.pk).exists()
    deleted = client.post(reverse("leads-campaign-delete", kwargs={"uuid": cast.old.uuid}))
    assert deleted["Location"] == reverse("leads-campaigns")
    assert not Campaign.objects.filter(pk=cast.old.pk).exists()


# A campaign's page -------------------------------------------------------------------------


def test_funnel_of_a_reader_who_sees_every_lead(world):
    cast = world
    for reader in (cast.admin, cast.manager):  # the manager's team holds the rep and teammate
        funnel = campaign_funnel(user=reader, campaign=cast.fair)
        assert funnel.rows == [
            ("pending", "Pending", 2),
            ("following_up", "Following up", 1),
            ("converted", "Converted", 2),
        ]
        assert (funnel.total, funnel.converted, funnel.complete) == (5, 2, True)
        assert funnel.conversion_percent == Decimal("40.0")
        assert funnel.cost_per_lead == Decimal("2000.00")  # 10,000 / 5
        assert funnel.cost_per_converted == Decimal("5000.00")  # 10,000 / 2
    page = _detail(cast, cast.admin, cast.fair)
    assert [_stat(page, k) for k in ("total", "converted", "rate", "cpl", "cpc")] == [
        "5", "2", "40.0%", "2000.00", "5000.00"
    ]  # fmt: skip
    assert 'data-status="void"' not in page


def test_funnel_counts_only_the_leads_the_rep_sees(world):
    cast = world
    funnel = campaign_funnel(user=cast.rep, campaign=cast.fair)
    assert funnel.rows == [("pending", "Pending", 2), ("converted", "Converted", 1)]
    assert (funnel.total, funnel.converted) == (3, 1)
    assert funnel.conversion_percent == Decimal("33.3")
    # Over a part of the leads a cost per lead would mislead: not shown.
    assert funnel.complete is False
    assert funnel.cost_per_lead is None
    page = _detail(cast, cast.rep, cast.fair)
    assert [_stat(page, k) for k in ("total", "converted", "rate", "cpl")] == [
        "3", "1", "33.3%", "—"
    ]  # fmt: skip
    assert "Fair A" in page
    assert "Fair E" not in page
    assert "Fair F" not in page
    assert "These numbers cover only the leads you can see" in page


def test_costs_fall_back_to_the_budget_and_are_absent_without_one(world):
    cast = world
    Campaign.objects.filter(pk=cast.fair.pk).update(actual_cost=None)
    cast.fair.refresh_from_db()
    assert campaign_funnel(user=cast.admin, campaign=cast.fair).cost_per_lead == Decimal(
        "2400.00"
    )  # budget 12,000 / 5
    webinar = campaign_funnel(user=cast.admin, campaign=cast.webinar)
    assert (webinar.total, webinar.converted, webinar.conversion_percent) == (2, 0, Decimal("0"))
    assert webinar.cost_per_lead is None
    assert webinar.cost_per_converted is None
    empty = campaign_funnel(user=cast.admin, campaign=cast.old)
    assert (empty.rows, empty.total, empty.conversion_percent) == ([], 0, None)


def test_page_lists_the_20_newest_leads_and_links_to_all_of_them(world):
    cast = world
    now = timezone.now()
    for i in range(20):
        lead = _lead(cast.rep, f"Bulk {i:02}", cast.webinar)
        Lead.objects.filter(pk=lead.pk).update(created_at=now + timedelta(minutes=i))
    page = _detail(cast, cast.admin, cast.webinar)
    shown = re.findall(r">(Bulk \d\d|Web [GH])</a>", page)
    assert shown == [f"Bulk {i:02}" for i in range(19, -1, -1)]  # 22 leads: G and H are older
    all_link = f"/leads/?scene=all&campaign={cast.webinar.uuid}"
    assert f'href="{all_link}">All 22 leads' in page
    assert f'href="/leads/new/?campaign={cast.webinar.uuid}"' in page
    assert "New lead in this campaign" in page


def test_a_campaign_of_another_tenant_is_not_found(world, cast_b):
    for name in ("leads-campaign-detail", "leads-campaign-edit"):
        url = reverse(name, kwargs={"uuid": world.fair.uuid})
        assert tenant_client(cast_b, cast_b.admin).get(url).status_code == 404
    url = reverse("leads-campaign-delete", kwargs={"uuid": world.fair.uuid})
    assert tenant_client(cast_b, cast_b.admin).post(url).status_code == 404
    assert "Canton Fair 2025" not in _page(cast_b, cast_b.admin, "leads-campaigns")


# The lead list's filter --------------------------------------------------------------------


def _names(user, **params):
    query = QueryDict(mutable=True)
    query.update(params)
    return set(lead_list(user=user, filters=LeadFilters.from_query(query)).values_list(
        "name", flat=True))  # fmt: skip


def test_the_lead_list_narrows_to_a_campaign_with_a_chip(world):
    cast = world
    fair = str(cast.fair.uuid)
    assert _names(cast.rep, scene="all", campaign=fair) == {"Fair A", "Fair B", "Fair C"}
    assert _names(cast.manager, scene="all", campaign=fair) == {
        "Fair A", "Fair B", "Fair C", "Fair E", "Fair F"
    }  # fmt: skip
    everything = _names(cast.rep, scene="all")
    assert {"Web H", "Fair A"} <= everything
    for bad in ("not-a-uuid", "%00", "00000000-0000-0000-0000-000000000000"):
        assert _names(cast.rep, scene="all", campaign=bad) == everything
    client = tenant_client(cast, cast.rep)
    page = client.get(f"/leads/?scene=all&campaign={fair}").content.decode()
    assert "Campaign: Canton Fair 2025" in html_lib.unescape(page)
    assert 'href="?scene=all"' in page  # the chip's link drops only the campaign
    plain = html_lib.unescape(client.get("/leads/?scene=all&campaign=nope").content.decode())
    assert "Remove this filter" not in plain  # no chip: nothing narrows
    assert "Campaign: “nope” is not a value this filter knows" in plain  # the note says why


# Languages ---------------------------------------------------------------------------------


def test_pages_read_in_english_and_in_chinese(world):
    cast = world
    english = _page(cast, cast.manager, "leads-campaigns")
    assert "<h1>Campaigns</h1>" in english
    assert "Actual cost" in english
    cast.manager.language = "zh-hans"
    cast.manager.save()
    chinese = _page(cast, cast.manager, "leads-campaigns")
    assert "<h1>市场活动</h1>" in chinese
    assert "实际成本" in chinese
    assert "新建市场活动" in chinese
    assert "<h1>Campaigns</h1>" not in chinese
    assert "Actual cost" not in chinese
    detail = _detail(cast, cast.manager, cast.fair)
    assert "转化率" in detail
    assert "单条线索成本" in detail
    assert "在此活动中新建线索" in detail
    assert "Conversion rate" not in detail
    assert "Cost per lead" not in detail
