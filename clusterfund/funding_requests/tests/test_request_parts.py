"""Writing each part of a request: validated whole, never half-saved, versioned once submitted."""

import datetime

import pytest

from clusterfund.audit.models import AuditEvent
from clusterfund.funding_requests import services
from clusterfund.funding_requests.lifecycle import RequestStatus
from clusterfund.funding_requests.models import JointSchool, RequestType
from clusterfund.funding_requests.permissions import can_view_request
from clusterfund.funding_requests.tests.builders import complete_individual_request
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
    with pytest.raises(services.RequestError, match="Only individual and group"):
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
        acting_user=birkby_senco,
    )
    joint.refresh_from_db()
    assert joint.answer == JointSchool.Answer.CONFIRMED
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
