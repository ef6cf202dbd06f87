from django.urls import include, path

from leadcrm import views
from leadcrm.accounts.urls import settings_urlpatterns
from leads import api, views_webforms
from leads.urls import lead_settings_urlpatterns, sharing_urlpatterns
from leads.views_tasks import task_list

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("accounts/", include("leadcrm.accounts.urls")),
    path("settings/", include(settings_urlpatterns)),
    path("settings/sharing/", include(sharing_urlpatterns)),
    path("settings/leads/", include(lead_settings_urlpatterns)),
    path("leads/", include("leads.urls")),
    path("tasks/", task_list, name="leads-task-list"),
    path("notifications/", include("leadcrm.notifications.urls")),
    path("pools/", include("pools.urls")),
    path("analytics/", include("analytics.urls")),
    path("f/<uuid:uuid>/", views_webforms.webform_public, name="leads-webform-public"),
    path("api/v1/leads/", api.leads_collection, name="api-leads"),
    path("api/v1/leads/<uuid:uuid>/", api.lead_item, name="api-lead"),
    path("api/v1/openapi.json", api.openapi, name="api-openapi"),
]
