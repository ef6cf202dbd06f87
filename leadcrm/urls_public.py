from django.urls import path

from leadcrm import views
from leadcrm.tenancy import views as tenancy_views

urlpatterns = [
    path("", tenancy_views.landing, name="public-landing"),
    path("signup/", tenancy_views.signup, name="public-signup"),
    path("signup/check/", tenancy_views.subdomain_check, name="public-subdomain-check"),
    path("healthz/", views.healthz, name="public-healthz"),
    path("favicon.ico", views.favicon, name="public-favicon"),
]
