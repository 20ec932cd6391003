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

from clusterfund.core.charts import Chart, bar_chart
from clusterfund.delivery.models import OutcomeReview
from clusterfund.organisations.models import Cluster
from clusterfund.reports.dashboards import Dashboard, clusters_side_by_side, dashboard, requests_in_scope
from clusterfund.reports.fairness import (
    ClusterMonitor,
    CouncilMonitor,
    Flag,
    cluster_monitor,
    council_monitor,
    reads_blind,
    seen_blind,
    times,
)
from clusterfund.reports.fairness_charts import decimal, lorenz_chart, need_and_money_chart
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
    # Whether the reader may see the fairness monitor school by school (`can_view_cluster_fairness`); if
    # not, the report shows the cluster's spread without naming any school.
    names_schools: bool = True
    charts: dict[str, Chart] = field(default_factory=dict)

    @property
    def threshold_words(self) -> str:
        """The flags' money thresholds as the monitor applies them: strictly above or below."""
        thresholds = self.fairness.thresholds
        return (
            f"more than {times(thresholds.high_ratio)} times its share of the need, or less than "
            f"{times(thresholds.low_ratio)} times"
        )

    @property
    def flag_count(self) -> int:
        """How many flags the monitor raised, whether or not the reader may see which schools they name."""
        if self.cluster is None:
            return sum(line.flags for line in self.fairness.clusters)
        return len(self.fairness.flags)


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


# The charts -----------------------------------------------------------------------------------------------


def _charts(year_report: "YearReport") -> dict[str, Chart]:
    """The report's charts: requests by type, the outcomes found, the fairness monitor's picture (each
    school's need and money only for those who may see the monitor school by school; the spread, which
    names nobody, for everyone) and the survey's scores per question."""
    figures, charts = year_report.figures, []
    if figures.by_type:
        charts.append(
            bar_chart(
                slug="requests-by-type",
                title="Requests by type, submitted and funded",
                description=f"The requests submitted in {year_report.academic_year.name}, by type of "
                "request, beside those funded.",
                labels=[label for _, label, _, _ in figures.by_type],
                series=[
                    ("Submitted", [n for _, _, n, _ in figures.by_type]),
                    ("Funded", [funded for _, _, _, funded in figures.by_type]),
                ],
                label_heading="Type of request",
            )
        )
    outcomes = year_report.outcomes
    if outcomes.total:
        charts.append(
            bar_chart(
                slug="outcomes",
                title="Outcomes the impact reviews found",
                description=f"Of the {outcomes.total} outcomes the year's impact reviews looked at, how many "
                "were met, partly met and not met.",
                labels=[label for label, _, _ in outcomes.rows],
                series=[("Outcomes", [n for _, n, _ in outcomes.rows])],
                label_heading="Outcome",
            )
        )
    monitor = year_report.fairness
    if year_report.cluster is not None and year_report.names_schools and monitor.rows:
        charts.append(need_and_money_chart(monitor.rows, description=""))
    if monitor.spread.points:
        whose = (
            year_report.cluster.name if year_report.cluster else f"every school in {year_report.council.name}"
        )
        charts.append(lorenz_chart(monitor.spread, whose))
    questions = [q for q in year_report.survey.questions if q.schools.total or q.team.total]
    if questions:
        charts.append(
            bar_chart(
                slug="survey-scores",
                title="The annual review survey: the mean score per question",
                description="For each question, the mean score the schools and the Team Around the Cluster "
                "gave, from 1 (strongly disagree) to 5 (strongly agree). The questions are numbered as in "
                "the survey's results below.",
                labels=[f"Question {number}" for number, _ in enumerate(questions, start=1)],
                series=[
                    ("Schools", [decimal(q.schools.mean, 2) for q in questions]),
                    ("Team members", [decimal(q.team.mean, 2) for q in questions]),
                ],
                label_heading="Question",
            )
        )
    return {chart.slug: chart for chart in charts}


# The reports ----------------------------------------------------------------------------------------------


def cluster_year_report(
    cluster, academic_year, *, with_comments: bool, reader, names_schools: bool
) -> YearReport:
    """A cluster's year report; the survey's comments only `with_comments` (for admins); the fairness
    monitor school by school only if `names_schools` (for those who may see the cluster's monitor), the
    cluster's spread without names otherwise. A request that `reader` sees only as a blind paper is not
    tied to its school in the fairness monitor's flags."""
    clusters = Cluster.objects.filter(pk=cluster.pk)
    review = review_of(cluster, academic_year)
    reviews = [review] if review else []
    # A blind reader gets the monitor of decided requests only, as on the monitor's page
    monitor = cluster_monitor(cluster, academic_year, decided_only=reads_blind(reader, cluster))
    year_report = YearReport(
        council=cluster.council,
        academic_year=academic_year,
        cluster=cluster,
        figures=dashboard(academic_year=academic_year, clusters=clusters),
        outcomes=_outcomes(requests_in_scope(academic_year, clusters=clusters)),
        fairness=monitor,
        flags=monitor.flags_for(hidden=seen_blind(reader, monitor.waiting)) if names_schools else [],
        survey=survey_results(reviews, with_comments=with_comments),
        reviews=reviews,
        actions=actions_of(reviews),
        names_schools=names_schools,
    )
    year_report.charts = _charts(year_report)
    return year_report


def council_year_report(council, academic_year, *, with_comments: bool, reader=None) -> YearReport:
    """The council's year report: every cluster side by side, the council's fairness monitor, and every
    cluster's survey and changes decided together; comments only `with_comments` (for admins)."""
    clusters = Cluster.objects.filter(council=council)
    reviews = reviews_of_council(council, academic_year)
    monitor = council_monitor(council, academic_year)
    year_report = YearReport(
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
    year_report.charts = _charts(year_report)
    return year_report
