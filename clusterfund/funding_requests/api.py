"""Funding requests through the JSON API: the request pages' twin, with the same selectors, predicates and
services (ADR 9 and ADR 10).

A school writes a request a part at a time: start a draft, put each part whole, add and remove outcomes,
costed lines and joint schools, then submit. Once submitted, each change the school makes becomes a new
version, as on the pages, and a change that would leave it failing the checks made at submission is
refused whole: 400 with those `problems`. Another school's request is not found (404), exactly like one
that does not exist; a request the person may see but not change is 403, unless they are its writer and it
is simply past changing (in triage, decided, withdrawn), which is 409 naming its state; what the rules
refuse is 400 with an error per field; a move the lifecycle does not allow (submitting twice, withdrawing
a decided request) is 409.

Supporting documents are not uploaded through the API: the request's documents page takes them and checks
them by their content. A request read here lists its documents, each with the page that serves it to a
signed-in person who may see the request.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Query, Router, Status

from clusterfund.core.access import allow_or_403, allow_or_404
from clusterfund.core.api import (
    CHANGE_ERRORS,
    READ_ERRORS,
    ApiError,
    BadRequestOut,
    ErrorOut,
    bad_request,
    caller,
    page_of,
)
from clusterfund.funding_requests import permissions, selectors, services
from clusterfund.funding_requests.lifecycle import (
    CHANGEABLE,
    TRANSITIONS,
    RequestStatus,
    StateTransitionError,
    next_steps,
)
from clusterfund.funding_requests.schemas import (
    ApproachIn,
    BenefitIn,
    ConsentIn,
    DatesIn,
    InvitationAnswerIn,
    JointSchoolIn,
    JointSchoolOut,
    NeedIn,
    OutcomeIn,
    OutcomeOut,
    ProvisionLineIn,
    ProvisionLineOut,
    PupilsIn,
    RequestFilters,
    RequestOut,
    RequestPageOut,
    RequestStartIn,
    RequestSummaryOut,
    SubmitRefusedOut,
    WithdrawIn,
)
from clusterfund.organisations.selectors import schools_visible_to
from clusterfund.pupils.selectors import pupils_visible_to
from clusterfund.triage import permissions as triage_permissions

router = Router(tags=["Funding requests"])

MOVE_ERRORS = {**CHANGE_ERRORS, 409: BadRequestOut}
# A change may also be refused because of what it would leave wrong (`problems`), or because the request
# is past changing (409).
EDIT_ERRORS = {**MOVE_ERRORS, 400: SubmitRefusedOut}
# The services name some fields as the pages' forms do; the API's fields are ids and pence.
_API_FIELDS = {
    "pupils": "pupil_ids",
    "benefiting_schools": "benefiting_school_ids",
    "school": "school_id",
    "unit_cost": "unit_cost_pence",
    "term": "term_id",
}


# --- shapes ----------------------------------------------------------------------------------------


def _summary_fields(fr) -> dict:
    return {
        "id": fr.pk,
        "reference": fr.reference,
        "title": fr.title,
        "request_type": fr.request_type,
        "status": fr.status,
        "is_urgent": fr.is_urgent,
        "to_city_meeting": fr.to_city_meeting,
        "lead_school": {"id": fr.lead_school_id, "name": fr.lead_school.name},
        "cluster": {"id": fr.cluster_id, "name": fr.cluster.name},
        "primary_area": fr.primary_area or None,
        "submitted_at": fr.submitted_at,
        "version": fr.version,
    }


def _summary(fr, *, blind=False) -> RequestSummaryOut:
    fields = _summary_fields(fr)
    if blind:
        fields.update(title="[withheld: blind paper]", lead_school=None)
    return RequestSummaryOut(**fields, amount_asked_pence=fr.amount_asked or 0)


def _outcome(outcome) -> OutcomeOut:
    return OutcomeOut(
        id=outcome.pk,
        position=outcome.position,
        what=outcome.what,
        by_when=outcome.by_when,
        how_measured=outcome.how_measured,
    )


def _line(line) -> ProvisionLineOut:
    return ProvisionLineOut(
        id=line.pk,
        position=line.position,
        what=line.what,
        provider=line.provider,
        units=line.units_text,
        unit_cost_pence=line.unit_cost_pence,
        total_pence=line.total_pence,
        term={"id": line.term_id, "name": str(line.term)},
    )


def _joint_school(joint) -> JointSchoolOut:
    return JointSchoolOut(
        id=joint.pk,
        school={"id": joint.school_id, "name": joint.school.name},
        answer=joint.answer,
        part=joint.part,
        consent_date=joint.consent_date,
        consent_method=joint.consent_method or None,
        invited_at=joint.invited_at,
        answered_at=joint.answered_at,
    )


def _may_withdraw(user, fr) -> bool:
    roles = permissions.roles_for_request(user, fr)
    return any(step.target == RequestStatus.WITHDRAWN for step in next_steps(fr.status, roles))


def _record(user, fr) -> RequestOut:
    """The request as its summary page shows it to this person."""
    lines = list(selectors.provision_of(fr))
    return RequestOut(
        **_summary_fields(fr),
        amount_asked_pence=sum(line.total_pence for line in lines),
        academic_year=fr.academic_year.name,
        entered_on_paper=fr.entered_on_paper,
        need=fr.need,
        other_areas=fr.other_areas,
        children_benefiting=fr.children_benefiting,
        benefiting_schools=[
            {"id": school.pk, "name": school.name} for school in fr.benefiting_schools.order_by("name")
        ],
        assessed=fr.assessed,
        planned=fr.planned,
        done=fr.done,
        reviewed=fr.reviewed,
        advice_received=fr.advice_received,
        start_date=fr.start_date,
        end_date=fr.end_date,
        consent_date=fr.consent_date,
        consent_method=fr.consent_method or None,
        withdrawn_reason=fr.withdrawn_reason,
        created_at=fr.created_at,
        updated_at=fr.updated_at,
        pupils=[
            {"id": pupil.pk, "reference": pupil.reference, "school_id": pupil.school_id}
            for pupil in selectors.pupils_of(fr)
        ],
        joint_schools=[_joint_school(joint) for joint in selectors.joint_schools_of(fr)],
        outcomes=[_outcome(outcome) for outcome in selectors.outcomes_of(fr)],
        provision_lines=[_line(line) for line in lines],
        attachments=[
            {
                "name": attachment.original_name,
                "content_type": attachment.content_type,
                "size_bytes": attachment.size_bytes,
                "description": attachment.description,
                "school_id": attachment.school_id,
                "uploaded_at": attachment.uploaded_at,
                "download_url": reverse("funding_requests:download-attachment", args=[attachment.token]),
            }
            for attachment in selectors.attachments_of(fr)
        ],
        tasks=services.task_status(fr),
        problems=services.problems_before_submission(fr) if fr.is_draft else [],
        versions=[
            {
                "number": version.number,
                "created_at": version.created_at,
                "created_by": version.created_by.full_name,
                "changes": version.changes,
            }
            for version in selectors.versions_of(fr)
        ],
        can_change=permissions.can_change_request(user, fr),
        can_withdraw=_may_withdraw(user, fr),
    )


# --- finding a request, and refusals ---------------------------------------------------------------


def _request_for(user, request_id: int):
    """The request if the person may see it; anything else is simply not found. Someone who reads it
    blind reads its paper (`GET /papers/{id}`), never the request."""
    fr = selectors.request_for_page(user, request_id)
    allow_or_404(fr is not None and triage_permissions.can_read_request(user, fr))
    if triage_permissions.sees_blind(user, fr):
        raise ApiError(
            "This request is read blind: read its paper at " + reverse("api-v1:paper", args=[fr.pk]),
            status_code=403,
        )
    return fr


def _changeable_request_for(user, request_id: int):
    """The request if the person may see it and change it now: 404 if they may not see it, 409 naming its
    state if they write it but it is past changing, 403 if they may see it but never change it."""
    fr = _request_for(user, request_id)
    if permissions.can_change_request(user, fr):
        return fr
    if fr.status not in CHANGEABLE and permissions.writes_request(user, fr):
        raise ApiError(
            f"This request is {fr.get_status_display().lower()} and can no longer be changed.",
            status_code=409,
        )
    raise PermissionDenied


def _current(user, request_id: int) -> RequestOut:
    """The request as it stands after a change, read afresh."""
    return _record(user, _request_for(user, request_id))


def _refused(error: services.RequestError) -> ApiError:
    errors = getattr(error, "errors", None) or {}
    return bad_request(
        error, errors={_API_FIELDS.get(field, field): message for field, message in errors.items()}
    )


class _Refused(Exception):
    """A change the services refused because of what it would leave wrong: answered by `_problems_as_400`."""

    def __init__(self, incomplete: services.RequestIncomplete):
        super().__init__(str(incomplete))
        self.incomplete = incomplete


def _incomplete(incomplete: services.RequestIncomplete) -> Status:
    """400 listing every problem, in the form's order, as submitting an incomplete draft answers."""
    return Status(
        400,
        SubmitRefusedOut(
            detail=str(incomplete), errors={"request": str(incomplete)}, problems=incomplete.problems
        ),
    )


def _problems_as_400(operation):
    """Let an operation answer a change refused for what it would leave wrong with the problems listed."""

    @wraps(operation)
    def answer(request, *args, **kwargs):
        try:
            return operation(request, *args, **kwargs)
        except _Refused as refused:
            return _incomplete(refused.incomplete)

    return answer


def _save(service, **arguments):
    """Call a service; what its rules refuse is a 400 with an error per field of the API's, and a change
    that would leave a submitted request incomplete is a 400 that lists its `problems`."""
    try:
        return service(**arguments)
    except services.RequestIncomplete as incomplete:
        raise _Refused(incomplete) from incomplete
    except services.RequestError as error:
        raise _refused(error) from error


def _part_applies(applies: bool, message: str) -> None:
    """The pages do not offer a part that does not apply to the request's type; the API says why. (The
    services refuse outcomes, dates, provision and benefit that do not fit; this covers choosing pupils.)"""
    if not applies:
        raise ApiError(message)


def _pupils_chosen(user, pupil_ids: list[int]) -> list:
    """The pupils with these ids, among those the person may see; any other id is a field error."""
    wanted = list(dict.fromkeys(pupil_ids))
    found = {pupil.pk: pupil for pupil in pupils_visible_to(user).filter(pk__in=wanted)}
    missing = [str(pupil_id) for pupil_id in wanted if pupil_id not in found]
    if missing:
        message = f"Choose pupils from your school's records: no pupil {', '.join(missing)}"
        raise ApiError(message, {"pupil_ids": message})
    return [found[pupil_id] for pupil_id in wanted]


# --- lists and records -----------------------------------------------------------------------------


@router.get(
    "",
    response={200: RequestPageOut, 401: ErrorOut},
    url_name="requests",
    summary="List requests",
)
def list_requests(request, filters: Query[RequestFilters]):
    """Every request you may see: your schools' own and joint requests, drafts included, and the
    submitted requests of the clusters you work in and of your council if you are in its SEND team.
    Urgent first, then newest; 50 to a page."""
    user = caller(request)
    rows = selectors.filter_requests(
        selectors.requests_visible_to(user),
        status=filters.status or "",
        request_type=filters.request_type or "",
        area=filters.area or "",
    )
    page = page_of(rows, page=filters.page)
    blind = triage_permissions.blind_ids(user, page.items)
    return RequestPageOut(
        count=page.count,
        page=page.page,
        pages=page.pages,
        items=[_summary(fr, blind=fr.pk in blind) for fr in page.items],
    )


@router.post(
    "",
    response={201: RequestOut, **CHANGE_ERRORS},
    url_name="request-start",
    summary="Start a draft request",
)
def start_request(request, draft: RequestStartIn):
    """Start a draft for a school, in the cluster the school belongs to this year. Its own staff write
    its requests; the council's SEND team and the cluster's admin key in paper ones on its behalf."""
    user = caller(request)
    school = get_object_or_404(schools_visible_to(user), pk=draft.school_id)
    allow_or_403(permissions.can_write_requests_for_school(user, school))
    fr = _save(
        services.start_request,
        school=school,
        request_type=draft.request_type,
        title=draft.title,
        acting_user=user,
    )
    return Status(201, _current(user, fr.pk))


@router.get(
    "/{int:request_id}",
    response={200: RequestOut, **READ_ERRORS},
    url_name="request",
    summary="Read a request",
)
def read_request(request, request_id: int):
    """A whole request with its task list, outcomes, costed provision, pupils (by reference), joint
    schools, documents and versions. Each read is written to the audit log, as opening its page is."""
    user = caller(request)
    fr = _request_for(user, request_id)
    services.record_request_viewed(funding_request=fr, acting_user=user)
    return _record(user, fr)


# --- the parts of the request ----------------------------------------------------------------------

_PART = {"response": {200: RequestOut, **EDIT_ERRORS}}


@router.put("/{int:request_id}/need", **_PART, url_name="request-need", summary="Say what the need is")
@_problems_as_400
def change_request_need(request, request_id: int, part: NeedIn):
    """The title, the need in plain words and its areas, and for a contingency request where the council
    has a city pool, whether the city meeting hears it. Once submitted, a change is a new version."""
    user = caller(request)
    fr = _changeable_request_for(user, request_id)
    _save(services.change_about_the_need, funding_request=fr, acting_user=user, **part.model_dump())
    return _current(user, request_id)


@router.put(
    "/{int:request_id}/approach",
    **_PART,
    url_name="request-approach",
    summary="Describe the graduated approach so far",
)
@_problems_as_400
def change_request_approach(request, request_id: int, part: ApproachIn):
    """What was assessed, planned, done (and for how long) and what changed, with any advice received."""
    user = caller(request)
    fr = _changeable_request_for(user, request_id)
    _save(services.change_graduated_approach, funding_request=fr, acting_user=user, **part.model_dump())
    return _current(user, request_id)


@router.put("/{int:request_id}/pupils", **_PART, url_name="request-pupils", summary="Choose the pupils")
@_problems_as_400
def choose_request_pupils(request, request_id: int, part: PupilsIn):
    """The lead school's pupils the request is for. Pupils named by joint schools stay as they are.

    Adding a pupil clears the parent's or carer's agreement on a draft, to be recorded again; once
    submitted, a pupil can only be added with the new agreement (`consent_date` and `consent_method`) in
    the same change. Taking pupils off keeps the agreement."""
    user = caller(request)
    fr = _changeable_request_for(user, request_id)
    _part_applies(
        fr.names_pupils or fr.request_type == "advice",
        "A project is for pupils not yet identified: say who benefits instead of naming pupils.",
    )
    pupils = _pupils_chosen(user, part.pupil_ids)
    _save(
        services.choose_pupils,
        funding_request=fr,
        pupils=pupils,
        consent_date=part.consent_date,
        consent_method=part.consent_method or "",
        acting_user=user,
    )
    return _current(user, request_id)


@router.put("/{int:request_id}/benefit", **_PART, url_name="request-benefit", summary="Say who benefits")
@_problems_as_400
def change_request_benefit(request, request_id: int, part: BenefitIn):
    """For a project: how many children benefit, and in which of the cluster's schools."""
    user = caller(request)
    fr = _changeable_request_for(user, request_id)
    wanted = set(part.benefiting_school_ids)
    schools = list(selectors.cluster_schools(fr).filter(pk__in=wanted))
    if len(schools) != len(wanted):
        message = "Choose schools in the request's cluster"
        raise ApiError(message, {"benefiting_school_ids": message})
    _save(
        services.change_who_benefits,
        funding_request=fr,
        children_benefiting=part.children_benefiting,
        benefiting_schools=schools,
        acting_user=user,
    )
    return _current(user, request_id)


@router.put(
    "/{int:request_id}/dates", **_PART, url_name="request-dates", summary="Say when the support would run"
)
@_problems_as_400
def change_request_dates(request, request_id: int, part: DatesIn):
    """When the support would start and end."""
    user = caller(request)
    fr = _changeable_request_for(user, request_id)
    _save(services.change_dates, funding_request=fr, acting_user=user, **part.model_dump())
    return _current(user, request_id)


@router.put(
    "/{int:request_id}/consent",
    **_PART,
    url_name="request-consent",
    summary="Record the parent's or carer's agreement",
)
@_problems_as_400
def record_request_consent(request, request_id: int, part: ConsentIn):
    """For requests that name pupils (individual, group and contingency): when the lead school's pupils'
    parent or carer agreed to the referral, and how."""
    user = caller(request)
    fr = _changeable_request_for(user, request_id)
    _save(services.record_consent, funding_request=fr, acting_user=user, **part.model_dump())
    return _current(user, request_id)


# --- outcomes and costed provision -----------------------------------------------------------------


@router.post(
    "/{int:request_id}/outcomes",
    response={201: OutcomeOut, **EDIT_ERRORS},
    url_name="request-outcome-add",
    summary="Add an outcome",
)
@_problems_as_400
def add_request_outcome(request, request_id: int, outcome: OutcomeIn):
    """Add something the support should change, by when, and how it will be measured."""
    user = caller(request)
    fr = _changeable_request_for(user, request_id)
    added = _save(services.add_outcome, funding_request=fr, acting_user=user, **outcome.model_dump())
    return Status(201, _outcome(added))


def _outcome_for(user, request_id: int, outcome_id: int):
    fr = _changeable_request_for(user, request_id)
    return get_object_or_404(selectors.outcomes_of(fr), pk=outcome_id)


@router.put(
    "/{int:request_id}/outcomes/{int:outcome_id}",
    **_PART,
    url_name="request-outcome-change",
    summary="Change an outcome",
)
@_problems_as_400
def change_request_outcome(request, request_id: int, outcome_id: int, outcome: OutcomeIn):
    """Change one of the request's outcomes."""
    user = caller(request)
    found = _outcome_for(user, request_id, outcome_id)
    _save(services.change_outcome, outcome=found, acting_user=user, **outcome.model_dump())
    return _current(user, request_id)


@router.delete(
    "/{int:request_id}/outcomes/{int:outcome_id}",
    **_PART,
    url_name="request-outcome-remove",
    summary="Remove an outcome",
)
@_problems_as_400
def remove_request_outcome(request, request_id: int, outcome_id: int):
    """Take an outcome off the request."""
    user = caller(request)
    found = _outcome_for(user, request_id, outcome_id)
    _save(services.remove_outcome, outcome=found, acting_user=user)
    return _current(user, request_id)


def _line_values(fr, line: ProvisionLineIn) -> dict:
    return {
        "what": line.what,
        "provider": line.provider,
        "units": line.units,
        "unit_cost_pence": line.unit_cost_pence,
        # A term of another year, or none, is the service's field error.
        "term": selectors.terms_of(fr).filter(pk=line.term_id).first(),
    }


@router.post(
    "/{int:request_id}/provision-lines",
    response={201: ProvisionLineOut, **EDIT_ERRORS},
    url_name="request-line-add",
    summary="Add a line of costed provision",
)
@_problems_as_400
def add_request_provision_line(request, request_id: int, line: ProvisionLineIn):
    """Add a costed line: what, who provides it, how many hours or units at what cost, in which term."""
    user = caller(request)
    fr = _changeable_request_for(user, request_id)
    added = _save(services.add_provision_line, funding_request=fr, acting_user=user, **_line_values(fr, line))
    return Status(201, _line(added))


def _line_for(user, request_id: int, line_id: int):
    fr = _changeable_request_for(user, request_id)
    return fr, get_object_or_404(selectors.provision_of(fr), pk=line_id)


@router.put(
    "/{int:request_id}/provision-lines/{int:line_id}",
    **_PART,
    url_name="request-line-change",
    summary="Change a line of costed provision",
)
@_problems_as_400
def change_request_provision_line(request, request_id: int, line_id: int, line: ProvisionLineIn):
    """Change one costed line of the provision map."""
    user = caller(request)
    fr, found = _line_for(user, request_id, line_id)
    _save(services.change_provision_line, line=found, acting_user=user, **_line_values(fr, line))
    return _current(user, request_id)


@router.delete(
    "/{int:request_id}/provision-lines/{int:line_id}",
    **_PART,
    url_name="request-line-remove",
    summary="Remove a line of costed provision",
)
@_problems_as_400
def remove_request_provision_line(request, request_id: int, line_id: int):
    """Take a costed line off the provision map."""
    user = caller(request)
    _, found = _line_for(user, request_id, line_id)
    _save(services.remove_provision_line, line=found, acting_user=user)
    return _current(user, request_id)


# --- joint requests --------------------------------------------------------------------------------


@router.post(
    "/{int:request_id}/joint-schools",
    response={201: JointSchoolOut, **EDIT_ERRORS},
    url_name="request-school-invite",
    summary="Invite a school to join a draft",
)
@_problems_as_400
def invite_request_school(request, request_id: int, invitation: JointSchoolIn):
    """Invite another open school of the request's cluster to join the draft. It confirms its part and
    names its own pupils, or declines; the draft cannot be submitted until it has answered."""
    user = caller(request)
    fr = _changeable_request_for(user, request_id)
    school = selectors.cluster_schools(fr).filter(pk=invitation.school_id).first()
    if school is None:
        message = "Choose an open school in the request's cluster"
        raise ApiError(message, {"school_id": message})
    joint = _save(services.invite_school, funding_request=fr, school=school, acting_user=user)
    return Status(201, _joint_school(joint))


@router.delete(
    "/{int:request_id}/joint-schools/{int:joint_school_id}",
    **_PART,
    url_name="request-school-uninvite",
    summary="Take a joint school off a draft",
)
@_problems_as_400
def withdraw_request_invitation(request, request_id: int, joint_school_id: int):
    """Take a joint school off the draft, with the pupils it named."""
    user = caller(request)
    fr = _changeable_request_for(user, request_id)
    joint = get_object_or_404(selectors.joint_schools_of(fr), pk=joint_school_id)
    _save(services.withdraw_invitation, joint_school=joint, acting_user=user)
    return _current(user, request_id)


@router.post(
    "/{int:request_id}/invitation",
    **_PART,
    url_name="request-invitation-answer",
    summary="Answer your school's invitation to join",
)
@_problems_as_400
def answer_request_invitation(request, request_id: int, answer: InvitationAnswerIn):
    """For staff of an invited school, while the request is a draft: confirm your school's part, or
    decline. Confirming a group request names at least one of your own pupils, with the date their parents
    or carers agreed to the referral and how you recorded it. Not found if your school was not invited;
    409 once the request has been submitted or withdrawn."""
    user = caller(request)
    fr = _request_for(user, request_id)
    invitation = selectors.invitation_for(user, fr)
    allow_or_404(invitation is not None)
    if not fr.is_draft:
        raise ApiError(services.why_invitation_is_closed(fr), status_code=409)
    allow_or_403(permissions.can_answer_invitation(user, invitation))
    pupils = _pupils_chosen(user, answer.pupil_ids) if answer.confirm else []
    _save(
        services.answer_invitation,
        joint_school=invitation,
        confirm=answer.confirm,
        part=answer.part,
        pupils=pupils,
        consent_date=answer.consent_date,
        consent_method=answer.consent_method or "",
        acting_user=user,
    )
    return _current(user, request_id)


# --- submitting and withdrawing --------------------------------------------------------------------


@router.post(
    "/{int:request_id}/submit",
    response={200: RequestOut, **MOVE_ERRORS, 400: SubmitRefusedOut},
    url_name="request-submit",
    summary="Submit a request",
)
def submit_request(request, request_id: int):
    """Send a complete draft to the cluster as version 1, or send back a request triage asked more
    information about. If anything is missing, the answer lists every problem in the form's order."""
    user = caller(request)
    fr = _changeable_request_for(user, request_id)
    try:
        services.submit_request(funding_request=fr, acting_user=user)
    except services.RequestIncomplete as incomplete:
        return _incomplete(incomplete)
    except services.RequestError as error:
        raise _refused(error) from error
    except StateTransitionError as error:
        raise ApiError(str(error), status_code=409) from error
    return _current(user, request_id)


def _could_ever_withdraw(user, fr) -> bool:
    """Whether the person's roles on the request are ones that withdraw requests, whatever its status."""
    roles = permissions.roles_for_request(user, fr)
    return any(step.target == RequestStatus.WITHDRAWN and step.allows(roles) for step in TRANSITIONS)


@router.post(
    "/{int:request_id}/withdraw",
    response={200: RequestOut, **MOVE_ERRORS},
    url_name="request-withdraw",
    summary="Withdraw a request",
)
def withdraw_request(request, request_id: int, withdrawal: WithdrawIn):
    """Withdraw a request before it is decided, saying why. Its school and the council's SEND team may;
    a request already decided or withdrawn is a 409."""
    user = caller(request)
    fr = _request_for(user, request_id)
    allow_or_403(_could_ever_withdraw(user, fr))
    try:
        services.withdraw_request(funding_request=fr, reason=withdrawal.reason, acting_user=user)
    except services.RequestError as error:
        raise _refused(error) from error
    except StateTransitionError as error:
        raise ApiError(str(error), status_code=409) from error
    return _current(user, request_id)
