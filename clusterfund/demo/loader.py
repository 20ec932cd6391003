"""The demo: Kirklees Cluster 14 and Stoke-on-Trent's Central pilot cluster, from the source pages.

Schools, URNs and January 2023 census counts are real (see data/SOURCES.md). People, names, the Team
Around the Cluster members, pupils and funding requests (see demo_requests.py) are invented. Loading twice
changes nothing the second time.
"""

import csv
import datetime
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from clusterfund.accounts.models import User
from clusterfund.accounts.roles import Role
from clusterfund.accounts.services import create_person, grant_role
from clusterfund.demo.demo_delivery import load_delivery
from clusterfund.demo.demo_meetings import load_meetings
from clusterfund.demo.demo_money import DemoMoney, load_money
from clusterfund.demo.demo_requests import KIRKLEES_REQUESTS, STOKE_REQUESTS, DemoRequest, load_requests
from clusterfund.demo.demo_review import load_review
from clusterfund.demo.demo_triage import load_advice, load_shared_resources, load_triage_scheme
from clusterfund.demo.demo_votes import KIRKLEES_VOTE, STOKE_VOTE, DemoVote, load_votes
from clusterfund.organisations import services as organisations
from clusterfund.organisations.models import Council, School, SchoolCensus, TeamMember
from clusterfund.pupils import services as pupils
from clusterfund.pupils.models import EhcStatus, Pupil
from clusterfund.pupils.needs import AreaOfNeed as Area

DATA = Path(__file__).parent / "data" / "demo_cluster_schools.csv"
DEMO_PASSWORD = "clusterfund-demo"
CENSUS_MONTH = datetime.date(2023, 1, 1)
CENSUS_SOURCE = "DfE, Special educational needs in England, January 2023"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    full_name: str
    job_title: str
    roles: tuple[tuple[str, str], ...]  # (role, scope: "council", a cluster slug, or a school URN)


@dataclass(frozen=True)
class DemoScheme:
    council_name: str
    la_code: int
    slug: str
    scheme_key: str  # the `scheme` column of the data file
    first_year: int
    cluster_name: str
    cluster_number: int | None
    locality: str
    meeting_rhythm: str
    how_to_get_support: str
    city_pool: bool
    team: tuple[tuple[str, str, str], ...]  # (name, profession, organisation)
    accounts: tuple[DemoAccount, ...]
    pupil_names_allowed: bool
    # (school URN, reference, invented name, year group, primary area, secondary areas, SEN type, EHC status)
    pupils: tuple[tuple, ...]
    requests: tuple[DemoRequest, ...] = ()
    money: DemoMoney = DemoMoney(high_needs_pence=0)
    blind_papers: bool = False
    meetings_per_term: str = "half_termly"
    vote: DemoVote | None = None  # the past meeting, run end to end; its papers are among `requests`


KIRKLEES = DemoScheme(
    council_name="Kirklees Council",
    la_code=382,
    slug="kirklees",
    scheme_key="kirklees_cluster_14",
    first_year=2024,
    cluster_name="Cluster 14",
    cluster_number=14,
    locality="Huddersfield",
    meeting_rhythm="The cluster meets at least once every half term.",
    how_to_get_support=(
        "Talk to your child's school SENCO. Schools discuss children with and without an EHC plan at the "
        "half-termly cluster meeting, including children whose needs are only just emerging."
    ),
    city_pool=False,
    team=(
        (
            "Dr Nadia Rahman",
            TeamMember.Profession.EDUCATIONAL_PSYCHOLOGIST,
            "Kirklees Educational Psychology Service",
        ),
        ("Gareth Holroyd", TeamMember.Profession.SPECIALIST_TEACHER, "Specialist Teaching Service"),
        ("Priya Mistry", TeamMember.Profession.EARLY_SUPPORT, "Early Support"),
        ("Joanne Firth", TeamMember.Profession.EHCP_TEAM, "EHCP Team"),
    ),
    accounts=(
        DemoAccount(
            "send.admin@kirklees.example",
            "Helen Armitage",
            "SEND commissioning officer",
            (("council_admin", "council"),),
        ),
        DemoAccount(
            "auditor@kirklees.example", "Ravi Chauhan", "Internal auditor", (("auditor", "council"),)
        ),
        DemoAccount(
            "cluster14.admin@kirklees.example",
            "Sarah Lockwood",
            "Cluster 14 administrator",
            (("cluster_admin", "cluster-14"),),
        ),
        DemoAccount(
            "head.ashbrow@kirklees.example",
            "Martin Beaumont",
            "Headteacher, Ashbrow School",
            (("chair", "cluster-14"), ("school_staff", "107628")),
        ),
        DemoAccount(
            "senco.stthomas@kirklees.example",
            "Claire Dyson",
            "SENCO, St Thomas CE Primary School",
            (("school_staff", "151801"),),
        ),
        DemoAccount(
            "senco.birkbyjunior@kirklees.example",
            "Imran Hussain",
            "SENCO, Birkby Junior School",
            (("school_staff", "107626"),),
        ),
        DemoAccount(
            "ep.cluster14@kirklees.example",
            "Dr Nadia Rahman",
            "Educational psychologist",
            (("tac", "cluster-14"),),
        ),
    ),
    pupil_names_allowed=True,
    pupils=(
        (
            151801,
            "ST-24-017",
            "Amelia Brook",
            "3",
            Area.COMMUNICATION_AND_INTERACTION,
            [Area.SOCIAL_EMOTIONAL_MENTAL_HEALTH],
            "ASD",
            EhcStatus.NONE,
        ),
        (151801, "ST-23-042", "Jayden Oldroyd", "5", Area.COGNITION_AND_LEARNING, [], "SPLD", EhcStatus.NONE),
        (151801, "ST-25-003", "", "R", Area.COMMUNICATION_AND_INTERACTION, [], "SLCN", EhcStatus.REQUESTED),
        (
            151801,
            "ST-22-088",
            "Maya Sutcliffe",
            "6",
            Area.SOCIAL_EMOTIONAL_MENTAL_HEALTH,
            [],
            "SEMH",
            EhcStatus.IN_PLACE,
        ),
        (
            107626,
            "BJ-0311",
            "Zain Akhtar",
            "4",
            Area.SENSORY_AND_PHYSICAL,
            [Area.COGNITION_AND_LEARNING],
            "HI",
            EhcStatus.NONE,
        ),
        (107626, "BJ-0419", "", "6", Area.SOCIAL_EMOTIONAL_MENTAL_HEALTH, [], "SEMH", EhcStatus.NONE),
        (107628, "AB/7/12", "Lily Haigh", "2", Area.COGNITION_AND_LEARNING, [], "MLD", EhcStatus.NONE),
        (107628, "AB/4/08", "Ellie Shaw", "5", Area.COGNITION_AND_LEARNING, [], "SPLD", EhcStatus.NONE),
        (107628, "AB/4/19", "Ruby Whitwam", "5", Area.COGNITION_AND_LEARNING, [], "SPLD", EhcStatus.NONE),
        (
            107628,
            "AB/3/22",
            "Yusuf Patel",
            "3",
            Area.SOCIAL_EMOTIONAL_MENTAL_HEALTH,
            [Area.COMMUNICATION_AND_INTERACTION],
            "SEMH",
            EhcStatus.NONE,
        ),
        (
            107628,
            "AB/2/06",
            "Callum Brierley",
            "4",
            Area.SOCIAL_EMOTIONAL_MENTAL_HEALTH,
            [],
            "SEMH",
            EhcStatus.NONE,
        ),
        (107628, "AB/5/03", "Freya Marsden", "4", Area.SENSORY_AND_PHYSICAL, [], "PD", EhcStatus.NONE),
        (
            107628,
            "AB/7/31",
            "",
            "1",
            Area.COMMUNICATION_AND_INTERACTION,
            [Area.SOCIAL_EMOTIONAL_MENTAL_HEALTH],
            "NSA",
            EhcStatus.NONE,
        ),
    ),
    requests=KIRKLEES_REQUESTS + KIRKLEES_VOTE.requests,
    vote=KIRKLEES_VOTE,
    # Invented: councils publish each cluster's amount, not their weights.
    money=DemoMoney(high_needs_pence=18_000_000, contingency_percent="5"),
)

STOKE = DemoScheme(
    council_name="Stoke-on-Trent City Council",
    la_code=861,
    slug="stoke-on-trent",
    scheme_key="stoke_central_pilot",
    first_year=2025,
    cluster_name="Central cluster",
    cluster_number=1,
    locality="Central",
    meeting_rhythm=(
        "Two meetings each term: one to share ideas and nominate projects, one to allocate funding. "
        "Contingency requests are heard at the termly City Cluster Meeting."
    ),
    how_to_get_support=(
        "Talk to your child's school SENCO. Schools can apply on their own or together, for a child, a group "
        "or a project, and for unforeseen needs from the contingency fund."
    ),
    city_pool=True,
    team=(
        (
            "Dr Owen Bradbury",
            TeamMember.Profession.EDUCATIONAL_PSYCHOLOGIST,
            "Stoke-on-Trent Educational Psychology",
        ),
        ("Leanne Wood", TeamMember.Profession.SEND_TEAM, "SEND Team"),
        ("Kwame Mensah", TeamMember.Profession.LOCALITY_LEAD, "Central locality"),
        ("Rachel Plant", TeamMember.Profession.SPECIALIST_TEACHER, "Inclusion Support Service"),
    ),
    accounts=(
        DemoAccount(
            "send.admin@stoke.example", "Amanda Birks", "SEND Team manager", (("council_admin", "council"),)
        ),
        DemoAccount(
            "auditor@stoke.example", "Peter Salt", "Schools forum auditor", (("auditor", "council"),)
        ),
        DemoAccount(
            "central.admin@stoke.example",
            "Donna Shenton",
            "Cluster administrator",
            (("cluster_admin", "central-cluster"), ("cluster_admin", "city-pool")),
        ),
        DemoAccount(
            "locality.lead@stoke.example",
            "Kwame Mensah",
            "Central locality lead",
            (("chair", "central-cluster"), ("chair", "city-pool")),
        ),
        DemoAccount(
            "senco.abbeyhulton@stoke.example",
            "Gemma Hollins",
            "SENCO, Abbey Hulton Primary School",
            (("school_staff", "146487"),),
        ),
        DemoAccount(
            "senco.etruscan@stoke.example",
            "Tomasz Nowak",
            "SENCO, Etruscan Primary School",
            (("school_staff", "146464"),),
        ),
        DemoAccount(
            "ep.central@stoke.example",
            "Dr Owen Bradbury",
            "Educational psychologist",
            (("tac", "central-cluster"),),
        ),
    ),
    pupil_names_allowed=False,
    pupils=(
        (
            146487,
            "AH-Y4-07",
            "",
            "4",
            Area.SOCIAL_EMOTIONAL_MENTAL_HEALTH,
            [Area.COMMUNICATION_AND_INTERACTION],
            "SEMH",
            EhcStatus.NONE,
        ),
        (146487, "AH-Y1-15", "", "1", Area.COMMUNICATION_AND_INTERACTION, [], "SLCN", EhcStatus.NONE),
        (146487, "AH-Y6-02", "", "6", Area.COGNITION_AND_LEARNING, [], "MLD", EhcStatus.REQUESTED),
        (146464, "ETR-118", "", "3", Area.SENSORY_AND_PHYSICAL, [], "VI", EhcStatus.NONE),
        (
            146464,
            "ETR-204",
            "",
            "5",
            Area.COMMUNICATION_AND_INTERACTION,
            [Area.SOCIAL_EMOTIONAL_MENTAL_HEALTH],
            "ASD",
            EhcStatus.IN_PLACE,
        ),
        (146487, "AH-Y1-22", "", "1", Area.COMMUNICATION_AND_INTERACTION, [], "SLCN", EhcStatus.NONE),
        (
            146487,
            "AH-Y2-30",
            "",
            "2",
            Area.COMMUNICATION_AND_INTERACTION,
            [Area.SENSORY_AND_PHYSICAL],
            "NSA",
            EhcStatus.NONE,
        ),
        (146487, "AH-Y3-12", "", "3", Area.SOCIAL_EMOTIONAL_MENTAL_HEALTH, [], "SEMH", EhcStatus.NONE),
        (146487, "AH-Y6-18", "", "6", Area.SENSORY_AND_PHYSICAL, [], "PD", EhcStatus.NONE),
        (146464, "ETR-145", "", "2", Area.SENSORY_AND_PHYSICAL, [], "PD", EhcStatus.NONE),
        (
            146464,
            "ETR-152",
            "",
            "3",
            Area.COMMUNICATION_AND_INTERACTION,
            [Area.SENSORY_AND_PHYSICAL],
            "ASD",
            EhcStatus.NONE,
        ),
        (146464, "ETR-162", "", "4", Area.COGNITION_AND_LEARNING, [], "SPLD", EhcStatus.NONE),
        (146464, "ETR-171", "", "4", Area.COGNITION_AND_LEARNING, [], "MLD", EhcStatus.NONE),
        (146464, "ETR-233", "", "6", Area.SOCIAL_EMOTIONAL_MENTAL_HEALTH, [], "SEMH", EhcStatus.NONE),
        (146464, "ETR-240", "", "5", Area.SOCIAL_EMOTIONAL_MENTAL_HEALTH, [], "SEMH", EhcStatus.NONE),
    ),
    requests=STOKE_REQUESTS + STOKE_VOTE.requests,
    vote=STOKE_VOTE,
    money=DemoMoney(high_needs_pence=60_000_000, top_slice_percent="10", contingency_percent="5"),
    blind_papers=True,
    meetings_per_term="two_a_term",
)

SCHEMES = (KIRKLEES, STOKE)


def _number(text: str) -> int | None:
    return int(text) if text.strip() else None


def _school_rows(scheme_key: str) -> list[dict]:
    with DATA.open(newline="", encoding="utf-8") as file:
        # Only the schools the source page lists: the SENDCO hub page adds three that the pilot does not.
        return [
            row
            for row in csv.DictReader(file)
            if row["scheme"] == scheme_key and row["listed_in"].startswith("seed")
        ]


def _phase_and_type(row: dict) -> tuple[str, str]:
    note = row["note"].lower()
    if "pupil referral unit" in note:
        return School.Phase.NOT_APPLICABLE, "Pupil referral unit"
    if "secondary" in note:
        return School.Phase.SECONDARY, ""
    return School.Phase.PRIMARY, ""


def current_start_year(today: datetime.date | None = None) -> int:
    today = today or datetime.date.today()
    return today.year if today.month >= 9 else today.year - 1


@transaction.atomic
def load_scheme(scheme: DemoScheme, *, today: datetime.date | None = None) -> Council:
    """Create one council's demo scheme, then add whichever of its demo pupils and requests are missing:
    loading twice adds nothing the second time."""
    council = Council.objects.filter(la_code=scheme.la_code).first() or _create_council(scheme, today=today)
    _add_pupils(scheme, council)
    load_triage_scheme(council, _council_admin(council), blind=scheme.blind_papers)
    load_meetings(council, _council_admin(council), per_term=scheme.meetings_per_term)
    load_requests(council, scheme.requests, scheme.accounts)
    load_shared_resources(council)
    load_advice(council)
    load_money(council, scheme.money)
    if scheme.vote:
        load_votes(council, scheme.vote, today=today)
    load_delivery(council, scheme.requests, scheme.accounts)
    load_review(council, scheme.accounts, today=today)
    return council


def _create_council(scheme: DemoScheme, *, today: datetime.date | None) -> Council:
    council = organisations.create_council(
        name=scheme.council_name,
        la_code=scheme.la_code,
        slug=scheme.slug,
        acting_user=None,
        pupil_names_allowed=scheme.pupil_names_allowed,
    )
    years = [
        organisations.open_academic_year(council=council, start_year=start, acting_user=None)
        for start in range(scheme.first_year, max(scheme.first_year, current_start_year(today)) + 1)
    ]
    cluster = organisations.create_cluster(
        council=council,
        name=scheme.cluster_name,
        number=scheme.cluster_number,
        locality=scheme.locality,
        meeting_rhythm=scheme.meeting_rhythm,
        how_to_get_support=scheme.how_to_get_support,
        acting_user=None,
    )
    clusters = {cluster.slug: cluster}
    if scheme.city_pool:
        pool = organisations.create_cluster(
            council=council,
            name="City pool",
            is_city_pool=True,
            locality="Whole city",
            meeting_rhythm="The City Cluster Meeting is held once a term to hear contingency requests.",
            acting_user=None,
        )
        clusters[pool.slug] = pool

    schools = {}
    for row in _school_rows(scheme.scheme_key):
        phase, establishment_type = _phase_and_type(row)
        school = School.objects.create(
            council=council,
            urn=_number(row["urn"]),
            name=row["gias_name"] or row["seed_name"],
            phase=phase,
            establishment_type=establishment_type,
            town=row["town"],
            postcode=row["postcode"],
        )
        schools[row["urn"] or row["seed_name"]] = school
        if row["pupils_jan2023"]:
            SchoolCensus.objects.create(
                school=school,
                census_month=CENSUS_MONTH,
                source=CENSUS_SOURCE,
                pupils_on_roll=_number(row["pupils_jan2023"]),
                sen_support=_number(row["sen_support_jan2023"]),
                ehc_plans=_number(row["ehc_plan_jan2023"]),
            )
        for year in years:
            organisations.place_school_in_cluster(
                school=school, cluster=cluster, academic_year=year, acting_user=None
            )

    people = {}
    for account in scheme.accounts:
        person = create_person(
            email=account.email,
            full_name=account.full_name,
            job_title=account.job_title,
            password=DEMO_PASSWORD,
            acting_user=None,
            council=council,
        )
        people[account.full_name] = person
        for role, scope in account.roles:
            grant_role(
                user=person,
                role=Role(role),
                council=council,
                acting_user=None,
                cluster=clusters.get(scope),
                school=schools.get(scope),
            )
    for name, profession, organisation in scheme.team:
        organisations.add_team_member(
            cluster=cluster,
            name=name,
            profession=profession,
            organisation=organisation,
            user=people.get(name),
            acting_user=None,
        )
    return council


def _add_pupils(scheme: DemoScheme, council: Council) -> None:
    """Each school's demo pupils, added by the school's demo SENCO unless the school has them already."""
    users = {user.email: user for user in User.objects.filter(email__in=[a.email for a in scheme.accounts])}
    staff_by_urn = {
        int(scope): users[account.email]
        for account in scheme.accounts
        for role, scope in account.roles
        if role == "school_staff"
    }
    # By reference alone: a demo pupil may since have moved to another school in the cluster.
    existing = set(Pupil.objects.filter(school__council=council).values_list("reference", flat=True))
    for urn, reference, name, year_group, area, others, sen_type, status in scheme.pupils:
        if reference in existing:
            continue
        since = None if status == EhcStatus.NONE else datetime.date(2025, 10, 6)
        pupils.add_pupil(
            school=School.objects.get(council=council, urn=urn),
            acting_user=staff_by_urn[urn],
            reference=reference,
            name=name,
            year_group=year_group,
            primary_area=area,
            secondary_areas=list(others),
            sen_type=sen_type,
            ehc_status=status,
            ehc_status_since=since,
        )


def _council_admin(council) -> User:
    return User.objects.filter(
        role_assignments__council=council, role_assignments__role="council_admin"
    ).first()


def load_demo(*, today: datetime.date | None = None) -> list[Council]:
    """Both seed schemes, each loaded once."""
    return [load_scheme(scheme, today=today) for scheme in SCHEMES]


def demo_accounts() -> list[tuple[str, DemoAccount]]:
    return [(scheme.council_name, account) for scheme in SCHEMES for account in scheme.accounts]
