"""The scoring routes on a lead (mounted at the site's root, beside the leads app's)."""

from django.urls import path

from scoring.views import lead

urlpatterns = [
    path("leads/<uuid:uuid>/score/override/", lead.override_set, name="scoring-override-set"),
    path(
        "leads/<uuid:uuid>/score/override/clear/",
        lead.override_clear,
        name="scoring-override-clear",
    ),
]
