from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "leadcrm.jobs"
    label = "jobs"
    verbose_name = "Background jobs"
