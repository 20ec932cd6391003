"""What the JSON API takes and gives for pupils: the fields of the pupil's form and pages, and no more.

A list shows what the list page shows; the whole record, like the pupil's page, is read one pupil at a
time, and each read is audited. Only the pupil's own school's staff get the `Named…` shapes, with `name`;
everyone else gets the same record without the field.
"""

import datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict, StringConstraints, model_validator

from clusterfund.pupils.models import YEAR_GROUPS, EhcStatus
from clusterfund.pupils.needs import AreaOfNeed, SenType

YearGroup = Literal[tuple(value for value, _ in YEAR_GROUPS)]
Reference = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=30),
    AfterValidator(lambda reference: " ".join(reference.split())),
    Field(description="Your school's own reference for the pupil. Not their unique pupil number (UPN)."),
]
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=200),
    Field(description="Seen only by the pupil's school's staff. Refused where the council allows no names."),
]
NAME_SHOWN = (
    "The pupil's name (empty when none is recorded). Present only for the pupil's own school's staff."
)


def _no_repeats(areas: list[str]) -> list[str]:
    return list(dict.fromkeys(areas))


SecondaryAreas = Annotated[list[AreaOfNeed], AfterValidator(_no_repeats)]


class _In(Schema):
    model_config = ConfigDict(use_enum_values=True, extra="forbid")


class PupilIn(_In):
    """A new pupil's record, for one of the schools whose pupils the person keeps."""

    school_id: int
    reference: Reference
    name: Name = ""
    year_group: YearGroup
    primary_area: AreaOfNeed
    secondary_areas: SecondaryAreas = []
    sen_type: SenType | None = Field(None, description="The school census's primary type of need")
    ehc_status: EhcStatus = EhcStatus.NONE
    ehc_status_since: datetime.date | None = Field(
        None, description="When the assessment was requested or the plan issued; needed unless 'none'"
    )
    free_school_meals: bool = False
    looked_after: bool = False

    def values(self) -> dict:
        """The record as the pupil services take it."""
        values = self.model_dump(exclude={"school_id"})
        values["sen_type"] = values["sen_type"] or ""
        return values


_NULLABLE = {"name", "sen_type", "ehc_status_since"}


class PupilChangeIn(_In):
    """The fields to change; those left out stay as they are. `null` clears a name, type of need or date."""

    reference: Reference | None = None
    name: Name | None = None
    year_group: YearGroup | None = None
    primary_area: AreaOfNeed | None = None
    secondary_areas: SecondaryAreas | None = None
    sen_type: SenType | None = None
    ehc_status: EhcStatus | None = None
    ehc_status_since: datetime.date | None = None
    free_school_meals: bool | None = None
    looked_after: bool | None = None

    @model_validator(mode="after")
    def _only_some_fields_may_be_cleared(self):
        cleared = sorted(field for field in self.model_fields_set - _NULLABLE if getattr(self, field) is None)
        if cleared:
            raise ValueError(f"These fields cannot be null: {', '.join(cleared)}")
        return self

    def changes(self) -> dict:
        """Only the fields sent, as the pupil services take them."""
        changes = self.model_dump(exclude_unset=True)
        for field in ("name", "sen_type"):
            if field in changes and changes[field] is None:
                changes[field] = ""
        return changes


class PupilFilters(Schema):
    """Which pupils to list. A school you may not see has no pupils here."""

    school_id: int | None = None
    area: AreaOfNeed | None = Field(None, description="The primary area of need")
    ehc_status: EhcStatus | None = None
    include_archived: bool = False
    page: int = Field(1, ge=1)


class PupilSummaryOut(Schema):
    """A pupil as the list page shows them, to someone who may not see their name."""

    id: int
    school_id: int
    reference: str
    year_group: YearGroup
    primary_area: AreaOfNeed
    ehc_status: EhcStatus


class NamedPupilSummaryOut(PupilSummaryOut):
    """A pupil as the list page shows them to their own school's staff."""

    name: str = Field(description=NAME_SHOWN)


class PupilPageOut(Schema):
    count: int = Field(description="How many pupils match, on every page")
    page: int
    pages: int
    items: list[NamedPupilSummaryOut | PupilSummaryOut]


class EhcStatusChangeOut(Schema):
    status: EhcStatus
    changed_on: datetime.date


class PupilTransferOut(Schema):
    transferred_on: datetime.date
    from_school_id: int
    from_school_name: str
    to_school_id: int
    to_school_name: str


class PupilOut(PupilSummaryOut):
    """A pupil's whole record, as the pupil's page shows it to someone who may not see their name."""

    school_name: str
    secondary_areas: list[AreaOfNeed]
    sen_type: SenType | None = Field(description="The school census's primary type of need, if recorded")
    ehc_status_since: datetime.date | None
    free_school_meals: bool
    looked_after: bool
    archived_on: datetime.date | None
    ehc_history: list[EhcStatusChangeOut]
    transfers: list[PupilTransferOut]


class NamedPupilOut(PupilOut):
    """A pupil's whole record, as the pupil's page shows it to their own school's staff."""

    name: str = Field(description=NAME_SHOWN)
