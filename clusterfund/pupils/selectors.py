"""Reads of pupils, limited to what the person may see."""

from django.db.models import Q, QuerySet

from clusterfund.accounts.permissions import scope_of
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
