"""Leads attach to a campaign from every entry point: the lead form (with ?campaign=), the
API, web forms (their campaign, or a utm_campaign naming one), imports (a column, or one
campaign for every row), the list's bulk action, and the export shows it. A lead given a
campaign and no source takes the campaign's source, whichever way it came."""

import uuid
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django_tenants.utils import tenant_context

from leads.errors import LeadError
from leads.models import Campaign, CampaignStatus, Lead, SourceChannel
from leads.services import lead as lead_services
from tests.conftest import tenant_client


@pytest.fixture
def campaigns(cast_a):
    """In tenant alpha: a trade show with its source, a webinar without one, a cancelled
    expo."""
    with tenant_context(cast_a.tenant):
        trade_show = SourceChannel.objects.get(code="trade_show")
        return SimpleNamespace(
            fair=Campaign.objects.create(name="Canton Fair 2026", source=trade_show),
            webinar=Campaign.objects.create(name="Spring Webinar", kind="webinar"),
            cancelled=Campaign.objects.create(
                name="Old Expo", status=CampaignStatus.CANCELLED, source=trade_show
            ),
            trade_show=trade_show,
        )


@pytest.fixture
def foreign_campaign(cast_b):
    with tenant_context(cast_b.tenant):
        return Campaign.objects.create(name="Beta Roadshow")


# --- the service: source from the campaign ---------------------------------------------------


def test_a_lead_created_with_a_campaign_and_no_source_takes_the_campaigns_source(cast_a, campaigns):
    with tenant_context(cast_a.tenant):
        lead = lead_services.lead_create(actor=cast_a.rep, name="Li Na", campaign=campaigns.fair)
        assert lead.campaign == campaigns.fair
        assert lead.source == campaigns.trade_show


def test_a_lead_with_its_own_source_keeps_it_when_attached(cast_a, campaigns):
    with tenant_context(cast_a.tenant):
        referral = SourceChannel.objects.get(code="referral")
        lead = lead_services.lead_create(
            actor=cast_a.rep, name="Li Na", source=referral, campaign=campaigns.fair
        )
        assert lead.source == referral
        other = lead_services.lead_create(actor=cast_a.rep, name="Wang Wei", source=referral)
        other = lead_services.lead_update(lead=other, actor=cast_a.rep, campaign=campaigns.fair)
        assert (other.campaign, other.source) == (campaigns.fair, referral)


def test_an_update_attaching_a_campaign_fills_an_empty_source(cast_a, campaigns):
    with tenant_context(cast_a.tenant):
        lead = lead_services.lead_create(actor=cast_a.rep, name="Li Na")
        lead = lead_services.lead_update(lead=lead, actor=cast_a.rep, campaign=campaigns.fair)
        lead.refresh_from_db()
        assert (lead.campaign, lead.source) == (campaigns.fair, campaigns.trade_show)
        assert lead.history.first().history_user == cast_a.rep


def test_a_cancelled_campaign_is_refused_but_a_lead_keeps_one_cancelled_since(cast_a, campaigns):
    with tenant_context(cast_a.tenant):
        with pytest.raises(LeadError) as refused:
            lead_services.lead_create(actor=cast_a.rep, name="Li Na", campaign=campaigns.cancelled)
        assert refused.value.field == "campaign"
        lead = lead_services.lead_create(actor=cast_a.rep, name="Li Na", campaign=campaigns.fair)
        Campaign.objects.filter(pk=campaigns.fair.pk).update(status=CampaignStatus.CANCELLED)
        fair = Campaign.objects.get(pk=campaigns.fair.pk)
        lead = lead_services.lead_update(lead=lead, actor=cast_a.rep, campaign=fair, city="Xi'an")
        assert (lead.campaign_id, lead.city) == (fair.pk, "Xi'an")


def test_a_campaign_that_is_not_one_is_refused(cast_a):
    with tenant_context(cast_a.tenant):
        with pytest.raises(LeadError) as refused:
            lead_services.lead_create(actor=cast_a.rep, name="Li Na", campaign="Canton Fair")
        assert refused.value.field == "campaign"


# --- 1. the lead form ------------------------------------------------------------------------


def test_the_form_offers_open_campaigns_not_cancelled_ones(cast_a, campaigns):
    html = tenant_client(cast_a, cast_a.rep).get("/leads/new/").content.decode()
    assert "Canton Fair 2026" in html
    assert "Spring Webinar" in html
    assert "Old Expo" not in html


def test_campaign_in_the_link_is_the_forms_initial_value(cast_a, campaigns):
    client = tenant_client(cast_a, cast_a.rep)
    html = client.get(f"/leads/new/?campaign={campaigns.webinar.uuid}").content.decode()
    assert f'<option value="{campaigns.webinar.uuid}" selected>' in html


@pytest.mark.parametrize("value", ["not-a-uuid", str(uuid.uuid4()), "cancelled", "foreign"])
def test_a_bad_or_foreign_campaign_in_the_link_is_ignored(
    cast_a, campaigns, foreign_campaign, value
):
    value = {"cancelled": campaigns.cancelled.uuid, "foreign": foreign_campaign.uuid}.get(
        value, value
    )
    response = tenant_client(cast_a, cast_a.rep).get(f"/leads/new/?campaign={value}")
    assert response.status_code == 200
    select = response.content.decode().split('name="campaign"')[1].split("</select>")[0]
    assert '<option value="" selected>' in select
    assert select.count(" selected>") == 1


def test_creating_through_the_form_attaches_the_campaign_and_its_source(cast_a, campaigns):
    client = tenant_client(cast_a, cast_a.rep)
    response = client.post(
        "/leads/new/",
        {"name": "张伟", "priority": "normal", "campaign": str(campaigns.fair.uuid)},
    )
    assert response.status_code == 302
    with tenant_context(cast_a.tenant):
        lead = Lead.objects.get(name="张伟")
        assert (lead.campaign, lead.source) == (campaigns.fair, campaigns.trade_show)
    page = client.get(f"/leads/{lead.uuid}/").content.decode()
    assert "Canton Fair 2026" in page


def test_the_form_refuses_a_cancelled_campaign(cast_a, campaigns):
    client = tenant_client(cast_a, cast_a.rep)
    response = client.post(
        "/leads/new/",
        {"name": "张伟", "priority": "normal", "campaign": str(campaigns.cancelled.uuid)},
    )
    assert response.status_code == 200
    with tenant_context(cast_a.tenant):
        assert not Lead.objects.filter(name="张伟").exists()


def test_the_edit_form_keeps_a_leads_cancelled_campaign_and_can_clear_it(cast_a, campaigns):
    with tenant_context(cast_a.tenant):
        lead = lead_services.lead_create(
            actor=cast_a.rep, owner=cast_a.rep, name="Li Na", campaign=campaigns.fair
        )
        Campaign.objects.filter(pk=campaigns.fair.pk).update(status=CampaignStatus.CANCELLED)
    client = tenant_client(cast_a, cast_a.rep)
    html = client.get(f"/leads/{lead.uuid}/edit/").content.decode()
    assert f'<option value="{campaigns.fair.uuid}" selected>' in html
    assert "Old Expo" not in html
    response = client.post(
        f"/leads/{lead.uuid}/edit/", {"name": "Li Na", "priority": "normal", "campaign": ""}
    )
    assert response.status_code == 302
    with tenant_context(cast_a.tenant):
        lead.refresh_from_db()
        assert lead.campaign is None


def test_a_teammate_cannot_edit_someone_elses_lead_campaign(cast_a, campaigns):
    with tenant_context(cast_a.tenant):
        lead = lead_services.lead_create(actor=cast_a.rep, owner=cast_a.rep, name="Li Na")
    client = tenant_client(cast_a, cast_a.teammate)
    response = client.post(
        f"/leads/{lead.uuid}/edit/",
        {"name": "Li Na", "priority": "normal", "campaign": str(campaigns.fair.uuid)},
    )
    assert response.status_code in (403, 404)
    with tenant_context(cast_a.tenant):
        lead.refresh_from_db()
        assert lead.campaign is None


# --- 2. the API ------------------------------------------------------------------------------


@pytest.fixture
def api_client(cast_a):
    from django.test import Client

    from leadcrm.accounts.services import api_key_create

    with tenant_context(cast_a.tenant):
        _key, secret = api_key_create(actor=cast_a.admin, name="Website")
    return Client(HTTP_HOST=cast_a.host, HTTP_AUTHORIZATION=f"Bearer {secret}")


def _send(client, method, url, data):
    import json

    return getattr(client, method)(url, json.dumps(data), content_type="application/json")


def test_api_creates_with_a_campaign_and_returns_it(cast_a, campaigns, api_client):
    created = _send(
        api_client,
        "post",
        "/api/v1/leads/",
        {"name": "Li Na", "campaign": str(campaigns.fair.uuid)},
    )
    assert created.status_code == 201, created.content
    assert created.json()["campaign"] == str(campaigns.fair.uuid)
    assert created.json()["source"] == "trade_show"  # the campaign's, not "api"
    read = api_client.get(f"/api/v1/leads/{created.json()['id']}/")
    assert read.json()["campaign"] == str(campaigns.fair.uuid)


def test_api_without_a_campaign_keeps_the_api_source_and_returns_null(cast_a, api_client):
    created = _send(api_client, "post", "/api/v1/leads/", {"name": "Li Na"})
    assert (created.json()["campaign"], created.json()["source"]) == (None, "api")


def test_api_updates_and_clears_the_campaign(cast_a, campaigns, api_client):
    lead_id = _send(api_client, "post", "/api/v1/leads/", {"name": "Li Na"}).json()["id"]
    url = f"/api/v1/leads/{lead_id}/"
    changed = _send(api_client, "patch", url, {"campaign": str(campaigns.webinar.uuid)})
    assert changed.status_code == 200
    assert changed.json()["campaign"] == str(campaigns.webinar.uuid)
    cleared = _send(api_client, "patch", url, {"campaign": None})
    assert cleared.json()["campaign"] is None
    with tenant_context(cast_a.tenant):
        assert Lead.objects.get(uuid=lead_id).campaign is None


@pytest.mark.parametrize("value", ["not-a-uuid", str(uuid.uuid4()), "foreign", 42, ["x"]])
def test_api_unknown_campaign_is_a_400_naming_the_field(
    cast_a, campaigns, foreign_campaign, api_client, value
):
    value = str(foreign_campaign.uuid) if value == "foreign" else value
    created = _send(api_client, "post", "/api/v1/leads/", {"name": "Li Na", "campaign": value})
    assert created.status_code == 400
    assert created.json()["error"]["field"] == "campaign"
    assert "campaign" in created.json()["error"]["message"].lower()
    lead_id = _send(api_client, "post", "/api/v1/leads/", {"name": "Wang Wei"}).json()["id"]
    patched = _send(api_client, "patch", f"/api/v1/leads/{lead_id}/", {"campaign": value})
    assert patched.status_code == 400
    assert patched.json()["error"]["field"] == "campaign"
    with tenant_context(cast_a.tenant):
        assert not Lead.objects.filter(name="Li Na").exists()
        assert Lead.objects.get(uuid=lead_id).campaign is None


def test_api_refuses_a_cancelled_campaign(cast_a, campaigns, api_client):
    created = _send(
        api_client,
        "post",
        "/api/v1/leads/",
        {"name": "Li Na", "campaign": str(campaigns.cancelled.uuid)},
    )
    assert created.status_code == 422
    assert created.json()["error"]["field"] == "campaign"


# --- 3. web forms ----------------------------------------------------------------------------


@pytest.fixture
def contact_form(cast_a):
    from django.core.cache import cache

    from leads.services.webforms import webform_save

    cache.clear()  # the per-visitor rate limit
    with tenant_context(cast_a.tenant):
        return webform_save(actor=cast_a.admin, name="Contact us", fields=["email"])


def _submit(cast, form, **data):
    from django.test import Client

    return Client(HTTP_HOST=cast.host).post(f"/f/{form.uuid}/", data)


def test_an_admin_names_the_forms_campaign_and_its_leads_join_it(cast_a, campaigns, contact_form):
    from leads.models import WebForm

    admin = tenant_client(cast_a, cast_a.admin)
    edit = reverse("leads-webform-edit", kwargs={"uuid": contact_form.uuid})
    page = admin.get(edit).content.decode()
    assert "Canton Fair 2026" in page
    assert "Old Expo" not in page
    saved = admin.post(
        edit,
        {"name": "Contact us", "fields": ["email"], "is_active": "on",
         "campaign": str(campaigns.fair.uuid)},
    )  # fmt: skip
    assert saved.status_code == 302
    with tenant_context(cast_a.tenant):
        assert WebForm.objects.get(pk=contact_form.pk).campaign == campaigns.fair
    _submit(cast_a, contact_form, name="Zhou Min", utm_campaign="Spring Webinar")
    with tenant_context(cast_a.tenant):
        lead = Lead.objects.get(name="Zhou Min")
        # The form's campaign wins over the UTM; no source on the form: the campaign's.
        assert (lead.campaign, lead.source) == (campaigns.fair, campaigns.trade_show)


def test_a_form_with_its_own_source_keeps_it(cast_a, campaigns, contact_form):
    from leads.models import WebForm

    with tenant_context(cast_a.tenant):
        hotline = SourceChannel.objects.get(code="hotline")
        WebForm.objects.filter(pk=contact_form.pk).update(campaign=campaigns.fair, source=hotline)
    _submit(cast_a, contact_form, name="Zhou Min")
    with tenant_context(cast_a.tenant):
        lead = Lead.objects.get(name="Zhou Min")
        assert (lead.campaign, lead.source) == (campaigns.fair, hotline)


@pytest.mark.parametrize("utm", ["Canton Fair 2026", "  canton FAIR 2026 "])
def test_a_utm_campaign_naming_a_campaign_attaches_the_lead(cast_a, campaigns, contact_form, utm):
    _submit(cast_a, contact_form, name="Zhou Min", utm_campaign=utm)
    with tenant_context(cast_a.tenant):
        lead = Lead.objects.get(name="Zhou Min")
        assert (lead.campaign, lead.source) == (campaigns.fair, campaigns.trade_show)
        assert "canton" in lead.source_detail.lower()  # the UTM is still kept


@pytest.mark.parametrize("utm", ["expo", "Old Expo", ""])
def test_a_utm_campaign_naming_no_open_campaign_leaves_the_lead_without(
    cast_a, campaigns, contact_form, utm
):
    _submit(cast_a, contact_form, name="Zhou Min", utm_campaign=utm)
    with tenant_context(cast_a.tenant):
        lead = Lead.objects.get(name="Zhou Min")
        assert (lead.campaign, lead.source.code) == (None, "website")


def test_a_utm_name_two_campaigns_share_attaches_to_neither(cast_a, campaigns, contact_form):
    with tenant_context(cast_a.tenant):
        Campaign.objects.create(name="canton fair 2026")
    _submit(cast_a, contact_form, name="Zhou Min", utm_campaign="Canton Fair 2026")
    with tenant_context(cast_a.tenant):
        assert Lead.objects.get(name="Zhou Min").campaign is None


def test_a_forms_campaign_cancelled_since_never_turns_a_visitor_away(
    cast_a, campaigns, contact_form
):
    from leads.models import WebForm

    with tenant_context(cast_a.tenant):
        WebForm.objects.filter(pk=contact_form.pk).update(campaign=campaigns.fair)
        Campaign.objects.filter(pk=campaigns.fair.pk).update(status=CampaignStatus.CANCELLED)
    response = _submit(cast_a, contact_form, name="Zhou Min")
    assert response.status_code == 200
    with tenant_context(cast_a.tenant):
        assert Lead.objects.get(name="Zhou Min").campaign is None


def test_a_form_cannot_be_given_a_cancelled_campaign(cast_a, campaigns, contact_form):
    from leads.services.webforms import webform_save

    with tenant_context(cast_a.tenant), pytest.raises(LeadError) as refused:
        webform_save(
            actor=cast_a.admin, form=contact_form, name="Contact us", campaign=campaigns.cancelled
        )
    assert refused.value.field == "campaign"
    response = tenant_client(cast_a, cast_a.admin).post(
        reverse("leads-webform-edit", kwargs={"uuid": contact_form.uuid}),
        {"name": "Contact us", "is_active": "on", "campaign": str(campaigns.cancelled.uuid)},
    )
    assert response.status_code == 200  # the select does not offer it: the form says so
    with tenant_context(cast_a.tenant):
        contact_form.refresh_from_db()
        assert contact_form.campaign is None


# --- 4. imports ------------------------------------------------------------------------------

EXPO_LIST = (
    b"Name,Company,Campaign\n"
    b"Li Na,Huaxin Logistics, canton FAIR 2026 \n"
    b"Wang Wei,Yunqi Tech,Autumn Roadshow\n"
    b"Zhao Lei,Kaisheng Trading,\n"
)


@pytest.mark.parametrize("header", ["Campaign", "campaign name", "活动", "市场活动"])
def test_a_campaign_column_is_recognised(cast_a, header):
    from leads.importing.mapping import mapping_suggest

    assert mapping_suggest(["Name", header]) == {0: "name", 1: "campaign"}


def _run_import(cast, data=EXPO_LIST, **options):
    from leads.importing.services import import_job_create, import_job_start, import_run

    job = import_job_create(actor=cast.admin, filename="expo.csv", data=data)
    import_job_start(
        job=job, actor=cast.admin, mapping=job.mapping, on_duplicate="skip", owner=None,
        source_detail="", run_rules=False, in_worker=False, **options,
    )  # fmt: skip
    return import_run(job.pk)


def test_a_campaign_column_attaches_known_names_and_warns_about_unknown_ones(cast_a, campaigns):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from leads.importing.services import import_error_report_csv
    from leads.models import ImportIssue

    with tenant_context(cast_a.tenant):
        with CaptureQueriesContext(connection) as queries:
            job = _run_import(cast_a)
        lookups = [q for q in queries.captured_queries if 'FROM "leads_campaign"' in q["sql"]]
        assert len(lookups) == 1  # the batch's names at once, not a query per row
        assert (job.created, job.errors) == (3, 0)  # the unknown name does not refuse its row
        leads = {lead.name: lead for lead in Lead.objects.filter(import_job=job)}
        assert leads["Li Na"].campaign == campaigns.fair
        assert leads["Li Na"].source == campaigns.trade_show
        assert leads["Wang Wei"].campaign is None
        assert leads["Wang Wei"].source.code == "import"
        assert leads["Zhao Lei"].campaign is None
        warning = ImportIssue.objects.get(job=job)
        assert (warning.is_error, warning.row_number) == (False, 3)
        assert (warning.column, warning.value) == ("Campaign", "Autumn Roadshow")
        assert "imported without a campaign" in warning.reason
        assert "yes, without this value" in import_error_report_csv(job)


def test_the_import_option_attaches_every_row_without_its_own_campaign(cast_a, campaigns):
    with tenant_context(cast_a.tenant):
        job = _run_import(cast_a, campaign=campaigns.webinar)
        leads = {lead.name: lead for lead in Lead.objects.filter(import_job=job)}
        assert leads["Li Na"].campaign == campaigns.fair  # its own cell wins
        assert leads["Zhao Lei"].campaign == campaigns.webinar
        assert leads["Zhao Lei"].source.code == "import"  # the webinar has no source
        assert leads["Wang Wei"].campaign is None  # a name that matched none: reported
        assert job.campaign == campaigns.webinar


def test_the_import_option_refuses_a_cancelled_campaign(cast_a, campaigns):
    with tenant_context(cast_a.tenant), pytest.raises(LeadError):
        _run_import(cast_a, campaign=campaigns.cancelled)


def test_the_import_page_offers_the_campaign_option(cast_a, campaigns):
    from leads.importing.services import import_job_create
    from leads.models import ImportJob

    with tenant_context(cast_a.tenant):
        job = import_job_create(actor=cast_a.manager, filename="expo.csv", data=EXPO_LIST)
    client = tenant_client(cast_a, cast_a.manager)
    url = reverse("leads-import-map", kwargs={"uuid": job.uuid})
    page = client.get(url).content.decode()
    assert "Spring Webinar" in page
    assert "Old Expo" not in page
    form = {"col_0": "name", "col_1": "company", "col_2": "campaign", "on_duplicate": "skip",
            "send_to": "none"}  # fmt: skip
    refused = client.post(url, {**form, "campaign": str(campaigns.cancelled.uuid)})
    assert refused.status_code == 200
    with tenant_context(cast_a.tenant):
        assert ImportJob.objects.get(pk=job.pk).job_id is None
    started = client.post(url, {**form, "campaign": str(campaigns.webinar.uuid)})
    assert started.status_code == 302
    with tenant_context(cast_a.tenant):
        assert ImportJob.objects.get(pk=job.pk).campaign == campaigns.webinar
    assert tenant_client(cast_a, cast_a.rep).post(url, form).status_code == 403


def test_import_command_takes_a_campaign_by_name_or_uuid(cast_a, campaigns, tmp_path):
    from django.core.management import CommandError, call_command

    path = tmp_path / "expo.csv"
    path.write_bytes(EXPO_LIST)
    call_command("import_leads", "alpha", str(path), "--campaign", " spring webinar ")
    with tenant_context(cast_a.tenant):
        assert Lead.objects.get(name="Zhao Lei").campaign == campaigns.webinar
    with pytest.raises(CommandError, match="no open campaign"):
        call_command("import_leads", "alpha", str(path), "--campaign", "Old Expo")
    path.write_bytes(b"Name\nSun Li\n")
    call_command("import_leads", "alpha", str(path), "--campaign", str(campaigns.fair.uuid))
    with tenant_context(cast_a.tenant):
        assert Lead.objects.get(name="Sun Li").campaign == campaigns.fair


# --- 5. the list's bulk action ---------------------------------------------------------------


@pytest.fixture
def team_leads(cast_a):
    with tenant_context(cast_a.tenant):
        referral = SourceChannel.objects.get(code="referral")
        return SimpleNamespace(
            mine=lead_services.lead_create(actor=cast_a.rep, owner=cast_a.rep, name="Li Na"),
            sourced=lead_services.lead_create(
                actor=cast_a.rep, owner=cast_a.rep, name="Wang Fang", source=referral
            ),
            theirs=lead_services.lead_create(
                actor=cast_a.teammate, owner=cast_a.teammate, name="Zhang Wei"
            ),
            referral=referral,
        )


def test_bulk_set_campaign_on_the_leads_one_may_edit_and_refuse_the_others(
    cast_a, campaigns, team_leads
):
    from leads.services.bulk import lead_bulk_action

    with tenant_context(cast_a.tenant):
        result = lead_bulk_action(
            actor=cast_a.rep,
            uuids=[team_leads.mine.uuid, team_leads.sourced.uuid, team_leads.theirs.uuid],
            action="campaign",
            campaign=campaigns.fair,
        )
        assert (result.done, len(result.refused)) == (2, 1)
        mine, sourced, theirs = (
            Lead.objects.get(pk=lead.pk)
            for lead in (team_leads.mine, team_leads.sourced, team_leads.theirs)
        )
        assert (mine.campaign, mine.source) == (campaigns.fair, campaigns.trade_show)
        assert (sourced.campaign, sourced.source) == (campaigns.fair, team_leads.referral)
        assert theirs.campaign is None
        recorded = Lead.history.filter(id=mine.pk, campaign_id=campaigns.fair.pk).first()
        assert recorded.history_user == cast_a.rep


def test_bulk_clear_campaign_through_the_list_page(cast_a, campaigns, team_leads):
    with tenant_context(cast_a.tenant):
        for lead in (team_leads.mine, team_leads.theirs):
            Lead.objects.filter(pk=lead.pk).update(campaign=campaigns.webinar)
    client = tenant_client(cast_a, cast_a.rep)
    assert "Set campaign" in client.get("/leads/").content.decode()
    response = client.post(
        "/leads/bulk/",
        {"action": "campaign_clear",
         "lead": [str(team_leads.mine.uuid), str(team_leads.theirs.uuid)]},
        follow=True,
    )  # fmt: skip
    assert "1 lead updated, 1 refused" in response.content.decode()
    with tenant_context(cast_a.tenant):
        assert Lead.objects.get(pk=team_leads.mine.pk).campaign is None
        assert Lead.objects.get(pk=team_leads.theirs.pk).campaign == campaigns.webinar
        cleared = Lead.history.filter(id=team_leads.mine.pk).first()
        assert (cleared.campaign_id, cleared.history_user) == (None, cast_a.rep)


@pytest.mark.parametrize("choice", ["", "not-a-uuid", "cancelled", "foreign"])
def test_bulk_set_campaign_without_an_open_campaign_touches_nothing(
    cast_a, campaigns, foreign_campaign, team_leads, choice
):
    choice = {
        "cancelled": str(campaigns.cancelled.uuid),
        "foreign": str(foreign_campaign.uuid),
    }.get(choice, choice)
    response = tenant_client(cast_a, cast_a.rep).post(
        "/leads/bulk/",
        {"action": "campaign", "campaign": choice, "lead": [str(team_leads.mine.uuid)]},
        follow=True,
    )
    assert "Choose the campaign." in response.content.decode()
    with tenant_context(cast_a.tenant):
        assert Lead.objects.get(pk=team_leads.mine.pk).campaign is None


def test_bulk_service_refuses_a_cancelled_campaign(cast_a, campaigns, team_leads):
    from leads.services.bulk import lead_bulk_action

    with tenant_context(cast_a.tenant), pytest.raises(LeadError, match="cancelled"):
        lead_bulk_action(
            actor=cast_a.rep,
            uuids=[team_leads.mine.uuid],
            action="campaign",
            campaign=campaigns.cancelled,
        )


# --- 6. export -------------------------------------------------------------------------------


def test_the_export_has_a_campaign_column_with_the_campaigns_name(cast_a, campaigns):
    import csv
    import io

    with tenant_context(cast_a.tenant):
        lead_services.lead_create(
            actor=cast_a.rep, owner=cast_a.rep, name="Li Na", campaign=campaigns.fair
        )
        lead_services.lead_create(actor=cast_a.rep, owner=cast_a.rep, name="Wang Fang")
    response = tenant_client(cast_a, cast_a.rep).get("/leads/export/?scene=mine&format=csv")
    raw = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = {row["Name"]: row for row in csv.DictReader(io.StringIO(raw))}
    assert rows["Li Na"]["Campaign"] == "Canton Fair 2026"
    assert rows["Li Na"]["Source"] == "Trade show"
    assert rows["Wang Fang"]["Campaign"] == ""
