"""Every route of the scoring app, mounted at the site root by leadcrm.urls_tenants:
Settings → Scoring here, the lead page's score adjustment in scoring.urls_lead, the public
tracking endpoints in scoring.urls_tracking."""

from django.urls import include, path

from scoring.views import settings

urlpatterns = [
    path("", include("scoring.urls_lead")),
    path("", include("scoring.urls_tracking")),
    path("", include("scoring.urls_model")),
    path("settings/scoring/", settings.scoring_settings, name="scoring-settings"),
    path("settings/scoring/test/", settings.scoring_test, name="scoring-test"),
    path("settings/scoring/thresholds/", settings.thresholds_save, name="scoring-thresholds"),
    path("settings/scoring/dimensions/add/", settings.dimension_add, name="scoring-dimension-add"),
    path(
        "settings/scoring/dimensions/<uuid:uuid>/",
        settings.dimension_update,
        name="scoring-dimension-update",
    ),
    path(
        "settings/scoring/dimensions/<uuid:uuid>/delete/",
        settings.dimension_delete,
        name="scoring-dimension-delete",
    ),
    path("settings/scoring/rules/add/", settings.rule_add, name="scoring-rule-add"),
    path("settings/scoring/rules/<uuid:uuid>/", settings.rule_edit, name="scoring-rule-edit"),
    path(
        "settings/scoring/rules/<uuid:uuid>/delete/",
        settings.rule_delete,
        name="scoring-rule-delete",
    ),
    path("settings/scoring/rules/<uuid:uuid>/move/", settings.rule_move, name="scoring-rule-move"),
    path("settings/scoring/tags/add/", settings.tag_rule_add, name="scoring-tag-add"),
    path("settings/scoring/tags/<uuid:uuid>/", settings.tag_rule_edit, name="scoring-tag-edit"),
    path(
        "settings/scoring/tags/<uuid:uuid>/delete/",
        settings.tag_rule_delete,
        name="scoring-tag-delete",
    ),
]
