"""The organisation services: term dates, academic years, cluster places, teams and school details."""

import datetime

import pytest

from clusterfund.accounts.models import User
from clusterfund.audit.models import AuditEvent
from clusterfund.organisations import services
from clusterfund.organisations.calendar import HalfTermDates, default_half_terms, easter_sunday
from clusterfund.organisations.models import (
    AcademicYear,
    Cluster,
    ClusterMembership,
    Council,
    HalfTerm,
    School,
    TeamMember,
    Term,
)
from clusterfund.organisations.services import OrganisationError

D = datetime.date
MONDAY, FRIDAY = 0, 4
ASHBROW, ETRUSCAN = 107628, 146464


def council(slug: str) -> Council:
    return Council.objects.get(slug=slug)


def year(slug: str, start_year: int) -> AcademicYear:
    return AcademicYear.objects.get(council__slug=slug, start_year=start_year)


def half_term(slug: str, start_year: int, number: int) -> HalfTerm:
    return HalfTerm.objects.get(
        term__academic_year__council__slug=slug, term__academic_year__start_year=start_year, number=number
    )


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            AcademicYear,
            Term,
            HalfTerm,
            Cluster,
            ClusterMembership,
            School,
            TeamMember,
            AuditEvent,
        )
    }


@pytest.fixture
def admin(db):
    return User.objects.get(email="send.admin@kirklees.example")


# --- calendar -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "easter",
    [
        D(1943, 4, 25),  # the latest possible date
        D(2000, 4, 23),
        D(2008, 3, 23),
        D(2019, 4, 21),
        D(2024, 3, 31),
        D(2025, 4, 20),
        D(2026, 4, 5),
        D(2027, 3, 28),
        D(2038, 4, 25),
        D(2285, 3, 22),  # the earliest possible date
    ],
)
def test_easter_sunday_is_right(easter):
    assert easter_sunday(easter.year) == easter
    assert easter.weekday() == 6


def test_default_half_terms_of_2025_26():
    assert default_half_terms(2025) == [
        HalfTermDates(1, D(2025, 9, 1), D(2025, 10, 24)),
        HalfTermDates(2, D(2025, 11, 3), D(2025, 12, 19)),
        HalfTermDates(3, D(2026, 1, 5), D(2026, 2, 13)),
        HalfTermDates(4, D(2026, 2, 23), D(2026, 3, 27)),
        HalfTermDates(5, D(2026, 4, 13), D(2026, 5, 22)),
        HalfTermDates(6, D(2026, 6, 1), D(2026, 7, 17)),
    ]


def test_default_half_terms_of_2024_25():
    # 1 September 2024 is a Sunday, so the autumn term starts on Monday 2 September.
    assert default_half_terms(2024) == [
        HalfTermDates(1, D(2024, 9, 2), D(2024, 10, 25)),
        HalfTermDates(2, D(2024, 11, 4), D(2024, 12, 20)),
        HalfTermDates(3, D(2025, 1, 6), D(2025, 2, 14)),
        HalfTermDates(4, D(2025, 2, 24), D(2025, 4, 11)),
        HalfTermDates(5, D(2025, 4, 28), D(2025, 5, 23)),
        HalfTermDates(6, D(2025, 6, 2), D(2025, 7, 18)),
    ]


def test_default_half_terms_are_in_order_every_year():
    for start_year in range(1990, 2101):
        half_terms = default_half_terms(start_year)
        assert [h.number for h in half_terms] == [1, 2, 3, 4, 5, 6]
        assert half_terms[0].starts_on >= D(start_year, 9, 1)
        assert half_terms[0].starts_on.weekday() < 5
        assert half_terms[-1].ends_on <= D(start_year + 1, 7, 31)
        for h in half_terms:
            assert h.ends_on.weekday() == FRIDAY, (start_year, h)
            assert (h.ends_on - h.starts_on).days >= 14, (start_year, h)
            if h.number > 1:
                assert h.starts_on.weekday() == MONDAY, (start_year, h)
        for earlier, later in zip(half_terms, half_terms[1:], strict=False):
            assert later.starts_on - earlier.ends_on >= datetime.timedelta(days=3), (start_year, later)
        # The spring term starts in January, after Christmas.
        assert half_terms[2].starts_on.year == start_year + 1 and half_terms[2].starts_on.month == 1
        # The Easter holiday falls between the spring and summer terms.
        easter = easter_sunday(start_year + 1)
        assert half_terms[3].ends_on < easter < half_terms[4].starts_on


# --- academic years -------------------------------------------------------------------------------


def test_opening_a_year_makes_three_terms_and_six_half_terms_on_the_default_dates(admin):
    kirklees = council("kirklees")
    before = counts()

    opened = services.open_academic_year(council=kirklees, start_year=2040, acting_user=admin)

    opened.refresh_from_db()
    assert (opened.council, opened.start_year, opened.starts_on, opened.ends_on) == (
        kirklees,
        2040,
        D(2040, 9, 1),
        D(2041, 8, 31),
    )
    assert (opened.name, opened.code) == ("2040/41", "4041")
    terms = list(opened.terms.order_by("number").values_list("number", "season"))
    assert terms == [(1, "autumn"), (2, "spring"), (3, "summer")]
    half_terms = HalfTerm.objects.filter(term__academic_year=opened).select_related("term").order_by("number")
    assert [(h.number, h.term.number, h.name) for h in half_terms] == [
        (1, 1, "Autumn 1"),
        (2, 1, "Autumn 2"),
        (3, 2, "Spring 1"),
        (4, 2, "Spring 2"),
        (5, 3, "Summer 1"),
        (6, 3, "Summer 2"),
    ]
    assert [(h.starts_on, h.ends_on) for h in half_terms] == [
        (d.starts_on, d.ends_on) for d in default_half_terms(2040)
    ]
    assert half_terms[0].starts_on == D(2040, 9, 3)  # 1 September 2040 is a Saturday
    after = counts()
    assert (after["AcademicYear"], after["Term"], after["HalfTerm"], after["AuditEvent"]) == (
        before["AcademicYear"] + 1,
        before["Term"] + 3,
        before["HalfTerm"] + 6,
        before["AuditEvent"] + 1,
    )
    event = AuditEvent.objects.get(action="academic_year.opened", object_id=str(opened.pk))
    assert (event.actor, event.council, event.object_repr) == (admin, kirklees, "2040/41")
    assert event.after["half_terms"][0] == ["2040-09-03", "2040-10-26"]
    assert len(event.after["half_terms"]) == 6


def test_the_same_year_cannot_be_opened_twice(admin):
    before = counts()
    with pytest.raises(OrganisationError, match=r"^2025/26 is already open\.$"):
        services.open_academic_year(council=council("kirklees"), start_year=2025, acting_user=admin)
    assert counts() == before


def test_each_council_opens_its_own_years(admin):
    # Stoke's scheme started in 2025, so 2024/25 is free for it while Kirklees already has it.
    opened = services.open_academic_year(
        council=council("stoke-on-trent"), start_year=2024, acting_user=admin
    )
    assert opened.council.slug == "stoke-on-trent"
    assert AcademicYear.objects.filter(start_year=2024).count() == 2
    services.open_academic_year(council=council("stoke-on-trent"), start_year=2099, acting_user=admin)
    with pytest.raises(OrganisationError, match=r"^2099/00 is already open\.$"):
        services.open_academic_year(council=council("stoke-on-trent"), start_year=2099, acting_user=admin)
    assert not AcademicYear.objects.filter(council__slug="kirklees", start_year=2099).exists()


# --- half term dates ------------------------------------------------------------------------------


def test_a_half_term_moves_within_its_neighbours(admin):
    spring_1 = half_term("kirklees", 2025, 3)
    assert (spring_1.starts_on, spring_1.ends_on) == (D(2026, 1, 5), D(2026, 2, 13))

    # The day after Autumn 2 ends, and the day before Spring 2 starts, are both allowed.
    services.change_half_term_dates(
        half_term=spring_1, starts_on=D(2025, 12, 20), ends_on=D(2026, 2, 22), acting_user=admin
    )

    spring_1 = half_term("kirklees", 2025, 3)
    assert (spring_1.starts_on, spring_1.ends_on) == (D(2025, 12, 20), D(2026, 2, 22))
    event = AuditEvent.objects.get(action="half_term.dates_changed")
    assert (event.actor, event.council, event.object_repr) == (admin, council("kirklees"), "Spring 1")
    assert event.before == {"starts_on": "2026-01-05", "ends_on": "2026-02-13"}
    assert event.after == {"starts_on": "2025-12-20", "ends_on": "2026-02-22"}
    # Other half terms, and the same half term in other years and councils, are untouched.
    assert (half_term("kirklees", 2025, 4).starts_on, half_term("kirklees", 2024, 3).starts_on) == (
        D(2026, 2, 23),
        D(2025, 1, 6),
    )
    assert half_term("stoke-on-trent", 2025, 3).starts_on == D(2026, 1, 5)


@pytest.mark.parametrize(
    ("number", "starts_on", "ends_on", "message"),
    [
        (3, D(2026, 2, 13), D(2026, 2, 13), "The half term must end after it starts"),
        (3, D(2026, 2, 13), D(2026, 1, 5), "The half term must end after it starts"),
        (
            1,
            D(2025, 8, 29),
            D(2025, 10, 24),
            "The half term must fall within 2025/26 (1 September to 31 August)",
        ),
        (
            6,
            D(2026, 6, 1),
            D(2026, 9, 1),
            "The half term must fall within 2025/26 (1 September to 31 August)",
        ),
        (3, D(2025, 12, 19), D(2026, 2, 13), "The half term must start after the previous half term ends"),
        (3, D(2025, 10, 1), D(2025, 10, 20), "The half term must start after the previous half term ends"),
        (3, D(2026, 1, 5), D(2026, 2, 23), "The half term must end before the next half term starts"),
        (2, D(2025, 11, 3), D(2026, 7, 1), "The half term must end before the next half term starts"),
    ],
)
def test_half_term_dates_that_break_the_order_are_refused(admin, number, starts_on, ends_on, message):
    target = half_term("kirklees", 2025, number)
    dates = (target.starts_on, target.ends_on)
    before = counts()

    with pytest.raises(OrganisationError) as refused:
        services.change_half_term_dates(
            half_term=target, starts_on=starts_on, ends_on=ends_on, acting_user=admin
        )

    assert str(refused.value) == message
    fresh = half_term("kirklees", 2025, number)
    assert (fresh.starts_on, fresh.ends_on) == dates
    assert counts() == before


# --- placing schools in clusters ------------------------------------------------------------------


@pytest.fixture
def cluster_15(admin):
    return services.create_cluster(
        council=council("kirklees"), name="Cluster 15", number=15, locality="Dewsbury", acting_user=admin
    )


def test_create_cluster_records_the_cluster(cluster_15, admin):
    assert (cluster_15.slug, cluster_15.number, cluster_15.is_city_pool) == ("cluster-15", 15, False)
    event = AuditEvent.objects.get(action="cluster.created", object_id=str(cluster_15.pk))
    assert event.after == {"name": "Cluster 15", "number": 15, "locality": "Dewsbury", "is_city_pool": False}
    assert event.actor == admin


def test_a_school_moves_cluster_for_one_year_and_keeps_the_others(admin, cluster_15):
    ashbrow = School.objects.get(urn=ASHBROW)
    by_year = dict(ashbrow.memberships.values_list("academic_year__start_year", "cluster__name"))
    assert by_year[2024] == by_year[2025] == "Cluster 14"

    membership = services.place_school_in_cluster(
        school=ashbrow, cluster=cluster_15, academic_year=year("kirklees", 2025), acting_user=admin
    )

    after = dict(ashbrow.memberships.values_list("academic_year__start_year", "cluster__name"))
    assert after == {**by_year, 2025: "Cluster 15"}
    assert ashbrow.memberships.filter(academic_year__start_year=2025).get().pk == membership.pk
    assert membership.cluster == cluster_15
    event = AuditEvent.objects.get(action="school.moved_cluster")
    assert (event.before, event.after) == (
        {"cluster": "Cluster 14"},
        {"cluster": "Cluster 15", "academic_year": "2025/26", "school": "Ashbrow School"},
    )
    assert (event.actor, event.council) == (admin, council("kirklees"))
    # The move shows in each cluster's school list for that year only.
    cluster_14 = Cluster.objects.get(council__slug="kirklees", slug="cluster-14")
    assert not cluster_14.memberships.filter(school=ashbrow, academic_year__start_year=2025).exists()
    assert cluster_14.memberships.filter(school=ashbrow, academic_year__start_year=2024).exists()


def test_placing_a_school_in_a_new_year_and_again_in_the_same_cluster(admin, cluster_15):
    ashbrow = School.objects.get(urn=ASHBROW)
    new_year = services.open_academic_year(council=council("kirklees"), start_year=2040, acting_user=admin)

    first = services.place_school_in_cluster(
        school=ashbrow, cluster=cluster_15, academic_year=new_year, acting_user=admin
    )
    event = AuditEvent.objects.get(action="school.placed_in_cluster", object_id=str(first.pk))
    assert (event.before, event.after) == (
        None,
        {"cluster": "Cluster 15", "academic_year": "2040/41", "school": "Ashbrow School"},
    )
    before = counts()

    again = services.place_school_in_cluster(
        school=ashbrow, cluster=cluster_15, academic_year=new_year, acting_user=admin
    )

    assert again.pk == first.pk
    assert counts() == before


@pytest.mark.parametrize(
    ("school_urn", "cluster_slug", "year_council"),
    [
        (ETRUSCAN, "cluster-14", "kirklees"),  # a Stoke school in a Kirklees cluster
        (ASHBROW, "central-cluster", "stoke-on-trent"),  # a Kirklees school in a Stoke cluster
        (ASHBROW, "cluster-14", "stoke-on-trent"),  # Stoke's year
        (ETRUSCAN, "central-cluster", "kirklees"),  # Kirklees's year
    ],
)
def test_a_school_cannot_be_placed_across_councils(admin, school_urn, cluster_slug, year_council):
    school = School.objects.get(urn=school_urn)
    cluster = Cluster.objects.get(slug=cluster_slug)
    academic_year = year(year_council, 2025)
    places = list(ClusterMembership.objects.order_by("pk").values_list())
    before = counts()

    with pytest.raises(
        OrganisationError, match=r"^The school, the cluster and the year must belong to the same council\.$"
    ):
        services.place_school_in_cluster(
            school=school, cluster=cluster, academic_year=academic_year, acting_user=admin
        )

    assert list(ClusterMembership.objects.order_by("pk").values_list()) == places
    assert counts() == before


def test_a_school_cannot_be_placed_in_the_city_pool(admin):
    etruscan = School.objects.get(urn=ETRUSCAN)
    pool = Cluster.objects.get(council__slug="stoke-on-trent", is_city_pool=True)
    assert pool.name == "City pool"
    before = counts()

    with pytest.raises(OrganisationError, match=r"^Schools belong to clusters, not to the city pool\.$"):
        services.place_school_in_cluster(
            school=etruscan, cluster=pool, academic_year=year("stoke-on-trent", 2025), acting_user=admin
        )

    assert etruscan.memberships.get(academic_year__start_year=2025).cluster.slug == "central-cluster"
    assert not pool.memberships.exists()
    assert counts() == before


# --- teams ----------------------------------------------------------------------------------------


def test_a_team_member_is_added_to_the_cluster(admin):
    cluster = Cluster.objects.get(slug="cluster-14")
    person = User.objects.get(email="cluster14.admin@kirklees.example")
    before = cluster.team_members.count()

    member = services.add_team_member(
        cluster=cluster,
        name="Sam Okafor",
        profession=TeamMember.Profession.SEND_TEAM,
        organisation="Kirklees SENDACT",
        user=person,
        acting_user=admin,
    )

    member.refresh_from_db()
    assert (member.cluster, member.name, member.profession, member.organisation, member.user) == (
        cluster,
        "Sam Okafor",
        "send_team",
        "Kirklees SENDACT",
        person,
    )
    assert str(member) == "Sam Okafor, SEND team"
    assert cluster.team_members.count() == before + 1
    event = AuditEvent.objects.get(action="team_member.added", object_id=str(member.pk))
    assert event.after == {"name": "Sam Okafor", "profession": "send_team", "cluster": "Cluster 14"}
    assert (event.actor, event.council) == (admin, council("kirklees"))


@pytest.mark.parametrize("profession", ["", "doctor", "Educational psychologist"])
def test_a_team_member_needs_a_known_profession(admin, profession):
    before = counts()
    with pytest.raises(OrganisationError, match=r"^Choose the team member's profession\.$"):
        services.add_team_member(
            cluster=Cluster.objects.get(slug="cluster-14"),
            name="Sam Okafor",
            profession=profession,
            acting_user=admin,
        )
    assert counts() == before


# --- school details -------------------------------------------------------------------------------


def test_updating_a_school_records_only_what_changed(admin):
    ashbrow = School.objects.get(urn=ASHBROW)
    assert (ashbrow.name, ashbrow.postcode, ashbrow.town) == ("Ashbrow School", "HD2 1EX", "Huddersfield")

    services.update_school(
        school=ashbrow,
        acting_user=admin,
        name="Ashbrow Primary School",
        postcode="HD2 1EX",
        street="Ashbrow Road",
    )

    fresh = School.objects.get(urn=ASHBROW)
    assert (fresh.name, fresh.postcode, fresh.street, fresh.town) == (
        "Ashbrow Primary School",
        "HD2 1EX",
        "Ashbrow Road",
        "Huddersfield",
    )
    event = AuditEvent.objects.get(action="school.updated")
    assert (event.before, event.after) == (
        {"name": "Ashbrow School", "street": ""},
        {"name": "Ashbrow Primary School", "street": "Ashbrow Road"},
    )
    assert (event.actor, event.council, event.object_id) == (admin, council("kirklees"), str(ashbrow.pk))


def test_updating_a_school_with_the_same_details_records_nothing(admin):
    ashbrow = School.objects.get(urn=ASHBROW)
    before = counts()
    result = services.update_school(
        school=ashbrow, acting_user=admin, name="Ashbrow School", town="Huddersfield"
    )
    assert result is ashbrow
    assert counts() == before
    assert not AuditEvent.objects.filter(action="school.updated").exists()


def test_create_council_records_the_council(admin):
    created = services.create_council(name="Calderdale Council", la_code=381, acting_user=admin)
    assert (created.slug, created.la_code) == ("calderdale-council", 381)
    event = AuditEvent.objects.get(action="council.created", council=created)
    assert (event.after["name"], event.after["la_code"], event.actor) == ("Calderdale Council", 381, admin)
