"""Who may see and act on a funding request."""

from clusterfund.accounts.permissions import scope_of
from clusterfund.accounts.roles import Role


def roles_for_request(user, funding_request) -> set[Role]:
    """The roles the person holds that bear on this request: its school's staff, its council's admins,
    and its cluster's admin, chair and Team Around the Cluster."""
    scope = scope_of(user)
    roles = set()
    if funding_request.lead_school_id in scope.staff_of:
        roles.add(Role.SCHOOL_STAFF)
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
    """A school's own staff write its requests; the council's SEND team keys in paper ones for it."""
    scope = scope_of(user)
    return school.pk in scope.staff_of or school.council_id in scope.council_admin_of


def can_view_request(user, funding_request) -> bool:
    """Its school's staff, the council's admins, and its cluster's admin, chair and team. Never other
    schools' staff (blind papers for meetings come with the triage issue)."""
    return bool(roles_for_request(user, funding_request))
