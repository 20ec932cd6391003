"""Pupils as their school keeps them: a pseudonymous reference, needs and EHC plan status."""

import datetime

from django.conf import settings
from django.db import models

from clusterfund.pupils.needs import AreaOfNeed, SenType


class EhcStatus(models.TextChoices):
    NONE = "none", "No EHC plan"
    REQUESTED = "requested", "EHC needs assessment requested"
    IN_PLACE = "in_place", "EHC plan in place"


YEAR_GROUPS = [("N", "Nursery"), ("R", "Reception")] + [(str(n), f"Year {n}") for n in range(1, 15)]


class PupilQuerySet(models.QuerySet):
    def of_school(self, school) -> "PupilQuerySet":
        return self.filter(school=school)

    def current(self) -> "PupilQuerySet":
        """Pupils the school still works with (not archived)."""
        return self.filter(archived_on__isnull=True)


class Pupil(models.Model):
    """A child a school may bring to the cluster. Known by the school's own reference, never by a UPN;
    a real name, if the council allows one at all, is seen only by that school's staff."""

    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="pupils")
    reference = models.CharField(max_length=30)
    name = models.CharField(max_length=200, blank=True)
    year_group = models.CharField(max_length=2, choices=YEAR_GROUPS)
    primary_area = models.CharField(max_length=30, choices=AreaOfNeed.choices)
    secondary_areas = models.JSONField(default=list, blank=True)
    sen_type = models.CharField("primary type of need", max_length=4, choices=SenType.choices, blank=True)
    ehc_status = models.CharField(max_length=10, choices=EhcStatus.choices, default=EhcStatus.NONE)
    ehc_status_since = models.DateField(null=True, blank=True)
    free_school_meals = models.BooleanField(default=False)
    looked_after = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    archived_on = models.DateField(null=True, blank=True)

    objects = PupilQuerySet.as_manager()

    class Meta:
        ordering = ["school", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["school", "reference"], name="one_pupil_reference_per_school")
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def secondary_area_labels(self) -> list[str]:
        labels = dict(AreaOfNeed.choices)
        return [labels[area] for area in self.secondary_areas if area in labels]


class EhcStatusChange(models.Model):
    """The pupil's EHC plan status over time: part of the evidence for an EHC needs assessment."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="ehc_history")
    status = models.CharField(max_length=10, choices=EhcStatus.choices)
    changed_on = models.DateField(default=datetime.date.today)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pupil", "changed_on", "recorded_at"]

    def __str__(self) -> str:
        return f"{self.pupil} {self.get_status_display()} from {self.changed_on}"


class PupilTransfer(models.Model):
    """A pupil's move to another school in the cluster; their history moves with them."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="transfers")
    from_school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    to_school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    transferred_on = models.DateField(default=datetime.date.today)
    transferred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["pupil", "transferred_on"]

    def __str__(self) -> str:
        return f"{self.pupil} from {self.from_school} to {self.to_school}"
