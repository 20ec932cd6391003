"""Who records and sees delivery and impact reviews."""

from clusterfund.accounts.permissions import scope_of


def can_record_delivery(user, funding_request) -> bool:
    """The lead school's staff record that support started and review it; the cluster's admin may key it in
    for them."""
    scope = scope_of(user)
    return (
        funding_request.lead_school_id in scope.staff_of
        or funding_request.cluster_id in scope.cluster_admin_of
    )


def can_view_school_reviews(user, school) -> bool:
    """A school's reviews are for its own staff and the council's SEND team."""
    scope = scope_of(user)
    return school.pk in scope.staff_of or school.council_id in scope.overseen_councils


def can_view_cluster_reviews(user, cluster) -> bool:
    """The cluster's admin and chair, and the council's SEND team and auditors, see its reviews and which
    are overdue."""
    scope = scope_of(user)
    return (
        cluster.pk in scope.cluster_admin_of
        or cluster.pk in scope.chair_of
        or cluster.council_id in scope.overseen_councils
    )


def can_review(user, funding_request) -> bool:
    """The lead school's staff review the support they deliver."""
    return funding_request.lead_school_id in scope_of(user).staff_of
