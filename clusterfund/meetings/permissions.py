"""Who may see and arrange a cluster's meetings."""

from clusterfund.accounts.permissions import scope_of
from clusterfund.organisations.models import AcademicYear, ClusterMembership


def can_arrange_meetings(user, cluster) -> bool:
    """The cluster's admin and the council's SEND team add, move and cancel meetings."""
    scope = scope_of(user)
    return cluster.pk in scope.cluster_admin_of or cluster.council_id in scope.council_admin_of


def can_view_meetings(user, cluster) -> bool:
    """The cluster's admin, chair and Team Around the Cluster, the council's SEND team and auditors, and
    the staff of the cluster's schools this year."""
    scope = scope_of(user)
    if cluster.pk in scope.cluster_roles_in or cluster.council_id in scope.overseen_councils:
        return True
    if not scope.staff_of:
        return False
    year = AcademicYear.objects.filter(council_id=cluster.council_id).current()
    if cluster.is_city_pool:
        return ClusterMembership.objects.filter(
            academic_year=year, school_id__in=scope.staff_of, cluster__council_id=cluster.council_id
        ).exists()
    return ClusterMembership.objects.filter(
        cluster=cluster, academic_year=year, school_id__in=scope.staff_of
    ).exists()


def voting_school_ids(meeting) -> set[int]:
    """The schools that vote at a meeting: a cluster's member schools that year; at a city meeting, every
    member school of the council's clusters."""
    memberships = ClusterMembership.objects.filter(academic_year=meeting.academic_year)
    if meeting.cluster.is_city_pool:
        memberships = memberships.filter(cluster__council_id=meeting.cluster.council_id)
    else:
        memberships = memberships.filter(cluster=meeting.cluster)
    return set(memberships.values_list("school_id", flat=True))


def can_run_vote(user, cluster) -> bool:
    """The cluster's chair opens and closes the vote; its admin and the council's SEND team may too."""
    scope = scope_of(user)
    return can_arrange_meetings(user, cluster) or cluster.pk in scope.chair_of


def can_vote_for(user, school) -> bool:
    """The school's own staff cast its ballot."""
    return school.pk in scope_of(user).staff_of


def can_approve_minutes(user, cluster) -> bool:
    """The chair approves the minutes; so may the council's SEND team, when the chair cannot."""
    scope = scope_of(user)
    return cluster.pk in scope.chair_of or cluster.council_id in scope.council_admin_of


def can_read_auditor_export(user, cluster) -> bool:
    """The auditor's ballot export says who could vote on what, so it is for the council's SEND team and
    auditors and the cluster's admin, not for members."""
    scope = scope_of(user)
    return cluster.council_id in scope.overseen_councils or cluster.pk in scope.cluster_admin_of


def can_take_chairs_action(user, cluster) -> bool:
    """The cluster's chair, where the scheme allows chair's action."""
    return cluster.pk in scope_of(user).chair_of and cluster.council.chairs_action_limit_pence is not None


def can_set_meeting_rules(user, council) -> bool:
    """The council's SEND team chooses how votes are counted, the quorum and chair's action."""
    return council.pk in scope_of(user).council_admin_of
