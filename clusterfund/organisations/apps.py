from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "clusterfund.organisations"
    label = "organisations"
