"""Writing each part of a request: validated whole, never half-saved, versioned once submitted."""

import datetime

import pytest

from clusterfund.audit.models import AuditEvent
from clusterfund.funding_requests import services
from clusterfund.funding_requests.lifecycle import RequestStatus, StateTransitionError
from clusterfund.funding_requests.models import JointSchool, RequestType
from clusterfund.funding_requests.permissions import can_view_request
from clusterfund.funding_requests.tests.builders import (
    complete_individual_request,
    complete_joint_group_request,
)
from clusterfund.organisations.models import School
from clusterfund.pupils.models import Pupil

ST_THOMAS, BIRKBY_JUNIOR = 151801, 107626


@pytest.fixture
def senco(user_by_email):
    return user_by_email("senco.stthomas@kirklees.example")


@pytest.fixture
def st_thomas(db):
    return School.objects.get(urn=ST_THOMAS)


@pytest.fixture
def draft(st_thomas, senco):
    return complete_individual_request(st_thomas, senco)


def test_a_part_with_any_error_saves_nothing_and_names_every_field(draft, senco):
    with pytest.raises(services.RequestInvalid) as invalid:
        services.change_graduated_approach(
            funding_request=draft,
            assessed="New assessment",
            planned=" ",
            done="x" * 5001,
            reviewed="",
            advice_received="",
            acting_user=senco,
        )
    assert invalid.value.errors == {
        "planned": "Enter what was planned",
        "done": "What was done, and for how long must be 5,000 characters or fewer",
        "reviewed": "Enter what changed",
    }
    draft.refresh_from_db()
    assert draft.assessed == "Speech link screening in September."


def test_a_line_total_is_units_times_cost_rounded_half_up_to_whole_pence(draft, senco):
    line = services.add_provision_line(
        funding_request=draft,
        what="Specialist teacher",
        provider="Cluster outreach",
        units="1.5",
        unit_cost_pence=3333,
        term=draft.academic_year.terms.get(number=3),
        acting_user=senco,
    )
    assert line.total_pence == 5000  # 4999.5 rounds half up


def test_negative_costs_and_nonsense_units_are_refused(draft, senco):
    with pytest.raises(services.RequestInvalid) as invalid:
        services.add_provision_line(
            funding_request=draft,
            what="",
            provider="Staff",
            units="-2",
            unit_cost_pence=-100,
            term=None,
            acting_user=senco,
        )
    assert set(invalid.value.errors) == {"what", "units", "unit_cost", "term"}
    assert invalid.value.errors["unit_cost"] == "The cost of one hour or unit cannot be negative"
    assert draft.provision_lines.count() == 1


def test_the_schemes_cap_on_a_request_holds(draft, senco):
    council = draft.council
    council.request_cap_pence = 100_000
    council.save()
    draft.refresh_from_db()
    with pytest.raises(services.RequestInvalid, match="at most £1,000.00"):
        services.add_provision_line(
            funding_request=draft,
            what="Outreach",
            provider="Specialist school",
            units="10",
            unit_cost_pence=9_500,
            term=draft.academic_year.terms.get(number=2),
            acting_user=senco,
        )
    assert draft.provision_lines.count() == 1


def test_dates_must_be_in_order(draft, senco):
    year = draft.academic_year
    with pytest.raises(services.RequestInvalid) as invalid:
        services.change_dates(
            funding_request=draft, start_date=year.ends_on, end_date=year.starts_on, acting_user=senco
        )
    assert invalid.value.errors == {"end_date": "The end date must be the same as or after the start date"}


def test_consent_cannot_be_in_the_future_and_only_named_pupils_need_it(draft, senco, st_thomas):
    with pytest.raises(services.RequestInvalid, match="today or in the past"):
        services.record_consent(
            funding_request=draft,
            consent_date=datetime.date.today() + datetime.timedelta(days=1),
            consent_method="email",
            acting_user=senco,
        )
    project = services.start_request(
        school=st_thomas, request_type=RequestType.PROJECT, title="Cluster training", acting_user=senco
    )
    with pytest.raises(services.RequestError, match="Only requests that name pupils"):
        services.record_consent(
            funding_request=project,
            consent_date=datetime.date.today(),
            consent_method="email",
            acting_user=senco,
        )


def test_a_change_after_submission_is_a_new_version_with_what_changed(draft, senco, user_by_email):
    services.submit_request(funding_request=draft, acting_user=senco)
    draft.refresh_from_db()
    services.change_about_the_need(
        funding_request=draft,
        title=draft.title,
        need="Now also finding playtimes hard.",
        primary_area=draft.primary_area,
        other_areas=draft.other_areas,
        acting_user=senco,
    )
    draft.refresh_from_db()
    assert draft.version == 2
    latest = draft.versions.first()
    assert [change["field"] for change in latest.changes] == ["need"]
    assert latest.changes[0]["after"] == "Now also finding playtimes hard."
    event = AuditEvent.objects.filter(action="request.need_changed", object_id=str(draft.pk)).latest("pk")
    assert event.after == {"version": 2, "fields": ["need"]}  # never the text itself
    # Saving the same again changes nothing and makes no version.
    services.change_about_the_need(
        funding_request=draft,
        title=draft.title,
        need="Now also finding playtimes hard.",
        primary_area=draft.primary_area,
        other_areas=draft.other_areas,
        acting_user=senco,
    )
    assert draft.versions.count() == 2


def test_a_request_in_triage_can_no_longer_be_changed(draft, senco, user_by_email):
    services.submit_request(funding_request=draft, acting_user=senco)
    services.move_request(
        funding_request=draft,
        target=RequestStatus.IN_TRIAGE,
        acting_user=user_by_email("ep.cluster14@kirklees.example"),
    )
    with pytest.raises(services.RequestError, match="in triage and can no longer be changed"):
        services.change_dates(
            funding_request=draft, start_date=draft.start_date, end_date=draft.end_date, acting_user=senco
        )


def test_a_schools_draft_is_its_own_until_submitted(draft, senco, user_by_email):
    admin = user_by_email("cluster14.admin@kirklees.example")
    council_admin = user_by_email("send.admin@kirklees.example")
    assert can_view_request(senco, draft)
    assert not can_view_request(admin, draft) and not can_view_request(council_admin, draft)
    with pytest.raises(services.RequestError, match="cannot change"):
        services.change_dates(
            funding_request=draft,
            start_date=draft.start_date,
            end_date=draft.end_date,
            acting_user=council_admin,
        )
    services.submit_request(funding_request=draft, acting_user=senco)
    draft.refresh_from_db()
    assert can_view_request(admin, draft) and can_view_request(council_admin, draft)
    assert not can_view_request(user_by_email("senco.birkbyjunior@kirklees.example"), draft)


def test_a_cluster_admin_keys_in_a_paper_request_for_a_member_school(st_thomas, user_by_email):
    admin = user_by_email("cluster14.admin@kirklees.example")
    paper = services.start_request(
        school=st_thomas, request_type=RequestType.ADVICE_ONLY, title="Discussion", acting_user=admin
    )
    assert paper.entered_on_paper and can_view_request(admin, paper)
    stoke_school = School.objects.get(urn=146487)
    with pytest.raises(services.RequestError, match="cannot write requests"):
        services.start_request(
            school=stoke_school, request_type=RequestType.ADVICE_ONLY, title="Discussion", acting_user=admin
        )


def test_a_joint_group_request_waits_for_each_school_to_confirm_its_part(st_thomas, senco, user_by_email):
    birkby = School.objects.get(urn=BIRKBY_JUNIOR)
    birkby_senco = user_by_email("senco.birkbyjunior@kirklees.example")
    draft = services.start_request(
        school=st_thomas, request_type=RequestType.GROUP, title="Transition group", acting_user=senco
    )
    services.choose_pupils(
        funding_request=draft, pupils=[Pupil.objects.get(reference="ST-23-042")], acting_user=senco
    )
    joint = services.invite_school(funding_request=draft, school=birkby, acting_user=senco)
    with pytest.raises(services.RequestInvalid, match="already been invited"):
        services.invite_school(funding_request=draft, school=birkby, acting_user=senco)
    assert can_view_request(birkby_senco, draft)
    problems = services.problems_before_submission(draft)
    assert "Wait for Birkby Junior School to confirm or decline, or take them off the request" in problems
    assert "Choose at least 2 pupils for a group request" in problems
    with pytest.raises(services.RequestError, match="cannot answer"):
        services.answer_invitation(joint_school=joint, confirm=True, part="x", pupils=[], acting_user=senco)
    with pytest.raises(services.RequestInvalid, match="own school"):
        services.answer_invitation(
            joint_school=joint,
            confirm=True,
            part="Two pupils join the group",
            pupils=[Pupil.objects.get(reference="ST-24-017")],
            acting_user=birkby_senco,
        )
    services.answer_invitation(
        joint_school=joint,
        confirm=True,
        part="Our Year 6 pupil joins the group",
        pupils=[Pupil.objects.get(reference="BJ-0419")],
        consent_date=datetime.date.today() - datetime.timedelta(days=4),
        consent_method="meeting",
        acting_user=birkby_senco,
    )
    joint.refresh_from_db()
    assert joint.answer == JointSchool.Answer.CONFIRMED
    assert (joint.consent_date, joint.consent_method) == (
        datetime.date.today() - datetime.timedelta(days=4),
        "meeting",
    )
    assert sorted(p.reference for p in draft.pupils.all()) == ["BJ-0419", "ST-23-042"]
    problems = services.problems_before_submission(draft)
    assert not any("Wait for" in problem or "pupils" in problem for problem in problems)
    # The lead school re-choosing its own pupils leaves the joint school's pupils alone.
    services.choose_pupils(
        funding_request=draft, pupils=[Pupil.objects.get(reference="ST-24-017")], acting_user=senco
    )
    assert sorted(p.reference for p in draft.pupils.all()) == ["BJ-0419", "ST-24-017"]


def test_only_schools_of_the_cluster_can_be_invited(st_thomas, senco):
    draft = services.start_request(
        school=st_thomas, request_type=RequestType.PROJECT, title="Training", acting_user=senco
    )
    with pytest.raises(services.RequestInvalid, match="open school in the request's cluster"):
        services.invite_school(
            funding_request=draft, school=School.objects.get(urn=146487), acting_user=senco
        )
    with pytest.raises(services.RequestInvalid, match="leads the request"):
        services.invite_school(funding_request=draft, school=st_thomas, acting_user=senco)


def test_a_contingency_request_goes_to_the_city_meeting_only_where_there_is_a_city_pool(
    st_thomas, senco, user_by_email
):
    kirklees = services.start_request(
        school=st_thomas, request_type=RequestType.CONTINGENCY, title="Emergency", acting_user=senco
    )
    values = {"title": "Emergency", "need": "Arrived last week.", "primary_area": "semh", "other_areas": []}
    with pytest.raises(services.RequestInvalid, match="city meeting, where there is one"):
        services.change_about_the_need(
            funding_request=kirklees, acting_user=senco, to_city_meeting=True, **values
        )
    stoke_senco = user_by_email("senco.abbeyhulton@stoke.example")
    stoke = services.start_request(
        school=School.objects.get(urn=146487),
        request_type=RequestType.CONTINGENCY,
        title="Emergency",
        acting_user=stoke_senco,
    )
    services.change_about_the_need(
        funding_request=stoke, acting_user=stoke_senco, to_city_meeting=True, **values
    )
    stoke.refresh_from_db()
    assert stoke.to_city_meeting and stoke.is_urgent


def test_outcomes_and_terms_outside_the_support_dates_stop_submission(draft, senco):
    year = draft.academic_year
    services.add_provision_line(
        funding_request=draft,
        what="Summer follow-up",
        provider="Staff",
        units="2",
        unit_cost_pence=1000,
        term=year.terms.get(number=3),
        acting_user=senco,
    )
    services.change_dates(
        funding_request=draft,
        start_date=year.starts_on + datetime.timedelta(days=7),
        end_date=year.starts_on + datetime.timedelta(days=60),
        acting_user=senco,
    )
    draft.refresh_from_db()
    problems = services.problems_before_submission(draft)
    assert (
        "‘Summer follow-up’ is costed in the summer term, outside the dates the support runs: "
        in " ".join(problems)
    )
    services.change_dates(
        funding_request=draft,
        start_date=year.ends_on - datetime.timedelta(days=10),
        end_date=year.ends_on,
        acting_user=senco,
    )
    draft.refresh_from_db()
    assert any(
        "1 outcome is due before the support starts" in problem
        for problem in services.problems_before_submission(draft)
    )


# --- a submitted request stays complete ------------------------------------------------------------


@pytest.fixture
def submitted(draft, senco):
    services.submit_request(funding_request=draft, acting_user=senco)
    draft.refresh_from_db()
    return draft


def _unchanged_since_submission(fr):
    fr.refresh_from_db()
    return fr.version == 1 and fr.versions.count() == 1


def test_after_submission_a_change_that_leaves_the_request_incomplete_is_refused_whole(submitted, senco):
    outcome, line = submitted.outcomes.get(), submitted.provision_lines.get()
    kept = (outcome.pk, line.pk)
    audited = AuditEvent.objects.filter(object_id=str(submitted.pk)).count()
    with pytest.raises(services.ChangeRefused) as refused:
        services.remove_outcome(outcome=outcome, acting_user=senco)
    assert refused.value.problems == ["Add at least one outcome that can be checked"]
    assert str(refused.value) == (
        "This change was not saved, because a submitted request must stay complete. "
        "Add at least one outcome that can be checked."
    )
    with pytest.raises(services.ChangeRefused, match="Add the costed provision"):
        services.remove_provision_line(line=line, acting_user=senco)
    assert submitted.outcomes.filter(pk=kept[0]).exists()
    assert submitted.provision_lines.filter(pk=kept[1]).exists()
    assert _unchanged_since_submission(submitted)
    assert AuditEvent.objects.filter(object_id=str(submitted.pk)).count() == audited


def test_after_submission_dates_that_leave_a_costed_term_outside_them_are_refused(submitted, senco):
    year = submitted.academic_year
    summer = year.terms.get(number=3).half_terms.order_by("starts_on").first().starts_on
    with pytest.raises(services.ChangeRefused) as refused:
        services.change_dates(
            funding_request=submitted,
            start_date=summer,
            end_date=year.ends_on,
            acting_user=senco,
        )
    assert any("is costed in the spring term, outside the dates" in p for p in refused.value.problems)
    assert _unchanged_since_submission(submitted)
    assert submitted.start_date == year.starts_on + datetime.timedelta(days=60)


def test_a_draft_may_be_left_incomplete_while_it_is_written(draft, senco):
    services.remove_outcome(outcome=draft.outcomes.get(), acting_user=senco)
    assert not draft.outcomes.exists()
    assert "Add at least one outcome that can be checked" in services.problems_before_submission(draft)


def test_submitting_twice_says_it_has_already_been_submitted(submitted, senco):
    with pytest.raises(StateTransitionError, match="^This request has already been submitted.$"):
        services.submit_request(funding_request=submitted, acting_user=senco)


# --- the parent's or carer's agreement belongs to the pupils it was given for ----------------------


def test_on_a_draft_adding_a_pupil_clears_the_agreement_and_taking_one_off_keeps_it(st_thomas, senco):
    group = services.start_request(
        school=st_thomas, request_type=RequestType.GROUP, title="Group", acting_user=senco
    )
    first, second, third = (Pupil.objects.get(reference=r) for r in ("ST-24-017", "ST-23-042", "ST-22-088"))
    services.choose_pupils(funding_request=group, pupils=[first, second], acting_user=senco)
    agreed = datetime.date.today() - datetime.timedelta(days=2)
    services.record_consent(
        funding_request=group, consent_date=agreed, consent_method="email", acting_user=senco
    )
    services.choose_pupils(funding_request=group, pupils=[first], acting_user=senco)
    group.refresh_from_db()
    assert (group.consent_date, group.consent_method) == (agreed, "email")
    services.choose_pupils(funding_request=group, pupils=[first, third], acting_user=senco)
    group.refresh_from_db()
    assert (group.consent_date, group.consent_method) == (None, "")
    assert not services.task_status(group)["consent"]
    event = AuditEvent.objects.filter(action="request.pupils_chosen", object_id=str(group.pk)).latest("pk")
    assert event.after == {"consent": "cleared"}


def test_once_submitted_a_new_pupil_needs_the_new_agreement_in_the_same_change(submitted, senco):
    other = Pupil.objects.get(reference="ST-23-042")
    with pytest.raises(services.RequestInvalid) as invalid:
        services.choose_pupils(funding_request=submitted, pupils=[other], acting_user=senco)
    assert invalid.value.errors == {"consent_date": services.NEW_PUPILS_NEED_CONSENT}
    assert invalid.value.errors["consent_date"].startswith(
        "Record the parent's or carer's agreement for the new pupils"
    )
    assert _unchanged_since_submission(submitted)
    assert list(submitted.pupils.values_list("reference", flat=True)) == ["ST-24-017"]
    with pytest.raises(services.RequestInvalid, match="today or in the past"):
        services.choose_pupils(
            funding_request=submitted,
            pupils=[other],
            consent_date=datetime.date.today() + datetime.timedelta(days=1),
            consent_method="phone",
            acting_user=senco,
        )
    services.choose_pupils(
        funding_request=submitted,
        pupils=[other],
        consent_date=datetime.date.today(),
        consent_method="phone",
        acting_user=senco,
    )
    submitted.refresh_from_db()
    assert (submitted.version, submitted.consent_date, submitted.consent_method) == (
        2,
        datetime.date.today(),
        "phone",
    )
    latest = submitted.versions.first()
    assert [change["field"] for change in latest.changes] == ["pupils", "consent"]
    assert latest.changes[0]["after"] == ["ST-23-042"]


def test_a_contingency_request_naming_pupils_needs_the_agreement_too(st_thomas, senco):
    emergency = services.start_request(
        school=st_thomas, request_type=RequestType.CONTINGENCY, title="Emergency", acting_user=senco
    )
    assert emergency.needs_consent and "consent" in services.task_status(emergency)
    services.choose_pupils(
        funding_request=emergency, pupils=[Pupil.objects.get(reference="ST-22-088")], acting_user=senco
    )
    assert "Record the parent's or carer's agreement to the referral" in services.problems_before_submission(
        emergency
    )
    services.record_consent(
        funding_request=emergency,
        consent_date=datetime.date.today(),
        consent_method="phone",
        acting_user=senco,
    )
    emergency.refresh_from_db()
    assert services.task_status(emergency)["consent"]
    assert not any("agreement" in p for p in services.problems_before_submission(emergency))


def test_a_joint_school_confirms_a_group_with_its_own_pupils_and_their_agreement(
    st_thomas, senco, user_by_email
):
    birkby = School.objects.get(urn=BIRKBY_JUNIOR)
    birkby_senco = user_by_email("senco.birkbyjunior@kirklees.example")
    group = services.start_request(
        school=st_thomas, request_type=RequestType.GROUP, title="Transition group", acting_user=senco
    )
    joint = services.invite_school(funding_request=group, school=birkby, acting_user=senco)
    answer = {"joint_school": joint, "confirm": True, "part": "Our pupil joins", "acting_user": birkby_senco}
    with pytest.raises(services.RequestInvalid) as invalid:
        services.answer_invitation(**answer, pupils=[])
    assert invalid.value.errors == {
        "pupils": "Choose at least one of your school's pupils who joins the group",
        "consent_date": "Enter the date the parent or carer agreed",
        "consent_method": "Choose how the agreement was recorded",
    }
    pupil = Pupil.objects.get(reference="BJ-0419")
    with pytest.raises(services.RequestInvalid) as invalid:
        services.answer_invitation(
            **answer,
            pupils=[pupil],
            consent_date=datetime.date.today() - datetime.timedelta(days=400),
            consent_method="by pigeon",
        )
    assert invalid.value.errors == {
        "consent_date": "The agreement must have been given within the last year",
        "consent_method": "Choose how the agreement was recorded",
    }
    joint.refresh_from_db()
    assert joint.answer == JointSchool.Answer.INVITED and not group.pupils.exists()
    # Declining needs neither pupils nor an agreement, and clears any given before.
    services.answer_invitation(**{**answer, "confirm": False}, pupils=[pupil])
    joint.refresh_from_db()
    assert (joint.answer, joint.consent_date, group.pupils.count()) == (JointSchool.Answer.DECLINED, None, 0)


def test_a_projects_joint_school_names_no_pupils(st_thomas, senco, user_by_email):
    project = services.start_request(
        school=st_thomas, request_type=RequestType.PROJECT, title="Training", acting_user=senco
    )
    joint = services.invite_school(
        funding_request=project, school=School.objects.get(urn=BIRKBY_JUNIOR), acting_user=senco
    )
    birkby_senco = user_by_email("senco.birkbyjunior@kirklees.example")
    with pytest.raises(services.RequestInvalid, match="A project is for pupils not yet identified"):
        services.answer_invitation(
            joint_school=joint,
            confirm=True,
            part="We host a session",
            pupils=[Pupil.objects.get(reference="BJ-0419")],
            acting_user=birkby_senco,
        )
    services.answer_invitation(
        joint_school=joint, confirm=True, part="We host a session", pupils=[], acting_user=birkby_senco
    )
    joint.refresh_from_db()
    assert joint.answer == JointSchool.Answer.CONFIRMED and joint.consent_date is None


def test_after_submission_the_joint_school_is_told_its_part_is_settled(st_thomas, senco, user_by_email):
    birkby_senco = user_by_email("senco.birkbyjunior@kirklees.example")
    group = complete_joint_group_request(
        st_thomas, senco, joining=School.objects.get(urn=BIRKBY_JUNIOR), joining_senco=birkby_senco
    )
    assert services.problems_before_submission(group) == []
    services.submit_request(funding_request=group, acting_user=senco)
    joint = group.joint_schools.get()
    with pytest.raises(
        services.RequestError, match="^This request has been submitted, so your school's part can no longer"
    ):
        services.answer_invitation(
            joint_school=joint, confirm=False, part="", pupils=[], acting_user=birkby_senco
        )
    assert "its pupils' parents or carers agreed" in group.versions.get().snapshot["joint_schools"][0]
