from django.urls import path

from leadcrm.notifications import views

urlpatterns = [
    path("", views.notification_list, name="notifications-list"),
    path("bell/", views.notification_bell, name="notifications-bell"),
    path("read-all/", views.notification_read_all, name="notifications-read-all"),
    path("<uuid:uuid>/read/", views.notification_read, name="notifications-read"),
    path("<uuid:uuid>/open/", views.notification_open, name="notifications-open"),
]
