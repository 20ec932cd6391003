"""A council at scale, invented from a seed, for measuring the pages on a decade of data.

By default 200 schools in 20 clusters over ten academic years (the last one the current year, as far as the
`as_of` day), with about 60,000 funding requests and everything that follows from them as the services would
have recorded it: triage decisions, meetings with their attendance, ballots and decisions, awards with their
commitments, schedules and monthly payments, variations and awards ended early, deliveries, impact reviews
with a result for each outcome, year ends that carry money forward, and the census the formula read.

Nothing goes through the services one row at a time (that would take hours): rows are built in Python, a
cluster's year at a time, and saved with `bulk_create` in one transaction. The same seed, scale and `as_of`
day give the same council. Schools, URNs, people and requests are invented; URNs start at 900000, above any
that Get Information About Schools has given, and the DfE LA code is one England does not use.
"""

import datetime
import math
import random
import uuid
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from clusterfund.accounts.models import RoleAssignment, User
from clusterfund.audit.models import AuditEvent
from clusterfund.audit.services import record_event
from clusterfund.delivery.models import Delivery, ImpactReview, NextStep, OutcomeReview
from clusterfund.demo.loader import DEMO_PASSWORD
from clusterfund.funding_requests.lifecycle import RequestStatus as S
from clusterfund.funding_requests.models import (
    ConsentMethod,
    FundingRequest,
    Outcome,
    ProvisionLine,
    ReferenceCounter,
    RequestVersion,
)
from clusterfund.funding_requests.models import RequestType as T
from clusterfund.meetings.models import AgendaItem, Attendance, Ballot, BallotLine, ItemOutcome, Meeting
from clusterfund.money.formula import CENSUS_FACTORS, largest_remainder
from clusterfund.money.models import (
    Award,
    ClusterShare,
    EntryType,
    FormulaWeight,
    FundingFormula,
    LedgerEntry,
    Pot,
    ScheduledPayment,
    financial_year_of,
)
from clusterfund.money.services import work_out_shares
from clusterfund.organisations import services as organisations
from clusterfund.organisations.models import (
    Cluster,
    ClusterMembership,
    Council,
    HalfTerm,
    School,
    SchoolCensus,
    TeamMember,
)
from clusterfund.pupils.models import EhcStatus, EhcStatusChange, Pupil
from clusterfund.pupils.needs import AreaOfNeed as Area
from clusterfund.triage.models import TriageDecision, TriageOutcome

GENERATED = "demo.large_council_generated"
DAY = datetime.timedelta(days=1)
WEIGHTS = {"pupils_on_roll": 0, "sen_support": 1, "ehc_plans": 4, "free_school_meals": 0}
CAP_PENCE = 1_500_000
FIRST_URN = 900_000
BATCH = 2000


@dataclass(frozen=True)
class Scale:
    schools: int = 200
    clusters: int = 20
    years: int = 10
    requests_per_school_year: int = 31


@dataclass(frozen=True)
class Identity:
    name: str = "Larchester County Council"
    slug: str = "larchester"
    la_code: int = 990


class DatabaseNotEmpty(Exception):
    """The database holds councils this generator did not make: invented data must not mix with real."""


def generated_council_ids() -> set[int]:
    """The councils this generator made, by the audit event it writes for each."""
    return set(
        AuditEvent.objects.filter(action=GENERATED).exclude(council=None).values_list("council_id", flat=True)
    )


def other_councils() -> list[str]:
    """The names of councils in the database that this generator did not make."""
    return list(Council.objects.exclude(pk__in=generated_council_ids()).values_list("name", flat=True))


@contextmanager
def _dates_as_given(*models):
    """Keep the created and recorded times the generator gives rows, instead of now: the council's history
    happened over ten years, not in the minute it was generated."""
    switched = []
    for model in models:
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                switched.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in switched:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


# Invented words for places, schools and people


PLACE_STARTS = (
    "Ash", "Birch", "Brook", "Castle", "Clay", "Cold", "Crow", "Elm", "Fern", "Green", "Hazel", "High",
    "Holly", "Kings", "Lark", "Long", "Marsh", "Mill", "Moor", "Nether", "Oak", "Old", "Red", "Rook",
    "Rush", "Sand", "Shep", "Stone", "Thorn", "Upper", "Well", "West", "White", "Wild", "Willow", "Wood",
)  # fmt: skip
PLACE_ENDS = (
    "bridge", "brook", "bury", "by", "cliffe", "combe", "dale", "den", "field", "ford", "gate", "ham",
    "hill", "hurst", "ley", "lington", "mere", "mouth", "stead", "thorpe", "ton", "well", "wick", "worth",
)  # fmt: skip
FIRST_NAMES = (
    "Aisha", "Alex", "Amir", "Anna", "Ben", "Carys", "Chloe", "Dan", "Deborah", "Ella", "Faisal", "Fiona",
    "Grace", "Hannah", "Harpreet", "Ian", "Jade", "James", "Joanne", "Kamal", "Karen", "Liam", "Lucy",
    "Mark", "Michelle", "Nadia", "Neil", "Olivia", "Paul", "Priya", "Rachel", "Sam", "Sophie", "Tom",
    "Usha", "Victoria", "Wendy", "Yasmin", "Zoe",
)  # fmt: skip
SURNAMES = (
    "Ahmed", "Barker", "Bibi", "Brennan", "Carter", "Chapman", "Clarke", "Dawson", "Evans", "Fletcher",
    "Gill", "Green", "Hall", "Hussain", "Jackson", "Kaur", "Khan", "Lees", "Moss", "Newton", "Owen",
    "Patel", "Quinn", "Riley", "Shah", "Singh", "Taylor", "Turner", "Walsh", "Wood", "Wright", "Young",
)  # fmt: skip

AREA_WEIGHTS = {
    Area.COMMUNICATION_AND_INTERACTION: 32,
    Area.SOCIAL_EMOTIONAL_MENTAL_HEALTH: 31,
    Area.COGNITION_AND_LEARNING: 27,
    Area.SENSORY_AND_PHYSICAL: 10,
}
SEN_TYPES = {
    Area.COMMUNICATION_AND_INTERACTION: ("SLCN", "ASD"),
    Area.SOCIAL_EMOTIONAL_MENTAL_HEALTH: ("SEMH",),
    Area.COGNITION_AND_LEARNING: ("SPLD", "MLD", "SLD"),
    Area.SENSORY_AND_PHYSICAL: ("HI", "VI", "PD", "MSI"),
}
SHORT = {
    Area.COMMUNICATION_AND_INTERACTION: "Communication",
    Area.SOCIAL_EMOTIONAL_MENTAL_HEALTH: "Emotional wellbeing",
    Area.COGNITION_AND_LEARNING: "Learning",
    Area.SENSORY_AND_PHYSICAL: "Physical and sensory",
}
TYPE_WEIGHTS = {T.INDIVIDUAL: 48, T.ADVICE_ONLY: 18, T.GROUP: 16, T.PROJECT: 10, T.CONTINGENCY: 8}

# (what, who provides it, fewest units, most units, least and most cost of a unit in pounds)
LINES = {
    T.INDIVIDUAL: (
        ("One-to-one teaching assistant support", "The school's own staff", 20, 110, 16, 24),
        (
            "Speech and language therapy sessions",
            "A commissioned speech and language therapist",
            6,
            14,
            65,
            95,
        ),
        ("Specialist teacher assessment and plan", "The Specialist Teaching Service", 1, 3, 250, 450),
        ("Play therapy sessions", "A commissioned play therapist", 6, 12, 50, 75),
        ("Specialist equipment", "An equipment supplier", 1, 2, 80, 650),
        ("Precision teaching programme", "The school's own staff", 15, 40, 16, 22),
    ),
    T.GROUP: (
        ("Small-group intervention sessions", "The school's own staff", 20, 60, 18, 26),
        ("Resources for the group", "An education supplier", 1, 2, 100, 450),
        ("Training for the staff who run the group", "The Specialist Teaching Service", 1, 2, 300, 750),
    ),
    T.PROJECT: (
        ("Shared specialist teacher days", "A special school's outreach team", 4, 18, 300, 450),
        ("Cluster training day", "The Educational Psychology Service", 1, 2, 600, 1400),
        ("Workshops for parents and carers", "The Early Support team", 3, 8, 150, 300),
    ),
    T.CONTINGENCY: (
        ("Emergency one-to-one support", "The school's own staff", 30, 150, 17, 24),
        ("Urgent equipment or adaptation", "An equipment supplier", 1, 1, 200, 2500),
    ),
}
OUTCOMES = {
    Area.COMMUNICATION_AND_INTERACTION: (
        ("Takes part in a small-group discussion with one adult prompt", "Observation by the class teacher"),
        ("Uses a visual timetable to move between lessons on their own", "Weekly tracking sheet"),
        ("Understands and follows two-step instructions", "Speech and language therapy review"),
    ),
    Area.SOCIAL_EMOTIONAL_MENTAL_HEALTH: (
        ("Fewer incidents of leaving the classroom", "Behaviour log, week by week"),
        ("Names a trusted adult and a calm space and uses them", "Pupil voice and keyworker notes"),
        ("Attends at least 90% of sessions", "Attendance record"),
    ),
    Area.COGNITION_AND_LEARNING: (
        ("Reads a book banded two levels higher", "Benchmark reading assessment"),
        ("Recalls number bonds to 20 without aids", "Precision teaching probe"),
        ("Writes three linked sentences on their own", "Work scrutiny by the SENCO"),
    ),
    Area.SENSORY_AND_PHYSICAL: (
        ("Moves around the school site safely and independently", "Physiotherapist's checklist"),
        ("Uses the equipment in every lesson without reminders", "Teaching assistant log"),
        ("Takes part in PE with adaptations", "PE teacher's record"),
    ),
}
APPROACH = {
    "assessed": "Assessed in school with standardised tools and observation over half a term.",
    "planned": "A SEN support plan with targets agreed with the family.",
    "done": "Quality-first teaching and a school-funded intervention for six weeks.",
    "reviewed": "Some progress, but not enough to close the gap without more support.",
    "advice_received": "Advice from the educational psychologist at the last consultation.",
}


@dataclass
class _Person:
    user: User
    school: School | None = None


@dataclass
class _Year:
    year: object  # AcademicYear
    terms: list  # [(Term, first day, last day)]
    closes_on: datetime.date | None  # when its money was closed and carried forward, if it has been
    pots: dict = field(default_factory=dict)  # (cluster pk, kind) -> Pot


class _Generator:
    def __init__(self, *, seed: int, scale: Scale, identity: Identity, as_of: datetime.date, progress):
        self.rng = random.Random(seed)  # noqa: S311  (invented data, reproducible from the seed: not a secret)
        self.seed, self.scale, self.identity, self.as_of = seed, scale, identity, as_of
        self.progress = progress or (lambda text: None)
        self.counts: Counter = Counter()
        self.available: dict[int, int] = {}  # pot pk -> pence allocated less committed
        self.password = make_password(DEMO_PASSWORD)

    # Helpers

    def _moment(self, day: datetime.date, hour_from=8, hour_to=17) -> datetime.datetime:
        minutes = self.rng.randrange(hour_from * 60, hour_to * 60)
        naive = datetime.datetime.combine(day, datetime.time(minutes // 60, minutes % 60))
        return timezone.make_aware(naive)

    def _movement(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def _save(self, model, rows: list) -> list:
        if rows:
            model.objects.bulk_create(rows, batch_size=BATCH)
            self.counts[model.__name__] += len(rows)
        return rows

    def _entry(
        self, pot, entry_type, amount, on, reason, actor, *, award=None, counterpart=None, movement=None
    ):
        return LedgerEntry(
            pot=pot,
            entry_type=entry_type,
            amount_pence=amount,
            financial_year=financial_year_of(on),
            academic_year_id=pot.academic_year_id,
            occurred_on=on,
            recorded_at=self._moment(on, 9, 18),
            movement=movement or self._movement(),
            award=award,
            counterpart=counterpart,
            reason=reason,
            acting_user=actor,
            actor_name=str(actor),
        )

    def _pair(self, first, second, entry_type, amount, on, reason) -> list[LedgerEntry]:
        """Money moving between two pots in one movement: `amount` on the first, the opposite on the
        second, each the other's counterpart."""
        movement, actor = self._movement(), self.admin
        return [
            self._entry(first, entry_type, amount, on, reason, actor, counterpart=second, movement=movement),
            self._entry(second, entry_type, -amount, on, reason, actor, counterpart=first, movement=movement),
        ]

    def _name(self) -> str:
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(SURNAMES)}"

    # The council, its years, clusters, schools, census and people

    def council(self) -> Council:
        identity = self.identity
        council = organisations.create_council(
            name=identity.name,
            la_code=identity.la_code,
            slug=identity.slug,
            acting_user=None,
            pupil_names_allowed=False,
        )
        council.send_team_email = f"send@{identity.slug}.example"
        council.request_cap_pence = CAP_PENCE
        council.giving_prefix = f"360G-{identity.slug}"
        council.giving_org_id = f"GB-LAE-{identity.slug[:3].upper()}"
        council.save()
        self.council_obj = council
        return council

    def years(self) -> None:
        first = _start_year(self.as_of) - self.scale.years + 1
        self.years_list: list[_Year] = []
        for start in range(first, first + self.scale.years):
            year = organisations.open_academic_year(
                council=self.council_obj, start_year=start, acting_user=None
            )
            terms = []
            halves = (
                HalfTerm.objects.filter(term__academic_year=year).select_related("term").order_by("number")
            )
            by_term: dict = defaultdict(list)
            for half in halves:
                by_term[half.term].append(half)
            for term, parts in sorted(by_term.items(), key=lambda pair: pair[0].number):
                terms.append((term, parts[0].starts_on, parts[-1].ends_on))
            closes_on = datetime.date(start + 1, 9, 15)
            self.years_list.append(
                _Year(year=year, terms=terms, closes_on=closes_on if closes_on <= self.as_of else None)
            )
            year.half_terms = list(halves)

    def places(self, count: int) -> list[str]:
        names: list[str] = []
        while len(names) < count:
            name = self.rng.choice(PLACE_STARTS) + self.rng.choice(PLACE_ENDS)
            if name not in names:
                names.append(name)
        return names

    def clusters_and_schools(self) -> None:
        scale, rng = self.scale, self.rng
        if scale.schools < scale.clusters * 3:
            raise ValueError("Each cluster needs at least three schools.")
        if scale.schools > 999:
            raise ValueError("At most 999 schools: each council has a thousand invented URNs.")
        localities = self.places(scale.clusters)
        self.clusters = [
            Cluster(
                council=self.council_obj,
                number=number,
                name=f"Cluster {number}",
                slug=f"cluster-{number}",
                locality=localities[number - 1],
                meeting_rhythm="The cluster meets once every half term.",
                how_to_get_support="Talk to your child's school SENCO, who brings the need to the cluster.",
                contingency_percent=Decimal("8.00"),
            )
            for number in range(1, scale.clusters + 1)
        ]
        self._save(Cluster, self.clusters)
        # Cluster sizes vary, as councils draw them around towns, between about half and one and a half
        # times the average: every school in exactly one.
        rough = [rng.uniform(0.55, 1.45) for _ in range(scale.clusters)]
        sizes = [max(3, round(scale.schools * r / sum(rough))) for r in rough]
        while sum(sizes) != scale.schools:
            step = 1 if sum(sizes) < scale.schools else -1
            candidates = [i for i, size in enumerate(sizes) if size + step >= 3]
            sizes[rng.choice(candidates)] += step
        place_names = self.places(scale.schools)
        self.schools, self.home = [], {}
        urn = FIRST_URN + (self.identity.la_code % 100) * 1000
        for cluster, size in zip(self.clusters, sizes, strict=True):
            for _ in range(size):
                urn += 1
                place = place_names[len(self.schools)]
                roll_kind = rng.random()
                if roll_kind < 0.74:
                    phase, kind, name = School.Phase.PRIMARY, "", f"{place} Primary School"
                elif roll_kind < 0.93:
                    phase, kind, name = School.Phase.SECONDARY, "", f"{place} Academy"
                elif roll_kind < 0.97:
                    phase, kind, name = School.Phase.ALL_THROUGH, "Special school", f"{place} Special School"
                else:
                    phase, kind, name = School.Phase.NOT_APPLICABLE, "Pupil referral unit", f"{place} Centre"
                school = School(
                    council=self.council_obj,
                    urn=urn,
                    name=name,
                    phase=phase,
                    establishment_type=kind,
                    town=cluster.locality,
                    postcode=f"LR{cluster.number} {rng.randrange(1, 10)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
                    f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}",
                )
                self.schools.append(school)
                self.home[urn] = cluster
        self._save(School, self.schools)

    def census(self) -> None:
        """A January census for each year: roll, SEN support and EHC plans drift a little year to year."""
        rng, rows = self.rng, []
        self.census_of: dict[tuple[int, int], SchoolCensus] = {}
        for school in self.schools:
            if school.phase == School.Phase.PRIMARY:
                roll = int(rng.lognormvariate(math.log(300), 0.35))
                sen_rate, ehc_rate = rng.lognormvariate(math.log(0.13), 0.3), rng.uniform(0.01, 0.045)
            elif school.phase == School.Phase.SECONDARY:
                roll = int(rng.lognormvariate(math.log(1050), 0.3))
                sen_rate, ehc_rate = rng.lognormvariate(math.log(0.12), 0.3), rng.uniform(0.015, 0.05)
            elif school.establishment_type == "Special school":
                roll, sen_rate, ehc_rate = rng.randrange(70, 220), 0.03, 0.95
            else:
                roll, sen_rate, ehc_rate = rng.randrange(25, 80), 0.55, 0.15
            for number, year in enumerate(self.years_list):
                month = datetime.date(year.year.start_year, 1, 1)
                growth = 1 + 0.012 * number + rng.uniform(-0.03, 0.03)
                on_roll = max(20, int(roll * rng.uniform(0.97, 1.03)))
                row = SchoolCensus(
                    school=school,
                    census_month=month,
                    source="Invented for the large-council benchmark",
                    pupils_on_roll=on_roll,
                    sen_support=max(0, round(on_roll * min(sen_rate * growth, 0.9))),
                    ehc_plans=max(0, round(on_roll * min(ehc_rate * growth, 0.98))),
                    free_school_meals=round(on_roll * rng.uniform(0.08, 0.42)),
                )
                rows.append(row)
                self.census_of[(school.pk, year.year.start_year)] = row
        self._save(SchoolCensus, rows)

    def memberships(self) -> None:
        """Each school in its home cluster every year, but a few move to a neighbouring cluster part way."""
        rng, rows = self.rng, []
        movers = {
            school.pk: (rng.randrange(1, len(self.years_list)), rng.choice(self.clusters))
            for school in rng.sample(
                self.schools, max(1, len(self.schools) // 40) if len(self.years_list) > 1 else 0
            )
        }
        self.member: dict[tuple[int, int], Cluster] = {}
        for year in self.years_list:
            for school in self.schools:
                cluster = self.home[school.urn]
                moved = movers.get(school.pk)
                if moved and self.years_list.index(year) >= moved[0]:
                    cluster = moved[1]
                self.member[(school.pk, year.year.pk)] = cluster
                rows.append(ClusterMembership(school=school, cluster=cluster, academic_year=year.year))
        self._save(ClusterMembership, rows)

    def people(self) -> None:
        slug, council, rng = self.identity.slug, self.council_obj, self.rng
        joined = timezone.make_aware(datetime.datetime(self.years_list[0].year.start_year, 7, 1, 9))
        users, roles = [], []

        def person(email, full_name, job_title):
            user = User(
                email=email,
                full_name=full_name,
                job_title=job_title,
                password=self.password,
                date_joined=joined,
            )
            users.append(user)
            return user

        self.admin = person(f"send.admin@{slug}.example", self._name(), "SEND commissioning officer")
        auditor = person(f"auditor@{slug}.example", self._name(), "Internal auditor")
        roles += [
            RoleAssignment(user=self.admin, role="council_admin", council=council, created_at=joined),
            RoleAssignment(user=auditor, role="auditor", council=council, created_at=joined),
        ]
        self.staff, self.cluster_admin, self.chair, self.team = {}, {}, {}, {}
        for school in self.schools:
            senco = person(f"senco.{school.urn}@{slug}.example", self._name(), f"SENCO, {school.name}")
            self.staff[school.pk] = senco
            roles.append(RoleAssignment(user=senco, role="school_staff", council=council, school=school))
        members: dict = defaultdict(list)
        for school in self.schools:
            members[self.home[school.urn].pk].append(school)
        team_members = []
        for cluster in self.clusters:
            n = cluster.number
            admin = person(f"cluster{n:02d}.admin@{slug}.example", self._name(), f"Cluster {n} administrator")
            chair_school = rng.choice(members[cluster.pk])
            chair = person(f"chair{n:02d}@{slug}.example", self._name(), f"Headteacher, {chair_school.name}")
            ep = person(f"ep{n:02d}@{slug}.example", self._name(), "Educational psychologist")
            self.cluster_admin[cluster.pk], self.chair[cluster.pk], self.team[cluster.pk] = admin, chair, ep
            roles += [
                RoleAssignment(user=admin, role="cluster_admin", council=council, cluster=cluster),
                RoleAssignment(user=chair, role="chair", council=council, cluster=cluster),
                RoleAssignment(user=chair, role="school_staff", council=council, school=chair_school),
                RoleAssignment(user=ep, role="tac", council=council, cluster=cluster),
            ]
            team_members.append(
                TeamMember(
                    cluster=cluster,
                    name=ep.full_name,
                    profession=TeamMember.Profession.EDUCATIONAL_PSYCHOLOGIST,
                    organisation=f"{self.identity.name} Educational Psychology Service",
                    user=ep,
                )
            )
            team_members.append(
                TeamMember(
                    cluster=cluster,
                    name=self._name(),
                    profession=TeamMember.Profession.SPECIALIST_TEACHER,
                    organisation="Specialist Teaching Service",
                )
            )
        self._save(User, users)
        for role in roles:
            role.created_at = joined
        self._save(RoleAssignment, roles)
        self._save(TeamMember, team_members)

    # Who asks: some schools ask far more than their need, some never

    def propensity(self) -> None:
        rng = self.rng
        self.persuasion = {}
        self.weight = {}
        for school in self.schools:
            census = self.census_of[(school.pk, self.years_list[0].year.start_year)]
            need = census.sen_support + 4 * census.ehc_plans
            asks = 0.0 if rng.random() < 0.06 else rng.lognormvariate(0, 0.7)
            self.persuasion[school.pk] = min(asks, 3.0)
            self.weight[school.pk] = need * asks

    # Money

    def formula_and_pots(self, year: _Year, previous: _Year | None) -> None:
        """The year's committed formula, the pots it filled and, once last year has closed, what it carried
        forward."""
        start = year.year.start_year
        committed = self._moment(datetime.date(start, 7, 1))
        requests = self.scale.schools * self.scale.requests_per_school_year
        growth = Fraction(103, 100) ** (start - self.years_list[0].year.start_year)
        high_needs = int(requests * 150_000 * growth) // 100_000 * 100_000
        formula = FundingFormula.objects.create(
            council=self.council_obj,
            academic_year=year.year,
            version=1,
            status=FundingFormula.Status.COMMITTED,
            high_needs_pence=high_needs,
            census_month=datetime.date(start, 1, 1),
            created_by=self.admin,
            created_at=committed,
            committed_by=self.admin,
            committed_at=committed,
        )
        FormulaWeight.objects.bulk_create(
            FormulaWeight(formula=formula, factor=factor, weight=Decimal(WEIGHTS[factor]))
            for factor in CENSUS_FACTORS
        )
        shares = work_out_shares(formula)
        self._save(ClusterShare, shares)
        council = self.council_obj
        pot_rows = [Pot(council=council, academic_year=year.year, kind=Pot.Kind.HIGH_NEEDS)]
        for cluster in self.clusters:
            for kind in (Pot.Kind.CLUSTER, Pot.Kind.CONTINGENCY):
                pot_rows.append(Pot(council=council, academic_year=year.year, cluster=cluster, kind=kind))
        self._save(Pot, pot_rows)
        high = pot_rows[0]
        year.pots = {(pot.cluster_id, pot.kind): pot for pot in pot_rows}
        on = committed.date()
        entries = [
            self._entry(
                high,
                EntryType.ALLOCATION,
                high_needs,
                on,
                "Formula version 1: High Needs amount for clusters",
                self.admin,
            )
        ]
        for share in shares:
            for kind, amount in (
                (Pot.Kind.CLUSTER, share.main_pence),
                (Pot.Kind.CONTINGENCY, share.contingency_pence),
            ):
                pot = year.pots[(share.cluster.pk, kind)]
                entries += self._pair(high, pot, EntryType.ALLOCATION, -amount, on, "Formula version 1")
                self.available[pot.pk] = amount
        if previous is not None and previous.closes_on is not None:
            entries += self.carry_forward(previous, year)
        self._save(LedgerEntry, entries)

    def carry_forward(self, closed: _Year, onward: _Year) -> list[LedgerEntry]:
        """The year end: each pot's uncommitted money moves to the same pot next year, and the pots close."""
        entries, on = [], closed.closes_on
        reason = f"Year end {closed.year.name}"
        for key, pot in closed.pots.items():
            if pot.kind == Pot.Kind.HIGH_NEEDS:
                continue
            left = self.available[pot.pk]
            if left > 0:
                to = onward.pots[key]
                entries += self._pair(to, pot, EntryType.CARRY_FORWARD, left, on, reason)
                self.available[to.pk] += left
                self.available[pot.pk] = 0
        Pot.objects.filter(pk__in=[pot.pk for pot in closed.pots.values()]).update(
            closed_at=self._moment(on, 16, 17)
        )
        return entries

    # Meetings

    def meetings(self, year: _Year, cluster: Cluster) -> list[Meeting]:
        rows = []
        blind = year.year.start_year >= self.years_list[0].year.start_year + self.scale.years // 2
        for half in year.year.half_terms:
            last_week = half.ends_on - 7 * DAY
            held_on = last_week - datetime.timedelta(days=(last_week.weekday() - 2) % 7)
            rows.append(
                Meeting(
                    cluster=cluster,
                    academic_year=year.year,
                    held_on=held_on,
                    paper_deadline=held_on - 7 * DAY,
                    place=f"{cluster.locality} Teachers' Centre",
                    chair=self.chair[cluster.pk],
                    is_blind=blind,
                )
            )
        return self._save(Meeting, rows)

    # Requests, a cluster's year at a time

    def cluster_year(self, year: _Year, cluster: Cluster, schools: list[School]) -> None:
        rng = self.rng
        meetings = self.meetings(year, cluster)
        members = [s for s in self.schools if self.member[(s.pk, year.year.pk)] is cluster]
        book = _Book()
        last_deadline = meetings[-1].paper_deadline
        first_day = year.year.starts_on + 6 * DAY
        span = (last_deadline - first_day).days
        for school in schools:
            submitted = first_day + rng.randrange(span) * DAY
            if submitted > self.as_of:
                continue
            book.requests.append(self.request(year, cluster, school, submitted, meetings, book))
        book.requests.sort(key=lambda fr: fr.created_at)
        self.pupils_for(year, book)
        prefix = f"{self.identity.name[:1].upper()}{cluster.number:02d}-{year.year.code}"
        for number, fr in enumerate(book.requests, start=1):
            fr.reference = f"{prefix}-{number:03d}"
        self.decide(year, cluster, members, meetings, book)
        self.write(book)
        if book.requests:
            ReferenceCounter.objects.create(
                cluster=cluster, academic_year=year.year, last_number=len(book.requests)
            )

    def request(self, year, cluster, school, submitted, meetings, book) -> FundingRequest:
        rng = self.rng
        request_type = rng.choices(list(TYPE_WEIGHTS), weights=list(TYPE_WEIGHTS.values()))[0]
        area = rng.choices(list(AREA_WEIGHTS), weights=list(AREA_WEIGHTS.values()))[0]
        others = [a for a in AREA_WEIGHTS if a != area and rng.random() < 0.15]
        created = self._moment(submitted - rng.randrange(0, 10) * DAY)
        meeting = next(m for m in meetings if m.paper_deadline >= submitted)
        year_group = rng.randrange(1, 12) if school.phase != School.Phase.PRIMARY else rng.randrange(0, 7)
        titles = {
            T.INDIVIDUAL: f"{SHORT[area]} support for a Year {year_group or 'R'} pupil",
            T.ADVICE_ONLY: f"Advice on {SHORT[area].lower()} needs in Year {year_group or 'R'}",
            T.GROUP: f"{SHORT[area]} group for Year {year_group or 'R'}",
            T.PROJECT: f"Cluster project: {SHORT[area].lower()}",
            T.CONTINGENCY: f"Emergency {SHORT[area].lower()} support",
        }
        fr = FundingRequest(
            council=self.council_obj,
            cluster=cluster,
            academic_year=year.year,
            lead_school=school,
            request_type=request_type,
            title=titles[request_type],
            is_urgent=request_type == T.CONTINGENCY and rng.random() < 0.7,
            entered_on_paper=rng.random() < 0.03,
            need=f"Help with {Area(area).label.lower()} needs that the school's own support has not met.",
            primary_area=area,
            other_areas=others,
            children_benefiting={T.GROUP: rng.randrange(3, 9), T.PROJECT: rng.randrange(10, 61)}.get(
                request_type
            ),
            created_by=self.staff[school.pk],
            created_at=created,
            updated_at=created,
            submitted_at=self._moment(submitted),
            meeting=meeting,
            version=1,
            **APPROACH,
        )
        fr.lines, fr.outcomes_list, fr.pupil_count, fr.amount = [], [], 0, 0
        fr.year_group = year_group
        if fr.names_pupils:
            fr.pupil_count = 1 if request_type != T.GROUP else rng.randrange(3, 7)
            fr.consent_date = submitted - rng.randrange(1, 21) * DAY
            fr.consent_method = rng.choice(ConsentMethod.values)
        if request_type == T.PROJECT:
            partners = [
                s for s in self.schools if self.member[(s.pk, year.year.pk)] is cluster and s is not school
            ]
            fr.benefiting = [school, *rng.sample(partners, min(len(partners), rng.randrange(0, 4)))]
        else:
            fr.benefiting = []
        if request_type != T.ADVICE_ONLY:
            self.provision(year, fr, meeting)
        return fr

    def provision(self, year, fr, meeting) -> None:
        """Costed lines in the terms the support runs, and outcomes to check by its end date."""
        rng = self.rng
        start = meeting.held_on + rng.randrange(7, 22) * DAY
        terms_long = {T.INDIVIDUAL: (2, 3), T.GROUP: (1, 2), T.PROJECT: (1, 3), T.CONTINGENCY: (1, 1)}
        low, high = terms_long[fr.request_type]
        last_day = year.terms[-1][2]
        if fr.request_type == T.CONTINGENCY:
            start = fr.submitted_at.date() + rng.randrange(2, 8) * DAY
        start = min(start, last_day - 14 * DAY)
        end = min(start + rng.randrange(low * 8, high * 13 + 1) * 7 * DAY, last_day)
        fr.start_date, fr.end_date = start, end
        terms = [term for term, first, last in year.terms if first <= end and last >= start] or [
            year.terms[-1][0]
        ]
        templates = LINES[fr.request_type]
        total, position = 0, 0
        for template in rng.sample(templates, rng.randrange(1, min(3, len(templates)) + 1)):
            what, provider, fewest, most, least, dearest = template
            if most > 3:  # sessions or hours: spread over every term the support runs
                units = Decimal(rng.randrange(fewest * 2, most * 2 + 1)) / 2
                spread = terms
            else:  # an assessment or equipment: once, at the start
                units, spread = Decimal(rng.randrange(fewest, most + 1)), terms[:1]
            unit_cost = rng.randrange(least * 20, dearest * 20 + 1) * 5
            per_term = (units / len(spread)).quantize(Decimal("0.5"), rounding=ROUND_HALF_UP) or Decimal(
                "0.5"
            )
            cost = int((per_term * unit_cost).quantize(Decimal(1), rounding=ROUND_HALF_UP)) * len(spread)
            if total + cost > CAP_PENCE:
                continue
            total += cost
            for term in spread:
                position += 1
                fr.lines.append(
                    ProvisionLine(
                        funding_request=fr,
                        position=position,
                        what=what,
                        provider=provider,
                        units=per_term,
                        unit_cost_pence=unit_cost,
                        total_pence=cost // len(spread),
                        term=term,
                    )
                )
        if not fr.lines:
            what, provider, fewest, _, least, _ = templates[0]
            fr.lines.append(
                ProvisionLine(
                    funding_request=fr,
                    position=1,
                    what=what,
                    provider=provider,
                    units=Decimal(fewest),
                    unit_cost_pence=least * 100,
                    total_pence=fewest * least * 100,
                    term=terms[0],
                )
            )
        fr.amount = sum(line.total_pence for line in fr.lines)
        for position, (what, how) in enumerate(rng.sample(OUTCOMES[fr.primary_area], rng.randrange(1, 4)), 1):
            fr.outcomes_list.append(
                Outcome(funding_request=fr, position=position, what=what, by_when=end, how_measured=how)
            )

    def pupils_for(self, year, book) -> None:
        """Each school's pupils referred this year: a pool per school, some pupils in several requests."""
        rng = self.rng
        wanted: Counter = Counter()
        for fr in book.requests:
            wanted[fr.lead_school_id] += fr.pupil_count
        pools = {}
        for school_id, count in wanted.items():
            size = max(1, math.ceil(count * 0.7))
            school = next(fr.lead_school for fr in book.requests if fr.lead_school_id == school_id)
            pool = []
            for number in range(1, size + 1):
                area = rng.choices(list(AREA_WEIGHTS), weights=list(AREA_WEIGHTS.values()))[0]
                plan = EhcStatus.IN_PLACE if rng.random() < 0.08 else EhcStatus.NONE
                created = self._moment(year.year.starts_on + rng.randrange(0, 30) * DAY)
                pool.append(
                    Pupil(
                        school=school,
                        reference=f"P{year.year.code}-{school.urn % 1000:03d}-{number:03d}",
                        year_group=str(rng.randrange(1, 7))
                        if school.phase == School.Phase.PRIMARY
                        else str(rng.randrange(7, 12)),
                        primary_area=area,
                        sen_type=rng.choice(SEN_TYPES[area]),
                        ehc_status=plan,
                        ehc_status_since=year.year.starts_on - 200 * DAY
                        if plan == EhcStatus.IN_PLACE
                        else None,
                        free_school_meals=rng.random() < 0.35,
                        created_at=created,
                        updated_at=created,
                    )
                )
            pools[school_id] = pool
            book.pupils += pool
        for fr in book.requests:
            if fr.pupil_count:
                pool = pools[fr.lead_school_id]
                chosen = rng.sample(pool, min(len(pool), fr.pupil_count))
                fr.pupils_list = chosen
                if fr.request_type != T.GROUP:
                    fr.primary_area = chosen[0].primary_area
            else:
                fr.pupils_list = []

    # What happened to each request

    def decide(self, year, cluster, members, meetings, book) -> None:
        rng, as_of = self.rng, self.as_of
        team, admin, chair = self.team[cluster.pk], self.cluster_admin[cluster.pk], self.chair[cluster.pk]
        by_meeting: dict = defaultdict(list)
        for fr in book.requests:
            submitted = fr.submitted_at.date()
            fr.status = S.SUBMITTED
            roll = rng.random()
            if roll < 0.012 or (year.closes_on is None and submitted > as_of - 10 * DAY and roll < 0.25):
                fr.status, fr.submitted_at, fr.version, fr.meeting = S.DRAFT, None, 0, None
                continue
            book.versions.append(self.version(fr, 1, fr.submitted_at, []))
            if roll < 0.045:
                fr.status = S.WITHDRAWN
                fr.withdrawn_reason = "The need was met another way before the meeting."
                fr.updated_at = self._moment(min(submitted + rng.randrange(2, 15) * DAY, as_of))
                continue
            triage_on = submitted + rng.randrange(1, 5) * DAY
            if triage_on > as_of:
                continue  # submitted, triage not started
            fr.status = S.IN_TRIAGE
            deadline = fr.meeting.paper_deadline
            if rng.random() < 0.08:
                asked = triage_on + rng.randrange(1, 4) * DAY
                answered = asked + rng.randrange(3, 10) * DAY
                book.triage.append(self.triage(fr, TriageOutcome.MORE_INFORMATION, asked, team))
                later = next((m for m in meetings if m.paper_deadline > answered), None)
                if answered > as_of or later is None:
                    fr.status = S.MORE_INFORMATION_NEEDED  # not answered yet, or never
                    fr.updated_at = self._moment(min(asked, as_of))
                    continue
                fr.version = 2
                fr.advice_received += " The school has since had a specialist teacher's report."
                change = {
                    "field": "advice_received",
                    "label": "Advice already received",
                    "before": APPROACH["advice_received"],
                    "after": fr.advice_received,
                }
                book.versions.append(self.version(fr, 2, self._moment(answered), [change]))
                triage_on = answered + DAY
                if triage_on > deadline:
                    fr.meeting, deadline = later, later.paper_deadline
            decided = min(triage_on + rng.randrange(3, 12) * DAY, deadline)
            if decided > as_of:
                continue  # in triage
            advice = 0.85 if fr.request_type == T.ADVICE_ONLY else 0.04
            roll = rng.random()
            if roll < advice or roll > 0.98:
                outcome = TriageOutcome.RESOLVED_WITH_ADVICE if roll < advice else TriageOutcome.REDIRECTED
                fr.status = S(outcome.value)
                fr.decided_on = decided
                fr.updated_at = self._moment(decided)
                book.triage.append(self.triage(fr, outcome, decided, team))
                continue
            fr.status = S.READY_FOR_MEETING
            fr.updated_at = self._moment(decided)
            book.triage.append(self.triage(fr, TriageOutcome.READY_FOR_MEETING, decided, team, fr.amount))
            by_meeting[fr.meeting.pk].append(fr)
        carried: list = []
        for index, meeting in enumerate(meetings):
            items = [*carried, *by_meeting[meeting.pk]]
            carried = []
            if meeting.held_on >= as_of or not items:
                continue
            following = meetings[index + 1] if index + 1 < len(meetings) else None
            carried = self.hold(year, cluster, members, meeting, following, items, book, admin, chair)

    def hold(self, year, cluster, members, meeting, following, requests, book, admin, chair) -> list:
        """The meeting: agenda frozen, schools present, ballots cast, decisions recorded and awards made from
        what the pot has left; a deferred request goes to the next meeting."""
        rng = self.rng
        held = meeting.held_on
        present = sorted(
            rng.sample(members, max(math.ceil(len(members) / 2), round(len(members) * rng.uniform(0.6, 1)))),
            key=lambda s: s.pk,
        )
        member_ids = sorted(s.pk for s in members)
        rng.shuffle(requests)
        meeting.frozen_at, meeting.frozen_by = self._moment(meeting.paper_deadline + DAY, 9, 12), admin
        meeting.lot = [fr.reference for fr in requests]
        meeting.counting_method = "equal-shares"
        meeting.quorum_present, meeting.quorum_needed = len(present), math.ceil(len(members) / 2)
        order = [s.pk for s in present]
        rng.shuffle(order)
        meeting.pseudonyms = {str(pk): f"V{n}" for n, pk in enumerate(order, 1)}
        start = timezone.make_aware(datetime.datetime.combine(held, datetime.time(15, 45)))
        meeting.vote_opened_at, meeting.vote_opened_by = start + datetime.timedelta(minutes=20), chair
        meeting.vote_closed_at, meeting.vote_closed_by = start + datetime.timedelta(minutes=70), chair
        meeting.decisions_recorded_at, meeting.decisions_recorded_by = (
            start + datetime.timedelta(minutes=90),
            admin,
        )
        if held + 7 * DAY <= self.as_of:
            meeting.minutes_approved_at, meeting.minutes_approved_by = self._moment(held + 7 * DAY), chair
            meeting.minutes_notes = "Minutes approved by the chair."
        book.meetings.append(meeting)
        for school in present:
            book.attendance.append(
                Attendance(
                    meeting=meeting,
                    school=school,
                    mode=rng.choice(Attendance.Mode.values),
                    recorded_by=admin,
                    recorded_at=start,
                )
            )
        ballots = {}
        for school in present:
            by_school = rng.random() < 0.7
            ballots[school.pk] = Ballot(
                meeting=meeting,
                school=school,
                recorded_as=Ballot.RecordedAs.BY_SCHOOL if by_school else Ballot.RecordedAs.SHOW_OF_HANDS,
                cast_by=self.staff[school.pk] if by_school else admin,
                cast_at=start + datetime.timedelta(minutes=rng.randrange(21, 69)),
            )
            book.ballots.append(ballots[school.pk])
        deferred, tally, reasons, funded_refs = [], {}, {}, []
        persuasion_counts = not meeting.is_blind
        for position, fr in enumerate(requests, 1):
            carried_over = fr.status == S.DEFERRED
            item = AgendaItem(
                meeting=meeting,
                funding_request=fr,
                position=position,
                carried_over=carried_over,
                amount_pence=fr.amount,
                eligible_school_ids=[pk for pk in member_ids if pk != fr.lead_school_id],
            )
            book.items.append(item)
            roll = rng.random()
            if fr.request_type == T.ADVICE_ONLY or roll < 0.03:
                outcome = ItemOutcome.RESOLVED_WITH_ADVICE
            elif (
                roll < 0.10 and following is not None and following.held_on < self.as_of and not carried_over
            ):
                outcome = ItemOutcome.DEFERRED
            else:
                chance = 0.8
                if persuasion_counts:
                    chance += 0.12 * (self.persuasion[fr.lead_school_id] - 1)
                outcome = (
                    ItemOutcome.APPROVED
                    if rng.random() < min(0.95, max(0.3, chance))
                    else ItemOutcome.DECLINED
                )
            item.outcome = outcome
            fr.decided_on, fr.updated_at = held, meeting.decisions_recorded_at
            if outcome in (ItemOutcome.DEFERRED, ItemOutcome.RESOLVED_WITH_ADVICE):
                item.outcome_note = (
                    "Deferred to the next meeting."
                    if outcome == ItemOutcome.DEFERRED
                    else ("The Team Around the Cluster's advice meets the need.")
                )
                fr.status = S(REQUEST_STATUS[outcome])
                if outcome == ItemOutcome.DEFERRED:
                    fr.meeting = following
                    deferred.append(fr)
                continue
            eligible = [s for s in present if s.pk != fr.lead_school_id]
            approve = 0.75 if outcome == ItemOutcome.APPROVED else 0.3
            votes = 0
            for school in eligible:
                choice = "for" if rng.random() < approve else "abstain"
                votes += choice == "for"
                book.lines.append(BallotLine(ballot=ballots[school.pk], item=item, choice=choice))
            item.votes_for, item.votes_against, item.votes_abstaining = votes, 0, len(eligible) - votes
            tally[fr.reference] = {"for": votes, "against": 0, "abstain": len(eligible) - votes}
            if outcome == ItemOutcome.APPROVED:
                pot = year.pots[
                    (
                        cluster.pk,
                        Pot.Kind.CONTINGENCY if fr.request_type == T.CONTINGENCY else Pot.Kind.CLUSTER,
                    )
                ]
                amount = fr.amount
                if rng.random() < 0.12:
                    amount = amount * rng.randrange(60, 91) // 100 // 1000 * 1000 or amount
                left = self.available[pot.pk]
                if amount > left:
                    amount = left // 1000 * 1000 if left >= fr.amount // 2 else 0
                if amount <= 0:
                    outcome = item.outcome = ItemOutcome.DECLINED
                    item.outcome_note = "Not funded: the money this meeting had ran out before this request."
                else:
                    if amount < fr.amount:
                        outcome = item.outcome = ItemOutcome.PART_APPROVED
                    item.funded_pence = amount
                    item.outcome_note = "Funded: enough schools approved it and the pot could afford it."
                    self.available[pot.pk] -= amount
                    funded_refs.append(fr.reference)
                    self.award(year, fr, pot, amount, meeting, book, admin)
            if outcome == ItemOutcome.DECLINED and not item.outcome_note:
                item.outcome_note = "Not funded: other requests had more support."
            if fr.status not in (S.IN_DELIVERY, S.REVIEWED, S.CLOSED):
                fr.status = S(REQUEST_STATUS[outcome])
            reasons[fr.reference] = item.outcome_note
        meeting.result = {
            "rule": "equal-shares",
            "present": len(present),
            "counts": [{"funded": funded_refs, "decided_by_lot": [], "tally": tally, "reasons": reasons}],
        }
        return deferred

    def award(self, year, fr, pot, amount, meeting, book, admin) -> None:
        """The award, its commitment, its schedule per term and what has been paid of it, then the support
        delivered and reviewed."""
        rng, as_of = self.rng, self.as_of
        award = Award(
            reference=fr.reference,
            pot=pot,
            funding_request=fr,
            payee_school=fr.lead_school,
            decided_on=meeting.held_on,
            created_by=admin,
            created_at=meeting.decisions_recorded_at,
        )
        book.awards.append(award)
        book.entries.append(
            self._entry(
                pot,
                EntryType.COMMITMENT,
                amount,
                meeting.held_on,
                f"Decided at the {meeting_name(meeting)}",
                admin,
                award=award,
            )
        )
        by_term: dict = defaultdict(int)
        for line in fr.lines:
            by_term[line.term] += line.total_pence
        committed = amount
        variation = rng.random()
        if variation < 0.04 and self.available[pot.pk] >= amount // 10:
            committed = amount + amount // 10 // 100 * 100
        elif variation < 0.07:
            committed = amount - amount // 10 // 100 * 100
        parts = largest_remainder(
            {str(t.pk): Fraction(committed * v, fr.amount) for t, v in by_term.items()}, committed
        )
        starts = {term.pk: first for term, first, _ in year.terms}
        ends = {term.pk: last for term, _, last in year.terms}
        schedule = [
            ScheduledPayment(
                award=award, due_on=max(starts[t.pk], meeting.held_on), amount_pence=parts[str(t.pk)], term=t
            )
            for t in sorted(by_term, key=lambda t: t.number)
            if parts[str(t.pk)]
        ]
        started = fr.start_date - rng.randrange(0, 8) * DAY
        ended_early = rng.random() < 0.03
        stop_on = started + (fr.end_date - started) // 2 if ended_early else None
        varied_on = started + (fr.end_date - started) // 3
        if committed != amount and varied_on <= as_of:
            book.entries.append(
                self._entry(
                    pot,
                    EntryType.VARIATION,
                    committed - amount,
                    varied_on,
                    "Changed at the half-term review with the family",
                    admin,
                    award=award,
                )
            )
            self.available[pot.pk] -= committed - amount
        elif committed != amount:
            committed = amount
            schedule[-1].amount_pence += amount - sum(row.amount_pence for row in schedule)
        paid = 0
        for row in schedule:
            # Each provider's part is claimed on its own, month by month, over the term's part of the support.
            months = _month_starts(max(row.due_on, started), min(ends[row.term_id], fr.end_date))
            lines = [line for line in fr.lines if line.term_id == row.term_id]
            claims = _split(row.amount_pence, [line.total_pence for line in lines])
            for line, claim in zip(lines, claims, strict=True):
                for day, piece in zip(months, _split(claim, [1] * len(months)), strict=True):
                    if day > as_of or (stop_on and day > stop_on) or not piece:
                        continue
                    paid += piece
                    book.entries.append(
                        self._entry(
                            pot,
                            EntryType.PAYMENT,
                            piece,
                            day,
                            f"{line.what}, {day:%B %Y}: paid to {fr.lead_school.name} by BACS",
                            admin,
                            award=award,
                        )
                    )
        if stop_on and stop_on <= as_of:
            award.status, award.ended_reason = (
                Award.Status.ENDED,
                "The pupil moved to a specialist placement.",
            )
            if committed - paid:
                book.entries.append(
                    self._entry(
                        pot,
                        EntryType.RELEASE,
                        paid - committed,
                        stop_on,
                        award.ended_reason,
                        admin,
                        award=award,
                    )
                )
                self.available[pot.pk] += committed - paid
            schedule = [ScheduledPayment(award=award, due_on=stop_on, amount_pence=paid)] if paid else []
        book.schedule += schedule
        self.deliver(year, fr, schedule, started, stop_on, award, book)

    def deliver(self, year, fr, schedule, started, stop_on, award, book) -> None:
        rng, as_of = self.rng, self.as_of
        if started > as_of:
            return
        staff = self.staff[fr.lead_school_id]
        provider = rng.choice(Delivery.Provider.values)
        book.deliveries.append(
            Delivery(
                funding_request=fr,
                started_on=started,
                provider=provider,
                provider_name="" if provider == Delivery.Provider.SCHOOL_STAFF else fr.lines[0].provider,
                recorded_by=staff,
                recorded_at=self._moment(min(started + rng.randrange(0, 5) * DAY, as_of)),
            )
        )
        fr.status = S.IN_DELIVERY
        ends = {term.pk: last for term, _, last in year.terms}
        dues = sorted(
            {max(ends[row.term_id], started): row.term_id for row in schedule if row.term_id}.items()
        )
        if stop_on and stop_on <= as_of:
            dues = [(stop_on, dues[0][1] if dues else None)]
        if not dues:
            dues = [(fr.end_date, None)]
        pupils_without_plan = [p for p in fr.pupils_list if p.ehc_status == EhcStatus.NONE]
        for number, (due, term_id) in enumerate(dues):
            review = ImpactReview(funding_request=fr, term_id=term_id, due_on=due)
            book.reviews.append(review)
            late = rng.randrange(-3, 25)
            done = due + late * DAY
            recent = (as_of - due).days < 70
            if done > as_of or rng.random() < (0.3 if recent else 0.015):
                break  # not yet reviewed, or overdue
            last = number == len(dues) - 1
            if stop_on and last:
                next_step = NextStep.STOP
            elif not last:
                next_step = NextStep.CONTINUE
            else:
                roll = rng.random()
                if roll < 0.07 and pupils_without_plan:
                    next_step = NextStep.EHC_ASSESSMENT
                elif roll < 0.16:
                    next_step = NextStep.ASK_FOR_MORE
                else:
                    next_step = NextStep.STOP
            review.done_on, review.next_step, review.recorded_by = (
                done,
                next_step,
                self.staff[fr.lead_school_id],
            )
            review.notes = "Reviewed with the family and the class teacher."
            if fr.request_type in (T.GROUP, T.PROJECT):
                review.children_supported = fr.children_benefiting or len(fr.pupils_list) or 1
                review.schools = fr.benefiting or [fr.lead_school]
            results = ("met", "partly_met", "not_met")
            chance = (0.55, 0.3, 0.15) if not stop_on else (0.1, 0.4, 0.5)
            for outcome in fr.outcomes_list:
                result = rng.choices(results, weights=chance)[0]
                book.outcome_reviews.append(
                    OutcomeReview(
                        review=review,
                        outcome=outcome,
                        result=result,
                        evidence=f"{outcome.how_measured}: {OutcomeReview.Result(result).label.lower()}.",
                    )
                )
            fr.updated_at = self._moment(done)
            if next_step == NextStep.STOP:
                fr.status = S.CLOSED
            elif next_step == NextStep.CONTINUE:
                fr.status = S.IN_DELIVERY
            else:
                fr.status = S.REVIEWED
            if next_step == NextStep.EHC_ASSESSMENT:
                for pupil in pupils_without_plan:
                    pupil.ehc_status, pupil.ehc_status_since = EhcStatus.REQUESTED, done
                    book.ehc.append(
                        EhcStatusChange(
                            pupil=pupil,
                            status=EhcStatus.REQUESTED,
                            changed_on=done,
                            recorded_by=staff,
                            recorded_at=self._moment(done),
                        )
                    )

    def triage(self, fr, outcome, on, team, recommended=None) -> TriageDecision:
        words = {
            TriageOutcome.READY_FOR_MEETING: "Ready for the meeting: the need and the plan are clear.",
            TriageOutcome.MORE_INFORMATION: "Please add the latest advice from professionals.",
            TriageOutcome.RESOLVED_WITH_ADVICE: "Resolved with the educational psychologist's advice.",
            TriageOutcome.REDIRECTED: "Redirected to the Early Support service.",
        }
        return TriageDecision(
            funding_request=fr,
            outcome=outcome,
            recommended_pence=recommended,
            recommendation=words[outcome],
            decided_by=team,
            decided_at=self._moment(on),
        )

    def version(self, fr, number, at, changes) -> RequestVersion:
        return RequestVersion(
            funding_request=fr,
            number=number,
            snapshot={
                "title": fr.title,
                "meeting": "The cluster's next meeting",
                "need": fr.need,
                "primary_area": Area(fr.primary_area).label,
                "other_areas": [Area(a).label for a in fr.other_areas],
                "outcomes": [o.what for o in fr.outcomes_list],
                "provision": [f"{line.what} ({line.provider})" for line in fr.lines],
                "amount_asked": _pounds(fr.amount) if fr.lines else "",
                "start_date": fr.start_date.isoformat() if fr.start_date else "",
                "end_date": fr.end_date.isoformat() if fr.end_date else "",
                "advice_received": fr.advice_received,
            },
            changes=changes,
            created_by=fr.created_by,
            created_at=at,
        )

    # Saving a cluster's year

    def write(self, book) -> None:
        self._save(Pupil, book.pupils)
        self._save(FundingRequest, book.requests)
        pupils_through = FundingRequest.pupils.through
        schools_through = FundingRequest.benefiting_schools.through
        self._save(
            pupils_through,
            [
                pupils_through(fundingrequest_id=fr.pk, pupil_id=p.pk)
                for fr in book.requests
                for p in fr.pupils_list
            ],
        )
        self._save(
            schools_through,
            [
                schools_through(fundingrequest_id=fr.pk, school_id=s.pk)
                for fr in book.requests
                for s in fr.benefiting
            ],
        )
        self._save(ProvisionLine, [line for fr in book.requests for line in fr.lines])
        self._save(Outcome, [o for fr in book.requests for o in fr.outcomes_list])
        self._save(RequestVersion, book.versions)
        self._save(TriageDecision, book.triage)
        Meeting.objects.bulk_update(
            book.meetings,
            [
                "frozen_at",
                "frozen_by",
                "lot",
                "counting_method",
                "quorum_present",
                "quorum_needed",
                "pseudonyms",
                "vote_opened_at",
                "vote_opened_by",
                "vote_closed_at",
                "vote_closed_by",
                "decisions_recorded_at",
                "decisions_recorded_by",
                "minutes_approved_at",
                "minutes_approved_by",
                "minutes_notes",
                "result",
            ],
            batch_size=100,
        )
        self._save(Attendance, book.attendance)
        self._save(AgendaItem, book.items)
        self._save(Ballot, book.ballots)
        self._save(BallotLine, book.lines)
        self._save(Award, book.awards)
        self._save(ScheduledPayment, book.schedule)
        self._save(LedgerEntry, book.entries)
        self._save(Delivery, book.deliveries)
        self._save(ImpactReview, book.reviews)
        self._save(OutcomeReview, book.outcome_reviews)
        reviewed_through = ImpactReview.schools_benefited.through
        self._save(
            reviewed_through,
            [
                reviewed_through(impactreview_id=r.pk, school_id=s.pk)
                for r in book.reviews
                for s in getattr(r, "schools", ())
            ],
        )
        self._save(EhcStatusChange, book.ehc)
        changed = [change.pupil for change in book.ehc]
        if changed:
            Pupil.objects.bulk_update(changed, ["ehc_status", "ehc_status_since"], batch_size=500)

    # The whole council

    def run(self) -> Council:
        self.progress("Council, years, clusters, schools and census")
        self.council()
        self.years()
        self.clusters_and_schools()
        self.census()
        self.memberships()
        self.people()
        self.propensity()
        previous = None
        total = self.scale.schools * self.scale.requests_per_school_year
        for year in self.years_list:
            self.formula_and_pots(year, previous)
            askers = [s for s in self.schools if self.weight[s.pk] > 0]
            chosen = self.rng.choices(askers, weights=[self.weight[s.pk] for s in askers], k=total)
            by_cluster: dict = defaultdict(list)
            for school in chosen:
                by_cluster[self.member[(school.pk, year.year.pk)].pk].append(school)
            for cluster in self.clusters:
                self.cluster_year(year, cluster, by_cluster[cluster.pk])
            self.progress(f"{year.year.name}: {self.counts['FundingRequest']:,} requests so far")
            previous = year
        record_event(
            acting_user=None,
            action=GENERATED,
            obj=self.council_obj,
            council=self.council_obj,
            after={
                "seed": self.seed,
                "as_of": self.as_of.isoformat(),
                "scale": self.scale.__dict__,
                "rows": dict(self.counts),
            },
        )
        return self.council_obj


REQUEST_STATUS = {
    ItemOutcome.APPROVED: S.APPROVED,
    ItemOutcome.PART_APPROVED: S.PART_APPROVED,
    ItemOutcome.DECLINED: S.DECLINED,
    ItemOutcome.DEFERRED: S.DEFERRED,
    ItemOutcome.RESOLVED_WITH_ADVICE: S.RESOLVED_WITH_ADVICE,
}


@dataclass
class _Book:
    """Everything a cluster's year adds, kept until it is saved in dependency order."""

    requests: list = field(default_factory=list)
    pupils: list = field(default_factory=list)
    versions: list = field(default_factory=list)
    triage: list = field(default_factory=list)
    meetings: list = field(default_factory=list)
    attendance: list = field(default_factory=list)
    items: list = field(default_factory=list)
    ballots: list = field(default_factory=list)
    lines: list = field(default_factory=list)
    awards: list = field(default_factory=list)
    schedule: list = field(default_factory=list)
    entries: list = field(default_factory=list)
    deliveries: list = field(default_factory=list)
    reviews: list = field(default_factory=list)
    outcome_reviews: list = field(default_factory=list)
    ehc: list = field(default_factory=list)


def _start_year(day: datetime.date) -> int:
    return day.year if day.month >= 9 else day.year - 1


def _month_starts(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The days monthly instalments are paid between two dates: the first, then the 1st of each month."""
    days = [first]
    day = (first.replace(day=1) + 32 * DAY).replace(day=1)
    while day <= last:
        days.append(day)
        day = (day + 32 * DAY).replace(day=1)
    return days


def _split(total: int, weights: list[int]) -> list[int]:
    """Whole pence in proportion to the weights, adding up to the total (largest remainder)."""
    if not weights or not sum(weights):
        return [total] + [0] * (len(weights) - 1) if weights else []
    parts = largest_remainder(
        {str(n): Fraction(total * weight, sum(weights)) for n, weight in enumerate(weights)}, total
    )
    return [parts[str(n)] for n in range(len(weights))]


def _pounds(pence: int) -> str:
    whole, part = divmod(pence, 100)
    return f"£{whole:,}.{part:02d}"


def meeting_name(meeting: Meeting) -> str:
    return f"{meeting.cluster.name} allocation meeting, {meeting.held_on.day} {meeting.held_on:%B %Y}"


def generate(
    *,
    seed: int,
    scale: Scale = Scale(),
    identity: Identity = Identity(),
    as_of: datetime.date | None = None,
    force: bool = False,
    progress=None,
) -> Council:
    """Invent a council at `scale` from `seed`, as it stood on `as_of` (today by default), in one
    transaction. Refused when the database holds councils this generator did not make, unless `force`."""
    if min(scale.schools, scale.clusters, scale.years, scale.requests_per_school_year) < 1:
        raise ValueError(
            "The schools, clusters, years and requests a school asks each year must be 1 or more."
        )
    if not force:
        others = other_councils()
        if others:
            raise DatabaseNotEmpty(
                f"The database already holds {len(others)} other council(s) ({', '.join(others[:3])}); "
                "point DATABASE_URL at a separate database, or force it."
            )
    if (
        Council.objects.filter(slug=identity.slug).exists()
        or Council.objects.filter(la_code=identity.la_code).exists()
    ):
        raise DatabaseNotEmpty(
            f"A council with the slug {identity.slug} or LA code {identity.la_code} is already here."
        )
    as_of = as_of or timezone.localdate()
    generator = _Generator(seed=seed, scale=scale, identity=identity, as_of=as_of, progress=progress)
    with (
        transaction.atomic(),
        _dates_as_given(
            FundingRequest,
            RequestVersion,
            TriageDecision,
            Award,
            LedgerEntry,
            Delivery,
            Attendance,
            User,
            RoleAssignment,
            Pupil,
            EhcStatusChange,
            FundingFormula,
        ),
    ):
        council = generator.run()
    generator.council_obj.row_counts = dict(generator.counts)
    _refresh_statistics()
    return council


def _refresh_statistics() -> None:
    """Tell the database's query planner how many rows there now are, as its own background analysis would
    soon after a load this size; without it the first benchmark plans for empty tables."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
