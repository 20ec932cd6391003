"""Delivery and reviews: support started, reviews due at the end of each term funded, each outcome's result,
what happens next, and the lists of reviews due."""

import datetime

import pytest
from django.urls import reverse

from clusterfund.delivery import selectors, services
from clusterfund.delivery.models import ImpactReview
from clusterfund.funding_requests.lifecycle import RequestStatus
from clusterfund.funding_requests.models import FundingRequest
from clusterfund.pupils.models import EhcStatus

K_SENCO, K_CLUSTER_ADMIN, K_BIRKBY = (
    "senco.stthomas@kirklees.example",
    "cluster14.admin@kirklees.example",
    "senco.birkbyjunior@kirklees.example",
)


def _approved(request_type="individual"):
    return FundingRequest.objects.filter(
        lead_school__urn=151801, status="approved", request_type=request_type
    ).first()


def _started(user_by_email, request_type="individual"):
    fr = _approved(request_type)
    services.record_delivery(
        funding_request=fr,
        started_on=datetime.date.today(),
        provider="another_school",
        provider_name="Birkby Junior School",
        acting_user=user_by_email(K_SENCO),
    )
    fr.refresh_from_db()
    return fr


def test_starting_support_puts_a_review_at_the_end_of_each_term_funded(db, user_by_email):
    fr = _approved()
    with pytest.raises(services.DeliveryInvalid) as refused:
        services.record_delivery(
            funding_request=fr,
            started_on=datetime.date.today() + datetime.timedelta(days=3),
            provider="commissioned",
            provider_name="",
            acting_user=user_by_email(K_SENCO),
        )
    assert set(refused.value.errors) == {"started_on", "provider_name"}
    with pytest.raises(services.DeliveryError, match="own staff"):
        services.record_delivery(
            funding_request=fr,
            started_on=datetime.date.today(),
            provider="school_staff",
            provider_name="",
            acting_user=user_by_email(K_BIRKBY),
        )
    fr = _started(user_by_email)
    assert fr.status == RequestStatus.IN_DELIVERY
    reviews = list(fr.impact_reviews.all())
    terms = {p.term_id for p in fr.award.schedule.all() if p.term_id} if hasattr(fr, "award") else set()
    assert reviews and len(reviews) == max(len(terms), 1)
    assert all(review.due_on >= fr.delivery.started_on for review in reviews)


def test_a_review_records_each_outcome_and_what_happens_next(db, user_by_email):
    fr = _started(user_by_email)
    review = fr.impact_reviews.first()
    outcome = fr.outcomes.first()
    senco = user_by_email(K_SENCO)
    with pytest.raises(services.DeliveryInvalid) as refused:
        services.record_review(
            review=review,
            results={},
            next_step="",
            notes="",
            children_supported=None,
            schools_benefited=[],
            acting_user=senco,
        )
    assert {f"outcome_{outcome.pk}", f"evidence_{outcome.pk}", "next_step"} <= set(refused.value.errors)
    assert ImpactReview.objects.get(pk=review.pk).done_on is None
    results = {o.pk: ("partly_met", "Reading age up 8 months", "") for o in fr.outcomes.all()}
    services.record_review(
        review=review,
        results=results,
        next_step="ehc_assessment",
        notes="Progress, but needs are long-term.",
        children_supported=None,
        schools_benefited=[],
        acting_user=senco,
    )
    fr.refresh_from_db()
    assert fr.status == RequestStatus.REVIEWED
    assert review.outcomes.count() == fr.outcomes.count()
    for pupil in fr.pupils.all():
        assert pupil.ehc_status in (EhcStatus.REQUESTED, EhcStatus.IN_PLACE)
        assert pupil.ehc_history.filter(status=EhcStatus.REQUESTED).exists() or pupil.ehc_status == "in_place"
    with pytest.raises(services.DeliveryError, match="already recorded"):
        services.record_review(
            review=review,
            results=results,
            next_step="stop",
            notes="",
            children_supported=None,
            schools_benefited=[],
            acting_user=senco,
        )


def test_a_group_review_counts_the_children_and_stopping_closes_the_request(db, user_by_email):
    fr = _started(user_by_email, "group")
    review = fr.impact_reviews.first()
    senco = user_by_email(K_SENCO)
    with pytest.raises(services.DeliveryInvalid) as refused:
        services.record_review(
            review=review,
            results={},
            next_step="stop",
            notes="",
            children_supported=None,
            schools_benefited=[],
            acting_user=senco,
        )
    assert set(refused.value.errors) == {"children_supported"}
    services.record_review(
        review=review,
        results={},
        next_step="stop",
        notes="",
        children_supported=6,
        schools_benefited=[fr.lead_school_id],
        acting_user=senco,
    )
    fr.refresh_from_db()
    assert fr.status == RequestStatus.CLOSED
    assert not fr.impact_reviews.filter(done_on=None).exists()


def test_overdue_reviews_show_on_the_school_and_cluster_lists(db, user_by_email, signed_in_client):
    fr = _started(user_by_email)
    review = fr.impact_reviews.first()
    ImpactReview.objects.filter(pk=review.pk).update(
        due_on=datetime.date.today() - datetime.timedelta(days=3)
    )
    assert selectors.is_overdue(ImpactReview.objects.get(pk=review.pk))
    page = signed_in_client(K_SENCO).get(reverse("delivery:school_reviews", args=[fr.lead_school_id]))
    assert fr.reference in page.content.decode() and "Overdue" in page.content.decode()
    page = signed_in_client(K_CLUSTER_ADMIN).get(reverse("delivery:cluster_reviews", args=[fr.cluster_id]))
    assert fr.reference in page.content.decode() and "Overdue" in page.content.decode()


def test_the_review_page_shows_every_error_and_saves_nothing(db, user_by_email, signed_in_client):
    fr = _started(user_by_email)
    review = fr.impact_reviews.first()
    client = signed_in_client(K_SENCO)
    page = client.post(reverse("delivery:review", args=[fr.pk, review.pk]), {}).content.decode()
    assert "Choose what happens next" in page and "Choose whether outcome 1 was met" in page
    assert ImpactReview.objects.get(pk=review.pk).done_on is None
    detail = client.get(reverse("funding_requests:request", args=[fr.pk])).content.decode()
    assert "Record the review due" in detail


def test_a_review_date_can_be_moved_but_not_before_the_support_started(db, user_by_email, signed_in_client):
    fr = _started(user_by_email)
    review = fr.impact_reviews.first()
    client = signed_in_client(K_CLUSTER_ADMIN)
    url = reverse("delivery:review_date", args=[fr.pk, review.pk])
    early = fr.delivery.started_on - datetime.timedelta(days=1)
    page = client.post(url, {"due_on-day": early.day, "due_on-month": early.month, "due_on-year": early.year})
    assert "on or after the day the support started" in page.content.decode()
    later = fr.delivery.started_on + datetime.timedelta(days=10)
    response = client.post(
        url, {"due_on-day": later.day, "due_on-month": later.month, "due_on-year": later.year}
    )
    assert response.status_code == 302
    assert ImpactReview.objects.get(pk=review.pk).due_on == later
