from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "clusterfund.audit"
    label = "audit"
