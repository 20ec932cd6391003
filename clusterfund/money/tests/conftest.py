"""A small council of its own for the money tests, so that formulas and pots start from nothing."""

import datetime
from dataclasses import dataclass

import pytest

from clusterfund.accounts.roles import Role
from clusterfund.accounts.services import create_person, grant_role
from clusterfund.organisations import services as organisations
from clusterfund.organisations.models import School, SchoolCensus

# (cluster, [(school name, pupils on roll, SEN support, EHC plans, free school meals)])
SCHOOLS = {
    "North": [("Northfield Primary", 300, 40, 5, 60), ("Hill Top Academy", 900, 120, 30, 200)],
    "South": [("Southgate Infants", 200, 20, 2, 30), ("River View Primary", 400, 60, 8, 90)],
    "East": [("Eastwood Juniors", 250, 10, 0, 20)],
}


@dataclass
class Scheme:
    council: object
    year: object
    clusters: dict
    schools: dict
    admin: object
    auditor: object
    north_admin: object
    north_senco: object
    south_senco: object


def build_scheme(*, la_code=990, slug="testshire", today=None) -> Scheme:
    today = today or datetime.date.today()
    start = today.year if today.month >= 9 else today.year - 1
    council = organisations.create_council(
        name="Testshire Council", la_code=la_code, slug=slug, acting_user=None
    )
    year = organisations.open_academic_year(council=council, start_year=start, acting_user=None)
    clusters, schools = {}, {}
    for number, (name, rows) in enumerate(SCHOOLS.items(), start=1):
        cluster = organisations.create_cluster(council=council, name=name, number=number, acting_user=None)
        clusters[name] = cluster
        for school_name, roll, k, e, fsm in rows:
            school = School.objects.create(council=council, name=school_name)
            SchoolCensus.objects.create(
                school=school,
                census_month=datetime.date(2023, 1, 1),
                pupils_on_roll=roll,
                sen_support=k,
                ehc_plans=e,
                free_school_meals=fsm,
            )
            organisations.place_school_in_cluster(
                school=school, cluster=cluster, academic_year=year, acting_user=None
            )
            schools[school_name] = school
    clusters["City pool"] = organisations.create_cluster(
        council=council, name="City pool", is_city_pool=True, acting_user=None
    )

    def person(email, role, **scope):
        user = create_person(
            email=f"{email}@{slug}.example", full_name=email, password=None, acting_user=None
        )
        grant_role(user=user, role=role, council=council, acting_user=None, **scope)
        return user

    return Scheme(
        council=council,
        year=year,
        clusters=clusters,
        schools=schools,
        admin=person("admin", Role.COUNCIL_ADMIN),
        auditor=person("auditor", Role.AUDITOR),
        north_admin=person("north.admin", Role.CLUSTER_ADMIN, cluster=clusters["North"]),
        north_senco=person("senco.northfield", Role.SCHOOL_STAFF, school=schools["Northfield Primary"]),
        south_senco=person("senco.southgate", Role.SCHOOL_STAFF, school=schools["Southgate Infants"]),
    )


@pytest.fixture
def scheme(db) -> Scheme:
    return build_scheme()
