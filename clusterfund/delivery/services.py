"""Recording that funded support started, and reviewing it: each outcome met, partly met or not met, and
what happens next. Reviews fall due at the end of each term the award funds."""

import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from clusterfund.audit.services import record_event
from clusterfund.core.errors import Invalid, Refused
from clusterfund.core.errors import checked_text as _text
from clusterfund.delivery.models import Delivery, ImpactReview, NextStep, OutcomeReview
from clusterfund.delivery.permissions import can_record_delivery, can_review
from clusterfund.funding_requests.lifecycle import RequestStatus
from clusterfund.funding_requests.models import FundingRequest
from clusterfund.funding_requests.services import move_request
from clusterfund.money.models import ScheduledPayment
from clusterfund.organisations.models import HalfTerm, School
from clusterfund.pupils.models import EhcStatus
from clusterfund.pupils.services import change_pupil


class DeliveryError(Refused):
    """A change the delivery rules forbid, with a message the person can read."""


class DeliveryInvalid(Invalid, DeliveryError):
    """What the person entered is wrong; `errors` maps each field to what is wrong with it."""


def _review_dates(funding_request) -> list[tuple[datetime.date, int | None]]:
    """(due date, term) for each review: the end of each term the award pays for, or else the request's end
    date."""
    terms = (
        ScheduledPayment.objects.filter(award__funding_request=funding_request)
        .exclude(term=None)
        .values_list("term_id", flat=True)
        .distinct()
    )
    ends = dict(
        HalfTerm.objects.filter(term_id__in=terms)
        .values("term_id")
        .annotate(end=Max("ends_on"))
        .values_list("term_id", "end")
    )
    dates = sorted((end, term) for term, end in ends.items())
    if not dates and funding_request.end_date:
        dates = [(funding_request.end_date, None)]
    return dates


@transaction.atomic
def record_delivery(
    *, funding_request, started_on, provider: str, provider_name: str, acting_user
) -> Delivery:
    """Record that funded support started and who provides it. Its reviews are then due at the end of each
    term the award funds."""
    fr = FundingRequest.objects.select_for_update().get(pk=funding_request.pk)
    if not can_record_delivery(acting_user, fr):
        raise DeliveryError("Only the school's own staff or the cluster's admin record that support started.")
    if fr.status not in (RequestStatus.APPROVED, RequestStatus.PART_APPROVED):
        raise DeliveryError("Support is recorded as started once a request is approved.")
    errors = {}
    today = timezone.localdate()
    if started_on is None:
        errors["started_on"] = "Enter the date the support started"
    elif started_on > today:
        errors["started_on"] = "The date the support started must be today or in the past"
    elif fr.decided_on and started_on < fr.decided_on - datetime.timedelta(days=90):
        errors["started_on"] = "The date the support started must be no more than 90 days before the decision"
    if provider not in Delivery.Provider.values:
        errors["provider"] = "Choose who provides the support"
    provider_name = (provider_name or "").strip()
    if provider != Delivery.Provider.SCHOOL_STAFF and not provider_name:
        errors["provider_name"] = "Enter which school or service provides the support"
    elif len(provider_name) > 200:
        errors["provider_name"] = "The provider must be 200 characters or fewer"
    if errors:
        raise DeliveryInvalid(errors)
    delivery = Delivery.objects.create(
        funding_request=fr,
        started_on=started_on,
        provider=provider,
        provider_name=provider_name,
        recorded_by=acting_user,
    )
    move_request(funding_request=fr, target=RequestStatus.IN_DELIVERY, acting_user=acting_user)
    reviews = ImpactReview.objects.bulk_create(
        ImpactReview(funding_request=fr, due_on=max(due, started_on), term_id=term)
        for due, term in _review_dates(fr)
    )
    record_event(
        acting_user=acting_user,
        action="delivery.started",
        obj=fr,
        council=fr.council,
        after={
            "started_on": started_on.isoformat(),
            "provider": provider,
            "provider_name": provider_name,
            "reviews_due": [review.due_on.isoformat() for review in reviews],
        },
    )
    return delivery


@transaction.atomic
def record_review(
    *,
    review,
    results: dict[int, tuple[str, str, str]],
    next_step: str,
    notes: str,
    children_supported: int | None,
    schools_benefited: list[int],
    acting_user,
    done_on: datetime.date | None = None,
) -> ImpactReview:
    """Record a review: for each outcome (by its id) the result, the evidence and any notes, and what
    happens next: continue, stop, ask for more, or request an EHC needs assessment, which is added to each
    pupil's EHC history. Group and project reviews say how many children were supported and which schools
    benefited; their per-outcome results are optional."""
    review = ImpactReview.objects.select_for_update().select_related("funding_request").get(pk=review.pk)
    fr = FundingRequest.objects.select_for_update().get(pk=review.funding_request_id)
    if not can_review(acting_user, fr):
        raise DeliveryError("Only the school's own staff review the support it delivers.")
    if review.done_on is not None:
        raise DeliveryError("This review is already recorded.")
    if fr.status not in (RequestStatus.IN_DELIVERY, RequestStatus.REVIEWED):
        raise DeliveryError("Reviews are recorded while the support is in delivery.")
    done_on = done_on or timezone.localdate()
    individual = fr.request_type in ("individual", "contingency")
    errors = {}
    outcomes = {outcome.pk: outcome for outcome in fr.outcomes.all()}
    cleaned = {}
    for pk in results:
        if pk not in outcomes:
            errors[f"outcome_{pk}"] = "This outcome is not one of the request's"
    for pk, outcome in outcomes.items():
        result, evidence, outcome_notes = results.get(pk, ("", "", ""))
        if not result and not individual and not (evidence or "").strip():
            continue  # optional for group and project awards
        if result not in OutcomeReview.Result.values:
            errors[f"outcome_{pk}"] = (
                f"Choose whether outcome {outcome.position} was met, partly met or not met"
            )
        evidence = _text(errors, f"evidence_{pk}", evidence, f"the evidence for outcome {outcome.position}")
        outcome_notes = _text(errors, f"notes_{pk}", outcome_notes, "the notes", required=False)
        cleaned[pk] = (result, evidence, outcome_notes)
    if next_step not in NextStep.values:
        errors["next_step"] = "Choose what happens next"
    notes = _text(errors, "notes", notes, "the notes", required=False)
    if not individual:
        if children_supported is None:
            errors["children_supported"] = "Enter how many children the support reached"
        elif children_supported < 1 or children_supported > 10_000:
            errors["children_supported"] = "How many children must be a whole number from 1 to 10,000"
    members = set(
        fr.cluster.memberships.filter(academic_year=fr.academic_year).values_list("school_id", flat=True)
    )
    if set(schools_benefited) - members:
        errors["schools_benefited"] = "Choose schools of the cluster"
    if errors:
        raise DeliveryInvalid(errors)
    OutcomeReview.objects.bulk_create(
        OutcomeReview(review=review, outcome_id=pk, result=result, evidence=evidence, notes=outcome_notes)
        for pk, (result, evidence, outcome_notes) in cleaned.items()
    )
    review.done_on, review.next_step, review.notes = done_on, next_step, notes
    review.children_supported = None if individual else children_supported
    review.recorded_by = acting_user
    review.save()
    review.schools_benefited.set(School.objects.filter(pk__in=schools_benefited))
    if fr.status == RequestStatus.IN_DELIVERY:
        fr = move_request(funding_request=fr, target=RequestStatus.REVIEWED, acting_user=acting_user)
    if next_step == NextStep.CONTINUE:
        move_request(funding_request=fr, target=RequestStatus.IN_DELIVERY, acting_user=acting_user)
    elif next_step == NextStep.STOP:
        move_request(funding_request=fr, target=RequestStatus.CLOSED, acting_user=acting_user)
        ImpactReview.objects.filter(funding_request=fr, done_on=None).delete()
    elif next_step == NextStep.EHC_ASSESSMENT:
        for pupil in fr.pupils.exclude(ehc_status=EhcStatus.IN_PLACE):
            if pupil.ehc_status != EhcStatus.REQUESTED:
                change_pupil(
                    pupil=pupil,
                    acting_user=acting_user,
                    ehc_status=EhcStatus.REQUESTED,
                    ehc_status_since=done_on,
                )
    record_event(
        acting_user=acting_user,
        action="delivery.reviewed",
        obj=fr,
        council=fr.council,
        after={
            "due_on": review.due_on.isoformat(),
            "done_on": done_on.isoformat(),
            "next_step": next_step,
            "results": {outcomes[pk].position: result for pk, (result, _, _) in cleaned.items()},
        },
    )
    return review


@transaction.atomic
def set_review_date(*, review, due_on, acting_user) -> ImpactReview:
    """Move a review's date (by default the end of a term the award funds), for example to an earlier
    review the school and the family agreed. Not before the support started."""
    review = ImpactReview.objects.select_for_update().select_related("funding_request").get(pk=review.pk)
    fr = review.funding_request
    if not can_record_delivery(acting_user, fr):
        raise DeliveryError("Only the school's own staff or the cluster's admin set its review dates.")
    if review.done_on is not None:
        raise DeliveryError("This review is already recorded.")
    delivery = Delivery.objects.filter(funding_request=fr).first()
    if due_on is None:
        raise DeliveryInvalid({"due_on": "Enter the date the review is due"})
    if delivery and due_on < delivery.started_on:
        raise DeliveryInvalid({"due_on": "The review must be due on or after the day the support started"})
    before = review.due_on
    review.due_on, review.reminded_on = due_on, None
    review.save(update_fields=["due_on", "reminded_on"])
    record_event(
        acting_user=acting_user,
        action="delivery.review_date_set",
        obj=fr,
        council=fr.council,
        before={"due_on": before.isoformat()},
        after={"due_on": due_on.isoformat()},
    )
    return review
