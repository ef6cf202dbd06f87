"""The score on the lead page (gauge, breakdown, history) and manual adjustments: the
services, how score_recompute applies them, their expiry and audit, and the routes."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import tenant_context

from leads.models import Lead, SourceChannel
from leads.services import lead as lead_services
from leads.services.sharing import lead_member_add
from scoring.models import LeadScore, ScoreOverride
from scoring.overrides import OverrideError, score_override_clear, score_override_set
from scoring.services import score_recompute
from tests.conftest import tenant_client


def _scored_lead(cast, **fields):
    """A Hot lead (computed 79, grade A, see tests/scoring/test_scoring.py), owned by the rep."""
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
    lead = lead_services.lead_create(actor=cast.admin, owner=cast.rep, **values)
    score_recompute(lead_ids=[lead.pk], trigger="created")
    lead.refresh_from_db()
    return lead


def _page(cast, user, lead) -> str:
    response = tenant_client(cast, user).get(reverse("leads-detail", kwargs={"uuid": lead.uuid}))
    assert response.status_code == 200
    return response.content.decode()


def _set_url(lead):
    return reverse("scoring-override-set", kwargs={"uuid": lead.uuid})


def _clear_url(lead):
    return reverse("scoring-override-clear", kwargs={"uuid": lead.uuid})


# --- the panel ------------------------------------------------------------------------------


def test_a_reader_sees_the_gauge_breakdown_rules_and_history_but_no_adjustment(in_tenant_a):
    cast = in_tenant_a
    lead = _scored_lead(cast)
    lead_member_add(lead=lead, user=cast.teammate, access="read", actor=cast.rep)
    page = _page(cast, cast.teammate, lead)
    assert 'id="lead-score-panel"' in page
    assert 'low="31" high="70" optimum="100" value="79"' in page  # red → yellow → green
    assert "Score 79 out of 100" in page
    assert "Hot" in page
    assert "Grade A" in page
    assert "Demographic" in page
    assert "27 of 40" in page
    assert "20 of 20" in page
    assert "Came through the website form" in page
    assert "+10" in page
    assert "Scored when created" in page
    assert "+ Came through the website form (+10)" in page  # why it changed
    assert _set_url(lead) not in page  # a reader may not adjust
    assert _set_url(lead) in _page(cast, cast.rep, lead)


def test_a_lead_never_scored_says_so(in_tenant_a):
    cast = in_tenant_a
    lead = lead_services.lead_create(actor=cast.admin, owner=cast.rep, name="Not Yet")
    page = _page(cast, cast.rep, lead)
    assert "This lead has not been scored yet." in page
    assert "Points per dimension" not in page


def test_the_panel_speaks_the_readers_language_and_keeps_rule_names_as_typed(in_tenant_a):
    cast = in_tenant_a
    lead = _scored_lead(cast)
    client = tenant_client(cast, cast.rep)
    url = reverse("leads-detail", kwargs={"uuid": lead.uuid})
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "积分" in page or "评分" in page or "得分" in page  # the page around it is in Chinese
    assert "Came through the website form" in page  # tenant data, as typed


# --- the services ---------------------------------------------------------------------------


def test_setting_a_score_shows_it_and_keeps_the_computed_total_apart(in_tenant_a):
    cast = in_tenant_a
    lead = _scored_lead(cast)
    override = score_override_set(
        lead=lead, actor=cast.rep, mode="set", value=45, reason="budget", note="No budget yet"
    )
    lead.refresh_from_db()
    assert (lead.score, lead.grade) == (45, "C")  # 31 ≤ 45 < 50.5
    assert (LeadScore.objects.get(lead=lead).total, LeadScore.objects.get(lead=lead).letter) == (
        79,
        "A",
    )
    assert (override.from_score, override.to_score, override.set_by) == (79, 45, cast.rep)
    assert override.expires_at == override.set_at + timedelta(days=30)
    page = _page(cast, cast.rep, lead)
    assert "Adjusted by hand: set to 45" in page
    assert "computed score 79" in page
    assert "Confirmed budget" in page
    assert "No budget yet" in page


def test_adding_points_follows_the_computed_total_within_0_to_100(in_tenant_a):
    cast = in_tenant_a
    lead = _scored_lead(cast)
    score_override_set(lead=lead, actor=cast.rep, mode="add", value=40, reason="timeline")
    lead.refresh_from_db()
    assert (lead.score, lead.grade) == (100, "A")
    score_override_set(lead=lead, actor=cast.rep, mode="add", value=-30, reason="conversation")
    lead.refresh_from_db()
    assert lead.score == 49
    assert Lead.objects.filter(pk=lead.pk, score__gte=70).count() == 0  # lists read the effective


@pytest.mark.parametrize(
    ("mode", "value", "reason", "note", "days", "field"),
    [
        ("set", 50, "", "", 30, "reason"),
        ("set", 50, "because", "", 30, "reason"),
        ("set", 101, "budget", "", 30, "value"),
        ("add", 0, "budget", "", 30, "value"),
        ("add", "ten", "budget", "", 30, "value"),
        ("double", 5, "budget", "", 30, "mode"),
        ("set", 50, "other", "  ", 30, "note"),
        ("set", 50, "budget", "", 0, "days"),
        ("set", 50, "budget", "", 366, "days"),
    ],
)
def test_a_bad_adjustment_is_refused_and_writes_nothing(
    in_tenant_a, mode, value, reason, note, days, field
):
    cast = in_tenant_a
    lead = _scored_lead(cast)
    with pytest.raises(OverrideError) as refused:
        score_override_set(
            lead=lead, actor=cast.rep, mode=mode, value=value, reason=reason, note=note, days=days
        )
    assert refused.value.field == field
    assert not ScoreOverride.objects.filter(lead=lead).exists()
    lead.refresh_from_db()
    assert lead.score == 79


def test_an_adjustment_survives_a_rescore(in_tenant_a):
    cast = in_tenant_a
    lead = _scored_lead(cast)
    score_override_set(lead=lead, actor=cast.rep, mode="set", value=95, reason="budget")
    lead_services.lead_update(lead=lead, actor=cast.rep, notes="只是了解一下")  # no more "quote"
    score_recompute(lead_ids=[lead.pk], trigger="changed")
    lead.refresh_from_db()
    computed = LeadScore.objects.get(lead=lead).total
    assert computed < 79
    assert (lead.score, lead.grade) == (95, "A")
    score_override_set(lead=lead, actor=cast.rep, mode="add", value=5, reason="timeline")
    score_recompute(lead_ids=[lead.pk], trigger="rescore")
    lead.refresh_from_db()
    assert lead.score == computed + 5


def test_an_expired_adjustment_stops_applying_at_the_next_scoring(in_tenant_a):
    cast = in_tenant_a
    lead = _scored_lead(cast)
    override = score_override_set(
        lead=lead, actor=cast.rep, mode="set", value=10, reason="conversation", days=1
    )
    score_recompute(lead_ids=[lead.pk], now=timezone.now() + timedelta(hours=2))
    lead.refresh_from_db()
    assert lead.score == 10  # still within its day
    page = _page(cast, cast.rep, lead)
    assert "applies until" in page
    later = timezone.now() + timedelta(days=2)
    score_recompute(lead_ids=[lead.pk], now=later)
    lead.refresh_from_db()
    override.refresh_from_db()
    assert (lead.score, lead.grade) == (LeadScore.objects.get(lead=lead).total, "A")
    assert (override.end, override.ended_at, override.ended_by) == ("expired", later, None)
    assert (override.ended_from, override.ended_to) == (10, lead.score)
    assert "Adjustment expired" in _page(cast, cast.rep, lead)


def test_set_replace_and_clear_are_audited_with_who_when_from_and_to(in_tenant_a):
    cast = in_tenant_a
    lead = _scored_lead(cast)
    first = score_override_set(lead=lead, actor=cast.rep, mode="set", value=60, reason="budget")
    second = score_override_set(
        lead=lead, actor=cast.manager, mode="set", value=90, reason="timeline", days=None
    )
    first.refresh_from_db()
    assert (first.end, first.ended_by, first.ended_from, first.ended_to) == (
        "replaced",
        cast.manager,
        60,
        90,
    )
    assert (second.from_score, second.to_score, second.expires_at) == (60, 90, None)
    assert ScoreOverride.objects.filter(lead=lead, ended_at__isnull=True).count() == 1
    cleared = score_override_clear(lead=lead, actor=cast.admin)
    assert (cleared.end, cleared.ended_by, cleared.ended_from, cleared.ended_to) == (
        "cleared",
        cast.admin,
        90,
        79,
    )
    lead.refresh_from_db()
    assert (lead.score, lead.grade) == (79, "A")
    assert score_override_clear(lead=lead, actor=cast.admin) is None  # nothing to clear
    history = _page(cast, cast.rep, lead)
    assert f"Adjustment cleared by {cast.admin.full_name}" in history
    assert f"Adjusted by {cast.manager.full_name}: Timeline" in history
    assert f"Adjusted by {cast.rep.full_name}: Confirmed budget" in history


def test_clearing_on_a_lead_never_computed_restores_its_previous_score(in_tenant_a):
    cast = in_tenant_a
    lead = lead_services.lead_create(actor=cast.admin, owner=cast.rep, name="Fresh")
    score_override_set(lead=lead, actor=cast.rep, mode="add", value=20, reason="budget")
    lead.refresh_from_db()
    assert lead.score == 20
    score_override_clear(lead=lead, actor=cast.rep)
    lead.refresh_from_db()
    assert (lead.score, lead.grade) == (None, "")


# --- the routes -----------------------------------------------------------------------------


def test_a_writer_adjusts_and_clears_through_the_page(in_tenant_a):
    cast = in_tenant_a
    lead = _scored_lead(cast)
    client = tenant_client(cast, cast.rep)
    response = client.post(
        _set_url(lead),
        {
            "mode": "add",
            "value": "-9",
            "reason": "conversation",
            "note": "Only browsing",
            "days": "",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("leads-detail", kwargs={"uuid": lead.uuid})
    lead.refresh_from_db()
    assert lead.score == 70
    assert ScoreOverride.objects.get(lead=lead).expires_at is None
    page = client.get(response["Location"]).content.decode()
    assert "The score is now 70" in page
    assert "Only browsing" in page
    assert client.post(_clear_url(lead)).status_code == 302
    lead.refresh_from_db()
    assert lead.score == 79


def test_an_adjustment_without_a_reason_is_refused_with_a_message(in_tenant_a):
    cast = in_tenant_a
    lead = _scored_lead(cast)
    client = tenant_client(cast, cast.rep)
    response = client.post(
        _set_url(lead), {"mode": "set", "value": "99", "reason": ""}, follow=True
    )
    assert "Choose a reason for the adjustment." in response.content.decode()
    assert not ScoreOverride.objects.filter(lead=lead).exists()
    lead.refresh_from_db()
    assert lead.score == 79


def test_readers_get_403_strangers_404_and_a_get_405(cast_b, in_tenant_a):
    cast = in_tenant_a
    lead = _scored_lead(cast)
    override = score_override_set(lead=lead, actor=cast.rep, mode="set", value=50, reason="budget")
    lead_member_add(lead=lead, user=cast.teammate, access="read", actor=cast.rep)
    body = {"mode": "set", "value": "5", "reason": "budget"}
    reader = tenant_client(cast, cast.teammate)
    assert reader.post(_set_url(lead), body).status_code == 403
    assert reader.post(_clear_url(lead)).status_code == 403
    assert tenant_client(cast, cast.manager).get(_set_url(lead)).status_code == 405
    with tenant_context(cast_b.tenant):
        stranger = tenant_client(cast_b, cast_b.admin)
        assert stranger.post(_set_url(lead), body).status_code == 404
        assert stranger.post(_clear_url(lead)).status_code == 404
    lead.refresh_from_db()
    override.refresh_from_db()
    assert (lead.score, override.ended_at) == (50, None)


def test_a_converted_lead_cannot_be_adjusted(in_tenant_a):
    from conversion.services.convert import lead_convert

    cast = in_tenant_a
    lead = _scored_lead(cast)
    lead_convert(lead=lead, actor=cast.rep)
    response = tenant_client(cast, cast.rep).post(
        _set_url(lead), {"mode": "set", "value": "5", "reason": "budget"}
    )
    assert response.status_code == 403
