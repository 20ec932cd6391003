from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "clusterfund.core"
    label = "core"
    verbose_name = "Core"
