"""Who may see and act on a funding request."""

from clusterfund.accounts.permissions import scope_of
from clusterfund.accounts.roles import Role
from clusterfund.funding_requests.lifecycle import CHANGEABLE, RequestStatus
from clusterfund.organisations.models import AcademicYear, ClusterMembership


def roles_for_request(user, funding_request) -> set[Role]:
    """The roles the person holds that bear on this request: its lead school's staff, its council's admins,
    and its cluster's admin, chair and Team Around the Cluster. Staff of a joint school are not here: they
    see the request and answer for their own part, but the lead school submits and withdraws it."""
    scope = scope_of(user)
    roles = set()
    if funding_request.lead_school_id in scope.staff_of:
        roles.add(Role.SCHOOL_STAFF)
    if funding_request.submitted_at is None and not funding_request.entered_on_paper:
        # A school's draft is its own until it is submitted, and stays so if withdrawn unsubmitted.
        return roles
    if funding_request.council_id in scope.council_admin_of:
        roles.add(Role.COUNCIL_ADMIN)
    if funding_request.cluster_id in scope.cluster_admin_of:
        roles.add(Role.CLUSTER_ADMIN)
    if funding_request.cluster_id in scope.chair_of:
        roles.add(Role.CHAIR)
    if funding_request.cluster_id in scope.team_member_of:
        roles.add(Role.TEAM_AROUND_THE_CLUSTER)
    return roles


def can_write_requests_for_school(user, school) -> bool:
    """A school's own staff write its requests; the council's SEND team and the admin of the school's
    cluster this year key in paper ones on its behalf."""
    scope = scope_of(user)
    if school.pk in scope.staff_of or school.council_id in scope.council_admin_of:
        return True
    if not scope.cluster_admin_of:
        return False
    year = AcademicYear.objects.filter(council_id=school.council_id).current()
    return ClusterMembership.objects.filter(
        school=school, academic_year=year, cluster_id__in=scope.cluster_admin_of
    ).exists()


def is_staff_of_school(user, school) -> bool:
    """Whether the person works at the school (anyone else writing for it is keying in a paper request)."""
    return school.pk in scope_of(user).staff_of


def is_staff_of_joint_school(user, funding_request) -> bool:
    """Whether the person works at a school the lead school invited into the request."""
    staff_of = scope_of(user).staff_of
    return bool(staff_of) and any(
        joint.school_id in staff_of for joint in funding_request.joint_schools.all()
    )


def can_view_request(user, funding_request) -> bool:
    """Its lead school's and joint schools' staff, the council's admins, and its cluster's admin, chair and
    team — but a school's own draft only its staff, unless it was keyed in from paper. Never other schools'
    staff (blind papers for meetings come with the triage issue)."""
    return bool(roles_for_request(user, funding_request)) or is_staff_of_joint_school(user, funding_request)


def writes_request(user, funding_request) -> bool:
    """Whether the person is one who changes this request while it is changeable: the lead school's staff,
    or whoever may key in paper requests for the school if it was keyed in from paper."""
    if funding_request.lead_school_id in scope_of(user).staff_of:
        return True
    return funding_request.entered_on_paper and can_write_requests_for_school(
        user, funding_request.lead_school
    )


def can_change_request(user, funding_request) -> bool:
    """The lead school's staff, or whoever keyed it in from paper, while the request is changeable: a draft,
    a submitted request before triage starts, or one triage sent back for more information."""
    return funding_request.status in CHANGEABLE and writes_request(user, funding_request)


def can_answer_invitation(user, joint_school) -> bool:
    """Staff of the invited school, while the request is still a draft."""
    return (
        joint_school.school_id in scope_of(user).staff_of
        and joint_school.funding_request.status == RequestStatus.DRAFT
    )


def can_see_attachment(user, attachment) -> bool:
    """Whoever may see the request it belongs to."""
    return can_view_request(user, attachment.funding_request)


def can_see_cluster_requests(user, cluster) -> bool:
    """The cluster's admin, chair and Team Around the Cluster, and its council's SEND team."""
    scope = scope_of(user)
    return cluster.pk in scope.cluster_roles_in or cluster.council_id in scope.council_admin_of


def can_see_council_requests(user, council) -> bool:
    """The council's SEND team sees every submitted request of every cluster of the council."""
    return council.pk in scope_of(user).council_admin_of
