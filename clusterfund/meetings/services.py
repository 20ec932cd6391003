"""Arranging meetings: each year's default meetings from the scheme's rhythm, and admins adding, moving and
cancelling them. A cancelled meeting's requests go to the next meeting that takes papers."""

import datetime
import secrets

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from clusterfund.audit.services import record_event
from clusterfund.core.errors import Invalid, Refused
from clusterfund.funding_requests.lifecycle import RequestStatus
from clusterfund.funding_requests.models import FundingRequest
from clusterfund.meetings.models import (
    DEFAULT_DEADLINE,
    AgendaItem,
    Attendance,
    Meeting,
    MeetingKind,
    MeetingStatus,
)
from clusterfund.meetings.permissions import can_arrange_meetings, voting_school_ids
from clusterfund.organisations.models import Cluster, HalfTerm
from clusterfund.triage.models import TriageDecision, TriageOutcome

PLACE_LIMIT = 200


class MeetingError(Refused):
    """A change the meetings rules forbid, with a message the person can read."""


class MeetingInvalid(Invalid, MeetingError):
    """What the person entered is wrong; `errors` maps each field to what is wrong with it."""


def _wednesday_before(day: datetime.date) -> datetime.date:
    """The last Wednesday on or before `day`: clusters meet mid-week after school."""
    return day - datetime.timedelta(days=(day.weekday() - 2) % 7)


def _default_dates(council, academic_year) -> list[tuple[str, datetime.date, str]]:
    """(kind, date, what it is for) for a cluster's year, by the scheme's rhythm."""
    halves = list(HalfTerm.objects.filter(term__academic_year=academic_year).order_by("number"))
    dates = []
    for half in halves:
        last_week = _wednesday_before(half.ends_on - datetime.timedelta(days=7))
        if council.meetings_per_term == "two_a_term":
            kind = MeetingKind.IDEAS if half.number % 2 else MeetingKind.ALLOCATION
        else:
            kind = MeetingKind.ALLOCATION
        dates.append((kind, last_week))
    return dates


@transaction.atomic
def create_default_meetings(*, council, academic_year, acting_user) -> list[Meeting]:
    """Each cluster's meetings for the year by the scheme's rhythm (one a half term, or two a term: one to
    share ideas, one to allocate), and where there is a city pool, a city meeting each term. Meetings the
    year already has are kept; nothing is made twice."""
    made = []
    clusters = list(Cluster.objects.filter(council=council))
    existing = set(
        Meeting.objects.filter(academic_year=academic_year).values_list("cluster_id", "kind", "held_on")
    )
    defaults = _default_dates(council, academic_year)
    for cluster in clusters:
        if cluster.is_city_pool:
            # The city meeting is termly, in each term's second half.
            plan = [(MeetingKind.CITY, day) for number, (_, day) in enumerate(defaults) if number % 2]
        else:
            plan = defaults
        for kind, day in plan:
            if (cluster.pk, kind, day) in existing:
                continue
            made.append(
                Meeting.objects.create(
                    cluster=cluster,
                    academic_year=academic_year,
                    kind=kind,
                    held_on=day,
                    paper_deadline=day - DEFAULT_DEADLINE,
                    place="To be confirmed",
                )
            )
    record_event(
        acting_user=acting_user,
        action="meetings.defaults_created",
        obj=academic_year,
        council=council,
        after={"meetings": len(made)},
    )
    return made


def _values(errors: dict, *, held_on, paper_deadline, place, online_link, academic_year) -> None:
    if held_on is None:
        errors["held_on"] = "Enter the date of the meeting"
    elif not academic_year.starts_on <= held_on <= academic_year.ends_on:
        errors["held_on"] = f"The date of the meeting must be in the {academic_year.name} school year"
    if paper_deadline is not None and held_on is not None and paper_deadline > held_on:
        errors["paper_deadline"] = "The paper deadline must be on or before the day of the meeting"
    if len(place or "") > PLACE_LIMIT:
        errors["place"] = f"The place must be {PLACE_LIMIT} characters or fewer"
    if not (place or "").strip() and not (online_link or "").strip():
        errors["place"] = "Enter where the meeting is, or a link to join it online"


@transaction.atomic
def add_meeting(
    *, cluster, academic_year, kind, held_on, paper_deadline, place, online_link, chair, acting_user
) -> Meeting:
    """Add a meeting to a cluster's year. The paper deadline is a week before unless given."""
    if not can_arrange_meetings(acting_user, cluster):
        raise MeetingError("Only the cluster's admin or the council's SEND team arranges meetings.")
    errors: dict[str, str] = {}
    if kind not in MeetingKind.values:
        errors["kind"] = "Choose what the meeting is for"
    _values(
        errors,
        held_on=held_on,
        paper_deadline=paper_deadline,
        place=place,
        online_link=online_link,
        academic_year=academic_year,
    )
    if errors:
        raise MeetingInvalid(errors)
    meeting = Meeting.objects.create(
        cluster=cluster,
        academic_year=academic_year,
        kind=kind,
        held_on=held_on,
        paper_deadline=paper_deadline or held_on - DEFAULT_DEADLINE,
        place=(place or "").strip(),
        online_link=(online_link or "").strip(),
        chair=chair,
    )
    record_event(
        acting_user=acting_user,
        action="meeting.added",
        obj=meeting,
        council=cluster.council,
        after={"held_on": held_on.isoformat(), "kind": kind},
    )
    return meeting


@transaction.atomic
def move_meeting(*, meeting, held_on, paper_deadline, place, online_link, chair, acting_user) -> Meeting:
    """Change a meeting's date, deadline, place, link or chair."""
    meeting = (
        Meeting.objects.select_for_update().select_related("cluster", "academic_year").get(pk=meeting.pk)
    )
    if not can_arrange_meetings(acting_user, meeting.cluster):
        raise MeetingError("Only the cluster's admin or the council's SEND team arranges meetings.")
    if meeting.is_cancelled:
        raise MeetingError("The meeting has been cancelled.")
    errors: dict[str, str] = {}
    _values(
        errors,
        held_on=held_on,
        paper_deadline=paper_deadline,
        place=place,
        online_link=online_link,
        academic_year=meeting.academic_year,
    )
    if errors:
        raise MeetingInvalid(errors)
    before = {"held_on": meeting.held_on.isoformat(), "paper_deadline": meeting.paper_deadline.isoformat()}
    meeting.held_on = held_on
    meeting.paper_deadline = paper_deadline or held_on - DEFAULT_DEADLINE
    meeting.place, meeting.online_link, meeting.chair = (
        (place or "").strip(),
        (online_link or "").strip(),
        chair,
    )
    meeting.save()
    record_event(
        acting_user=acting_user,
        action="meeting.moved",
        obj=meeting,
        council=meeting.cluster.council,
        before=before,
        after={"held_on": held_on.isoformat(), "paper_deadline": meeting.paper_deadline.isoformat()},
    )
    return meeting


@transaction.atomic
def cancel_meeting(*, meeting, reason: str, acting_user) -> Meeting:
    """Cancel a meeting, saying why. Requests submitted to it go to the next meeting that takes papers."""
    meeting = Meeting.objects.select_for_update().select_related("cluster").get(pk=meeting.pk)
    if not can_arrange_meetings(acting_user, meeting.cluster):
        raise MeetingError("Only the cluster's admin or the council's SEND team arranges meetings.")
    if meeting.is_cancelled:
        raise MeetingError("The meeting has already been cancelled.")
    reason = (reason or "").strip()
    if not reason:
        raise MeetingInvalid({"reason": "Enter why the meeting is cancelled"})
    meeting.status, meeting.cancelled_reason = MeetingStatus.CANCELLED, reason[:1000]
    meeting.save(update_fields=["status", "cancelled_reason"])
    following = (
        Meeting.objects.filter(cluster=meeting.cluster)
        .taking_papers(timezone.localdate())
        .filter(held_on__gte=meeting.held_on)
        .exclude(pk=meeting.pk)
        .order_by("held_on", "pk")
        .first()
    )
    moved = meeting.requests.update(meeting=following)
    record_event(
        acting_user=acting_user,
        action="meeting.cancelled",
        obj=meeting,
        council=meeting.cluster.council,
        after={"reason": reason, "requests_moved": moved, "to": str(following) if following else None},
    )
    return meeting


# The agenda


def _locked(meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("cluster__council", "academic_year")
        .get(pk=meeting.pk)
    )


@transaction.atomic
def build_agenda(*, meeting, acting_user) -> list[AgendaItem]:
    """Put on the agenda every request triage made ready for this meeting, and every request an earlier
    meeting deferred (marked carried over). Requests already on it stay where they are."""
    meeting = _locked(meeting)
    if not can_arrange_meetings(acting_user, meeting.cluster):
        raise MeetingError("Only the cluster's admin or the council's SEND team prepares the agenda.")
    if meeting.is_frozen or meeting.is_cancelled:
        raise MeetingError(
            "The agenda is frozen." if meeting.is_frozen else "The meeting has been cancelled."
        )
    on_agenda = set(meeting.items.values_list("funding_request_id", flat=True))
    position = meeting.items.count()
    ready = FundingRequest.objects.filter(cluster=meeting.cluster).filter(
        Q(status=RequestStatus.READY_FOR_MEETING, meeting__in=[meeting, None])
        | Q(status=RequestStatus.READY_FOR_MEETING, meeting__held_on__lt=meeting.held_on)
        | Q(status=RequestStatus.DEFERRED)
    )
    added = []
    for funding_request in ready.order_by("-is_urgent", "submitted_at", "pk"):
        if funding_request.pk in on_agenda:
            continue
        position += 1
        added.append(
            AgendaItem.objects.create(
                meeting=meeting,
                funding_request=funding_request,
                position=position,
                carried_over=funding_request.status == RequestStatus.DEFERRED,
            )
        )
    record_event(
        acting_user=acting_user,
        action="meeting.agenda_built",
        obj=meeting,
        council=meeting.cluster.council,
        after={"added": [item.funding_request.reference for item in added]},
    )
    return added


@transaction.atomic
def order_agenda(*, meeting, item_ids: list[int], acting_user) -> None:
    """Put the agenda in the order given (every item, once each)."""
    meeting = _locked(meeting)
    if not can_arrange_meetings(acting_user, meeting.cluster):
        raise MeetingError("Only the cluster's admin or the council's SEND team orders the agenda.")
    if meeting.is_frozen:
        raise MeetingError("The agenda is frozen.")
    items = {item.pk: item for item in meeting.items.all()}
    if sorted(item_ids) != sorted(items):
        raise MeetingInvalid({"order": "Give every item on the agenda a place, once each"})
    for position, pk in enumerate(item_ids, start=1):
        items[pk].position = position
        items[pk].save(update_fields=["position"])
    record_event(
        acting_user=acting_user,
        action="meeting.agenda_ordered",
        obj=meeting,
        council=meeting.cluster.council,
        after={"order": [items[pk].funding_request.reference for pk in item_ids]},
    )


def _amount_for(funding_request) -> int:
    """What the meeting votes on: the team's recommended amount, or the amount asked."""
    decision = (
        TriageDecision.objects.filter(
            funding_request=funding_request, outcome=TriageOutcome.READY_FOR_MEETING
        )
        .order_by("-decided_at", "-id")
        .first()
    )
    if decision is not None and decision.recommended_pence is not None:
        return decision.recommended_pence
    return sum(funding_request.provision_lines.values_list("total_pence", flat=True))


@transaction.atomic
def freeze_agenda(*, meeting, acting_user) -> Meeting:
    """Fix the agenda: each request's amount, which schools may vote on it (never the schools that
    submitted or joined it), whether the meeting reads it blind, and the tie-break lot, drawn now and
    published with the agenda. After this the agenda does not change."""
    meeting = _locked(meeting)
    if not can_arrange_meetings(acting_user, meeting.cluster):
        raise MeetingError("Only the cluster's admin or the council's SEND team freezes the agenda.")
    if meeting.is_frozen:
        raise MeetingError("The agenda is already frozen.")
    items = list(meeting.items.select_related("funding_request"))
    if not items:
        raise MeetingError("The agenda is empty: build it before freezing it.")
    voters = voting_school_ids(meeting)
    for item in items:
        fr = item.funding_request
        own = {fr.lead_school_id, *fr.joint_schools.values_list("school_id", flat=True)}
        item.amount_pence = _amount_for(fr)
        item.eligible_school_ids = sorted(voters - own)
        item.save(update_fields=["amount_pence", "eligible_school_ids"])
    lot = [item.funding_request.reference for item in items]
    secrets.SystemRandom().shuffle(lot)
    meeting.lot, meeting.is_blind = lot, meeting.cluster.council.blind_papers
    meeting.frozen_at, meeting.frozen_by = timezone.now(), acting_user
    meeting.save(update_fields=["lot", "is_blind", "frozen_at", "frozen_by"])
    record_event(
        acting_user=acting_user,
        action="meeting.agenda_frozen",
        obj=meeting,
        council=meeting.cluster.council,
        after={"lot": lot, "amounts": {item.funding_request.reference: item.amount_pence for item in items}},
    )
    return meeting


# Attendance and quorum


@transaction.atomic
def record_attendance(*, meeting, school, mode: str, acting_user) -> Attendance:
    """Record that a member school is present, in person or online."""
    meeting = _locked(meeting)
    if not can_arrange_meetings(acting_user, meeting.cluster):
        raise MeetingError("Only the cluster's admin or the council's SEND team records attendance.")
    if school.pk not in voting_school_ids(meeting):
        raise MeetingInvalid({"school": f"{school.name} is not a member school of this meeting"})
    if mode not in Attendance.Mode.values:
        raise MeetingInvalid({"mode": "Choose whether the school is there in person or online"})
    attendance, _ = Attendance.objects.update_or_create(
        meeting=meeting, school=school, defaults={"mode": mode, "recorded_by": acting_user}
    )
    record_event(
        acting_user=acting_user,
        action="meeting.attendance_recorded",
        obj=meeting,
        council=meeting.cluster.council,
        after={"school": school.name, "mode": mode},
    )
    return attendance
