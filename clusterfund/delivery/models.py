"""Funded support in delivery and its impact reviews: the "do" and "review" of assess, plan, do, review."""

from django.conf import settings
from django.db import models


class Delivery(models.Model):
    """That the funded support started: when, and who provides it."""

    class Provider(models.TextChoices):
        SCHOOL_STAFF = "school_staff", "The school's own staff"
        ANOTHER_SCHOOL = "another_school", "Another school"
        COMMISSIONED = "commissioned", "A commissioned service"

    funding_request = models.OneToOneField(
        "funding_requests.FundingRequest", on_delete=models.PROTECT, related_name="delivery"
    )
    started_on = models.DateField()
    provider = models.CharField(max_length=16, choices=Provider.choices)
    provider_name = models.CharField(max_length=200, blank=True, help_text="Which school or service")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.funding_request.reference} started {self.started_on}"


class NextStep(models.TextChoices):
    CONTINUE = "continue", "Continue the support"
    STOP = "stop", "Stop: the support is no longer needed"
    ASK_FOR_MORE = "ask_for_more", "Ask the cluster for more"
    EHC_ASSESSMENT = "ehc_assessment", "Request an EHC needs assessment"


class ImpactReviewQuerySet(models.QuerySet):
    def overdue(self, today) -> "ImpactReviewQuerySet":
        return self.filter(done_on=None, due_on__lt=today)

    def due(self) -> "ImpactReviewQuerySet":
        return self.filter(done_on=None)


class ImpactReview(models.Model):
    """A review of funded support, due at the end of each term it funds: each outcome met, partly met or not
    met, and what happens next."""

    funding_request = models.ForeignKey(
        "funding_requests.FundingRequest", on_delete=models.PROTECT, related_name="impact_reviews"
    )
    term = models.ForeignKey("organisations.Term", on_delete=models.PROTECT, null=True, related_name="+")
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    next_step = models.CharField(max_length=16, choices=NextStep.choices, blank=True)
    notes = models.TextField(blank=True)
    children_supported = models.PositiveIntegerField(null=True, blank=True)
    schools_benefited = models.ManyToManyField("organisations.School", blank=True, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reminded_on = models.DateField(null=True, blank=True, help_text="When a reminder last went")

    objects = ImpactReviewQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"Review of {self.funding_request.reference} due {self.due_on}"


class OutcomeReview(models.Model):
    """One outcome of the request, as the review found it, with the evidence."""

    class Result(models.TextChoices):
        MET = "met", "Met"
        PARTLY_MET = "partly_met", "Partly met"
        NOT_MET = "not_met", "Not met"

    review = models.ForeignKey(ImpactReview, on_delete=models.CASCADE, related_name="outcomes")
    outcome = models.ForeignKey("funding_requests.Outcome", on_delete=models.PROTECT, related_name="+")
    result = models.CharField(max_length=12, choices=Result.choices)
    evidence = models.TextField()
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["review", "outcome__position"]
        constraints = [models.UniqueConstraint(fields=["review", "outcome"], name="one_result_per_outcome")]

    def __str__(self) -> str:
        return f"{self.outcome}: {self.result}"
