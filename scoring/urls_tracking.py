"""Tracking routes: public ones under /t/ (no sign-in: the token is the credential) and the
lead page's "create a tracked link"."""

from django.urls import path

from scoring.views import tracking

urlpatterns = [
    path("t/<str:token>", tracking.track_link, name="scoring-track-link"),
    path("t/<str:token>/p.gif", tracking.track_pixel, name="scoring-track-pixel"),
    path("t/<str:token>/event", tracking.track_event, name="scoring-track-event"),
    path(
        "leads/<uuid:uuid>/tracked-links/",
        tracking.tracking_link_create,
        name="scoring-tracking-link-create",
    ),
]
