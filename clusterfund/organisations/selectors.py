"""Reads of councils, clusters and schools, already scoped to what the person may see."""

import datetime

from django.db.models import Count, Min, Prefetch, Q, QuerySet

from clusterfund.accounts.permissions import scope_of
from clusterfund.organisations.models import (
    AcademicYear,
    Cluster,
    ClusterMembership,
    Council,
    HalfTerm,
    School,
    SchoolCensus,
    TeamMember,
)


def councils_visible_to(user) -> QuerySet[Council]:
    """Councils whose overview the person may open (council admins and auditors)."""
    return Council.objects.filter(pk__in=scope_of(user).overseen_councils)


def clusters_visible_to(user) -> QuerySet[Cluster]:
    """Clusters the person may open: overseen councils', their own, and their schools' clusters."""
    scope = scope_of(user)
    return (
        Cluster.objects.filter(
            Q(council_id__in=scope.overseen_councils)
            | Q(pk__in=scope.cluster_roles_in)
            | Q(memberships__school_id__in=scope.staff_of)
        )
        .distinct()
        .select_related("council")
    )


def schools_visible_to(user) -> QuerySet[School]:
    """Schools the person may open: their own, overseen councils', and their clusters' schools."""
    scope = scope_of(user)
    return (
        School.objects.filter(
            Q(pk__in=scope.staff_of)
            | Q(council_id__in=scope.overseen_councils)
            | Q(memberships__cluster_id__in=scope.cluster_roles_in)
        )
        .distinct()
        .select_related("council")
    )


def years_visible_to(user) -> list[AcademicYear]:
    """The academic years of the councils the person works in, newest first, one per start year."""
    years = AcademicYear.objects.filter(council_id__in=scope_of(user).councils).order_by("-start_year", "pk")
    by_start = {}
    for year in years:
        by_start.setdefault(year.start_year, year)
    return list(by_start.values())


def current_year(council: Council) -> AcademicYear | None:
    """The council's academic year that contains today (or the nearest one it has)."""
    return AcademicYear.objects.filter(council=council).current()


def latest_census_prefetch() -> Prefetch:
    return Prefetch(
        "censuses", queryset=SchoolCensus.objects.order_by("-census_month"), to_attr="census_rows"
    )


def member_schools(cluster: Cluster, academic_year: AcademicYear | None) -> list[School]:
    """The cluster's schools in that year, each with `census_rows` (newest first), in two queries."""
    if academic_year is None:
        return []
    return list(
        School.objects.filter(memberships__cluster=cluster, memberships__academic_year=academic_year)
        .prefetch_related(latest_census_prefetch())
        .order_by("name")
    )


def team_of(cluster: Cluster) -> list[TeamMember]:
    """The cluster's Team Around the Cluster, by profession."""
    return list(cluster.team_members.order_by("profession", "name"))


def clusters_of_council(council: Council, academic_year: AcademicYear | None) -> QuerySet[Cluster]:
    """The council's clusters with how many schools each has in the year, in one query."""
    return Cluster.objects.filter(council=council).annotate(
        school_count=Count("memberships", filter=Q(memberships__academic_year=academic_year))
    )


def schools_in_cluster_ids(cluster: Cluster) -> set[int]:
    return set(ClusterMembership.objects.filter(cluster=cluster).values_list("school_id", flat=True))


def years_of(council: Council) -> QuerySet[AcademicYear]:
    return council.academic_years.prefetch_related("terms__half_terms").order_by("-start_year")


def public_councils() -> QuerySet[Council]:
    """Every council on the service, for the signed-out pages."""
    return Council.objects.order_by("name")


def public_clusters() -> QuerySet[Cluster]:
    """Every cluster, for the signed-out pages (which show no personal data)."""
    return Cluster.objects.select_related("council")


def current_clusters_of_schools(school_ids) -> dict[int, Cluster]:
    """Each school's cluster in its council's current year, in one query (for the home page)."""
    if not school_ids:
        return {}
    memberships = (
        ClusterMembership.objects.filter(school_id__in=school_ids)
        .select_related("cluster", "academic_year")
        .order_by("school_id", "-academic_year__start_year")
    )
    found: dict[int, Cluster] = {}
    for membership in memberships:
        found.setdefault(membership.school_id, membership.cluster)
    return found


def team_professions(cluster: Cluster) -> list[str]:
    """The professions in a cluster's team, for public pages that name no one."""
    values = cluster.team_members.values_list("profession", flat=True).distinct()
    labels = dict(TeamMember.Profession.choices)
    return [labels[value] for value in TeamMember.Profession.values if value in set(values)]


def half_terms_of(council: Council) -> QuerySet[HalfTerm]:
    return HalfTerm.objects.filter(term__academic_year__council=council).select_related("term__academic_year")


TERM_NAMES = {1: "Autumn term", 2: "Spring term", 3: "Summer term"}


def term_spans(academic_years) -> dict[tuple[int, int], tuple[datetime.date, datetime.date]]:
    """Each term of these years as [first day, first day of the next term), by (year id, term number): a
    holiday belongs to the term after it, and the last term runs to the end of the year. One query."""
    years = {year.pk: year for year in academic_years}
    starts: dict[int, dict[int, datetime.date]] = {}
    for year_id, number, first in (
        HalfTerm.objects.filter(term__academic_year__in=list(years))
        .order_by()
        .values_list("term__academic_year", "term__number")
        .annotate(first=Min("starts_on"))
    ):
        starts.setdefault(year_id, {})[number] = first
    spans = {}
    for year_id, by_number in starts.items():
        year, numbers = years[year_id], sorted(by_number)
        for index, number in enumerate(numbers):
            start = year.starts_on if index == 0 else by_number[number]
            last = index + 1 == len(numbers)
            end = year.ends_on + datetime.timedelta(days=1) if last else by_number[numbers[index + 1]]
            spans[(year_id, number)] = (start, end)
    return spans
