"""Who may read the year in numbers: dashboards, the fairness monitor, the annual review and its report.

Every figure links to a list that applies its own permission, so a dashboard never lets anyone further in
than the lists would.
"""

from clusterfund.accounts.permissions import scope_of
from clusterfund.organisations.models import AcademicYear, ClusterMembership


def _current_cluster_ids(school) -> set[int]:
    year = AcademicYear.objects.filter(council_id=school.council_id).current()
    memberships = ClusterMembership.objects.filter(school=school, academic_year=year)
    return set(memberships.values_list("cluster_id", flat=True))


def _member_school_staff(user, cluster) -> bool:
    staff_of = scope_of(user).staff_of
    if not staff_of:
        return False
    year = AcademicYear.objects.filter(council_id=cluster.council_id).current()
    return ClusterMembership.objects.filter(
        cluster=cluster, academic_year=year, school_id__in=staff_of
    ).exists()


def can_view_council_dashboard(user, council) -> bool:
    """The council's SEND team and its auditors see every cluster side by side."""
    return council.pk in scope_of(user).overseen_councils


def can_view_cluster_dashboard(user, cluster) -> bool:
    """The cluster's figures: the council's SEND team and auditors, the cluster's admin, chair and Team
    Around the Cluster, and staff of its member schools this year (who already see its balances). The
    figures are counts and sums; the lists behind them apply their own permissions."""
    scope = scope_of(user)
    return (
        cluster.council_id in scope.overseen_councils
        or cluster.pk in scope.cluster_roles_in
        or _member_school_staff(user, cluster)
    )


def can_view_school_dashboard(user, school) -> bool:
    """A school's own figures: its staff, its council's SEND team and auditors, and the admin and chair of
    the cluster it belongs to this year. Where papers are blind the chair reads requests without their
    schools, and one school's figures would tell whose requests are waiting: the chair does not see them."""
    scope = scope_of(user)
    if school.pk in scope.staff_of or school.council_id in scope.overseen_councils:
        return True
    running = scope.cluster_admin_of | (frozenset() if school.council.blind_papers else scope.chair_of)
    return bool(running) and bool(_current_cluster_ids(school) & running)


def can_view_council_fairness(user, council) -> bool:
    """The council-wide fairness monitor names every school: the council's SEND team and auditors."""
    return council.pk in scope_of(user).overseen_councils


def can_view_cluster_fairness(user, cluster) -> bool:
    """A cluster's fairness monitor, with each school named: the council's SEND team and auditors, and the
    cluster's admin and chair."""
    scope = scope_of(user)
    return cluster.council_id in scope.overseen_councils or cluster.pk in (
        scope.cluster_admin_of | scope.chair_of
    )


def can_view_school_fairness(user, school) -> bool:
    """A school's own row of the fairness monitor beside the cluster's distribution, with no other school
    named: the school's own staff."""
    return school.pk in scope_of(user).staff_of


def can_manage_annual_review(user, cluster) -> bool:
    """The council's SEND team and the cluster's admin open the annual review, edit the council's
    questions, send reminders and record the changes decided for next year."""
    scope = scope_of(user)
    return cluster.council_id in scope.council_admin_of or cluster.pk in scope.cluster_admin_of


def can_edit_review_questions(user, council) -> bool:
    """The scheme's survey questions are the council's: its SEND team edits them."""
    return council.pk in scope_of(user).council_admin_of


def can_answer_for_school(user, school) -> bool:
    """A school's staff answer the annual review for their school (one answer per school)."""
    return school.pk in scope_of(user).staff_of


def can_answer_as_team_member(user, cluster) -> bool:
    """A member of the cluster's Team Around the Cluster answers the annual review for themself."""
    return cluster.pk in scope_of(user).team_member_of


def can_view_year_report(user, cluster) -> bool:
    """A cluster's year report holds the fairness monitor, so it goes where that goes, and to the Team
    Around the Cluster, who advised all year."""
    scope = scope_of(user)
    return can_view_cluster_fairness(user, cluster) or cluster.pk in scope.team_member_of


def can_view_council_year_report(user, council) -> bool:
    """The council's year report: its SEND team and auditors."""
    return council.pk in scope_of(user).overseen_councils


def can_read_survey_comments(user, cluster) -> bool:
    """The free-text comments in the survey are shown only to admins: the council's SEND team and the
    cluster's admin."""
    scope = scope_of(user)
    return cluster.council_id in scope.council_admin_of or cluster.pk in scope.cluster_admin_of


# Annual review


def can_view_annual_review(user, cluster) -> bool:
    """The page of a cluster's annual review, saying who has answered: those who run it, those who read
    its year report, and those it asks (staff of member schools, its Team Around the Cluster)."""
    return (
        can_manage_annual_review(user, cluster)
        or can_view_year_report(user, cluster)
        or can_answer_as_team_member(user, cluster)
        or _member_school_staff(user, cluster)
    )
