"""The delivery pages: recording that support started, recording a review, and the reviews due for a
school and for a cluster."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from clusterfund.core.access import allow_or_403, allow_or_404, signed_in
from clusterfund.core.errors import apply_errors
from clusterfund.core.formatting import long_date
from clusterfund.delivery import permissions, selectors, services
from clusterfund.delivery.forms import DeliveryForm, ReviewDateForm, ReviewForm
from clusterfund.funding_requests.selectors import request_for_page
from clusterfund.organisations.selectors import clusters_visible_to, member_schools, schools_visible_to
from clusterfund.triage.permissions import can_read_request


def _request_for(request, pk):
    funding_request = request_for_page(request.user, pk)
    allow_or_404(funding_request is not None and can_read_request(request.user, funding_request))
    return funding_request


def _posted(request):
    return request.POST if request.method == "POST" else None


def _form_page(request, funding_request, form, save, *, title, done, intro="", button="Save"):
    """A form about one request: saved by `save(cleaned_data)`, refused in the form's own words, and back to
    the request when done."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except services.DeliveryError as error:
            apply_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("funding_requests:request", funding_request.pk)
    back = reverse("funding_requests:request", args=[funding_request.pk])
    return render(
        request,
        "form_page.html",
        {
            "page_title": title,
            "funding_request": funding_request,
            "intro": intro,
            "form": form,
            "button": button,
            "back_link": {"href": back, "text": "Back"},
        },
    )


@signed_in("can_record_delivery")
@require_http_methods(["GET", "POST"])
def record_delivery(request, request_pk):
    funding_request = _request_for(request, request_pk)
    allow_or_403(permissions.can_record_delivery(request.user, funding_request))
    return _form_page(
        request,
        funding_request,
        DeliveryForm(_posted(request)),
        lambda data: services.record_delivery(
            funding_request=funding_request, acting_user=request.user, **data
        ),
        title="Record that the support started",
        done="The support is recorded as started. Its reviews are due at the end of each term.",
    )


@signed_in("can_review")
@require_http_methods(["GET", "POST"])
def review(request, request_pk, pk):
    funding_request = _request_for(request, request_pk)
    allow_or_403(permissions.can_review(request.user, funding_request))
    impact_review = selectors.review_for(funding_request, pk)
    allow_or_404(impact_review is not None and impact_review.done_on is None)
    form = ReviewForm(
        _posted(request),
        outcomes=funding_request.outcomes.all(),
        individual=funding_request.request_type in ("individual", "contingency"),
        schools=member_schools(funding_request.cluster, funding_request.academic_year),
    )
    return _form_page(
        request,
        funding_request,
        form,
        lambda data: services.record_review(
            review=impact_review,
            results=form.results(),
            next_step=data["next_step"] or "",
            notes=data["notes"],
            children_supported=data.get("children_supported"),
            schools_benefited=data.get("schools_benefited") or [],
            acting_user=request.user,
        ),
        title=f"Review due {long_date(impact_review.due_on)}",
        intro="For each outcome: was it met, partly met or not met, and what is the evidence?",
        done="The review is recorded.",
        button="Save the review",
    )


@signed_in("can_record_delivery")
@require_http_methods(["GET", "POST"])
def review_date(request, request_pk, pk):
    """Move a review's date, for example to an earlier review agreed with the family."""
    funding_request = _request_for(request, request_pk)
    allow_or_403(permissions.can_record_delivery(request.user, funding_request))
    impact_review = selectors.review_for(funding_request, pk)
    allow_or_404(impact_review is not None and impact_review.done_on is None)
    return _form_page(
        request,
        funding_request,
        ReviewDateForm(_posted(request), initial={"due_on": impact_review.due_on}),
        lambda data: services.set_review_date(
            review=impact_review, due_on=data["due_on"], acting_user=request.user
        ),
        title="Change the review date",
        intro="By default a review is due at the end of each term the award funds.",
        done="The review date is changed.",
    )


def _reviews_page(request, *, title, reviews, back):
    return render(
        request,
        "delivery/reviews.html",
        {"page_title": title, "reviews": list(reviews), "today": timezone.localdate(), "back": back},
    )


@signed_in("can_view_school_reviews")
def school_reviews(request, school_pk):
    school = get_object_or_404(schools_visible_to(request.user), pk=school_pk)
    allow_or_404(permissions.can_view_school_reviews(request.user, school))
    return _reviews_page(
        request,
        title=f"Reviews due, {school.name}",
        reviews=selectors.reviews_due_for_school(school),
        back=None,
    )


@signed_in("can_view_cluster_reviews")
def cluster_reviews(request, cluster_pk):
    cluster = get_object_or_404(clusters_visible_to(request.user), pk=cluster_pk)
    allow_or_404(permissions.can_view_cluster_reviews(request.user, cluster))
    return _reviews_page(
        request,
        title=f"Reviews due, {cluster.name}",
        reviews=selectors.reviews_due_for_cluster(cluster),
        back=cluster,
    )
