"""What the JSON API gives of a blind paper: the request as a blind meeting reads it."""

import datetime

from ninja import Field, Schema


class PaperTextOut(Schema):
    field: str
    label: str
    text: str = Field(
        description="Redacted: schools, staff, pupils and places are [school], [staff member] …"
    )
    reworded: bool = Field(description="Whether the school wrote this wording itself (it is redacted too)")


class PaperOutcomeOut(Schema):
    what: str
    by_when: datetime.date
    how_measured: str


class PaperLineOut(Schema):
    what: str
    provider: str
    units: str
    unit_cost_pence: int
    total_pence: int
    term: str


class PaperDocumentOut(Schema):
    name: str
    description: str
    download_url: str


class PaperOut(Schema):
    id: int
    reference: str
    request_type: str
    status: str
    is_urgent: bool
    areas: list[str]
    pupils: list[str] = Field(description="Year group, area of need and EHC status only")
    schools_taking_part: int
    start_date: datetime.date | None
    end_date: datetime.date | None
    texts: list[PaperTextOut]
    outcomes: list[PaperOutcomeOut]
    provision_lines: list[PaperLineOut]
    amount_asked_pence: int
    documents: list[PaperDocumentOut]
    withheld_documents: int
