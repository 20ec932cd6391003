"""The Team Around the Cluster at work: who triages each request, the scheme's criteria and each member's
scores, questions back to the school, triage outcomes, the advice log, resources schools share, and the
register of interests."""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q

from clusterfund.organisations.models import TeamMember


class TriageAssignment(models.Model):
    """A Team Around the Cluster member asked to triage one request."""

    funding_request = models.ForeignKey(
        "funding_requests.FundingRequest", on_delete=models.CASCADE, related_name="triage_assignments"
    )
    member = models.ForeignKey(TeamMember, on_delete=models.PROTECT, related_name="assignments")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["funding_request", "assigned_at"]
        constraints = [
            models.UniqueConstraint(fields=["funding_request", "member"], name="one_assignment_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.member} on {self.funding_request}"


class Criterion(models.Model):
    """One of the scheme's criteria, scored from 1 to `scale` with a descriptor for each point."""

    council = models.ForeignKey("organisations.Council", on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=120)
    guidance = models.TextField(blank=True)
    descriptors = models.JSONField(help_text="What each point of the scale means, from 1 upwards")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["council", "position"]
        verbose_name_plural = "criteria"

    def __str__(self) -> str:
        return self.name

    @property
    def scale(self) -> int:
        return len(self.descriptors)


class Score(models.Model):
    """One member's score of one request against one criterion, with the reason for it."""

    funding_request = models.ForeignKey(
        "funding_requests.FundingRequest", on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    scorer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField()
    justification = models.TextField()
    scored_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["funding_request", "criterion__position", "scorer_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["funding_request", "criterion", "scorer"], name="one_score_per_criterion_and_scorer"
            ),
            models.CheckConstraint(name="score_at_least_one", condition=Q(value__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.value}"


class InformationRequest(models.Model):
    """Questions the Team Around the Cluster sent back to the school, and the school's answer."""

    funding_request = models.ForeignKey(
        "funding_requests.FundingRequest", on_delete=models.CASCADE, related_name="information_requests"
    )
    questions = models.TextField()
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["funding_request", "asked_at"]

    def __str__(self) -> str:
        return f"Questions on {self.funding_request}"


class TriageOutcome(models.TextChoices):
    READY_FOR_MEETING = "ready_for_meeting", "Ready for meeting"
    MORE_INFORMATION = "more_information", "More information needed"
    RESOLVED_WITH_ADVICE = "resolved_with_advice", "Resolved with advice"
    REDIRECTED = "redirected", "Redirected"


class TriageDecision(models.Model):
    """Where triage sent a request, and why: a recommendation and amount for the meeting, questions for
    the school, the advice that resolved it, or the route it was redirected to."""

    funding_request = models.ForeignKey(
        "funding_requests.FundingRequest", on_delete=models.CASCADE, related_name="triage_decisions"
    )
    outcome = models.CharField(max_length=24, choices=TriageOutcome.choices)
    recommended_pence = models.PositiveBigIntegerField(null=True, blank=True)
    recommendation = models.TextField(blank=True, help_text="For the meeting, or why it was redirected")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["funding_request", "-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{self.funding_request}: {self.get_outcome_display()}"


class SharedResource(models.Model):
    """Something a school can share with others in its cluster: a room, trained staff, equipment,
    places on training."""

    class Kind(models.TextChoices):
        ROOM = "room", "A room or space"
        STAFF = "staff", "Trained staff"
        EQUIPMENT = "equipment", "Equipment or resources"
        TRAINING = "training", "Training places"
        OTHER = "other", "Something else"

    school = models.ForeignKey(
        "organisations.School", on_delete=models.CASCADE, related_name="shared_resources"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    title = models.CharField(max_length=120)
    description = models.TextField()
    is_available = models.BooleanField(default=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["school__name", "title"]

    def __str__(self) -> str:
        return self.title


class ResourceRequest(models.Model):
    """A school asking another to share a resource, and the answer."""

    class Answer(models.TextChoices):
        ASKED = "asked", "Asked"
        AGREED = "agreed", "Agreed"
        DECLINED = "declined", "Declined"

    resource = models.ForeignKey(SharedResource, on_delete=models.CASCADE, related_name="requests")
    school = models.ForeignKey("organisations.School", on_delete=models.CASCADE, related_name="+")
    note = models.TextField()
    answer = models.CharField(max_length=10, choices=Answer.choices, default=Answer.ASKED)
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField(auto_now_add=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-asked_at"]

    def __str__(self) -> str:
        return f"{self.school} asks for {self.resource}"


class AdviceRecord(models.Model):
    """Support that needed no money: a visit, a consultation, a solution-focused discussion, a resource
    lent. Recorded against a school and, where it was about them, its pupils, for their evidence."""

    class Kind(models.TextChoices):
        VISIT = "visit", "Specialist teacher visit"
        CONSULTATION = "consultation", "Educational psychologist consultation"
        DISCUSSION = "discussion", "Solution-focused discussion"
        RESOURCE = "resource", "Resource lent or shared by another school"
        OTHER = "other", "Other advice"

    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="advice")
    pupils = models.ManyToManyField("pupils.Pupil", blank=True, related_name="advice")
    funding_request = models.ForeignKey(
        "funding_requests.FundingRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="advice",
    )
    shared_resource = models.ForeignKey(
        SharedResource, on_delete=models.SET_NULL, null=True, blank=True, related_name="advice"
    )
    kind = models.CharField(max_length=14, choices=Kind.choices)
    given_on = models.DateField()
    given_by = models.CharField("who gave it", max_length=200)
    advice = models.TextField("what was advised")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-given_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.given_on}"


class Interest(models.Model):
    """A declared interest in a school: a member of staff who governs another school, a Team Around the
    Cluster member whose child attends one. In blind mode the person does not see that school's requests,
    and they never score them."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="interests")
    school = models.ForeignKey("organisations.School", on_delete=models.CASCADE, related_name="+")
    description = models.CharField(max_length=300)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    declared_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-declared_at"]

    def __str__(self) -> str:
        return f"{self.person}: {self.school}"


# The request's free text, as a paper shows it, in the order it reads.
PAPER_FIELDS = {
    "title": "Title",
    "need": "The need",
    "assessed": "What was assessed",
    "planned": "What was planned",
    "done": "What was done, and for how long",
    "reviewed": "What changed",
    "advice_received": "Advice already received",
}


def fingerprint(text: str) -> str:
    """Which version of a field a school's rewording was written for."""
    return hashlib.sha256(text.encode()).hexdigest()


class PaperWording(models.Model):
    """The school's own wording of one field of its blind paper, for the text as it stood when written;
    set aside if that text changes. It is redacted again before anyone reads it."""

    funding_request = models.ForeignKey(
        "funding_requests.FundingRequest", on_delete=models.CASCADE, related_name="paper_wording"
    )
    field = models.CharField(max_length=20, choices=list(PAPER_FIELDS.items()))
    text = models.TextField()
    source_fingerprint = models.CharField(max_length=64)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["funding_request", "field"], name="one_wording_per_paper_field")
        ]

    def __str__(self) -> str:
        return f"{self.funding_request} {self.field}"
