"""The demo's past meetings: each demo cluster has held a meeting this year and run it to published minutes,
its ballots hold no line a school could not cast, and anyone can check the count from the public export."""

import datetime
import hashlib
import re

import pytest

from clusterfund.funding_requests.lifecycle import RequestStatus
from clusterfund.meetings.models import OUTSIDE_THE_VOTE, BallotLine, Meeting
from clusterfund.meetings.permissions import can_approve_minutes
from clusterfund.money.models import Award
from clusterfund.organisations.models import AcademicYear
from clusterfund.voting.pabulib import read_pabulib, recount

CLUSTERS = ["cluster-14", "central-cluster"]


def _published(slug) -> Meeting:
    """The cluster's published past meeting, or a skip early in September, before any meeting is held."""
    today = datetime.date.today()
    meetings = Meeting.objects.filter(cluster__slug=slug, held_on__lt=today)
    year = AcademicYear.objects.filter(council__clusters__slug=slug).current()
    if not meetings.filter(academic_year=year).exists():
        pytest.skip("No meeting has been held yet this school year, so the demo has none to show.")
    meeting = meetings.exclude(minutes_approved_at=None).select_related("cluster").first()
    assert meeting is not None, f"{slug} has no published past meeting"
    return meeting


@pytest.mark.parametrize("slug", CLUSTERS)
def test_each_demo_cluster_has_a_past_meeting_run_to_published_minutes(db, slug):
    meeting = _published(slug)
    assert meeting.stage == "published"
    assert meeting.quorum_present >= meeting.quorum_needed > 0
    assert meeting.ballots.count() == meeting.attendance.count() == meeting.quorum_present
    assert meeting.ballots.filter(recorded_as="by_school").count() == 2  # the demo SENCOs' own
    assert meeting.ballots.exclude(recorded_as="by_school").exists()  # and the ones the admin recorded
    assert re.fullmatch(r"[0-9a-f]{64}", meeting.fingerprint)
    assert meeting.result["counts"] and meeting.result["present"] == meeting.quorum_present
    assert can_approve_minutes(meeting.minutes_approved_by, meeting.cluster) and meeting.minutes_notes
    actions = list(meeting.actions.all())
    assert 2 <= len(actions) <= 3
    assert all(action.owner and action.due_on >= meeting.held_on for action in actions)

    items = list(meeting.items.select_related("funding_request"))
    funded = [item for item in items if item.funded_pence]
    assert funded and any(item.outcome == "declined" for item in items)
    assert any(item.outcome in OUTSIDE_THE_VOTE for item in items)
    for item in funded:
        award = Award.objects.get(funding_request=item.funding_request)
        assert award.entries.get(entry_type="commitment").amount_pence == item.funded_pence
        assert item.funding_request.status in (RequestStatus.APPROVED, RequestStatus.PART_APPROVED)
    unfunded = [item.funding_request for item in items if not item.funded_pence]
    assert not Award.objects.filter(funding_request__in=unfunded).exists()


def test_no_ballot_line_exists_for_an_item_its_school_may_not_vote_on(db):
    lines = BallotLine.objects.filter(ballot__meeting__cluster__slug__in=CLUSTERS).select_related(
        "ballot", "item__funding_request"
    )
    assert lines.exists()
    for line in lines:
        fr = line.item.funding_request
        assert line.ballot.school_id in line.item.eligible_school_ids
        assert line.ballot.school_id != fr.lead_school_id
        assert line.item.outcome not in OUTSIDE_THE_VOTE
        assert line.item.meeting_id == line.ballot.meeting_id


@pytest.mark.parametrize("slug", CLUSTERS)
def test_the_fingerprint_is_the_sha256_of_the_stored_public_export(db, slug):
    meeting = _published(slug)
    counts = meeting.result["counts"]
    for count in counts:
        assert hashlib.sha256(count["public_pb"].encode("utf-8")).hexdigest() == count["fingerprint"]
    assert meeting.fingerprint == counts[0]["fingerprint"]


@pytest.mark.parametrize("slug", CLUSTERS)
def test_recounting_the_stored_public_export_gives_the_stored_funded_set(db, slug):
    meeting = _published(slug)
    funded_items = set(
        meeting.items.exclude(funded_pence=None).values_list("funding_request__reference", flat=True)
    )
    recounted = set()
    for count in meeting.result["counts"]:
        again = recount(read_pabulib(count["public_pb"]), rule=meeting.result["rule"])
        assert set(again) == set(count["funded"])
        recounted |= set(again)
    assert recounted == funded_items


@pytest.mark.parametrize("slug", CLUSTERS)
def test_a_meeting_still_to_come_has_requests_ready_for_it(db, slug):
    upcoming = Meeting.objects.filter(cluster__slug=slug, held_on__gte=datetime.date.today()).planned()
    if not upcoming.exists():
        pytest.skip("The school year's meetings are over.")
    assert upcoming.filter(frozen_at=None).exists()
    waiting = upcoming.filter(
        requests__status__in=[RequestStatus.READY_FOR_MEETING, RequestStatus.DEFERRED]
    ).exists()
    assert waiting
