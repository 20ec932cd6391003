"""Reads of funding requests, limited to what the person may see."""

from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Value, When

from clusterfund.accounts.permissions import scope_of
from clusterfund.audit.models import AuditEvent
from clusterfund.delivery.models import ImpactReview, NextStep
from clusterfund.funding_requests.lifecycle import BEFORE_DECISION, FUNDED, RequestStatus
from clusterfund.funding_requests.models import (
    Attachment,
    FundingRequest,
    JointSchool,
    Outcome,
    ProvisionLine,
    RequestVersion,
)
from clusterfund.organisations.models import AcademicYear, ClusterMembership, School, Term
from clusterfund.organisations.selectors import term_spans
from clusterfund.pupils.models import Pupil
from clusterfund.triage.models import Interest


def requests_visible_to(user) -> QuerySet[FundingRequest]:
    """Requests the person may open: their schools' own and joint requests (drafts included), and — once
    submitted, or when keyed in from paper — every request of the clusters they work in and of the councils
    whose SEND team they are in."""
    scope = scope_of(user)
    joined = JointSchool.objects.filter(funding_request=OuterRef("pk"), school_id__in=scope.staff_of)
    oversight = Q(cluster_id__in=scope.cluster_roles_in) | Q(council_id__in=scope.council_admin_of)
    visible = FundingRequest.objects.filter(
        Q(lead_school_id__in=scope.staff_of)
        | Q(Exists(joined))
        | (oversight & (Q(submitted_at__isnull=False) | Q(entered_on_paper=True)))
    )
    return without_interests(user, visible)


def without_interests(user, requests: QuerySet[FundingRequest]) -> QuerySet[FundingRequest]:
    """Where papers are blind, a person with a declared interest in a school taking part (leading, joining
    or benefiting) does not see the request at all, unless they read it in full anyway."""
    if not user.is_authenticated:
        return requests
    interests = Interest.objects.filter(person=user, withdrawn_at__isnull=True).values("school_id")
    if not interests.exists():
        return requests
    scope = scope_of(user)
    taking_part = (
        Q(lead_school_id__in=interests)
        | Q(Exists(JointSchool.objects.filter(funding_request=OuterRef("pk"), school_id__in=interests)))
        | Q(
            Exists(
                FundingRequest.benefiting_schools.through.objects.filter(
                    fundingrequest_id=OuterRef("pk"), school_id__in=interests
                )
            )
        )
    )
    in_full = (
        Q(lead_school_id__in=scope.staff_of)
        | Q(council_id__in=scope.council_admin_of)
        | Q(cluster_id__in=scope.cluster_admin_of)
    )
    return requests.exclude(Q(council__blind_papers=True) & taking_part & ~in_full)


RESULTS = {
    "submitted": "Submitted (no drafts)",
    "decided": "Decided",
    "funded": "Funded",
    "declined": "Declined",
    "advice": "Resolved with advice",
    "ehc_assessment": "Followed by a request for an EHC needs assessment",
}


# Decided: a decision was recorded and it was not to defer the request to a later meeting.
DECIDED_Q = Q(decided_on__isnull=False) & ~Q(status=RequestStatus.DEFERRED)


def with_result(requests: QuerySet[FundingRequest], result: str) -> QuerySet[FundingRequest]:
    """Requests with one of the RESULTS the dashboards count: decided, funded, declined, resolved with
    advice, or followed by a request for an EHC needs assessment at a review. "Submitted" is every request
    but the drafts."""
    if result == "submitted":
        return requests.exclude(status=RequestStatus.DRAFT).filter(
            Q(submitted_at__isnull=False) | Q(entered_on_paper=True)
        )
    if result == "decided":
        return requests.filter(DECIDED_Q)
    if result == "funded":
        return requests.filter(status__in=FUNDED)
    if result == "declined":
        return requests.filter(status=RequestStatus.DECLINED)
    if result == "advice":
        return requests.filter(status=RequestStatus.RESOLVED_WITH_ADVICE)
    if result == "ehc_assessment":
        asked = ImpactReview.objects.filter(funding_request=OuterRef("pk"), next_step=NextStep.EHC_ASSESSMENT)
        return requests.filter(Exists(asked))
    return requests


def submitted_in_term(requests: QuerySet[FundingRequest], academic_years, term: int | None) -> QuerySet:
    """The requests of these years submitted in the term (1 to 3), or all of them when no term is given."""
    if not term:
        return requests
    in_term = Q(pk__in=[])
    by_year = {key: span for key, span in term_spans(academic_years).items() if key[1] == term}
    for (year_id, _), (start, end) in by_year.items():
        in_term |= Q(academic_year_id=year_id, submitted_at__date__gte=start, submitted_at__date__lt=end)
    return requests.filter(in_term)


def filter_requests(
    requests: QuerySet[FundingRequest],
    *,
    status="",
    request_type="",
    area="",
    year: int | None = None,
    term: int | None = None,
    result="",
) -> QuerySet:
    """Requests filtered by status, type, main area of need, academic year (its start year), term (with a
    year) and result, ready for a list: urgent ones still awaiting a decision first, then newest, each with
    the amount it asks for."""
    if year:
        requests = requests.filter(academic_year__start_year=year)
        if term:
            requests = submitted_in_term(requests, AcademicYear.objects.filter(start_year=year), term)
    if result:
        requests = with_result(requests, result)
    if status:
        requests = requests.filter(status=status)
    if request_type:
        requests = requests.filter(request_type=request_type)
    if area:
        requests = requests.filter(primary_area=area)
    urgent_and_open = Case(When(is_urgent=True, status__in=BEFORE_DECISION, then=Value(1)), default=Value(0))
    return (
        requests.select_related("lead_school", "cluster", "meeting")
        .with_amount_asked()
        .annotate(urgent_and_open=urgent_and_open)
        .order_by("-urgent_and_open", "-submitted_at", "-created_at")
    )


def requests_of_school(user, school: School, **filters) -> QuerySet[FundingRequest]:
    """The school's own requests and those it has joined, as the person may see them, newest first."""
    joined = JointSchool.objects.filter(funding_request=OuterRef("pk"), school=school)
    return filter_requests(
        requests_visible_to(user).filter(Q(lead_school=school) | Q(Exists(joined))), **filters
    )


def requests_of_cluster(user, cluster, **filters) -> QuerySet[FundingRequest]:
    """Every request of the cluster the person may see, urgent ones first."""
    return filter_requests(requests_visible_to(user).filter(cluster=cluster), **filters)


def request_for_page(user, pk: int) -> FundingRequest | None:
    """One request with what its pages show, or None when the person may not see it."""
    return (
        requests_visible_to(user)
        .select_related("lead_school", "cluster", "council", "academic_year", "created_by", "meeting")
        .filter(pk=pk)
        .first()
    )


def outcomes_of(funding_request: FundingRequest) -> QuerySet[Outcome]:
    return funding_request.outcomes.all()


def provision_of(funding_request: FundingRequest) -> QuerySet[ProvisionLine]:
    return funding_request.provision_lines.select_related("term__academic_year")


def pupils_of(funding_request: FundingRequest) -> QuerySet[Pupil]:
    return funding_request.pupils.select_related("school").order_by("school__name", "reference")


def joint_schools_of(funding_request: FundingRequest) -> QuerySet[JointSchool]:
    return funding_request.joint_schools.select_related("school")


def attachments_of(funding_request: FundingRequest) -> QuerySet[Attachment]:
    return funding_request.attachments.select_related("school")


def versions_of(funding_request: FundingRequest) -> QuerySet[RequestVersion]:
    return funding_request.versions.select_related("created_by")


def status_changes_of(funding_request: FundingRequest) -> list[dict]:
    """When the request moved from status to status and who moved it, oldest first, from the audit log."""
    events = AuditEvent.objects.filter(
        object_type=FundingRequest._meta.label,
        object_id=str(funding_request.pk),
        action__in=["request.submitted", "request.resubmitted", "request.withdrawn", "request.moved"],
    ).order_by("occurred_at", "pk")
    labels = dict(RequestStatus.choices)
    return [
        {
            "when": event.occurred_at,
            "who": event.actor_name,
            "status": labels.get((event.after or {}).get("status"), ""),
        }
        for event in events
    ]


def terms_of(funding_request: FundingRequest) -> QuerySet[Term]:
    """The terms a request's provision may be spread over: those of its academic year."""
    return Term.objects.filter(academic_year=funding_request.academic_year).select_related("academic_year")


def pupils_to_choose(funding_request: FundingRequest, school: School) -> QuerySet[Pupil]:
    """The school's current pupils, to choose from for the request."""
    return Pupil.objects.of_school(school).current().order_by("reference")


def schools_to_invite(funding_request: FundingRequest) -> QuerySet[School]:
    """Open schools of the request's cluster that are not yet invited and do not lead it."""
    members = ClusterMembership.objects.filter(
        cluster=funding_request.cluster, academic_year=funding_request.academic_year
    ).values("school_id")
    invited = funding_request.joint_schools.values("school_id")
    return (
        School.objects.filter(pk__in=members, is_closed=False)
        .exclude(pk=funding_request.lead_school_id)
        .exclude(pk__in=invited)
        .order_by("name")
    )


def cluster_schools(funding_request: FundingRequest) -> QuerySet[School]:
    """The schools of the request's cluster in its year."""
    members = ClusterMembership.objects.filter(
        cluster=funding_request.cluster, academic_year=funding_request.academic_year
    ).values("school_id")
    return School.objects.filter(pk__in=members).order_by("name")


def invitation_for(user, funding_request: FundingRequest) -> JointSchool | None:
    """The invitation of one of the person's schools to this request, if there is one."""
    return (
        funding_request.joint_schools.filter(school_id__in=scope_of(user).staff_of)
        .select_related("school")
        .first()
    )


def attachment_for(user, token: str) -> Attachment | None:
    """An attachment by its token, or None when the person may not see its request."""
    return (
        Attachment.objects.filter(token=token, funding_request__in=requests_visible_to(user))
        .select_related("funding_request")
        .first()
    )
