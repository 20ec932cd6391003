"""A school's request to its cluster for support: advice, one pupil, a group, a project or an emergency."""

from django.conf import settings
from django.db import models

from clusterfund.funding_requests.lifecycle import RequestStatus


class RequestType(models.TextChoices):
    ADVICE_ONLY = "advice", "Advice only"
    INDIVIDUAL = "individual", "Individual"
    GROUP = "group", "Group"
    PROJECT = "project", "Project"
    CONTINGENCY = "contingency", "Contingency or emergency"


class FundingRequestQuerySet(models.QuerySet):
    def of_school(self, school) -> "FundingRequestQuerySet":
        return self.filter(lead_school=school)

    def drafts(self) -> "FundingRequestQuerySet":
        return self.filter(status=RequestStatus.DRAFT)


class FundingRequest(models.Model):
    """One request, from its draft to its closing review. Known to meetings by its reference code, which
    says nothing about the school."""

    council = models.ForeignKey("organisations.Council", on_delete=models.PROTECT, related_name="+")
    cluster = models.ForeignKey(
        "organisations.Cluster", on_delete=models.PROTECT, related_name="funding_requests"
    )
    academic_year = models.ForeignKey(
        "organisations.AcademicYear", on_delete=models.PROTECT, related_name="+"
    )
    lead_school = models.ForeignKey(
        "organisations.School", on_delete=models.PROTECT, related_name="funding_requests"
    )
    reference = models.CharField(max_length=20)
    request_type = models.CharField(max_length=12, choices=RequestType.choices)
    status = models.CharField(max_length=24, choices=RequestStatus.choices, default=RequestStatus.DRAFT)
    title = models.CharField(max_length=120)
    need = models.TextField(blank=True)
    is_urgent = models.BooleanField(default=False)
    entered_on_paper = models.BooleanField(default=False, help_text="Keyed in by an admin from a paper form")
    pupils = models.ManyToManyField("pupils.Pupil", blank=True, related_name="funding_requests")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)

    objects = FundingRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["council", "reference"], name="one_reference_per_council"),
        ]

    def __str__(self) -> str:
        return self.reference


class ReferenceCounter(models.Model):
    """The last number given to a request in a cluster and year, so references are short and never reused."""

    cluster = models.ForeignKey("organisations.Cluster", on_delete=models.CASCADE, related_name="+")
    academic_year = models.ForeignKey(
        "organisations.AcademicYear", on_delete=models.CASCADE, related_name="+"
    )
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cluster", "academic_year"], name="one_counter_per_cluster_year")
        ]

    def __str__(self) -> str:
        return f"{self.cluster} {self.academic_year}: {self.last_number}"
