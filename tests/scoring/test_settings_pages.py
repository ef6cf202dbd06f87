"""Settings → Scoring: thresholds, dimensions and rules (tenant admins only, every refusal says
why), "test a lead" with draft settings (nothing saved), and the one rescore-all job a change
starts."""

import time

import pytest
from django.urls import reverse
from django_tenants.utils import tenant_context

from leadcrm.jobs.models import Job
from leadcrm.jobs.tasks import job_run
from leads.models import Lead, LeadSettings, LeadStatus, SourceChannel
from leads.services import lead as lead_services
from scoring import tasks
from scoring.configuration import (
    RESCORE_KIND,
    ScoringConfigError,
    dimension_add,
    rescore_all_run,
    rescore_all_start,
    rule_add,
    rule_draft_clean,
    scoring_settings_save,
)
from scoring.models import Dimension, LeadScore, ScoringRule, ScoringSettings
from scoring.services import score_recompute
from tests.conftest import _load_cast, tenant_client

PAGE = "/settings/scoring/"


def _lead(cast, **fields):
    values = {
        "name": "王小明",
        "company": "上海云启智能科技有限公司",
        "job_title": "采购总监",
        "email": "xm.wang@yunqi.example",
        "notes": "急需报价：200 套，请尽快联系",
        "source": SourceChannel.objects.get(code="website"),
    } | fields
    return lead_services.lead_create(actor=cast.admin, owner=cast.rep, **values)


def _dimension(name="Demographic") -> Dimension:
    return Dimension.objects.get(name=name)


def _rescore_jobs():
    return Job.objects.filter(kind=RESCORE_KIND)


def _rule_post(dimension, **values):
    return {
        "dimension": str(dimension.uuid),
        "name": "Asks for a brochure",
        "kind": "keyword",
        "words": "brochure\n宣传册",
        "points": "6",
        "is_active": "on",
    } | values


# Who may


def test_scoring_settings_are_for_tenant_admins_only(cast_a):
    with tenant_context(cast_a.tenant):
        rule = ScoringRule.objects.first()
        dimension = _dimension()
    gets = [PAGE, f"{PAGE}test/?q=王", f"{PAGE}rules/add/", f"{PAGE}rules/{rule.uuid}/"]
    posts = [
        f"{PAGE}thresholds/",
        f"{PAGE}dimensions/add/",
        f"{PAGE}dimensions/{dimension.uuid}/",
        f"{PAGE}dimensions/{dimension.uuid}/delete/",
        f"{PAGE}rules/add/",
        f"{PAGE}rules/{rule.uuid}/",
        f"{PAGE}rules/{rule.uuid}/delete/",
        f"{PAGE}rules/{rule.uuid}/move/",
    ]
    for user in (cast_a.manager, cast_a.rep, cast_a.pool_admin):
        client = tenant_client(cast_a, user)
        for url in gets:
            assert client.get(url).status_code == 403, url
        for url in posts:
            assert client.post(url, {"name": "x", "cap": "5"}).status_code == 403, url
    with tenant_context(cast_a.tenant):
        assert ScoringRule.objects.filter(pk=rule.pk).exists()
        assert not Dimension.objects.filter(name="x").exists()
        assert not _rescore_jobs().exists()
    assert tenant_client(cast_a).get(PAGE).status_code == 302  # to the login page


def test_another_tenants_rule_is_not_found(cast_a, cast_b):
    with tenant_context(cast_a.tenant):
        rule = ScoringRule.objects.first()
    client = tenant_client(cast_b, cast_b.admin)
    assert client.get(f"{PAGE}rules/{rule.uuid}/").status_code == 404
    assert client.post(f"{PAGE}rules/{rule.uuid}/delete/").status_code == 404
    with tenant_context(cast_a.tenant):
        assert ScoringRule.objects.filter(pk=rule.pk).exists()


def test_the_services_refuse_a_non_admin(in_tenant_a):
    with pytest.raises(ScoringConfigError, match="Only tenant admins"):
        dimension_add(actor=in_tenant_a.rep, name="Intent", cap=20)
    with pytest.raises(ScoringConfigError):
        scoring_settings_save(
            actor=in_tenant_a.manager, hot_score=80, warm_score=40, half_life_days=30
        )


# The page


def test_the_page_shows_grades_dimensions_and_rules_with_readable_summaries(cast_a):
    response = tenant_client(cast_a, cast_a.admin).get(PAGE)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="hot_score" min="1" max="100" step="1" required value="70"' in html
    for text in ("Demographic", "Behavioural", "Firmographic", "Meeting held", "Job title"):
        assert text in html
    assert "Mentions 报价, 价格" in html  # a keyword rule's summary
    assert 'href="/settings/scoring/"' in html
    assert "Scoring</a>" in html  # the settings tab


# Thresholds


def test_admin_saves_the_thresholds_and_hot_is_the_lists_setting(cast_a):
    client = tenant_client(cast_a, cast_a.admin)
    response = client.post(
        f"{PAGE}thresholds/", {"hot_score": "80", "warm_score": "40", "half_life_days": "14"}
    )
    assert response.status_code == 302
    with tenant_context(cast_a.tenant):
        assert (LeadSettings.load().hot_score, LeadSettings.load().warm_score) == (80, 40)
        assert ScoringSettings.load().half_life_days == 14
        assert _rescore_jobs().count() == 1


def test_thresholds_saved_here_are_the_bands_of_the_lists_score_meters(cast_a):
    with tenant_context(cast_a.tenant):
        lead = lead_services.lead_create(actor=cast_a.admin, owner=cast_a.admin, name="Band Lead")
    client = tenant_client(cast_a, cast_a.admin)
    client.post(
        f"{PAGE}thresholds/", {"hot_score": "80", "warm_score": "50", "half_life_days": "30"}
    )
    with tenant_context(cast_a.tenant):
        Lead.objects.filter(pk=lead.pk).update(score=82)  # the rescore job runs in a worker
    assert 'required value="50"' in client.get(PAGE).content.decode()  # the page edits both
    listing = client.get(reverse("leads-index")).content.decode()
    assert 'low="50" high="80" optimum="100" value="82" title="Hot · 82"' in listing


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"hot_score": "40", "warm_score": "40"}, "Hot must be above Warm"),
        ({"hot_score": "101"}, "Hot: a score from 1 to 100."),
        ({"warm_score": "0"}, "Warm: a score from 1 to 100."),
        ({"half_life_days": "many"}, "Half-life: a whole number of days"),
    ],
)
def test_thresholds_out_of_range_are_refused_with_the_reason(cast_a, values, reason):
    client = tenant_client(cast_a, cast_a.admin)
    posted = {"hot_score": "70", "warm_score": "31", "half_life_days": "30"} | values
    response = client.post(f"{PAGE}thresholds/", posted, follow=True)
    assert reason in response.content.decode()
    with tenant_context(cast_a.tenant):
        assert LeadSettings.load().hot_score == 70
        assert LeadSettings.load().warm_score == 31
        assert not _rescore_jobs().exists()


# Dimensions


def test_admin_adds_renames_and_deletes_a_dimension(cast_a):
    client = tenant_client(cast_a, cast_a.admin)
    client.post(f"{PAGE}dimensions/add/", {"name": "Intent", "cap": "15"})
    with tenant_context(cast_a.tenant):
        intent = _dimension("Intent")
        assert (intent.cap, intent.decays) == (15, False)
    response = client.post(
        f"{PAGE}dimensions/{intent.uuid}/",
        {"name": "Buying intent", "cap": "25", "decays": "on"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert 'id="scoring-config"' in response.content.decode()
    with tenant_context(cast_a.tenant):
        intent.refresh_from_db()
        assert (intent.name, intent.cap, intent.decays) == ("Buying intent", 25, True)
    client.post(f"{PAGE}dimensions/{intent.uuid}/delete/")
    with tenant_context(cast_a.tenant):
        assert not Dimension.objects.filter(pk=intent.pk).exists()


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"name": " "}, "Enter a name."),
        ({"cap": "0"}, "The cap is a whole number from 1 to 100."),
        ({"cap": "101"}, "The cap is a whole number from 1 to 100."),
        ({"name": "behavioural"}, "behavioural is already a dimension."),
    ],
)
def test_a_bad_dimension_is_refused_with_the_reason(cast_a, values, reason):
    client = tenant_client(cast_a, cast_a.admin)
    posted = {"name": "Intent", "cap": "10"} | values
    response = client.post(f"{PAGE}dimensions/add/", posted, HTTP_HX_REQUEST="true")
    assert reason in response.content.decode()
    with tenant_context(cast_a.tenant):
        assert Dimension.objects.count() == 3


def test_a_dimension_with_rules_is_not_deleted(cast_a):
    with tenant_context(cast_a.tenant):
        demographic = _dimension()
        count = demographic.rules.count()
    response = tenant_client(cast_a, cast_a.admin).post(
        f"{PAGE}dimensions/{demographic.uuid}/delete/", follow=True
    )
    assert f"Demographic still has {count} rules" in response.content.decode()
    with tenant_context(cast_a.tenant):
        assert Dimension.objects.filter(pk=demographic.pk).exists()


# Rules


def test_admin_adds_edits_moves_and_deletes_a_rule(cast_a):
    client = tenant_client(cast_a, cast_a.admin)
    with tenant_context(cast_a.tenant):
        behavioural = _dimension("Behavioural")
    response = client.post(f"{PAGE}rules/add/", _rule_post(behavioural))
    assert response.status_code == 302
    with tenant_context(cast_a.tenant):
        rule = ScoringRule.objects.get(name="Asks for a brochure")
        assert (rule.kind, rule.config, rule.points) == (
            "keyword",
            {"words": ["brochure", "宣传册"]},
            6,
        )
        assert rule.position == behavioural.rules.order_by("-position")[0].position
    client.post(
        f"{PAGE}rules/{rule.uuid}/",
        _rule_post(
            behavioural,
            kind="field",
            name="Large order",
            points="9",
            cond_group=["1", "1"],
            cond_field=["notes", "cf:none"][:1],
            cond_op=["contains"],
            cond_value=["200 套"],
        ),
    )
    with tenant_context(cast_a.tenant):
        rule.refresh_from_db()
        assert rule.config == {
            "conditions": [[{"field": "notes", "op": "contains", "value": "200 套"}]]
        }
        above = behavioural.rules.exclude(pk=rule.pk).order_by("-position")[0]
    client.post(f"{PAGE}rules/{rule.uuid}/move/", {"direction": "up"}, HTTP_HX_REQUEST="true")
    with tenant_context(cast_a.tenant):
        rule.refresh_from_db()
        above.refresh_from_db()
        assert rule.position < above.position
    client.post(f"{PAGE}rules/{rule.uuid}/delete/")
    with tenant_context(cast_a.tenant):
        assert not ScoringRule.objects.filter(pk=rule.pk).exists()
        assert _rescore_jobs().count() == 1  # four changes, one job


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"name": ""}, "Enter a name."),
        ({"points": "0"}, "give or take at least one point"),
        ({"points": "500"}, "Points: a whole number from -100 to 100."),
        ({"words": "  \n "}, "List at least one word or phrase, one per line."),
        ({"kind": "source", "codes": ["carrier_pigeon"]}, "carrier_pigeon is not one of the"),
        ({"kind": "source"}, "Choose at least one source."),
        ({"kind": "activity", "activity": "fax"}, "Choose a kind of activity."),
        (
            {"kind": "activity", "activity": "email", "outcome": "connected"},
            "Only calls have an outcome",
        ),
        ({"kind": "activity", "activity": "call", "min": "3", "max": "2"}, "no smaller than"),
        ({"kind": "negative", "points": "-5", "words": ""}, "List email domains or words"),
        ({"kind": "negative", "email_domains": "not a domain", "points": "-5"}, "is not an email"),
        ({"kind": "negative", "words": "student", "points": "5"}, "takes points away"),
        (
            {
                "kind": "field",
                "cond_group": "1",
                "cond_field": "nope",
                "cond_op": "eq",
                "cond_value": "x",
            },
            "Unknown field in a condition: nope.",
        ),
        (
            {
                "kind": "field",
                "cond_group": "1",
                "cond_field": "company_size",
                "cond_op": "contains",
                "cond_value": "x",
            },
            "cannot be used with Company size",
        ),
        (
            {
                "kind": "field",
                "cond_group": "1",
                "cond_field": "job_title",
                "cond_op": "eq",
                "cond_value": "",
            },
            "Give a value for Job title.",
        ),
        ({"kind": "field"}, "Add at least one condition"),
    ],
)
def test_a_bad_rule_is_refused_with_the_reason_and_nothing_changes(cast_a, values, reason):
    with tenant_context(cast_a.tenant):
        count = ScoringRule.objects.count()
        dimension = _dimension()
    response = tenant_client(cast_a, cast_a.admin).post(
        f"{PAGE}rules/add/", _rule_post(dimension, **values)
    )
    assert response.status_code == 422
    assert reason in response.content.decode()
    with tenant_context(cast_a.tenant):
        assert ScoringRule.objects.count() == count
        assert not _rescore_jobs().exists()


def test_the_editor_of_each_kind_shows_the_rule(cast_a):
    client = tenant_client(cast_a, cast_a.admin)
    with tenant_context(cast_a.tenant):
        rules = {r.kind: r for r in ScoringRule.objects.order_by("-position")}  # the first of each
    expected = {
        "field": 'value="CEO"',
        "keyword": "报价\n价格",
        "source": 'value="website" checked',
        "activity": 'value="connected" selected',
        "negative": "qq.com\n163.com",
    }
    for kind, text in expected.items():
        html = client.get(f"{PAGE}rules/{rules[kind].uuid}/").content.decode()
        assert text in html, kind
    assert (
        'name="kind" value="source"' in client.get(f"{PAGE}rules/add/?kind=source").content.decode()
    )


# Test a lead


def test_test_a_lead_shows_the_draft_score_and_fired_rules_without_saving(cast_a):
    with tenant_context(cast_a.tenant):
        lead = _lead(cast_a, name="Test Lead Zhao")
        score_recompute(lead_ids=[lead.pk])
        lead.refresh_from_db()
        stored = (lead.score, lead.grade)
        before = LeadScore.objects.get(lead=lead).computed_at
    client = tenant_client(cast_a, cast_a.admin)
    response = client.get(
        f"{PAGE}test/", {"q": "test lead zh", "hot_score": "30", "warm_score": "10"},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    html = response.content.decode()
    assert 'id="scoring-test"' in html
    assert "<html" not in html
    assert "Asks for a quote or prices" in html
    assert "+12" in html
    assert f'<strong class="score-big">{stored[0]}</strong>' in html  # the stored score
    assert '<span class="badge">A</span>' in html  # Hot from 30 in the draft
    with tenant_context(cast_a.tenant):
        lead.refresh_from_db()
        assert (lead.score, lead.grade) == stored
        assert LeadScore.objects.get(lead=lead).computed_at == before
        assert LeadSettings.load().hot_score == 70


def test_testing_a_draft_rule_shows_it_firing_and_saves_nothing(cast_a):
    with tenant_context(cast_a.tenant):
        lead = _lead(cast_a, name="Brochure Lead", notes="Please send the brochure")
        dimension = _dimension("Behavioural")
        count = ScoringRule.objects.count()
    client = tenant_client(cast_a, cast_a.admin)
    response = client.post(
        f"{PAGE}rules/add/", _rule_post(dimension, action="test", q="Brochure Lead")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Asks for a brochure" in html
    assert "this rule" in html
    assert "+6" in html
    with tenant_context(cast_a.tenant):
        assert ScoringRule.objects.count() == count
        assert not _rescore_jobs().exists()
        assert Lead.objects.get(pk=lead.pk).score is None  # never scored by the test


def test_test_a_lead_finds_only_leads_the_admin_may_see_in_this_tenant(cast_a, cast_b):
    with tenant_context(cast_b.tenant):
        other = _lead(cast_b, name="Other Tenant Lead")
    client = tenant_client(cast_a, cast_a.admin)
    html = client.get(f"{PAGE}test/", {"q": "Other Tenant"}).content.decode()
    assert "No lead you can see has that name." in html
    assert client.get(f"{PAGE}test/", {"lead": str(other.uuid)}).status_code == 404


# The rescore job


def test_changes_while_a_rescore_is_queued_start_no_second_job(in_tenant_a):
    first = rescore_all_start(actor=in_tenant_a.admin)
    again = rescore_all_start(actor=in_tenant_a.admin)
    assert again.pk == first.pk
    assert _rescore_jobs().count() == 1
    assert Job.objects.get(pk=first.pk).params == {"again": True}


def test_the_page_says_a_rescore_is_under_way(cast_a):
    with tenant_context(cast_a.tenant):
        rescore_all_start(actor=cast_a.admin)
    html = tenant_client(cast_a, cast_a.admin).get(PAGE).content.decode()
    assert "Recalculating the scores of open leads" in html
    assert "does not start a second run" in html
    assert 'class="job-progress"' in html


def test_running_the_job_rescores_every_open_lead_with_the_new_rules(in_tenant_a):
    cast = in_tenant_a
    open_lead = _lead(cast, name="Open Lead", notes="need a brochure")
    closed = _lead(cast, name="Closed Lead", notes="need a brochure")
    Lead.objects.filter(pk=closed.pk).update(status=LeadStatus.LOST)
    score_recompute(lead_ids=[open_lead.pk, closed.pk])
    closed_before = Lead.objects.get(pk=closed.pk).score
    draft = rule_draft_clean(
        dimension=_dimension("Behavioural"), name="Brochure", kind="keyword",
        config={"words": "brochure"}, points=5,
    )  # fmt: skip
    rule_add(actor=cast.admin, draft=draft)
    job = _rescore_jobs().get()
    job_run(job.pk, lambda job: rescore_all_run(job=job, step=1))
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert job.result["passes"] == 1
    assert job.result["scored"] >= 1
    assert job.done == job.total >= 1
    fired = {f["name"] for f in LeadScore.objects.get(lead=open_lead).fired}
    assert "Brochure" in fired
    assert Lead.objects.get(pk=closed.pk).score == closed_before  # closed leads are left


def test_a_change_during_the_run_makes_the_job_start_over(in_tenant_a, monkeypatch):
    cast = in_tenant_a
    _lead(cast, name="Any Lead")
    job = rescore_all_start(actor=cast.admin)
    calls = []

    def recompute(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:  # an admin saves while the first pass runs
            rescore_all_start(actor=cast.admin)
        return len(kwargs["lead_ids"])

    monkeypatch.setattr("scoring.configuration.score_recompute", recompute)
    job_run(job.pk, lambda job: rescore_all_run(job=job))
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert job.result["passes"] == 2
    assert _rescore_jobs().count() == 1


def test_the_rescore_task_is_the_job_body(in_tenant_a):
    assert tasks.rescore_all.name == "scoring.tasks.rescore_all"
    job = rescore_all_start(actor=in_tenant_a.admin)
    tasks.rescore_all.run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE


@pytest.mark.worker
def test_the_worker_runs_the_rescore_job(committed_db, celery_worker):
    cast = _load_cast("alpha")
    with tenant_context(cast.tenant):
        lead = _lead(cast, name="Rescored by the worker")
        try:
            Lead.objects.filter(pk=lead.pk).update(score=None)
            job = rescore_all_start(actor=cast.admin)
            for _ in range(300):
                job.refresh_from_db()
                if not job.is_active:
                    break
                time.sleep(0.1)
            assert job.status == Job.Status.DONE, job.error
            assert Lead.objects.get(pk=lead.pk).score is not None
        finally:
            Job.objects.filter(kind=RESCORE_KIND).delete()
            LeadScore.objects.filter(lead=lead).delete()
            from tests.scoring.test_scoring import _forget

            _forget(lead)


def test_behavioural_event_rules_are_listed_and_edited_like_activity_rules(cast_a):
    client = tenant_client(cast_a, cast_a.admin)
    page = client.get(PAGE).content.decode()
    assert "Form submission: at least 1 times" in page  # a default rule, readable
    with tenant_context(cast_a.tenant):
        behavioural = _dimension("Behavioural")
        default = ScoringRule.objects.filter(kind="event").first()
    editor = client.get(f"{PAGE}rules/{default.uuid}/").content.decode()
    assert 'name="event"' in editor
    response = client.post(
        f"{PAGE}rules/add/",
        _rule_post(behavioural, kind="event", name="Downloads twice", points="5",
                   event="download", min="2"),
    )  # fmt: skip
    assert response.status_code == 302
    with tenant_context(cast_a.tenant):
        rule = ScoringRule.objects.get(name="Downloads twice")
        assert (rule.kind, rule.config) == ("event", {"kind": "download", "min": 2})
    refused = client.post(
        f"{PAGE}rules/add/", _rule_post(behavioural, kind="event", name="No kind", event="")
    )
    assert refused.status_code == 422
    assert "Choose a kind of event." in refused.content.decode()
