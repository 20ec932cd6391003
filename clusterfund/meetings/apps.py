from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "clusterfund.meetings"
    label = "meetings"
    verbose_name = "Meetings and the vote"
