"""The list's filters a manager and an ops person need (owner with "nobody", team, source,
campaign, stage, status, region, city, industry, tag, priority, score and grade, four date
ranges, import, has duplicates) and the reference CRM's scenes: each narrows to exactly its
leads, they combine, live in the URL and in saved views, come off one value at a time as
chips, a bad value is named in a note (never a 500), the pool page offers its own subset, and
no filter ever shows a lead its reader may not see."""

import html as html_lib
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import tenant_context

from leadcrm.accounts.services import team_create, user_create
from leadcrm.jobs.models import Job
from leads.models import Campaign, ImportJob, Lead, LeadStatus, SavedView, SourceChannel, Stage
from leads.selectors import DEDUP_SCAN_KIND, LeadFilters, lead_list
from leads.services import dedup_scan
from leads.services import lead as lead_services
from leads.services.merge import duplicates_dismiss
from leads.services.sharing import lead_member_add
from pools.models import Pool
from pools.services.claim import pool_lead_add
from tests.conftest import tenant_client

SHANGHAI = ZoneInfo("Asia/Shanghai")  # the test tenants' time zone


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def q(**params) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in params.items():
        query.setlist(key, value if isinstance(value, list) else [value])
    return query


def names(user, query: QueryDict) -> set[str]:
    with timezone.override(SHANGHAI):
        filters = LeadFilters.from_query(query, user=user)
        return set(lead_list(user=user, filters=filters).values_list("name", flat=True))


def _lead(owner, name, *, actor=None, **fields):
    lead = lead_services.lead_create(actor=actor or owner, owner=owner, name=name)
    if fields:
        Lead.objects.filter(pk=lead.pk).update(**fields)
    return lead


def _scan(groups: list[list[Lead]]) -> Job:
    """A finished duplicate scan with these groups, stored as the scan job stores them."""
    result = {
        "groups": [
            {"ids": [lead.pk for lead in group], "level": "exact", "score": 100, "rules": ["x"]}
            for group in groups
        ]
    }
    now = timezone.now()
    return Job.objects.create(
        kind=DEDUP_SCAN_KIND, status=Job.Status.DONE, result=result, finished_at=now
    )


@pytest.fixture
def world(in_tenant_a):
    """The cast's team (rep, teammate; the manager manages it) with a sub-team North (Nora),
    and Eve in a team East that neither the rep nor the manager sees. Leads of each, one
    unowned lead waiting in a pool the rep is a member of, one in a pool the rep is not."""
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
    fair = Campaign.objects.create(name="Spring fair")
    upload = ImportJob.objects.create(
        filename="fair.csv", file="imports/fair.csv", created_by=cast.admin, created=2
    )
    leads = {
        "Rep hot": _lead(
            cast.rep,
            "Rep hot",
            source=web,
            stage=demo,
            campaign=fair,
            priority="high",
            region="浙江",
            city="杭州",
            industry="Textiles",
            tags=["VIP"],
            score=85,
            grade="A",
            status=LeadStatus.FOLLOWING_UP,
            created_at=at("2025-03-10 09:00:00"),
            assigned_at=at("2025-03-11 10:00:00"),
            last_activity_at=at("2025-04-01 08:00:00"),
            next_follow_up_at=at("2025-04-08 09:00:00"),
        ),
        "Rep cold": _lead(
            cast.rep,
            "Rep cold",
            source=expo,
            priority="low",
            region="江苏",
            city="苏州",
            industry="Software",
            score=20,
            grade="D",
            status=LeadStatus.PENDING,
            import_job=upload,
            created_at=at("2025-03-20 09:00:00"),
            assigned_at=at("2025-03-20 09:05:00"),
            next_follow_up_at=at("2025-04-20 09:00:00"),
        ),
        "Rep unscored": _lead(cast.rep, "Rep unscored", status=LeadStatus.QUALIFIED),
        "Mate warm": _lead(
            cast.teammate,
            "Mate warm",
            source=web,
            campaign=fair,
            region="浙江",
            city="宁波",
            score=55,
            grade="B",
            import_job=upload,
            status=LeadStatus.FOLLOWING_UP,
            last_activity_at=at("2025-04-02 23:59:00"),
        ),
        "North lead": _lead(nora, "North lead", source=web, stage=demo, score=70, grade="A"),
        "East lead": _lead(eve, "East lead", source=web, city="杭州", score=90, grade="A"),
    }
    near = Pool.objects.create(name="Near pool")
    near.members.add(cast.rep)
    far = Pool.objects.create(name="Far pool")
    for name, pool, fields in (
        ("Near waiting", near, {"city": "杭州", "score": 60, "grade": "B", "source": web}),
        ("Far waiting", far, {"city": "杭州", "score": 60, "grade": "B"}),
    ):
        lead = _lead(None, name, actor=cast.admin, **fields)
        pool_lead_add(pool=pool, lead=lead, actor=cast.admin)
        leads[name] = lead
    cast.north, cast.east, cast.nora, cast.eve = north, east, nora, eve
    cast.web, cast.expo, cast.demo, cast.fair, cast.upload = web, expo, demo, fair, upload
    cast.near, cast.far, cast.leads = near, far, leads
    return cast


# Each filter narrows to exactly its leads --------------------------------------------------


def test_owner_takes_several_people_and_nobody(world):
    admin, rep, mate = world.admin, world.rep, world.teammate
    rep_leads = {"Rep hot", "Rep cold", "Rep unscored"}
    assert names(admin, q(scene="all", owner=[str(rep.uuid), str(mate.uuid)])) == {
        *rep_leads,
        "Mate warm",
    }
    assert names(admin, q(scene="all", owner="none")) == {"Near waiting", "Far waiting"}
    assert names(admin, q(scene="all", owner=f"{rep.uuid},NONE")) == {
        *rep_leads,
        "Near waiting",
        "Far waiting",
    }


def test_team_source_campaign_stage_and_status(world):
    admin = world.admin
    assert names(admin, q(scene="all", team=str(world.north.uuid))) == {"North lead"}
    assert names(admin, q(scene="all", source=["t-expo"])) == {"Rep cold"}
    assert names(admin, q(scene="all", campaign=str(world.fair.uuid))) == {"Rep hot", "Mate warm"}
    assert names(admin, q(scene="all", stage=str(world.demo.uuid))) == {"Rep hot", "North lead"}
    assert names(admin, q(scene="all", status="qualified")) == {"Rep unscored"}


def test_region_city_and_industry_match_whole_values_ignoring_case(world):
    admin = world.admin
    assert names(admin, q(scene="all", region="浙江")) == {"Rep hot", "Mate warm"}
    assert names(admin, q(scene="all", city="杭州")) == {
        "Rep hot",
        "East lead",
        "Near waiting",
        "Far waiting",
    }
    assert names(admin, q(scene="all", city="杭")) == set()
    assert names(admin, q(scene="all", industry="SOFTWARE")) == {"Rep cold"}


def test_tag_and_priority(world):
    admin = world.admin
    assert names(admin, q(scene="all", tag="VIP")) == {"Rep hot"}
    assert names(admin, q(scene="all", priority="low")) == {"Rep cold"}


def test_score_range_is_inclusive_and_leaves_out_unscored_leads(world):
    admin = world.admin
    assert names(admin, q(scene="all", score_min="55", score_max="70")) == {
        "Mate warm",
        "North lead",
        "Near waiting",
        "Far waiting",
    }
    assert names(admin, q(scene="all", score_max="20")) == {"Rep cold"}
    assert names(admin, q(scene="all", score_min="86")) == {"East lead"}
    assert "Rep unscored" not in names(admin, q(scene="all", score_min="0"))


def test_grade_takes_one_or_several_letters(world):
    admin = world.admin
    assert names(admin, q(scene="all", grade="d")) == {"Rep cold"}
    assert names(admin, q(scene="all", grade=["A", "D"], owner=str(world.rep.uuid))) == {
        "Rep hot",
        "Rep cold",
    }


def test_assigned_activity_and_follow_up_days_are_inclusive_in_the_tenants_zone(world):
    admin = world.admin
    assert names(admin, q(scene="all", assigned_from="2025-03-11", assigned_to="2025-03-20")) == {
        "Rep hot",
        "Rep cold",
    }
    assert names(admin, q(scene="all", assigned_to="2025-03-11")) == {"Rep hot"}
    # 2025-04-02 23:59 in Shanghai is still the 2nd there (15:59 UTC).
    assert names(admin, q(scene="all", activity_from="2025-04-02")) == {"Mate warm"}
    assert names(admin, q(scene="all", activity_to="2025-04-01")) == {"Rep hot"}
    assert names(admin, q(scene="all", due_from="2025-04-08", due_to="2025-04-08")) == {"Rep hot"}
    assert names(admin, q(scene="all", due_from="2025-04-09")) == {"Rep cold"}


def test_import_is_the_leads_it_created(world):
    assert names(world.admin, q(scene="all", imported=str(world.upload.uuid))) == {
        "Rep cold",
        "Mate warm",
    }


def test_has_duplicates_is_the_leads_in_a_group_of_the_last_finished_scan(world):
    leads, admin = world.leads, world.admin
    older = _scan([[leads["Rep cold"], leads["East lead"]]])
    Job.objects.filter(pk=older.pk).update(created_at=timezone.now() - timezone.timedelta(days=1))
    _scan([[leads["Rep hot"], leads["Mate warm"]], [leads["North lead"], leads["Far waiting"]]])
    Job.objects.create(kind=DEDUP_SCAN_KIND, status=Job.Status.RUNNING)  # not finished: unread
    assert names(admin, q(scene="all", duplicates="1")) == {
        "Rep hot",
        "Mate warm",
        "North lead",
        "Far waiting",
    }


def test_has_duplicates_follows_the_scan_after_leads_are_marked_different(world):
    leads = world.leads
    job = Job.objects.create(kind=DEDUP_SCAN_KIND, status=Job.Status.RUNNING)
    Lead.objects.filter(pk__in=[leads["Rep hot"].pk, leads["Rep cold"].pk]).update(
        email="same@buyer.example.cn", email_key="same@buyer.example.cn"
    )
    result = dedup_scan.dedup_scan_perform(job=job)  # the scan job's own body
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.DONE, result=result, finished_at=timezone.now()
    )
    assert names(world.rep, q(scene="mine", duplicates="1")) == {"Rep hot", "Rep cold"}
    pair = [leads["Rep hot"], leads["Rep cold"]]
    duplicates_dismiss(leads=pair, actor=world.rep)
    dedup_scan.scan_result_forget([lead.pk for lead in pair])  # what the review page does
    assert names(world.rep, q(scene="mine", duplicates="1")) == set()


def test_the_scan_kind_the_filter_reads_is_the_scans_own():
    assert DEDUP_SCAN_KIND == dedup_scan.KIND


def test_has_duplicates_without_any_scan_finds_nothing_and_says_why(world):
    assert names(world.admin, q(scene="all", duplicates="1")) == set()
    html = tenant_client(world, world.admin).get("/leads/?scene=all&duplicates=1").content
    assert "no duplicate scan has run yet" in html.decode()


# Combined, and never wider than what the reader may see -----------------------------------


def test_filters_combine_with_each_other_and_with_the_scene(world):
    admin, manager = world.admin, world.manager
    query = q(scene="all", source="t-web", grade=["A", "B"], city="杭州")
    assert names(admin, query) == {"Rep hot", "East lead", "Near waiting"}
    query = q(scene="all", team=str(world.team.uuid), campaign=str(world.fair.uuid), score_min=60)
    assert names(admin, query) == {"Rep hot"}
    query = q(scene="subordinates", region="浙江", activity_from="2025-04-02")
    assert names(manager, query) == {"Mate warm"}
    assert names(world.rep, q(scene="mine", source="t-web", grade="B")) == set()


def test_no_filter_shows_a_lead_the_reader_may_not_see(world):
    rep, leads = world.rep, world.leads
    _scan([[leads["Rep hot"], leads["East lead"]]])
    # The rep sees their own leads and what waits in the pool they belong to, nothing else.
    assert names(rep, q(scene="all", owner=str(world.eve.uuid))) == set()
    assert names(rep, q(scene="all", owner="none")) == {"Near waiting"}
    assert names(rep, q(scene="all", team=str(world.east.uuid))) == set()
    assert names(rep, q(scene="all", city="杭州")) == {"Rep hot", "Near waiting"}
    assert names(rep, q(scene="all", duplicates="1")) == {"Rep hot"}
    assert names(rep, q(scene="all", grade="A", source="t-web")) == {"Rep hot"}
    assert names(world.manager, q(scene="all", score_min="86")) == set()  # Eve's is not his
    page = tenant_client(world, rep).get("/leads/", {"scene": "all", "city": "杭州"})
    html = page.content.decode()
    assert "Rep hot" in html
    assert "East lead" not in html
    assert "Far waiting" not in html


# The reference CRM's scenes ---------------------------------------------------------------


def test_awaiting_my_follow_up_is_mine_and_pending_or_following_up(world):
    rep = world.rep
    _lead(rep, "Rep lost", status=LeadStatus.LOST)
    _lead(rep, "Rep nurture", status=LeadStatus.NURTURE)
    assert names(rep, q(scene="follow_up")) == {"Rep hot", "Rep cold"}
    assert names(world.teammate, q(scene="follow_up")) == {"Mate warm"}
    assert names(world.manager, q(scene="follow_up")) == set()  # mine means mine, even to a boss
    assert names(rep, q(scene="follow_up", grade="D")) == {"Rep cold"}


def test_leads_my_subordinates_take_part_in(world):
    cast, leads = world, world.leads
    boss_own = _lead(cast.manager, "Manager's lead")
    lead_member_add(lead=boss_own, user=cast.rep, access="read", actor=cast.manager)
    lead_member_add(lead=leads["Mate warm"], user=cast.rep, access="read", actor=cast.teammate)
    lead_member_add(lead=leads["East lead"], user=cast.rep, access="read", actor=cast.admin)
    lead_member_add(lead=leads["Rep cold"], user=cast.nora, access="read", actor=cast.rep)
    # The rep and the teammate report to the manager; Nora (North) reports to no one. The
    # rep also works on Eve's lead, which the manager may not see: it stays hidden.
    assert names(cast.manager, q(scene="subordinates_participating")) == {
        "Manager's lead",
        "Mate warm",
    }
    assert names(cast.rep, q(scene="subordinates_participating")) == set()  # nobody reports
    narrowed = q(scene="subordinates_participating", grade="B")
    assert names(cast.manager, narrowed) == {"Mate warm"}


def test_the_scene_tabs_name_the_two_scenes_for_whom_they_are_meant(world):
    rep_page = tenant_client(world, world.rep).get("/leads/").content.decode()
    manager_page = tenant_client(world, world.manager).get("/leads/").content.decode()
    assert re.search(
        r'scene=follow_up"[^>]*title="My leads that are Pending or Following up"'
        r"[^>]*>Awaiting my follow-up</a>",
        rep_page,
    )
    assert ">My subordinates participate in</a>" in manager_page
    assert "scene=subordinates_participating" not in rep_page
    zh = tenant_client(world, world.manager).get("/leads/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert ">待我跟进的线索</a>" in zh.content.decode()
    assert ">下属参与的线索</a>" in zh.content.decode()


# In the URL: chips, the panel, notes about bad values ---------------------------------------

CHIP = re.compile(
    r'<a class="chip" href="([^"]*)" hx-get="[^"]*" aria-pressed="true" '
    r'title="Remove this filter">([^<]*) ×</a>'
)


def chips(html: str) -> dict[str, dict[str, list[str]]]:
    return {
        html_lib.unescape(label): dict(QueryDict(html_lib.unescape(href).lstrip("?")).lists())
        for href, label in CHIP.findall(html)
    }


def test_each_value_is_a_chip_whose_link_drops_only_that_value(world):
    rep, mate = world.rep, world.teammate
    params = {
        "scene": "all",
        "owner": [f"{rep.uuid},none", str(mate.uuid)],
        "grade": ["A", "b"],
        "city": "杭州",
        "score_min": "10",
        "score_max": "90",
        "assigned_from": "2025-03-01",
        "activity_to": "2025-04-30",
        "due_from": "2025-04-01",
        "imported": str(world.upload.uuid),
        "campaign": str(world.fair.uuid),
        "page": "2",
    }
    found = chips(tenant_client(world, world.admin).get("/leads/", params).content.decode())
    expected = {
        "Owner: Riley Rep alpha": {"owner": ["none", str(mate.uuid)]},
        "Owner: Nobody": {"owner": [str(rep.uuid), str(mate.uuid)]},
        "Owner: Robin Rep alpha": {"owner": [str(rep.uuid), "none"]},
        "Grade: A": {"grade": ["b"]},
        "Grade: B": {"grade": ["A"]},
        "City: 杭州": {"city": None},
        "Score at least 10": {"score_min": None},
        "Score at most 90": {"score_max": None},
        "Assigned from 2025-03-01": {"assigned_from": None},
        "Last activity until 2025-04-30": {"activity_to": None},
        "Next follow-up from 2025-04-01": {"due_from": None},
        "Import: fair.csv": {"imported": None},
        "Campaign: Spring fair": {"campaign": None},
    }
    assert set(found) == set(expected)
    for label, change in expected.items():
        kept = {
            key: value if isinstance(value, list) else [value]
            for key, value in params.items()
            if key != "page"
        }
        for key, value in change.items():
            if value is None:
                kept.pop(key)
            else:
                kept[key] = value
        assert found[label] == kept, label


def test_the_duplicates_chip_says_which_scan_it_reads(world):
    _scan([[world.leads["Rep hot"], world.leads["Rep cold"]]])
    html = tenant_client(world, world.rep).get("/leads/?duplicates=1").content.decode()
    today = timezone.localtime(timezone.now(), SHANGHAI).date().isoformat()
    assert list(chips(html)) == [f"Has duplicates (scan of {today})"]
    assert "Rep hot" in html
    assert "Rep unscored" not in html


BAD = [
    ("owner", "not-a-uuid", "Owner: “not-a-uuid” is not a value this filter knows"),
    ("team", "12", "Team: “12” is not a value this filter knows"),
    ("campaign", "00000000-0000-0000-0000-000000000000", "Campaign: “00000000-0000-0000-"),
    ("grade", "Z", "Grade: “Z” is not a value this filter knows"),
    ("priority", "sky-high", "Priority: “sky-high” is not a value this filter knows"),
    ("score_min", "-5", "Score from: “-5” is not a score from 0 to 100"),
    ("score_max", "101", "Score up to: “101” is not a score from 0 to 100"),
    ("score_min", "4e1", "Score from: “4e1” is not a score from 0 to 100"),
    ("assigned_from", "2025-02-30", "Assigned from: “2025-02-30” is not a date (YYYY-MM-DD)"),
    ("activity_to", "0024-05-01", "Last activity until: 0024-05-01 is not between the years 1900"),
    ("due_from", "2101-01-01", "Next follow-up from: 2101-01-01 is not between the years"),
    ("created_to", "yesterday", "Created until: “yesterday” is not a date"),
    ("city", "c" * 101, "City: the value is too long"),
    ("status", "bogus", "Status: “bogus” is not a value this filter knows"),
]


@pytest.mark.parametrize(("param", "value", "note"), BAD)
def test_a_bad_value_is_named_in_a_note_and_ignored(world, param, value, note):
    response = tenant_client(world, world.rep).get("/leads/", {param: value})
    assert response.status_code == 200
    html = html_lib.unescape(response.content.decode())
    assert note in html
    assert "Rep hot" in html  # the rest of the list is still shown
    assert "Remove this filter" not in html  # nothing narrows, so no chip claims to


@pytest.mark.parametrize(
    ("params", "note"),
    [
        ({"score_min": "70", "score_max": "30"}, "Score: the range starts after it ends (70 > 30)"),
        (
            {"due_from": "2025-05-02", "due_to": "2025-05-01"},
            "Next follow-up: the range starts after it ends (2025-05-02 > 2025-05-01)",
        ),
    ],
)
def test_a_range_that_starts_after_it_ends_is_named_and_ignored(world, params, note):
    response = tenant_client(world, world.rep).get("/leads/", params)
    html = html_lib.unescape(response.content.decode())
    assert note in html
    assert {"Rep hot", "Rep cold"} <= {name for name in world.leads if name in html}
    assert chips(html) == {}


def test_a_bad_value_leaves_the_good_ones_working(world):
    params = {"scene": "all", "owner": [str(world.rep.uuid), "junk"], "grade": ["A", "Q"]}
    html = html_lib.unescape(
        tenant_client(world, world.admin).get("/leads/", params).content.decode()
    )
    assert "Owner: “junk” is not a value this filter knows" in html
    assert "Grade: “Q” is not a value this filter knows" in html
    assert "Rep hot" in html
    assert "Rep cold" not in html  # grade D
    assert set(chips(html)) == {"Owner: Riley Rep alpha", "Grade: A"}


def test_the_notes_read_in_chinese(world):
    client = tenant_client(world, world.rep)
    page = client.get(
        "/leads/", {"score_min": "x", "due_to": "2025-13-01"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    html = html_lib.unescape(page.content.decode())
    assert page.status_code == 200
    assert "评分下限：“x”不是 0 到 100 之间的评分，已忽略。" in html
    assert "下次跟进日期至：“2025-13-01”不是有效日期（YYYY-MM-DD），已忽略。" in html


def test_more_filters_offers_every_control_with_the_current_values(world):
    params = {
        "scene": "all",
        "owner": [str(world.rep.uuid), "none"],
        "team": str(world.north.uuid),
        "grade": "B",
        "score_min": "40",
        "city": "杭州",
        "activity_from": "2025-04-01",
        "duplicates": "1",
        "imported": str(world.upload.uuid),
        "q": "x",
    }
    html = tenant_client(world, world.admin).get("/leads/", params).content.decode()
    owner = re.search(r'<select [^>]*name="owner" multiple.*?</select>', html, re.S)[0]
    assert '<option value="none" selected>Nobody</option>' in owner
    assert f'<option value="{world.rep.uuid}" selected>Riley Rep alpha</option>' in owner
    assert f'<option value="{world.north.uuid}" selected>North</option>' in html
    assert '<select class="input" id="btn-source-filter" name="source" multiple' in html
    assert f'<option value="{world.fair.uuid}">Spring fair</option>' in html
    assert f'<option value="{world.upload.uuid}" selected>fair.csv (' in html
    assert '<input type="checkbox" name="grade" value="B" checked> B' in html
    assert 'name="score_min" min="0" max="100" step="1" inputmode="numeric" value="40"' in html
    assert 'name="city" value="杭州"' in html
    for prefix in ("created", "assigned", "activity", "due"):
        assert f'name="{prefix}_from" min="1900-01-01" max="2100-12-31"' in html
    assert 'name="activity_from" min="1900-01-01" max="2100-12-31" value="2025-04-01"' in html
    assert '<input type="checkbox" name="duplicates" value="1" checked>' in html
    panel = re.search(r"More filters \((\d+)\) ▾</summary>.*?</details>", html, re.S)
    assert panel[1] == "9"  # two owners, team, grade, score, city, activity, duplicates, import
    assert '<input type="hidden" name="q" value="x">' in panel[0]
    assert '<input type="hidden" name="owner"' not in panel[0]


def test_a_rep_is_not_offered_the_imports(world):
    html = tenant_client(world, world.rep).get("/leads/").content.decode()
    assert 'name="imported"' not in html
    assert 'name="duplicates"' in html


# Saved views -------------------------------------------------------------------------------


def test_a_saved_view_keeps_every_filter_and_shows_the_same_leads(world):
    client = tenant_client(world, world.manager)
    query = (
        f"scene=all&owner={world.rep.uuid}&owner=none&grade=A&grade=D&score_min=10"
        f"&city=%E6%9D%AD%E5%B7%9E&assigned_from=2025-03-01&due_to=2025-12-31&duplicates=1"
        f"&page=2"
    )
    _scan([[world.leads["Rep hot"], world.leads["Mate warm"]]])
    saved = client.post("/leads/views/", {"name": "Hangzhou A", "query": query})
    assert saved.status_code == 302
    with tenant_context(world.tenant):
        view = SavedView.objects.get(user=world.manager, name="Hangzhou A")
    kept = QueryDict(view.query)
    assert kept.getlist("owner") == [str(world.rep.uuid), "none"]
    assert kept.getlist("grade") == ["A", "D"]
    assert "page" not in kept
    with tenant_context(world.tenant):
        assert LeadFilters.from_query(kept) == LeadFilters.from_query(QueryDict(query))
    html = client.get(f"/leads/?{view.query}").content.decode()
    assert "Rep hot" in html
    assert "Rep cold" not in html  # not in the scan
    assert 'aria-current="true">Hangzhou A</a>' in html
    assert "Owner: Nobody" in html


# The pool page ---------------------------------------------------------------------------


def test_the_pool_page_narrows_its_waiting_leads_with_its_own_filters(world):
    near = world.near
    more = _lead(None, "Near cold", actor=world.admin, city="苏州", score=10, grade="D")
    pool_lead_add(pool=near, lead=more, actor=world.admin)
    _scan([[world.leads["Near waiting"], world.leads["Far waiting"]]])
    client = tenant_client(world, world.rep)
    url = reverse("pools-detail", kwargs={"uuid": near.uuid})
    everything = client.get(url).content.decode()
    assert "Near waiting" in everything
    assert "Near cold" in everything
    for params in ({"city": "杭州"}, {"grade": "B"}, {"score_min": "50"}, {"duplicates": "1"}):
        html = client.get(url, params).content.decode()
        assert "Near waiting" in html, params
        assert "Near cold" not in html, params
        assert "Far waiting" not in html, params  # another pool's, the rep's or not
    html = client.get(url, {"grade": "A"}).content.decode()
    assert "No waiting lead matches these filters." in html


def test_the_pool_page_offers_no_owner_team_assigned_or_due_filter(world):
    html = tenant_client(world, world.rep).get(
        reverse("pools-detail", kwargs={"uuid": world.near.uuid})
    )
    page = html.content.decode()
    for name in ('name="owner"', 'name="team"', 'name="assigned_from"', 'name="due_from"'):
        assert name not in page
    for name in ('name="city"', 'name="grade"', 'name="score_min"', 'name="activity_from"'):
        assert name in page
    assert 'name="duplicates"' in page


def test_the_pool_page_names_a_bad_value(world):
    url = reverse("pools-detail", kwargs={"uuid": world.near.uuid})
    response = tenant_client(world, world.rep).get(url, {"score_max": "lots"})
    assert response.status_code == 200
    assert "Score up to: “lots” is not a score" in html_lib.unescape(response.content.decode())


def test_a_pool_the_reader_is_not_in_is_not_found_whatever_the_filters(world):
    url = reverse("pools-detail", kwargs={"uuid": world.far.uuid})
    response = tenant_client(world, world.rep).get(url, {"city": "杭州", "duplicates": "1"})
    assert response.status_code == 404


# The other tenant --------------------------------------------------------------------------


def test_another_tenants_rows_name_nothing_here(world, cast_b):
    with tenant_context(cast_b.tenant):
        _lead(cast_b.rep, "Beta lead", city="杭州", grade="A", score=90)
    # Alpha's people and campaign, named on beta's list by beta's admin: nothing is found,
    # the note says so, and only beta's own leads are listed.
    params = {
        "scene": "all",
        "owner": str(world.rep.uuid),
        "campaign": str(world.fair.uuid),
        "city": "杭州",
    }
    theirs = tenant_client(cast_b, cast_b.admin).get("/leads/", params)
    html = html_lib.unescape(theirs.content.decode())
    assert theirs.status_code == 200
    assert f"Owner: “{world.rep.uuid}” was not found" in html
    assert f"Campaign: “{world.fair.uuid}” was not found" in html
    assert "Beta lead" in html
    assert "Rep hot" not in html
    assert "East lead" not in html
    ours = tenant_client(world, world.admin).get("/leads/", {"scene": "all", "city": "杭州"})
    assert "Beta lead" not in ours.content.decode()
