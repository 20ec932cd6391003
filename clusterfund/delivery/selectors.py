"""Reads of delivery and reviews: a request's reviews, and the reviews due and overdue for a school or a
cluster."""

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from clusterfund.delivery.models import Delivery, ImpactReview


def delivery_of(funding_request) -> Delivery | None:
    return Delivery.objects.filter(funding_request=funding_request).first()


def reviews_of(funding_request) -> list[ImpactReview]:
    return list(
        ImpactReview.objects.filter(funding_request=funding_request).prefetch_related(
            "outcomes__outcome", "schools_benefited"
        )
    )


def _due(reviews: QuerySet) -> QuerySet[ImpactReview]:
    return reviews.due().select_related("funding_request__lead_school").order_by("due_on", "pk")


def reviews_due_for_school(school) -> QuerySet[ImpactReview]:
    """The school's reviews not yet done, soonest first (overdue ones first of all)."""
    return _due(ImpactReview.objects.filter(funding_request__lead_school=school))


def reviews_due_for_cluster(cluster) -> QuerySet[ImpactReview]:
    return _due(ImpactReview.objects.filter(funding_request__cluster=cluster))


def review_for(funding_request, pk) -> ImpactReview | None:
    return ImpactReview.objects.filter(funding_request=funding_request, pk=pk).first()


def is_overdue(review, today: datetime.date | None = None) -> bool:
    return review.done_on is None and review.due_on < (today or timezone.localdate())
