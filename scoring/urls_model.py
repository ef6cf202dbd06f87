"""Settings → Scoring → Conversion model."""

from django.urls import path

from scoring.views import model

urlpatterns = [
    path("settings/scoring/model/", model.model_page, name="scoring-model"),
    path("settings/scoring/model/train/", model.model_retrain, name="scoring-model-train"),
    path("settings/scoring/model/blend/", model.model_blend, name="scoring-model-blend"),
]
