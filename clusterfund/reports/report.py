"""The year report of a cluster, or of the council: the money, the activity and the times of the year, the
outcomes its impact reviews found, the fairness monitor, the annual review's survey results, and the changes
decided for next year.

The figures come from the dashboards (`reports.dashboards`) and the fairness monitor (`reports.fairness`);
this module adds the outcomes' breakdown, the survey and the changes decided. Every part is counted in the
database: the report makes the same number of queries however busy the year was.
"""

from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import Count

from clusterfund.delivery.models import OutcomeReview
from clusterfund.organisations.models import Cluster
from clusterfund.reports.dashboards import Dashboard, clusters_side_by_side, dashboard, requests_in_scope
from clusterfund.reports.fairness import (
    ClusterMonitor,
    CouncilMonitor,
    Flag,
    cluster_monitor,
    council_monitor,
    seen_blind,
)
from clusterfund.reports.models import AnnualReview, ReviewAction
from clusterfund.reports.survey import (
    SurveyResults,
    actions_of,
    review_of,
    reviews_of_council,
    survey_results,
)


@dataclass
class Outcomes:
    """The outcomes the year's impact reviews found: met, partly met and not met."""

    met: int = 0
    partly_met: int = 0
    not_met: int = 0

    @property
    def total(self) -> int:
        return self.met + self.partly_met + self.not_met

    def share(self, count: int) -> Fraction | None:
        return Fraction(count, self.total) if self.total else None

    @property
    def rows(self) -> list[tuple[str, int, Fraction | None]]:
        return [
            ("Met", self.met, self.share(self.met)),
            ("Partly met", self.partly_met, self.share(self.partly_met)),
            ("Not met", self.not_met, self.share(self.not_met)),
        ]


@dataclass
class YearReport:
    """Everything in one year report."""

    council: object
    academic_year: object
    cluster: Cluster | None
    figures: Dashboard
    outcomes: Outcomes
    fairness: ClusterMonitor | CouncilMonitor
    flags: list[Flag]
    survey: SurveyResults
    reviews: list[AnnualReview]
    actions: list[ReviewAction]
    side_by_side: list[dict] = field(default_factory=list)


def _outcomes(requests) -> Outcomes:
    counts = dict(
        OutcomeReview.objects.filter(review__funding_request__in=requests)
        .order_by()
        .values_list("result")
        .annotate(n=Count("pk"))
    )
    return Outcomes(
        met=counts.get(OutcomeReview.Result.MET, 0),
        partly_met=counts.get(OutcomeReview.Result.PARTLY_MET, 0),
        not_met=counts.get(OutcomeReview.Result.NOT_MET, 0),
    )


# The reports ----------------------------------------------------------------------------------------------


def cluster_year_report(cluster, academic_year, *, with_comments: bool, reader) -> YearReport:
    """A cluster's year report; the survey's comments only `with_comments` (for admins). A request that
    `reader` sees only as a blind paper is not tied to its school in the fairness monitor's flags."""
    clusters = Cluster.objects.filter(pk=cluster.pk)
    review = review_of(cluster, academic_year)
    reviews = [review] if review else []
    monitor = cluster_monitor(cluster, academic_year)
    return YearReport(
        council=cluster.council,
        academic_year=academic_year,
        cluster=cluster,
        figures=dashboard(academic_year=academic_year, clusters=clusters),
        outcomes=_outcomes(requests_in_scope(academic_year, clusters=clusters)),
        fairness=monitor,
        flags=monitor.flags_for(hidden=seen_blind(reader, monitor.waiting)),
        survey=survey_results(reviews, with_comments=with_comments),
        reviews=reviews,
        actions=actions_of(reviews),
    )


def council_year_report(council, academic_year, *, with_comments: bool, reader=None) -> YearReport:
    """The council's year report: every cluster side by side, the council's fairness monitor, and every
    cluster's survey and changes decided together; comments only `with_comments` (for admins)."""
    clusters = Cluster.objects.filter(council=council)
    reviews = reviews_of_council(council, academic_year)
    monitor = council_monitor(council, academic_year)
    return YearReport(
        council=council,
        academic_year=academic_year,
        cluster=None,
        figures=dashboard(academic_year=academic_year, clusters=clusters),
        outcomes=_outcomes(requests_in_scope(academic_year, clusters=clusters)),
        fairness=monitor,
        flags=[],  # the council's report counts each cluster's flags; its readers see every school
        survey=survey_results(reviews, with_comments=with_comments),
        reviews=reviews,
        actions=actions_of(reviews),
        side_by_side=clusters_side_by_side(council, academic_year),
    )
