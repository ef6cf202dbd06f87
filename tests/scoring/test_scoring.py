"""Scoring leads in the database: score_recompute, its explanation and history, the hooks
that queue it (create, import batches, changes) and the task in a real worker."""

import time

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from leadcrm.tasking import TenantMissingError, TenantRequiredTask
from leads.importing.services import import_job_create, import_job_start, import_run
from leads.models import Lead, LeadSettings, SourceChannel
from leads.services import lead as lead_services
from scoring import tasks
from scoring.models import LeadScore, LeadScoreChange, ScoringRule
from scoring.services import score_recompute, thresholds_load
from tests.conftest import _load_cast


def _hot_lead(cast, **fields):
    values = {
        "name": "王小明",
        "company": "上海云启智能科技有限公司",
        "job_title": "采购总监",
        "email": "xm.wang@yunqi.example",
        "company_size": "250-999",
        "annual_revenue": "50m-250m",
        "website": "yunqi.example",
        "source": SourceChannel.objects.get(code="website"),
        "notes": "急需报价：200 套，请尽快联系",
    } | fields
    return lead_services.lead_create(actor=cast.admin, owner=cast.rep, **values)


@pytest.fixture
def enqueued(monkeypatch):
    """The scoring tasks the hooks queue (instead of sending them)."""
    sent = []
    monkeypatch.setattr(
        tasks, "enqueue_on_commit", lambda task, ids, trigger: sent.append((list(ids), trigger))
    )
    return sent


def test_score_recompute_scores_explains_and_keeps_the_history(in_tenant_a):
    lead = _hot_lead(in_tenant_a)
    assert lead.score is None
    assert score_recompute(lead_ids=[lead.pk], trigger="created") == 1
    lead.refresh_from_db()
    detail = LeadScore.objects.get(lead=lead)
    # Demographic: director 15 + 250+ employees 12; Behavioural: website form 10, quote 12,
    # urgent 10; Firmographic: revenue 12 + company 4 + website 4 = 20 (capped)
    assert detail.dimensions == {"Demographic": 27, "Behavioural": 32, "Firmographic": 20}
    assert (lead.score, lead.grade, detail.total, detail.letter) == (79, "A", 79, "A")
    names = {f["name"] for f in detail.fired}
    assert "Came through the website form" in names
    assert any(n.startswith("Asks for a quote") for n in names)
    change = LeadScoreChange.objects.get(lead=lead)
    assert (change.from_total, change.to_total, change.trigger) == (None, 79, "created")
    assert "+ Came through the website form (+10)" in change.reason


def test_a_free_mail_student_is_cold_d(in_tenant_a):
    lead = lead_services.lead_create(
        actor=in_tenant_a.admin, name="Li Lei", email="lilei@qq.com", notes="我是学生，写论文用"
    )
    score_recompute(lead_ids=[lead.pk])
    lead.refresh_from_db()
    assert (lead.score, lead.grade) == (0, "D")


def test_running_twice_changes_nothing_the_second_time(in_tenant_a):
    lead = _hot_lead(in_tenant_a)
    now = timezone.now()
    score_recompute(lead_ids=[lead.pk, lead.pk], now=now)
    first = LeadScore.objects.values().get(lead=lead)
    assert score_recompute(lead_ids=[lead.pk], now=now) == 1
    assert LeadScore.objects.values().get(lead=lead) == first
    assert LeadScoreChange.objects.filter(lead=lead).count() == 1
    lead.refresh_from_db()
    assert lead.history.count() == 1  # scoring is not an edit of the lead


def test_a_logged_activity_moves_the_score_and_says_why(in_tenant_a, enqueued):
    cast = in_tenant_a
    lead = _hot_lead(cast, notes="")
    score_recompute(lead_ids=[lead.pk])
    lead.refresh_from_db()
    before = lead.score
    lead_services.activity_log(lead=lead, actor=cast.rep, kind="call", outcome="connected")
    lead_services.activity_log(lead=lead, actor=cast.rep, kind="meeting", body="On site")
    score_recompute(lead_ids=[lead.pk], trigger="changed")
    lead.refresh_from_db()
    assert lead.score == before + 25
    change = LeadScoreChange.objects.filter(lead=lead).first()
    assert (change.from_total, change.to_total, change.trigger) == (before, before + 25, "changed")
    assert "+ Connected call (+10)" in change.reason
    assert "+ Meeting held (+15)" in change.reason
    for _ in range(3):
        lead_services.activity_log(lead=lead, actor=cast.rep, kind="call", outcome="no_answer")
    score_recompute(lead_ids=[lead.pk])
    lead.refresh_from_db()
    assert lead.score == before + 15


def test_changes_that_can_move_the_score_queue_a_rescore_on_commit(
    in_tenant_a, enqueued, django_capture_on_commit_callbacks
):
    cast = in_tenant_a
    with django_capture_on_commit_callbacks(execute=True):
        lead = _hot_lead(cast)
    assert enqueued == [([lead.pk], "created")]
    enqueued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        lead_services.lead_update(lead=lead, actor=cast.rep, job_title="Engineer")
        lead_services.lead_update(lead=lead, actor=cast.rep, job_title="Engineer")  # no change
        lead_services.activity_log(lead=lead, actor=cast.rep, kind="call", outcome="connected")
        lead_services.lead_bant_update(
            lead=lead, actor=cast.rep, budget=True, authority=False, need=False, timeline=False
        )
        lead_services.lead_change_status(lead=lead, to_status="nurture", actor=cast.rep)
        stage = lead.stage.__class__.objects.exclude(pk=lead.stage_id).first()
        lead_services.lead_change_stage(lead=lead, stage=stage, actor=cast.rep)
    assert enqueued == [([lead.pk], "changed")] * 5


def test_a_failed_change_queues_nothing(in_tenant_a, enqueued, django_capture_on_commit_callbacks):
    lead = _hot_lead(in_tenant_a)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Exception):  # noqa: B017
        lead_services.lead_change_status(lead=lead, to_status="lost", actor=in_tenant_a.rep)
    assert enqueued == []


def test_an_import_queues_one_scoring_task_per_batch_not_per_row(
    in_tenant_a, enqueued, django_capture_on_commit_callbacks
):
    cast = in_tenant_a
    data = ("Name,Notes\n" + "".join(f"Import {i},quote\n" for i in range(501))).encode()
    job = import_job_create(actor=cast.admin, filename="s.csv", data=data)
    import_job_start(job=job, actor=cast.admin, mapping=job.mapping, on_duplicate="skip",
                     owner=None, source_detail="", run_rules=False)  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        import_run(job.pk)
    assert [(len(ids), trigger) for ids, trigger in enqueued] == [(500, "created"), (1, "created")]
    assert score_recompute(lead_ids=[i for ids, _t in enqueued for i in ids]) == 501


def test_an_imported_lead_is_inserted_with_its_score_and_the_task_writes_only_the_explanation(
    in_tenant_a, enqueued, django_capture_on_commit_callbacks
):
    """The before-create hook scores the batch as it is inserted: the scoring task that
    follows finds every lead's score, grade and tags right and writes no lead row again."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cast = in_tenant_a
    data = (
        "Name,Company,Job title,Notes\n"
        "Import hot,上海云启智能科技有限公司,采购总监,急需报价 quote\n"
        "Import cold,,,\n"
    ).encode()
    job = import_job_create(actor=cast.admin, filename="p.csv", data=data)
    import_job_start(job=job, actor=cast.admin, mapping=job.mapping, on_duplicate="skip",
                     owner=None, source_detail="", run_rules=False)  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        import_run(job.pk)
    inserted = {
        lead.name: (lead.score, lead.grade, lead.auto_tags)
        for lead in Lead.objects.filter(import_job=job)
    }
    assert inserted["Import hot"][0] > inserted["Import cold"][0]
    assert "Decision maker" in inserted["Import hot"][2]
    (ids, _trigger) = enqueued[0]
    with CaptureQueriesContext(connection) as queries:
        assert score_recompute(lead_ids=ids, trigger="created") == 2
    assert not [q for q in queries if q["sql"].startswith("UPDATE leads_lead")]
    assert LeadScore.objects.filter(lead_id__in=ids).count() == 2  # the explanation is written
    for lead in Lead.objects.filter(import_job=job):
        assert (lead.score, lead.grade, lead.auto_tags) == inserted[lead.name]
        assert LeadScore.objects.get(lead=lead).total == lead.score


def test_the_hot_threshold_is_the_lists_setting(in_tenant_a):
    LeadSettings.objects.update_or_create(
        singleton=True, defaults={"hot_score": 80, "warm_score": 40}
    )
    assert (thresholds_load().hot, thresholds_load().warm) == (80, 40)
    lead = _hot_lead(in_tenant_a)
    score_recompute(lead_ids=[lead.pk])
    lead.refresh_from_db()
    assert (lead.score, lead.grade) == (79, "B")


def test_editing_rules_takes_effect_on_the_next_rescore(in_tenant_a):
    lead = _hot_lead(in_tenant_a)
    score_recompute(lead_ids=[lead.pk])
    ScoringRule.objects.filter(name="Came through the website form").update(is_active=False)
    score_recompute(lead_ids=[lead.pk], trigger="rules")
    lead.refresh_from_db()
    assert lead.score == 69
    change = LeadScoreChange.objects.filter(lead=lead).first()
    assert change.reason == "− Came through the website form (-10)"


def test_the_task_needs_a_tenant(in_tenant_a):
    assert isinstance(tasks.score_leads, TenantRequiredTask)
    lead = _hot_lead(in_tenant_a)
    from django.db import connection

    connection.set_schema_to_public()
    with pytest.raises(TenantMissingError):
        tasks.score_leads.apply(args=[[lead.pk]]).get()
    with pytest.raises(TenantMissingError):
        tasks.score_new_lead(lead.pk)


@pytest.mark.worker
def test_a_new_lead_is_scored_by_the_worker_in_its_tenant(committed_db, celery_worker):
    """lead_create → on commit → the scoring queue → score_recompute, in a real worker; the
    other tenant's lead with the same name is left alone."""
    cast, other = _load_cast("alpha"), _load_cast("beta")
    with tenant_context(other.tenant):
        bystander = lead_services.lead_create(actor=other.admin, name="Bystander")
        Lead.objects.filter(pk=bystander.pk).update(score=None)
    with tenant_context(cast.tenant):
        lead = _hot_lead(cast, name="Scored by worker")
        try:
            for _ in range(200):
                lead.refresh_from_db()
                if lead.score is not None:
                    break
                time.sleep(0.1)
            assert (lead.score, lead.grade) == (79, "A")
            assert LeadScore.objects.filter(lead=lead).exists()
        finally:
            _forget(lead)
    with tenant_context(other.tenant):
        try:
            time.sleep(0.5)
            bystander.refresh_from_db()
            assert bystander.score is not None  # scored by its own task, in its own schema
        finally:
            _forget(bystander)


def _forget(lead):
    from leads.models import LeadStageChange, Task

    Task.objects.filter(lead=lead).delete()
    LeadStageChange.objects.filter(lead=lead).delete()
    Lead.history.filter(id=lead.pk).delete()
    lead.delete()


def test_the_rescore_command_scores_every_open_lead_and_prints_a_summary(in_tenant_a):
    import io

    from django.core.management import call_command

    cast = in_tenant_a
    hot = _hot_lead(cast)
    closed = lead_services.lead_create(actor=cast.admin, name="Closed", notes="报价")
    lead_services.lead_change_status(lead=closed, to_status="void", actor=cast.admin)
    out = io.StringIO()
    call_command("scoring_rescore", "alpha", stdout=out)
    assert "scored=" in out.getvalue()
    assert "tenant=alpha" in out.getvalue()
    with tenant_context(cast.tenant):
        hot.refresh_from_db()
        closed.refresh_from_db()
        assert (hot.score, closed.score) == (79, None)
    with pytest.raises(Exception, match="no tenant"):
        call_command("scoring_rescore", "nowhere")


def test_the_nightly_run_rescores_open_leads_once_per_tenant_at_a_time(in_tenant_a):
    from leadcrm.tasking import tenant_lock
    from scoring.models import LeadScore
    from scoring.tasks import score_nightly

    cast = in_tenant_a
    lead = lead_services.lead_create(actor=cast.admin, owner=cast.rep, name="Night Owl")
    LeadScore.objects.filter(lead=lead).delete()
    with tenant_lock("score_nightly", seconds=60):
        assert score_nightly.run() == 0  # another run holds the tenant's lock
    assert score_nightly.run() >= 1
    assert LeadScore.objects.filter(lead=lead).exists()


def test_the_nightly_run_is_scheduled_for_every_tenant():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["scoring-nightly"]
    assert entry["task"] == "scoring.tasks.score_nightly"
    assert "tenant_schemas" not in entry  # per tenant, never the public schema
