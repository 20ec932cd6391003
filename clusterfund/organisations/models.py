"""Councils, their academic years, clusters and schools, and who is in which cluster each year."""

import datetime
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

OPEN_GOVERNMENT_LICENCE = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
# Open data: a 360Giving prefix is 360G- and the publisher's own part; an org-id is a register's code (a
# country and a list, like GB-LAE) and the organisation's identifier on it. Neither has spaces.
GIVING_PREFIX_PATTERN = r"^360G-[A-Za-z0-9-]+$"
ORG_ID_PATTERN = r"^[A-Z]{2}-[A-Z0-9]+-[A-Za-z0-9.\-]+$"
# The smallest count a council may publish: it may raise it, never lower it below this.
LEAST_SUPPRESSION_THRESHOLD = 5


class Council(models.Model):
    """An English local authority that runs a cluster funding scheme."""

    name = models.CharField(max_length=200)
    la_code = models.PositiveSmallIntegerField("DfE local authority code", unique=True)
    slug = models.SlugField(unique=True)
    send_team_email = models.EmailField(blank=True)
    pupil_names_allowed = models.BooleanField(
        default=True, help_text="Whether schools may store pupils' real names (seen only by their own staff)"
    )
    local_offer_url = models.URLField(blank=True)
    request_cap_pence = models.PositiveIntegerField(
        "most a request may ask for, in pence",
        null=True,
        blank=True,
        help_text="The scheme's cap on one request; blank for no cap",
    )
    year_end_rule = models.CharField(
        "what happens to money left at the year end",
        max_length=16,
        choices=[
            ("carry_forward", "Carried forward to the cluster's next year"),
            ("return", "Returned to the council"),
        ],
        default="carry_forward",
    )
    blind_papers = models.BooleanField(
        "meetings see requests blind",
        default=False,
        help_text="Requests are shown under their reference code, with schools, staff and pupils unnamed",
    )
    triage_guidelines = models.TextField(
        "the scheme's guidelines for triage", blank=True, help_text="What the Team Around the Cluster checks"
    )
    meetings_per_term = models.CharField(
        "how often clusters meet",
        max_length=12,
        choices=[
            ("half_termly", "Once every half term"),
            ("two_a_term", "Twice a term: one to share ideas and nominate projects, one to allocate"),
        ],
        default="half_termly",
    )
    quorum_percent = models.PositiveSmallIntegerField(
        "quorum, per cent of member schools",
        default=50,
        help_text="The share of member schools that must be present before a vote opens",
    )
    counting_method = models.CharField(
        "how a meeting's vote is counted",
        max_length=16,
        choices=[
            ("equal-shares", "Method of Equal Shares: one approval ballot, every school an equal share"),
            ("greedy", "Greedy: one approval ballot, most support first"),
            ("majority", "For, against or abstain on each request, passed requests funded by support"),
        ],
        default="equal-shares",
    )
    chairs_action_limit_pence = models.PositiveBigIntegerField(
        "chair's action limit, pence",
        null=True,
        blank=True,
        help_text="Between meetings the chair and two heads may approve an urgent request up to this; "
        "empty for no chair's action",
    )
    moderation_spread = models.PositiveSmallIntegerField(
        "spread of scores that calls for moderation",
        default=2,
        help_text="When members' scores on a criterion differ by this much or more, the request is moderated",
    )
    giving_prefix = models.CharField(
        "360Giving prefix",
        max_length=60,
        blank=True,
        help_text="The prefix 360Giving registered for the council's grant identifiers, e.g. 360G-kirklees; "
        "blank until it has one",
        validators=[RegexValidator(GIVING_PREFIX_PATTERN, "Enter a 360Giving prefix, like 360G-kirklees")],
    )
    giving_org_id = models.CharField(
        "organisation identifier for open data",
        max_length=60,
        blank=True,
        help_text="The council's org-id, e.g. GB-LAE-KIR (the Local Authorities in England register)",
        validators=[RegexValidator(ORG_ID_PATTERN, "Enter an organisation identifier, like GB-LAE-KIR")],
    )
    open_data_licence = models.URLField(
        "licence of the open data",
        default=OPEN_GOVERNMENT_LICENCE,
        help_text="The address of the licence the published grants data is under",
    )
    suppression_threshold = models.PositiveSmallIntegerField(
        "smallest count that is published",
        default=5,
        validators=[MinValueValidator(LEAST_SUPPRESSION_THRESHOLD), MaxValueValidator(100)],
        help_text="Published figures show any count below this as 'fewer than' it; never below 5",
    )
    # The fairness monitor's thresholds: when a flag asks someone to look again.
    fairness_high_ratio = models.DecimalField(
        "money share above need share, as a ratio",
        max_digits=4,
        decimal_places=2,
        default=Decimal("2.00"),
        validators=[MinValueValidator(Decimal("1.01")), MaxValueValidator(Decimal("20"))],
        help_text="A school whose share of the money is more than this many times its share of need is "
        "flagged",
    )
    fairness_low_ratio = models.DecimalField(
        "money share below need share, as a ratio",
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.50"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("0.99"))],
        help_text="A school whose share of the money is less than this fraction of its share of need is "
        "flagged",
    )
    fairness_quiet_terms = models.PositiveSmallIntegerField(
        "terms without a request",
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(6)],
        help_text="A member school that sends no request for this many terms in a row is flagged",
    )
    fairness_meetings_waited = models.PositiveSmallIntegerField(
        "meetings a request may wait",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text="A request that waits for more meetings than this before its decision is flagged",
    )
    fairness_named_blind_gap = models.PositiveSmallIntegerField(
        "named and blind meetings' gap, percentage points",
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="A school whose requests are funded this many percentage points more often in named "
        "meetings than in blind ones is flagged",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="fairness_ratios_either_side_of_one",
                condition=Q(fairness_low_ratio__lt=1, fairness_high_ratio__gt=1),
            )
        ]

    def __str__(self) -> str:
        return self.name


class AcademicYearQuerySet(models.QuerySet):
    def current(self, today: datetime.date | None = None) -> "AcademicYear | None":
        """The year that contains today, or else the latest year that has started, or the first one."""
        today = today or datetime.date.today()
        return (
            self.filter(starts_on__lte=today).order_by("-starts_on").first()
            or self.order_by("starts_on").first()
        )


class AcademicYear(models.Model):
    """A school year, 1 September to 31 August, with its three terms and six half terms."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="academic_years")
    start_year = models.PositiveSmallIntegerField()
    starts_on = models.DateField()
    ends_on = models.DateField()

    objects = AcademicYearQuerySet.as_manager()

    class Meta:
        ordering = ["council", "start_year"]
        constraints = [
            models.UniqueConstraint(fields=["council", "start_year"], name="one_academic_year_per_start"),
            models.CheckConstraint(
                name="academic_year_dates_in_order", condition=Q(starts_on__lt=models.F("ends_on"))
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The usual short form: '2025/26'."""
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    @property
    def code(self) -> str:
        """The compact form used in reference codes: '2526'."""
        return f"{self.start_year % 100:02d}{(self.start_year + 1) % 100:02d}"


class Term(models.Model):
    class Season(models.TextChoices):
        AUTUMN = "autumn", "Autumn"
        SPRING = "spring", "Spring"
        SUMMER = "summer", "Summer"

    academic_year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="terms")
    season = models.CharField(max_length=10, choices=Season.choices)
    number = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["academic_year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["academic_year", "number"], name="one_term_per_number")
        ]

    def __str__(self) -> str:
        return f"{self.get_season_display()} term {self.academic_year.name}"


class HalfTerm(models.Model):
    """One of the six half terms: clusters meet at least once in each."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="half_terms")
    number = models.PositiveSmallIntegerField(help_text="1 to 6 through the year")
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["term", "number"], name="one_half_term_per_number"),
            models.CheckConstraint(
                name="half_term_dates_in_order", condition=Q(starts_on__lt=models.F("ends_on"))
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """'Autumn 1', 'Spring 2' and so on."""
        return f"{self.term.get_season_display()} {2 - self.number % 2}"


class Cluster(models.Model):
    """A group of neighbouring schools that shares out a pot of High Needs money by a vote.

    A council-wide city pool is a cluster-like owner of money and meetings (for contingency); it has
    no member schools of its own.
    """

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="clusters")
    number = models.PositiveSmallIntegerField(null=True, blank=True)
    name = models.CharField(max_length=200)
    slug = models.SlugField()
    locality = models.CharField(max_length=200, blank=True)
    is_city_pool = models.BooleanField(default=False)
    meeting_rhythm = models.CharField(max_length=300, blank=True)
    how_to_get_support = models.TextField(blank=True)
    contingency_percent = models.DecimalField(
        "share held back as contingency, per cent",
        max_digits=5,
        decimal_places=2,
        default=0,
        help_text="Part of the cluster's allocation kept for emergencies",
    )

    class Meta:
        ordering = ["council", "is_city_pool", "number", "name"]
        constraints = [models.UniqueConstraint(fields=["council", "slug"], name="unique_cluster_slug")]

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    """A school in a council's area: a pupil referral unit is a school here too."""

    class Phase(models.TextChoices):
        NURSERY = "nursery", "Nursery"
        PRIMARY = "primary", "Primary"
        MIDDLE = "middle", "Middle"
        SECONDARY = "secondary", "Secondary"
        ALL_THROUGH = "all_through", "All-through"
        SIXTEEN_PLUS = "16_plus", "16 plus"
        NOT_APPLICABLE = "not_applicable", "Not applicable"

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="schools")
    urn = models.PositiveIntegerField("URN", unique=True, null=True, blank=True)
    name = models.CharField(max_length=200)
    phase = models.CharField(max_length=20, choices=Phase.choices, default=Phase.NOT_APPLICABLE)
    establishment_type = models.CharField(max_length=200, blank=True)
    street = models.CharField(max_length=200, blank=True)
    locality = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=200, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    is_closed = models.BooleanField(
        default=False, help_text="Closed according to Get Information About Schools"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_pupil_referral_unit(self) -> bool:
        return "pupil referral unit" in self.establishment_type.lower()


class SchoolCensus(models.Model):
    """A school's counts from one DfE school census. Blank means suppressed or not known."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="censuses")
    census_month = models.DateField(help_text="The first day of the census month, e.g. 2023-01-01")
    source = models.CharField(max_length=200, blank=True)
    pupils_on_roll = models.PositiveIntegerField(null=True, blank=True)
    sen_support = models.PositiveIntegerField("pupils on SEN support (code K)", null=True, blank=True)
    ehc_plans = models.PositiveIntegerField("pupils with an EHC plan (code E)", null=True, blank=True)
    free_school_meals = models.PositiveIntegerField(
        "pupils eligible for free school meals", null=True, blank=True
    )

    class Meta:
        ordering = ["school", "-census_month"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "census_month"], name="one_census_row_per_school_and_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.census_month:%B %Y}"


class ClusterMembershipQuerySet(models.QuerySet):
    def for_year(self, academic_year) -> "ClusterMembershipQuerySet":
        return self.filter(academic_year=academic_year)


class ClusterMembership(models.Model):
    """A school's place in one cluster for one academic year. Schools can move between years."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="memberships")
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="memberships")
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="memberships")

    objects = ClusterMembershipQuerySet.as_manager()

    class Meta:
        ordering = ["academic_year", "cluster", "school__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "academic_year"], name="one_cluster_per_school_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.school} in {self.cluster} ({self.academic_year})"


class TeamMember(models.Model):
    """A member of a cluster's Team Around the Cluster. They advise and triage; they never vote."""

    class Profession(models.TextChoices):
        EDUCATIONAL_PSYCHOLOGIST = "educational_psychologist", "Educational psychologist"
        SPECIALIST_TEACHER = "specialist_teacher", "Specialist teacher"
        EARLY_SUPPORT = "early_support", "Early Support"
        EHCP_TEAM = "ehcp_team", "EHCP team"
        SEND_TEAM = "send_team", "SEND team"
        LOCALITY_LEAD = "locality_lead", "Locality lead"
        OTHER = "other", "Other professional"

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="team_members")
    name = models.CharField(max_length=200)
    profession = models.CharField(max_length=40, choices=Profession.choices)
    organisation = models.CharField(max_length=200, blank=True)
    user = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="team_memberships"
    )

    class Meta:
        ordering = ["cluster", "profession", "name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.get_profession_display()}"
