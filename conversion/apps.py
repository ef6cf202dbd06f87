from django.apps import AppConfig


class ConversionConfig(AppConfig):
    name = "conversion"

    def ready(self) -> None:
        from conversion import hooks
        from conversion.services.records import stages_localise_on_create
        from leadcrm.api import register_openapi
        from leadcrm.tenancy.signals import tenant_created
        from leads.hooks import register_bulk_action, register_lead_page

        tenant_created.connect(stages_localise_on_create, dispatch_uid="conversion-localise")
        register_lead_page(actions=hooks.lead_actions, panel=hooks.lead_panel)
        register_bulk_action(hooks.bulk_convert)
        register_openapi(hooks.openapi_paths)
