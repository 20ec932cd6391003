"""The triage pages on the demo: the queue, scoring, questions and answers, advice, the scheme."""

import datetime
import html

import pytest
from django.urls import reverse

from clusterfund.funding_requests import services as requests
from clusterfund.funding_requests.tests.builders import complete_individual_request
from clusterfund.organisations.models import School, TeamMember
from clusterfund.triage.models import Criterion, Interest, SharedResource

K_SENCO, K_EP, K_ADMIN = (
    "senco.stthomas@kirklees.example",
    "ep.cluster14@kirklees.example",
    "send.admin@kirklees.example",
)


@pytest.fixture
def submitted(user_by_email):
    senco = user_by_email(K_SENCO)
    school = School.objects.get(urn=151801)
    Criterion.objects.filter(council=school.council).update(is_active=False)  # the demo's criteria
    Criterion.objects.create(
        council=school.council, position=1, name="Value for money", descriptors=["Low", "High"]
    )
    return requests.submit_request(
        funding_request=complete_individual_request(school, senco), acting_user=senco
    )


def test_the_queue_and_the_triage_page(signed_in_client, submitted):
    client = signed_in_client(K_EP)
    page = client.get(reverse("triage:queue", args=[submitted.cluster_id])).content.decode()
    assert submitted.reference in page and "Nobody yet" in page
    member = TeamMember.objects.get(user__email=K_EP)
    response = client.post(reverse("triage:request", args=[submitted.pk]), {"members": [member.pk]})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == "in_triage"
    page = client.get(reverse("triage:queue", args=[submitted.cluster_id]), {"mine": "1"}).content.decode()
    assert submitted.reference in page


def test_scoring_shows_every_error_then_the_summary(signed_in_client, submitted, user_by_email):
    client = signed_in_client(K_EP)
    client.post(
        reverse("triage:request", args=[submitted.pk]),
        {"members": [TeamMember.objects.get(user__email=K_EP).pk]},
    )
    criterion = Criterion.objects.get(council=submitted.council, is_active=True)
    url = reverse("triage:score", args=[submitted.pk])
    page = client.post(url, {f"criterion_{criterion.pk}": "9"}).content.decode()
    assert "Choose a score for value for money" in page
    assert "Enter why you gave that score for value for money" in page
    assert (
        client.post(
            url, {f"criterion_{criterion.pk}": "2", f"criterion_{criterion.pk}_why": "Good"}
        ).status_code
        == 302
    )
    page = client.get(reverse("triage:request", args=[submitted.pk])).content.decode()
    assert "What the meeting sees" in page and "Good" in page


def test_questions_go_to_the_school_which_answers_them(signed_in_client, submitted, client):
    ep = signed_in_client(K_EP)
    ep.post(
        reverse("triage:request", args=[submitted.pk]),
        {"members": [TeamMember.objects.get(user__email=K_EP).pk]},
    )
    assert (
        "Enter the questions for the school"
        in ep.post(reverse("triage:questions", args=[submitted.pk]), {"questions": ""}).content.decode()
    )
    ep.post(reverse("triage:questions", args=[submitted.pk]), {"questions": "What did the therapist advise?"})
    ep.logout()
    school = signed_in_client(K_SENCO)
    page = school.get(reverse("funding_requests:request", args=[submitted.pk])).content.decode()
    assert "What did the therapist advise?" in page and "Answer the questions" in page
    assert (
        "Enter your answer to the questions"
        in school.post(reverse("triage:answer", args=[submitted.pk]), {"answer": " "}).content.decode()
    )
    assert (
        school.post(reverse("triage:answer", args=[submitted.pk]), {"answer": "Daily practice."}).status_code
        == 302
    )
    submitted.refresh_from_db()
    assert submitted.status == "submitted"
    history = school.get(reverse("funding_requests:history", args=[submitted.pk])).content.decode()
    assert "Asked the school: What did the therapist advise?" in history
    assert "Answered: Daily practice." in history


def test_the_team_records_advice_for_a_school(signed_in_client, db):
    school = School.objects.get(urn=151801)
    client = signed_in_client(K_EP)
    url = reverse("triage:record-advice", args=[school.pk])
    today = datetime.date.today()
    page = client.post(url, {"kind": "visit"}).content.decode()
    assert "Enter who gave the advice" in page and "Enter the date the advice was given" in page
    response = client.post(
        url,
        {
            "kind": "visit",
            "given_on-day": today.day,
            "given_on-month": today.month,
            "given_on-year": today.year,
            "given_by": "Specialist teacher",
            "advice": "Movement breaks every 20 minutes.",
        },
    )
    assert response.status_code == 302
    assert "Movement breaks" in client.get(reverse("triage:school-advice", args=[school.pk])).content.decode()


def test_schools_share_and_ask_on_the_resources_page(signed_in_client, db):
    school = School.objects.get(urn=151801)
    client = signed_in_client(K_SENCO)
    url = reverse("triage:share", args=[school.pk])
    assert "Choose what kind of resource it is" in client.post(url, {}).content.decode()
    client.post(url, {"kind": "room", "title": "Sensory room", "description": "Tuesday afternoons"})
    resource = SharedResource.objects.get(school=school, title="Sensory room")
    client.logout()
    other = signed_in_client("senco.birkbyjunior@kirklees.example")
    assert "Sensory room" in other.get(reverse("triage:resources")).content.decode()
    response = other.post(reverse("triage:ask-for-resource", args=[resource.pk]), {"note": "Two sessions"})
    assert response.status_code == 302
    assert resource.requests.count() == 1


def test_people_declare_their_interests(signed_in_client, user_by_email, db):
    client = signed_in_client(K_EP)
    page = client.post(reverse("triage:interests"), {"school": "", "description": ""}).content.decode()
    assert "Choose the school" in page and "Enter what the interest is" in page
    school = School.objects.get(urn=107626)
    client.post(reverse("triage:interests"), {"school": school.pk, "description": "Governor"})
    interest = Interest.objects.get(person=user_by_email(K_EP))
    assert interest.school == school
    client.post(reverse("triage:withdraw-interest", args=[interest.pk]))
    interest.refresh_from_db()
    assert interest.withdrawn_at is not None


def test_the_council_sets_the_scheme_and_its_criteria(signed_in_client, db):
    client = signed_in_client(K_ADMIN)
    url = reverse("triage:scheme", args=["kirklees"])
    page = html.unescape(
        client.post(url, {"criterion": "1", "name": "", "descriptors": "One"}).content.decode()
    )
    assert "Enter the criterion's name" in page
    page = client.post(
        url, {"criterion": "1", "name": "Impact on the school day", "descriptors": "One"}
    ).content.decode()
    assert "Give between 2 and 10 points on the scale" in page
    response = client.post(
        url, {"criterion": "1", "name": "Impact on the school day", "descriptors": "None\nSome\nMany"}
    )
    assert response.status_code == 302
    assert Criterion.objects.get(name="Impact on the school day").descriptors == ["None", "Some", "Many"]
    assert client.post(url, {"scheme": "1", "moderation_spread": "0"}).status_code == 200
    assert (
        client.post(url, {"scheme": "1", "moderation_spread": "3", "blind_papers": "on"}).status_code == 302
    )
    assert signed_in_client("auditor@kirklees.example").post(url, {"scheme": "1"}).status_code == 403
