from django.apps import AppConfig


class PupilsConfig(AppConfig):
    name = "clusterfund.pupils"
    label = "pupils"
