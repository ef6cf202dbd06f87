from django.urls import path

from leadcrm.jobs import views

urlpatterns = [
    path("<uuid:uuid>/", views.job_status, name="jobs-status"),
]
