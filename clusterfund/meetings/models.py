"""The cluster's meetings: when and where each is, its paper deadline and its chair."""

import datetime

from django.conf import settings
from django.db import models


class MeetingKind(models.TextChoices):
    ALLOCATION = "allocation", "Allocation meeting"
    IDEAS = "ideas", "Meeting to share ideas and nominate projects"
    CITY = "city", "City meeting for contingency requests"


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    CANCELLED = "cancelled", "Cancelled"


DEFAULT_DEADLINE = datetime.timedelta(days=7)


class MeetingQuerySet(models.QuerySet):
    def planned(self) -> "MeetingQuerySet":
        return self.filter(status=MeetingStatus.PLANNED)

    def taking_papers(self, today: datetime.date) -> "MeetingQuerySet":
        """Planned meetings that decide requests and whose paper deadline has not passed."""
        return self.planned().filter(paper_deadline__gte=today).exclude(kind=MeetingKind.IDEAS)


class Meeting(models.Model):
    """One meeting of a cluster (or of the city pool): a date, a place or a link, the day papers are due
    (by default a week before) and the chair."""

    cluster = models.ForeignKey("organisations.Cluster", on_delete=models.PROTECT, related_name="meetings")
    academic_year = models.ForeignKey(
        "organisations.AcademicYear", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=MeetingKind.choices, default=MeetingKind.ALLOCATION)
    held_on = models.DateField()
    starts_at = models.TimeField(default=datetime.time(15, 45))
    place = models.CharField(max_length=200, blank=True)
    online_link = models.URLField(blank=True)
    paper_deadline = models.DateField()
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=12, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    cancelled_reason = models.TextField(blank=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["held_on", "starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="paper_deadline_not_after_meeting",
                condition=models.Q(paper_deadline__lte=models.F("held_on")),
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.cluster.name} {self.get_kind_display().lower()}, {self.held_on.day} {self.held_on:%B %Y}"
        )

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED
