"""The large-council generator, at a small scale in the test database (which holds the demo councils, so
every run here is forced): what it makes adds up, and is the same again from the same seed."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Q

from clusterfund.delivery.models import Delivery, ImpactReview, NextStep
from clusterfund.demo.large_council import DatabaseNotEmpty, Identity, Scale, generate, other_councils
from clusterfund.funding_requests.lifecycle import DECIDED, RequestStatus
from clusterfund.funding_requests.models import FundingRequest
from clusterfund.meetings.models import AgendaItem, Ballot, BallotLine, Meeting
from clusterfund.money.models import Award, LedgerEntry, Pot
from clusterfund.organisations.models import ClusterMembership, School, SchoolCensus

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 12, 1)
SMALL = Scale(schools=12, clusters=3, years=2, requests_per_school_year=8)
FIRST = Identity(name="Larchester County Council", slug="larchester", la_code=990)
SECOND = Identity(name="Larchester County Council", slug="larchester-again", la_code=991)
FUNDED = {"approved", "part_approved", "in_delivery", "reviewed", "closed"}


def _small(identity=FIRST, seed=7):
    return generate(seed=seed, scale=SMALL, identity=identity, as_of=AS_OF, force=True)


def _fingerprint(council) -> list[tuple]:
    """What the council's requests are and what became of them, without database ids or its own names."""
    requests = (
        FundingRequest.objects.filter(council=council)
        .with_amount_asked()
        .annotate(awarded=Count("award"), reviews=Count("impact_reviews"))
        .order_by("reference")
    )
    return [
        (
            fr.reference,
            fr.lead_school.urn % 1000,
            fr.request_type,
            fr.primary_area,
            fr.status,
            fr.amount_asked,
            fr.submitted_at,
            fr.decided_on,
            fr.awarded,
            fr.reviews,
        )
        for fr in requests.select_related("lead_school")
    ]


def test_refuses_a_database_that_holds_other_councils():
    assert other_councils()  # the demo councils
    with pytest.raises(DatabaseNotEmpty):
        generate(seed=1, scale=SMALL, identity=FIRST, as_of=AS_OF)
    with pytest.raises(CommandError, match="other council"):
        call_command("generate_large_council", "--schools", "12", "--clusters", "3", "--years", "2")


def test_makes_the_council_at_the_scale_asked():
    council = _small()
    schools = School.objects.filter(council=council)
    assert schools.count() == 12
    assert council.clusters.count() == 3
    assert council.academic_years.count() == 2
    assert ClusterMembership.objects.filter(school__council=council).count() == 24
    assert SchoolCensus.objects.filter(school__council=council).count() == 24
    assert all(900_000 < urn < 1_000_000 for urn in schools.values_list("urn", flat=True))
    requests = FundingRequest.objects.filter(council=council)
    # A full last year (2025/26) and the current one as far as 1 December.
    assert 12 * 8 < requests.count() < 12 * 8 * 2
    assert Pot.objects.filter(council=council).count() == 2 * (1 + 3 * 2)
    assert Meeting.objects.filter(cluster__council=council).count() == 2 * 3 * 6
    assert Ballot.objects.filter(meeting__cluster__council=council).exists()
    assert BallotLine.objects.filter(ballot__meeting__cluster__council=council).exists()
    assert ImpactReview.objects.filter(funding_request__council=council, done_on__isnull=False).exists()
    # After this council, the only other councils are the demo's: this one is known as generated.
    assert council.name not in other_councils()


def test_the_same_seed_makes_the_same_council_and_another_seed_another():
    first = _fingerprint(_small(FIRST, seed=7))
    again = _fingerprint(_small(SECOND, seed=7))
    assert first == again
    other = _fingerprint(
        _small(Identity(name="Larchester County Council", slug="larchester-other", la_code=992), seed=8)
    )
    assert other != first


def test_no_balance_is_ever_negative_and_the_pence_add_up():
    council = _small()
    entries = LedgerEntry.objects.filter(pot__council=council)
    for pot, balance in entries.balances_by("pot").items():
        assert balance["available"] >= 0, pot
        assert balance["outstanding"] >= 0, pot
    for award, balance in entries.balances_by("award").items():
        if award is not None:
            assert balance["committed"] >= balance["paid"] >= 0, award
    # The High Needs pot passes on every penny; closed years carried their balance forward.
    for pot in Pot.objects.filter(council=council, kind="high_needs"):
        assert entries.filter(pot=pot).balances()["allocated"] == 0
    for pot in Pot.objects.filter(council=council, closed_at__isnull=False):
        assert entries.filter(pot=pot).balances()["available"] == 0
    # Every entry says when, in which years, why and by whom; payments never come before the award.
    assert not entries.filter(Q(reason="") | Q(actor_name="")).exists()
    for entry in entries.filter(entry_type="payment").select_related("award")[:500]:
        assert entry.occurred_on >= entry.award.decided_on
        assert entry.financial_year == (entry.occurred_on.year - (entry.occurred_on.month < 4))
    assert not entries.filter(occurred_on__gt=AS_OF).exists()


def test_statuses_follow_the_lifecycle():
    council = _small()
    requests = FundingRequest.objects.filter(council=council)
    assert set(requests.values_list("status", flat=True)) <= set(RequestStatus.values)
    assert len(set(requests.values_list("status", flat=True))) >= 8
    assert set(requests.values_list("request_type", flat=True)) == {
        "advice",
        "individual",
        "group",
        "project",
        "contingency",
    }
    assert not requests.filter(status="draft").exclude(submitted_at=None).exists()
    assert not requests.exclude(status="draft").filter(submitted_at=None).exists()
    settled = DECIDED | {"in_delivery", "reviewed", "closed"}
    assert not requests.filter(status__in=settled, decided_on=None).exists()
    assert not requests.exclude(status__in=settled).exclude(decided_on=None).exists()
    assert not requests.filter(decided_on__lt=datetime.date(2025, 9, 1)).exists()
    awarded = Award.objects.filter(funding_request__council=council)
    assert set(awarded.values_list("funding_request__status", flat=True)) <= FUNDED
    assert not requests.filter(status__in=FUNDED, award=None).exists()
    delivered = Delivery.objects.filter(funding_request__council=council)
    assert set(delivered.values_list("funding_request__status", flat=True)) <= {
        "in_delivery",
        "reviewed",
        "closed",
    }
    assert not requests.filter(status__in=("in_delivery", "reviewed", "closed"), delivery=None).exists()
    # A closed request's last review stopped the support; no request is reviewed before it started.
    for fr in requests.filter(status="closed").prefetch_related("impact_reviews")[:200]:
        done = [review for review in fr.impact_reviews.all() if review.done_on]
        assert done and max(done, key=lambda r: r.due_on).next_step == NextStep.STOP
    # Each decided item is on the agenda of a meeting held by then, and every award was decided there.
    items = AgendaItem.objects.filter(meeting__cluster__council=council).select_related("meeting")
    assert items.exists()
    assert not items.filter(meeting__held_on__gte=AS_OF).exists()
    for award in awarded.select_related("funding_request")[:200]:
        assert items.filter(funding_request=award.funding_request, meeting__held_on=award.decided_on).exists()
