"""The year in numbers: the figures a council's and each cluster's public pages show, with small numbers
suppressed.

What is shown, for one academic year (the requests of that year):

- the pot and how the committed formula split it: each cluster's share and the part held back as
  contingency. This is money by cluster, decided before any request, so it is shown in full;
- requests funded (those with an award) and support started (those whose support has started), by request
  type and by area of need, for each cluster and the council;
- the money awarded to each cluster's requests (committed after variations and releases), only where it is
  summed over at least the council's threshold of awards;
- the median days from a request's decision to its support starting, over at least threshold requests;
- the share of reviewed outcomes that were met, over at least threshold outcomes of at least threshold
  requests (fewer requests and the share could describe one child).

All the counts and money of a council's year are protected together by `suppression` (zero counts are
sensitive: see there), knowing what the year's 360Giving file lists (each school funded, under each
cluster), and a cluster's page shows exactly the council's figures for that cluster, so no page and no pair
of pages gives away a hidden figure. A median or share is hidden when its group is below the
threshold, which says only which side of the threshold the group's count is on, as its "fewer than" does. The
council's share of outcomes met is also hidden whenever a cluster's share is hidden, as the two together
would narrow it down.

Every figure comes from a fixed number of aggregate queries, whatever the size of the council. Deciding what
to hide can take seconds on a large council, so the decision is kept (`SuppressionDecision`) with the
fingerprint of the figures it was made for, and reused until they change.
"""

import datetime
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.utils import timezone

from clusterfund.core.params import whole_number
from clusterfund.delivery.models import OutcomeReview
from clusterfund.funding_requests.models import FundingRequest, RequestType
from clusterfund.money.formula import CENSUS_FACTORS
from clusterfund.money.models import (
    COMMITMENT_TYPES,
    ClusterShare,
    FormulaWeight,
    FundingFormula,
    LedgerEntry,
)
from clusterfund.organisations.models import AcademicYear, Cluster, Council
from clusterfund.pupils.needs import AreaOfNeed
from clusterfund.reports.models import SuppressionDecision
from clusterfund.reports.suppression import TOTAL, Figure, Kind, Mark, Publication

# Advice only is never funded, so it has no column: a column that is always 0 would tell a reader nothing
# and give an attacker a figure known for certain.
FUNDED_TYPES = [(value, label) for value, label in RequestType.choices if value != RequestType.ADVICE_ONLY]
AREAS = list(AreaOfNeed.choices)
NOT_RECORDED = ""
MEASURES = {"funded": "Requests funded", "started": "Support started"}
# The census factors as a parent reads them, without the census's codes.
PLAIN_FACTORS = {
    "pupils_on_roll": "each pupil on roll",
    "sen_support": "each pupil on SEN support",
    "ehc_plans": "each pupil with an education, health and care (EHC) plan",
    "free_school_meals": "each pupil eligible for free school meals",
}


def _times(weight) -> str:
    text = f"{weight.normalize():f}"
    return "once" if text == "1" else f"{text} times"


@dataclass(frozen=True)
class Shown:
    """A figure as the page shows it: its text, and whether it is a number, a 'fewer than' or hidden."""

    text: str
    mark: Mark = Mark.PUBLISHED
    key: str = ""

    @property
    def published(self) -> bool:
        return self.mark is Mark.PUBLISHED


@dataclass(frozen=True)
class Share:
    """One cluster's part of the pot, as the committed formula worked it out (money, shown in full)."""

    cluster: Cluster
    amount_pence: int
    contingency_pence: int
    main_pence: int
    percent: str
    floor_applied: bool
    cap_applied: bool


@dataclass
class Formula:
    """The pot and how the committed formula split it."""

    high_needs_pence: int
    top_slice_pence: int | None
    weights: list[tuple[str, str]]
    shares: list[Share]
    total_pence: int
    total_contingency_pence: int
    floor_pence: int | None
    cap_pence: int | None

    @property
    def counting(self) -> str:
        """What the formula counts, in a sentence: 'each pupil on SEN support once and each pupil with an
        education, health and care (EHC) plan 4 times'."""
        parts = [f"{name} {weight}" for name, weight in self.weights]
        return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else "".join(parts)


@dataclass
class Line:
    """One row of a table: its heading, a link for it, and its figures (the last is the total)."""

    heading: str
    figures: list[Shown]
    href_cluster: Cluster | None = None


@dataclass
class Table:
    caption: str
    columns: list[str]
    lines: list[Line]
    heading: str = "Cluster"  # of the column of row headings


@dataclass
class YearInNumbers:
    """Everything a council's (or one cluster's) public page shows for the year."""

    council: Council
    academic_year: AcademicYear
    threshold: int
    clusters: list[Cluster]
    formula: Formula | None
    counts: dict[tuple, Figure] = field(default_factory=dict)
    medians: dict[int | str, Shown] = field(default_factory=dict)
    outcomes: dict[int | str, Shown] = field(default_factory=dict)
    witnesses: dict = field(default_factory=dict)

    def shown(self, key: tuple) -> Shown:
        """A count or amount as the page shows it."""
        figure = self.counts[key]
        label = "-".join(str(part) for part in key)
        if figure.mark is Mark.WITHHELD:
            return Shown("not published", figure.mark, label)
        if figure.kind is Kind.AMOUNT:
            if figure.mark is Mark.PRIMARY:
                return Shown(f"not shown: fewer than {self.threshold} awards", figure.mark, label)
            if figure.mark is Mark.SECONDARY:
                return Shown("not shown", figure.mark, label)
            return Shown(_pounds(figure.value), figure.mark, label)
        if figure.mark is Mark.PRIMARY:
            return Shown(f"fewer than {self.threshold}", figure.mark, label)
        if figure.mark is Mark.SECONDARY:
            return Shown("not shown", figure.mark, label)
        return Shown(f"{figure.value:,}", figure.mark, label)

    # The council's tables: a row for each cluster and one for the council.

    def _cluster_keys(self):
        return [(cluster.pk, cluster.name, cluster) for cluster in self.clusters] + [
            (TOTAL, "All clusters", None)
        ]

    def _areas(self) -> list[tuple[str, str]]:
        areas = list(AREAS)
        if ("funded", TOTAL, TOTAL, NOT_RECORDED) in self.counts:
            areas.append((NOT_RECORDED, "Not recorded"))
        return areas

    def council_table(self, measure: str, by: str) -> Table:
        """Requests funded or support started (`measure`), by request type or area of need (`by`), for each
        cluster and the council."""
        categories = FUNDED_TYPES if by == "type" else self._areas()
        lines = []
        for cluster_key, name, cluster in self._cluster_keys():
            figures = [self.shown(_key(measure, cluster_key, value, by)) for value, _ in categories] + [
                self.shown((measure, cluster_key, TOTAL, TOTAL))
            ]
            lines.append(Line(name, figures, cluster))
        noun = "request type" if by == "type" else "area of need"
        return Table(f"{MEASURES[measure]} by {noun}", [label for _, label in categories] + ["Total"], lines)

    def cluster_table(self, cluster: Cluster, by: str) -> Table:
        """One cluster's requests funded and support started, by request type or by area of need."""
        categories = FUNDED_TYPES if by == "type" else self._areas()
        lines = [
            Line(label, [self.shown(_key(measure, cluster.pk, value, by)) for measure in MEASURES])
            for value, label in categories
        ]
        lines.append(Line("Total", [self.shown((measure, cluster.pk, TOTAL, TOTAL)) for measure in MEASURES]))
        noun = "request type" if by == "type" else "area of need"
        return Table(
            f"Requests funded and support started by {noun}",
            list(MEASURES.values()),
            lines,
            heading="Request type" if by == "type" else "Area of need",
        )

    def money_table(self) -> Table:
        lines = [
            Line(
                name,
                [self.shown(("funded", key, TOTAL, TOTAL)), self.shown(("money", key))],
                cluster,
            )
            for key, name, cluster in self._cluster_keys()
        ]
        return Table("Money awarded by cluster", ["Requests funded", "Amount awarded"], lines)

    def times_table(self) -> Table:
        lines = [
            Line(name, [self.medians[key], self.outcomes[key]], cluster)
            for key, name, cluster in self._cluster_keys()
        ]
        return Table(
            "Days to support and outcomes met by cluster", ["Median days to support", "Outcomes met"], lines
        )


def _key(measure, cluster_key, value, by):
    return (measure, cluster_key, value, TOTAL) if by == "type" else (measure, cluster_key, TOTAL, value)


def _pounds(pence: int) -> str:
    whole, part = divmod(abs(pence), 100)
    return f"{'-' if pence < 0 else ''}£{whole:,}.{part:02d}"


def year_for_page(council: Council, start_year: str | None) -> AcademicYear | None:
    """The year `?year=` names (its first calendar year), or the council's current year; None for a year
    the council does not have."""
    years = AcademicYear.objects.filter(council=council)
    if start_year is None:
        return years.current()
    if len(start_year) != 4 or whole_number(start_year) is None:
        return None  # '²', '0002025' and '٢٠٢٥' name no page
    return years.filter(start_year=whole_number(start_year)).first()


def _formula(council: Council, academic_year: AcademicYear) -> Formula | None:
    shares = list(
        ClusterShare.objects.filter(
            formula__council=council,
            formula__academic_year=academic_year,
            formula__status=FundingFormula.Status.COMMITTED,
        ).select_related("formula", "cluster")
    )
    if not shares:
        return None
    formula = shares[0].formula
    weights = [
        (
            PLAIN_FACTORS.get(weight.factor, CENSUS_FACTORS.get(weight.factor, weight.factor)),
            _times(weight.weight),
        )
        for weight in FormulaWeight.objects.filter(formula=formula).order_by("id")
        if weight.weight
    ]
    total = sum(share.amount_pence for share in shares)
    return Formula(
        high_needs_pence=formula.high_needs_pence,
        top_slice_pence=formula.top_slice_pence,
        weights=weights,
        shares=[
            Share(
                cluster=share.cluster,
                amount_pence=share.amount_pence,
                contingency_pence=share.contingency_pence,
                main_pence=share.main_pence,
                percent=f"{(100 * share.amount_pence / total):.1f}%" if total else "",
                floor_applied=share.floor_applied,
                cap_applied=share.cap_applied,
            )
            for share in shares
        ],
        total_pence=total,
        total_contingency_pence=sum(share.contingency_pence for share in shares),
        floor_pence=formula.floor_pence,
        cap_pence=formula.cap_pence,
    )


def _median(histogram: dict[int, int]) -> float | None:
    """The median of values given as {value: how many}."""
    size = sum(histogram.values())
    if not size:
        return None
    middle = [(size - 1) // 2, size // 2]
    found, seen = [], 0
    for value in sorted(histogram):
        seen += histogram[value]
        while len(found) < 2 and middle[len(found)] < seen:
            found.append(value)
    return (found[0] + found[1]) / 2


def _days_text(days: float) -> str:
    text = f"{days:g}"
    return f"{text} day" if text == "1" else f"{text} days"


def year_in_numbers(council: Council, academic_year: AcademicYear) -> YearInNumbers:
    """The council's public figures for the year, suppressed, in a fixed number of queries."""
    threshold = council.suppression_threshold
    clusters = list(Cluster.objects.filter(council=council, is_city_pool=False).order_by("number", "name"))
    requests = FundingRequest.objects.filter(council=council, academic_year=academic_year)
    atoms = {
        measure: list(
            requests.filter(condition)
            .order_by()
            .values("cluster", "request_type", "primary_area")
            .annotate(n=Count("id"))
        )
        for measure, condition in (
            ("funded", Q(award__isnull=False)),
            ("started", Q(award__isnull=False, delivery__isnull=False)),
        )
    }
    known = {cluster.pk for cluster in clusters}
    extra = {row["cluster"] for rows in atoms.values() for row in rows} - known
    if extra:  # a request filed under the city pool, say: it still counts, in a row of its own
        clusters += list(Cluster.objects.filter(pk__in=extra).order_by("number", "name"))
    money = {
        row["award__funding_request__cluster"]: row["committed"]
        for row in LedgerEntry.objects.filter(
            award__funding_request__council=council, award__funding_request__academic_year=academic_year
        )
        .order_by()
        .values("award__funding_request__cluster")
        .annotate(committed=Sum("amount_pence", filter=Q(entry_type__in=COMMITMENT_TYPES), default=0))
    }
    areas = [value for value, _ in AREAS]
    if any(row["primary_area"] not in areas for rows in atoms.values() for row in rows):
        areas.append(NOT_RECORDED)
    publication = _publication(threshold, clusters, atoms, money, areas)
    _add_open_data_floors(publication, council, academic_year, clusters, areas)
    counts = _protected(council, academic_year, publication)
    numbers = YearInNumbers(
        council=council,
        academic_year=academic_year,
        threshold=threshold,
        clusters=clusters,
        formula=_formula(council, academic_year),
        counts=counts,
        witnesses=publication.witnesses,
    )
    _add_medians(numbers, requests, clusters)
    _add_outcomes(numbers, academic_year, council, clusters)
    return numbers


def _publication(threshold, clusters, atoms, money, areas) -> Publication:
    """Every count and amount of the year as sums of hidden atoms: requests of one cluster, type and area."""
    publication = Publication(threshold)
    found = {
        (
            measure,
            row["cluster"],
            row["request_type"],
            row["primary_area"] if row["primary_area"] in areas else NOT_RECORDED,
        ): row["n"]
        for measure, rows in atoms.items()
        for row in rows
    }
    types = [value for value, _ in FUNDED_TYPES]
    cells = [(cluster.pk, kind, area) for cluster in clusters for kind in types for area in areas]
    for measure in MEASURES:
        for cluster_pk, kind, area in cells:
            publication.atom(
                (measure, cluster_pk, kind, area), found.get((measure, cluster_pk, kind, area), 0)
            )
    for cell in cells:
        # Support can only start for a funded request.
        publication.at_most(("started", *cell), ("funded", *cell))
    for measure in MEASURES:

        def atoms_of(cluster_pk=None, kind=None, area=None, measure=measure):
            return [
                (measure, c, k, a)
                for c, k, a in cells
                if cluster_pk in (None, c) and kind in (None, k) and area in (None, a)
            ]

        for cluster_key in [cluster.pk for cluster in clusters] + [TOTAL]:
            pk = None if cluster_key == TOTAL else cluster_key
            for kind in types:
                publication.count((measure, cluster_key, kind, TOTAL), atoms_of(pk, kind=kind))
            for area in areas:
                publication.count((measure, cluster_key, TOTAL, area), atoms_of(pk, area=area))
            publication.count((measure, cluster_key, TOTAL, TOTAL), atoms_of(pk))
        # Each row and column of the council's tables, so that no small group is left by subtraction.
        cluster_keys = [cluster.pk for cluster in clusters]
        for cluster_key in [*cluster_keys, TOTAL]:
            total = (measure, cluster_key, TOTAL, TOTAL)
            publication.line(total, [(measure, cluster_key, kind, TOTAL) for kind in types])
            publication.line(total, [(measure, cluster_key, TOTAL, area) for area in areas])
        for kind in types:
            publication.line((measure, TOTAL, kind, TOTAL), [(measure, c, kind, TOTAL) for c in cluster_keys])
        for area in areas:
            publication.line((measure, TOTAL, TOTAL, area), [(measure, c, TOTAL, area) for c in cluster_keys])
        publication.line((measure, TOTAL, TOTAL, TOTAL), [(measure, c, TOTAL, TOTAL) for c in cluster_keys])
    funded = {
        cluster.pk: sum(found.get(("funded", cluster.pk, k, a), 0) for k in types for a in areas)
        for cluster in clusters
    }
    for cluster in clusters:
        publication.atom(("money", "atom", cluster.pk), max(money.get(cluster.pk, 0), 0), Kind.AMOUNT)
        publication.amount(
            ("money", cluster.pk), [("money", "atom", cluster.pk)], contributors=funded[cluster.pk]
        )
    publication.amount(
        ("money", TOTAL),
        [("money", "atom", cluster.pk) for cluster in clusters],
        contributors=sum(funded.values()),
    )
    publication.line(("money", TOTAL), [("money", cluster.pk) for cluster in clusters])
    return publication


def _protected(council: Council, academic_year: AcademicYear, publication: Publication) -> dict:
    """The publication's figures with their marks: the decision kept for the same fingerprint when there is
    one (one query), or a new decision, kept for next time. The kept decision is derived data, like a cache,
    so keeping it is not audited."""
    fingerprint = publication.fingerprint()
    kept = SuppressionDecision.objects.filter(council=council, academic_year=academic_year).first()
    if kept is not None and kept.fingerprint == fingerprint:
        return publication.reuse(kept.decision)
    counts = publication.protect()
    decision = publication.decision()
    if kept is not None:
        SuppressionDecision.objects.filter(pk=kept.pk).update(
            fingerprint=fingerprint, decision=decision, decided_at=timezone.now()
        )
    else:
        try:
            with transaction.atomic():
                SuppressionDecision.objects.create(
                    council=council, academic_year=academic_year, fingerprint=fingerprint, decision=decision
                )
        except IntegrityError:
            pass  # another request decided the same year at the same moment
    return counts


def _add_open_data_floors(publication, council, academic_year, clusters, areas) -> None:
    """What the year's 360Giving file (`exports`) tells a reader: a grant to each school under each cluster
    whose pot funded it, so each cluster funded at least as many requests as it has (school, programme)
    pairs on the list, counted in the cluster of the requests (the public cluster pages list each cluster's
    schools, so a grant from the city pool points to the school's own cluster). One query."""
    pairs = (
        LedgerEntry.objects.filter(award__pot__council=council, award__pot__academic_year=academic_year)
        .order_by()
        .values("award__funding_request__cluster", "award__payee_school", "award__pot__cluster")
        .annotate(committed=Sum("amount_pence", filter=Q(entry_type__in=COMMITMENT_TYPES), default=0))
        .filter(committed__gt=0)
    )
    listed: dict[int, int] = {}
    for row in pairs:
        cluster = row["award__funding_request__cluster"]
        listed[cluster] = listed.get(cluster, 0) + 1
    types = [value for value, _ in FUNDED_TYPES]
    for cluster in clusters:
        if listed.get(cluster.pk):
            publication.at_least(
                [("funded", cluster.pk, kind, area) for kind in types for area in areas], listed[cluster.pk]
            )


def _add_medians(numbers: YearInNumbers, requests, clusters) -> None:
    """Median days from decision to support starting, by cluster and for the council, from a histogram the
    database counts (one query)."""
    rows = (
        requests.filter(award__isnull=False, delivery__isnull=False, decided_on__isnull=False)
        .annotate(
            waited=ExpressionWrapper(
                F("delivery__started_on") - F("decided_on"), output_field=DurationField()
            )
        )
        .order_by()
        .values("cluster", "waited")
        .annotate(n=Count("id"))
    )
    histograms: dict = {cluster.pk: {} for cluster in clusters}
    histograms[TOTAL] = {}
    for row in rows:
        waited = row["waited"]
        days = waited.days if isinstance(waited, datetime.timedelta) else int(waited or 0) // 86_400_000_000
        for key in (row["cluster"], TOTAL):
            bucket = histograms.setdefault(key, {})
            bucket[days] = bucket.get(days, 0) + row["n"]
    t = numbers.threshold
    for key, histogram in histograms.items():
        started = numbers.counts[("started", key, TOTAL, TOTAL)]
        if sum(histogram.values()) < t or started.value < t:
            numbers.medians[key] = Shown(f"not shown: fewer than {t} started", Mark.PRIMARY, f"median-{key}")
        else:
            numbers.medians[key] = Shown(_days_text(_median(histogram)), Mark.PUBLISHED, f"median-{key}")


def _add_outcomes(numbers: YearInNumbers, academic_year, council, clusters) -> None:
    """The share of reviewed outcomes met, by cluster and for the council (one query)."""
    rows = (
        OutcomeReview.objects.filter(
            review__funding_request__council=council, review__funding_request__academic_year=academic_year
        )
        .order_by()
        .values("review__funding_request__cluster")
        .annotate(
            results=Count("id"),
            met=Count("id", filter=Q(result=OutcomeReview.Result.MET)),
            requests=Count("review__funding_request", distinct=True),
        )
    )
    tallies: dict = {cluster.pk: (0, 0, 0) for cluster in clusters}
    for row in rows:
        tallies[row["review__funding_request__cluster"]] = (row["results"], row["met"], row["requests"])
    tallies[TOTAL] = tuple(sum(tally[i] for tally in tallies.values()) for i in range(3))
    t = numbers.threshold
    for key, (results, met, reviewed) in tallies.items():
        label = f"outcomes-{key}"
        if results < t or reviewed < t:
            numbers.outcomes[key] = Shown(f"not shown: fewer than {t} reviewed", Mark.PRIMARY, label)
        else:
            percent = (200 * met + results) // (2 * results)
            numbers.outcomes[key] = Shown(f"{percent}%", Mark.PUBLISHED, label)
    hidden_cluster = any(not shown.published for key, shown in numbers.outcomes.items() if key != TOTAL)
    if hidden_cluster and numbers.outcomes[TOTAL].published:
        # The council's share with the clusters' that are shown would narrow down a hidden one (none or all
        # met overall gives it away), so it goes too. Hiding it only sometimes would itself say something.
        numbers.outcomes[TOTAL] = Shown(
            "not shown, so that a cluster's share stays hidden", Mark.SECONDARY, f"outcomes-{TOTAL}"
        )
