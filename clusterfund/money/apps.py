from django.apps import AppConfig


class MoneyConfig(AppConfig):
    name = "clusterfund.money"
    label = "money"
    verbose_name = "Money"
