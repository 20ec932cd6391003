"""The year in numbers for a council, a cluster or a school: money, requests, times, reviews and reach.

Every figure is counted in the database, grouped where a page shows many (each cluster side by side), so a
dashboard makes the same number of queries for a council of 5 schools as for one of 200 over ten years.
Drafts are the school's own business and are never counted; a request counts in the term it was submitted
in (a holiday belongs to the term after it).
"""

import datetime
import math
from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from clusterfund.delivery.models import ImpactReview, OutcomeReview
from clusterfund.funding_requests.lifecycle import FUNDED, RequestStatus
from clusterfund.funding_requests.models import FundingRequest, JointSchool, ProvisionLine, RequestType
from clusterfund.funding_requests.selectors import DECIDED_Q, submitted_in_term, with_result
from clusterfund.money.models import (
    BALANCE_SUMS,
    COMMITMENT_TYPES,
    LedgerEntry,
    Pot,
    with_derived_balances,
)
from clusterfund.organisations.models import AcademicYear, Cluster, ClusterMembership, School
from clusterfund.organisations.selectors import TERM_NAMES
from clusterfund.pupils.needs import AreaOfNeed

S = RequestStatus


def requests_in_scope(
    academic_year: AcademicYear, *, clusters=None, school: School | None = None, term: int | None = None
) -> QuerySet[FundingRequest]:
    """The year's submitted requests of these clusters (or the school's, as lead school or invited to join
    one), in the term if given."""
    requests = with_result(FundingRequest.objects.filter(academic_year=academic_year), "submitted")
    if clusters is not None:
        requests = requests.filter(cluster__in=clusters)
    if school is not None:
        joined = JointSchool.objects.filter(funding_request=OuterRef("pk"), school=school)
        requests = requests.filter(Q(lead_school=school) | Q(Exists(joined)))
    return submitted_in_term(requests, [academic_year], term)


@dataclass(frozen=True)
class Percentiles:
    """Days, over `count` requests: the median and the 90th percentile (nearest rank)."""

    count: int
    median: int | None
    p90: int | None


def _days(value) -> int:
    if isinstance(value, datetime.timedelta):
        return value.days
    # SQLite hands back the difference in microseconds.
    return int(value) // 86_400_000_000


def percentiles(requests: QuerySet, start, end) -> Percentiles:
    """The median and 90th percentile of the days from `start` to `end` (see SUBMITTED), each read
    as one row of the sorted differences: three queries, however many requests."""
    timed = (
        requests.order_by()
        .filter(**{f"{name}__isnull": False for name in (start[0], end[0])})
        .annotate(days=ExpressionWrapper(end[1] - start[1], output_field=DurationField()))
    )
    count = timed.count()
    if not count:
        return Percentiles(0, None, None)
    ranked = timed.order_by("days", "pk").values_list("days", flat=True)
    median_rank = math.ceil(count / 2) - 1
    p90_rank = math.ceil(count * 9 / 10) - 1
    return Percentiles(count, _days(ranked[median_rank]), _days(ranked[p90_rank]))


# The ends of a time: (the field that must be set, the date it gives).
SUBMITTED = ("submitted_at", TruncDate("submitted_at"))
DECIDED = ("decided_on", F("decided_on"))
STARTED = ("delivery__started_on", F("delivery__started_on"))


@dataclass
class Money:
    """Allocated, committed, paid and available pence, for the main pots and the contingency apart."""

    main: dict = field(default_factory=lambda: with_derived_balances(dict.fromkeys(BALANCE_SUMS, 0)))
    contingency: dict = field(default_factory=lambda: with_derived_balances(dict.fromkeys(BALANCE_SUMS, 0)))


@dataclass
class Dashboard:
    """Every figure on a dashboard, for one council, cluster or school and one year (and term)."""

    academic_year: AcademicYear
    term: int | None
    money: Money
    submitted: int
    by_status: list[tuple[str, str, int]]
    by_type: list[tuple[str, str, int, int]]
    by_area: list[tuple[str, str, int, int]]
    decided: int
    funded: int
    declined: int
    resolved_with_advice: int
    asked_pence: int
    awarded_pence: int
    to_decision: Percentiles
    to_support: Percentiles
    reviews_done: int
    reviews_overdue: int
    outcomes_reviewed: int
    outcomes_met: int
    followed_by_ehc_assessment: int
    member_schools: int
    schools_asking: int
    by_cluster: list[dict] = field(default_factory=list)

    @property
    def approval_rate(self) -> Fraction | None:
        """Funded as a share of decided, or None before anything is decided."""
        return Fraction(self.funded, self.decided) if self.decided else None

    @property
    def outcomes_met_share(self) -> Fraction | None:
        return Fraction(self.outcomes_met, self.outcomes_reviewed) if self.outcomes_reviewed else None

    @property
    def term_name(self) -> str:
        return TERM_NAMES.get(self.term, "")


def _money(pots: QuerySet) -> Money:
    rows = LedgerEntry.objects.filter(pot__in=pots).order_by().values("pot__kind").annotate(**BALANCE_SUMS)
    money = Money()
    for row in rows:
        target = money.contingency if row["pot__kind"] == Pot.Kind.CONTINGENCY else money.main
        for key, value in with_derived_balances(row).items():
            target[key] += value
    return money


def _school_money(school: School, academic_year: AcademicYear) -> Money:
    """What the school's awards from the year's pots committed and paid (its pot is its cluster's)."""
    rows = (
        LedgerEntry.objects.filter(award__payee_school=school, award__pot__academic_year=academic_year)
        .order_by()
        .values("pot__kind")
        .annotate(**BALANCE_SUMS)
    )
    money = Money()
    for row in rows:
        target = money.contingency if row["pot__kind"] == Pot.Kind.CONTINGENCY else money.main
        for key, value in with_derived_balances(row).items():
            target[key] += value
    return money


def _breakdown(requests: QuerySet, field_name: str, choices) -> list[tuple[str, str, int, int]]:
    """(value, label, submitted, funded) for each choice, in the choices' order: one query."""
    rows = {
        row[field_name]: row
        for row in requests.order_by()
        .values(field_name)
        .annotate(total=Count("pk"), funded=Count("pk", filter=Q(status__in=FUNDED)))
    }
    return [
        (value, label, rows.get(value, {}).get("total", 0), rows.get(value, {}).get("funded", 0))
        for value, label in choices
    ]


def _committed_on(requests: QuerySet) -> int:
    return (
        LedgerEntry.objects.filter(award__funding_request__in=requests, entry_type__in=COMMITMENT_TYPES)
        .order_by()
        .aggregate(total=Sum("amount_pence", default=0))["total"]
    )


def _asked(requests: QuerySet) -> int:
    return ProvisionLine.objects.filter(funding_request__in=requests).aggregate(
        total=Sum("total_pence", default=0)
    )["total"]


def _reviews(requests: QuerySet, today: datetime.date) -> dict:
    reviews = ImpactReview.objects.filter(funding_request__in=requests).order_by()
    counts = reviews.aggregate(
        done=Count("pk", filter=Q(done_on__isnull=False)),
        overdue=Count("pk", filter=Q(done_on__isnull=True, due_on__lt=today)),
    )
    outcomes = OutcomeReview.objects.filter(review__in=reviews).aggregate(
        reviewed=Count("pk"), met=Count("pk", filter=Q(result=OutcomeReview.Result.MET))
    )
    return {**counts, **outcomes}


def dashboard(
    *,
    academic_year: AcademicYear,
    clusters: QuerySet[Cluster] | None = None,
    school: School | None = None,
    term: int | None = None,
    today: datetime.date | None = None,
) -> Dashboard:
    """The figures for the clusters given (a council's, or one) or for one school, for the year and, if
    given, the term (1 to 3). Money is the whole year's: a pot is given for a year, not a term."""
    today = today or timezone.localdate()
    requests = requests_in_scope(academic_year, clusters=clusters, school=school, term=term)
    counts = requests.order_by().aggregate(
        submitted=Count("pk"),
        decided=Count("pk", filter=DECIDED_Q),
        funded=Count("pk", filter=Q(status__in=FUNDED)),
        declined=Count("pk", filter=Q(status=S.DECLINED)),
        advice=Count("pk", filter=Q(status=S.RESOLVED_WITH_ADVICE)),
        schools_asking=Count("lead_school", distinct=True),
    )
    status_counts = dict(requests.order_by().values_list("status").annotate(n=Count("pk")))
    by_status = [
        (value, label, status_counts[value]) for value, label in S.choices if status_counts.get(value)
    ]
    if school is not None:
        money = _school_money(school, academic_year)
        member_schools = 1
    else:
        pots = Pot.objects.filter(academic_year=academic_year, cluster__in=clusters)
        money = _money(pots)
        member_schools = ClusterMembership.objects.filter(
            academic_year=academic_year, cluster__in=clusters
        ).count()
    reviews = _reviews(requests, today)
    funded_requests = requests.filter(status__in=FUNDED)
    return Dashboard(
        academic_year=academic_year,
        term=term,
        money=money,
        submitted=counts["submitted"],
        by_status=by_status,
        by_type=_breakdown(requests, "request_type", RequestType.choices),
        by_area=_breakdown(requests, "primary_area", AreaOfNeed.choices),
        decided=counts["decided"],
        funded=counts["funded"],
        declined=counts["declined"],
        resolved_with_advice=counts["advice"],
        asked_pence=_asked(requests.filter(DECIDED_Q)),
        awarded_pence=_committed_on(funded_requests),
        to_decision=percentiles(requests.filter(DECIDED_Q), SUBMITTED, DECIDED),
        to_support=percentiles(funded_requests, DECIDED, STARTED),
        reviews_done=reviews["done"],
        reviews_overdue=reviews["overdue"],
        outcomes_reviewed=reviews["reviewed"],
        outcomes_met=reviews["met"],
        followed_by_ehc_assessment=with_result(requests, "ehc_assessment").count(),
        member_schools=member_schools,
        schools_asking=counts["schools_asking"] if school is None else min(1, counts["submitted"]),
    )


def clusters_side_by_side(
    council, academic_year: AcademicYear, *, term: int | None = None, today: datetime.date | None = None
) -> list[dict]:
    """Each of the council's clusters (the city pool last) with its money and main figures, in a fixed
    number of grouped queries."""
    today = today or timezone.localdate()
    clusters = list(Cluster.objects.filter(council=council).order_by("is_city_pool", "number", "name"))
    requests = requests_in_scope(academic_year, clusters=clusters, term=term)
    counts = {
        row["cluster"]: row
        for row in requests.order_by()
        .values("cluster")
        .annotate(
            submitted=Count("pk"),
            decided=Count("pk", filter=DECIDED_Q),
            funded=Count("pk", filter=Q(status__in=FUNDED)),
            schools_asking=Count("lead_school", distinct=True),
        )
    }
    money = {}
    for row in (
        LedgerEntry.objects.filter(pot__academic_year=academic_year, pot__cluster__in=clusters)
        .order_by()
        .values("pot__cluster", "pot__kind")
        .annotate(**BALANCE_SUMS)
    ):
        money.setdefault(row["pot__cluster"], Money())
        target = money[row["pot__cluster"]]
        pot = target.contingency if row["pot__kind"] == Pot.Kind.CONTINGENCY else target.main
        for key, value in with_derived_balances(row).items():
            pot[key] += value
    members = dict(
        ClusterMembership.objects.filter(academic_year=academic_year, cluster__in=clusters)
        .order_by()
        .values_list("cluster")
        .annotate(n=Count("pk"))
    )
    overdue = dict(
        ImpactReview.objects.filter(funding_request__in=requests, done_on__isnull=True, due_on__lt=today)
        .order_by()
        .values_list("funding_request__cluster")
        .annotate(n=Count("pk"))
    )
    empty = {"submitted": 0, "decided": 0, "funded": 0, "schools_asking": 0}
    side_by_side = []
    for cluster in clusters:
        row = counts.get(cluster.pk, empty)
        side_by_side.append(
            {
                "cluster": cluster,
                "money": money.get(cluster.pk, Money()),
                "submitted": row["submitted"],
                "decided": row["decided"],
                "funded": row["funded"],
                "approval_rate": Fraction(row["funded"], row["decided"]) if row["decided"] else None,
                "reviews_overdue": overdue.get(cluster.pk, 0),
                "member_schools": members.get(cluster.pk, 0),
                "schools_asking": row["schools_asking"],
            }
        )
    return side_by_side
