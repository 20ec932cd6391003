"""The fairness monitor: did the money go where the need is?

For each member school of a cluster in an academic year: its share of the cluster's need (pupils on SEN
support plus pupils with EHC plans, from its latest census up to the end of the year) beside its share of
the money awarded on the cluster's requests that year (committed pence after variations and releases, from
the cluster's pots and the city contingency alike), the ratio of the two, its requests submitted, decided
and approved, and the money per pupil on SEN support. Flags, with the thresholds the council's scheme sets,
ask someone to look again: they are prompts, not verdicts.

- a school whose share of the money is far above or below its share of need (once the cluster has awarded
  anything);
- a member school that sent no request, as lead or joint school, for a run of terms: possible unmet need
  (only terms of years in which the cluster had money count, and the run ends with the chosen year);
- a request that waited for more meetings than the scheme allows (deferred, or approved with no money left
  and carried over);
- a school whose requests are funded far more often in meetings that read them with names than in meetings
  that read them blind, where it has had both (each meeting records whether its papers were blind when its
  agenda was frozen).

Someone who reads the cluster's papers blind (`reads_blind`) is shown each school's figures counted over
decided requests only, so that no figure ties a school to a request not yet decided.

Every read aggregates in the database: the number of queries is the same whatever the number of schools,
requests or ledger entries.
"""

import datetime
import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import Case, Count, F, IntegerField, Max, Min, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from clusterfund.accounts.permissions import scope_of
from clusterfund.core.formatting import pounds
from clusterfund.funding_requests.lifecycle import FUNDED, RequestStatus
from clusterfund.funding_requests.models import FundingRequest, JointSchool
from clusterfund.funding_requests.selectors import DECIDED_Q, requests_visible_to, with_result
from clusterfund.meetings.models import AgendaItem, ItemOutcome, Meeting, MeetingStatus
from clusterfund.money.models import BALANCE_SUMS, COMMITMENT_TYPES, FUNDS_TYPES, LedgerEntry, Pot
from clusterfund.organisations.models import AcademicYear, ClusterMembership, HalfTerm, SchoolCensus
from clusterfund.pupils.models import Pupil
from clusterfund.pupils.needs import AreaOfNeed
from clusterfund.triage.permissions import blind_ids

S = RequestStatus
# Approved: the meeting (or chair's action) gave money, whatever has happened to the request since
# (`FUNDED`). Decided: a decision was recorded and it was not to defer the request (`DECIDED_Q`), as the
# dashboards count it.
# A census older than this many months before the year starts is flagged on the page as out of date.
OLD_CENSUS_MONTHS = 18
# Outcomes that send a request on to the next meeting.
PUT_OFF = (ItemOutcome.DEFERRED, ItemOutcome.APPROVED_NOT_FUNDED)
# Outcomes of the vote itself: what a named or a blind meeting decided on the merits.
VOTED = (
    ItemOutcome.APPROVED,
    ItemOutcome.PART_APPROVED,
    ItemOutcome.APPROVED_NOT_FUNDED,
    ItemOutcome.DECLINED,
)
NO_AREA = "none"
NO_AREA_LABEL = "No area given (projects and cluster-wide work)"

FLAG_TITLES = {
    "money_above": "Money far above its share of need",
    "money_below": "Money far below its share of need",
    "quiet": "No request for a run of terms",
    "waited": "Waited for more than one meeting",
    "named_blind": "Funded more often when named than blind",
}


# How fractions read on the page


def half_up(value: Fraction) -> int:
    return int(value + Fraction(1, 2)) if value >= 0 else -int(-value + Fraction(1, 2))


def percent(value: Fraction | None) -> str:
    """A share as a percentage with one decimal: 1/8 -> '12.5%'."""
    if value is None:
        return ""
    tenths = half_up(value * 1000)
    return f"{tenths // 10}.{tenths % 10}%"


def times(value: Fraction | None) -> str:
    """A ratio with two decimals: 5/2 -> '2.50'."""
    if value is None:
        return ""
    hundredths = half_up(value * 100)
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def pounds_per_pupil(value: Fraction | None) -> str:
    return "" if value is None else pounds(half_up(value))


@dataclass(frozen=True)
class Thresholds:
    """The scheme's thresholds for the flags, from the council's settings."""

    high_ratio: Fraction
    low_ratio: Fraction
    quiet_terms: int
    meetings_waited: int
    named_blind_gap: int  # percentage points

    @classmethod
    def of(cls, council) -> "Thresholds":
        return cls(
            high_ratio=Fraction(council.fairness_high_ratio),
            low_ratio=Fraction(council.fairness_low_ratio),
            quiet_terms=council.fairness_quiet_terms,
            meetings_waited=council.fairness_meetings_waited,
            named_blind_gap=council.fairness_named_blind_gap,
        )


@dataclass(frozen=True)
class Flag:
    """One thing the monitor asks someone to look at, in words."""

    kind: str
    text: str
    school_id: int | None = None
    reference: str = ""
    request_id: int | None = None

    @property
    def title(self) -> str:
        return FLAG_TITLES[self.kind]


@dataclass(frozen=True)
class WaitingRequest:
    """A request that waited for more meetings than the scheme allows."""

    pk: int
    reference: str
    cluster_id: int
    school_id: int
    school_name: str
    status: str
    meetings: int

    @property
    def status_label(self) -> str:
        return RequestStatus(self.status).label


@dataclass
class SchoolRow:
    """One member school's line of the monitor."""

    school: object
    cluster: object
    census_month: datetime.date | None = None
    sen_support: int | None = None
    ehc_plans: int | None = None
    committed_pence: int = 0
    submitted: int = 0
    decided: int = 0
    approved: int = 0
    need_share: Fraction | None = None
    money_share: Fraction | None = None
    quiet_terms: list[str] = field(default_factory=list)
    named_heard: int = 0
    named_funded: int = 0
    blind_heard: int = 0
    blind_funded: int = 0
    flags: list[Flag] = field(default_factory=list)

    @property
    def need(self) -> int | None:
        """Pupils on SEN support plus pupils with EHC plans; None with no census counts."""
        if self.sen_support is None and self.ehc_plans is None:
            return None
        return (self.sen_support or 0) + (self.ehc_plans or 0)

    @property
    def ratio(self) -> Fraction | None:
        """Its share of the money over its share of need (None when either is not known, or no need)."""
        if self.money_share is None or not self.need_share:
            return None
        return self.money_share / self.need_share

    @property
    def per_pupil(self) -> Fraction | None:
        """Pence awarded per pupil on SEN support."""
        return Fraction(self.committed_pence, self.sen_support) if self.sen_support else None

    @property
    def named_rate(self) -> Fraction | None:
        return Fraction(self.named_funded, self.named_heard) if self.named_heard else None

    @property
    def blind_rate(self) -> Fraction | None:
        return Fraction(self.blind_funded, self.blind_heard) if self.blind_heard else None

    @property
    def flag_kinds(self) -> set[str]:
        return {flag.kind for flag in self.flags}


@dataclass
class Totals:
    """A cluster's (or the council's) sums over its member schools."""

    schools: int = 0
    need: int = 0
    sen_support: int = 0
    committed_pence: int = 0
    submitted: int = 0
    decided: int = 0
    approved: int = 0
    without_census: int = 0

    @property
    def per_pupil(self) -> Fraction | None:
        return Fraction(self.committed_pence, self.sen_support) if self.sen_support else None


@dataclass
class Spread:
    """How evenly the money per pupil on SEN support is spread over schools: the Lorenz curve's corners and
    the Gini coefficient (None when nothing was awarded), and how many schools were left out because their
    census has no count of pupils on SEN support."""

    points: list[tuple[Fraction, Fraction]]
    gini: Fraction | None
    schools: int
    left_out: int


@dataclass(frozen=True)
class Census:
    """Which census months the figures of need come from: each month with how many schools' counts it
    gives, the schools with no census counts, and whether even the newest is old for the year."""

    months: list[tuple[datetime.date, int]]
    without: int
    newest: datetime.date | None
    is_old: bool


def months_before(earlier: datetime.date, later: datetime.date) -> int:
    """Whole calendar months from `earlier` to `later`: January 2023 to September 2026 is 44."""
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def census_of(rows: list[SchoolRow], academic_year: AcademicYear) -> Census:
    """The census months the rows' need comes from, and whether the newest is more than
    OLD_CENSUS_MONTHS months before the year starts (or there is none)."""
    counts: dict[datetime.date, int] = defaultdict(int)
    for row in rows:
        if row.census_month is not None:
            counts[row.census_month] += 1
    newest = max(counts, default=None)
    return Census(
        months=sorted(counts.items(), reverse=True),
        without=sum(row.census_month is None for row in rows),
        newest=newest,
        is_old=bool(rows)
        and (newest is None or months_before(newest, academic_year.starts_on) > OLD_CENSUS_MONTHS),
    )


@dataclass
class ClusterMonitor:
    """A cluster's fairness monitor for one academic year. With `decided_only`, every school's figures
    count decided requests only (for a reader who reads the cluster's papers blind)."""

    cluster: object
    academic_year: AcademicYear
    thresholds: Thresholds
    rows: list[SchoolRow]
    waiting: list[WaitingRequest]
    terms_counted: list[str]
    named_meetings: int
    blind_meetings: int
    totals: Totals
    spread: Spread
    has_money: bool = True
    decided_only: bool = False

    @property
    def flags(self) -> list[Flag]:
        """Every flag raised, schools' first (in the order of the table), then the requests'."""
        return self.flags_for(hidden=set())

    def flags_for(self, *, hidden: set[int]) -> list[Flag]:
        """The flags as one person may read them: a request in `hidden` (one they see only as a blind
        paper) is not tied to its school."""
        flags = [flag for row in self.rows for flag in row.flags]
        return flags + [
            flag
            for waiting in self.waiting
            for flag in _waiting_flags(waiting, self.thresholds, hide_school=waiting.pk in hidden)
        ]

    def flags_by_school(self, *, hidden: set[int]) -> dict[int, list[Flag]]:
        """Every flag that concerns each school, as one person may read them: its own, and those of its
        requests that waited, unless the person sees the request only as a blind paper."""
        by_school: dict[int, list[Flag]] = defaultdict(list)
        for flag in self.flags_for(hidden=hidden):
            if flag.school_id is not None:
                by_school[flag.school_id].append(flag)
        return by_school

    @property
    def has_awards(self) -> bool:
        return self.totals.committed_pence > 0

    @property
    def census(self) -> Census:
        return census_of(self.rows, self.academic_year)


@dataclass
class AreaLine:
    """One area of need: the money awarded on requests whose main area it is, beside the share of pupils
    recorded with it as their main area."""

    area: str
    label: str
    committed_pence: int
    requests: int
    pupils: int
    money_share: Fraction | None
    pupil_share: Fraction | None


@dataclass
class ClusterLine:
    """One cluster on the council's monitor."""

    cluster: object
    totals: Totals
    flags: int
    spread: Spread
    has_money: bool = True


@dataclass
class CouncilMonitor:
    """The council's fairness monitor for one academic year: every cluster side by side, money by area of
    need beside the pupils' recorded areas, and the spread of money per pupil over every member school."""

    council: object
    academic_year: AcademicYear
    clusters: list[ClusterLine]
    areas: list[AreaLine]
    pupils_recorded: int
    totals: Totals
    spread: Spread
    monitors: dict[int, ClusterMonitor]

    @property
    def census(self) -> Census:
        return census_of([row for m in self.monitors.values() for row in m.rows], self.academic_year)


@dataclass
class SchoolView:
    """A school's own line of its cluster's monitor, and the cluster's spread without naming any other
    school: the other schools' money per pupil and ratios, in order of the figure itself."""

    school: object
    academic_year: AcademicYear
    cluster: object | None
    row: SchoolRow | None
    waiting: list[WaitingRequest]
    flags: list[Flag]
    others_per_pupil: list[Fraction | None]
    others_ratio: list[Fraction | None]
    totals: Totals | None
    spread: Spread | None
    thresholds: Thresholds
    has_money: bool = True

    @property
    def census(self) -> Census:
        return census_of([self.row] if self.row else [], self.academic_year)


# The reads


def year_of(council, start_year: int | None) -> AcademicYear | None:
    """The council's academic year starting in `start_year`, or its current one."""
    years = AcademicYear.objects.filter(council=council)
    return years.filter(start_year=start_year).first() if start_year else years.current()


def years_of(council) -> list[AcademicYear]:
    """The council's academic years, newest first, for the year picker."""
    return list(AcademicYear.objects.filter(council=council).order_by("-start_year"))


def _memberships(council, academic_year, cluster_ids):
    latest = (
        SchoolCensus.objects.filter(school=OuterRef("school"), census_month__lte=academic_year.ends_on)
        .filter(Q(sen_support__isnull=False) | Q(ehc_plans__isnull=False))
        .order_by("-census_month")
    )
    memberships = ClusterMembership.objects.filter(
        academic_year=academic_year, cluster__council=council, cluster__is_city_pool=False
    )
    if cluster_ids is not None:
        memberships = memberships.filter(cluster_id__in=cluster_ids)
    return list(
        memberships.select_related("school", "cluster")
        .annotate(
            latest_census_month=Subquery(latest.values("census_month")[:1]),
            latest_sen_support=Subquery(latest.values("sen_support")[:1]),
            latest_ehc_plans=Subquery(latest.values("ehc_plans")[:1]),
        )
        .order_by("cluster__number", "cluster__name", "school__name", "school_id")
    )


def _requests_of_year(council, academic_year, cluster_ids):
    requests = FundingRequest.objects.filter(council=council, academic_year=academic_year)
    if cluster_ids is not None:
        requests = requests.filter(cluster_id__in=cluster_ids)
    return requests


def _decided(council):
    """The council's decided requests, as the dashboards count them (`with_result(…, "decided")`), for a
    subquery."""
    return with_result(FundingRequest.objects.filter(council=council), "decided").values("pk")


def _request_counts(requests, *, decided_only: bool) -> dict[tuple[int, int], dict]:
    if decided_only:
        requests = requests.filter(DECIDED_Q)
    rows = (
        requests.order_by()
        .values("cluster_id", "lead_school_id")
        .annotate(
            submitted=Count("pk", filter=Q(submitted_at__isnull=False)),
            decided=Count("pk", filter=DECIDED_Q),
            approved=Count("pk", filter=Q(status__in=FUNDED)),
        )
    )
    return {(row["cluster_id"], row["lead_school_id"]): row for row in rows}


def _committed(council, academic_year, cluster_ids, *, decided_only: bool) -> dict[tuple[int, int], int]:
    entries = LedgerEntry.objects.filter(
        award__funding_request__council=council,
        award__pot__academic_year=academic_year,
        entry_type__in=COMMITMENT_TYPES,
    )
    if cluster_ids is not None:
        entries = entries.filter(award__funding_request__cluster_id__in=cluster_ids)
    if decided_only:
        entries = entries.filter(award__funding_request__in=_decided(council))
    rows = (
        entries.order_by()
        .values("award__funding_request__cluster_id", "award__payee_school_id")
        .annotate(committed=BALANCE_SUMS["committed"])
    )
    return {
        (row["award__funding_request__cluster_id"], row["award__payee_school_id"]): row["committed"]
        for row in rows
    }


def _years_with_money(council, start_years, cluster_ids) -> set[tuple[int, int]]:
    """(cluster, start year) for each of these years in which the cluster had money: funds in its own
    pots, or money committed on its requests (from the city contingency, say). One query."""
    entries = LedgerEntry.objects.filter(
        pot__council=council,
        pot__academic_year__start_year__in=start_years,
        pot__kind__in=(Pot.Kind.CLUSTER, Pot.Kind.CONTINGENCY),
        # Payments move neither balance: leaving them out leaves the sums as they are.
        entry_type__in=(*FUNDS_TYPES, *COMMITMENT_TYPES),
    )
    if cluster_ids is not None:
        entries = entries.filter(
            Q(pot__cluster_id__in=cluster_ids) | Q(award__funding_request__cluster_id__in=cluster_ids)
        )
    rows = (
        entries.order_by()
        .values("pot__cluster_id", "pot__academic_year__start_year", "award__funding_request__cluster_id")
        .annotate(allocated=BALANCE_SUMS["allocated"], committed=BALANCE_SUMS["committed"])
    )
    funded = set()
    for row in rows:
        start_year = row["pot__academic_year__start_year"]
        if row["allocated"] > 0:
            funded.add((row["pot__cluster_id"], start_year))
        if row["committed"] > 0 and row["award__funding_request__cluster_id"] is not None:
            funded.add((row["award__funding_request__cluster_id"], start_year))
    return funded


@dataclass(frozen=True)
class _Term:
    pk: int
    name: str
    start_year: int  # of its academic year
    starts_on: datetime.date
    until: datetime.date  # the day the next term starts, or the day after its year ends
    counted: bool  # its first half term is over, so a quiet term means something
    this_year: bool


def _terms(council, academic_year, today: datetime.date) -> list[_Term]:
    """The terms of this year and the one before, each with the days that count as in it (up to the next
    term's start, so holidays belong to the term before). None comes after the year's end, and a term
    counts only once its first half term is over by `today`."""
    rows = list(
        HalfTerm.objects.filter(
            term__academic_year__council=council,
            term__academic_year__start_year__in=(academic_year.start_year - 1, academic_year.start_year),
        )
        .order_by()
        .values("term_id", "term__season", "term__academic_year__start_year", "term__academic_year__ends_on")
        .annotate(starts_on=Min("starts_on"), first_ends_on=Min("ends_on"), ends_on=Max("ends_on"))
        .order_by("starts_on")
    )
    terms = []
    for index, row in enumerate(rows):
        following = rows[index + 1]["starts_on"] if index + 1 < len(rows) else None
        until = following or row["term__academic_year__ends_on"] + datetime.timedelta(days=1)
        start_year = row["term__academic_year__start_year"]
        terms.append(
            _Term(
                pk=row["term_id"],
                name=f"{row['term__season']} term {start_year + (row['term__season'] != 'autumn')}",
                start_year=start_year,
                starts_on=row["starts_on"],
                until=until,
                counted=row["first_ends_on"] < today,
                this_year=start_year == academic_year.start_year,
            )
        )
    return terms


def _midnight(day: datetime.date) -> datetime.datetime:
    """The moment `day` begins in the council's time zone: `moment < _midnight(day)` is
    `moment.date() < day` there, compared on the stored column itself (no cast per row, so an index
    serves)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _term_of(column: str, terms: list[_Term]) -> Case:
    """Which term a submission falls in, worked out in the query from the terms' boundaries (the terms
    follow one another, each up to the next one's start, and the query reads only moments within them)."""
    return Case(
        *(When(**{f"{column}__lt": _midnight(term.until)}, then=Value(term.pk)) for term in terms),
        default=Value(0),
        output_field=IntegerField(),
    )


def _requests_by_term(council, terms: list[_Term], school_ids, *, decided_only: bool) -> set[tuple[int, int]]:
    """(school, term) for every term in which the school sent a request (a decided one, with
    `decided_only`), as lead school or as a joint school that did not decline, in any cluster: two
    queries. Only the counted terms matter (a run of quiet terms stops at the first term not counted)."""
    terms = list(itertools.takewhile(lambda term: term.counted, terms))
    if not terms:
        return set()
    since, until = _midnight(terms[0].starts_on), _midnight(terms[-1].until)
    led = FundingRequest.objects.filter(
        council=council, lead_school_id__in=school_ids, submitted_at__gte=since, submitted_at__lt=until
    )
    joined = JointSchool.objects.filter(
        funding_request__council=council,
        school_id__in=school_ids,
        funding_request__submitted_at__gte=since,
        funding_request__submitted_at__lt=until,
    ).exclude(answer=JointSchool.Answer.DECLINED)
    if decided_only:
        led = led.filter(DECIDED_Q)
        joined = joined.filter(funding_request__in=_decided(council))
    led = (
        led.order_by()
        .annotate(term=_term_of("submitted_at", terms))
        .values_list("lead_school_id", "term")
        .distinct()
    )
    joined = (
        joined.order_by()
        .annotate(term=_term_of("funding_request__submitted_at", terms))
        .values_list("school_id", "term")
        .distinct()
    )
    return set(led) | set(joined)


def _quiet_run(
    school_id, terms: list[_Term], sent: set[tuple[int, int]], needed: int, years_with_money: set[int]
) -> list[str]:
    """The longest run of counted terms in a row with no request from the school, if it is at least
    `needed` long and reaches into this year; else empty. A term of a year in which the cluster had no
    money breaks the run: there was nothing to ask for."""
    best: list[_Term] = []
    run: list[_Term] = []
    for term in terms:
        if not term.counted:
            break
        if (school_id, term.pk) in sent or term.start_year not in years_with_money:
            run = []
            continue
        run.append(term)
        if len(run) > len(best) and any(t.this_year for t in run):
            best = list(run)
    return [term.name for term in best] if len(best) >= needed else []


def _waiting(council, academic_year, cluster_ids, thresholds: Thresholds) -> list[WaitingRequest]:
    """Requests of the year that waited for more meetings than the scheme allows: the meetings that put
    them off, plus one if they came to their first meeting already carried over (deferred before it), plus
    the meeting that decided them or will. One query, returning only the requests flagged."""
    first_item = (
        AgendaItem.objects.filter(funding_request=OuterRef("pk"))
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .order_by("meeting__held_on", "meeting_id")
        .annotate(carried=Case(When(carried_over=True, then=Value(1)), default=Value(0)))
    )
    rows = (
        _requests_of_year(council, academic_year, cluster_ids)
        .order_by()
        .annotate(
            put_off=Count(
                "agenda_items",
                filter=Q(agenda_items__outcome__in=PUT_OFF)
                & ~Q(agenda_items__meeting__status=MeetingStatus.CANCELLED),
            ),
            carried_in=Coalesce(
                Subquery(first_item.values("carried")[:1], output_field=IntegerField()), Value(0)
            ),
        )
        .annotate(meetings=F("put_off") + F("carried_in") + 1)
        .filter(meetings__gt=thresholds.meetings_waited)
        .values("pk", "reference", "cluster_id", "lead_school_id", "lead_school__name", "status", "meetings")
        .order_by("reference")
    )
    return [
        WaitingRequest(
            pk=row["pk"],
            reference=row["reference"],
            cluster_id=row["cluster_id"],
            school_id=row["lead_school_id"],
            school_name=row["lead_school__name"],
            status=row["status"],
            meetings=row["meetings"],
        )
        for row in rows
    ]


def _waiting_flags(
    waiting: WaitingRequest, thresholds: Thresholds, *, hide_school: bool = False
) -> list[Flag]:
    allowed = "one meeting" if thresholds.meetings_waited == 1 else f"{thresholds.meetings_waited} meetings"
    still = waiting.status == RequestStatus.DEFERRED
    text = (
        (f"{waiting.reference} " if hide_school else f"{waiting.reference} from {waiting.school_name} ")
        + (
            f"is waiting for its {_ordinal(waiting.meetings)} meeting"
            if still
            else f"waited for {waiting.meetings} meetings"
        )
        + f", more than the {allowed} the scheme allows."
    )
    return [
        Flag(
            kind="waited",
            text=text,
            school_id=None if hide_school else waiting.school_id,
            reference=waiting.reference,
            request_id=waiting.pk,
        )
    ]


def _ordinal(number: int) -> str:
    words = {2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth"}
    return words.get(number, f"{number}th")


def _heard(council, academic_year, cluster_ids, *, decided_only: bool) -> dict[tuple[int, int, bool], dict]:
    """For each (cluster, lead school, blind or not): the requests a meeting voted on and how many it
    funded, in meetings whose decisions are recorded (of decided requests only, with `decided_only`). The
    request's own cluster counts, so a contingency heard by the city meeting belongs to the school's
    cluster."""
    items = AgendaItem.objects.filter(
        meeting__cluster__council=council,
        meeting__academic_year=academic_year,
        meeting__frozen_at__isnull=False,
        meeting__decisions_recorded_at__isnull=False,
        outcome__in=VOTED,
    ).exclude(meeting__status=MeetingStatus.CANCELLED)
    if cluster_ids is not None:
        items = items.filter(funding_request__cluster_id__in=cluster_ids)
    if decided_only:
        items = items.filter(funding_request__in=_decided(council))
    rows = (
        items.order_by()
        .values("funding_request__cluster_id", "funding_request__lead_school_id", "meeting__is_blind")
        .annotate(heard=Count("pk"), funded=Count("pk", filter=Q(funded_pence__gt=0)))
    )
    return {
        (
            row["funding_request__cluster_id"],
            row["funding_request__lead_school_id"],
            row["meeting__is_blind"],
        ): row
        for row in rows
    }


def _meetings_held(council, academic_year, cluster_ids) -> dict[tuple[int, bool], int]:
    """How many of each cluster's meetings, named and blind, have recorded decisions."""
    meetings = Meeting.objects.filter(
        cluster__council=council,
        academic_year=academic_year,
        frozen_at__isnull=False,
        decisions_recorded_at__isnull=False,
    ).exclude(status=MeetingStatus.CANCELLED)
    if cluster_ids is not None:
        meetings = meetings.filter(cluster_id__in=cluster_ids)
    rows = meetings.order_by().values("cluster_id", "is_blind").annotate(count=Count("pk"))
    return {(row["cluster_id"], row["is_blind"]): row["count"] for row in rows}


def _school_flags(
    row: SchoolRow, thresholds: Thresholds, *, cluster_awarded: bool, decided_only: bool
) -> list[Flag]:
    name = row.school.name
    flags = []
    if cluster_awarded and row.need is not None:
        ratio = row.ratio
        if row.need == 0 and row.committed_pence > 0:
            flags.append(
                Flag(
                    "money_above",
                    f"{name} was awarded {percent(row.money_share)} of the money with no pupils on SEN "
                    "support or with EHC plans in its census.",
                    row.school.pk,
                )
            )
        elif ratio is not None and ratio > thresholds.high_ratio:
            flags.append(
                Flag(
                    "money_above",
                    f"{name} was awarded {percent(row.money_share)} of the money with "
                    f"{percent(row.need_share)} of the need: {times(ratio)} times its share.",
                    row.school.pk,
                )
            )
        elif ratio is not None and ratio < thresholds.low_ratio:
            awarded = (
                "was awarded nothing"
                if row.committed_pence == 0
                else f"was awarded {percent(row.money_share)} of the money"
            )
            flags.append(
                Flag(
                    "money_below",
                    f"{name} has {percent(row.need_share)} of the need but {awarded}: {times(ratio)} times "
                    "its share.",
                    row.school.pk,
                )
            )
    if row.quiet_terms:
        which = "decided request" if decided_only else "request"
        flags.append(
            Flag(
                "quiet",
                f"No {which} from {name} for {_terms_run(row.quiet_terms)}: possible unmet need.",
                row.school.pk,
            )
        )
    named, blind = row.named_rate, row.blind_rate
    if named is not None and blind is not None and (named - blind) * 100 >= thresholds.named_blind_gap:
        flags.append(
            Flag(
                "named_blind",
                f"{row.named_funded} of {name}'s {row.named_heard} requests voted on in named meetings were "
                f"funded ({percent(named)}), but {row.blind_funded} of {row.blind_heard} in blind meetings "
                f"({percent(blind)}).",
                row.school.pk,
            )
        )
    return flags


def _terms_run(names: list[str]) -> str:
    if len(names) == 1:
        return f"the {names[0]}"
    return f"{len(names)} terms in a row, the {names[0]} to the {names[-1]}"


def _spread(rows: list[SchoolRow]) -> Spread:
    """The Lorenz curve and Gini coefficient of `inequality`, worked out in whole numbers: the same
    fractions, made once each rather than summed as fractions."""
    counted = [row for row in rows if row.sen_support]
    groups = [(row.sen_support, max(row.committed_pence, 0)) for row in counted if row.sen_support > 0]
    # Least funded per pupil first (the order of `inequality`'s exact rates: equal rates divide to equal
    # floats, and rates of pence over pupils differ by far more than a float's precision).
    groups.sort(key=lambda group: group[1] / group[0])
    total_weight = sum(weight for weight, _ in groups)
    total_amount = sum(amount for _, amount in groups)
    points: list[tuple[Fraction, Fraction]] = []
    coefficient = None
    if total_weight and total_amount:
        points = [(Fraction(0), Fraction(0))]
        weight = amount = area_twice = 0
        for group_weight, group_amount in groups:
            area_twice += group_weight * (2 * amount + group_amount)
            weight += group_weight
            amount += group_amount
            points.append((Fraction(weight, total_weight), Fraction(amount, total_amount)))
        whole = total_weight * total_amount
        coefficient = Fraction(whole - area_twice, whole)
    return Spread(points=points, gini=coefficient, schools=len(counted), left_out=len(rows) - len(counted))


def _totals(rows: list[SchoolRow]) -> Totals:
    totals = Totals(schools=len(rows))
    for row in rows:
        totals.need += row.need or 0
        totals.sen_support += row.sen_support or 0
        totals.committed_pence += row.committed_pence
        totals.submitted += row.submitted
        totals.decided += row.decided
        totals.approved += row.approved
        totals.without_census += row.need is None
    return totals


def _monitors(
    council, academic_year, cluster_ids=None, today=None, *, decided_only: bool = False
) -> dict[int, ClusterMonitor]:
    """The monitor of each of the council's clusters (or those in `cluster_ids`) for the year, by cluster
    (each school's figures over decided requests only, with `decided_only`): ten queries, whatever the
    number of clusters, schools, requests and ledger entries."""
    today = today or datetime.date.today()
    thresholds = Thresholds.of(council)
    memberships = _memberships(council, academic_year, cluster_ids)
    requests = _requests_of_year(council, academic_year, cluster_ids)
    counts = _request_counts(requests, decided_only=decided_only)
    committed = _committed(council, academic_year, cluster_ids, decided_only=decided_only)
    terms = _terms(council, academic_year, today)
    school_ids = [membership.school_id for membership in memberships]
    sent = _requests_by_term(council, terms, school_ids, decided_only=decided_only) if school_ids else set()
    with_money = _years_with_money(
        council, (academic_year.start_year - 1, academic_year.start_year), cluster_ids
    )
    heard = _heard(council, academic_year, cluster_ids, decided_only=decided_only)
    held = _meetings_held(council, academic_year, cluster_ids)
    waiting = _waiting(council, academic_year, cluster_ids, thresholds)

    by_cluster: dict[int, list[SchoolRow]] = defaultdict(list)
    clusters = {}
    for membership in memberships:
        key = (membership.cluster_id, membership.school_id)
        count = counts.get(key, {})
        named = heard.get((*key, False), {})
        blind = heard.get((*key, True), {})
        row = SchoolRow(
            school=membership.school,
            cluster=membership.cluster,
            census_month=membership.latest_census_month,
            sen_support=membership.latest_sen_support,
            ehc_plans=membership.latest_ehc_plans,
            committed_pence=committed.get(key, 0),
            submitted=count.get("submitted", 0),
            decided=count.get("decided", 0),
            approved=count.get("approved", 0),
            quiet_terms=_quiet_run(
                membership.school_id,
                terms,
                sent,
                thresholds.quiet_terms,
                {year for cluster_id, year in with_money if cluster_id == membership.cluster_id},
            ),
            named_heard=named.get("heard", 0),
            named_funded=named.get("funded", 0),
            blind_heard=blind.get("heard", 0),
            blind_funded=blind.get("funded", 0),
        )
        by_cluster[membership.cluster_id].append(row)
        clusters[membership.cluster_id] = membership.cluster

    counted_terms = [term.name for term in terms if term.counted and term.this_year]
    monitors = {}
    for cluster_id, rows in by_cluster.items():
        totals = _totals(rows)
        awarded = totals.committed_pence
        has_money = (cluster_id, academic_year.start_year) in with_money
        for row in rows:
            if row.need is not None and totals.need:
                row.need_share = Fraction(row.need, totals.need)
            if awarded > 0:
                row.money_share = Fraction(row.committed_pence, awarded)
            row.flags = _school_flags(
                row, thresholds, cluster_awarded=has_money and awarded > 0, decided_only=decided_only
            )
        member_ids = {row.school.pk for row in rows}
        monitors[cluster_id] = ClusterMonitor(
            cluster=clusters[cluster_id],
            academic_year=academic_year,
            thresholds=thresholds,
            rows=rows,
            waiting=[w for w in waiting if w.cluster_id == cluster_id and w.school_id in member_ids],
            terms_counted=counted_terms,
            named_meetings=held.get((cluster_id, False), 0),
            blind_meetings=held.get((cluster_id, True), 0),
            totals=totals,
            spread=_spread(rows),
            has_money=has_money,
            decided_only=decided_only,
        )
    return monitors


def _empty_monitor(cluster, academic_year, *, decided_only: bool = False) -> ClusterMonitor:
    return ClusterMonitor(
        decided_only=decided_only,
        cluster=cluster,
        academic_year=academic_year,
        thresholds=Thresholds.of(cluster.council),
        rows=[],
        waiting=[],
        terms_counted=[],
        named_meetings=0,
        blind_meetings=0,
        totals=Totals(),
        spread=Spread(points=[], gini=None, schools=0, left_out=0),
    )


def reads_blind(user, cluster) -> bool:
    """Whether the person reads the cluster's requests as blind papers, as `sees_blind` and `blind_ids`
    decide: where the council's papers are blind, everyone but the council's SEND team and the cluster's
    admins. (A school's own staff and the assigned Team Around the Cluster members see some requests in
    full, but the monitor shows every school's figures the same way to everyone who reads blind.)"""
    if not cluster.council.blind_papers:
        return False
    scope = scope_of(user)
    return cluster.council_id not in scope.council_admin_of and cluster.pk not in scope.cluster_admin_of


def cluster_monitor(
    cluster, academic_year, *, today: datetime.date | None = None, decided_only: bool = False
) -> ClusterMonitor:
    """A cluster's fairness monitor for the year: each member school's need and money side by side, its
    requests, and the flags the scheme's thresholds raise. With `decided_only` (for a reader who
    `reads_blind`) every school's figures and flags count decided requests only, so that none reveals
    which school sent a request not yet decided. A constant number of queries."""
    monitors = _monitors(
        cluster.council, academic_year, cluster_ids=[cluster.pk], today=today, decided_only=decided_only
    )
    return monitors.get(cluster.pk) or _empty_monitor(cluster, academic_year, decided_only=decided_only)


def _areas(council, academic_year) -> tuple[list[AreaLine], int]:
    """Money and requests by the request's main area of need, beside the main areas of need of the pupils
    the member schools have recorded here (the census gives no breakdown by area): three queries."""
    money = (
        LedgerEntry.objects.filter(
            award__funding_request__council=council,
            award__pot__academic_year=academic_year,
            entry_type__in=COMMITMENT_TYPES,
        )
        .order_by()
        .values("award__funding_request__primary_area")
        .annotate(committed=BALANCE_SUMS["committed"])
    )
    committed = {row["award__funding_request__primary_area"] or NO_AREA: row["committed"] for row in money}
    request_rows = (
        FundingRequest.objects.filter(
            council=council, academic_year=academic_year, submitted_at__isnull=False
        )
        .order_by()
        .values("primary_area")
        .annotate(count=Count("pk"))
    )
    requests = {row["primary_area"] or NO_AREA: row["count"] for row in request_rows}
    # Counted with a filter per area in one pass, not grouped: no sort of every pupil.
    pupil_counts = (
        Pupil.objects.filter(
            # A school has one membership a year, so each pupil counts once.
            school_id__in=ClusterMembership.objects.filter(
                academic_year=academic_year, cluster__council=council
            ).values("school_id"),
            created_at__lt=_midnight(academic_year.ends_on + datetime.timedelta(days=1)),
        )
        .filter(Q(archived_on__isnull=True) | Q(archived_on__gte=academic_year.starts_on))
        .order_by()
        .aggregate(
            total=Count("pk"),
            **{area: Count("pk", filter=Q(primary_area=area)) for area in [*AreaOfNeed.values, NO_AREA]},
        )
    )
    total_pupils = pupil_counts.pop("total")
    pupils = pupil_counts
    total_money = sum(value for value in committed.values() if value > 0)
    lines = []
    for area, label in [*AreaOfNeed.choices, (NO_AREA, NO_AREA_LABEL)]:
        pence = committed.get(area, 0)
        recorded = pupils.get(area, 0)
        if area == NO_AREA and not pence and not requests.get(area):
            continue
        lines.append(
            AreaLine(
                area=area,
                label=label,
                committed_pence=pence,
                requests=requests.get(area, 0),
                pupils=recorded,
                money_share=Fraction(max(pence, 0), total_money) if total_money else None,
                pupil_share=(Fraction(recorded, total_pupils) if total_pupils else None)
                if area != NO_AREA
                else None,
            )
        )
    return lines, total_pupils


def council_monitor(council, academic_year, *, today: datetime.date | None = None) -> CouncilMonitor:
    """The council's fairness monitor for the year: each cluster's money per pupil on SEN support and its
    flags, the money by area of need beside the pupils' recorded areas, and the spread of money per pupil
    on SEN support over every member school (its Lorenz curve and Gini coefficient). A constant number of
    queries."""
    monitors = _monitors(council, academic_year, today=today)
    all_rows = [row for monitor in monitors.values() for row in monitor.rows]
    areas, pupils_recorded = _areas(council, academic_year)
    clusters = [
        ClusterLine(
            cluster=monitor.cluster,
            totals=monitor.totals,
            flags=len(monitor.flags),
            spread=monitor.spread,
            has_money=monitor.has_money,
        )
        for monitor in monitors.values()
    ]
    return CouncilMonitor(
        council=council,
        academic_year=academic_year,
        clusters=clusters,
        areas=areas,
        pupils_recorded=pupils_recorded,
        totals=_totals(all_rows),
        spread=_spread(all_rows),
        monitors=monitors,
    )


def school_view(school, academic_year, *, today: datetime.date | None = None) -> SchoolView:
    """A school's own line of its cluster's monitor in the year, its flags, and the cluster's spread with
    no other school named: the others' money per pupil and ratios in order of size, never of name."""
    council = school.council
    membership = (
        ClusterMembership.objects.filter(school=school, academic_year=academic_year)
        .select_related("cluster__council")
        .first()
    )
    thresholds = Thresholds.of(council)
    if membership is None:
        return SchoolView(school, academic_year, None, None, [], [], [], [], None, None, thresholds)
    monitor = _monitors(council, academic_year, cluster_ids=[membership.cluster_id], today=today).get(
        membership.cluster_id
    )
    if monitor is None:
        return SchoolView(
            school, academic_year, membership.cluster, None, [], [], [], [], None, None, thresholds
        )
    own = next(row for row in monitor.rows if row.school.pk == school.pk)
    others = [row for row in monitor.rows if row.school.pk != school.pk]
    waiting = [w for w in monitor.waiting if w.school_id == school.pk]
    own_flags = own.flags + [flag for w in waiting for flag in _waiting_flags(w, thresholds)]
    return SchoolView(
        school=school,
        academic_year=academic_year,
        cluster=membership.cluster,
        row=own,
        waiting=waiting,
        flags=own_flags,
        others_per_pupil=sorted(
            (row.per_pupil for row in others), key=lambda value: (value is None, value or 0)
        ),
        others_ratio=sorted((row.ratio for row in others), key=lambda value: (value is None, value or 0)),
        totals=monitor.totals,
        spread=monitor.spread,
        thresholds=thresholds,
        has_money=monitor.has_money,
    )


def seen_blind(user, waiting: list[WaitingRequest]) -> set[int]:
    """Of these waiting requests, the ones the person sees only as blind papers (so the monitor must not
    tie them to their school): one query for the requests, and `blind_ids`'s own few."""
    if not waiting:
        return set()
    requests = FundingRequest.objects.filter(pk__in=[w.pk for w in waiting]).only(
        "pk", "council_id", "cluster_id", "lead_school_id"
    )
    return blind_ids(user, requests)


def readable(user, waiting: list[WaitingRequest]) -> set[int]:
    """Of these waiting requests, the ones the person may open (so the page links only to those): one
    query."""
    if not waiting:
        return set()
    return set(requests_visible_to(user).filter(pk__in=[w.pk for w in waiting]).values_list("pk", flat=True))
