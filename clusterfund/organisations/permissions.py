"""Who may see and change councils, clusters and schools. Pure predicates over the person's scope."""

from clusterfund.accounts.permissions import scope_of
from clusterfund.organisations.models import Cluster, Council, School


def can_view_council(user, council: Council) -> bool:
    """Council admins and auditors see their council's overview: every cluster, school and person."""
    return council.pk in scope_of(user).overseen_councils


def can_manage_council(user, council: Council) -> bool:
    """Only the council's SEND team (council admins) set up years, clusters, schools and people."""
    return council.pk in scope_of(user).council_admin_of


def can_import_school_data(user, council: Council) -> bool:
    """Council admins load GIAS and census files for their council's schools."""
    return can_manage_council(user, council)


def can_view_cluster(user, cluster: Cluster, member_school_ids=None) -> bool:
    """A cluster's page is open to its council's admins and auditors, its admin, chair and Team Around
    the Cluster, and the staff of its member schools. `member_school_ids` may be passed when known."""
    scope = scope_of(user)
    if cluster.council_id in scope.overseen_councils or cluster.pk in scope.cluster_roles_in:
        return True
    if not scope.staff_of:
        return False
    if member_school_ids is None:
        member_school_ids = set(cluster.memberships.values_list("school_id", flat=True))
    return bool(scope.staff_of & set(member_school_ids))


def can_view_school(user, school: School, cluster_ids=None) -> bool:
    """A school is seen by its own staff, its council's admins and auditors, and the admin, chair and
    Team Around the Cluster of any cluster it has belonged to. Other schools' staff never see it."""
    scope = scope_of(user)
    if school.pk in scope.staff_of or school.council_id in scope.overseen_councils:
        return True
    if not scope.cluster_roles_in:
        return False
    if cluster_ids is None:
        cluster_ids = set(school.memberships.values_list("cluster_id", flat=True))
    return bool(scope.cluster_roles_in & set(cluster_ids))


def can_change_fairness_and_open_data_settings(user, council: Council) -> bool:
    """The council's SEND team sets the thresholds at which the fairness monitor raises its flags, and how
    the council's grants are published as open data."""
    return can_manage_council(user, council)
