"""The tenant's conversion model: its history (closed leads as samples), training and versions,
and what scoring needs to apply the active model to open leads.

Closed leads are Converted (the positive outcome) against Lost, Invalid and Void, merged leads
left out. Each is described as it was when it closed: only the activities and behavioural events
up to its closing date count (the conversion date, else the last status change), so the model
does not learn from what happened because a lead had already been won.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from leads.models import Activity, CustomFieldDefinition, Lead, LeadStatus, SourceChannel
from scoring.models import BehaviourEvent, Blend, PredictiveModel, ScoringSettings
from scoring.predictive.features import lead_features
from scoring.predictive.model import (
    MIN_CLOSED,
    MIN_PER_CLASS,
    LinearModel,
    NotReady,
    Sample,
    train,
)

CLOSED = (LeadStatus.CONVERTED, LeadStatus.LOST, LeadStatus.INVALID, LeadStatus.VOID)
#: The most recent closed leads a training reads: enough to learn any tenant's patterns, few
#: enough that a training fits in a worker's memory and minutes.
TRAIN_MAX = 200_000
#: Leads read per query while collecting the history.
READ_CHUNK = 5000
#: The lead columns the features read (besides the id).
FEATURE_COLUMNS = (
    "id", "company", "job_title", "email", "phone", "mobile", "website", "country", "region",
    "industry", "company_size", "annual_revenue", "source_id", "source_detail", "product_line",
    "priority", "notes", "custom_data", "bant_budget", "bant_authority", "bant_need",
    "bant_timeline", "created_at", "first_follow_up_at",
)  # fmt: skip


def custom_types() -> dict[str, str]:
    """The type of each active lead custom field, by key."""
    return dict(
        CustomFieldDefinition.objects.filter(record="lead", is_active=True).values_list(
            "key", "field_type"
        )
    )


def _closed_leads():
    return Lead.objects.filter(status__in=CLOSED, merged_into__isnull=True).annotate(
        closed_at=Coalesce("converted_at", "status_changed_at", "updated_at")
    )


def training_samples(*, limit: int = TRAIN_MAX) -> list[Sample]:
    """The tenant's closed leads (the ``limit`` most recently closed), as samples."""
    sources = dict(SourceChannel.objects.values_list("pk", "code"))
    types = custom_types()
    ids = list(_closed_leads().order_by("-closed_at", "-id").values_list("id", flat=True)[:limit])
    samples: list[Sample] = []
    for start in range(0, len(ids), READ_CHUNK):
        part = ids[start : start + READ_CHUNK]
        rows = list(
            _closed_leads().filter(id__in=part).values(*FEATURE_COLUMNS, "status", "closed_at")
        )
        before = F("lead__converted_at"), F("lead__status_changed_at"), F("lead__updated_at")
        counts: dict[int, dict] = defaultdict(dict)
        for lead_id, kind, outcome, n in (
            Activity.objects.filter(lead_id__in=part, occurred_at__lte=Coalesce(*before))
            .values_list("lead_id", "kind", "outcome")
            .annotate(n=Count("*"))
            .order_by()
        ):
            counts[lead_id][(kind, outcome)] = n
        events: dict[int, dict] = defaultdict(dict)
        for lead_id, kind, n in (
            BehaviourEvent.objects.filter(lead_id__in=part, at__lte=Coalesce(*before))
            .values_list("lead_id", "kind")
            .annotate(n=Count("*"))
            .order_by()
        ):
            events[lead_id][kind] = n
        for row in rows:
            samples.append(
                Sample(
                    features=lead_features(
                        row,
                        source=sources.get(row["source_id"], ""),
                        activities=counts.get(row["id"], {}),
                        events=events.get(row["id"], {}),
                        custom_types=types,
                    ),
                    converted=row["status"] == LeadStatus.CONVERTED,
                    closed_at=row["closed_at"],
                )
            )
    return samples


def closed_counts() -> tuple[int, int]:
    """(closed leads, converted among them) now: what the not-ready state compares to the
    minimum (one query)."""
    counts = _closed_leads().aggregate(
        closed=Count("*"), converted=Count("id", filter=Q(status=LeadStatus.CONVERTED))
    )
    return counts["closed"], counts["converted"]


def _next_version() -> int:
    last = PredictiveModel.objects.aggregate(v=Max("version"))["v"]
    return (last or 0) + 1


def model_train(*, trigger: str = "", actor=None) -> PredictiveModel:
    """Train on the tenant's history and keep the result as a new version: ready (the model and
    its held-out evaluation), or not ready (why: too few closed leads, or too few of one
    outcome). The previous ready version stays active until a new one is ready."""
    started = time.monotonic()
    samples = training_samples()
    now = timezone.now()
    fields: dict = {"trigger": trigger[:20], "trained_by": actor, "trained_at": now}
    try:
        trained = train(samples)
    except NotReady as exc:
        converted = sum(1 for s in samples if s.converted)
        fields |= {
            "status": PredictiveModel.Status.NOT_READY,
            "reason": exc.key,
            "reason_values": exc.values,
            "closed": len(samples),
            "converted": converted,
        }
    else:
        evaluation = trained.evaluation
        fields |= {
            "status": PredictiveModel.Status.READY,
            "closed": trained.closed,
            "converted": trained.converted,
            "train_size": evaluation.train,
            "test_size": evaluation.test,
            "auc": evaluation.auc,
            "brier": evaluation.brier,
            "base_rate": evaluation.base_rate,
            "test_converted": evaluation.test_converted,
            "calibration": evaluation.calibration,
            "features": trained.features,
            "top": trained.top,
            "model": trained.model.to_json(),
        }
    fields["seconds"] = round(time.monotonic() - started, 3)
    while True:  # two trainings at once (nightly, "retrain now") each get their own version
        try:
            with transaction.atomic():
                return PredictiveModel.objects.create(version=_next_version(), **fields)
        except IntegrityError:
            continue


def model_train_due(*, trigger: str = "nightly") -> PredictiveModel | None:
    """Train unless the history is the one the last training read: the same closed and
    converted counts (an import of history changes them), or, for a tenant with more closed
    leads than a training reads, no lead closed since. The nightly run keeps a version per
    change of history, not per night."""
    last = model_latest()
    if last is not None:
        closed, converted = closed_counts()
        if (last.closed, last.converted) == (closed, converted):
            return None
        if (
            closed > TRAIN_MAX
            and not _closed_leads().filter(closed_at__gt=last.trained_at).exists()
        ):
            return None
    return model_train(trigger=trigger)


def model_active() -> PredictiveModel | None:
    """The newest ready version: the one applied to open leads."""
    return PredictiveModel.objects.filter(status=PredictiveModel.Status.READY).first()


def model_latest() -> PredictiveModel | None:
    """The newest training, ready or not (the settings page shows both)."""
    return PredictiveModel.objects.first()


@dataclass(frozen=True)
class Predictor:
    """What scoring needs to apply the active model to a chunk of leads."""

    version: int
    model: LinearModel
    custom_types: Mapping[str, str]
    blend: str
    weight: float

    def predict(self, row, *, source: str, activities, events) -> tuple[float, list[dict]]:
        features = lead_features(
            row,
            source=source,
            activities=activities,
            events=events,
            custom_types=self.custom_types,
        )
        return self.model.probability(features), self.model.factors(features)

    def shown(self, rules_total: int, probability: float) -> int:
        """The score a person sees: the rule score, the probability in points, or a mix."""
        points = probability * 100
        if self.blend == Blend.MODEL:
            value = points
        elif self.blend == Blend.WEIGHTED:
            value = (1 - self.weight) * rules_total + self.weight * points
        else:
            value = rules_total
        return max(0, min(100, round(value)))


def predictor_load() -> Predictor | None:
    """The active model ready to apply, or None (rule scores stand alone)."""
    active = model_active()
    if active is None or not active.model:
        return None
    settings_row = ScoringSettings.load()
    return Predictor(
        version=active.version,
        model=LinearModel.from_json(active.model),
        custom_types=custom_types(),
        blend=settings_row.blend,
        weight=min(100, settings_row.model_weight) / 100,
    )


#: Versions listed on the model page.
VERSIONS_SHOWN = 12


def auc_reading(auc: float | None) -> str:
    """A plain reading of the held-out AUC (0.5 is a coin toss, 1.0 ranks perfectly)."""
    if auc is None:
        return ""
    if auc >= 0.8:
        return "strong"
    if auc >= 0.7:
        return "useful"
    if auc >= 0.6:
        return "weak"
    return "chance"


def model_overview() -> dict:
    """What Settings → Scoring → Conversion model shows: the active and the newest training,
    the history the tenant has now against the minimum, and the versions kept."""
    active, latest = model_active(), model_latest()
    closed, converted = closed_counts()
    return {
        "active": active,
        "latest": latest,
        "reading": auc_reading(active.auc if active else None),
        "closed_now": closed,
        "converted_now": converted,
        "lost_now": closed - converted,
        "min_closed": MIN_CLOSED,
        "min_per_class": MIN_PER_CLASS,
        "versions": list(PredictiveModel.objects.select_related("trained_by")[:VERSIONS_SHOWN]),
        "settings": ScoringSettings.load(),
    }
