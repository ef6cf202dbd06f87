from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "leads"

    def ready(self):
        from leadcrm.tenancy.signals import tenant_created
        from leads import tasks_dedup, tasks_export, tasks_import  # noqa: F401  (Celery autodiscovers only `tasks`)
        from leads.services.config import default_lists_localise_on_create

        tenant_created.connect(default_lists_localise_on_create, dispatch_uid="leads-localise")
