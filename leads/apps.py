from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "leads"

    def ready(self):
        from leads import tasks_dedup, tasks_export, tasks_import  # noqa: F401  (Celery autodiscovers only `tasks`)
