"""The demo's support under way: started, reviewed, one review overdue in each council, reminders sent."""

from django.utils import timezone

from clusterfund.delivery.models import Delivery, ImpactReview
from clusterfund.funding_requests.models import FundingRequest


def test_support_in_delivery_has_started_and_some_reviews_are_done_and_some_overdue(db):
    today = timezone.localdate()
    for slug in ("kirklees", "stoke-on-trent"):
        started = FundingRequest.objects.filter(
            council__slug=slug, status__in=["in_delivery", "reviewed", "closed"]
        )
        assert started.exists()
        assert not started.filter(delivery__isnull=True).exists()
        reviews = ImpactReview.objects.filter(funding_request__council__slug=slug)
        assert reviews.exclude(done_on=None).exists()
        overdue = reviews.overdue(today)
        assert overdue.exists() and not overdue.filter(reminded_on=None).exists()
        for review in reviews.exclude(done_on=None):
            assert review.outcomes.exists() or review.children_supported
    assert all(d.started_on <= today for d in Delivery.objects.all())
