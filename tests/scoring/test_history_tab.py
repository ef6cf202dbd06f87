"""Score changes and manual adjustments in the lead's Change history tab (leads.hooks
register_history, scoring.hooks.lead_history_entries): merged by time with the lead's own
records, in the reader's language, capped."""

from datetime import timedelta

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tenants.utils import tenant_context

from leads.models import Lead, SourceChannel
from leads.selectors import lead_history
from leads.services import lead as lead_services
from scoring.hooks import HISTORY_TAB_MAX, lead_history_entries
from scoring.models import LeadScore, LeadScoreChange
from scoring.overrides import score_override_clear, score_override_set
from scoring.services import score_recompute
from tests.conftest import tenant_client


def _lead_with_a_scored_past(cast):
    """Created at ``base``, scored an hour later, renamed two hours later, adjusted by the rep
    three hours later (set to 45) and cleared by the admin four hours later."""
    base = timezone.now() - timedelta(days=1)
    lead = lead_services.lead_create(
        actor=cast.admin,
        owner=cast.rep,
        name="王小明",
        company="上海云启智能科技有限公司",
        job_title="采购总监",
        email="xm.wang@yunqi.example",
        company_size="250-999",
        annual_revenue="50m-250m",
        source=SourceChannel.objects.get(code="website"),
        notes="急需报价：200 套，请尽快联系",
    )
    Lead.history.filter(id=lead.pk).update(history_date=base)
    score_recompute(lead_ids=[lead.pk], trigger="created", now=base + timedelta(hours=1))
    lead.refresh_from_db()
    lead_services.lead_update(lead=lead, actor=cast.rep, name="王小明 (Renamed)")
    Lead.history.filter(id=lead.pk, history_type="~").update(history_date=base + timedelta(hours=2))
    score_override_set(
        lead=lead, actor=cast.rep, mode="set", value=45, reason="budget", note="No budget yet",
        now=base + timedelta(hours=3),
    )  # fmt: skip
    score_override_clear(lead=lead, actor=cast.admin, now=base + timedelta(hours=4))
    return lead


def _tab(cast, lead, language: str = "en") -> str:
    response = tenant_client(cast, cast.rep).get(
        reverse("leads-detail", kwargs={"uuid": lead.uuid}),
        {"tab": "history"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="lead-tab",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200
    return response.content.decode()


def _in_order(html: str, *texts: str) -> None:
    positions = [html.index(text) for text in texts]
    assert positions == sorted(positions), texts


def test_score_changes_and_adjustments_are_in_the_history_by_time(cast_a):
    with tenant_context(cast_a.tenant):
        lead = _lead_with_a_scored_past(cast_a)
        computed = LeadScore.objects.get(lead=lead).total
    html = _tab(cast_a, lead)
    _in_order(
        html,
        f"Adjustment cleared by {cast_a.admin.full_name}",  # newest first
        f"Adjusted by {cast_a.rep.full_name}: Confirmed budget",
        "王小明 (Renamed)",
        "Scored when created",
        "Created",
    )
    assert "No budget yet" in html  # the adjustment's note
    assert "+ Came through the website form (+10)" in html  # why the computed score moved
    assert f"{computed} → 45 · Adjusted by" in html
    assert f"45 → {computed} · Adjustment cleared" in html
    assert f"— → {computed} · Scored when created" in html


def test_the_history_reads_in_the_readers_language(cast_a):
    with tenant_context(cast_a.tenant):
        lead = _lead_with_a_scored_past(cast_a)
    html = _tab(cast_a, lead, "zh-hans")
    assert "创建时评分" in html  # Scored when created
    assert f"{cast_a.rep.full_name}手动调整：预算已确认" in html
    assert f"{cast_a.admin.full_name}清除了手动调整" in html
    for english in ("Scored when created", "Adjusted by", "Adjustment cleared", "Confirmed budget"):
        assert english not in html


def test_a_lead_rescored_many_times_shows_only_the_latest_changes(in_tenant_a):
    cast = in_tenant_a
    lead = lead_services.lead_create(actor=cast.admin, owner=cast.rep, name="Nightly Lead")
    now = timezone.now()
    LeadScoreChange.objects.bulk_create(
        LeadScoreChange(
            lead=lead, from_total=i % 90, to_total=(i + 1) % 90, trigger="nightly",
            changed_at=now - timedelta(days=i),
        )
        for i in range(HISTORY_TAB_MAX + 30)
    )  # fmt: skip
    entries = lead_history_entries(lead, limit=10_000)
    assert len(entries) == HISTORY_TAB_MAX
    assert [e.at for e in entries] == [now - timedelta(days=i) for i in range(HISTORY_TAB_MAX)]
    rows = lead_history(lead)
    assert len(rows) == 50
    assert [row.at for row in rows] == sorted((row.at for row in rows), reverse=True)
    assert any(getattr(row, "history_type", "") == "+" for row in rows)  # the creation, merged


def test_entries_are_worded_when_shown_not_when_read(in_tenant_a):
    """The tab may read the entries in one language and show them in another (a cache, a
    notice): the words are chosen when the template renders."""
    lead = _lead_with_a_scored_past(in_tenant_a)
    with translation.override("en"):
        entries = lead_history_entries(lead, limit=50)
    with translation.override("zh-hans"):
        shown = [render_to_string(e.template, {"item": e.item}) for e in entries]
    assert "创建时评分" in shown[-1]  # the oldest: Scored when created
    assert f"{in_tenant_a.admin.full_name}清除了手动调整" in shown[0]
    assert not any("Scored when created" in text or "Adjusted by" in text for text in shown)
