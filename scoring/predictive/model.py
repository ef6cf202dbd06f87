"""Training, honest evaluation and use of the conversion model (pure: samples in, JSON out).

A logistic regression over the features of ``scoring.predictive.features``: it is calibrated
enough to read as a probability, it learns from a few hundred closed leads without overfitting
much (L2 penalty), and each prediction splits into per-feature contributions a rep can read
("Source: Trade show +12 %"). Evaluation is time-ordered: the model is fitted on the leads that
closed first and scored on the most recent fifth it never saw (AUC, Brier score, calibration by
band of predicted probability); the model kept is then refitted on every closed lead.

A fitted model is kept as JSON (intercept, weight and training mean per feature): applying it
needs neither scikit-learn nor unpickling anything from the database.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

#: Below these a model is not trained: the page says so and rule scores stand alone. About 200
#: closed leads with at least 30 of each outcome give a usable AUC on most tenants' data.
MIN_CLOSED = 200
MIN_PER_CLASS = 30
#: The most recent share of closed leads held out for the evaluation.
HOLDOUT = 0.2
#: A word or a value seen on fewer training leads than this is not learnt from (noise).
MIN_SUPPORT = 5
#: Calibration bands of predicted probability.
BANDS = (0.0, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0001)
#: Factors shown per lead, and the smallest move in probability worth showing.
FACTORS_SHOWN = 4
FACTOR_MIN = 0.01


@dataclass(frozen=True)
class Sample:
    features: Mapping[str, float]
    converted: bool
    closed_at: datetime


class NotReady(Exception):
    """Too little history to train: ``key`` says why (``too_few``, ``one_class``)."""

    def __init__(self, key: str, **values):
        super().__init__(key)
        self.key, self.values = key, values


@dataclass
class Evaluation:
    auc: float
    brier: float
    #: Per band: low, high, leads, mean predicted, observed conversion rate.
    calibration: list[dict]
    train: int
    test: int
    #: Conversion rate of the held-out leads (always guessing it scores a Brier of r(1-r)).
    base_rate: float
    #: Converted leads among the held-out ones: with few, the AUC is a rough figure.
    test_converted: int = 0


@dataclass
class LinearModel:
    intercept: float
    weights: dict[str, float]
    means: dict[str, float]

    def to_json(self) -> dict:
        return {
            "intercept": self.intercept,
            "weights": self.weights,
            "means": self.means,
        }

    @classmethod
    def from_json(cls, data: Mapping) -> LinearModel:
        return cls(
            float(data["intercept"]),
            dict(data["weights"]),
            dict(data.get("means", {})),
        )

    def log_odds(self, features: Mapping[str, float]) -> float:
        weights = self.weights
        return self.intercept + sum(weights.get(k, 0.0) * v for k, v in features.items())

    def probability(self, features: Mapping[str, float]) -> float:
        return _sigmoid(self.log_odds(features))

    def factors(self, features: Mapping[str, float], *, shown: int = FACTORS_SHOWN) -> list[dict]:
        """The features that move this lead's probability most, each with the move in
        probability it makes against an average lead's value of that feature (``delta``, -1..1),
        largest first; only features the lead has."""
        z = self.log_odds(features)
        p = _sigmoid(z)
        moves = []
        for name, value in features.items():
            weight = self.weights.get(name)
            if not weight or not value:
                continue
            contribution = weight * (value - self.means.get(name, 0.0))
            delta = p - _sigmoid(z - contribution)
            if abs(delta) >= FACTOR_MIN:
                moves.append({"feature": name, "value": round(value, 3), "delta": round(delta, 4)})
        moves.sort(key=lambda m: abs(m["delta"]), reverse=True)
        return moves[:shown]


@dataclass
class Trained:
    model: LinearModel
    evaluation: Evaluation
    closed: int
    converted: int
    features: int = 0
    top: list[dict] = field(default_factory=list)


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def _supported(samples: Sequence[Sample]) -> set[str]:
    """Features seen on at least MIN_SUPPORT of these samples (numbers count when non-zero)."""
    seen: Counter = Counter()
    for sample in samples:
        seen.update(k for k, v in sample.features.items() if v)
    return {k for k, n in seen.items() if n >= MIN_SUPPORT}


def _fit(samples: Sequence[Sample], *, c: float = 1.0):
    """A fitted (vectoriser, regression) pair on ``samples``, rare features left out."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    keep = _supported(samples)
    vectoriser = DictVectorizer(sparse=True)
    x = vectoriser.fit_transform(
        [{k: v for k, v in s.features.items() if k in keep} for s in samples]
    )
    y = [1 if s.converted else 0 for s in samples]
    regression = LogisticRegression(C=c, max_iter=2000, solver="lbfgs")
    regression.fit(x, y)
    return vectoriser, regression, x


def _as_linear(vectoriser, regression, x) -> LinearModel:
    names = vectoriser.get_feature_names_out()
    coefficients = regression.coef_[0]
    means = x.mean(axis=0).A1
    weights, kept_means = {}, {}
    for name, weight, mean in zip(names, coefficients, means, strict=True):
        if abs(weight) >= 1e-4:
            weights[str(name)] = round(float(weight), 6)
            kept_means[str(name)] = round(float(mean), 6)
    return LinearModel(float(regression.intercept_[0]), weights, kept_means)


def auc_score(truth: Sequence[int], predicted: Sequence[float]) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(truth, predicted))


def brier_score(truth: Sequence[int], predicted: Sequence[float]) -> float:
    """Mean squared distance between predicted probability and outcome (0 is perfect; always
    predicting the base rate r scores r(1-r))."""
    return sum((p - t) ** 2 for t, p in zip(truth, predicted, strict=True)) / len(truth)


def calibration(truth: Sequence[int], predicted: Sequence[float]) -> list[dict]:
    rows = []
    for low, high in itertools.pairwise(BANDS):
        inside = [(t, p) for t, p in zip(truth, predicted, strict=True) if low <= p < high]
        if inside:
            rows.append(
                {
                    "low": round(low, 2),
                    "high": round(min(high, 1.0), 2),
                    "leads": len(inside),
                    "predicted": round(sum(p for _t, p in inside) / len(inside), 4),
                    "observed": round(sum(t for t, _p in inside) / len(inside), 4),
                }
            )
    return rows


def train(samples: Sequence[Sample]) -> Trained:
    """Evaluate on the most recent closed leads, then fit on all of them. Raises NotReady
    below MIN_CLOSED closed leads or MIN_PER_CLASS of either outcome, or when the training or
    the held-out part lacks one outcome. With few closed leads the held-out part is small (40
    leads at 200): the AUC is then a rough figure, and the page says so (``test_converted``)."""
    converted = sum(1 for s in samples if s.converted)
    if len(samples) < MIN_CLOSED:
        raise NotReady("too_few", closed=len(samples), needed=MIN_CLOSED)
    if min(converted, len(samples) - converted) < MIN_PER_CLASS:
        raise NotReady(
            "one_class", converted=converted, lost=len(samples) - converted, needed=MIN_PER_CLASS
        )
    ordered = sorted(samples, key=lambda s: s.closed_at)
    cut = int(len(ordered) * (1 - HOLDOUT))
    learn, held = ordered[:cut], ordered[cut:]
    truth = [1 if s.converted else 0 for s in held]
    if len(set(truth)) < 2 or len({s.converted for s in learn}) < 2:
        raise NotReady(
            "one_class", converted=converted, lost=len(samples) - converted, needed=MIN_PER_CLASS
        )
    vectoriser, regression, _x = _fit(learn)
    predicted = list(regression.predict_proba(vectoriser.transform(
        [dict(s.features) for s in held]
    ))[:, 1])  # fmt: skip
    evaluation = Evaluation(
        auc=round(auc_score(truth, predicted), 4),
        brier=round(brier_score(truth, predicted), 4),
        calibration=calibration(truth, predicted),
        train=len(learn),
        test=len(held),
        base_rate=round(sum(truth) / len(truth), 4),
        test_converted=sum(truth),
    )
    vectoriser, regression, x = _fit(ordered)
    model = _as_linear(vectoriser, regression, x)
    top = sorted(model.weights.items(), key=lambda kv: abs(kv[1]), reverse=True)[:10]
    return Trained(
        model=model,
        evaluation=evaluation,
        closed=len(samples),
        converted=converted,
        features=len(model.weights),
        top=[{"feature": k, "weight": w} for k, w in top],
    )
