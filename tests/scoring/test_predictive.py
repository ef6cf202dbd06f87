"""The conversion model: features, honest training (time-ordered hold-out), the not-ready
state, versions, and its probability, factors and blend on open leads."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from leads.models import Activity, CustomFieldDefinition, Lead, LeadStatus, SourceChannel
from scoring.models import Blend, LeadScore, PredictiveModel, ScoringSettings
from scoring.predictive.features import lead_features, words
from scoring.predictive.model import MIN_CLOSED, LinearModel, NotReady, Sample, train
from scoring.predictive.services import model_train, training_samples
from scoring.services import score_recompute

NOW = timezone.now()


def _synthetic(n: int, *, seed: int = 7) -> list[Sample]:
    """Trade-show leads convert 60 % of the time, others 15 %; a confirmed budget adds."""
    rng = random.Random(seed)
    samples = []
    for i in range(n):
        show = rng.random() < 0.4
        budget = rng.random() < 0.3
        p = (0.6 if show else 0.15) + (0.2 if budget else 0)
        features = {f"source={'trade_show' if show else 'website'}": 1.0, "act:all": 0.0}
        if budget:
            features["bant:budget"] = 1.0
        samples.append(Sample(features, rng.random() < p, NOW - timedelta(days=n - i)))
    return samples


def test_words_split_latin_words_and_chinese_pairs():
    assert words("Need a QUOTE for the pricing") == {"need", "quote", "pricing"}
    assert words("急需报价") == {"急需", "需报", "报价"}


def test_features_name_what_they_are():
    row = {
        "industry": " Manufacturing ", "company_size": "250-999", "email": "a@qq.com",
        "phone": "", "mobile": "138", "bant_budget": True, "job_title": "Purchasing Director",
        "notes": "急需报价", "created_at": NOW, "first_follow_up_at": NOW + timedelta(hours=3),
        "custom_data": {"seats": "120", "plan": "pro", "modules": ["crm", "erp"], "x": "text"},
    }  # fmt: skip
    out = lead_features(
        row,
        source="trade_show",
        activities={("call", "no_answer"): 3, ("note", ""): 1},
        events={"download": 2},
        custom_types={"seats": "number", "plan": "choice", "modules": "multi_choice", "x": "text"},
    )
    for name in (
        "source=trade_show", "industry=manufacturing", "company_size=250-999", "bant:budget",
        "has:phone", "free_mail", "title:director", "kw:报价", "cf:plan=pro", "cf:modules=erp",
        "evt:download", "act:call:no_answer", "resp:hours",
    ):  # fmt: skip
        assert name in out, name
    assert "cf:x" not in out
    # A number not recorded is told apart from zero.
    assert (
        lead_features({}, source="", activities={}, events={}, custom_types={"seats": "number"})[
            "cf:seats:none"
        ]
        == 1.0
    )
    assert "has:email" in out
    assert "resp:none" not in out
    assert round(out["act:call:no_answer"], 3) == 1.386  # log1p(3)
    assert out["cf:seats"] > 4


def test_training_is_honest_and_learns_the_planted_signal():
    trained = train(_synthetic(600))
    evaluation = trained.evaluation
    assert (evaluation.train, evaluation.test) == (480, 120)
    assert 0.65 < evaluation.auc <= 1.0
    assert 0 < evaluation.brier < 0.25
    assert sum(row["leads"] for row in evaluation.calibration) == 120
    held = sorted(_synthetic(600), key=lambda s: s.closed_at)[480:]
    assert evaluation.test_converted == sum(1 for s in held if s.converted)
    assert evaluation.base_rate == round(evaluation.test_converted / 120, 4)  # the held-out rate
    model = trained.model
    assert model.weights["source=trade_show"] > 0 > model.weights["source=website"]
    show = model.probability({"source=trade_show": 1.0, "bant:budget": 1.0})
    web = model.probability({"source=website": 1.0})
    assert show > 0.6 > 0.25 > web
    factors = model.factors({"source=trade_show": 1.0, "bant:budget": 1.0})
    assert {f["feature"] for f in factors} == {"source=trade_show", "bant:budget"}
    assert all(f["delta"] > 0.05 for f in factors)
    assert model.factors({"source=website": 1.0})[0]["delta"] < 0
    # Kept as JSON, the model predicts the same.
    again = LinearModel.from_json(model.to_json())
    assert again.probability({"source=website": 1.0}) == pytest.approx(web)


def test_rare_words_are_not_learnt():
    samples = _synthetic(400)
    samples[0] = Sample({**samples[0].features, "kw:once": 1.0}, True, samples[0].closed_at)
    assert "kw:once" not in train(samples).model.weights


def test_too_little_history_is_not_ready():
    with pytest.raises(NotReady) as too_few:
        train(_synthetic(MIN_CLOSED - 1))
    assert too_few.value.key == "too_few"
    assert too_few.value.values == {"closed": MIN_CLOSED - 1, "needed": MIN_CLOSED}
    lost_only = [Sample(s.features, False, s.closed_at) for s in _synthetic(300)]
    with pytest.raises(NotReady) as one_class:
        train(lost_only)
    assert one_class.value.key == "one_class"


def _closed_history(n: int, *, seed: int = 3) -> None:
    """``n`` closed leads where trade-show leads convert far more often (bulk, no hooks)."""
    rng = random.Random(seed)
    show = SourceChannel.objects.get_or_create(code="trade_show", defaults={"name": "Show"})[0]
    web = SourceChannel.objects.get(code="website")
    leads = []
    for i in range(n):
        is_show = rng.random() < 0.5
        converted = rng.random() < (0.7 if is_show else 0.15)
        closed = NOW - timedelta(days=n - i)
        leads.append(
            Lead(
                name=f"History {i}",
                source=show if is_show else web,
                status=LeadStatus.CONVERTED if converted else LeadStatus.LOST,
                converted_at=closed if converted else None,
                status_changed_at=closed,
            )
        )
    Lead.objects.bulk_create(leads)


def test_model_train_keeps_versions_and_scores_open_leads(in_tenant_a):
    cast = in_tenant_a
    first = model_train(trigger="manual", actor=cast.admin)
    assert first.status == PredictiveModel.Status.NOT_READY
    assert first.reason == "too_few"
    assert first.model == {}
    _closed_history(400)
    ready = model_train(trigger="manual", actor=cast.admin)
    assert ready.version == first.version + 1
    assert ready.status == PredictiveModel.Status.READY
    assert (ready.closed, ready.train_size, ready.test_size) == (400, 320, 80)
    assert ready.auc > 0.7
    assert ready.calibration

    show = SourceChannel.objects.get(code="trade_show")
    open_show = Lead.objects.create(name="Open show", source=show, status=LeadStatus.PENDING)
    open_web = Lead.objects.create(
        name="Open web", source=SourceChannel.objects.get(code="website"), status="pending"
    )
    ScoringSettings.objects.update_or_create(
        singleton=True, defaults={"blend": Blend.MODEL, "model_weight": 50}
    )
    score_recompute(lead_ids=[open_show.pk, open_web.pk], trigger="rescore")
    open_show.refresh_from_db()
    open_web.refresh_from_db()
    assert open_show.conversion_probability > 50 > 30 > open_web.conversion_probability
    detail = LeadScore.objects.get(lead=open_show)
    assert detail.model_version == ready.version
    assert detail.factors[0]["feature"] == "source=trade_show"
    # Model only: the shown score is the probability in points; the rule total is kept apart.
    assert open_show.score == detail.blended == round(detail.probability * 100)
    assert detail.total != open_show.score


def test_blend_weighted_and_rules_only(in_tenant_a):
    _closed_history(300)
    model_train(trigger="manual")
    lead = Lead.objects.create(name="Open", status=LeadStatus.PENDING)
    for blend, weight in ((Blend.WEIGHTED, 25), (Blend.RULES, 50)):
        ScoringSettings.objects.update_or_create(
            singleton=True, defaults={"blend": blend, "model_weight": weight}
        )
        score_recompute(lead_ids=[lead.pk])
        lead.refresh_from_db()
        detail = LeadScore.objects.get(lead=lead)
        expected = (
            round(0.75 * detail.total + 0.25 * detail.probability * 100)
            if blend == Blend.WEIGHTED
            else detail.total
        )
        assert lead.score == detail.blended == expected
        assert lead.conversion_probability == round(detail.probability * 100)


def test_history_counts_only_what_happened_before_the_lead_closed(in_tenant_a):
    cast = in_tenant_a
    closed = NOW - timedelta(days=10)
    lead = Lead.objects.create(
        name="Won", status=LeadStatus.CONVERTED, converted_at=closed, status_changed_at=closed
    )
    for days in (20, 5):  # one call before the win, one after
        Activity.objects.create(
            lead=lead, kind="call", outcome="connected", occurred_at=NOW - timedelta(days=days),
            created_by=cast.admin,
        )  # fmt: skip
    CustomFieldDefinition.objects.create(key="seats", label="Seats", field_type="number")
    Lead.objects.filter(pk=lead.pk).update(custom_data={"seats": 12})
    (sample,) = training_samples()
    assert sample.converted
    assert sample.closed_at == closed
    assert round(sample.features["act:call:connected"], 3) == 0.693  # log1p(1): one call
    assert "cf:seats" in sample.features
