"""Every change the Team Around the Cluster makes, and the school's answers to it: assign and start triage,
score against the scheme's criteria, ask the school for more information, send a request to the meeting
with a recommendation, resolve it with advice, redirect it; the advice log, shared resources and the
register of interests.

Each service checks everything before it saves anything, runs in one transaction and writes its audit
event; request moves go through the request lifecycle, so nobody moves a request the table forbids.
"""

from django.db import transaction
from django.utils import timezone

from clusterfund.audit.services import record_event
from clusterfund.core.errors import Invalid, Refused
from clusterfund.core.errors import checked_text as _text
from clusterfund.core.formatting import pounds
from clusterfund.funding_requests import services as requests
from clusterfund.funding_requests.lifecycle import RequestStatus, StateTransitionError
from clusterfund.funding_requests.models import FundingRequest, ProvisionLine
from clusterfund.funding_requests.permissions import can_change_request
from clusterfund.triage.models import (
    PAPER_FIELDS,
    AdviceRecord,
    Criterion,
    InformationRequest,
    Interest,
    PaperWording,
    ResourceRequest,
    Score,
    SharedResource,
    TriageAssignment,
    TriageDecision,
    TriageOutcome,
    fingerprint,
)
from clusterfund.triage.permissions import (
    can_assign,
    can_decide_triage,
    can_declare_interest,
    can_manage_scheme,
    can_record_advice_for_school,
    can_score,
    can_share_resources_of_school,
    cluster_school_ids,
    has_interest,
)

JUSTIFICATION_LIMIT = 2000


class TriageError(Refused):
    """A change the triage rules forbid, with a message the person can read."""


class TriageInvalid(Invalid, TriageError):
    """What the person entered is wrong; `errors` maps each field to what is wrong with it."""


def _refuse_unless(allowed: bool, message: str) -> None:
    if not allowed:
        raise TriageError(message)


def _given_on(errors: dict, value) -> None:
    if value is None:
        errors["given_on"] = "Enter the date the advice was given"
    elif value > timezone.localdate():
        errors["given_on"] = "The date the advice was given must be today or in the past"


def _locked(funding_request) -> FundingRequest:
    return (
        FundingRequest.objects.select_for_update()
        .select_related("council", "cluster")
        .get(pk=funding_request.pk)
    )


def _move(funding_request, target: RequestStatus, acting_user) -> FundingRequest:
    try:
        return requests.move_request(funding_request=funding_request, target=target, acting_user=acting_user)
    except StateTransitionError as error:
        raise TriageError(str(error)) from error


def _decide(funding_request, outcome, acting_user, *, action: str, details: dict, **fields) -> TriageDecision:
    decision = TriageDecision.objects.create(
        funding_request=funding_request, outcome=outcome, decided_by=acting_user, **fields
    )
    record_event(
        acting_user=acting_user,
        action=action,
        obj=funding_request,
        council=funding_request.council,
        after={"outcome": outcome, **details},
    )
    return decision


# The scheme's rules for triage


@transaction.atomic
def change_scheme(*, council, guidelines: str, blind_papers: bool, moderation_spread, acting_user):
    """The council's guidelines for triage, whether its meetings see requests blind, and how far members'
    scores may differ before a request is moderated."""
    _refuse_unless(can_manage_scheme(acting_user, council), "Only the council's SEND team sets the scheme.")
    errors: dict[str, str] = {}
    guidelines = _text(errors, "guidelines", guidelines, "the guidelines", required=False, limit=20_000)
    if not isinstance(moderation_spread, int) or not 1 <= moderation_spread <= 10:
        errors["moderation_spread"] = (
            "The spread that calls for moderation must be a whole number from 1 to 10"
        )
    if errors:
        raise TriageInvalid(errors)
    before = {
        "guidelines": council.triage_guidelines,
        "blind_papers": council.blind_papers,
        "moderation_spread": council.moderation_spread,
    }
    council.triage_guidelines, council.blind_papers = guidelines, blind_papers
    council.moderation_spread = moderation_spread
    council.save(update_fields=["triage_guidelines", "blind_papers", "moderation_spread"])
    record_event(
        acting_user=acting_user,
        action="scheme.triage_changed",
        obj=council,
        council=council,
        before=before,
        after={
            "guidelines": guidelines,
            "blind_papers": blind_papers,
            "moderation_spread": moderation_spread,
        },
    )
    return council


def _criterion_values(errors: dict, name, guidance, descriptors) -> tuple:
    name = _text(errors, "name", name, "the criterion's name", limit=120)
    guidance = _text(errors, "guidance", guidance, "the guidance", required=False, limit=2000)
    descriptors = [line.strip() for line in descriptors if line.strip()]
    if not 2 <= len(descriptors) <= 10:
        errors["descriptors"] = "Give between 2 and 10 points on the scale, one a line, lowest first"
    elif any(len(line) > 300 for line in descriptors):
        errors["descriptors"] = "Each point on the scale must be 300 characters or fewer"
    return name, guidance, descriptors


@transaction.atomic
def add_criterion(*, council, name: str, guidance: str, descriptors: list[str], acting_user) -> Criterion:
    """Add a criterion the Team Around the Cluster scores every request against."""
    _refuse_unless(can_manage_scheme(acting_user, council), "Only the council's SEND team sets the criteria.")
    errors: dict[str, str] = {}
    name, guidance, descriptors = _criterion_values(errors, name, guidance, descriptors)
    if errors:
        raise TriageInvalid(errors)
    last = Criterion.objects.filter(council=council).order_by("-position").first()
    criterion = Criterion.objects.create(
        council=council,
        position=(last.position + 1) if last else 1,
        name=name,
        guidance=guidance,
        descriptors=descriptors,
    )
    record_event(
        acting_user=acting_user,
        action="scheme.criterion_added",
        obj=criterion,
        council=council,
        after={"name": name, "descriptors": descriptors},
    )
    return criterion


@transaction.atomic
def retire_criterion(*, criterion, acting_user) -> Criterion:
    """Stop scoring against a criterion. Scores already given are kept with their requests."""
    _refuse_unless(
        can_manage_scheme(acting_user, criterion.council), "Only the council's SEND team does this."
    )
    criterion.is_active = False
    criterion.save(update_fields=["is_active"])
    record_event(
        acting_user=acting_user, action="scheme.criterion_retired", obj=criterion, council=criterion.council
    )
    return criterion


# Blind papers


@transaction.atomic
def reword_paper(*, funding_request, field: str, text: str, acting_user) -> PaperWording | None:
    """The school's own wording of a field of its blind paper, in place of the automatic redaction; empty
    text goes back to the automatic one. It is redacted again whenever the paper is read."""
    _refuse_unless(
        can_change_request(acting_user, funding_request),
        "Only the school rewords its paper, while it can change it.",
    )
    _refuse_unless(field in PAPER_FIELDS, "There is no such part of the paper.")
    errors: dict[str, str] = {}
    text = _text(errors, "text", text, "the wording", required=False)
    if errors:
        raise TriageInvalid(errors)
    existing = PaperWording.objects.filter(funding_request=funding_request, field=field)
    record_event(
        acting_user=acting_user,
        action="paper.reworded" if text else "paper.rewording_removed",
        obj=funding_request,
        council=funding_request.council,
        after={"field": field},
    )
    if not text:
        existing.delete()
        return None
    wording, _ = PaperWording.objects.update_or_create(
        funding_request=funding_request,
        field=field,
        defaults={
            "text": text,
            "source_fingerprint": fingerprint(getattr(funding_request, field) or ""),
            "written_by": acting_user,
        },
    )
    return wording


# Assignments


@transaction.atomic
def assign_members(*, funding_request, members, acting_user) -> list[TriageAssignment]:
    """Ask members of the cluster's Team Around the Cluster to triage the request, and start triage if it
    has not started. A member with an interest in the school is never assigned."""
    funding_request = _locked(funding_request)
    _refuse_unless(
        can_assign(acting_user, funding_request),
        "Only the cluster's admin and Team Around the Cluster assign triage, while a request awaits it.",
    )
    members = list(members)
    errors = {}
    if not members and not funding_request.triage_assignments.exists():
        errors["members"] = "Choose at least one member of the Team Around the Cluster"
    for member in members:
        if member.cluster_id != funding_request.cluster_id:
            errors["members"] = f"{member.name} is not in this cluster's Team Around the Cluster"
        elif member.user is None:
            errors["members"] = f"{member.name} has no account, so cannot triage in the service"
        elif has_interest(member.user, funding_request):
            errors["members"] = f"{member.name} has declared an interest in the school, so cannot triage this"
    if errors:
        raise TriageInvalid(errors)
    made = []
    for member in members:
        assignment, created = TriageAssignment.objects.get_or_create(
            funding_request=funding_request, member=member, defaults={"assigned_by": acting_user}
        )
        if created:
            made.append(assignment)
    record_event(
        acting_user=acting_user,
        action="triage.assigned",
        obj=funding_request,
        council=funding_request.council,
        after={"members": [member.name for member in members]},
    )
    if funding_request.status == RequestStatus.SUBMITTED:
        _move(funding_request, RequestStatus.IN_TRIAGE, acting_user)
    return made


# Scores


@transaction.atomic
def score_request(*, funding_request, scores: dict[int, tuple], acting_user) -> list[Score]:
    """An assigned member's scores against every one of the scheme's criteria, each with its reason. A
    member scores again to change their scores; nothing is saved unless every score is right."""
    funding_request = _locked(funding_request)
    _refuse_unless(
        can_score(acting_user, funding_request),
        "Only a member assigned to triage this request scores it, while it is in triage.",
    )
    criteria = list(Criterion.objects.filter(council=funding_request.council, is_active=True))
    _refuse_unless(bool(criteria), "The scheme has no criteria to score against.")
    errors: dict[str, str] = {}
    cleaned = {}
    for criterion in criteria:
        value, justification = scores.get(criterion.pk, (None, ""))
        field = f"criterion_{criterion.pk}"
        if value is None:
            errors[field] = f"Choose a score for {criterion.name.lower()}"
        elif not isinstance(value, int) or not 1 <= value <= criterion.scale:
            errors[field] = f"The score for {criterion.name.lower()} must be from 1 to {criterion.scale}"
        justification = _text(
            errors,
            f"{field}_why",
            justification,
            f"why you gave that score for {criterion.name.lower()}",
            limit=JUSTIFICATION_LIMIT,
        )
        cleaned[criterion] = (value, justification)
    if errors:
        raise TriageInvalid(errors)
    saved = [
        Score.objects.update_or_create(
            funding_request=funding_request,
            criterion=criterion,
            scorer=acting_user,
            defaults={"value": value, "justification": justification},
        )[0]
        for criterion, (value, justification) in cleaned.items()
    ]
    record_event(
        acting_user=acting_user,
        action="triage.scored",
        obj=funding_request,
        council=funding_request.council,
        after={criterion.name: value for criterion, (value, _) in cleaned.items()},
    )
    return saved


# Outcomes


@transaction.atomic
def ask_for_more_information(*, funding_request, questions: str, acting_user) -> InformationRequest:
    """Send questions back to the school. The request waits with the school until it answers and
    resubmits; both sides see how long it has waited."""
    funding_request = _locked(funding_request)
    _refuse_unless(can_decide_triage(acting_user, funding_request), _NOT_TRIAGING)
    errors: dict[str, str] = {}
    questions = _text(errors, "questions", questions, "the questions for the school")
    if errors:
        raise TriageInvalid(errors)
    asked = InformationRequest.objects.create(
        funding_request=funding_request, questions=questions, asked_by=acting_user
    )
    _decide(
        funding_request,
        TriageOutcome.MORE_INFORMATION,
        acting_user,
        action="triage.more_information",
        details={"questions": questions},
        recommendation=questions,
    )
    _move(funding_request, RequestStatus.MORE_INFORMATION_NEEDED, acting_user)
    return asked


_NOT_TRIAGING = (
    "Only a member assigned to triage this request, or the cluster's admin, decides where it goes."
)


@transaction.atomic
def answer_and_resubmit(*, funding_request, answer: str, acting_user) -> FundingRequest:
    """The school answers the Team Around the Cluster's questions and sends the request back to triage.
    The answer and the resubmission are saved together or not at all."""
    funding_request = _locked(funding_request)
    asked = funding_request.information_requests.filter(answered_at__isnull=True).last()
    _refuse_unless(
        asked is not None and funding_request.status == RequestStatus.MORE_INFORMATION_NEEDED,
        "There are no questions waiting for an answer.",
    )
    _refuse_unless(can_change_request(acting_user, funding_request), "Only the school answers its questions.")
    errors: dict[str, str] = {}
    answer = _text(errors, "answer", answer, "your answer to the questions")
    if errors:
        raise TriageInvalid(errors)
    asked.answer, asked.answered_by, asked.answered_at = answer, acting_user, timezone.now()
    asked.save(update_fields=["answer", "answered_by", "answered_at"])
    record_event(
        acting_user=acting_user,
        action="triage.answered",
        obj=funding_request,
        council=funding_request.council,
        after={"answer": answer},
    )
    try:
        return requests.submit_request(funding_request=funding_request, acting_user=acting_user)
    except requests.RequestIncomplete as error:
        raise TriageInvalid(
            {"answer": "The request cannot go back yet: " + "; ".join(error.problems)}
        ) from error


def amount_asked(funding_request) -> int:
    return sum(
        ProvisionLine.objects.filter(funding_request=funding_request).values_list("total_pence", flat=True)
    )


@transaction.atomic
def send_to_meeting(
    *, funding_request, recommended_pence, recommendation: str, acting_user
) -> TriageDecision:
    """Send the request to the next meeting with the team's recommendation and the amount it recommends,
    which may be less than asked but never more. An advice-only request goes with no amount."""
    funding_request = _locked(funding_request)
    _refuse_unless(can_decide_triage(acting_user, funding_request), _NOT_TRIAGING)
    errors: dict[str, str] = {}
    recommendation = _text(errors, "recommendation", recommendation, "the recommendation for the meeting")
    asked = amount_asked(funding_request)
    if not funding_request.asks_for_money:
        if recommended_pence:
            errors["recommended_pence"] = "An advice-only request asks for no money, so recommend no amount"
        recommended_pence = None
    elif recommended_pence is None:
        errors["recommended_pence"] = "Enter the amount the team recommends"
    elif recommended_pence <= 0:
        errors["recommended_pence"] = (
            "The recommended amount must be more than £0: if no money is needed, resolve it with advice"
        )
    elif recommended_pence > asked:
        errors["recommended_pence"] = (
            f"The recommended amount cannot be more than the {pounds(asked)} asked for"
        )
    if (
        Criterion.objects.filter(council=funding_request.council, is_active=True).exists()
        and not funding_request.scores.exists()
    ):
        errors["recommendation"] = (
            "Score the request against the scheme's criteria before it goes to a meeting"
        )
    if errors:
        raise TriageInvalid(errors)
    decision = _decide(
        funding_request,
        TriageOutcome.READY_FOR_MEETING,
        acting_user,
        action="triage.ready_for_meeting",
        details={"recommended_pence": recommended_pence, "recommendation": recommendation},
        recommended_pence=recommended_pence,
        recommendation=recommendation,
    )
    _move(funding_request, RequestStatus.READY_FOR_MEETING, acting_user)
    return decision


@transaction.atomic
def resolve_with_advice(
    *, funding_request, kind: str, given_on, given_by: str, advice: str, acting_user, shared_resource=None
) -> AdviceRecord:
    """Close the request with advice instead of money: the advice is logged against the school and the
    request's pupils, and can point at a resource another school shares."""
    funding_request = _locked(funding_request)
    _refuse_unless(can_decide_triage(acting_user, funding_request), _NOT_TRIAGING)
    if kind == AdviceRecord.Kind.RESOURCE and shared_resource is None:
        raise TriageInvalid({"shared_resource": "Choose the resource another school shares"})
    record = _advice(
        school=funding_request.lead_school,
        pupils=list(funding_request.pupils.all()),
        kind=kind,
        given_on=given_on,
        given_by=given_by,
        advice=advice,
        acting_user=acting_user,
        funding_request=funding_request,
        shared_resource=shared_resource,
    )
    _decide(
        funding_request,
        TriageOutcome.RESOLVED_WITH_ADVICE,
        acting_user,
        action="triage.resolved_with_advice",
        details={"advice": record.advice},
        recommendation=record.advice,
    )
    _move(funding_request, RequestStatus.RESOLVED_WITH_ADVICE, acting_user)
    return record


@transaction.atomic
def redirect_request(*, funding_request, reason: str, acting_user) -> TriageDecision:
    """Send the request elsewhere, for example to the EHC needs assessment route, saying why."""
    funding_request = _locked(funding_request)
    _refuse_unless(can_decide_triage(acting_user, funding_request), _NOT_TRIAGING)
    errors: dict[str, str] = {}
    reason = _text(errors, "reason", reason, "where the request is sent and why")
    if errors:
        raise TriageInvalid(errors)
    decision = _decide(
        funding_request,
        TriageOutcome.REDIRECTED,
        acting_user,
        action="triage.redirected",
        details={"reason": reason},
        recommendation=reason,
    )
    _move(funding_request, RequestStatus.REDIRECTED, acting_user)
    return decision


# The advice log


def _advice(
    *,
    school,
    pupils,
    kind,
    given_on,
    given_by,
    advice,
    acting_user,
    funding_request=None,
    shared_resource=None,
) -> AdviceRecord:
    errors: dict[str, str] = {}
    if kind not in AdviceRecord.Kind.values:
        errors["kind"] = "Choose what kind of advice it was"
    _given_on(errors, given_on)
    given_by = _text(errors, "given_by", given_by, "who gave the advice", limit=200)
    advice = _text(errors, "advice", advice, "what was advised")
    if any(pupil.school_id != school.pk for pupil in pupils):
        errors["pupils"] = "Choose only pupils of the school the advice was for"
    if shared_resource is not None and not shared_resource.is_available:
        errors["shared_resource"] = "That resource is not being shared at the moment"
    if errors:
        raise TriageInvalid(errors)
    record = AdviceRecord.objects.create(
        school=school,
        funding_request=funding_request,
        shared_resource=shared_resource,
        kind=kind,
        given_on=given_on,
        given_by=given_by,
        advice=advice,
        recorded_by=acting_user,
    )
    record.pupils.set(pupils)
    record_event(
        acting_user=acting_user,
        action="advice.recorded",
        obj=record,
        council=school.council,
        after={
            "school": school.name,
            "pupils": [pupil.reference for pupil in pupils],
            "kind": kind,
            "given_on": given_on.isoformat(),
            "request": funding_request.reference if funding_request else None,
        },
    )
    return record


@transaction.atomic
def record_advice(
    *, school, pupils, kind: str, given_on, given_by: str, advice: str, acting_user, funding_request=None
) -> AdviceRecord:
    """Log support that needed no money, against a school and any of its pupils (and a request, if it
    came from one), whether or not money follows."""
    _refuse_unless(
        can_record_advice_for_school(acting_user, school),
        "Only the school's cluster's Team Around the Cluster and admin, and the council, record advice.",
    )
    if funding_request is not None:
        _refuse_unless(funding_request.lead_school_id == school.pk, "That request is not the school's.")
    return _advice(
        school=school,
        pupils=list(pupils),
        kind=kind,
        given_on=given_on,
        given_by=given_by,
        advice=advice,
        acting_user=acting_user,
        funding_request=funding_request,
    )


# Shared resources


@transaction.atomic
def share_resource(*, school, kind: str, title: str, description: str, acting_user) -> SharedResource:
    """List something the school can share with the other schools in its cluster."""
    _refuse_unless(
        can_share_resources_of_school(acting_user, school), "Only the school's staff list what it shares."
    )
    errors: dict[str, str] = {}
    if kind not in SharedResource.Kind.values:
        errors["kind"] = "Choose what kind of resource it is"
    title = _text(errors, "title", title, "a short name for the resource", limit=120)
    description = _text(errors, "description", description, "what it is and how others can use it")
    if errors:
        raise TriageInvalid(errors)
    resource = SharedResource.objects.create(
        school=school, kind=kind, title=title, description=description, added_by=acting_user
    )
    record_event(acting_user=acting_user, action="resource.shared", obj=resource, council=school.council)
    return resource


@transaction.atomic
def stop_sharing(*, resource, acting_user) -> SharedResource:
    """Take a resource off the list: it is kept, with its history, but no longer offered."""
    _refuse_unless(
        can_share_resources_of_school(acting_user, resource.school), "Only the school's staff do this."
    )
    resource.is_available = False
    resource.save(update_fields=["is_available"])
    record_event(
        acting_user=acting_user, action="resource.withdrawn", obj=resource, council=resource.school.council
    )
    return resource


@transaction.atomic
def ask_for_resource(*, resource, school, note: str, acting_user) -> ResourceRequest:
    """Another school in the cluster asks to use a shared resource."""
    _refuse_unless(
        can_share_resources_of_school(acting_user, school), "Only a school's staff ask on its behalf."
    )
    _refuse_unless(resource.school_id != school.pk, "A school does not ask for its own resource.")
    _refuse_unless(
        resource.school_id in cluster_school_ids(school), "The resource is not shared in your cluster."
    )
    _refuse_unless(resource.is_available, "That resource is not being shared at the moment.")
    errors: dict[str, str] = {}
    note = _text(errors, "note", note, "what you would like and when")
    if errors:
        raise TriageInvalid(errors)
    asked = ResourceRequest.objects.create(resource=resource, school=school, note=note, asked_by=acting_user)
    record_event(acting_user=acting_user, action="resource.asked_for", obj=asked, council=school.council)
    return asked


@transaction.atomic
def answer_resource_request(*, resource_request, agree: bool, acting_user) -> ResourceRequest:
    """The sharing school agrees to or declines a request for its resource."""
    resource_request = ResourceRequest.objects.select_for_update().get(pk=resource_request.pk)
    resource = resource_request.resource
    _refuse_unless(
        can_share_resources_of_school(acting_user, resource.school), "Only the sharing school answers."
    )
    _refuse_unless(resource_request.answer == ResourceRequest.Answer.ASKED, "The request has been answered.")
    resource_request.answer = ResourceRequest.Answer.AGREED if agree else ResourceRequest.Answer.DECLINED
    resource_request.answered_by, resource_request.answered_at = acting_user, timezone.now()
    resource_request.save(update_fields=["answer", "answered_by", "answered_at"])
    record_event(
        acting_user=acting_user,
        action="resource.answered",
        obj=resource_request,
        council=resource.school.council,
        after={"answer": resource_request.answer},
    )
    return resource_request


# Interests


@transaction.atomic
def declare_interest(*, person, school, description: str, acting_user) -> Interest:
    """Record a person's interest in a school. From then on they never triage or score its requests, and
    in blind mode they do not see them."""
    _refuse_unless(can_declare_interest(acting_user, person), "People declare their own interests.")
    errors: dict[str, str] = {}
    description = _text(errors, "description", description, "what the interest is", limit=300)
    if Interest.objects.filter(person=person, school=school, withdrawn_at__isnull=True).exists():
        errors["school"] = f"An interest in {school.name} is already declared"
    if errors:
        raise TriageInvalid(errors)
    interest = Interest.objects.create(
        person=person, school=school, description=description, declared_by=acting_user
    )
    record_event(
        acting_user=acting_user,
        action="interest.declared",
        obj=interest,
        council=school.council,
        after={"school": school.name, "description": description},
    )
    return interest


@transaction.atomic
def withdraw_interest(*, interest, acting_user) -> Interest:
    """The interest has ended (the governor has stepped down, say). It stays on the register as ended."""
    _refuse_unless(can_declare_interest(acting_user, interest.person), "People withdraw their own interests.")
    _refuse_unless(interest.withdrawn_at is None, "The interest has already been withdrawn.")
    interest.withdrawn_at = timezone.now()
    interest.save(update_fields=["withdrawn_at"])
    record_event(
        acting_user=acting_user, action="interest.withdrawn", obj=interest, council=interest.school.council
    )
    return interest
