"""Triage, scores, questions back to the school, advice, shared resources and interests, on the demo."""

import datetime

import pytest

from clusterfund.audit.models import AuditEvent
from clusterfund.funding_requests import services as requests
from clusterfund.funding_requests.tests.builders import complete_individual_request
from clusterfund.organisations.models import School, TeamMember
from clusterfund.pupils.models import Pupil
from clusterfund.triage import selectors, services
from clusterfund.triage.models import AdviceRecord, Criterion, Interest, ResourceRequest

TODAY = datetime.date.today()
K_SENCO, K_EP, K_CLUSTER_ADMIN = (
    "senco.stthomas@kirklees.example",
    "ep.cluster14@kirklees.example",
    "cluster14.admin@kirklees.example",
)


@pytest.fixture
def submitted(user_by_email):
    """A St Thomas individual request, submitted, and the scheme's two criteria."""
    senco = user_by_email(K_SENCO)
    school = School.objects.get(urn=151801)
    Criterion.objects.filter(council=school.council).update(is_active=False)  # the demo's criteria
    for position, name in enumerate(("Evidence of the graduated approach", "Value for money"), start=1):
        Criterion.objects.create(
            council=school.council,
            position=position,
            name=name,
            descriptors=["Weak", "Some", "Good", "Strong"],
        )
    draft = complete_individual_request(school, senco)
    return requests.submit_request(funding_request=draft, acting_user=senco)


@pytest.fixture
def ep(user_by_email):
    return user_by_email(K_EP)


@pytest.fixture
def in_triage(submitted, ep):
    member = TeamMember.objects.get(user=ep)
    services.assign_members(funding_request=submitted, members=[member], acting_user=ep)
    submitted.refresh_from_db()
    return submitted


def _scores(request, value=3, why="Clear evidence over two terms"):
    return {criterion.pk: (value, why) for criterion in selectors.criteria_of(request.council)}


def test_assigning_a_member_starts_triage(in_triage, ep):
    assert in_triage.status == "in_triage"
    assert [a.member.user for a in selectors.assignments_of(in_triage)] == [ep]
    assert AuditEvent.objects.filter(action="triage.assigned", object_id=str(in_triage.pk)).exists()


def test_only_the_clusters_team_or_admin_assign_and_never_someone_with_an_interest(
    submitted, user_by_email, ep
):
    member = TeamMember.objects.get(user=ep)
    with pytest.raises(services.TriageError, match="Only the cluster's admin and Team Around the Cluster"):
        services.assign_members(
            funding_request=submitted, members=[member], acting_user=user_by_email(K_SENCO)
        )
    services.declare_interest(
        person=ep, school=submitted.lead_school, description="My son attends the school", acting_user=ep
    )
    with pytest.raises(services.TriageError):
        services.assign_members(funding_request=submitted, members=[member], acting_user=ep)
    with pytest.raises(services.TriageInvalid, match="has declared an interest"):
        services.assign_members(
            funding_request=submitted, members=[member], acting_user=user_by_email(K_CLUSTER_ADMIN)
        )
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_every_criterion_is_scored_with_a_reason_or_nothing_is_saved(in_triage, ep):
    first, second = selectors.criteria_of(in_triage.council)
    with pytest.raises(services.TriageInvalid) as refused:
        services.score_request(
            funding_request=in_triage, scores={first.pk: (5, "Strong"), second.pk: (2, "")}, acting_user=ep
        )
    assert refused.value.errors == {
        f"criterion_{first.pk}": "The score for evidence of the graduated approach must be from 1 to 4",
        f"criterion_{second.pk}_why": "Enter why you gave that score for value for money",
    }
    assert not in_triage.scores.exists()
    services.score_request(funding_request=in_triage, scores=_scores(in_triage), acting_user=ep)
    services.score_request(funding_request=in_triage, scores=_scores(in_triage, 4), acting_user=ep)
    assert sorted(in_triage.scores.values_list("value", flat=True)) == [4, 4]


def test_the_meeting_sees_the_median_and_range_and_a_wide_spread_is_moderated(in_triage, ep, user_by_email):
    from clusterfund.accounts.roles import Role
    from clusterfund.accounts.services import create_person, grant_role
    from clusterfund.organisations import services as organisations

    other = create_person(
        email="st@kirklees.example", full_name="Sam Teacher", password=None, acting_user=None
    )
    grant_role(
        user=other,
        role=Role.TEAM_AROUND_THE_CLUSTER,
        council=in_triage.council,
        cluster=in_triage.cluster,
        acting_user=None,
    )
    member = organisations.add_team_member(
        cluster=in_triage.cluster,
        name="Sam Teacher",
        profession="specialist_teacher",
        organisation="",
        user=other,
        acting_user=None,
    )
    services.assign_members(funding_request=in_triage, members=[member], acting_user=ep)
    services.score_request(funding_request=in_triage, scores=_scores(in_triage, 1), acting_user=ep)
    services.score_request(funding_request=in_triage, scores=_scores(in_triage, 2), acting_user=other)
    summary = selectors.score_summary(in_triage)
    assert [(s.median_text, s.lowest, s.highest, s.needs_moderation) for s in summary] == [
        ("1.5", 1, 2, False)
    ] * 2
    services.score_request(funding_request=in_triage, scores=_scores(in_triage, 4), acting_user=other)
    assert selectors.needs_moderation(in_triage)  # 1 and 4 differ by the scheme's spread of 2 or more


def test_more_information_goes_back_to_the_school_and_returns(in_triage, ep, user_by_email):
    senco = user_by_email(K_SENCO)
    with pytest.raises(services.TriageInvalid, match="Enter the questions for the school"):
        services.ask_for_more_information(funding_request=in_triage, questions=" ", acting_user=ep)
    services.ask_for_more_information(
        funding_request=in_triage,
        questions="What did the speech and language therapist advise?",
        acting_user=ep,
    )
    in_triage.refresh_from_db()
    assert in_triage.status == "more_information"
    asked = selectors.open_questions(in_triage)
    assert selectors.days_waiting(asked, today=TODAY + datetime.timedelta(days=3)) == 3
    with pytest.raises(services.TriageError, match="Only the school answers"):
        services.answer_and_resubmit(funding_request=in_triage, answer="x", acting_user=ep)
    services.answer_and_resubmit(
        funding_request=in_triage, answer="Daily vocabulary work.", acting_user=senco
    )
    in_triage.refresh_from_db()
    assert in_triage.status == "submitted"
    assert selectors.open_questions(in_triage) is None
    services.assign_members(funding_request=in_triage, members=[], acting_user=ep)  # back into triage
    in_triage.refresh_from_db()
    assert in_triage.status == "in_triage"


def test_ready_for_meeting_needs_scores_and_never_more_than_asked(in_triage, ep):
    asked = services.amount_asked(in_triage)
    with pytest.raises(services.TriageInvalid) as refused:
        services.send_to_meeting(
            funding_request=in_triage, recommended_pence=asked + 1, recommendation="Fund it", acting_user=ep
        )
    assert refused.value.errors == {
        "recommended_pence": f"The recommended amount cannot be more than the £{asked / 100:,.2f} asked for",
        "recommendation": "Score the request against the scheme's criteria before it goes to a meeting",
    }
    services.score_request(funding_request=in_triage, scores=_scores(in_triage), acting_user=ep)
    decision = services.send_to_meeting(
        funding_request=in_triage,
        recommended_pence=asked - 100,
        recommendation="Fund most of it",
        acting_user=ep,
    )
    in_triage.refresh_from_db()
    assert in_triage.status == "ready_for_meeting"
    assert selectors.latest_decision(in_triage) == decision
    assert decision.recommended_pence == asked - 100


def test_resolving_with_advice_logs_it_against_the_school_and_pupils(in_triage, ep):
    record = services.resolve_with_advice(
        funding_request=in_triage,
        kind="consultation",
        given_on=TODAY,
        given_by="Dr Nadia Rahman, educational psychologist",
        advice="Use visual timetables and pre-teach vocabulary.",
        acting_user=ep,
    )
    in_triage.refresh_from_db()
    assert in_triage.status == "resolved_with_advice"
    assert list(record.pupils.all()) == list(in_triage.pupils.all())
    assert selectors.advice_of_request(in_triage) == [record]


def test_redirecting_needs_a_reason(in_triage, ep):
    with pytest.raises(services.TriageInvalid, match="Enter where the request is sent and why"):
        services.redirect_request(funding_request=in_triage, reason="", acting_user=ep)
    services.redirect_request(funding_request=in_triage, reason="EHC needs assessment route", acting_user=ep)
    in_triage.refresh_from_db()
    assert in_triage.status == "redirected"


def test_only_assigned_members_and_the_admin_decide(submitted, user_by_email, ep):
    with pytest.raises(services.TriageError, match="Only a member assigned"):
        services.redirect_request(funding_request=submitted, reason="No", acting_user=ep)


def test_advice_is_recorded_whether_or_not_money_follows(user_by_email, ep):
    school = School.objects.get(urn=151801)
    pupil = Pupil.objects.get(reference="ST-24-017")
    record = services.record_advice(
        school=school,
        pupils=[pupil],
        kind="visit",
        given_on=TODAY,
        given_by="Specialist teacher",
        advice="Seating near the front; ear defenders at lunch.",
        acting_user=ep,
    )
    assert list(record.pupils.all()) == [pupil]
    with pytest.raises(services.TriageInvalid) as refused:
        services.record_advice(
            school=school,
            pupils=[Pupil.objects.get(reference="BJ-0311")],
            kind="nonsense",
            given_on=TODAY + datetime.timedelta(days=1),
            given_by="",
            advice="",
            acting_user=ep,
        )
    assert set(refused.value.errors) == {"kind", "given_on", "given_by", "advice", "pupils"}
    with pytest.raises(services.TriageError, match="record advice"):
        services.record_advice(
            school=school,
            pupils=[],
            kind="visit",
            given_on=TODAY,
            given_by="Me",
            advice="x",
            acting_user=user_by_email("senco.abbeyhulton@stoke.example"),
        )
    assert AdviceRecord.objects.filter(school=school).count() >= 1


def test_schools_share_resources_and_others_in_the_cluster_ask_for_them(user_by_email):
    st_thomas, birkby = School.objects.get(urn=151801), School.objects.get(urn=107626)
    resource = services.share_resource(
        school=st_thomas,
        kind="room",
        title="Sensory room",
        description="Free on Tuesday afternoons.",
        acting_user=user_by_email(K_SENCO),
    )
    birkby_senco = user_by_email("senco.birkbyjunior@kirklees.example")
    asked = services.ask_for_resource(
        resource=resource, school=birkby, note="Two sessions a week for one pupil.", acting_user=birkby_senco
    )
    with pytest.raises(services.TriageError, match="its own resource"):
        services.ask_for_resource(
            resource=resource, school=st_thomas, note="x", acting_user=user_by_email(K_SENCO)
        )
    with pytest.raises(services.TriageError, match="Only the sharing school"):
        services.answer_resource_request(resource_request=asked, agree=True, acting_user=birkby_senco)
    services.answer_resource_request(resource_request=asked, agree=True, acting_user=user_by_email(K_SENCO))
    asked.refresh_from_db()
    assert asked.answer == ResourceRequest.Answer.AGREED
    assert resource in selectors.resources_for(birkby_senco)
    services.stop_sharing(resource=resource, acting_user=user_by_email(K_SENCO))
    assert resource not in selectors.resources_for(birkby_senco)


def test_an_interest_is_declared_once_and_can_be_withdrawn(ep):
    school = School.objects.get(urn=107626)
    interest = services.declare_interest(person=ep, school=school, description="Governor", acting_user=ep)
    with pytest.raises(services.TriageInvalid, match="already declared"):
        services.declare_interest(person=ep, school=school, description="Governor", acting_user=ep)
    services.withdraw_interest(interest=interest, acting_user=ep)
    assert Interest.objects.get(pk=interest.pk).withdrawn_at is not None


def test_a_meeting_is_never_recommended_nothing_and_a_shared_resource_must_be_named(in_triage, ep):
    services.score_request(funding_request=in_triage, scores=_scores(in_triage), acting_user=ep)
    with pytest.raises(services.TriageInvalid, match="must be more than £0"):
        services.send_to_meeting(
            funding_request=in_triage, recommended_pence=0, recommendation="x", acting_user=ep
        )
    with pytest.raises(services.TriageInvalid, match="Choose the resource another school shares"):
        services.resolve_with_advice(
            funding_request=in_triage,
            kind="resource",
            given_on=TODAY,
            given_by="EP",
            advice="Borrow it",
            acting_user=ep,
        )
