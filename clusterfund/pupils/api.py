"""Pupils through the JSON API: the pupil pages' twin, with the same selectors, predicates and services.

Another school's pupil is not found (404); a pupil the person may see but not change is 403. Reading a
whole record is audited, as opening the pupil's page is.
"""

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status

from clusterfund.core.access import allow_or_403, allow_or_404
from clusterfund.core.api import CHANGE_ERRORS, READ_ERRORS, ErrorOut, bad_request, caller, page_of
from clusterfund.organisations.selectors import schools_visible_to
from clusterfund.pupils import permissions, selectors, services
from clusterfund.pupils.schemas import (
    EhcStatusChangeOut,
    NamedPupilOut,
    NamedPupilSummaryOut,
    PupilChangeIn,
    PupilFilters,
    PupilIn,
    PupilOut,
    PupilPageOut,
    PupilSummaryOut,
    PupilTransferOut,
)

Record = NamedPupilOut | PupilOut

router = Router(tags=["Pupils"])


def _fields(pupil, user) -> dict:
    fields = {
        "id": pupil.pk,
        "school_id": pupil.school_id,
        "reference": pupil.reference,
        "year_group": pupil.year_group,
        "primary_area": pupil.primary_area,
        "ehc_status": pupil.ehc_status,
    }
    if permissions.can_see_pupil_name(user, pupil):
        fields["name"] = pupil.name
    return fields


def _summary(pupil, user) -> PupilSummaryOut:
    fields = _fields(pupil, user)
    return NamedPupilSummaryOut(**fields) if "name" in fields else PupilSummaryOut(**fields)


def _record(pupil, user) -> PupilOut:
    fields = _fields(pupil, user)
    shape = NamedPupilOut if "name" in fields else PupilOut
    return shape(
        **fields,
        school_name=pupil.school.name,
        secondary_areas=pupil.secondary_areas,
        sen_type=pupil.sen_type or None,
        ehc_status_since=pupil.ehc_status_since,
        free_school_meals=pupil.free_school_meals,
        looked_after=pupil.looked_after,
        archived_on=pupil.archived_on,
        ehc_history=[
            EhcStatusChangeOut(status=change.status, changed_on=change.changed_on)
            for change in selectors.ehc_history(pupil)
        ],
        transfers=[
            PupilTransferOut(
                transferred_on=transfer.transferred_on,
                from_school_id=transfer.from_school_id,
                from_school_name=transfer.from_school.name,
                to_school_id=transfer.to_school_id,
                to_school_name=transfer.to_school.name,
            )
            for transfer in selectors.transfers_of(pupil)
        ],
    )


def _pupil_for(user, pupil_id: int):
    pupil = get_object_or_404(selectors.pupils_visible_to(user), pk=pupil_id)
    allow_or_404(permissions.can_view_pupils_of_school(user, pupil.school))
    return pupil


@router.get(
    "",
    response={200: PupilPageOut, 401: ErrorOut},
    url_name="pupils",
    summary="List pupils",
)
def list_pupils(request, filters: Query[PupilFilters]):
    """Pupils of your school(s), or of your council if you are in its SEND team (references only),
    50 to a page. Archived pupils are left out unless asked for."""
    user = caller(request)
    rows = selectors.find_pupils(
        user,
        school_id=filters.school_id,
        area=filters.area or "",
        ehc_status=filters.ehc_status or "",
        include_archived=filters.include_archived,
    )
    page = page_of(rows, page=filters.page)
    return PupilPageOut(
        count=page.count,
        page=page.page,
        pages=page.pages,
        items=[_summary(pupil, user) for pupil in page.items],
    )


@router.post(
    "",
    response={201: Record, **CHANGE_ERRORS},
    url_name="pupil-add",
    summary="Add a pupil",
)
def add_pupil(request, record: PupilIn):
    """Add a pupil to one of your school's records. Council staff may read pupils but not add them."""
    user = caller(request)
    school = get_object_or_404(schools_visible_to(user), pk=record.school_id)
    allow_or_404(permissions.can_view_pupils_of_school(user, school))
    allow_or_403(permissions.can_keep_pupils_of_school(user, school))
    try:
        pupil = services.add_pupil(school=school, acting_user=user, **record.values())
    except services.PupilError as error:
        raise bad_request(error) from error
    return Status(201, _record(pupil, user))


@router.get(
    "/{int:pupil_id}",
    response={200: Record, **READ_ERRORS},
    url_name="pupil",
    summary="Read a pupil's record",
)
def read_pupil(request, pupil_id: int):
    """A pupil's whole record with their EHC history. Each read is written to the audit log."""
    user = caller(request)
    pupil = _pupil_for(user, pupil_id)
    services.record_pupil_viewed(pupil=pupil, acting_user=user)
    return _record(pupil, user)


@router.patch(
    "/{int:pupil_id}",
    response={200: Record, **CHANGE_ERRORS},
    url_name="pupil-change",
    summary="Change a pupil's record",
)
def change_pupil(request, pupil_id: int, changes: PupilChangeIn):
    """Change the fields sent and leave the rest. A new EHC status joins the pupil's EHC history."""
    user = caller(request)
    pupil = _pupil_for(user, pupil_id)
    allow_or_403(permissions.can_keep_pupils_of_school(user, pupil.school))
    try:
        pupil = services.change_pupil(pupil=pupil, acting_user=user, **changes.changes())
    except services.PupilError as error:
        raise bad_request(error) from error
    return _record(pupil, user)
