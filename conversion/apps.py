from django.apps import AppConfig


class ConversionConfig(AppConfig):
    name = "conversion"

    def ready(self) -> None:
        from conversion.services.records import stages_localise_on_create
        from leadcrm.tenancy.signals import tenant_created

        tenant_created.connect(stages_localise_on_create, dispatch_uid="conversion-localise")
