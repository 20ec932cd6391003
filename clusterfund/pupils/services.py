"""Adding and changing pupils. Names never go into the audit log; changes to them are noted as such."""

import datetime
import re

from django.db import transaction

from clusterfund.audit.services import record_event
from clusterfund.organisations.models import AcademicYear, ClusterMembership
from clusterfund.pupils.models import EhcStatus, EhcStatusChange, Pupil, PupilTransfer
from clusterfund.pupils.needs import AreaOfNeed, sen_type_fits_area

EHC_PLANS_BEGAN = datetime.date(2014, 9, 1)
UPN = re.compile(r"^[A-Z]\d{11}[0-9A-Z]$", re.IGNORECASE)
RECORDED_FIELDS = [
    "reference",
    "year_group",
    "primary_area",
    "secondary_areas",
    "sen_type",
    "ehc_status",
    "ehc_status_since",
    "free_school_meals",
    "looked_after",
]


class PupilError(Exception):
    """A pupil record the rules forbid; `field` names the form field at fault."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def check_pupil(*, school, values: dict, pupil: Pupil | None = None) -> None:
    """The rules a pupil record keeps, whoever writes it (page, API or import)."""
    reference = values["reference"]
    if UPN.match(reference):
        raise PupilError(
            "The reference looks like a unique pupil number (UPN): use your school's own reference",
            "reference",
        )
    clash = Pupil.objects.filter(school=school, reference__iexact=reference)
    if pupil is not None:
        clash = clash.exclude(pk=pupil.pk)
    if clash.exists():
        raise PupilError("Your school already has a pupil with this reference", "reference")
    if values.get("name") and not school.council.pupil_names_allowed:
        raise PupilError(f"{school.council.name} does not allow pupils' names to be stored", "name")
    if values["primary_area"] not in AreaOfNeed.values:
        raise PupilError("Select the primary area of need", "primary_area")
    if values["primary_area"] in values.get("secondary_areas", []):
        raise PupilError("A secondary area of need cannot be the same as the primary area", "secondary_areas")
    if values.get("sen_type") and not sen_type_fits_area(values["sen_type"], values["primary_area"]):
        raise PupilError("The type of need does not belong to the primary area of need", "sen_type")
    if values["ehc_status"] != EhcStatus.NONE and not values.get("ehc_status_since"):
        raise PupilError("Enter the date the EHC status changed", "ehc_status_since")
    since = values.get("ehc_status_since")
    if since and since > datetime.date.today():
        raise PupilError("The date the EHC status changed must be today or in the past", "ehc_status_since")
    if since and since < EHC_PLANS_BEGAN:
        raise PupilError(
            "The date the EHC status changed must be on or after 1 September 2014, when EHC plans began",
            "ehc_status_since",
        )
    if pupil is not None and since and values["ehc_status"] != pupil.ehc_status:
        # "No EHC plan" is dated when the record was made, so only a real request or plan sets the order.
        latest = (
            pupil.ehc_history.exclude(status=EhcStatus.NONE)
            .order_by("-changed_on")
            .values_list("changed_on", flat=True)
            .first()
        )
        if latest and since < latest:
            raise PupilError(
                f"The date the EHC status changed must be on or after {latest.day} {latest:%B %Y}, "
                "the date of the last change",
                "ehc_status_since",
            )


def _snapshot(pupil: Pupil) -> dict:
    values = {name: getattr(pupil, name) for name in RECORDED_FIELDS}
    values["ehc_status_since"] = (
        values["ehc_status_since"].isoformat() if values["ehc_status_since"] else None
    )
    values["name_recorded"] = bool(pupil.name)
    return values


@transaction.atomic
def add_pupil(*, school, acting_user, **values) -> Pupil:
    """Add a pupil to the school's records under its own reference."""
    values.setdefault("secondary_areas", [])
    if values["ehc_status"] == EhcStatus.NONE:
        values["ehc_status_since"] = None
    check_pupil(school=school, values=values)
    pupil = Pupil.objects.create(school=school, **values)
    EhcStatusChange.objects.create(
        pupil=pupil,
        status=pupil.ehc_status,
        changed_on=pupil.ehc_status_since or datetime.date.today(),
        recorded_by=acting_user,
    )
    record_event(
        acting_user=acting_user,
        action="pupil.added",
        obj=pupil,
        council=school.council,
        after=_snapshot(pupil),
    )
    return pupil


@transaction.atomic
def change_pupil(*, pupil: Pupil, acting_user, **values) -> Pupil:
    """Change a pupil's record. A change of EHC status is added to the pupil's EHC history."""
    pupil = Pupil.objects.select_for_update().get(pk=pupil.pk)
    if values.get("ehc_status", pupil.ehc_status) == EhcStatus.NONE:
        values["ehc_status_since"] = None
    merged = {**{name: getattr(pupil, name) for name in [*RECORDED_FIELDS, "name"]}, **values}
    check_pupil(school=pupil.school, values=merged, pupil=pupil)
    before = _snapshot(pupil)
    name_changed = "name" in values and values["name"] != pupil.name
    status_changed = merged["ehc_status"] != pupil.ehc_status
    for name, value in values.items():
        setattr(pupil, name, value)
    pupil.save()
    after = _snapshot(pupil)
    if status_changed:
        EhcStatusChange.objects.create(
            pupil=pupil,
            status=pupil.ehc_status,
            changed_on=pupil.ehc_status_since or datetime.date.today(),
            recorded_by=acting_user,
        )
    changed = [key for key in after if before[key] != after[key]]
    if changed or name_changed:
        # The name itself never goes into the audit log, only that it changed.
        record_event(
            acting_user=acting_user,
            action="pupil.changed",
            obj=pupil,
            council=pupil.school.council,
            before={key: before[key] for key in changed},
            after={
                **{key: after[key] for key in changed},
                **({"name_changed": True} if name_changed else {}),
            },
        )
    return pupil


@transaction.atomic
def transfer_pupil(*, pupil: Pupil, to_school, acting_user) -> Pupil:
    """Move a pupil to another school in their school's cluster this year, with their whole history."""
    pupil = Pupil.objects.select_for_update().select_related("school__council").get(pk=pupil.pk)
    from_school = pupil.school
    if to_school.pk == from_school.pk:
        raise PupilError("Choose a different school", "to_school")
    year = AcademicYear.objects.filter(council=from_school.council).current()
    clusters = dict(
        ClusterMembership.objects.filter(academic_year=year, school__in=[from_school, to_school]).values_list(
            "school_id", "cluster_id"
        )
    )
    if clusters.get(from_school.pk) is None or clusters.get(from_school.pk) != clusters.get(to_school.pk):
        raise PupilError("A pupil can only move to another school in the same cluster", "to_school")
    if Pupil.objects.filter(school=to_school, reference__iexact=pupil.reference).exists():
        raise PupilError(
            f"{to_school.name} already has a pupil with this reference: change it first", "to_school"
        )
    PupilTransfer.objects.create(
        pupil=pupil, from_school=from_school, to_school=to_school, transferred_by=acting_user
    )
    pupil.school = to_school
    pupil.save(update_fields=["school", "updated_at"])
    record_event(
        acting_user=acting_user,
        action="pupil.transferred",
        obj=pupil,
        council=from_school.council,
        before={"school": from_school.name},
        after={"school": to_school.name},
    )
    return pupil


@transaction.atomic
def record_pupil_viewed(*, pupil: Pupil, acting_user) -> None:
    """Log that someone opened a pupil's record: the audit log shows who saw a child's data, not only who
    changed it."""
    record_event(acting_user=acting_user, action="pupil.viewed", obj=pupil, council=pupil.school.council)
