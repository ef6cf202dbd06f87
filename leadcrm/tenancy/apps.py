from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "leadcrm.tenancy"
    label = "tenancy"
    verbose_name = "Tenancy"
