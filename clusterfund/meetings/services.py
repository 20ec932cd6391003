"""Arranging meetings: each year's default meetings from the scheme's rhythm, and admins adding, moving and
cancelling them. A cancelled meeting's requests go to the next meeting that takes papers."""

import datetime

from django.db import transaction
from django.utils import timezone

from clusterfund.audit.services import record_event
from clusterfund.meetings.models import DEFAULT_DEADLINE, Meeting, MeetingKind, MeetingStatus
from clusterfund.meetings.permissions import can_arrange_meetings
from clusterfund.organisations.models import Cluster, HalfTerm

PLACE_LIMIT = 200


class MeetingError(Exception):
    """A change the rules forbid, with a message the person can read."""


class MeetingInvalid(MeetingError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


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
