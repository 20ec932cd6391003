"""Reads for the Team Around the Cluster's pages, already scoped to what the person may see."""

import datetime
import statistics
from dataclasses import dataclass
from fractions import Fraction

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from clusterfund.accounts.permissions import scope_of
from clusterfund.funding_requests.lifecycle import RequestStatus
from clusterfund.funding_requests.models import FundingRequest
from clusterfund.organisations.models import AcademicYear, ClusterMembership, Council, School, TeamMember
from clusterfund.pupils.models import Pupil
from clusterfund.triage.models import (
    AdviceRecord,
    Criterion,
    InformationRequest,
    Interest,
    ResourceRequest,
    Score,
    SharedResource,
    TriageAssignment,
    TriageDecision,
)
from clusterfund.triage.permissions import cluster_school_ids

AWAITING_TRIAGE = (RequestStatus.SUBMITTED, RequestStatus.IN_TRIAGE, RequestStatus.MORE_INFORMATION_NEEDED)


def triage_queue(cluster, *, mine_for=None) -> QuerySet[FundingRequest]:
    """The cluster's requests awaiting triage, oldest first, urgent ones at the top, with who is assigned;
    only those assigned to `mine_for` when given. Three queries whatever the length."""
    queue = (
        FundingRequest.objects.filter(cluster=cluster, status__in=AWAITING_TRIAGE)
        .with_amount_asked()
        .select_related("lead_school")
        .prefetch_related(
            Prefetch("triage_assignments", queryset=TriageAssignment.objects.select_related("member"))
        )
        .order_by("-is_urgent", "submitted_at", "pk")
    )
    if mine_for is not None:
        queue = queue.filter(triage_assignments__member__user=mine_for).distinct()
    return queue


def criteria_of_queryset(council) -> QuerySet[Criterion]:
    """The council's criteria that requests are scored against now."""
    return Criterion.objects.filter(council=council, is_active=True)


def criteria_of(council) -> list[Criterion]:
    return list(criteria_of_queryset(council))


def assignments_of(funding_request) -> list[TriageAssignment]:
    return list(funding_request.triage_assignments.select_related("member__user"))


def members_for(funding_request) -> list[TeamMember]:
    """The cluster's team members with accounts, who could be asked to triage the request."""
    return list(TeamMember.objects.filter(cluster_id=funding_request.cluster_id, user__isnull=False))


def my_scores(funding_request, user) -> dict[int, Score]:
    return {
        score.criterion_id: score
        for score in Score.objects.filter(funding_request=funding_request, scorer=user)
    }


@dataclass(frozen=True)
class CriterionSummary:
    """What the meeting sees of one criterion: the median and range of the members' scores, and whether
    they differ enough to need moderation."""

    criterion: Criterion
    count: int
    median: Fraction | None
    lowest: int | None
    highest: int | None
    needs_moderation: bool

    @property
    def median_text(self) -> str:
        if self.median is None:
            return "Not scored"
        return str(self.median.numerator) if self.median.denominator == 1 else f"{float(self.median):.1f}"


def score_summaries(requests) -> dict[int, list[CriterionSummary]]:
    """For each request, each criterion's median and range over the members who scored it, and whether the
    spread reaches the scheme's threshold for moderation: a whole agenda's in three queries."""
    requests = list(requests)
    by_request: dict[int, dict[int, list[int]]] = {}
    for request_id, criterion_id, value in Score.objects.filter(funding_request__in=requests).values_list(
        "funding_request_id", "criterion_id", "value"
    ):
        by_request.setdefault(request_id, {}).setdefault(criterion_id, []).append(value)
    criteria: dict[int, list[Criterion]] = {}
    for criterion in Criterion.objects.filter(
        council_id__in={fr.council_id for fr in requests}, is_active=True
    ):
        criteria.setdefault(criterion.council_id, []).append(criterion)
    spreads = dict(
        Council.objects.filter(pk__in={fr.council_id for fr in requests}).values_list(
            "pk", "moderation_spread"
        )
    )
    summaries = {}
    for fr in requests:
        scored = by_request.get(fr.pk, {})
        summaries[fr.pk] = []
        for criterion in criteria.get(fr.council_id, []):
            values = sorted(scored.get(criterion.pk, []))
            summaries[fr.pk].append(
                CriterionSummary(
                    criterion=criterion,
                    count=len(values),
                    median=Fraction(statistics.median(values)) if values else None,
                    lowest=values[0] if values else None,
                    highest=values[-1] if values else None,
                    needs_moderation=bool(values) and values[-1] - values[0] >= spreads[fr.council_id],
                )
            )
    return summaries


def score_summary(funding_request) -> list[CriterionSummary]:
    """One request's `score_summaries`."""
    return score_summaries([funding_request])[funding_request.pk]


def needs_moderation(funding_request) -> bool:
    return any(summary.needs_moderation for summary in score_summary(funding_request))


def scores_of(funding_request) -> list[Score]:
    """Every member's scores with their reasons, for the team and the cluster's admin."""
    return list(Score.objects.filter(funding_request=funding_request).select_related("criterion", "scorer"))


def information_requests_of(funding_request) -> list[InformationRequest]:
    return list(funding_request.information_requests.select_related("asked_by", "answered_by"))


def open_questions(funding_request) -> InformationRequest | None:
    return funding_request.information_requests.filter(answered_at__isnull=True).last()


def days_waiting(asked: InformationRequest, today: datetime.date | None = None) -> int:
    """Days since the questions went to the school, until it answered: the clock both sides see."""
    end = timezone.localdate(asked.answered_at) if asked.answered_at else (today or timezone.localdate())
    return (end - timezone.localdate(asked.asked_at)).days


def latest_decision(funding_request) -> TriageDecision | None:
    return funding_request.triage_decisions.select_related("decided_by").first()


def decisions_of(funding_request) -> list[TriageDecision]:
    return list(funding_request.triage_decisions.select_related("decided_by"))


def advice_of_request(funding_request) -> list[AdviceRecord]:
    return list(funding_request.advice.prefetch_related("pupils"))


def advice_of_school(school) -> QuerySet[AdviceRecord]:
    return (
        AdviceRecord.objects.filter(school=school)
        .select_related("funding_request")
        .prefetch_related("pupils")
    )


def pupils_of(school, pupil_ids) -> list[Pupil]:
    return list(Pupil.objects.filter(school=school, pk__in=pupil_ids))


def pupils_for_advice(school) -> list[Pupil]:
    return list(Pupil.objects.filter(school=school, archived_on__isnull=True).order_by("reference"))


def resources_for(user) -> QuerySet[SharedResource]:
    """Resources shared in the clusters of the person's schools this year, and their own schools' (even
    when no longer offered)."""
    staff_of = scope_of(user).staff_of
    school_ids = {
        school_id
        for school in School.objects.filter(pk__in=staff_of)
        for school_id in cluster_school_ids(school)
    }
    return (
        SharedResource.objects.filter(
            Q(school_id__in=school_ids, is_available=True) | Q(school_id__in=staff_of)
        )
        .select_related("school")
        .prefetch_related(Prefetch("requests", queryset=ResourceRequest.objects.select_related("school")))
    )


def resources_in_cluster(cluster) -> QuerySet[SharedResource]:
    """What the cluster's schools share this year, for triage to point a request at."""
    year = AcademicYear.objects.filter(council_id=cluster.council_id).current()
    schools = ClusterMembership.objects.filter(cluster=cluster, academic_year=year).values("school_id")
    return SharedResource.objects.filter(school_id__in=schools, is_available=True).select_related("school")


def interests_of(user) -> QuerySet[Interest]:
    return Interest.objects.filter(person=user).select_related("school")


def schools_for_interests(user) -> QuerySet[School]:
    return School.objects.filter(council_id__in=scope_of(user).councils, is_closed=False).order_by("name")


def own_schools(user) -> list[School]:
    """The schools the person works at."""
    return list(School.objects.filter(pk__in=scope_of(user).staff_of).order_by("name"))
