from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class ConversionConfig(AppConfig):
    name = "conversion"

    def ready(self) -> None:
        from conversion import hooks
        from conversion.services.records import stages_localise_on_create
        from leadcrm.api import register_openapi
        from leadcrm.tenancy.signals import tenant_created
        from leads.hooks import (
            register_bulk_action,
            register_custom_field_record,
            register_lead_page,
        )

        tenant_created.connect(stages_localise_on_create, dispatch_uid="conversion-localise")
        register_lead_page(actions=hooks.lead_actions, panel=hooks.lead_panel)
        register_bulk_action(hooks.bulk_convert)
        register_openapi(hooks.openapi_paths)
        # Custom fields for the records, defined on Settings → Custom fields like the lead's.
        register_custom_field_record("customer", pgettext_lazy("conversion record", "Customer"))
        register_custom_field_record("contact", pgettext_lazy("conversion record", "Contact"))
        register_custom_field_record(
            "opportunity", pgettext_lazy("conversion record", "Opportunity")
        )
