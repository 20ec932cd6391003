"""A school's request to its cluster for support: advice, one pupil, a group, a project or an emergency."""

from django.conf import settings
from django.db import models
from django.db.models import Sum

from clusterfund.core.storage import private_storage
from clusterfund.funding_requests.lifecycle import RequestStatus
from clusterfund.pupils.needs import AreaOfNeed


class RequestType(models.TextChoices):
    ADVICE_ONLY = "advice", "Advice only"
    INDIVIDUAL = "individual", "Individual"
    GROUP = "group", "Group"
    PROJECT = "project", "Project"
    CONTINGENCY = "contingency", "Contingency or emergency"


class ConsentMethod(models.TextChoices):
    SIGNED_FORM = "signed_form", "Signed form"
    EMAIL = "email", "Email from the parent or carer"
    MEETING = "meeting", "In a meeting, noted at the time"
    PHONE = "phone", "By phone, noted at the time"


class FundingRequestQuerySet(models.QuerySet):
    def with_amount_asked(self) -> "FundingRequestQuerySet":
        """Each request with `amount_asked`: its costed provision in pence (None when it has none)."""
        return self.annotate(amount_asked=Sum("provision_lines__total_pence"))


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
    is_urgent = models.BooleanField(default=False)
    to_city_meeting = models.BooleanField(
        "heard at the next city meeting", default=False, help_text="A contingency request the city pool hears"
    )
    entered_on_paper = models.BooleanField(default=False, help_text="Keyed in by an admin from a paper form")
    # About the need
    need = models.TextField(blank=True)
    primary_area = models.CharField(max_length=30, choices=AreaOfNeed.choices, blank=True)
    other_areas = models.JSONField(default=list, blank=True)
    pupils = models.ManyToManyField("pupils.Pupil", blank=True, related_name="funding_requests")
    children_benefiting = models.PositiveIntegerField(null=True, blank=True)
    benefiting_schools = models.ManyToManyField("organisations.School", blank=True, related_name="+")
    # The graduated approach so far: assess, plan, do, review
    assessed = models.TextField("what was assessed", blank=True)
    planned = models.TextField("what was planned", blank=True)
    done = models.TextField("what was done, and for how long", blank=True)
    reviewed = models.TextField("what changed", blank=True)
    advice_received = models.TextField("advice already received from professionals", blank=True)
    # When the support runs
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    # Parent or carer agreement to the referral
    consent_date = models.DateField(null=True, blank=True)
    consent_method = models.CharField(max_length=12, choices=ConsentMethod.choices, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_on = models.DateField(null=True, blank=True, help_text="When the request was decided")
    version = models.PositiveIntegerField(
        default=0, help_text="0 while a draft; 1 when submitted; +1 a change"
    )
    withdrawn_reason = models.TextField(blank=True)
    meeting = models.ForeignKey(
        "meetings.Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
        help_text="The meeting it was submitted to: the next whose paper deadline had not passed",
    )

    objects = FundingRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["council", "reference"], name="one_reference_per_council"),
        ]
        # The fairness monitor reads the council's requests by when they were submitted.
        indexes = [models.Index(fields=["council", "submitted_at"], name="request_council_submitted")]

    def __str__(self) -> str:
        return self.reference

    @property
    def needs_consent(self) -> bool:
        """Parent or carer agreement is required when named pupils are referred: individual, group and
        contingency requests, which all name their pupils. (Advice only may name a pupil for the discussion,
        and refers nobody; a project names none.)"""
        return self.names_pupils

    @property
    def names_pupils(self) -> bool:
        return self.request_type in (RequestType.INDIVIDUAL, RequestType.GROUP, RequestType.CONTINGENCY)

    @property
    def asks_for_money(self) -> bool:
        return self.request_type != RequestType.ADVICE_ONLY

    @property
    def is_draft(self) -> bool:
        return self.status == RequestStatus.DRAFT

    @property
    def other_area_labels(self) -> list[str]:
        labels = dict(AreaOfNeed.choices)
        return [labels[area] for area in self.other_areas if area in labels]


class Outcome(models.Model):
    """Something the support should change for the child or children, that can be checked."""

    funding_request = models.ForeignKey(FundingRequest, on_delete=models.CASCADE, related_name="outcomes")
    position = models.PositiveSmallIntegerField()
    what = models.TextField()
    by_when = models.DateField()
    how_measured = models.TextField()

    class Meta:
        ordering = ["funding_request", "position"]

    def __str__(self) -> str:
        return self.what[:60]


class ProvisionLine(models.Model):
    """One costed line of the provision map: what, who provides it, how many hours or units, at what cost,
    in which term. The total is whole pence: units times the unit cost, rounded half up."""

    funding_request = models.ForeignKey(
        FundingRequest, on_delete=models.CASCADE, related_name="provision_lines"
    )
    position = models.PositiveSmallIntegerField()
    what = models.CharField(max_length=200)
    provider = models.CharField("who provides it", max_length=200)
    units = models.DecimalField("hours or units", max_digits=7, decimal_places=2)
    unit_cost_pence = models.PositiveIntegerField()
    total_pence = models.PositiveIntegerField()
    term = models.ForeignKey("organisations.Term", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["funding_request", "term__number", "position"]

    def __str__(self) -> str:
        return self.what

    @property
    def units_text(self) -> str:
        """The hours or units as people write them: '10', '1.5', never '1E+1'."""
        return f"{self.units.normalize():f}"


class JointSchool(models.Model):
    """Another school in the cluster that the lead school invites into its request. The school confirms
    its part and names its own pupils, with its own pupils' parents' or carers' agreement, or declines."""

    class Answer(models.TextChoices):
        INVITED = "invited", "Invited"
        CONFIRMED = "confirmed", "Confirmed"
        DECLINED = "declined", "Declined"

    funding_request = models.ForeignKey(
        FundingRequest, on_delete=models.CASCADE, related_name="joint_schools"
    )
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    answer = models.CharField(max_length=10, choices=Answer.choices, default=Answer.INVITED)
    part = models.TextField("the school's part", blank=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField(auto_now_add=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    # The agreement of the parents or carers of the pupils this school names, which it records itself
    consent_date = models.DateField(null=True, blank=True)
    consent_method = models.CharField(max_length=12, choices=ConsentMethod.choices, blank=True)

    class Meta:
        ordering = ["funding_request", "invited_at"]
        constraints = [
            models.UniqueConstraint(fields=["funding_request", "school"], name="one_invitation_per_school")
        ]

    def __str__(self) -> str:
        return f"{self.school} in {self.funding_request}"


class RequestVersion(models.Model):
    """The request as it stood at submission (version 1) and after each later change, with what changed.
    A submitted request is never silently edited."""

    funding_request = models.ForeignKey(FundingRequest, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    changes = models.JSONField(default=list, help_text="[{field, label, before, after}] against the last one")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["funding_request", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["funding_request", "number"], name="one_version_number_per_request"
            )
        ]

    def __str__(self) -> str:
        return f"{self.funding_request} version {self.number}"


EXTENSIONS = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/msword": ".doc",
    "image/png": ".png",
    "image/jpeg": ".jpg",
}


def extension_of(content_type: str) -> str:
    """The file extension a document's content calls for: '.pdf' for a PDF."""
    return EXTENSIONS.get(content_type, "")


def _attachment_path(attachment, filename: str) -> str:
    # The stored name says nothing about the pupil or school: the original name is kept in the row.
    return f"requests/{attachment.funding_request.council_id}/{attachment.token}"


class Attachment(models.Model):
    """A document supporting a request (PDF, Word or an image), kept outside the web root and served only
    to people who may see the request."""

    funding_request = models.ForeignKey(FundingRequest, on_delete=models.CASCADE, related_name="attachments")
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    token = models.CharField(max_length=64, unique=True)
    file = models.FileField(storage=private_storage, upload_to=_attachment_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size_bytes = models.PositiveIntegerField()
    description = models.CharField(max_length=200, blank=True)
    is_anonymised = models.BooleanField(
        default=False, help_text="The school says it names no one, so a blind meeting may see it"
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["funding_request", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def neutral_name(self) -> str:
        """A name for a blind reader's download that says nothing about the school or pupil."""
        return f"document-{self.token[:8]}{extension_of(self.content_type)}"


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
