"""Who may triage, score, advise and see what, and who sees a request blind."""

from clusterfund.accounts.permissions import scope_of
from clusterfund.accounts.roles import Role
from clusterfund.funding_requests.lifecycle import RequestStatus
from clusterfund.funding_requests.permissions import (
    can_view_request,
    is_staff_of_joint_school,
    roles_for_request,
)
from clusterfund.organisations.models import AcademicYear, ClusterMembership, Council
from clusterfund.triage.models import Interest, TriageAssignment


def _school_ids(funding_request) -> set[int]:
    """The schools taking part in a request: its lead school, the schools joining it and those it benefits."""
    return {
        funding_request.lead_school_id,
        *(j.school_id for j in funding_request.joint_schools.all()),
        *funding_request.benefiting_schools.values_list("pk", flat=True),
    }


def has_interest(user, funding_request) -> bool:
    """Whether the person has declared an interest in the request's lead school or a joint school."""
    return (
        user.is_authenticated
        and Interest.objects.filter(
            person=user, school_id__in=_school_ids(funding_request), withdrawn_at__isnull=True
        ).exists()
    )


def is_assigned(user, funding_request) -> bool:
    """Whether the person is a Team Around the Cluster member asked to triage this request."""
    return (
        user.is_authenticated
        and TriageAssignment.objects.filter(funding_request=funding_request, member__user=user).exists()
    )


def can_see_triage(user, funding_request) -> bool:
    """The cluster's admin, chair and Team Around the Cluster, and the council's SEND team see the triage:
    assignments, scores and recommendations. Schools see only what is sent back to them."""
    roles = roles_for_request(user, funding_request)
    return bool(roles & {Role.CLUSTER_ADMIN, Role.CHAIR, Role.TEAM_AROUND_THE_CLUSTER, Role.COUNCIL_ADMIN})


def can_assign(user, funding_request) -> bool:
    """The cluster's admin and its Team Around the Cluster share out the triage, once a request is
    submitted and until triage ends. Nobody with an interest in the school takes part."""
    roles = roles_for_request(user, funding_request)
    return (
        funding_request.status in (RequestStatus.SUBMITTED, RequestStatus.IN_TRIAGE)
        and bool(roles & {Role.CLUSTER_ADMIN, Role.TEAM_AROUND_THE_CLUSTER})
        and not has_interest(user, funding_request)
    )


def can_score(user, funding_request) -> bool:
    """An assigned member with no interest in the school scores the request while it is in triage."""
    return (
        funding_request.status == RequestStatus.IN_TRIAGE
        and is_assigned(user, funding_request)
        and not has_interest(user, funding_request)
    )


def can_decide_triage(user, funding_request) -> bool:
    """An assigned member, or the cluster's admin, reaches triage's outcome while the request is in triage;
    never someone with an interest in the school."""
    if funding_request.status != RequestStatus.IN_TRIAGE or has_interest(user, funding_request):
        return False
    return is_assigned(user, funding_request) or Role.CLUSTER_ADMIN in roles_for_request(
        user, funding_request
    )


def can_record_advice_for_school(user, school) -> bool:
    """The Team Around the Cluster and admin of the school's cluster this year, and the council's SEND
    team."""
    scope = scope_of(user)
    if school.council_id in scope.council_admin_of:
        return True
    clusters = scope.team_member_of | scope.cluster_admin_of
    if not clusters:
        return False
    year = AcademicYear.objects.filter(council_id=school.council_id).current()
    return ClusterMembership.objects.filter(
        school=school, academic_year=year, cluster_id__in=clusters
    ).exists()


def can_view_advice_of_school(user, school) -> bool:
    """The school's own staff, and whoever may record advice for it."""
    return school.pk in scope_of(user).staff_of or can_record_advice_for_school(user, school)


def can_share_resources_of_school(user, school) -> bool:
    """A school's own staff list what it shares and answer requests for it."""
    return school.pk in scope_of(user).staff_of


def sees_blind(user, funding_request) -> bool:
    """Where the scheme's papers are blind, everyone but the submitting schools' staff, the council's and
    cluster's admins and the assigned Team Around the Cluster members sees the request only as its paper."""
    if not funding_request.council.blind_papers:
        return False
    scope = scope_of(user)
    if funding_request.lead_school_id in scope.staff_of or is_staff_of_joint_school(user, funding_request):
        return False
    if (
        funding_request.council_id in scope.council_admin_of
        or funding_request.cluster_id in scope.cluster_admin_of
    ):
        return False
    return not is_assigned(user, funding_request)


def hidden_by_interest(user, funding_request) -> bool:
    """In blind mode a person with an interest in the school does not see its requests at all."""
    return sees_blind(user, funding_request) and has_interest(user, funding_request)


def can_read_request(user, funding_request) -> bool:
    """Whoever may see the request (`can_view_request`), unless papers are blind and they have an interest
    in the school."""
    return can_view_request(user, funding_request) and not hidden_by_interest(user, funding_request)


def can_declare_interest(user, person) -> bool:
    """People declare their own interests; the council's SEND team records them for anyone in its council."""
    scope = scope_of(user)
    return user.pk == person.pk or bool(scope.council_admin_of & scope_of(person).councils)


def cluster_school_ids(school) -> set[int]:
    """The schools in the same cluster as `school` this year, itself included: who may share with it."""
    year = AcademicYear.objects.filter(council_id=school.council_id).current()
    clusters = ClusterMembership.objects.filter(school=school, academic_year=year).values("cluster_id")
    return set(
        ClusterMembership.objects.filter(cluster_id__in=clusters, academic_year=year).values_list(
            "school_id", flat=True
        )
    )


def can_manage_scheme(user, council) -> bool:
    """The council's SEND team writes the triage guidelines and criteria and chooses blind papers."""
    return council.pk in scope_of(user).council_admin_of


def can_view_scheme(user, council) -> bool:
    """The council's SEND team and auditors."""
    return council.pk in scope_of(user).overseen_councils


def blind_ids(user, funding_requests) -> set[int]:
    """Of these requests, the ones the person sees only as papers (`sees_blind` for a whole list, in three
    queries whatever its length)."""
    from clusterfund.funding_requests.models import JointSchool

    rows = list(funding_requests)
    blind_councils = set(
        Council.objects.filter(pk__in={fr.council_id for fr in rows}, blind_papers=True).values_list(
            "pk", flat=True
        )
    )
    scope = scope_of(user)
    candidates = [
        fr
        for fr in rows
        if fr.council_id in blind_councils
        and fr.lead_school_id not in scope.staff_of
        and fr.council_id not in scope.council_admin_of
        and fr.cluster_id not in scope.cluster_admin_of
    ]
    if not candidates:
        return set()
    seen_in_full = set(
        JointSchool.objects.filter(funding_request__in=candidates, school_id__in=scope.staff_of).values_list(
            "funding_request_id", flat=True
        )
    ) | set(
        TriageAssignment.objects.filter(funding_request__in=candidates, member__user=user).values_list(
            "funding_request_id", flat=True
        )
    )
    return {fr.pk for fr in candidates if fr.pk not in seen_in_full}
