"""The annual review: the council's survey questions, each cluster's review of its year with the answers of
its member schools and its Team Around the Cluster, and the changes decided for next year."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q


class Agreement(models.IntegerChoices):
    """The five-point scale every question is answered on."""

    STRONGLY_DISAGREE = 1, "Strongly disagree"
    DISAGREE = 2, "Disagree"
    NEITHER = 3, "Neither agree nor disagree"
    AGREE = 4, "Agree"
    STRONGLY_AGREE = 5, "Strongly agree"


class ReviewQuestionQuerySet(models.QuerySet):
    def in_use(self) -> "ReviewQuestionQuerySet":
        """The questions a review opened now would ask, in the council's order."""
        return self.filter(retired_at=None).order_by("position", "pk")


class ReviewQuestion(models.Model):
    """One of the council's own survey questions for the annual review. Retired questions are kept, so that
    reviews that asked them still read."""

    council = models.ForeignKey("organisations.Council", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)
    hint = models.CharField(max_length=300, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = ReviewQuestionQuerySet.as_manager()

    class Meta:
        ordering = ["council", "position", "pk"]

    def __str__(self) -> str:
        return self.text


class AnnualReview(models.Model):
    """A cluster's review of its year: a short survey of its member schools and its Team Around the
    Cluster, open until the admin closes it."""

    cluster = models.ForeignKey("organisations.Cluster", on_delete=models.PROTECT, related_name="+")
    academic_year = models.ForeignKey(
        "organisations.AcademicYear", on_delete=models.PROTECT, related_name="+"
    )
    opened_on = models.DateField()
    note = models.CharField(
        max_length=300,
        blank=True,
        help_text="What kind of review it is, for example the mid-year check",
    )
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["academic_year", "cluster"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "academic_year"], name="one_annual_review_per_year")
        ]

    def __str__(self) -> str:
        return f"Annual review of {self.cluster} {self.academic_year.name}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class SurveyQuestion(models.Model):
    """A question as this review asked it: the council's wording when the review opened, so that later
    edits to the council's list never change what was answered."""

    review = models.ForeignKey(AnnualReview, on_delete=models.CASCADE, related_name="questions")
    source = models.ForeignKey(ReviewQuestion, on_delete=models.SET_NULL, null=True, related_name="+")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)
    hint = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["review", "position"]
        constraints = [
            models.UniqueConstraint(fields=["review", "position"], name="one_survey_question_per_position")
        ]

    def __str__(self) -> str:
        return self.text


class SurveyInvitation(models.Model):
    """Who the survey goes to: one member school (answered once, by any of its staff) or one member of the
    Team Around the Cluster."""

    review = models.ForeignKey(AnnualReview, on_delete=models.CASCADE, related_name="invitations")
    school = models.ForeignKey(
        "organisations.School", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    team_member = models.ForeignKey(
        "organisations.TeamMember", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    keyed_in = models.BooleanField(
        default=False, help_text="The answer was given on paper or by email and entered by the admin"
    )
    reminded_on = models.DateField(null=True, blank=True, help_text="When a reminder last went")

    class Meta:
        ordering = ["review", "pk"]
        constraints = [
            models.CheckConstraint(
                name="invitation_to_a_school_or_a_team_member",
                condition=Q(school__isnull=False, team_member=None)
                | Q(school=None, team_member__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["review", "school"], condition=Q(school__isnull=False), name="one_answer_per_school"
            ),
            models.UniqueConstraint(
                fields=["review", "team_member"],
                condition=Q(team_member__isnull=False),
                name="one_answer_per_team_member",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.school.name if self.school_id else self.team_member.name

    @property
    def is_school(self) -> bool:
        return self.school_id is not None


class SurveyAnswer(models.Model):
    """One invitee's answer to one question: a score on the five-point scale and an optional comment."""

    invitation = models.ForeignKey(SurveyInvitation, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="answers")
    score = models.PositiveSmallIntegerField(
        choices=Agreement.choices, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["invitation", "question__position"]
        constraints = [
            models.UniqueConstraint(fields=["invitation", "question"], name="one_answer_per_question"),
            models.CheckConstraint(name="score_on_the_scale", condition=Q(score__gte=1, score__lte=5)),
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.get_score_display()}"


class ReviewAction(models.Model):
    """A change the annual review decided for next year, with its owner (a person's name or a role), when
    it is due, and whether it is done."""

    review = models.ForeignKey(AnnualReview, on_delete=models.CASCADE, related_name="actions")
    what = models.CharField(max_length=500)
    owner = models.CharField(max_length=200)
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["review", "due_on", "pk"]

    def __str__(self) -> str:
        return self.what


class SuppressionDecision(models.Model):
    """Which of a council's published figures for a year are hidden, as `suppression` last decided it, kept
    with the fingerprint of the data it was decided on. Deciding can take seconds on a large council; a page
    reuses this while its data has the same fingerprint and decides again when it does not. It holds marks
    and made-up alternative counts, never a person."""

    council = models.ForeignKey("organisations.Council", on_delete=models.CASCADE, related_name="+")
    academic_year = models.ForeignKey(
        "organisations.AcademicYear", on_delete=models.CASCADE, related_name="+"
    )
    fingerprint = models.CharField(max_length=64)
    decision = models.JSONField()
    decided_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["council", "academic_year"], name="one_suppression_decision_a_year"
            )
        ]

    def __str__(self):
        return f"Suppression decision for {self.academic_year}"
