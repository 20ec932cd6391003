"""Reads of the meetings."""

import datetime
import math

from django.db.models import QuerySet
from django.utils import timezone

from clusterfund.accounts.models import RoleAssignment, User
from clusterfund.accounts.permissions import scope_of
from clusterfund.funding_requests.lifecycle import RequestStatus
from clusterfund.funding_requests.models import FundingRequest
from clusterfund.meetings.models import (
    OUTSIDE_THE_VOTE,
    AgendaItem,
    Ballot,
    BallotLine,
    ChairsAction,
    Meeting,
    MeetingAction,
)
from clusterfund.meetings.permissions import voting_school_ids
from clusterfund.organisations.models import Cluster, ClusterMembership, Council, School


def meetings_of(cluster, academic_year=None) -> QuerySet[Meeting]:
    meetings = Meeting.objects.filter(cluster=cluster).select_related("chair", "academic_year")
    return meetings.filter(academic_year=academic_year) if academic_year else meetings


def next_meeting_for(funding_request, today: datetime.date | None = None) -> Meeting | None:
    """The meeting a request goes to if submitted today: its cluster's next meeting (or, for a contingency
    request heard at the city meeting, the city pool's) whose paper deadline has not passed."""
    today = today or timezone.localdate()
    cluster_id = funding_request.cluster_id
    if funding_request.to_city_meeting:
        pool = Cluster.objects.filter(council_id=funding_request.council_id, is_city_pool=True).first()
        cluster_id = pool.pk if pool else cluster_id
    return (
        Meeting.objects.filter(cluster_id=cluster_id).taking_papers(today).order_by("held_on", "pk").first()
    )


def chairs_for(cluster) -> QuerySet[User]:
    """Who may chair the cluster's meetings: its chairs and admins."""
    return (
        User.objects.filter(
            role_assignments__cluster=cluster, role_assignments__role__in=("chair", "cluster_admin")
        )
        .distinct()
        .order_by("full_name")
    )


def meeting_of(cluster, pk) -> Meeting | None:
    return meetings_of(cluster).filter(pk=pk).first()


def quorum(meeting) -> tuple[int, int, bool]:
    """(schools present, schools needed, whether the quorum is met): at least the scheme's share of the
    member schools, rounded up, and never nobody."""
    needed = max(math.ceil(len(voting_school_ids(meeting)) * meeting.cluster.council.quorum_percent / 100), 1)
    present = meeting.attendance.count()
    return present, needed, present >= needed


def agenda_of(meeting) -> list[AgendaItem]:
    return list(meeting.items.select_related("funding_request__lead_school").order_by("position"))


def member_schools(meeting) -> list:
    """The schools that vote at the meeting, by name."""
    return list(School.objects.filter(pk__in=voting_school_ids(meeting)).order_by("name"))


def attendance_by_school(meeting) -> dict[int, str]:
    return dict(meeting.attendance.values_list("school_id", "mode"))


def ballot_items_for(meeting, school) -> list[AgendaItem]:
    """The items on the school's ballot: every item still on the vote that the school may vote on."""
    items = (
        meeting.items.filter(outcome="")
        if not meeting.vote_closed_at
        else meeting.items.exclude(outcome__in=OUTSIDE_THE_VOTE)
    )
    return [
        item
        for item in items.select_related("funding_request").order_by("position")
        if school.pk in item.eligible_school_ids
    ]


def ballot_of(meeting, school) -> dict[int, str]:
    """The school's choices by agenda item, if it has voted."""
    return dict(
        BallotLine.objects.filter(ballot__meeting=meeting, ballot__school=school).values_list(
            "item_id", "choice"
        )
    )


def ballots_cast(meeting) -> dict[int, Ballot]:
    return {ballot.school_id: ballot for ballot in meeting.ballots.all()}


def schools_i_vote_for(user, meeting) -> list:
    """The schools present at the meeting whose ballot this person casts: their own."""
    staff_of = scope_of(user).staff_of
    return list(
        School.objects.filter(pk__in=set(staff_of) & set(attendance_by_school(meeting))).order_by("name")
    )


def actions_of(meeting) -> list[MeetingAction]:
    return list(meeting.actions.all())


def export_of(meeting, number: int, *, auditor: bool) -> str | None:
    """The stored ballot export of one of the meeting's counts (the public one, or the auditor's)."""
    counts = (meeting.result or {}).get("counts", [])
    if not 0 <= number < len(counts):
        return None
    return counts[number]["auditor_pb" if auditor else "public_pb"]


def spending_of(meeting, school) -> list[tuple[str, int]]:
    """What the school's equal share went towards, by reference, in pence."""
    voter = (meeting.pseudonyms or {}).get(str(school.pk))
    rows = []
    for count in (meeting.result or {}).get("counts", []):
        for reference, pence in count.get("spend", {}).get(voter, {}).items():
            rows.append((reference, pence))
    return rows


def chairs_actions_to_ratify(meeting) -> list[ChairsAction]:
    """Urgent requests the chair and two heads approved since the last meeting, for this one to ratify."""
    return list(meeting.chairs_actions.select_related("funding_request", "chair"))


def urgent_requests_for_chairs_action(cluster, chair) -> list:
    """Urgent requests the team has made ready for a meeting, which the chair may approve between meetings:
    never one of the chair's own school."""
    return list(
        FundingRequest.objects.filter(cluster=cluster, is_urgent=True, status=RequestStatus.READY_FOR_MEETING)
        .exclude(lead_school_id__in=scope_of(chair).staff_of)
        .exclude(joint_schools__school_id__in=scope_of(chair).staff_of)
        .select_related("lead_school")
        .order_by("submitted_at", "pk")
    )


def heads_for_chairs_action(funding_request, chair) -> list[tuple[User, str]]:
    """Staff of the cluster's member schools (not the chair), with their school: the people who may agree
    to a chair's action. All member schools are listed, so that a blind request's school is not given away;
    the request's own schools are refused when chosen."""
    members = ClusterMembership.objects.filter(
        cluster_id=funding_request.cluster_id, academic_year_id=funding_request.academic_year_id
    ).values_list("school_id", flat=True)
    assignments = (
        RoleAssignment.objects.filter(role="school_staff", school_id__in=members)
        .exclude(user=chair)
        .select_related("user", "school")
        .order_by("user__full_name", "school__name")
    )
    return [(a.user, f"{a.user.full_name}, {a.school.name}") for a in assignments]


def counting_methods() -> list[tuple[str, str]]:
    """The ways a scheme may count a meeting's vote, with their descriptions."""
    return list(Council._meta.get_field("counting_method").choices)
