"""The demo's funding requests: every type at every status in both demo clusters, and loading twice adds
nothing."""

import datetime

import pytest

from clusterfund.audit.models import AuditEvent
from clusterfund.demo.loader import SCHEMES, load_demo
from clusterfund.funding_requests.lifecycle import RequestStatus
from clusterfund.funding_requests.models import (
    FundingRequest,
    JointSchool,
    ProvisionLine,
    ReferenceCounter,
    RequestType,
    RequestVersion,
)
from clusterfund.funding_requests.services import problems_before_submission
from clusterfund.pupils.models import Pupil

COUNCILS = ["kirklees", "stoke-on-trent"]


def _requests(slug):
    return FundingRequest.objects.filter(council__slug=slug)


@pytest.mark.parametrize("slug", COUNCILS)
def test_each_demo_council_has_every_type_and_every_status(db, slug):
    requests = _requests(slug)
    assert set(requests.values_list("request_type", flat=True)) == set(RequestType.values)
    assert set(requests.values_list("status", flat=True)) == set(RequestStatus.values)
    assert requests.count() <= 25  # enough to show, few enough to keep the test session quick


@pytest.mark.parametrize("slug", COUNCILS)
def test_each_demo_council_shows_paper_urgent_joint_and_changed_requests(db, slug):
    requests = _requests(slug)
    assert requests.filter(entered_on_paper=True, created_by__role_assignments__role="council_admin").exists()
    urgent = requests.filter(is_urgent=True)
    assert urgent.exists() and set(urgent.values_list("request_type", flat=True)) == {RequestType.CONTINGENCY}
    assert JointSchool.objects.filter(
        funding_request__in=requests, answer=JointSchool.Answer.CONFIRMED
    ).exists()
    changed = RequestVersion.objects.filter(funding_request__in=requests, number=2)
    assert changed.filter(funding_request__status=RequestStatus.SUBMITTED).exists()
    assert all(version.changes for version in changed)
    withdrawn = requests.get(status=RequestStatus.WITHDRAWN)
    assert withdrawn.withdrawn_reason


@pytest.mark.parametrize("slug", COUNCILS)
def test_every_demo_request_past_the_draft_was_complete_and_sits_in_its_year(db, slug):
    today = datetime.date.today()
    for request in _requests(slug).select_related("academic_year", "council"):
        year = request.academic_year
        if request.status != RequestStatus.DRAFT:
            assert request.version >= 1 and request.submitted_at is not None
            assert problems_before_submission(request) == [], request.title
        if request.start_date:
            assert year.starts_on <= request.start_date <= request.end_date <= year.ends_on
        if request.consent_date:
            assert today - datetime.timedelta(days=366) <= request.consent_date <= today


@pytest.mark.parametrize("slug", COUNCILS)
def test_demo_money_is_whole_pence_and_of_a_plausible_size(db, slug):
    asking = _requests(slug).with_amount_asked().exclude(request_type=RequestType.ADVICE_ONLY)
    amounts = [r.amount_asked for r in asking if r.amount_asked is not None]
    assert amounts and all(isinstance(amount, int) for amount in amounts)
    assert all(50_000 <= amount <= 600_000 for amount in amounts)  # £500 to £6,000
    lines = ProvisionLine.objects.filter(funding_request__council__slug=slug)
    assert all(line.total_pence == round(line.units * line.unit_cost_pence) for line in lines)


def test_stoke_demo_pupils_have_no_names(db):
    assert not Pupil.objects.filter(school__council__slug="stoke-on-trent").exclude(name="").exists()


def test_loading_the_demo_again_adds_nothing(db):
    def counts():
        return (
            FundingRequest.objects.count(),
            RequestVersion.objects.count(),
            Pupil.objects.count(),
            AuditEvent.objects.count(),
            sorted(ReferenceCounter.objects.values_list("pk", "last_number")),
        )

    before = counts()
    assert before[0] == sum(len(scheme.requests) for scheme in SCHEMES)
    load_demo()
    assert counts() == before


@pytest.mark.parametrize("slug", COUNCILS)
def test_every_demo_request_naming_pupils_has_their_parents_or_carers_agreement(db, slug):
    naming = (
        _requests(slug)
        .filter(pupils__isnull=False)
        .exclude(request_type=RequestType.ADVICE_ONLY)
        .exclude(status=RequestStatus.DRAFT)
    )
    contingency = naming.filter(request_type=RequestType.CONTINGENCY).distinct()
    assert contingency.exists()
    for request in naming.distinct():
        assert request.consent_date and request.consent_method, request.title
    joints = JointSchool.objects.filter(funding_request__council__slug=slug, answer="confirmed")
    assert joints.exists()
    for joint in joints:
        if joint.funding_request.pupils.filter(school=joint.school).exists():
            assert joint.consent_date and joint.consent_method, joint
