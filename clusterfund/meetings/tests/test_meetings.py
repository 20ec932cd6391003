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
    assert sorted(stoke.values_list("kind", flat=True)) == ["allocation"] * 3 + ["ideas"] * 3
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
    fr = Meeting.objects.exclude(requests=None).filter(cluster__slug="cluster-14").first().requests.first()
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
