"""Every change to a funding request: start a draft, write each part of it, invite joint schools,
submit, change by a new version, withdraw.

Each part is validated whole before anything is saved, so a request is never half-saved. Once submitted,
a change writes a new version with what changed, so a request is never silently edited, and a change that
would leave it short of what submission checks is refused whole, so a submitted request stays complete.
"""

import datetime
import secrets
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from clusterfund.accounts.permissions import scope_of
from clusterfund.audit.services import record_event
from clusterfund.core.errors import Invalid, Refused
from clusterfund.core.errors import checked_text as _text
from clusterfund.core.formatting import pounds
from clusterfund.funding_requests.lifecycle import (
    CHANGEABLE,
    DECIDED,
    RequestStatus,
    StateTransitionError,
    check_transition,
)
from clusterfund.funding_requests.models import (
    Attachment,
    ConsentMethod,
    FundingRequest,
    JointSchool,
    Outcome,
    ProvisionLine,
    RequestType,
    RequestVersion,
    extension_of,
)
from clusterfund.funding_requests.permissions import (
    can_answer_invitation,
    can_change_request,
    can_write_requests_for_school,
    roles_for_request,
)
from clusterfund.funding_requests.references import next_reference
from clusterfund.funding_requests.versions import differences, snapshot
from clusterfund.meetings.selectors import next_meeting_for
from clusterfund.organisations.models import AcademicYear, Cluster, ClusterMembership, School
from clusterfund.pupils.needs import AreaOfNeed

TEXT_LIMIT = 5000
SHORT_TEXT_LIMIT = 1000
MOST_UNITS = Decimal("9999.99")


class RequestError(Refused):
    """A change the rules forbid, with a message the person can read."""


class RequestInvalid(Invalid, RequestError):
    """What the person entered is wrong; `errors` maps each field to what is wrong with it."""


class RequestIncomplete(RequestError):
    """The request cannot be submitted yet; `problems` says everything that is missing."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


class ChangeRefused(RequestIncomplete):
    """A change to a request that has been submitted which would leave it failing the checks made at
    submission. Nothing of the change was saved; `problems` says what it would have left wrong."""

    lead = "This change was not saved, because a submitted request must stay complete"

    def __init__(self, problems: list[str]):
        super().__init__(problems)
        self.args = (f"{self.lead}. {'. '.join(problems)}.",)


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


def _change(
    funding_request: FundingRequest,
    acting_user,
    action: str,
    apply: Callable[[FundingRequest], dict | None],
) -> FundingRequest:
    """Lock the request, check the person may change it, apply the change and audit it. `apply` may give
    details for the audit (never free text).

    Once the request has been submitted, the change becomes a new version that records what changed, and
    it must leave the request passing every check made at submission (`problems_before_submission`):
    otherwise it is refused with those problems as `ChangeRefused`, and because every service runs in one
    transaction, nothing of it is saved and no version is made."""
    funding_request = FundingRequest.objects.select_for_update().get(pk=funding_request.pk)
    _check_changeable(funding_request, acting_user)
    before = snapshot(funding_request) if not funding_request.is_draft else None
    details = dict(apply(funding_request) or {})
    if before is not None:
        changed = differences(before, snapshot(funding_request))
        if not changed:
            return funding_request
        problems = problems_before_submission(funding_request)
        if problems:
            raise ChangeRefused(problems)
        funding_request.version += 1
        funding_request.save(update_fields=["version", "updated_at"])
        _write_version(funding_request, acting_user, changed)
        details.update(version=funding_request.version, fields=[change["field"] for change in changed])
    else:
        FundingRequest.objects.filter(pk=funding_request.pk).update(updated_at=timezone.now())
    # The audit names what changed, never the text: free text may describe a child.
    record_event(
        acting_user=acting_user,
        action=action,
        obj=funding_request,
        council=funding_request.council,
        after=details or None,
    )
    return funding_request


def _write_version(funding_request: FundingRequest, acting_user, changed: list[dict]) -> RequestVersion:
    return RequestVersion.objects.create(
        funding_request=funding_request,
        number=funding_request.version,
        snapshot=snapshot(funding_request),
        changes=changed,
        created_by=acting_user,
    )


def _check_changeable(funding_request: FundingRequest, acting_user) -> None:
    if funding_request.status not in CHANGEABLE:
        raise RequestError(
            f"This request is {funding_request.get_status_display().lower()} and can no longer be changed."
        )
    if not can_change_request(acting_user, funding_request):
        raise RequestError("You cannot change this request.")


@transaction.atomic
def change_about_the_need(
    *,
    funding_request: FundingRequest,
    title: str,
    need: str,
    primary_area: str,
    other_areas,
    acting_user,
    to_city_meeting: bool = False,
) -> FundingRequest:
    """The request's title, the need in plain words, and the areas of need it is about. A contingency
    request in a council with a city pool may ask to be heard at the next city meeting instead of the
    cluster's."""
    errors: dict[str, str] = {}
    if to_city_meeting and not (
        funding_request.request_type == RequestType.CONTINGENCY and has_city_pool(funding_request.council)
    ):
        errors["to_city_meeting"] = "Only a contingency request can go to a city meeting, where there is one"
    title = _text(errors, "title", title, "a short title for the request", limit=120)
    need = _text(errors, "need", need, "the need in plain words")
    if primary_area not in AreaOfNeed.values:
        errors["primary_area"] = "Choose the main area of need"
    other_areas = list(dict.fromkeys(other_areas or []))
    if any(area not in AreaOfNeed.values for area in other_areas):
        errors["other_areas"] = "Choose other areas of need from the list"
    elif primary_area in other_areas:
        errors["other_areas"] = "Do not choose the main area of need again as another area"
    if errors:
        raise RequestInvalid(errors)

    def apply(fr):
        fr.title, fr.need, fr.primary_area = title, need, primary_area
        fr.other_areas = [area for area in AreaOfNeed.values if area in other_areas]
        fr.to_city_meeting = bool(to_city_meeting)
        fr.save(update_fields=["title", "need", "primary_area", "other_areas", "to_city_meeting"])

    return _change(funding_request, acting_user, "request.need_changed", apply)


@transaction.atomic
def change_graduated_approach(
    *,
    funding_request: FundingRequest,
    assessed: str,
    planned: str,
    done: str,
    reviewed: str,
    advice_received: str,
    acting_user,
) -> FundingRequest:
    """The graduated approach so far: what was assessed, planned, done (and for how long) and what changed,
    with any advice already received from professionals."""
    errors: dict[str, str] = {}
    values = {
        "assessed": _text(errors, "assessed", assessed, "what was assessed"),
        "planned": _text(errors, "planned", planned, "what was planned"),
        "done": _text(errors, "done", done, "what was done, and for how long"),
        "reviewed": _text(errors, "reviewed", reviewed, "what changed"),
        "advice_received": _text(
            errors, "advice_received", advice_received, "advice received", required=False
        ),
    }
    if errors:
        raise RequestInvalid(errors)

    def apply(fr):
        for name, value in values.items():
            setattr(fr, name, value)
        fr.save(update_fields=list(values))

    return _change(funding_request, acting_user, "request.approach_changed", apply)


def _pupils_of(funding_request: FundingRequest, school_id: int) -> list:
    return [pupil for pupil in funding_request.pupils.all() if pupil.school_id == school_id]


NEW_PUPILS_NEED_CONSENT = (
    "Record the parent's or carer's agreement for the new pupils: the date they agreed and how it was "
    "recorded"
)


@transaction.atomic
def choose_pupils(
    *, funding_request: FundingRequest, pupils, acting_user, consent_date=None, consent_method: str = ""
) -> FundingRequest:
    """Set the lead school's pupils the request is for (a joint school names its own when it answers its
    invitation). Each school only ever names its own pupils.

    The parent's or carer's agreement belongs to the pupils it was given for. So when a request that needs
    it gains a pupil it did not name before, the agreement already recorded no longer covers everyone:
    - on a draft, it is cleared (and the audit says so), and the task list asks for it again;
    - once submitted, adding a pupil is refused (`NEW_PUPILS_NEED_CONSENT`, "Record the parent's or
      carer's agreement for the new pupils: …") unless the new agreement, its date and how it was recorded,
      comes with the same change; then the pupils and the agreement are saved together as one new version,
      whose history shows both. A submitted request is so never, even for a moment, without an agreement
      that covers its pupils, which `_change` would refuse anyway.
    Taking pupils off keeps the agreement: the other pupils' parents or carers have still agreed."""
    school = funding_request.lead_school
    pupils = list(pupils)
    if any(pupil.school_id != school.pk for pupil in pupils):
        raise RequestInvalid({"pupils": "Choose pupils from your own school"})
    if any(pupil.archived_on for pupil in pupils):
        raise RequestInvalid({"pupils": "Choose pupils the school still works with"})
    total = len(pupils)
    if funding_request.request_type == RequestType.INDIVIDUAL and total != 1:
        raise RequestInvalid({"pupils": "Choose the one pupil this request is for"})
    if funding_request.request_type == RequestType.PROJECT and total:
        raise RequestInvalid({"pupils": "A project is for pupils not yet identified: do not name pupils"})
    given = consent_date is not None or bool(consent_method)
    if given:
        if not funding_request.needs_consent:
            raise RequestError(NO_CONSENT_NEEDED)
        _check_consent(consent_date, consent_method)
    named = {pupil.pk for pupil in funding_request.pupils.all() if pupil.school_id == school.pk}
    gains = bool({pupil.pk for pupil in pupils} - named)
    if gains and funding_request.needs_consent and not funding_request.is_draft and not given:
        raise RequestInvalid({"consent_date": NEW_PUPILS_NEED_CONSENT})

    def apply(fr):
        keep = [pupil for pupil in fr.pupils.all() if pupil.school_id != school.pk]
        fr.pupils.set(keep + pupils)
        if given:
            fr.consent_date, fr.consent_method = consent_date, consent_method
        elif gains and fr.needs_consent and fr.consent_date:
            fr.consent_date, fr.consent_method = None, ""
        else:
            return None
        fr.save(update_fields=["consent_date", "consent_method"])
        return {"consent": "recorded" if given else "cleared"}

    return _change(funding_request, acting_user, "request.pupils_chosen", apply)


@transaction.atomic
def change_who_benefits(
    *, funding_request: FundingRequest, children_benefiting, benefiting_schools, acting_user
) -> FundingRequest:
    """For a project: how many children benefit and in which of the cluster's schools."""
    if funding_request.request_type != RequestType.PROJECT:
        raise RequestError("Only a project says how many children benefit; other requests name their pupils.")
    errors: dict[str, str] = {}
    schools = list(benefiting_schools)
    if children_benefiting is None or children_benefiting < 1:
        errors["children_benefiting"] = "Enter how many children benefit, as a whole number of 1 or more"
    elif children_benefiting > 100_000:
        errors["children_benefiting"] = "Number of children must be 100,000 or fewer"
    members = _cluster_school_ids(funding_request)
    if not schools:
        errors["benefiting_schools"] = "Choose the schools that benefit"
    elif any(school.pk not in members for school in schools):
        errors["benefiting_schools"] = "Choose schools in the request's cluster"
    if errors:
        raise RequestInvalid(errors)

    def apply(fr):
        fr.children_benefiting = children_benefiting
        fr.save(update_fields=["children_benefiting"])
        fr.benefiting_schools.set(schools)

    return _change(funding_request, acting_user, "request.benefit_changed", apply)


def has_city_pool(council) -> bool:
    """Whether the council's scheme has a city pool, whose termly meeting hears contingency requests."""
    return Cluster.objects.filter(council=council, is_city_pool=True).exists()


def _cluster_school_ids(funding_request: FundingRequest) -> set[int]:
    return set(
        ClusterMembership.objects.filter(
            cluster=funding_request.cluster, academic_year=funding_request.academic_year
        ).values_list("school_id", flat=True)
    )


def _outcome_values(funding_request: FundingRequest, what, by_when, how_measured) -> dict:
    errors: dict[str, str] = {}
    values = {
        "what": _text(errors, "what", what, "what should change", limit=SHORT_TEXT_LIMIT),
        "how_measured": _text(errors, "how_measured", how_measured, "how it will be measured", limit=500),
        "by_when": by_when,
    }
    if by_when is None:
        errors["by_when"] = "Enter the date by which it should be achieved"
    elif funding_request.start_date and by_when < funding_request.start_date:
        errors["by_when"] = "The date must be on or after the support starts"
    elif by_when > funding_request.academic_year.ends_on + datetime.timedelta(days=366):
        errors["by_when"] = "The date must be within a year of the end of the academic year"
    if errors:
        raise RequestInvalid(errors)
    return values


@transaction.atomic
def add_outcome(*, funding_request: FundingRequest, what, by_when, how_measured, acting_user) -> Outcome:
    """Add an outcome that can be checked: what should change, by when, and how it will be measured."""
    _check_asks_for_money(funding_request, "outcomes")
    values = _outcome_values(funding_request, what, by_when, how_measured)
    added = []

    def apply(fr):
        position = max((outcome.position for outcome in fr.outcomes.all()), default=0) + 1
        added.append(Outcome.objects.create(funding_request=fr, position=position, **values))

    _change(funding_request, acting_user, "request.outcome_added", apply)
    return added[0]


@transaction.atomic
def change_outcome(*, outcome: Outcome, what, by_when, how_measured, acting_user) -> Outcome:
    """Change one of the request's outcomes."""
    values = _outcome_values(outcome.funding_request, what, by_when, how_measured)

    def apply(fr):
        for name, value in values.items():
            setattr(outcome, name, value)
        outcome.save()

    _change(outcome.funding_request, acting_user, "request.outcome_changed", apply)
    return outcome


@transaction.atomic
def remove_outcome(*, outcome: Outcome, acting_user) -> None:
    """Take an outcome off the request."""

    def apply(fr):
        outcome.delete()

    _change(outcome.funding_request, acting_user, "request.outcome_removed", apply)


def _line_values(funding_request: FundingRequest, what, provider, units, unit_cost_pence, term, *, line=None):
    errors: dict[str, str] = {}
    values = {
        "what": _text(errors, "what", what, "what the provision is", limit=200),
        "provider": _text(errors, "provider", provider, "who provides it", limit=200),
    }
    try:
        units = Decimal(str(units)) if units not in (None, "") else None
    except InvalidOperation:
        units = None
    if units is None or not units.is_finite():
        errors["units"] = "Enter the hours or units as a number, like 12 or 1.5"
    elif units <= 0:
        errors["units"] = "Hours or units must be more than 0"
    elif units > MOST_UNITS or units.as_tuple().exponent < -2:
        errors["units"] = "Hours or units must be 9,999.99 or fewer, to at most 2 decimal places"
    if unit_cost_pence is None:
        errors["unit_cost"] = "Enter the cost of one hour or unit in pounds and pence, like 25.50"
    elif unit_cost_pence < 0:
        errors["unit_cost"] = "The cost of one hour or unit cannot be negative"
    if term is None or term.academic_year_id != funding_request.academic_year_id:
        errors["term"] = f"Choose a term in {funding_request.academic_year.name}"
    if errors:
        raise RequestInvalid(errors)
    total = int((units * unit_cost_pence).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    cap = funding_request.council.request_cap_pence
    others = sum(
        other.total_pence
        for other in funding_request.provision_lines.all()
        if line is None or other.pk != line.pk
    )
    if cap is not None and others + total > cap:
        raise RequestInvalid(
            {
                "unit_cost": f"This line would bring the request to {pounds(others + total)}: "
                f"a request can ask for at most {pounds(cap)}"
            }
        )
    if total >= 2**31:
        raise RequestInvalid({"unit_cost": "This line's total is too large"})
    return {**values, "units": units, "unit_cost_pence": unit_cost_pence, "total_pence": total, "term": term}


@transaction.atomic
def add_provision_line(
    *, funding_request: FundingRequest, what, provider, units, unit_cost_pence, term, acting_user
) -> ProvisionLine:
    """Add a costed line to the provision map. Its total is whole pence, and the request's total stays
    within the scheme's cap."""
    _check_asks_for_money(funding_request, "costed provision")
    values = _line_values(funding_request, what, provider, units, unit_cost_pence, term)
    added = []

    def apply(fr):
        position = max((line.position for line in fr.provision_lines.all()), default=0) + 1
        added.append(ProvisionLine.objects.create(funding_request=fr, position=position, **values))

    _change(funding_request, acting_user, "request.provision_added", apply)
    return added[0]


@transaction.atomic
def change_provision_line(
    *, line: ProvisionLine, what, provider, units, unit_cost_pence, term, acting_user
) -> ProvisionLine:
    """Change one costed line of the provision map."""
    values = _line_values(line.funding_request, what, provider, units, unit_cost_pence, term, line=line)

    def apply(fr):
        for name, value in values.items():
            setattr(line, name, value)
        line.save()

    _change(line.funding_request, acting_user, "request.provision_changed", apply)
    return line


@transaction.atomic
def remove_provision_line(*, line: ProvisionLine, acting_user) -> None:
    """Take a costed line off the provision map."""

    def apply(fr):
        line.delete()

    _change(line.funding_request, acting_user, "request.provision_removed", apply)


def _check_asks_for_money(funding_request: FundingRequest, part: str) -> None:
    """Outcomes, dates and costed provision belong to requests for support; advice-only asks for none."""
    if not funding_request.asks_for_money:
        if part == "costed provision":
            raise RequestError("An advice-only request asks for no money, so it has no costed provision.")
        raise RequestError(f"An advice-only request asks for no support, so it has no {part}.")


@transaction.atomic
def change_dates(*, funding_request: FundingRequest, start_date, end_date, acting_user) -> FundingRequest:
    """When the support would start and end."""
    _check_asks_for_money(funding_request, "dates")
    errors: dict[str, str] = {}
    year = funding_request.academic_year
    if start_date is None:
        errors["start_date"] = "Enter the date the support would start"
    elif start_date < year.starts_on or start_date > year.ends_on:
        errors["start_date"] = f"The start date must be in the academic year {year.name}"
    if end_date is None:
        errors["end_date"] = "Enter the date the support would end"
    elif start_date and end_date < start_date:
        errors["end_date"] = "The end date must be the same as or after the start date"
    elif end_date > year.ends_on + datetime.timedelta(days=366):
        errors["end_date"] = "The end date must be within a year of the end of the academic year"
    if errors:
        raise RequestInvalid(errors)

    def apply(fr):
        fr.start_date, fr.end_date = start_date, end_date
        fr.save(update_fields=["start_date", "end_date"])

    return _change(funding_request, acting_user, "request.dates_changed", apply)


NO_CONSENT_NEEDED = (
    "Only requests that name pupils (individual, group and contingency) record a parent's or carer's "
    "agreement."
)


def _consent_errors(consent_date, consent_method: str) -> dict[str, str]:
    """What is wrong with a parent's or carer's agreement as entered: given today or in the last year,
    and recorded in one of the ways the council accepts."""
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if consent_date is None:
        errors["consent_date"] = "Enter the date the parent or carer agreed"
    elif consent_date > today:
        errors["consent_date"] = "The date the parent or carer agreed must be today or in the past"
    elif consent_date < today - datetime.timedelta(days=366):
        errors["consent_date"] = "The agreement must have been given within the last year"
    if consent_method not in ConsentMethod.values:
        errors["consent_method"] = "Choose how the agreement was recorded"
    return errors


def _check_consent(consent_date, consent_method: str) -> None:
    errors = _consent_errors(consent_date, consent_method)
    if errors:
        raise RequestInvalid(errors)


@transaction.atomic
def record_consent(
    *, funding_request: FundingRequest, consent_date, consent_method: str, acting_user
) -> FundingRequest:
    """The lead school's pupils' parent's or carer's agreement to the referral: when it was given and how
    it was recorded. Every request that names pupils needs it."""
    if not funding_request.needs_consent:
        raise RequestError(NO_CONSENT_NEEDED)
    _check_consent(consent_date, consent_method)

    def apply(fr):
        fr.consent_date, fr.consent_method = consent_date, consent_method
        fr.save(update_fields=["consent_date", "consent_method"])

    return _change(funding_request, acting_user, "request.consent_recorded", apply)


@transaction.atomic
def invite_school(*, funding_request: FundingRequest, school: School, acting_user) -> JointSchool:
    """Invite another school in the cluster to join a draft request; it confirms its part and pupils."""
    if not funding_request.is_draft:
        raise RequestError("Schools can only be invited to join a draft.")
    if funding_request.request_type not in (RequestType.GROUP, RequestType.PROJECT):
        raise RequestError("Only group and project requests can be joint requests.")
    if school.pk == funding_request.lead_school_id:
        raise RequestInvalid({"school": "Your own school leads the request: choose another school"})
    if school.pk not in _cluster_school_ids(funding_request) or school.is_closed:
        raise RequestInvalid({"school": "Choose an open school in the request's cluster"})
    if funding_request.joint_schools.filter(school=school).exists():
        raise RequestInvalid({"school": f"{school.name} has already been invited"})
    invited = []

    def apply(fr):
        invited.append(JointSchool.objects.create(funding_request=fr, school=school, invited_by=acting_user))

    _change(funding_request, acting_user, "request.school_invited", apply)
    return invited[0]


@transaction.atomic
def withdraw_invitation(*, joint_school: JointSchool, acting_user) -> None:
    """Take a joint school off a draft request, with its pupils."""
    funding_request = joint_school.funding_request
    if not funding_request.is_draft:
        raise RequestError("Schools can only be taken off a draft.")

    def apply(fr):
        fr.pupils.remove(*_pupils_of(fr, joint_school.school_id))
        joint_school.delete()

    _change(funding_request, acting_user, "request.invitation_withdrawn", apply)


def why_invitation_is_closed(funding_request: FundingRequest) -> str:
    """What an invited school is told once the request is no longer a draft, so its part is settled."""
    if funding_request.status == RequestStatus.WITHDRAWN:
        return "This request has been withdrawn, so your school's part can no longer be changed."
    return "This request has been submitted, so your school's part can no longer be changed."


@transaction.atomic
def answer_invitation(
    *,
    joint_school: JointSchool,
    confirm: bool,
    part: str,
    pupils,
    acting_user,
    consent_date=None,
    consent_method: str = "",
) -> JointSchool:
    """The invited school confirms its part in the request, or declines. Confirming a group request names
    at least one of the school's own pupils, with the date their parents or carers agreed to the referral
    and how the school recorded it, checked as the lead school's agreement is; a project names none."""
    joint_school = (
        JointSchool.objects.select_for_update().select_related("funding_request").get(pk=joint_school.pk)
    )
    funding_request = joint_school.funding_request
    if not funding_request.is_draft and joint_school.school_id in scope_of(acting_user).staff_of:
        raise RequestError(why_invitation_is_closed(funding_request))
    if not can_answer_invitation(acting_user, joint_school):
        raise RequestError("You cannot answer this invitation.")
    errors: dict[str, str] = {}
    part = _text(errors, "part", part, "your school's part", required=confirm, limit=SHORT_TEXT_LIMIT)
    pupils = list(pupils) if confirm else []
    names_pupils = funding_request.request_type == RequestType.GROUP
    if any(pupil.school_id != joint_school.school_id or pupil.archived_on for pupil in pupils):
        errors["pupils"] = "Choose pupils from your own school"
    elif confirm and names_pupils and not pupils:
        errors["pupils"] = "Choose at least one of your school's pupils who joins the group"
    elif pupils and not names_pupils:
        errors["pupils"] = "A project is for pupils not yet identified: do not name pupils"
    needs_consent = confirm and names_pupils
    if needs_consent:
        errors.update(_consent_errors(consent_date, consent_method))
    if errors:
        raise RequestInvalid(errors)
    others = [pupil for pupil in funding_request.pupils.all() if pupil.school_id != joint_school.school_id]
    funding_request.pupils.set(others + pupils)
    joint_school.answer = JointSchool.Answer.CONFIRMED if confirm else JointSchool.Answer.DECLINED
    joint_school.part = part
    joint_school.consent_date = consent_date if needs_consent else None
    joint_school.consent_method = consent_method if needs_consent else ""
    joint_school.answered_by = acting_user
    joint_school.answered_at = timezone.now()
    joint_school.save()
    record_event(
        acting_user=acting_user,
        action="request.invitation_answered",
        obj=funding_request,
        council=funding_request.council,
        after={"school": joint_school.school.name, "answer": joint_school.answer, "pupils": len(pupils)},
    )
    return joint_school


def task_status(funding_request: FundingRequest) -> dict[str, bool]:
    """Which parts of the form are complete, in the order of the task list. Parts that do not apply to
    the request's type are left out."""
    fr = funding_request
    tasks = {"need": bool(fr.need and fr.primary_area)}
    if fr.names_pupils:
        tasks["pupils"] = _pupils_problem(fr) is None
    if fr.request_type == RequestType.PROJECT:
        tasks["benefit"] = bool(fr.children_benefiting)
    tasks["approach"] = all((fr.assessed, fr.planned, fr.done, fr.reviewed))
    if fr.request_type != RequestType.ADVICE_ONLY:
        tasks["outcomes"] = bool(fr.outcomes.all())
        tasks["provision"] = bool(fr.start_date and fr.end_date and fr.provision_lines.all())
    if fr.needs_consent:
        tasks["consent"] = not _consent_problems(fr)
    return tasks


def _consent_problems(fr: FundingRequest) -> list[str]:
    """Whose parents' or carers' agreement is still to be recorded: the lead school's, and that of each
    school that joined with pupils of its own."""
    problems = [] if fr.consent_date and fr.consent_method else [TASK_PROBLEMS["consent"]]
    joined = {pupil.school_id for pupil in fr.pupils.all() if pupil.school_id != fr.lead_school_id}
    for joint in fr.joint_schools.all():
        if joint.school_id in joined and not (joint.consent_date and joint.consent_method):
            problems.append(
                f"{joint.school.name} must record its pupils' parents' or carers' agreement when it "
                "confirms its part"
            )
    return problems


def _pupils_problem(fr: FundingRequest) -> str | None:
    pupils = list(fr.pupils.all())
    own = [pupil for pupil in pupils if pupil.school_id == fr.lead_school_id]
    if fr.request_type == RequestType.INDIVIDUAL and len(own) != 1:
        return "Choose the one pupil this request is for"
    if fr.request_type == RequestType.GROUP and len(pupils) < 2:
        return "Choose at least 2 pupils for a group request"
    if fr.request_type == RequestType.CONTINGENCY and not pupils:
        return "Choose the pupil or pupils this emergency request is for"
    return None


TASK_PROBLEMS = {
    "need": "Describe the need and choose its main area",
    "benefit": "Say how many children benefit and in which schools",
    "approach": "Describe the graduated approach so far: assess, plan, do and review",
    "outcomes": "Add at least one outcome that can be checked",
    "provision": "Add the costed provision and the dates the support would start and end",
    "consent": "Record the parent's or carer's agreement to the referral",
}


def problems_before_submission(funding_request: FundingRequest) -> list[str]:
    """Everything that must be put right before the request can be submitted, in the order of the form."""
    fr = funding_request
    problems = []
    for task, done in task_status(fr).items():
        if done:
            continue
        if task == "pupils":
            problems.append(_pupils_problem(fr))
        elif task == "consent":
            problems.extend(_consent_problems(fr))
        else:
            problems.append(TASK_PROBLEMS[task])
    waiting = [
        joint.school.name for joint in fr.joint_schools.all() if joint.answer == JointSchool.Answer.INVITED
    ]
    if waiting:
        problems.append(
            f"Wait for {' and '.join(waiting)} to confirm or decline, or take them off the request"
        )
    problems.extend(_dates_problems(fr))
    cap = fr.council.request_cap_pence
    total = sum(line.total_pence for line in fr.provision_lines.all())
    if cap is not None and total > cap:
        problems.append(f"The request asks for {pounds(total)}: a request can ask for at most {pounds(cap)}")
    return [problem for problem in problems if problem]


def _dates_problems(fr: FundingRequest) -> list[str]:
    """Outcomes and costed terms that fall outside the dates the support runs, which may have changed
    since they were entered."""
    if not (fr.start_date and fr.end_date):
        return []
    problems = []
    early = [outcome for outcome in fr.outcomes.all() if outcome.by_when < fr.start_date]
    if early:
        problems.append(
            f"{len(early)} outcome{'s are' if len(early) > 1 else ' is'} due before the support starts: "
            "change the outcome or the dates"
        )
    for line in fr.provision_lines.select_related("term").prefetch_related("term__half_terms"):
        half_terms = list(line.term.half_terms.all())
        if not half_terms:
            continue
        starts = min(half_term.starts_on for half_term in half_terms)
        ends = max(half_term.ends_on for half_term in half_terms)
        if ends < fr.start_date or starts > fr.end_date:
            problems.append(
                f"‘{line.what}’ is costed in the {line.term.get_season_display().lower()} term, outside the "
                "dates the support runs: change the line or the dates"
            )
    return problems


def _safe_name(name: str, kind: str) -> str:
    """The uploaded name with only plain characters, ending in the extension its content calls for, so a
    download can never be taken for a web page or a program."""
    stem = name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    stem = "".join(c if c.isalnum() or c in " -_()" else "-" for c in stem).strip(" -") or "document"
    return f"{stem[:150]}{extension_of(kind)}"


@transaction.atomic
def add_attachment(
    *,
    funding_request: FundingRequest,
    upload,
    kind: str,
    description: str,
    acting_user,
    school=None,
    is_anonymised: bool = False,
) -> Attachment:
    """Keep a supporting document (already checked by its content, see `attachments.check_upload`)
    outside the web root, against the request. Only one the school marks anonymised reaches a blind
    meeting."""
    school = school or funding_request.lead_school
    added = []

    def apply(fr):
        attachment = Attachment(
            funding_request=fr,
            school=school,
            token=secrets.token_hex(16),
            original_name=_safe_name(upload.name, kind),
            content_type=kind,
            size_bytes=upload.size,
            description=description.strip()[:200],
            is_anonymised=is_anonymised,
            uploaded_by=acting_user,
        )
        attachment.file.save(attachment.token, upload, save=False)
        attachment.save()
        added.append(attachment)

    _change(funding_request, acting_user, "request.attachment_added", apply)
    return added[0]


@transaction.atomic
def record_request_viewed(*, funding_request: FundingRequest, acting_user) -> None:
    """Note that someone opened a request: it holds pupils' special-category data."""
    record_event(
        acting_user=acting_user, action="request.viewed", obj=funding_request, council=funding_request.council
    )


@transaction.atomic
def record_attachment_downloaded(*, attachment: Attachment, acting_user) -> None:
    """Note that someone downloaded a request's document."""
    record_event(
        acting_user=acting_user,
        action="request.document_downloaded",
        obj=attachment.funding_request,
        council=attachment.funding_request.council,
        after={"document": attachment.original_name},
    )


@transaction.atomic
def remove_attachment(*, attachment: Attachment, acting_user) -> None:
    """Take a document off the request. Its file is deleted once the change has been saved."""
    stored = attachment.file.name
    storage = attachment.file.storage

    def apply(fr):
        attachment.delete()
        transaction.on_commit(lambda: storage.delete(stored))

    _change(attachment.funding_request, acting_user, "request.attachment_removed", apply)


ALREADY = {
    RequestStatus.SUBMITTED: "This request has already been submitted.",
    RequestStatus.WITHDRAWN: "This request has already been withdrawn.",
}


def _lock_for_move(funding_request: FundingRequest, target: RequestStatus, acting_user) -> FundingRequest:
    """The request, locked for this transaction, once the lifecycle lets the person move it to `target`.
    Moving it where it already is (submitting twice) is refused in plain words."""
    funding_request = FundingRequest.objects.select_for_update().get(pk=funding_request.pk)
    if funding_request.status == target:
        raise StateTransitionError(ALREADY.get(target, f"This request is already {target.label.lower()}."))
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
    if target in DECIDED and "decided_on" not in fields:
        fields["decided_on"] = timezone.localdate()
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
    first_time = funding_request.version == 0
    if first_time:
        funding_request.version = 1
        _write_version(funding_request, acting_user, [])
    return _move(
        funding_request,
        RequestStatus.SUBMITTED,
        action="request.submitted" if first_time else "request.resubmitted",
        acting_user=acting_user,
        details={"version": funding_request.version},
        version=funding_request.version,
        submitted_at=funding_request.submitted_at or timezone.now(),
        meeting=next_meeting_for(funding_request),
    )


@transaction.atomic
def withdraw_request(*, funding_request: FundingRequest, reason: str, acting_user) -> FundingRequest:
    """Withdraw a request before it is decided, saying why."""
    errors: dict[str, str] = {}
    reason = _text(errors, "reason", reason, "why the request is being withdrawn", limit=SHORT_TEXT_LIMIT)
    if errors:
        raise RequestInvalid(errors)
    funding_request = _lock_for_move(funding_request, RequestStatus.WITHDRAWN, acting_user)
    frozen = funding_request.agenda_items.filter(
        meeting__frozen_at__isnull=False, meeting__decisions_recorded_at=None, meeting__status="planned"
    ).first()
    if frozen is not None:
        raise StateTransitionError(
            f"This request is on the frozen agenda of the meeting on {frozen.meeting.held_on.day} "
            f"{frozen.meeting.held_on:%B %Y}. Ask the cluster's admin or chair to defer it at the meeting."
        )
    return _move(
        funding_request,
        RequestStatus.WITHDRAWN,
        action="request.withdrawn",
        acting_user=acting_user,
        withdrawn_reason=reason,
    )


@transaction.atomic
def move_request(*, funding_request: FundingRequest, target: str, acting_user) -> FundingRequest:
    """Move a request on where the move needs nothing but the lifecycle's say-so (starting triage, carrying
    a deferred request over, closing). Moves that carry details have their own services."""
    target = RequestStatus(target)
    funding_request = _lock_for_move(funding_request, target, acting_user)
    return _move(funding_request, target, action="request.moved", acting_user=acting_user)
