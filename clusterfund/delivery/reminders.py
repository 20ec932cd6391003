"""Reminding schools of the impact reviews they owe: each school's staff get one email listing its reviews
due within a week or overdue, at most once a week for each review. Run every day by `clusterfund
send-reminders` from cron, or as a background task (`clusterfund.delivery.tasks`)."""

import datetime
import logging
from collections import defaultdict

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from clusterfund.accounts.models import RoleAssignment
from clusterfund.accounts.roles import Role
from clusterfund.audit.services import record_event
from clusterfund.core.formatting import long_date
from clusterfund.core.links import absolute
from clusterfund.delivery.models import ImpactReview

logger = logging.getLogger(__name__)

# A review is mentioned from a week before it is due, and then again each week until it is done.
DUE_WITHIN = datetime.timedelta(days=7)
REMIND_EVERY = datetime.timedelta(days=7)


def reviews_to_remind(today: datetime.date):
    """Reviews not yet done that are due within a week or overdue, and whose school has not been reminded
    of them in the last week."""
    return (
        ImpactReview.objects.due()
        .filter(due_on__lte=today + DUE_WITHIN)
        .filter(Q(reminded_on=None) | Q(reminded_on__lte=today - REMIND_EVERY))
    )


def _line(review: ImpactReview, today: datetime.date) -> str:
    fr = review.funding_request
    overdue = " (overdue)" if review.due_on < today else ""
    path = reverse("delivery:review", kwargs={"request_pk": fr.pk, "pk": review.pk})
    return f"- {fr.reference}: due {long_date(review.due_on)}{overdue}\n  {absolute(path)}"


def _email(school, reviews: list[ImpactReview], today: datetime.date) -> tuple[str, str]:
    """The subject and body of one school's reminder. It names the school and each request by its
    reference only: never a pupil, never another school's request."""
    overdue = sum(review.due_on < today for review in reviews)
    count = f"{len(reviews)} impact review{'s' if len(reviews) != 1 else ''}"
    subject = f"{count} due at {school.name}" + (f", {overdue} overdue" if overdue else "")
    body = "\n\n".join(
        [
            f"These reviews of support the cluster funds at {school.name} are due within a week or overdue:",
            "\n".join(_line(review, today) for review in reviews),
            "Sign in to clusterfund and record each review on its page: for each outcome, whether it was "
            "met, and what happens next.",
            "You get this email because you are one of the school's staff in clusterfund. It comes at most "
            "once a week for each review, until the review is recorded.",
        ]
    )
    return subject, body


@transaction.atomic
def send_review_reminders(*, today: datetime.date | None = None) -> int:
    """Email each school's staff the impact reviews it owes: those not done, due within 7 days or overdue,
    that it was not reminded of in the last 7 days. One email per school lists its reviews by request
    reference, due date and page; the reviews are marked as reminded today and each email is audited.
    The emails go once the transaction commits. Returns how many emails were sent.

    A school with no staff in clusterfund gets no email, and its reviews stay unreminded until it has."""
    today = today or timezone.localdate()
    # Locked, so that the cron command and a background task running at once remind a review only once.
    reviews = list(
        reviews_to_remind(today)
        .select_for_update(of=("self",))
        .select_related("funding_request__lead_school__council")
        .order_by("funding_request__lead_school_id", "due_on", "pk")
    )
    by_school = defaultdict(list)
    for review in reviews:
        by_school[review.funding_request.lead_school].append(review)
    staff = defaultdict(set)
    for school_id, email in RoleAssignment.objects.filter(
        role=Role.SCHOOL_STAFF, school_id__in=[school.pk for school in by_school], user__is_active=True
    ).values_list("school_id", "user__email"):
        staff[school_id].add(email)

    reminded, sent = [], 0
    for school, school_reviews in by_school.items():
        recipients = sorted(staff[school.pk])
        if not recipients:
            logger.warning("No staff to remind of %d reviews at school %s", len(school_reviews), school.pk)
            continue
        subject, body = _email(school, school_reviews, today)
        transaction.on_commit(
            lambda subject=subject, body=body, recipients=recipients: send_mail(
                subject, body, None, recipients
            ),
            robust=True,  # one school's failed email must not stop the others'
        )
        record_event(
            acting_user=None,
            action="delivery.reminder_sent",
            obj=school,
            council=school.council,
            after={
                "reminded_on": today.isoformat(),
                "recipients": len(recipients),
                "reviews": [
                    {
                        "review": review.pk,
                        "request": review.funding_request.reference,
                        "due_on": review.due_on.isoformat(),
                        "overdue": review.due_on < today,
                    }
                    for review in school_reviews
                ],
            },
        )
        reminded.extend(review.pk for review in school_reviews)
        sent += 1
    if reminded:
        ImpactReview.objects.filter(pk__in=reminded).update(reminded_on=today)
    return sent
