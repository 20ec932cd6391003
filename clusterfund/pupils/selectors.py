"""Reads of pupils, limited to what the person may see."""

from django.db.models import Q, QuerySet

from clusterfund.accounts.permissions import scope_of
from clusterfund.organisations.models import AcademicYear, ClusterMembership, School
from clusterfund.pupils.models import Pupil


def pupils_visible_to(user) -> QuerySet[Pupil]:
    """Pupils of the person's own school(s), and of the councils whose SEND team they are in."""
    scope = scope_of(user)
    return Pupil.objects.filter(
        Q(school_id__in=scope.staff_of) | Q(school__council_id__in=scope.council_admin_of)
    ).select_related("school__council")


def pupils_of_school(school, *, area: str = "", ehc_status: str = "", include_archived: bool = False):
    """The school's pupils, filtered by primary area of need and EHC status."""
    pupils = Pupil.objects.of_school(school)
    if not include_archived:
        pupils = pupils.current()
    if area:
        pupils = pupils.filter(primary_area=area)
    if ehc_status:
        pupils = pupils.filter(ehc_status=ehc_status)
    return pupils.order_by("reference")


def ehc_history(pupil: Pupil):
    return list(pupil.ehc_history.select_related("recorded_by").order_by("changed_on", "recorded_at"))


def transfer_destinations(pupil: Pupil):
    """The other schools in the pupil's school's cluster this year."""
    year = AcademicYear.objects.filter(council=pupil.school.council_id).current()
    cluster_ids = ClusterMembership.objects.filter(academic_year=year, school=pupil.school).values(
        "cluster_id"
    )
    return (
        School.objects.filter(memberships__academic_year=year, memberships__cluster_id__in=cluster_ids)
        .exclude(pk=pupil.school_id)
        .order_by("name")
    )


def transfers_of(pupil: Pupil):
    return list(pupil.transfers.select_related("from_school", "to_school").order_by("transferred_on", "pk"))


def find_pupils(
    user,
    *,
    school_id: int | None = None,
    area: str = "",
    ehc_status: str = "",
    include_archived: bool = False,
) -> QuerySet[Pupil]:
    """Pupils the person may see, filtered as asked, by school and reference: a stable order to page
    through. A school the person may not see simply has no pupils here."""
    pupils = pupils_visible_to(user)
    if school_id is not None:
        pupils = pupils.filter(school_id=school_id)
    if not include_archived:
        pupils = pupils.current()
    if area:
        pupils = pupils.filter(primary_area=area)
    if ehc_status:
        pupils = pupils.filter(ehc_status=ehc_status)
    return pupils.order_by("school__name", "school_id", "reference", "pk")
