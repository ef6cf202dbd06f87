from django.urls import include, path

from leadcrm import views
from leadcrm.accounts.urls import settings_urlpatterns
from leads.urls import sharing_urlpatterns

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("accounts/", include("leadcrm.accounts.urls")),
    path("settings/", include(settings_urlpatterns)),
    path("settings/sharing/", include(sharing_urlpatterns)),
    path("leads/", include("leads.urls")),
    path("pools/", include("pools.urls")),
    path("analytics/", include("analytics.urls")),
]
