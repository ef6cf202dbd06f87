"""Routes of the first run, mounted at /onboarding/ by leadcrm.urls_tenants."""

from django.urls import path

from onboarding import views

urlpatterns = [
    path("checklist/hide/", views.checklist_hide, name="onboarding-checklist-hide"),
    path("checklist/show/", views.checklist_show, name="onboarding-checklist-show"),
    path("sample/", views.sample_status, name="onboarding-sample-status"),
    path("sample/load/", views.sample_load, name="onboarding-sample-load"),
    path("sample/remove/", views.sample_remove, name="onboarding-sample-remove"),
]
