"""The routes of a tenant's site. Apps are included by name, so the platform imports none of
them (the layer contract in .importlinter)."""

from django.urls import include, path

from leadcrm import views
from leadcrm.accounts.urls import settings_urlpatterns

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("accounts/", include("leadcrm.accounts.urls")),
    path("settings/", include(settings_urlpatterns)),
    path("notifications/", include("leadcrm.notifications.urls")),
    path("jobs/", include("leadcrm.jobs.urls")),
    path("", include("leads.urls")),
    path("", include("conversion.urls")),
    path("", include("scoring.urls")),
    path("pools/", include("pools.urls")),
    path("analytics/", include("analytics.urls")),
    path("onboarding/", include("onboarding.urls")),
]
