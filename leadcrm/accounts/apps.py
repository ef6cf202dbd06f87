from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "leadcrm.accounts"
    label = "accounts"
    verbose_name = "Accounts"
