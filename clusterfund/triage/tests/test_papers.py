"""Blind papers on the demo: Stoke's meetings read requests blind."""

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clusterfund.funding_requests import services as requests
from clusterfund.funding_requests.models import FundingRequest
from clusterfund.organisations.models import School
from clusterfund.pupils.models import Pupil
from clusterfund.triage import papers, services

S_CHAIR, S_SENCO, S_EP, S_CLUSTER_ADMIN = (
    "locality.lead@stoke.example",
    "senco.abbeyhulton@stoke.example",
    "ep.central@stoke.example",
    "central.admin@stoke.example",
)


@pytest.fixture
def abbey_hulton_request(db, user_by_email, tmp_path, settings):
    """A submitted Abbey Hulton request whose text names the school, its SENCO, a pupil and its town."""
    settings.PRIVATE_FILES_ROOT = tmp_path
    fr = (
        FundingRequest.objects.filter(lead_school__urn=146487, status="submitted")
        .exclude(request_type="advice")
        .first()
    )
    senco = user_by_email(S_SENCO)
    reference = Pupil.objects.filter(school=fr.lead_school).first().reference
    requests.change_about_the_need(
        funding_request=fr,
        title=fr.title,
        need=f"At Abbey Hulton Primary, Gemma Hollins has watched {reference} struggle since Year 1. "
        "Abbey Hulton's TA works with them in Stoke-on-Trent every morning.",
        primary_area=fr.primary_area or "communication_interaction",
        other_areas=[],
        acting_user=senco,
    )
    for name, anonymised in (("abbey-hulton-report.pdf", False), ("plan.pdf", True)):
        requests.add_attachment(
            funding_request=fr,
            upload=SimpleUploadedFile(name, b"%PDF-1.4\n%%EOF\n"),
            kind="application/pdf",
            description="Report by Gemma Hollins",
            is_anonymised=anonymised,
            acting_user=senco,
        )
    fr.refresh_from_db()
    return fr


def _text(response) -> str:
    return html.unescape(response.content.decode())


def test_a_blind_reader_sees_only_the_paper(signed_in_client, abbey_hulton_request):
    fr = abbey_hulton_request
    page = _text(signed_in_client(S_CHAIR).get(reverse("funding_requests:request", args=[fr.pk])))
    reference = Pupil.objects.filter(school=fr.lead_school).first().reference
    for identifying in (
        "Abbey Hulton",
        "Gemma Hollins",
        reference,
        "abbey-hulton-report",
        fr.lead_school.postcode,
    ):
        assert identifying not in page
    assert "[school]" in page and "[staff member]" in page and "[pupil]" in page
    assert "Document 2" in page and "1 document is withheld" in page


def test_a_blind_reader_cannot_open_the_history_or_a_withheld_document(
    signed_in_client, abbey_hulton_request
):
    client = signed_in_client(S_CHAIR)
    fr = abbey_hulton_request
    assert client.get(reverse("funding_requests:history", args=[fr.pk])).status_code == 404
    withheld, anonymised = fr.attachments.order_by("uploaded_at")
    assert (
        client.get(reverse("funding_requests:download-attachment", args=[withheld.token])).status_code == 404
    )
    response = client.get(reverse("funding_requests:download-attachment", args=[anonymised.token]))
    assert response.status_code == 200
    assert "abbey" not in response["Content-Disposition"].lower()


def test_the_school_and_the_admins_read_it_in_full(signed_in_client, abbey_hulton_request):
    for email in (S_SENCO, S_CLUSTER_ADMIN, "send.admin@stoke.example"):
        page = _text(
            signed_in_client(email).get(reverse("funding_requests:request", args=[abbey_hulton_request.pk]))
        )
        assert "Gemma Hollins has watched" in page, email


def test_lists_hide_the_school_from_blind_readers(signed_in_client, abbey_hulton_request):
    page = _text(
        signed_in_client(S_CHAIR).get(
            reverse("funding_requests:cluster", args=[abbey_hulton_request.cluster_id])
        )
    )
    assert abbey_hulton_request.reference in page
    assert "Abbey Hulton Primary School" not in page


def test_the_school_rewords_its_paper_and_the_rewording_is_redacted_too(
    signed_in_client, abbey_hulton_request, user_by_email
):
    client = signed_in_client(S_SENCO)
    fr = abbey_hulton_request
    url = reverse("triage:reword", args=[fr.pk, "need"])
    assert "[school]" in _text(client.get(url))
    client.post(url, {"text": "The pupil at Abbey Hulton struggles with spoken language every morning."})
    paper = papers.paper_for(fr)
    assert paper.text("need") == "The pupil at [school] struggles with spoken language every morning."
    # Once the school changes the text it reworded, its wording is set aside.
    requests.change_about_the_need(
        funding_request=fr,
        title=fr.title,
        need="A new account of the need at Abbey Hulton.",
        primary_area=fr.primary_area,
        other_areas=[],
        acting_user=user_by_email(S_SENCO),
    )
    fr.refresh_from_db()
    assert papers.paper_for(fr).text("need") == "A new account of the need at [school]."


def test_someone_with_an_interest_does_not_see_the_schools_requests_when_blind(
    signed_in_client, abbey_hulton_request, user_by_email
):
    chair = user_by_email(S_CHAIR)
    services.declare_interest(
        person=chair, school=School.objects.get(urn=146487), description="Governor", acting_user=chair
    )
    client = signed_in_client(S_CHAIR)
    assert client.get(reverse("funding_requests:request", args=[abbey_hulton_request.pk])).status_code == 404
    assert abbey_hulton_request.reference not in _text(
        client.get(reverse("triage:queue", args=[abbey_hulton_request.cluster_id]))
    )


def test_no_paper_of_the_blind_demo_names_a_school_a_pupil_or_a_member_of_staff(db):
    from clusterfund.accounts.models import RoleAssignment

    stoke = FundingRequest.objects.filter(council__slug="stoke-on-trent").exclude(status="draft")
    schools = list(School.objects.filter(council__slug="stoke-on-trent"))
    staff = set(
        RoleAssignment.objects.filter(council__slug="stoke-on-trent", role="school_staff").values_list(
            "user__full_name", flat=True
        )
    )
    references = set(
        Pupil.objects.filter(school__council__slug="stoke-on-trent").values_list("reference", flat=True)
    )
    assert stoke.count() > 5
    for fr in stoke:
        paper = papers.paper_for(fr)
        text = " ".join(
            [t.text for t in paper.texts]
            + [o["what"] + " " + o["how_measured"] for o in paper.outcomes]
            + [line["what"] + " " + line["provider"] for line in paper.lines]
            + paper.pupils
        )
        for school in schools:
            assert school.name not in text, (fr.reference, school.name)
            assert not school.postcode or school.postcode not in text
        for name in staff | references:
            assert name not in text, (fr.reference, name)


def test_the_api_gives_a_blind_reader_the_paper_and_never_the_request(api_client, abbey_hulton_request):
    fr = abbey_hulton_request
    client = api_client(S_CHAIR)
    listed = client.get("/api/v1/requests", {"status": "submitted"}).json()["items"]
    row = next(item for item in listed if item["id"] == fr.pk)
    assert row["lead_school"] is None and row["title"] == "[withheld: blind paper]"
    refused = client.get(f"/api/v1/requests/{fr.pk}")
    assert refused.status_code == 403 and f"/api/v1/papers/{fr.pk}" in refused.json()["detail"]
    paper = client.get(f"/api/v1/papers/{fr.pk}")
    assert paper.status_code == 200
    body = paper.content.decode()
    for identifying in ("Abbey Hulton", "Gemma Hollins", "abbey-hulton-report", fr.lead_school.postcode):
        assert identifying not in body
    assert paper.json()["withheld_documents"] == 1
    assert api_client(S_SENCO).get(f"/api/v1/requests/{fr.pk}").status_code == 200
    assert api_client("senco.stthomas@kirklees.example").get(f"/api/v1/papers/{fr.pk}").status_code == 404


def test_an_interest_hides_the_schools_requests_from_lists_and_the_api(
    signed_in_client, api_client, abbey_hulton_request, user_by_email
):
    chair = user_by_email(S_CHAIR)
    services.declare_interest(
        person=chair, school=School.objects.get(urn=146487), description="Governor", acting_user=chair
    )
    page = _text(
        signed_in_client(S_CHAIR).get(
            reverse("funding_requests:cluster", args=[abbey_hulton_request.cluster_id])
        )
    )
    assert abbey_hulton_request.reference not in page
    client = api_client(S_CHAIR)
    assert abbey_hulton_request.pk not in {
        item["id"] for item in client.get("/api/v1/requests").json()["items"]
    }
    assert client.get(f"/api/v1/papers/{abbey_hulton_request.pk}").status_code == 404


def test_other_schools_staff_and_anyone_with_a_title_are_redacted_too(signed_in_client, abbey_hulton_request):
    client = signed_in_client(S_SENCO)
    client.post(
        reverse("triage:reword", args=[abbey_hulton_request.pk, "need"]),
        {"text": "Tomasz Nowak and Mrs Patel met Ms J. Okafor and Dr. Rahman about the pupil."},
    )
    assert papers.paper_for(abbey_hulton_request).text("need") == (
        "[staff member] and [staff member] met [staff member] and [staff member] about the pupil."
    )
