"""The list's URL filters that reports link to: owner, team, source, stage, loss reason,
priority, region, industry, created and converted days, raw statuses. Each only narrows what
the user may see, bad values are ignored, and every active one shows as a removable chip."""

import html as html_lib
import re
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import tenant_context

from leadcrm.accounts.services import team_create, user_create
from leads.models import Lead, LeadStatus, LossReason, SourceChannel, Stage
from leads.selectors import LeadFilters, lead_list
from leads.services import lead as lead_services
from tests.conftest import tenant_client

SHANGHAI = ZoneInfo("Asia/Shanghai")  # the test tenants' time zone (Tenant.time_zone default)


def at(text: str) -> datetime:
    """A moment given as Shanghai wall-clock time, "2025-03-10 00:00:00"."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def names(user, query) -> set[str]:
    with timezone.override(SHANGHAI):
        leads = lead_list(user=user, filters=LeadFilters.from_query(query))
        return set(leads.values_list("name", flat=True))


def q(**params) -> QueryDict:
    """A query string as the list receives it (lists become repeated parameters)."""
    query = QueryDict(mutable=True)
    for key, value in params.items():
        query.setlist(key, value if isinstance(value, list) else [value])
    return query


def _lead(owner, name, **fields):
    lead = lead_services.lead_create(actor=owner, owner=owner, name=name)
    if fields:
        Lead.objects.filter(pk=lead.pk).update(**fields)
    return lead


@pytest.fixture
def world(in_tenant_a):
    """A small fixed set: the cast's team (rep, teammate) with a sub-team North (Nora), and
    another team East (Eve) that neither the rep nor the manager sees."""
    cast = in_tenant_a
    north = team_create(name="North", parent=cast.team)
    east = team_create(name="East")
    nora = user_create(
        email="nora@alpha.example.com", full_name="王小明", roles=["sales_rep"], team=north
    )
    eve = user_create(email="eve@alpha.example.com", full_name="Eve East", roles=["sales_rep"])
    eve.team = east
    eve.save()
    web = SourceChannel.objects.create(code="t-web", name="Test web")
    expo = SourceChannel.objects.create(code="t-expo", name="Test expo")
    demo = Stage.objects.create(name="Test demo", position=90)
    price = LossReason.objects.create(name="Test price")
    _lead(
        cast.rep,
        "Rep web high",
        source=web,
        stage=demo,
        priority="high",
        region="Zhejiang",
        industry="Textiles",
        created_at=at("2025-03-10 00:00:00"),
    )
    _lead(
        cast.rep,
        "Rep expo lost",
        source=expo,
        priority="low",
        status=LeadStatus.LOST,
        loss_reason=price,
        created_at=at("2025-03-09 23:59:59"),
    )
    _lead(
        cast.rep,
        "Rep invalid",
        status=LeadStatus.INVALID,
        created_at=at("2025-03-11 00:00:00"),
    )
    _lead(
        cast.teammate,
        "Mate web converted",
        source=web,
        status=LeadStatus.CONVERTED,
        converted_at=at("2025-04-01 00:00:00"),
        region="zhejiang",
        industry="Software",
        created_at=at("2025-03-10 23:59:59"),
    )
    _lead(
        cast.teammate,
        "Mate converted late",
        status=LeadStatus.CONVERTED,
        converted_at=at("2025-04-02 00:00:00"),
    )
    _lead(nora, "North lead", source=web, stage=demo, priority="high")
    _lead(eve, "East lead", source=web, stage=demo, priority="high")
    cast.north, cast.east, cast.nora, cast.eve = north, east, nora, eve
    cast.web, cast.expo, cast.demo, cast.price = web, expo, demo, price
    return cast


EVERYONE_IN_LINE = {
    "Rep web high",
    "Rep expo lost",
    "Rep invalid",
    "Mate web converted",
    "Mate converted late",
    "North lead",
}


# Each filter narrows to exactly its leads ------------------------------------------------


def test_owner_narrows_to_their_leads_repeated_or_comma_separated(world):
    admin, rep, mate = world.admin, world.rep, world.teammate
    assert names(admin, q(scene="all", owner=str(rep.uuid))) == {
        "Rep web high",
        "Rep expo lost",
        "Rep invalid",
    }
    both = {"Rep web high", "Rep expo lost", "Rep invalid", "Mate web converted"}
    both.add("Mate converted late")
    assert names(admin, q(scene="all", owner=[str(rep.uuid), str(mate.uuid)])) == both
    assert names(admin, q(scene="all", owner=f"{rep.uuid},{mate.uuid}")) == both


def test_team_is_its_members_and_its_sub_teams_members(world):
    admin = world.admin
    assert names(admin, q(scene="all", team=str(world.team.uuid))) == EVERYONE_IN_LINE
    assert names(admin, q(scene="all", team=str(world.north.uuid))) == {"North lead"}
    assert names(admin, q(scene="all", team=str(world.east.uuid))) == {"East lead"}


def test_source_is_one_or_several_channel_codes(world):
    admin = world.admin
    web = {"Rep web high", "Mate web converted", "North lead", "East lead"}
    assert names(admin, q(scene="all", source="t-web")) == web
    assert names(admin, q(scene="all", source=["t-web", "t-expo"])) == web | {"Rep expo lost"}
    assert names(admin, q(scene="all", source="t-expo,t-web")) == web | {"Rep expo lost"}


def test_stage_loss_reason_and_priority(world):
    admin = world.admin
    assert names(admin, q(scene="all", stage=str(world.demo.uuid))) == {
        "Rep web high",
        "North lead",
        "East lead",
    }
    assert names(admin, q(scene="all", lost_reason=str(world.price.uuid))) == {"Rep expo lost"}
    assert names(admin, q(scene="all", priority="low")) == {"Rep expo lost"}


def test_region_and_industry_match_exactly_ignoring_case(world):
    admin = world.admin
    assert names(admin, q(scene="all", region="ZHEJIANG")) == {
        "Rep web high",
        "Mate web converted",
    }
    assert names(admin, q(scene="all", region="Zhe")) == set()  # exact, not a substring
    assert names(admin, q(scene="all", industry="textiles")) == {"Rep web high"}


def test_status_takes_a_raw_status_as_well_as_a_chip_group(world):
    admin = world.admin
    assert names(admin, q(scene="all", status="lost")) == {"Rep expo lost"}
    assert names(admin, q(scene="all", status="invalid")) == {"Rep invalid"}
    assert names(admin, q(scene="all", status="unqualified")) == {"Rep expo lost", "Rep invalid"}


# Days in the tenant's time zone, bounds inclusive ------------------------------------------


def test_created_days_are_inclusive_at_the_tenants_midnights(world):
    admin = world.admin
    one_day = q(scene="all", created_from="2025-03-10", created_to="2025-03-10")
    # 2025-03-10 00:00:00 and 23:59:59 in Shanghai are in; 03-09 23:59:59 and 03-11 00:00 out.
    assert names(admin, one_day) == {"Rep web high", "Mate web converted"}
    assert names(admin, q(scene="all", owner=str(world.rep.uuid), created_to="2025-03-09")) == {
        "Rep expo lost"
    }
    assert names(admin, q(scene="all", owner=str(world.rep.uuid), created_from="2025-03-11")) == {
        "Rep invalid"
    }


def test_converted_days_are_inclusive(world):
    admin = world.admin
    assert names(admin, q(scene="all", converted_from="2025-04-01")) == {
        "Mate web converted",
        "Mate converted late",
    }
    assert names(admin, q(scene="all", converted_to="2025-04-01")) == {"Mate web converted"}
    assert names(admin, q(scene="all", converted_from="2025-04-02")) == {"Mate converted late"}


def test_the_list_page_reads_days_in_the_tenants_time_zone(world):
    client = tenant_client(world, world.admin)
    page = client.get("/leads/?scene=all&created_from=2025-03-10&created_to=2025-03-10")
    html = page.content.decode()
    assert "Rep web high" in html
    assert "Mate web converted" in html
    assert "Rep expo lost" not in html
    assert "Rep invalid" not in html


# Combining, and visibility -----------------------------------------------------------------


def test_filters_combine_with_each_other_and_with_the_scene(world):
    admin, rep = world.admin, world.rep
    query = q(scene="all", team=str(world.team.uuid), source="t-web", priority="high")
    assert names(admin, query) == {"Rep web high", "North lead"}
    query = q(scene="all", source="t-web", stage=str(world.demo.uuid), region="zhejiang")
    assert names(admin, query) == {"Rep web high"}
    assert names(rep, q(scene="mine", source="t-web")) == {"Rep web high"}
    # The reps report to the manager; Nora (North) reports to no one.
    assert names(world.manager, q(scene="subordinates", source="t-web")) == {
        "Rep web high",
        "Mate web converted",
    }
    assert names(world.manager, q(scene="mine", source="t-web")) == set()


def test_owner_never_shows_a_lead_the_user_may_not_see(world):
    rep, manager = world.rep, world.manager
    assert names(rep, q(scene="all", owner=str(world.eve.uuid))) == set()
    assert names(rep, q(scene="all", owner=str(world.teammate.uuid))) == set()
    assert names(manager, q(scene="all", owner=str(world.eve.uuid))) == set()
    assert names(manager, q(scene="all", team=str(world.east.uuid))) == set()
    mixed = q(scene="all", owner=f"{world.eve.uuid},{rep.uuid}")
    assert names(rep, mixed) == {"Rep web high", "Rep expo lost", "Rep invalid"}
    client = tenant_client(world, rep)
    html = client.get(f"/leads/?scene=all&owner={world.eve.uuid}").content.decode()
    assert "East lead" not in html
    assert "No leads match these filters." in html


# Bad values answer 200 and are ignored -----------------------------------------------------

BAD_VALUES = [
    ("created_from", "0001-01-01"),
    ("created_to", "2101-01-01"),
    ("created_from", "1899-12-31"),
    ("created_from", "2025-02-30"),
    ("created_to", "2025-3-1"),
    ("converted_from", "20250301"),
    ("converted_to", "１２３４-０１-０１"),
    ("owner", "not-a-uuid"),
    ("owner", str(uuid.uuid4())),
    ("team", str(uuid.uuid4())),
    ("stage", "x" * 10_000),
    ("lost_reason", str(uuid.uuid4())),
    ("source", "no such source"),
    ("source", "s" * 10_000),
    ("region", "r" * 10_000),
    ("priority", "sky-high"),
    ("status", "bogus"),
    ("owner", ","),
]


@pytest.mark.parametrize(("param", "value"), BAD_VALUES)
def test_bad_values_are_ignored(world, param, value):
    mine = {"Rep web high", "Rep expo lost", "Rep invalid"}
    assert names(world.rep, q(scene="mine", **{param: value})) == mine


@pytest.mark.parametrize(("param", "value"), BAD_VALUES)
def test_bad_values_answer_200_with_the_list(cast_a, param, value):
    with tenant_context(cast_a.tenant):
        _lead(cast_a.rep, "Still here")
    response = tenant_client(cast_a, cast_a.rep).get("/leads/", {param: value})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Still here" in html
    assert 'title="Remove this filter"' not in html  # nothing narrows, so no chip claims to


def test_control_characters_in_a_filter_never_reach_the_database(world):
    """NUL is what Postgres refuses; the request middleware strips it and so does the parser."""
    assert LeadFilters.from_query(q(industry="Text\x00iles", region="\x00")).industry == "Textiles"
    assert names(world.admin, q(scene="all", industry="Text\x00iles")) == {"Rep web high"}
    page = tenant_client(world, world.admin).get("/leads/", {"industry": "Text\x00iles"})
    assert page.status_code == 200


# Chips --------------------------------------------------------------------------------------

CHIP = re.compile(
    r'<a class="chip" href="([^"]*)" hx-get="[^"]*" aria-pressed="true" '
    r'title="Remove this filter">([^<]*) ×</a>'
)


def chips(html: str) -> dict[str, QueryDict]:
    """Each removable chip's label and the query its link goes to."""
    return {
        html_lib.unescape(label): QueryDict(html_lib.unescape(href).lstrip("?"))
        for href, label in CHIP.findall(html)
    }


def test_every_active_filter_is_a_chip_whose_link_drops_only_that_parameter(world):
    params = {
        "scene": "all",
        "hot": "",
        "owner": str(world.nora.uuid),
        "team": str(world.team.uuid),
        "source": "t-web",
        "stage": str(world.demo.uuid),
        "priority": "high",
        "region": "Zhejiang",
        "industry": "Textiles",
        "lost_reason": str(world.price.uuid),
        "status": "unqualified",  # a group of statuses: a raw one has its own status chip
        "created_from": "2025-03-01",
        "created_to": "2025-03-31",
        "converted_from": "2025-04-01",
        "converted_to": "2025-04-30",
        "page": "2",
    }
    client = tenant_client(world, world.admin)
    found = chips(client.get("/leads/", params).content.decode())
    expected = {
        "Owner: 王小明": "owner",
        "Team: Alpha Sales": "team",
        "Source: Test web": "source",
        "Stage: Test demo": "stage",
        "Priority: High": "priority",
        "Region: Zhejiang": "region",
        "Industry: Textiles": "industry",
        "Loss reason: Test price": "lost_reason",
        "Status: Lost / unqualified or Invalid": "status",
        "Created from 2025-03-01": "created_from",
        "Created until 2025-03-31": "created_to",
        "Converted from 2025-04-01": "converted_from",
        "Converted until 2025-04-30": "converted_to",
    }
    assert set(found) == set(expected)
    for label, param in expected.items():
        kept = {key: value for key, value in params.items() if key not in (param, "page")}
        assert found[label].dict() == kept, label


def test_each_owner_and_source_is_a_chip_that_removes_only_itself(world):
    client = tenant_client(world, world.admin)
    owners = f"{world.rep.uuid},{world.nora.uuid}"
    html = client.get("/leads/", {"scene": "all", "owner": owners, "source": ["t-web", "t-expo"]})
    found = chips(html.content.decode())
    assert set(found) == {
        "Owner: Riley Rep alpha",
        "Owner: 王小明",
        "Source: Test expo",
        "Source: Test web",
    }
    without_rep = dict(found["Owner: Riley Rep alpha"].lists())
    assert without_rep == {
        "scene": ["all"],
        "owner": [str(world.nora.uuid)],
        "source": ["t-web", "t-expo"],
    }
    without_web = dict(found["Source: Test web"].lists())
    assert without_web == {"scene": ["all"], "owner": [owners], "source": ["t-expo"]}


def test_a_status_has_its_chip_and_a_group_of_statuses_a_chip_that_names_them(world):
    client = tenant_client(world, world.admin)
    raw = client.get("/leads/?scene=all&status=lost").content.decode()
    assert re.search(r'status=lost" [^>]*aria-pressed="true">Lost / unqualified</a>', raw)
    assert chips(raw) == {}
    assert "Rep expo lost" in raw
    assert "Rep invalid" not in raw
    grouped = client.get("/leads/?scene=all&status=unqualified").content.decode()
    assert not re.search(r'class="chip" [^>]*status=[^>]*aria-pressed="true">', grouped)
    assert list(chips(grouped)) == ["Status: Lost / unqualified or Invalid"]
    assert "Rep expo lost" in grouped
    assert "Rep invalid" in grouped


def test_chips_read_in_chinese_without_breaking(world):
    client = tenant_client(world, world.admin)
    page = client.get(f"/leads/?owner={world.nora.uuid}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    assert "王小明 ×" in page.content.decode()


# The "More filters" panel ------------------------------------------------------------------


def test_more_filters_offers_owner_source_stage_priority_and_created_days(world):
    client = tenant_client(world, world.manager)
    query = {"scene": "all", "owner": str(world.rep.uuid), "created_from": "2025-03-01", "q": "x"}
    html = client.get("/leads/", query).content.decode()
    owner_select = re.search(r'<select [^>]*name="owner".*?</select>', html, re.S).group(0)
    assert f'<option value="{world.rep.uuid}" selected>Riley Rep alpha</option>' in owner_select
    assert "王小明" in owner_select  # the manager's team includes the North sub-team
    assert "Eve East" not in owner_select  # not a person whose leads the manager sees
    assert '<option value="t-web">Test web</option>' in html
    assert f'<option value="{world.demo.uuid}">Test demo</option>' in html
    assert '<option value="high">High</option>' in html
    assert 'name="created_from" min="1900-01-01" max="2100-12-31" value="2025-03-01"' in html
    assert 'name="created_to" min="1900-01-01" max="2100-12-31" value=""' in html
    # The panel carries the page's other parameters, not the ones it sets itself.
    panel = re.search(r"More filters \(2\) ▾</summary>.*?</details>", html, re.S).group(0)
    assert '<input type="hidden" name="q" value="x">' in panel
    assert '<input type="hidden" name="owner"' not in panel
    assert '<input type="hidden" name="created_from"' not in panel


def test_a_rep_is_offered_only_the_owners_whose_leads_they_see(world):
    html = tenant_client(world, world.rep).get("/leads/").content.decode()
    owner_select = re.search(r'<select [^>]*name="owner".*?</select>', html, re.S).group(0)
    assert "Riley Rep alpha" in owner_select
    assert "Robin Rep" not in owner_select
    assert "Eve East" not in owner_select


def test_a_pool_page_offers_no_owner_filter_and_keeps_it_hidden(world):
    from pools.models import Pool

    pool = Pool.objects.create(name="Filter pool")
    client = tenant_client(world, world.admin)
    url = reverse("pools-detail", kwargs={"uuid": pool.uuid})
    page = client.get(url, {"owner": str(world.rep.uuid), "priority": "high"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="owner"' not in html.replace('type="hidden" name="owner"', "")
    assert f'<input type="hidden" name="owner" value="{world.rep.uuid}">' in html
    assert 'name="priority"' in html


# Cost -----------------------------------------------------------------------------------------


def test_filters_add_no_query_per_row(cast_a):
    client = tenant_client(cast_a, cast_a.admin)
    with tenant_context(cast_a.tenant):
        source = SourceChannel.objects.create(code="t-cost", name="Cost")
        stage = Stage.objects.create(name="Cost stage", position=91)
        reason = LossReason.objects.create(name="Cost reason")
        team_create(name="Cost sub-team", parent=cast_a.team)  # the team filter walks it
        fields = {"source": source, "stage": stage, "priority": "high", "region": "Hubei"}
        _lead(cast_a.rep, "First", **fields)
    url = (
        f"/leads/?scene=all&owner={cast_a.rep.uuid},{cast_a.teammate.uuid}&team={cast_a.team.uuid}"
        f"&source=t-cost&stage={stage.uuid}&priority=high&region=hubei&industry="
        f"&created_from=2000-01-01&created_to=2100-01-01&lost_reason={reason.uuid}"
    )
    # The loss reason leaves every lead out; drop it to count the rows' queries too.
    url = url.replace(f"&lost_reason={reason.uuid}", "")
    client.get(url)  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    with tenant_context(cast_a.tenant):
        for i in range(25):
            owner = cast_a.rep if i % 2 else cast_a.teammate
            _lead(owner, f"Lead {i}", **fields)
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert "Lead 24" in html
    assert "First" in html
    assert len(many) == len(few)
    rows = [x for x in many.captured_queries if 'FROM "leads_lead"' in x["sql"]]
    assert len([x for x in rows if "ORDER BY" in x["sql"] and "LIMIT" in x["sql"]]) == 1
