"""Meetings: the year's defaults, the next meeting a request goes to, and arranging them."""

import datetime

import pytest
from django.urls import reverse

from clusterfund.funding_requests import services as requests
from clusterfund.funding_requests.tests.builders import complete_individual_request
from clusterfund.meetings import selectors, services
from clusterfund.meetings.models import Meeting
from clusterfund.organisations.models import AcademicYear, Cluster, Council, School

K_ADMIN, K_CLUSTER_ADMIN, K_SENCO = (
    "send.admin@kirklees.example",
    "cluster14.admin@kirklees.example",
    "senco.stthomas@kirklees.example",
)


def _year(slug):
    return AcademicYear.objects.filter(council__slug=slug).current()


def test_the_demo_has_each_schemes_rhythm(db):
    kirklees = Meeting.objects.filter(cluster__slug="cluster-14", academic_year=_year("kirklees"))
    assert kirklees.count() == 6 and set(kirklees.values_list("kind", flat=True)) == {"allocation"}
    stoke = Meeting.objects.filter(cluster__slug="central-cluster", academic_year=_year("stoke-on-trent"))
    kinds = list(stoke.values_list("kind", flat=True))
    # three of each by the rhythm; the demo's admin has also added an extra allocation meeting
    assert kinds.count("ideas") == 3 and kinds.count("allocation") in (3, 4)
    city = Meeting.objects.filter(cluster__slug="city-pool")
    assert city.count() == 3 and set(city.values_list("kind", flat=True)) == {"city"}
    for meeting in Meeting.objects.all():
        assert meeting.paper_deadline == meeting.held_on - datetime.timedelta(days=7)
        assert meeting.held_on.weekday() == 2  # a Wednesday


def test_defaults_are_made_once(db, user_by_email):
    council = Council.objects.get(slug="kirklees")
    before = Meeting.objects.count()
    services.create_default_meetings(
        council=council, academic_year=_year("kirklees"), acting_user=user_by_email(K_ADMIN)
    )
    assert Meeting.objects.count() == before


def test_a_request_goes_to_the_next_meeting_whose_deadline_has_not_passed(db, user_by_email):
    senco = user_by_email(K_SENCO)
    fr = requests.submit_request(
        funding_request=complete_individual_request(School.objects.get(urn=151801), senco), acting_user=senco
    )
    expected = (
        Meeting.objects.filter(
            cluster=fr.cluster, paper_deadline__gte=datetime.date.today(), status="planned"
        )
        .exclude(kind="ideas")
        .order_by("held_on")
        .first()
    )
    assert fr.meeting == expected
    later = datetime.date.today() + datetime.timedelta(days=400)
    assert selectors.next_meeting_for(fr, today=later) is None


def test_meetings_are_added_moved_and_cancelled_with_every_error_shown(db, user_by_email):
    admin = user_by_email(K_CLUSTER_ADMIN)
    cluster = Cluster.objects.get(slug="cluster-14")
    year = _year("kirklees")
    with pytest.raises(services.MeetingInvalid) as refused:
        services.add_meeting(
            cluster=cluster,
            academic_year=year,
            kind="vote",
            held_on=year.ends_on + datetime.timedelta(days=1),
            paper_deadline=year.ends_on + datetime.timedelta(days=5),
            place="",
            online_link="",
            chair=None,
            acting_user=admin,
        )
    assert set(refused.value.errors) == {"kind", "held_on", "paper_deadline", "place"}
    day = year.starts_on + datetime.timedelta(days=100)
    meeting = services.add_meeting(
        cluster=cluster,
        academic_year=year,
        kind="allocation",
        held_on=day,
        paper_deadline=None,
        place="Ashbrow School library",
        online_link="",
        chair=None,
        acting_user=admin,
    )
    assert meeting.paper_deadline == day - datetime.timedelta(days=7)
    services.move_meeting(
        meeting=meeting,
        held_on=day + datetime.timedelta(days=1),
        paper_deadline=day - datetime.timedelta(days=3),
        place="Online",
        online_link="https://meet.example/cluster14",
        chair=None,
        acting_user=admin,
    )
    meeting.refresh_from_db()
    assert meeting.paper_deadline == day - datetime.timedelta(days=3)
    with pytest.raises(services.MeetingError, match="arranges meetings"):
        services.cancel_meeting(meeting=meeting, reason="x", acting_user=user_by_email(K_SENCO))


def test_cancelling_a_meeting_moves_its_requests_to_the_next(db, user_by_email):
    meetings = Meeting.objects.exclude(requests=None).filter(cluster__slug="cluster-14", vote_opened_at=None)
    fr = meetings.first().requests.first()
    meeting = fr.meeting
    services.cancel_meeting(
        meeting=meeting, reason="Snow closed the schools", acting_user=user_by_email(K_ADMIN)
    )
    fr.refresh_from_db()
    assert fr.meeting is not None and fr.meeting.held_on > meeting.held_on


def test_the_meetings_pages(signed_in_client, db):
    cluster = Cluster.objects.get(slug="cluster-14")
    client = signed_in_client(K_CLUSTER_ADMIN)
    assert "Add a meeting" in client.get(reverse("meetings:list", args=[cluster.pk])).content.decode()
    page = client.post(reverse("meetings:add", args=[cluster.pk]), {}).content.decode()
    assert "Choose what the meeting is for" in page and "Enter the date of the meeting" in page
    meeting = Meeting.objects.filter(cluster=cluster, status="planned").last()
    page = client.post(
        reverse("meetings:cancel", args=[cluster.pk, meeting.pk]), {"reason": ""}
    ).content.decode()
    assert "Enter why the meeting is cancelled" in page
    response = client.post(
        reverse("meetings:cancel", args=[cluster.pk, meeting.pk]), {"reason": "Ofsted visit"}
    )
    assert response.status_code == 302
    assert "Ofsted visit" in client.get(reverse("meetings:list", args=[cluster.pk])).content.decode()


def _ready_request(user_by_email):
    """A St Thomas request the team has sent to the meeting with a recommended amount."""
    from clusterfund.organisations.models import TeamMember
    from clusterfund.triage import services as triage
    from clusterfund.triage.models import Criterion

    senco, ep = user_by_email(K_SENCO), user_by_email("ep.cluster14@kirklees.example")
    fr = requests.submit_request(
        funding_request=complete_individual_request(School.objects.get(urn=151801), senco), acting_user=senco
    )
    triage.assign_members(funding_request=fr, members=[TeamMember.objects.get(user=ep)], acting_user=ep)
    scores = {c.pk: (2, "Fair") for c in Criterion.objects.filter(council=fr.council, is_active=True)}
    triage.score_request(funding_request=fr, scores=scores, acting_user=ep)
    triage.send_to_meeting(
        funding_request=fr, recommended_pence=40_000, recommendation="Fund", acting_user=ep
    )
    fr.refresh_from_db()
    return fr


def test_the_agenda_is_built_ordered_and_frozen_with_amounts_eligibility_and_a_lot(db, user_by_email):
    admin = user_by_email(K_CLUSTER_ADMIN)
    fr = _ready_request(user_by_email)
    meeting = fr.meeting
    added = services.build_agenda(meeting=meeting, acting_user=admin)
    assert fr.pk in {item.funding_request_id for item in added}
    assert services.build_agenda(meeting=meeting, acting_user=admin) == []  # nothing twice
    items = selectors.agenda_of(meeting)
    services.order_agenda(meeting=meeting, item_ids=[i.pk for i in reversed(items)], acting_user=admin)
    with pytest.raises(services.MeetingInvalid):
        services.order_agenda(meeting=meeting, item_ids=[items[0].pk], acting_user=admin)
    services.freeze_agenda(meeting=meeting, acting_user=admin)
    meeting.refresh_from_db()
    assert meeting.is_frozen and sorted(meeting.lot) == sorted(i.funding_request.reference for i in items)
    item = next(i for i in selectors.agenda_of(meeting) if i.funding_request_id == fr.pk)
    assert item.amount_pence == 40_000
    assert fr.lead_school_id not in item.eligible_school_ids
    assert len(item.eligible_school_ids) == 10  # the other ten schools of Cluster 14
    with pytest.raises(services.MeetingError, match="already frozen"):
        services.freeze_agenda(meeting=meeting, acting_user=admin)
    with pytest.raises(services.MeetingError, match="frozen"):
        services.build_agenda(meeting=meeting, acting_user=admin)


def test_attendance_and_the_quorum(db, user_by_email):
    admin = user_by_email(K_CLUSTER_ADMIN)
    meeting = Meeting.objects.filter(cluster__slug="cluster-14", status="planned", frozen_at=None).first()
    assert selectors.quorum(meeting) == (0, 6, False)  # half of 11 schools, rounded up
    schools = list(
        School.objects.filter(
            memberships__cluster=meeting.cluster, memberships__academic_year=meeting.academic_year
        )
    )
    for school in schools[:6]:
        services.record_attendance(meeting=meeting, school=school, mode="online", acting_user=admin)
    assert selectors.quorum(meeting) == (6, 6, True)
    with pytest.raises(services.MeetingInvalid, match="not a member school"):
        services.record_attendance(
            meeting=meeting, school=School.objects.get(urn=146487), mode="online", acting_user=admin
        )
