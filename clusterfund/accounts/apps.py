from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "clusterfund.accounts"
    label = "accounts"
