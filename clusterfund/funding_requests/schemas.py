"""What the JSON API takes and gives for funding requests: the parts of the request form, and the request
as its summary page shows it.

Each part is written whole, as its page saves it: a field left out is a malformed request (422), and what
the rules refuse is a 400 with an error per field, from the same services as the pages. The schemas check
only the shape (types, and choices from the same lists as the forms); the services check everything else,
so the API and the pages refuse the same things in the same words. Pupils appear by reference only: a
request never carries a pupil's name.
"""

import datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from clusterfund.core.api import BadRequestOut
from clusterfund.funding_requests.lifecycle import RequestStatus
from clusterfund.funding_requests.models import ConsentMethod, JointSchool, RequestType
from clusterfund.pupils.needs import AreaOfNeed

Answer = Literal[tuple(JointSchool.Answer.values)]
WHOLE_PART = "The whole part, as its page saves it: every field is replaced."


class _In(Schema):
    model_config = ConfigDict(use_enum_values=True, extra="forbid")


# --- what the API takes ----------------------------------------------------------------------------


class RequestFilters(Schema):
    """Which requests to list. Filters narrow what you may see; they never widen it."""

    status: RequestStatus | None = None
    request_type: RequestType | None = None
    area: AreaOfNeed | None = Field(None, description="The main area of need")
    page: int = Field(1, ge=1)


class RequestStartIn(_In):
    """A new draft for one of the schools whose requests you write. A council or cluster admin starting one
    for a school is keying in a request received on paper, and it is marked as such."""

    school_id: int = Field(description="The lead school")
    request_type: RequestType
    title: str = Field(description="A short title, 120 characters or fewer")


class NeedIn(_In):
    __doc__ = f"About the need. {WHOLE_PART}"

    title: str = Field(description="120 characters or fewer")
    need: str = Field(description="The need in plain words. Do not use names.")
    primary_area: AreaOfNeed
    other_areas: list[AreaOfNeed] = Field([], description="Not the main area again")
    to_city_meeting: bool = Field(
        False,
        description="For a contingency request, where the council has a city pool: heard at the next city "
        "meeting instead of the cluster's",
    )


class ApproachIn(_In):
    __doc__ = f"The graduated approach so far: assess, plan, do, review. {WHOLE_PART}"

    assessed: str
    planned: str
    done: str = Field(description="What was done, and for how long")
    reviewed: str = Field(description="What changed")
    advice_received: str = Field("", description="Advice already received from professionals, if any")


class PupilsIn(_In):
    """The lead school's pupils the request is for: one for an individual request, two or more for a
    group (with any pupils joint schools name), one or more for a contingency. A project names none.
    Once the request is submitted, adding a pupil needs the new parent's or carer's agreement with it."""

    pupil_ids: list[int] = Field(description="Ids of your school's pupils, from the pupils API")
    consent_date: datetime.date | None = Field(
        None,
        description="When the new pupils' parent or carer agreed, today or in the last year: needed to add "
        "a pupil once submitted, and it replaces the agreement recorded before",
    )
    consent_method: ConsentMethod | None = Field(None, description="How that agreement was recorded")


class BenefitIn(_In):
    __doc__ = f"For a project: how many children benefit, and in which of the cluster's schools. {WHOLE_PART}"

    children_benefiting: int = Field(description="A whole number from 1 to 100,000")
    benefiting_school_ids: list[int] = Field(description="Schools of the request's cluster")


class DatesIn(_In):
    """When the support would run: starting in the request's academic year."""

    start_date: datetime.date
    end_date: datetime.date = Field(description="On or after the start date")


class ConsentIn(_In):
    """For requests that name pupils (individual, group and contingency): when the parent or carer agreed
    to the referral, and how."""

    consent_date: datetime.date = Field(description="Today or in the last year")
    consent_method: ConsentMethod


class OutcomeIn(_In):
    """Something the support should change, that can be checked."""

    what: str = Field(description="What should change, 1,000 characters or fewer")
    by_when: datetime.date = Field(description="On or after the support starts")
    how_measured: str = Field(description="How it will be measured, 500 characters or fewer")


class ProvisionLineIn(_In):
    """One costed line of the provision map. Its total is units times the unit cost, rounded half up to
    whole pence, and the request's total must stay within the scheme's cap."""

    what: str = Field(description="What the provision is, 200 characters or fewer")
    provider: str = Field(description="Who provides it, 200 characters or fewer")
    units: Decimal = Field(
        description="Hours or units: more than 0, up to 9999.99, at most 2 decimal places. A string like "
        '"1.5" keeps its exact value; a number is read as the decimal it prints as.'
    )
    unit_cost_pence: int = Field(
        description="The cost of one hour or unit in whole pence, 0 or more", json_schema_extra={"minimum": 0}
    )
    term_id: int = Field(description="A term of the request's academic year")


class JointSchoolIn(_In):
    """Another open school of the request's cluster, invited to join a draft."""

    school_id: int


class InvitationAnswerIn(_In):
    """Your school's answer to an invitation to join a draft: confirm your part and name your own pupils,
    or decline."""

    confirm: bool
    part: str = Field("", description="Your school's part, needed to confirm; 1,000 characters or fewer")
    pupil_ids: list[int] = Field(
        [], description="Your own school's pupils who join a group request: at least one to confirm"
    )
    consent_date: datetime.date | None = Field(
        None,
        description="To confirm a group request: when your pupils' parents or carers agreed to the referral, "
        "today or in the last year",
    )
    consent_method: ConsentMethod | None = Field(
        None, description="To confirm a group request: how your school recorded that agreement"
    )


class WithdrawIn(_In):
    """Why the request is being withdrawn."""

    reason: str = Field(description="1,000 characters or fewer")


# --- what the API gives ----------------------------------------------------------------------------


class SchoolRef(Schema):
    id: int
    name: str


class ClusterRef(Schema):
    id: int
    name: str


class TermRef(Schema):
    id: int
    name: str = Field(description='For example, "Spring term 2025/26"')


class RequestSummaryOut(Schema):
    """A request as the list page shows it."""

    id: int
    reference: str = Field(description="The request's code; it says nothing about the school")
    title: str
    request_type: RequestType
    status: RequestStatus
    is_urgent: bool
    to_city_meeting: bool = Field(description="Heard at the next city meeting rather than the cluster's")
    lead_school: SchoolRef | None = Field(
        description="None, and the title withheld, when you read the request blind: read its paper instead"
    )
    cluster: ClusterRef
    primary_area: AreaOfNeed | None = Field(description="The main area of need, once given")
    amount_asked_pence: int = Field(description="The total of the costed provision, in whole pence")
    submitted_at: datetime.datetime | None
    version: int = Field(description="0 while a draft; 1 when submitted; one more for each later change")


class RequestPageOut(Schema):
    count: int = Field(description="How many requests match, on every page")
    page: int
    pages: int
    items: list[RequestSummaryOut]


class OutcomeOut(Schema):
    id: int
    position: int
    what: str
    by_when: datetime.date
    how_measured: str


class ProvisionLineOut(Schema):
    id: int
    position: int
    what: str
    provider: str
    units: str = Field(description='Hours or units as an exact decimal, like "1.5"')
    unit_cost_pence: int
    total_pence: int
    term: TermRef


class RequestPupilOut(Schema):
    """A pupil the request is for, by reference only: names never leave their school's pages."""

    id: int
    reference: str
    school_id: int


class JointSchoolOut(Schema):
    id: int
    school: SchoolRef
    answer: Answer
    part: str
    consent_date: datetime.date | None = Field(description="When its own pupils' parents or carers agreed")
    consent_method: ConsentMethod | None
    invited_at: datetime.datetime
    answered_at: datetime.datetime | None


class AttachmentOut(Schema):
    """A supporting document. The API lists documents but does not take or serve them: `download_url` is
    the service's page that sends the file to a signed-in person who may see the request."""

    name: str
    content_type: str
    size_bytes: int
    description: str
    school_id: int = Field(description="The school that uploaded it")
    uploaded_at: datetime.datetime
    download_url: str


class VersionChangeOut(Schema):
    field: str
    label: str
    before: str | list[str] | None
    after: str | list[str] | None


class VersionOut(Schema):
    """The request as submitted (version 1) or as a later change left it, with what changed."""

    number: int
    created_at: datetime.datetime
    created_by: str = Field(description="The name of the person who submitted or changed it")
    changes: list[VersionChangeOut]


class RequestOut(RequestSummaryOut):
    """A whole request, as its summary page shows it, with its task list and what still stops it being
    submitted."""

    academic_year: str
    entered_on_paper: bool = Field(description="Keyed in by an admin from a paper form")
    need: str
    other_areas: list[AreaOfNeed]
    children_benefiting: int | None
    benefiting_schools: list[SchoolRef]
    assessed: str
    planned: str
    done: str
    reviewed: str
    advice_received: str
    start_date: datetime.date | None
    end_date: datetime.date | None
    consent_date: datetime.date | None
    consent_method: ConsentMethod | None
    withdrawn_reason: str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    pupils: list[RequestPupilOut]
    joint_schools: list[JointSchoolOut]
    outcomes: list[OutcomeOut]
    provision_lines: list[ProvisionLineOut]
    attachments: list[AttachmentOut]
    tasks: dict[str, bool] = Field(
        description="Each part of the form that applies to this type of request, and whether it is complete"
    )
    problems: list[str] = Field(
        description="For a draft, everything that must be put right before it can be submitted"
    )
    versions: list[VersionOut] = Field(description="Newest first")
    can_change: bool = Field(description="Whether you may change the request now")
    can_withdraw: bool = Field(description="Whether you may withdraw the request now")


class SubmitRefusedOut(BadRequestOut):
    """A refusal: of a submission when the request is not complete, or of a change to a submitted request
    that would leave it failing the checks made at submission (nothing of the change is saved)."""

    problems: list[str] = Field(
        [],
        description="When the request is not complete, or a change would leave it incomplete: everything "
        "missing, in the form's order",
    )
