from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "clusterfund.demo"
    label = "demo"
