import pytest

from clusterfund.audit.models import AuditEvent
from clusterfund.funding_requests import services
from clusterfund.funding_requests.lifecycle import RequestStatus, StateTransitionError
from clusterfund.funding_requests.models import FundingRequest, ReferenceCounter, RequestType
from clusterfund.funding_requests.tests.builders import complete_individual_request
from clusterfund.organisations.models import School
from clusterfund.pupils.models import Pupil

ST_THOMAS, BIRKBY_JUNIOR, ABBEY_HULTON = 151801, 107626, 146487


@pytest.fixture
def senco(user_by_email):
    return user_by_email("senco.stthomas@kirklees.example")


@pytest.fixture
def st_thomas(db):
    return School.objects.get(urn=ST_THOMAS)


def _draft(school, user, request_type=RequestType.INDIVIDUAL, title="Speech and language sessions"):
    return services.start_request(school=school, request_type=request_type, title=title, acting_user=user)


def _numbers_given(cluster_slug):
    """How many references the cluster has given this year (the demo's own requests have some)."""
    counter = ReferenceCounter.objects.filter(cluster__slug=cluster_slug).order_by(
        "-academic_year__start_year"
    )
    return counter.first().last_number if counter.exists() else 0


def test_references_follow_the_cluster_and_year_and_never_name_the_school(st_thomas, senco, user_by_email):
    kirklees, stoke_given = _numbers_given("cluster-14"), _numbers_given("central-cluster")
    first = _draft(st_thomas, senco)
    second = _draft(
        School.objects.get(urn=BIRKBY_JUNIOR), user_by_email("senco.birkbyjunior@kirklees.example")
    )
    year_code = first.academic_year.code
    assert (first.reference, second.reference) == (
        f"K14-{year_code}-{kirklees + 1:03d}",
        f"K14-{year_code}-{kirklees + 2:03d}",
    )
    stoke = _draft(School.objects.get(urn=ABBEY_HULTON), user_by_email("senco.abbeyhulton@stoke.example"))
    assert stoke.reference == f"S01-{year_code}-{stoke_given + 1:03d}"
    assert str(ST_THOMAS) not in first.reference and "Thomas" not in first.reference


def test_a_draft_is_started_in_the_schools_cluster_and_audited(st_thomas, senco):
    draft = _draft(st_thomas, senco)
    assert (draft.cluster.slug, draft.status, draft.entered_on_paper) == (
        "cluster-14",
        RequestStatus.DRAFT,
        False,
    )
    assert AuditEvent.objects.filter(action="request.started", object_id=str(draft.pk)).exists()


def test_a_council_admin_keys_in_a_paper_request_and_another_school_cannot(st_thomas, user_by_email):
    paper = _draft(st_thomas, user_by_email("send.admin@kirklees.example"))
    assert paper.entered_on_paper
    with pytest.raises(services.RequestError, match="cannot write requests for this school"):
        _draft(st_thomas, user_by_email("senco.birkbyjunior@kirklees.example"))
    with pytest.raises(services.RequestError, match="cannot write requests"):
        _draft(st_thomas, user_by_email("send.admin@stoke.example"))


def test_submission_lists_everything_missing_and_changes_nothing(st_thomas, senco):
    draft = _draft(st_thomas, senco, RequestType.GROUP)
    with pytest.raises(services.RequestIncomplete) as incomplete:
        services.submit_request(funding_request=draft, acting_user=senco)
    assert incomplete.value.problems == [
        "Describe the need and choose its main area",
        "Choose at least 2 pupils for a group request",
        "Describe the graduated approach so far: assess, plan, do and review",
        "Add at least one outcome that can be checked",
        "Add the costed provision and the dates the support would start and end",
        "Record the parent's or carer's agreement to the referral",
    ]
    draft.refresh_from_db()
    assert draft.status == RequestStatus.DRAFT and draft.submitted_at is None


def test_a_complete_individual_request_is_submitted_as_version_1(st_thomas, senco):
    draft = complete_individual_request(st_thomas, senco)
    services.submit_request(funding_request=draft, acting_user=senco)
    draft.refresh_from_db()
    assert draft.status == RequestStatus.SUBMITTED and draft.submitted_at is not None
    assert draft.version == 1
    assert draft.versions.get().snapshot["pupils"] == ["ST-24-017"]


def test_pupils_must_come_from_the_lead_school(st_thomas, senco):
    draft = _draft(st_thomas, senco)
    with pytest.raises(services.RequestInvalid, match="own school"):
        services.choose_pupils(
            funding_request=draft, pupils=[Pupil.objects.get(reference="BJ-0311")], acting_user=senco
        )
    assert not draft.pupils.exists()


def test_withdrawal_needs_a_reason_and_a_role_that_may(st_thomas, senco, user_by_email):
    withdrawn = FundingRequest.objects.filter(status=RequestStatus.WITHDRAWN).count()
    draft = _draft(st_thomas, senco, RequestType.ADVICE_ONLY)
    with pytest.raises(services.RequestError, match="why"):
        services.withdraw_request(funding_request=draft, reason=" ", acting_user=senco)
    with pytest.raises(StateTransitionError, match="Only these roles can withdraw"):
        services.withdraw_request(
            funding_request=draft,
            reason="Not needed",
            acting_user=user_by_email("ep.cluster14@kirklees.example"),
        )
    services.withdraw_request(funding_request=draft, reason="Support found in school", acting_user=senco)
    draft.refresh_from_db()
    assert (draft.status, draft.withdrawn_reason) == (RequestStatus.WITHDRAWN, "Support found in school")
    with pytest.raises(StateTransitionError, match="^This request has already been withdrawn.$"):
        services.withdraw_request(funding_request=draft, reason="Again", acting_user=senco)
    assert FundingRequest.objects.filter(status=RequestStatus.WITHDRAWN).count() == withdrawn + 1
