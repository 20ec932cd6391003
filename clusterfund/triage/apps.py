from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "clusterfund.triage"
    label = "triage"
    verbose_name = "Triage, advice and blind papers"
