"""Settings → Conversion (mounted at settings/conversion/)."""

from django.urls import path

from conversion.views import settings

urlpatterns = [
    path("", settings.conversion_settings, name="conversion-settings"),
    path("pipeline/", settings.pipeline, name="conversion-settings-pipeline"),
    path("pipeline/add/", settings.stage_add, name="conversion-stage-add"),
    path("pipeline/<uuid:uuid>/", settings.stage_update, name="conversion-stage-update"),
    path("pipeline/<uuid:uuid>/move/", settings.stage_move, name="conversion-stage-move"),
    path(
        "pipeline/<uuid:uuid>/deactivate/",
        settings.stage_deactivate,
        name="conversion-stage-deactivate",
    ),
    path(
        "pipeline/<uuid:uuid>/activate/", settings.stage_activate, name="conversion-stage-activate"
    ),
    path("mapping/", settings.mapping, name="conversion-settings-mapping"),
    path("mapping/reset/", settings.mapping_reset, name="conversion-mapping-reset"),
]
