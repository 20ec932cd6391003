"""Who may see and move the money."""

from clusterfund.accounts.permissions import scope_of
from clusterfund.organisations.models import AcademicYear, ClusterMembership


def can_manage_money(user, council) -> bool:
    """The council's SEND team: they set the formula, commit it, move money between pots and close years."""
    return council.pk in scope_of(user).council_admin_of


def can_view_council_money(user, council) -> bool:
    """The council's SEND team and its auditors see every cluster's money side by side."""
    return council.pk in scope_of(user).overseen_councils


def can_manage_pot(user, pot) -> bool:
    """The council's SEND team, and the admin of the cluster (or city pool) whose pot it is: they record
    awards, payments, variations and early ends."""
    scope = scope_of(user)
    return pot.council_id in scope.council_admin_of or (
        pot.cluster_id is not None and pot.cluster_id in scope.cluster_admin_of
    )


def _member_school_staff(user, cluster) -> bool:
    staff_of = scope_of(user).staff_of
    if not staff_of:
        return False
    year = AcademicYear.objects.filter(council_id=cluster.council_id).current()
    return ClusterMembership.objects.filter(
        cluster=cluster, academic_year=year, school_id__in=staff_of
    ).exists()


def can_award_by_chairs_action(user, pot) -> bool:
    """A cluster's chair commits money from the cluster's pots when taking chair's action."""
    return pot.cluster_id is not None and pot.cluster_id in scope_of(user).chair_of


def can_view_cluster_money(user, cluster) -> bool:
    """A cluster's members see its balances: the council's SEND team and auditors, the cluster's admin,
    chair and Team Around the Cluster, and staff of its member schools this year."""
    scope = scope_of(user)
    return (
        cluster.council_id in scope.overseen_councils
        or cluster.pk in scope.cluster_roles_in
        or _member_school_staff(user, cluster)
    )


def can_view_cluster_ledger(user, cluster) -> bool:
    """The ledger names the schools paid: the council's SEND team and auditors, and the cluster's admin,
    chair and Team Around the Cluster. Schools see their own awards instead."""
    scope = scope_of(user)
    return cluster.council_id in scope.overseen_councils or cluster.pk in scope.cluster_roles_in


def can_view_award(user, award) -> bool:
    """The school paid, and whoever may read its cluster's ledger."""
    return award.payee_school_id in scope_of(user).staff_of or (
        award.pot.cluster is not None and can_view_cluster_ledger(user, award.pot.cluster)
    )


def can_view_school_awards(user, school) -> bool:
    """A school's own staff, and its council's SEND team and auditors."""
    scope = scope_of(user)
    return school.pk in scope.staff_of or school.council_id in scope.overseen_councils
