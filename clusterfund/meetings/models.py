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
STAGE_LABELS = {
    "planned": "Agenda open",
    "frozen": "Agenda frozen",
    "voting": "Vote open",
    "counted": "Vote closed and counted",
    "decided": "Decisions recorded",
    "published": "Minutes published",
    "cancelled": "Cancelled",
}


class MeetingQuerySet(models.QuerySet):
    def planned(self) -> "MeetingQuerySet":
        return self.filter(status=MeetingStatus.PLANNED)

    def taking_papers(self, today: datetime.date) -> "MeetingQuerySet":
        """Planned meetings that decide requests, whose paper deadline has not passed and whose agenda is
        not yet frozen."""
        return (
            self.planned().filter(paper_deadline__gte=today, frozen_at=None).exclude(kind=MeetingKind.IDEAS)
        )


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
    frozen_at = models.DateTimeField(null=True, blank=True, help_text="When the agenda was frozen")
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lot = models.JSONField(
        default=list, help_text="The tie-break order of the agenda's references, drawn when frozen"
    )
    is_blind = models.BooleanField(default=False, help_text="Set from the scheme when the agenda is frozen")
    other_attendees = models.TextField(blank=True, help_text="Who else attended, one a line")
    counting_method = models.CharField(max_length=16, blank=True, help_text="Set from the scheme at the vote")
    vote_opened_at = models.DateTimeField(null=True, blank=True)
    vote_opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    quorum_present = models.PositiveSmallIntegerField(null=True, blank=True)
    quorum_needed = models.PositiveSmallIntegerField(null=True, blank=True)
    pseudonyms = models.JSONField(
        default=dict, help_text="Each school's voter id in the ballot export, fresh for each meeting"
    )
    vote_closed_at = models.DateTimeField(null=True, blank=True)
    vote_closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    result = models.JSONField(default=dict, help_text="The count, kept as it was made")
    fingerprint = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the public export")
    decisions_recorded_at = models.DateTimeField(null=True, blank=True)
    decisions_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    minutes_notes = models.TextField(blank=True)
    minutes_approved_at = models.DateTimeField(null=True, blank=True)
    minutes_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

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

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    @property
    def stage(self) -> str:
        """Where the meeting is: planned, frozen, voting, counted, decided, published (or cancelled)."""
        if self.is_cancelled:
            return "cancelled"
        if self.minutes_approved_at:
            return "published"
        if self.decisions_recorded_at:
            return "decided"
        if self.vote_closed_at:
            return "counted"
        if self.vote_opened_at:
            return "voting"
        return "frozen" if self.is_frozen else "planned"

    @property
    def stage_label(self) -> str:
        return STAGE_LABELS[self.stage]


class ItemOutcome(models.TextChoices):
    APPROVED = "approved", "Approved"
    PART_APPROVED = "part_approved", "Part-approved"
    APPROVED_NOT_FUNDED = "approved_not_funded", "Approved, not funded"
    DECLINED = "declined", "Declined"
    DEFERRED = "deferred", "Deferred"
    RESOLVED_WITH_ADVICE = "resolved_with_advice", "Resolved with advice"


OUTSIDE_THE_VOTE = (ItemOutcome.DEFERRED, ItemOutcome.RESOLVED_WITH_ADVICE)


class AgendaItem(models.Model):
    """A request on a meeting's agenda. Freezing the agenda fixes the amount the meeting votes on and the
    schools that may vote on it: every member school present but the request's own."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    funding_request = models.ForeignKey(
        "funding_requests.FundingRequest", on_delete=models.PROTECT, related_name="agenda_items"
    )
    position = models.PositiveSmallIntegerField()
    carried_over = models.BooleanField(default=False, help_text="Deferred from an earlier meeting")
    amount_pence = models.PositiveBigIntegerField(null=True, blank=True, help_text="Fixed when frozen")
    eligible_school_ids = models.JSONField(default=list, help_text="Fixed when frozen")
    outcome = models.CharField(max_length=24, choices=ItemOutcome.choices, blank=True)
    outcome_note = models.TextField(blank=True, help_text="Why, in plain words")
    funded_pence = models.PositiveBigIntegerField(null=True, blank=True)
    decided_by_lot = models.BooleanField(default=False)
    votes_for = models.PositiveSmallIntegerField(null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(null=True, blank=True)
    votes_abstaining = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "funding_request"], name="one_item_per_request")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.funding_request.reference}"


class Attendance(models.Model):
    """A member school present at a meeting, in person or online."""

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        ONLINE = "online", "Online"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.IN_PERSON)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["meeting", "school__name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "school"], name="one_attendance_per_school")
        ]

    def __str__(self) -> str:
        return f"{self.school} at {self.meeting}"


class Ballot(models.Model):
    """One member school's ballot at a meeting: cast by the school, or recorded by the cluster admin from a
    show of hands or a paper ballot. It has a line for each request the school may vote on and no other."""

    class RecordedAs(models.TextChoices):
        BY_SCHOOL = "by_school", "Cast by the school"
        SHOW_OF_HANDS = "show_of_hands", "Recorded from a show of hands"
        PAPER = "paper", "Recorded from a paper ballot"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="ballots")
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    recorded_as = models.CharField(max_length=16, choices=RecordedAs.choices, default=RecordedAs.BY_SCHOOL)
    cast_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cast_at = models.DateTimeField()
    corrections = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["meeting", "school__name"]
        constraints = [models.UniqueConstraint(fields=["meeting", "school"], name="one_ballot_per_school")]

    def __str__(self) -> str:
        return f"{self.school}'s ballot at {self.meeting}"


class BallotLine(models.Model):
    """A school's vote on one request: for (approves), against, or abstaining."""

    class Choice(models.TextChoices):
        FOR = "for", "For"
        AGAINST = "against", "Against"
        ABSTAIN = "abstain", "Abstain"

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="ballot_lines")
    choice = models.CharField(max_length=8, choices=Choice.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ballot", "item"], name="one_line_per_item")]

    def __str__(self) -> str:
        return f"{self.ballot}: {self.item} {self.choice}"


class MeetingAction(models.Model):
    """An action agreed at a meeting, with its owner and due date, in the minutes."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    text = models.CharField(max_length=500)
    owner = models.CharField(max_length=200)
    due_on = models.DateField()

    class Meta:
        ordering = ["meeting", "due_on", "pk"]

    def __str__(self) -> str:
        return self.text


class ChairsAction(models.Model):
    """An urgent request approved between meetings by the chair and two heads of other schools, up to the
    scheme's limit, funded at once and listed for ratification at the next meeting."""

    funding_request = models.OneToOneField(
        "funding_requests.FundingRequest", on_delete=models.PROTECT, related_name="chairs_action"
    )
    amount_pence = models.PositiveBigIntegerField()
    reason = models.TextField()
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    heads = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    decided_at = models.DateTimeField()
    ratify_at = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="chairs_actions"
    )

    class Meta:
        ordering = ["decided_at", "pk"]

    def __str__(self) -> str:
        return f"Chair's action on {self.funding_request.reference}"
