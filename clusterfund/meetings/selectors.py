"""Reads of the meetings."""

import datetime
import math

from django.db.models import QuerySet
from django.utils import timezone

from clusterfund.accounts.models import User
from clusterfund.meetings.models import Meeting
from clusterfund.meetings.permissions import voting_school_ids
from clusterfund.organisations.models import Cluster


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
    needed = math.ceil(len(voting_school_ids(meeting)) * meeting.cluster.council.quorum_percent / 100)
    present = meeting.attendance.count()
    return present, needed, present >= max(needed, 1)


def agenda_of(meeting):
    return list(meeting.items.select_related("funding_request__lead_school").order_by("position"))
