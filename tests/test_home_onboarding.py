"""The first run and the home page by role: the setup checklist ticks itself from the
workspace's data and can be hidden; sample data loads once and is removed exactly; the home
figures and the list's default scene follow the reader's role."""

from __future__ import annotations

import importlib
import re
import time
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.utils import timezone, translation
from django_tenants.utils import tenant_context

from conversion.services.convert import lead_convert
from leadcrm.accounts.roles import Role
from leadcrm.accounts.services import user_create
from leadcrm.jobs.models import Job
from leadcrm.jobs.tasks import job_run
from leads.exports import export_leads_for
from leads.home import home_figures
from leads.models import (
    Activity,
    ImportJob,
    Lead,
    LeadStatus,
    LossReason,
    SavedView,
    WebForm,
)
from leads.selectors import LeadFilters, lead_list, scene_default_for
from leads.services import lead as lead_services
from leads.services.custom_fields import custom_field_create
from onboarding.errors import SampleDataInUseError
from onboarding.models import ChecklistHidden, SampleData, SampleRecord
from onboarding.sample import PLAN, SAMPLE_LEADS
from onboarding.selectors import SAMPLE_JOB_KIND, checklist_for
from onboarding.services import sample_data_load, sample_data_load_perform, sample_data_remove
from pools.models import AssignmentRule, Pool, PoolEntry, PoolEvent
from pools.services.claim import pool_lead_add
from pools.services.pool import pool_save
from pools.services.rules import rule_save
from tests.conftest import _load_cast, tenant_client

S = LeadStatus


@pytest.fixture(autouse=True)
def _english():
    """Labels and messages are compared in English, whatever an earlier request activated."""
    with translation.override("en"):
        yield


def _html(cast, user, path="/") -> str:
    response = tenant_client(cast, user).get(path)
    assert response.status_code == 200
    return response.content.decode()


def _steps(html: str) -> dict[str, bool]:
    """{step key: done} as the home page shows them."""
    return {
        key: bool(done) for key, done in re.findall(r'<li data-step="(\w+)"( data-done)?>', html)
    }


def _tiles(html: str) -> dict[str, tuple[str, int]]:
    """{tile key: (link, number)} of the home page's figures."""
    found = re.findall(
        r'<a class="card stat stat-link" href="([^"]+)" data-tile="(\w+)">'
        r'<div class="label">[^<]+</div><div class="value[^"]*">(\d+)</div>',
        html,
    )
    return {key: (href.replace("&amp;", "&"), int(value)) for href, key, value in found}


def _lead(owner, name, *, status=None, due_in_days=None, actor=None):
    lead = lead_services.lead_create(actor=actor or owner, owner=owner, name=name)
    if status:
        lead_services.lead_change_status(
            lead=lead,
            to_status=status,
            actor=actor or owner,
            loss_reason=LossReason.objects.first(),
        )
    if due_in_days is not None:
        due = timezone.now() + timedelta(days=due_in_days)
        Lead.objects.filter(pk=lead.pk).update(next_follow_up_at=due)
    return lead


def _pool(cast, name="North China"):
    return pool_save(actor=cast.admin, name=name, admins=[cast.admin], members=[cast.rep])


# The setup checklist -------------------------------------------------------------------------


def test_checklist_ticks_only_the_steps_the_workspace_has_done(cast_a):
    html = _html(cast_a, cast_a.admin)
    # The cast has people and a team, nothing else yet; the fallback pool is not "a pool".
    assert _steps(html) == {
        "workspace": True,
        "invite": True,
        "teams": True,
        "import": False,
        "lead": False,
        "webform": False,
        "pool": False,
        "rule": False,
        "sample": False,
    }
    assert "3 of 8 done" in html
    for url in ("/leads/import/", "/leads/import/template/", "/leads/new/",
                "/settings/leads/web-forms/new/", "/pools/new/", "/pools/rules/new/"):  # fmt: skip
        assert f'href="{url}"' in html


def test_each_step_ticks_itself_when_the_real_thing_exists(in_tenant_a):
    cast = in_tenant_a
    _lead(cast.rep, "Typed In")
    ImportJob.objects.create(created_by=cast.admin, filename="list.xlsx", created=12)
    WebForm.objects.create(name="Contact us")
    pool = _pool(cast)
    rule_save(
        actor=cast.admin,
        name="North to the north pool",
        triggers=["new"],
        conditions=[],
        target_type="pool",
        target_pool=pool,
    )
    checklist = checklist_for(cast.admin)
    assert {s.key for s in checklist.steps if not s.done} == {"sample"}
    assert (checklist.done, checklist.total, checklist.complete) == (8, 8, True)


def test_an_import_that_made_no_lead_does_not_tick_the_import_step(in_tenant_a):
    ImportJob.objects.create(created_by=in_tenant_a.admin, filename="empty.csv", created=0)
    steps = {s.key: s.done for s in checklist_for(in_tenant_a.admin).steps}
    assert steps["import"] is False


def test_sample_data_ticks_no_setup_step_but_its_own(in_tenant_a):
    sample_data_load(actor=in_tenant_a.admin)
    steps = {s.key: s.done for s in checklist_for(in_tenant_a.admin).steps}
    assert steps["sample"] is True
    assert (steps["lead"], steps["pool"], steps["rule"], steps["import"]) == (False,) * 4


def test_hiding_the_checklist_hides_it_for_that_admin_until_shown_again(cast_a):
    with tenant_context(cast_a.tenant):
        second_admin = user_create(
            email="admin2@alpha.example.com", full_name="Ada Admin", roles=[Role.TENANT_ADMIN]
        )
    client = tenant_client(cast_a, cast_a.admin)
    response = client.post("/onboarding/checklist/hide/")
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert 'id="getting-started"' not in html
    assert "Show the setup checklist" in html
    assert 'id="getting-started"' in _html(cast_a, second_admin)  # the other admin decides
    client.post("/onboarding/checklist/show/")
    assert 'id="getting-started"' in client.get("/").content.decode()
    with tenant_context(cast_a.tenant):
        assert not ChecklistHidden.objects.exists()


@pytest.mark.parametrize("who", ["rep", "manager", "pool_admin"])
def test_only_tenant_admins_get_the_checklist_and_its_actions(cast_a, who):
    user = getattr(cast_a, who)
    html = _html(cast_a, user)
    assert 'id="getting-started"' not in html
    assert "Load sample data" not in html
    client = tenant_client(cast_a, user)
    for path in ("/onboarding/checklist/hide/", "/onboarding/checklist/show/"):
        assert client.post(path).status_code == 403
    assert client.get("/onboarding/sample/").status_code == 403
    with tenant_context(cast_a.tenant):
        assert not ChecklistHidden.objects.exists()


# Sample data ---------------------------------------------------------------------------------


def test_sample_data_loads_sixty_leads_a_pool_and_a_rule_and_a_second_load_adds_nothing(
    in_tenant_a,
):
    cast = in_tenant_a
    loaded = sample_data_load(actor=cast.admin)
    assert (loaded.created, loaded.leads) == (True, SAMPLE_LEADS) == (True, 60)
    leads = Lead.objects.all()
    assert leads.count() == 60
    statuses = dict(PLAN)
    for status, count in statuses.items():
        assert leads.filter(status=status).count() == count, status
    assert not leads.filter(status=S.LOST, loss_reason__isnull=True).exists()
    assert Activity.objects.filter(lead__in=leads).count() >= 40
    assert leads.filter(created_at__lt=timezone.now() - timedelta(days=14)).exists()
    pool = Pool.objects.get(name="Sample pool")
    rule = AssignmentRule.objects.get(target_pool=pool)
    waiting = PoolEntry.objects.filter(pool=pool, lead__owner__isnull=True)
    assert waiting.count() == statuses[S.UNASSIGNED]
    assert set(leads.exclude(owner=None).values_list("owner", flat=True)) == {cast.admin.pk}
    assert all("sample" in lead.tags for lead in leads)
    assert list(pool.members.all()) == [cast.admin]  # reps never see the sample
    assert SampleRecord.objects.filter(lead__isnull=False).count() == 60
    assert SampleRecord.objects.filter(pool=pool).exists()
    assert SampleRecord.objects.filter(rule=rule).exists()

    again = sample_data_load(actor=cast.admin)
    assert again.created is False
    assert Lead.objects.count() == 60
    assert Pool.objects.filter(name__startswith="Sample pool").count() == 1
    assert SampleRecord.objects.count() == 62


def test_the_load_button_queues_one_job_whose_body_loads_the_sample_once(cast_a):
    client = tenant_client(cast_a, cast_a.admin)
    first = client.post("/onboarding/sample/load/")
    second = client.post("/onboarding/sample/load/")  # clicked twice: the same job
    assert (first.status_code, second.status_code) == (302, 302)
    with tenant_context(cast_a.tenant):
        job = Job.objects.get(kind=SAMPLE_JOB_KIND)
        assert (job.status, job.created_by, job.params) == (
            "queued",
            cast_a.admin,
            {"language": "en"},
        )
    assert "Waiting for a worker" in client.get("/").content.decode()
    with tenant_context(cast_a.tenant):
        job_run(job.pk, lambda job: sample_data_load_perform(job=job))
        job.refresh_from_db()
        assert (job.status, job.result) == ("done", {"created": True, "leads": 60})
    html = client.get("/").content.decode()
    assert "The sample data is loaded: 60 leads" in html
    assert 'href="/leads/?scene=all&amp;tag=sample"' in html
    follow = client.post("/onboarding/sample/load/", follow=True).content.decode()
    assert "The sample data is already loaded." in follow
    with tenant_context(cast_a.tenant):
        assert Job.objects.filter(kind=SAMPLE_JOB_KIND).count() == 1
        assert Lead.objects.count() == 60


def test_a_load_the_workspace_refuses_fails_the_job_with_the_reason_and_loads_nothing(cast_a):
    with tenant_context(cast_a.tenant):
        custom_field_create(
            actor=cast_a.admin, key="tier", label="Tier", field_type="choice",
            choices=["A", "B"], required=True,
        )  # fmt: skip
    client = tenant_client(cast_a, cast_a.admin)
    client.post("/onboarding/sample/load/")
    with tenant_context(cast_a.tenant):
        job = Job.objects.get(kind=SAMPLE_JOB_KIND)
        job_run(job.pk, lambda job: sample_data_load_perform(job=job))
        job.refresh_from_db()
        assert job.status == "failed"
        assert job.error.startswith("The sample data could not be loaded: ")
        assert "Tier" in job.error
        assert not Lead.objects.exists()
        assert not Pool.objects.filter(name="Sample pool").exists()
    html = client.get("/").content.decode()
    assert "The sample data could not be loaded" in html
    assert "Load sample data" in html  # it may be tried again


def test_the_load_job_keeps_the_language_the_admin_asked_in(cast_a):
    client = tenant_client(cast_a, cast_a.admin)
    client.post("/accounts/language/", {"language": "zh-hans", "next": "/"})
    client.post("/onboarding/sample/load/")
    with tenant_context(cast_a.tenant):
        assert Job.objects.get(kind=SAMPLE_JOB_KIND).params == {"language": "zh-hans"}


def test_the_sample_region_polls_while_the_load_runs_then_reloads_the_page(cast_a):
    client = tenant_client(cast_a, cast_a.admin)
    response = client.post("/onboarding/sample/load/", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="sample-data"')
    assert 'hx-get="/onboarding/sample/?after=load"' in html
    assert "<html" not in html
    poll = client.get("/onboarding/sample/?after=load", headers={"HX-Request": "true"})
    assert "HX-Refresh" not in poll.headers  # still loading: keep polling
    with tenant_context(cast_a.tenant):
        job = Job.objects.get(kind=SAMPLE_JOB_KIND)
        job_run(job.pk, lambda job: sample_data_load_perform(job=job))
    done = client.get("/onboarding/sample/?after=load", headers={"HX-Request": "true"})
    assert done.headers["HX-Refresh"] == "true"  # the figures and checklist change too
    assert "hx-get" not in done.content.decode()


def test_removing_the_sample_deletes_exactly_it_and_keeps_what_people_made(in_tenant_a):
    cast = in_tenant_a
    own = _lead(cast.rep, "Real Customer Ltd")
    lead_services.activity_log(lead=own, actor=cast.rep, kind="call", outcome="connected")
    own_pool = _pool(cast)
    own_rule = rule_save(
        actor=cast.admin,
        name="Everything to the north pool",
        triggers=["new"],
        conditions=[],
        target_type="pool",
        target_pool=own_pool,
    )
    sample_data_load(actor=cast.admin)
    sample_ids = set(SampleRecord.objects.exclude(lead=None).values_list("lead_id", flat=True))
    sample_pool = Pool.objects.get(name="Sample pool")
    sample_rule = AssignmentRule.objects.exclude(pk=own_rule.pk).get()
    history_before = Lead.history.filter(id=own.pk).count()

    removed = sample_data_remove(actor=cast.admin)

    assert (removed.leads, removed.pools, removed.rules, removed.kept_pools) == (60, 1, 1, ())
    assert list(Lead.objects.values_list("pk", flat=True)) == [own.pk]
    assert Activity.objects.filter(lead=own).count() == 1
    assert not Activity.objects.filter(lead_id__in=sample_ids).exists()
    assert not Lead.history.filter(id__in=sample_ids).exists()
    assert Lead.history.filter(id=own.pk).count() == history_before
    assert not PoolEntry.objects.filter(lead_id__in=sample_ids).exists()
    assert not PoolEvent.objects.filter(lead_id__in=sample_ids).exists()
    assert not Pool.objects.filter(pk=sample_pool.pk).exists()
    assert not Pool.history.filter(id=sample_pool.pk).exists()
    assert not AssignmentRule.history.filter(id=sample_rule.pk).exists()
    assert set(Pool.objects.values_list("pk", flat=True)) == {
        own_pool.pk,
        Pool.objects.get(is_fallback=True).pk,
    }
    assert list(AssignmentRule.objects.all()) == [own_rule]
    assert not SampleRecord.objects.exists()
    assert SampleData.objects.get().loaded_at is None
    # It may be loaded again, and removing twice is harmless.
    assert sample_data_remove(actor=cast.admin).leads == 0
    assert sample_data_load(actor=cast.admin).created is True


def test_the_remove_button_removes_the_sample_and_says_so(cast_a):
    with tenant_context(cast_a.tenant):
        sample_data_load(actor=cast_a.admin)
        own = _lead(cast_a.rep, "Kept Lead")
    client = tenant_client(cast_a, cast_a.admin)
    html = client.post("/onboarding/sample/remove/", follow=True).content.decode()
    assert "Sample data removed: 60 leads with their activities and history." in html
    assert "Load sample data" in html
    with tenant_context(cast_a.tenant):
        assert list(Lead.objects.all()) == [own]


def test_a_sample_pool_holding_a_lead_of_ones_own_is_kept(in_tenant_a):
    cast = in_tenant_a
    sample_data_load(actor=cast.admin)
    pool = Pool.objects.get(name="Sample pool")
    own = lead_services.lead_create(actor=cast.admin, name="Walk-in Visitor")
    pool_lead_add(pool=pool, lead=own, actor=cast.admin)

    removed = sample_data_remove(actor=cast.admin)

    assert removed.kept_pools == ("Sample pool",)
    assert removed.leads == 60
    assert PoolEntry.objects.get(lead=own).pool == pool
    assert list(Lead.objects.all()) == [own]
    assert not AssignmentRule.objects.exists()
    assert not SampleRecord.objects.exists()  # the pool is theirs now: the pool step ticks
    assert {s.key: s.done for s in checklist_for(cast.admin).steps}["pool"] is True


def test_removal_is_refused_whole_while_a_sample_lead_lives_on_as_a_customer(in_tenant_a):
    cast = in_tenant_a
    sample_data_load(actor=cast.admin)
    qualified = Lead.objects.filter(status=S.QUALIFIED).first()
    lead_convert(lead=qualified, actor=cast.admin)
    with pytest.raises(SampleDataInUseError, match=qualified.name):
        sample_data_remove(actor=cast.admin)
    assert Lead.objects.count() == 60
    assert SampleRecord.objects.count() == 62
    assert SampleData.objects.get().loaded_at is not None


@pytest.mark.parametrize("who", ["rep", "manager", "pool_admin"])
def test_only_tenant_admins_may_load_or_remove_sample_data(cast_a, who):
    user = getattr(cast_a, who)
    client = tenant_client(cast_a, user)
    assert client.post("/onboarding/sample/load/").status_code == 403
    with tenant_context(cast_a.tenant):
        sample_data_load(actor=cast_a.admin)
    assert client.post("/onboarding/sample/remove/").status_code == 403
    with tenant_context(cast_a.tenant):
        assert Lead.objects.count() == 60
        assert not Job.objects.filter(kind=SAMPLE_JOB_KIND).exists()
        with pytest.raises(PermissionDenied):
            sample_data_remove(actor=user)


def test_loading_and_removing_in_one_tenant_leaves_the_other_untouched(cast_a, cast_b):
    with tenant_context(cast_b.tenant):
        theirs = _lead(cast_b.rep, "Beta Lead")
    with tenant_context(cast_a.tenant):
        sample_data_load(actor=cast_a.admin)
    with tenant_context(cast_b.tenant):
        assert list(Lead.objects.all()) == [theirs]
        assert not SampleRecord.objects.exists()
        assert not Pool.objects.filter(name="Sample pool").exists()
    html_b = _html(cast_b, cast_b.admin)
    assert "The sample data is loaded" not in html_b
    assert "Load sample data" in html_b
    # Beta's admin removing "the sample" removes nothing in either tenant.
    tenant_client(cast_b, cast_b.admin).post("/onboarding/sample/remove/")
    with tenant_context(cast_a.tenant):
        assert Lead.objects.count() == 60
    with tenant_context(cast_b.tenant):
        assert list(Lead.objects.all()) == [theirs]


@pytest.fixture
def committed_sample(committed_db):
    """Tenant alpha as committed data for the worker; its sample and jobs removed afterwards."""
    cast = _load_cast("alpha")
    with tenant_context(cast.tenant):
        assert not Lead.objects.exists()
    yield cast
    with tenant_context(cast.tenant):
        for _attempt in range(50):  # scoring and routing tasks of the sample may still run
            try:
                sample_data_remove(actor=cast.admin)
                break
            except Exception:
                time.sleep(0.2)
        Job.objects.filter(kind=SAMPLE_JOB_KIND).delete()
        SampleData.objects.all().delete()
        assert not Lead.objects.exists()


@pytest.mark.worker
def test_the_worker_loads_the_sample_data_the_button_asked_for(celery_worker, committed_sample):
    cast = committed_sample
    client = tenant_client(cast, cast.admin)
    assert client.post("/onboarding/sample/load/").status_code == 302
    with tenant_context(cast.tenant):
        job = Job.objects.get(kind=SAMPLE_JOB_KIND)
        deadline = time.monotonic() + 120
        while job.is_active and time.monotonic() < deadline:
            time.sleep(0.3)
            job.refresh_from_db()
        assert (job.status, job.result) == ("done", {"created": True, "leads": 60})
        assert Lead.objects.count() == 60
    assert (
        "The sample data is loaded: 60 leads" in client.get("/onboarding/sample/").content.decode()
    )


# Home by role --------------------------------------------------------------------------------


def _list_count(user, href: str) -> int:
    query = QueryDict(href.split("?", 1)[1])
    return lead_list(user=user, filters=LeadFilters.from_query(query, user=user)).count()


@pytest.fixture
def team_leads(cast_a):
    """Leads of the manager's team, of someone outside it, and waiting in the manager's pool."""
    with tenant_context(cast_a.tenant):
        outsider = user_create(
            email="solo@alpha.example.com", full_name="Sol Outsider", roles=[Role.SALES_REP]
        )
        _lead(cast_a.rep, "Rep Fresh")
        _lead(cast_a.rep, "Rep Overdue", status=S.FOLLOWING_UP, due_in_days=-2)
        _lead(cast_a.teammate, "Mate Working", status=S.FOLLOWING_UP, due_in_days=3)
        old = _lead(cast_a.teammate, "Mate Old")
        Lead.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=30))
        _lead(cast_a.teammate, "Mate Lost", status=S.LOST, due_in_days=-5)
        _lead(outsider, "Outsider Overdue", status=S.FOLLOWING_UP, due_in_days=-1)
        pool = pool_save(actor=cast_a.admin, name="Team pool", admins=[], members=[cast_a.manager])
        waiting = lead_services.lead_create(actor=cast_a.admin, name="Pool Waiting")
        pool_lead_add(pool=pool, lead=waiting, actor=cast_a.admin)
        lead_services.lead_create(actor=cast_a.admin, name="Nobody's Lead")  # no pool
    return cast_a


def test_a_rep_keeps_the_personal_tiles(team_leads):
    cast = team_leads
    html = _html(cast, cast.rep)
    tiles = _tiles(html)
    assert tiles == {
        "open": ("/leads/?scene=mine", 2),
        "overdue": ("/tasks/#tasks-overdue", 1),  # what is due: as My tasks counts it
        "due_today": ("/tasks/#tasks-today", 0),
        "pending": ("/leads/?scene=mine&status=pending", 1),
    }
    assert "My open leads" in html
    assert 'id="getting-started"' not in html


def test_a_manager_sees_the_figures_of_their_team_each_as_its_list_shows_them(team_leads):
    cast = team_leads
    html = _html(cast, cast.manager)
    tiles = _tiles(html)
    assert 'data-scope="team"' in html
    assert "Waiting in your pools" in html
    assert "My open leads" not in html  # a manager who does not sell
    assert {key: value for key, (_href, value) in tiles.items()} == {
        "open": 4,  # Rep Fresh, Rep Overdue, Mate Working, Mate Old (not Lost, not the outsider)
        "overdue": 1,  # Rep Overdue (Lost is closed; the outsider is not in the team)
        "unassigned": 1,  # Pool Waiting, in a pool the manager belongs to
        "new_this_week": 5,
    }
    with tenant_context(cast.tenant):
        for key, (href, value) in tiles.items():
            if key != "open":  # the list has no "open" filter: that tile opens the scene
                assert _list_count(cast.manager, href) == value, key
        assert tiles["open"][0] == "/leads/?scene=all"
        assert tiles["overdue"][0] == "/leads/?scene=all&overdue=1"


def test_a_tenant_admin_sees_the_whole_workspace(team_leads):
    cast = team_leads
    html = _html(cast, cast.admin)
    tiles = _tiles(html)
    assert 'data-scope="workspace"' in html
    assert {key: value for key, (_href, value) in tiles.items()} == {
        "open": 5,
        "overdue": 2,
        "unassigned": 2,  # waiting in a pool or in none
        "new_this_week": 7,
    }
    with tenant_context(cast.tenant):
        for key, (href, value) in tiles.items():
            if key != "open":
                assert _list_count(cast.admin, href) == value, key


def test_a_manager_who_also_sells_sees_their_own_workload_too(team_leads):
    cast = team_leads
    with tenant_context(cast.tenant):
        cast.manager.roles = [Role.MANAGER, Role.SALES_REP]
        cast.manager.save()
        _lead(cast.manager, "Own Deal")
        figures = home_figures(cast.manager)
    assert figures.scope == "team"
    assert {t.key: t.value for t in figures.mine} == {
        "open": 1,
        "overdue": 0,
        "due_today": 0,
        "pending": 1,
    }
    html = _html(cast, cast.manager)
    assert 'data-tile="mine-open"' in html
    assert "My open leads" in html
    assert 'data-tile="mine-open"' not in _html(cast, cast.admin)  # the admin does not sell


def test_home_figures_of_another_tenant_count_none_of_these_leads(team_leads, cast_b):
    html = _html(cast_b, cast_b.admin)
    assert {key: value for key, (_h, value) in _tiles(html).items()} == {
        "open": 0,
        "overdue": 0,
        "unassigned": 0,
        "new_this_week": 0,
    }
    with tenant_context(cast_b.tenant):
        assert home_figures(cast_b.manager).scope == "team"


# The list's default scene --------------------------------------------------------------------


def test_the_default_scene_follows_the_role(in_tenant_a):
    cast = in_tenant_a
    assert scene_default_for(cast.rep) == "mine"
    assert scene_default_for(cast.pool_admin) == "mine"
    assert scene_default_for(cast.manager) == "all"
    assert scene_default_for(cast.admin) == "all"
    both = user_create(
        email="lead.rep@alpha.example.com",
        full_name="Lee Both",
        roles=[Role.MANAGER, Role.SALES_REP],
    )
    assert scene_default_for(both) == "all"
    assert LeadFilters.from_query({}, user=cast.manager).scene == "all"
    assert LeadFilters.from_query({"scene": "bogus"}, user=cast.admin).scene == "all"
    assert LeadFilters.from_query({"scene": "mine"}, user=cast.admin).scene == "mine"
    assert LeadFilters.from_query({}).scene == "mine"  # no reader: as before


def test_the_list_opens_on_the_role_scene_and_an_explicit_scene_still_wins(team_leads):
    cast = team_leads
    manager_list = _html(cast, cast.manager, "/leads/")
    assert "Mate Working" in manager_list
    assert "Outsider Overdue" not in manager_list
    assert re.search(r'scene=all"[^>]*aria-current="page"', manager_list)
    assert "Mate Working" not in _html(cast, cast.manager, "/leads/?scene=mine")
    assert "Outsider Overdue" in _html(cast, cast.admin, "/leads/")
    rep_list = _html(cast, cast.rep, "/leads/")
    assert "Rep Fresh" in rep_list
    assert "Mate Working" not in rep_list
    assert re.search(r'scene=mine"[^>]*aria-current="page"', rep_list)


def test_an_export_without_a_scene_holds_what_the_list_showed(team_leads):
    cast = team_leads
    with tenant_context(cast.tenant):
        names = set(
            export_leads_for(user=cast.manager, query=QueryDict("")).values_list("name", flat=True)
        )
    assert {"Rep Fresh", "Mate Working"} <= names
    assert "Outsider Overdue" not in names


def test_saved_views_of_admins_and_managers_keep_showing_my_leads(in_tenant_a):
    cast = in_tenant_a
    manager_view = SavedView.objects.create(user=cast.manager, name="New", query="status=new")
    admin_view = SavedView.objects.create(user=cast.admin, name="Hot", query="hot=1&scene=bogus")
    scened = SavedView.objects.create(user=cast.manager, name="Team", query="scene=subordinates")
    rep_view = SavedView.objects.create(user=cast.rep, name="New", query="status=new")
    migration = importlib.import_module("leads.migrations.0029_saved_views_keep_their_scene")

    migration.pin_scene(django_apps, None)

    def query(view):
        view.refresh_from_db()
        return view.query

    assert query(manager_view) == "scene=mine&status=new"
    assert query(admin_view) == "hot=1&scene=mine"
    assert query(scened) == "scene=subordinates"
    assert query(rep_view) == "status=new"  # a rep's default is still "mine"
    assert LeadFilters.from_query(QueryDict(query(manager_view)), user=cast.manager).scene == (
        "mine"
    )
