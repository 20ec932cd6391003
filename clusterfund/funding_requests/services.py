"""Every change to a funding request: start a draft, choose its pupils, submit it, withdraw it."""

from django.db import transaction
from django.utils import timezone

from clusterfund.accounts.permissions import scope_of
from clusterfund.audit.services import record_event
from clusterfund.funding_requests.lifecycle import RequestStatus, check_transition
from clusterfund.funding_requests.models import FundingRequest, RequestType
from clusterfund.funding_requests.permissions import can_write_requests_for_school, roles_for_request
from clusterfund.funding_requests.references import next_reference
from clusterfund.organisations.models import AcademicYear, ClusterMembership


class RequestError(Exception):
    """A change the rules forbid, with a message the person can read."""


class RequestIncomplete(RequestError):
    """The request cannot be submitted yet; `problems` says everything that is missing."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@transaction.atomic
def start_request(*, school, request_type: str, title: str, acting_user) -> FundingRequest:
    """Start a draft request for a school, in the cluster the school belongs to this year. A council admin
    starting one for a school is keying in a paper request, and it is marked as such."""
    if not can_write_requests_for_school(acting_user, school):
        raise RequestError("You cannot write requests for this school.")
    if request_type not in RequestType.values:
        raise RequestError("Choose the type of request.")
    if not title.strip():
        raise RequestError("Enter a short title for the request.")
    year = AcademicYear.objects.filter(council=school.council).current()
    membership = (
        ClusterMembership.objects.filter(school=school, academic_year=year).select_related("cluster").first()
    )
    if membership is None:
        raise RequestError(f"{school.name} is not in a cluster in {year.name if year else 'this year'}.")
    on_paper = school.pk not in scope_of(acting_user).staff_of
    funding_request = FundingRequest.objects.create(
        council=school.council,
        cluster=membership.cluster,
        academic_year=year,
        lead_school=school,
        reference=next_reference(cluster=membership.cluster, academic_year=year),
        request_type=request_type,
        title=title.strip(),
        created_by=acting_user,
        entered_on_paper=on_paper,
        is_urgent=request_type == RequestType.CONTINGENCY,
    )
    record_event(
        acting_user=acting_user,
        action="request.started",
        obj=funding_request,
        council=school.council,
        after={"reference": funding_request.reference, "type": request_type, "on_paper": on_paper},
    )
    return funding_request


@transaction.atomic
def choose_pupils(*, funding_request: FundingRequest, pupils, acting_user) -> FundingRequest:
    """Set the pupils a draft request is for. They must be the lead school's own pupils."""
    _check_draft(funding_request, acting_user)
    pupils = list(pupils)
    if any(pupil.school_id != funding_request.lead_school_id for pupil in pupils):
        raise RequestError("Choose pupils from your own school.")
    funding_request.pupils.set(pupils)
    record_event(
        acting_user=acting_user,
        action="request.pupils_chosen",
        obj=funding_request,
        council=funding_request.council,
        after={"pupils": sorted(p.reference for p in pupils)},
    )
    return funding_request


def problems_before_submission(funding_request: FundingRequest) -> list[str]:
    """Everything that must be put right before the request can be submitted, in the order of the form."""
    problems = []
    if not funding_request.need.strip():
        problems.append("Describe the need in plain words")
    count = funding_request.pupils.count()
    if funding_request.request_type == RequestType.INDIVIDUAL and count != 1:
        problems.append("Choose the one pupil this request is for")
    if funding_request.request_type == RequestType.GROUP and count < 2:
        problems.append("Choose at least 2 pupils for a group request")
    if funding_request.request_type == RequestType.PROJECT and count:
        problems.append("A project is for pupils not yet identified: remove the named pupils")
    return problems


def _lock_for_move(funding_request: FundingRequest, target: RequestStatus, acting_user) -> FundingRequest:
    """The request, locked for this transaction, once the lifecycle lets the person move it to `target`."""
    funding_request = FundingRequest.objects.select_for_update().get(pk=funding_request.pk)
    check_transition(funding_request.status, target, roles_for_request(acting_user, funding_request))
    return funding_request


def _move(
    funding_request: FundingRequest,
    target: RequestStatus,
    *,
    action: str,
    acting_user,
    details=None,
    **fields,
):
    """Put the request in `target` with any other fields that change with it, and audit the move."""
    before = funding_request.status
    funding_request.status = target
    for name, value in fields.items():
        setattr(funding_request, name, value)
    funding_request.save(update_fields=["status", *fields])
    record_event(
        acting_user=acting_user,
        action=action,
        obj=funding_request,
        council=funding_request.council,
        before={"status": before},
        after={"status": target.value, **(details or {})},
    )
    return funding_request


@transaction.atomic
def submit_request(*, funding_request: FundingRequest, acting_user) -> FundingRequest:
    """Send a complete draft to the cluster. After this it is never silently edited."""
    funding_request = _lock_for_move(funding_request, RequestStatus.SUBMITTED, acting_user)
    problems = problems_before_submission(funding_request)
    if problems:
        raise RequestIncomplete(problems)
    return _move(
        funding_request,
        RequestStatus.SUBMITTED,
        action="request.submitted",
        acting_user=acting_user,
        submitted_at=timezone.now(),
    )


@transaction.atomic
def withdraw_request(*, funding_request: FundingRequest, reason: str, acting_user) -> FundingRequest:
    """Withdraw a request before it is decided, saying why."""
    funding_request = _lock_for_move(funding_request, RequestStatus.WITHDRAWN, acting_user)
    if not reason.strip():
        raise RequestError("Enter why the request is being withdrawn.")
    return _move(
        funding_request,
        RequestStatus.WITHDRAWN,
        action="request.withdrawn",
        acting_user=acting_user,
        withdrawn_reason=reason.strip(),
        details={"reason": reason.strip()},
    )


def _check_draft(funding_request: FundingRequest, acting_user) -> None:
    if funding_request.status != RequestStatus.DRAFT:
        raise RequestError(
            "Only a draft can be changed like this; a submitted request is changed by a new version."
        )
    if not can_write_requests_for_school(acting_user, funding_request.lead_school):
        raise RequestError("You cannot change this request.")
