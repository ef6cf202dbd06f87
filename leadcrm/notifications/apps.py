from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "leadcrm.notifications"
    label = "notifications"
    verbose_name = "Notifications"
