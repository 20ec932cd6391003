"""The demo's funded support under way: started, some of it reviewed (one review asks for more, one stops
the support, one asks for an EHC needs assessment), one review overdue, and the reminders sent."""

import datetime

from django.db.models import F
from django.utils import timezone

from clusterfund.delivery import services as delivery
from clusterfund.delivery.models import Delivery
from clusterfund.delivery.reminders import send_review_reminders
from clusterfund.demo.demo_money import pay_for_delivery
from clusterfund.demo.demo_requests import _cast
from clusterfund.funding_requests.lifecycle import RequestStatus as S
from clusterfund.funding_requests.models import FundingRequest
from clusterfund.money.models import Award

DAY = datetime.timedelta(days=1)
EVIDENCE = {
    "met": "Met at the review: the measure agreed at the start shows the change, and the teacher agrees.",
    "partly_met": "Partly met: progress on the measure agreed, but not yet to the level set at the start.",
}


def load_delivery(council, requests, accounts) -> None:
    """Start, review and remind as the demo requests' statuses say, once: a request with its delivery
    recorded is left alone."""
    cast = _cast(accounts)
    today = timezone.localdate()
    wanted = {spec.title: spec for spec in requests if spec.status in (S.IN_DELIVERY, S.REVIEWED, S.CLOSED)}
    frs = FundingRequest.objects.filter(
        council=council, title__in=wanted, delivery__isnull=True
    ).select_related("lead_school")
    overdue_done = Delivery.objects.filter(funding_request__council=council).exists()
    ehc_asked = overdue_done
    _decided_when_awarded(council)
    for number, fr in enumerate(frs.order_by("pk")):
        spec = wanted[fr.title]
        staff = cast.staff[fr.lead_school.urn]
        # support starts a week or few after the decision, as a school finds the staff or the service
        started = min(today, (fr.decided_on or today) + (5 + 4 * (number % 4)) * DAY)
        provider = (
            Delivery.Provider.SCHOOL_STAFF,
            Delivery.Provider.COMMISSIONED,
            Delivery.Provider.ANOTHER_SCHOOL,
        )[number % 3]
        names = {
            Delivery.Provider.SCHOOL_STAFF: "",
            Delivery.Provider.COMMISSIONED: "The council's speech and language therapy service",
            Delivery.Provider.ANOTHER_SCHOOL: "A specialist teacher from another school in the cluster",
        }
        delivery.record_delivery(
            funding_request=fr,
            started_on=started,
            provider=provider,
            provider_name=names[provider],
            acting_user=staff,
        )
        award = Award.objects.filter(funding_request=fr).first()
        if award is not None:
            pay_for_delivery(award, status=spec.status, today=today, admin=cast.cluster_admin)
        reviews = list(fr.impact_reviews.order_by("due_on"))
        if not reviews:
            continue
        if spec.status == S.IN_DELIVERY:
            if not overdue_done and started + 14 * DAY < today:
                # the school and family agreed an early review, which is now overdue
                delivery.set_review_date(review=reviews[0], due_on=started + 14 * DAY, acting_user=staff)
                overdue_done = True
            continue
        individual = fr.request_type in ("individual", "contingency")
        results = {
            outcome.pk: (result, EVIDENCE[result], "")
            for outcome, result in zip(fr.outcomes.all(), ("met", "partly_met") * 10, strict=False)
        }
        if spec.status == S.CLOSED:
            next_step = "stop"
        elif fr.names_pupils and not ehc_asked and fr.pupils.exclude(ehc_status="in_place").exists():
            next_step = "ehc_assessment"
            ehc_asked = True
        else:
            next_step = "ask_for_more"
        delivery.record_review(
            review=reviews[0],
            results=results,
            next_step=next_step,
            notes="Reviewed with the family and the class teacher.",
            children_supported=None if individual else (fr.children_benefiting or 4),
            schools_benefited=[] if individual else [fr.lead_school_id],
            acting_user=staff,
            done_on=today,
        )
    send_review_reminders(today=today)
    _submitted_before_decided(council)


def _decided_when_awarded(council) -> None:
    """The demo sets its requests' statuses on the day it loads, but dates its awards weeks back: a funded
    request was decided when its award was."""
    for award in Award.objects.filter(funding_request__council=council).exclude(
        funding_request__decided_on=F("decided_on")
    ):
        FundingRequest.objects.filter(pk=award.funding_request_id).update(decided_on=award.decided_on)


def _submitted_before_decided(council) -> None:
    """The demo writes every request on the day it loads; a real one was submitted weeks before its
    decision. Each decided request is given a submission two to six weeks before it was decided, and each
    undecided one a few days ago, so that the dashboards' times read as a year's would."""
    now = timezone.now()
    rows = FundingRequest.objects.filter(council=council, submitted_at__isnull=False).values_list(
        "pk", "decided_on"
    )
    for pk, decided_on in rows:
        if decided_on:
            noon = datetime.datetime.combine(decided_on, datetime.time(10), tzinfo=datetime.UTC)
            submitted = min(now, noon - (14 + 5 * (pk % 6)) * DAY)
        else:
            submitted = now - (1 + pk % 9) * DAY
        FundingRequest.objects.filter(pk=pk).update(submitted_at=submitted)
