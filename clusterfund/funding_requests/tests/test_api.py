"""Funding requests through the JSON API: the same services, permissions and audit as the request pages."""

import datetime
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clusterfund.audit.models import AuditEvent
from clusterfund.funding_requests import services
from clusterfund.funding_requests.lifecycle import RequestStatus
from clusterfund.funding_requests.models import FundingRequest, JointSchool, Outcome, ProvisionLine
from clusterfund.funding_requests.tests.builders import (
    complete_individual_request,
    complete_joint_group_request,
)
from clusterfund.funding_requests.versions import snapshot
from clusterfund.organisations.models import School
from clusterfund.pupils.models import Pupil

K_SENCO, K_BIRKBY = "senco.stthomas@kirklees.example", "senco.birkbyjunior@kirklees.example"
K_ADMIN, K_CLUSTER_ADMIN, K_EP = (
    "send.admin@kirklees.example",
    "cluster14.admin@kirklees.example",
    "ep.cluster14@kirklees.example",
)
ST_THOMAS, BIRKBY, ABBEY_HULTON = 151801, 107626, 146487
REQUESTS = "/api/v1/requests"
NOT_FOUND = {"detail": "Not Found"}


def school(urn):
    return School.objects.get(urn=urn)


def pupil_ids(*references):
    return [Pupil.objects.get(reference=reference).pk for reference in references]


def send(client, method, url, body=None):
    data = "" if body is None else json.dumps(body)
    return client.generic(method, url, data, content_type="application/json")


def at(request_id, *parts):
    return "/".join([REQUESTS, str(request_id), *(str(part) for part in parts)])


def ok(response, status=200):
    assert response.status_code == status, response.content.decode()
    return response.json()


@pytest.fixture
def senco(user_by_email):
    return user_by_email(K_SENCO)


@pytest.fixture
def st_thomas_client(api_client):
    return api_client(K_SENCO)


@pytest.fixture
def draft(db, senco):
    """An individual draft of St Thomas's with every part written, through the services."""
    return complete_individual_request(school(ST_THOMAS), senco)


@pytest.fixture
def submitted(draft, senco):
    return services.submit_request(funding_request=draft, acting_user=senco)


def saved_state(funding_request):
    """Everything a reader sees in the request and every change the audit log holds (reads are audited
    too, and change nothing), to show nothing changed."""
    fresh = FundingRequest.objects.get(pk=funding_request.pk)
    changes = AuditEvent.objects.exclude(action="request.viewed").count()
    return (fresh.status, fresh.version, snapshot(fresh), changes)


# The parts as a SENCO writes them, for a request in `year`.


def need(**overrides):
    return {
        "title": "Support to settle into class",
        "need": "Finds the classroom overwhelming and leaves it several times a day.",
        "primary_area": "semh",
        "other_areas": ["sensory_physical"],
        **overrides,
    }


def approach(**overrides):
    return {
        "assessed": "Boxall profile in September.",
        "planned": "A calm space and a key adult at the start of the day.",
        "done": "Six weeks of morning check-ins with a teaching assistant.",
        "reviewed": "Fewer exits in the morning; afternoons are still hard.",
        **overrides,
    }


def dates(year, **overrides):
    return {
        "start_date": str(year.starts_on + datetime.timedelta(days=60)),
        "end_date": str(year.ends_on - datetime.timedelta(days=30)),
        **overrides,
    }


def outcome(year, **overrides):
    return {
        "what": "Stays in class for the whole afternoon on four days a week",
        "by_when": str(year.ends_on - datetime.timedelta(days=30)),
        "how_measured": "The class teacher's daily log",
        **overrides,
    }


def line(year, **overrides):
    return {
        "what": "Teaching assistant, afternoon support",
        "provider": "St Thomas staff",
        "units": "30",
        "unit_cost_pence": 2250,
        "term_id": year.terms.get(number=2).pk,
        **overrides,
    }


def consent(**overrides):
    return {
        "consent_date": str(datetime.date.today() - datetime.timedelta(days=2)),
        "consent_method": "email",
        **overrides,
    }


# --- the OpenAPI document --------------------------------------------------------------------------

OPERATIONS = {
    "/api/v1/requests": {"get", "post"},
    "/api/v1/requests/{request_id}": {"get"},
    "/api/v1/requests/{request_id}/need": {"put"},
    "/api/v1/requests/{request_id}/approach": {"put"},
    "/api/v1/requests/{request_id}/pupils": {"put"},
    "/api/v1/requests/{request_id}/benefit": {"put"},
    "/api/v1/requests/{request_id}/dates": {"put"},
    "/api/v1/requests/{request_id}/consent": {"put"},
    "/api/v1/requests/{request_id}/outcomes": {"post"},
    "/api/v1/requests/{request_id}/outcomes/{outcome_id}": {"put", "delete"},
    "/api/v1/requests/{request_id}/provision-lines": {"post"},
    "/api/v1/requests/{request_id}/provision-lines/{line_id}": {"put", "delete"},
    "/api/v1/requests/{request_id}/joint-schools": {"post"},
    "/api/v1/requests/{request_id}/joint-schools/{joint_school_id}": {"delete"},
    "/api/v1/requests/{request_id}/invitation": {"post"},
    "/api/v1/requests/{request_id}/submit": {"post"},
    "/api/v1/requests/{request_id}/withdraw": {"post"},
}


def openapi():
    return Client().get("/api/v1/openapi.json").json()


def test_the_openapi_document_describes_every_request_operation_with_its_choices(db):
    schema = openapi()
    requests = {path: set(ops) for path, ops in schema["paths"].items() if path.startswith(REQUESTS)}
    assert requests == OPERATIONS
    for path in requests:
        for operation in schema["paths"][path].values():
            assert operation["security"] and operation["tags"] == ["Funding requests"]
    shapes = schema["components"]["schemas"]
    assert shapes["RequestType"]["enum"] == ["advice", "individual", "group", "project", "contingency"]
    assert {"draft", "submitted", "withdrawn"} <= set(shapes["RequestStatus"]["enum"])
    assert shapes["ConsentMethod"]["enum"] == ["signed_form", "email", "meeting", "phone"]
    assert "semh" in shapes["AreaOfNeed"]["enum"]
    assert shapes["NeedIn"]["properties"]["primary_area"] == {"$ref": "#/components/schemas/AreaOfNeed"}
    assert set(shapes["RequestPupilOut"]["properties"]) == {"id", "reference", "school_id"}
    assert "problems" in shapes["SubmitRefusedOut"]["properties"]
    assert {"consent_date", "consent_method"} <= set(shapes["PupilsIn"]["properties"])
    assert {"consent_date", "consent_method"} <= set(shapes["InvitationAnswerIn"]["properties"])
    assert {"consent_date", "consent_method"} <= set(shapes["JointSchoolOut"]["properties"])
    pupils = schema["paths"]["/api/v1/requests/{request_id}/pupils"]["put"]["responses"]
    assert pupils["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/SubmitRefusedOut"
    }
    assert "409" in pupils
    submit = schema["paths"]["/api/v1/requests/{request_id}/submit"]["post"]
    assert submit["operationId"] == "submit_request" and {"400", "403", "404", "409"} <= set(
        submit["responses"]
    )


@pytest.mark.parametrize(
    "path, method", sorted((path, method) for path, ops in OPERATIONS.items() for method in ops)
)
def test_every_operation_needs_a_token_and_a_browser_s_session_is_not_one(path, method, user_by_email):
    url = re.sub(r"\{\w+\}", "1", path)
    assert send(Client(), method.upper(), url, {}).status_code == 401
    signed_in = Client()
    signed_in.force_login(user_by_email(K_SENCO))
    response = send(signed_in, method.upper(), url, {})
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")


# --- writing and submitting each type of request ---------------------------------------------------

PUPILS = {
    "advice": [],
    "individual": ["ST-24-017"],
    "group": ["ST-24-017", "ST-23-042"],
    "project": None,
    "contingency": ["ST-22-088"],
}


@pytest.mark.parametrize("request_type", list(PUPILS))
def test_a_senco_writes_checks_and_submits_each_type_of_request(st_thomas_client, senco, request_type):
    client = st_thomas_client
    started = ok(
        send(
            client,
            "POST",
            REQUESTS,
            {"school_id": school(ST_THOMAS).pk, "request_type": request_type, "title": "  Settling in  "},
        ),
        201,
    )
    request_id = started["id"]
    assert (started["status"], started["version"], started["title"]) == ("draft", 0, "Settling in")
    assert started["lead_school"]["name"] == "St Thomas CE Primary School" and not started["entered_on_paper"]
    assert started["is_urgent"] is (request_type == "contingency")
    assert started["problems"][0] == "Describe the need and choose its main area"
    assert started["tasks"]["need"] is started["tasks"]["approach"] is False
    year = FundingRequest.objects.get(pk=request_id).academic_year

    ok(send(client, "PUT", at(request_id, "need"), need()))
    if PUPILS[request_type]:
        chosen = ok(
            send(client, "PUT", at(request_id, "pupils"), {"pupil_ids": pupil_ids(*PUPILS[request_type])})
        )
        assert [p["reference"] for p in chosen["pupils"]] == sorted(PUPILS[request_type])
    if request_type == "project":
        members = [school(ST_THOMAS).pk, school(BIRKBY).pk]
        body = ok(
            send(
                client,
                "PUT",
                at(request_id, "benefit"),
                {"children_benefiting": 40, "benefiting_school_ids": members},
            )
        )
        assert body["children_benefiting"] == 40
        assert {s["id"] for s in body["benefiting_schools"]} == set(members)
    ok(send(client, "PUT", at(request_id, "approach"), approach()))
    if request_type != "advice":
        ok(send(client, "PUT", at(request_id, "dates"), dates(year)))
        added = ok(send(client, "POST", at(request_id, "outcomes"), outcome(year)), 201)
        assert added["position"] == 1 and added["what"].startswith("Stays in class")
        costed = ok(send(client, "POST", at(request_id, "provision-lines"), line(year, units=1.5)), 201)
        assert (costed["units"], costed["unit_cost_pence"], costed["total_pence"]) == ("1.5", 2250, 3375)
        assert costed["term"] == {"id": year.terms.get(number=2).pk, "name": str(year.terms.get(number=2))}
    if request_type in ("individual", "group", "contingency"):
        assert ready_to_consent(client, request_id)
        ok(send(client, "PUT", at(request_id, "consent"), consent()))

    ready = ok(client.get(at(request_id)))
    assert all(ready["tasks"].values()) and ready["problems"] == []
    assert ready["can_change"] and ready["can_withdraw"]
    assert ready["amount_asked_pence"] == (0 if request_type == "advice" else 3375)

    body = ok(send(client, "POST", at(request_id, "submit")))
    assert (body["status"], body["version"], body["problems"]) == ("submitted", 1, [])
    assert body["submitted_at"] and [v["number"] for v in body["versions"]] == [1]
    assert body["versions"][0]["created_by"] == senco.full_name and body["versions"][0]["changes"] == []
    saved = FundingRequest.objects.get(pk=request_id)
    assert (saved.status, saved.version, saved.request_type) == (RequestStatus.SUBMITTED, 1, request_type)
    event = AuditEvent.objects.get(action="request.submitted", object_id=str(request_id))
    assert event.actor == senco and event.after == {"status": "submitted", "version": 1}


def ready_to_consent(client, request_id):
    """Everything is written but the parent's or carer's agreement, which the request still needs."""
    record = ok(client.get(at(request_id)))
    return record["problems"] == ["Record the parent's or carer's agreement to the referral"]


def test_reading_a_request_shows_its_parts_by_reference_never_a_pupil_s_name(
    st_thomas_client, draft, settings, tmp_path
):
    settings.PRIVATE_FILES_ROOT = tmp_path
    services.add_attachment(
        funding_request=draft,
        upload=SimpleUploadedFile("report.pdf", b"%PDF-1.4\n%%EOF\n"),
        kind="application/pdf",
        description="Speech link report",
        acting_user=draft.created_by,
    )
    response = st_thomas_client.get(at(draft.pk))
    record = ok(response)
    assert response["Cache-Control"] == "no-store"
    amelia = Pupil.objects.get(reference="ST-24-017")
    assert record["pupils"] == [{"id": amelia.pk, "reference": "ST-24-017", "school_id": amelia.school_id}]
    assert amelia.name and amelia.name not in response.content.decode()
    assert record["request_type"] == "individual" and record["primary_area"] == "communication_interaction"
    assert record["other_areas"] == ["semh"] and record["consent_method"] == "signed_form"
    assert record["cluster"] == {"id": draft.cluster_id, "name": draft.cluster.name}
    assert record["academic_year"] == draft.academic_year.name
    [line_out] = record["provision_lines"]
    assert (line_out["units"], line_out["unit_cost_pence"], line_out["total_pence"]) == ("20", 2550, 51000)
    assert record["amount_asked_pence"] == 51000
    assert record["outcomes"][0]["how_measured"] == "Speech link re-screen and teacher observation"
    [attachment] = record["attachments"]
    token = draft.attachments.get().token
    assert attachment == {
        "name": "report.pdf",
        "content_type": "application/pdf",
        "size_bytes": 15,
        "description": "Speech link report",
        "school_id": draft.lead_school_id,
        "uploaded_at": attachment["uploaded_at"],
        "download_url": reverse("funding_requests:download-attachment", args=[token]),
    }
    assert record["tasks"] == {
        "need": True,
        "pupils": True,
        "approach": True,
        "outcomes": True,
        "provision": True,
        "consent": True,
    }
    assert record["status"] == "draft" and record["versions"] == [] and record["problems"] == []
    viewed = AuditEvent.objects.get(action="request.viewed", object_id=str(draft.pk))
    assert viewed.actor == draft.created_by


def test_submitting_an_incomplete_draft_lists_every_problem_and_changes_nothing(st_thomas_client, senco):
    fr = services.start_request(
        school=school(ST_THOMAS), request_type="group", title="Social skills", acting_user=senco
    )
    services.choose_pupils(
        funding_request=fr, pupils=Pupil.objects.filter(pk__in=pupil_ids("ST-24-017")), acting_user=senco
    )
    before = saved_state(fr)
    response = send(st_thomas_client, "POST", at(fr.pk, "submit"))
    assert response.status_code == 400
    body = response.json()
    assert body["problems"] == services.problems_before_submission(fr)
    assert body["problems"][:2] == [
        "Describe the need and choose its main area",
        "Choose at least 2 pupils for a group request",
    ]
    assert (
        body["errors"] == {"request": "; ".join(body["problems"])}
        and body["detail"] == body["errors"]["request"]
    )
    assert saved_state(fr) == before


def test_submitting_twice_is_a_conflict(st_thomas_client, submitted):
    response = send(st_thomas_client, "POST", at(submitted.pk, "submit"))
    assert response.status_code == 409
    assert response.json()["detail"] == "This request has already been submitted."


# --- what the rules refuse -------------------------------------------------------------------------


def _year(fr):
    return fr.academic_year


BAD_PARTS = [
    pytest.param(
        "POST",
        "provision-lines",
        lambda fr: line(_year(fr), unit_cost_pence=-1),
        {"unit_cost_pence": "The cost of one hour or unit cannot be negative"},
        id="negative unit cost",
    ),
    pytest.param(
        "POST",
        "provision-lines",
        lambda fr: line(_year(fr), units="1.005"),
        {"units": "Hours or units must be 9,999.99 or fewer, to at most 2 decimal places"},
        id="units to three places",
    ),
    pytest.param(
        "POST",
        "provision-lines",
        lambda fr: line(_year(fr), term_id=999999),
        lambda fr: {"term_id": f"Choose a term in {fr.academic_year.name}"},
        id="a term of no year",
    ),
    pytest.param(
        "PUT",
        "dates",
        lambda fr: dates(_year(fr), end_date=str(_year(fr).starts_on + datetime.timedelta(days=59))),
        {"end_date": "The end date must be the same as or after the start date"},
        id="end before start",
    ),
    pytest.param(
        "PUT",
        "consent",
        lambda fr: consent(consent_date=str(datetime.date.today() + datetime.timedelta(days=1))),
        {"consent_date": "The date the parent or carer agreed must be today or in the past"},
        id="consent in the future",
    ),
    pytest.param(
        "PUT",
        "need",
        lambda fr: need(need="   ", other_areas=["semh"]),
        {
            "need": "Enter the need in plain words",
            "other_areas": "Do not choose the main area of need again as another area",
        },
        id="no need and the main area twice",
    ),
    pytest.param(
        "PUT",
        "approach",
        lambda fr: approach(planned="", done="x" * 5001),
        {
            "planned": "Enter what was planned",
            "done": "What was done, and for how long must be 5,000 characters or fewer",
        },
        id="approach half written",
    ),
    pytest.param(
        "PUT",
        "pupils",
        lambda fr: {"pupil_ids": pupil_ids("ST-24-017", "ST-23-042")},
        {"pupil_ids": "Choose the one pupil this request is for"},
        id="two pupils for an individual request",
    ),
    pytest.param(
        "PUT",
        "pupils",
        lambda fr: {"pupil_ids": pupil_ids("BJ-0311")},
        lambda fr: {
            "pupil_ids": f"Choose pupils from your school's records: no pupil {pupil_ids('BJ-0311')[0]}"
        },
        id="another school's pupil",
    ),
    pytest.param(
        "POST",
        "outcomes",
        lambda fr: outcome(_year(fr), by_when=str(fr.start_date - datetime.timedelta(days=1))),
        {"by_when": "The date must be on or after the support starts"},
        id="outcome before the support starts",
    ),
]


@pytest.mark.parametrize("method, part, body, errors", BAD_PARTS)
def test_the_rules_refuse_a_bad_part_field_by_field_and_save_nothing(
    st_thomas_client, draft, method, part, body, errors
):
    before = saved_state(draft)
    response = send(st_thomas_client, method, at(draft.pk, part), body(draft))
    errors = errors(draft) if callable(errors) else errors
    assert response.status_code == 400, response.content.decode()
    assert response.json()["errors"] == errors
    assert all(message in response.json()["detail"] for message in errors.values())
    assert saved_state(draft) == before


@pytest.mark.parametrize(
    "method, part, body",
    [
        ("PUT", "need", need(primary_area="happiness")),
        ("PUT", "need", need(other_areas=["sadness"])),
        ("PUT", "consent", consent(consent_method="carrier pigeon")),
        ("PUT", "dates", {"start_date": "next week", "end_date": "2026-12-01"}),
        ("PUT", "approach", {"assessed": "Only this"}),
        ("PUT", "need", need(upn="A123456789012")),
        (
            "POST",
            "provision-lines",
            {"what": "x", "provider": "y", "units": "lots", "unit_cost_pence": 1, "term_id": 1},
        ),
    ],
)
def test_a_malformed_part_is_422_and_saves_nothing(st_thomas_client, draft, method, part, body):
    before = saved_state(draft)
    response = send(st_thomas_client, method, at(draft.pk, part), body)
    assert response.status_code == 422 and response.json()["detail"][0]["loc"]
    assert saved_state(draft) == before


def test_parts_that_do_not_apply_to_a_type_are_refused(st_thomas_client, senco):
    advice = services.start_request(
        school=school(ST_THOMAS), request_type="advice", title="A", acting_user=senco
    )
    project = services.start_request(
        school=school(ST_THOMAS), request_type="project", title="P", acting_user=senco
    )
    year = advice.academic_year
    refusals = [
        (advice, "POST", "outcomes", outcome(year), "An advice-only request asks for no support"),
        (advice, "PUT", "dates", dates(year), "An advice-only request asks for no support"),
        (advice, "POST", "provision-lines", line(year), "An advice-only request asks for no money"),
        (advice, "PUT", "benefit", {"children_benefiting": 3, "benefiting_school_ids": []}, "Only a project"),
        (project, "PUT", "pupils", {"pupil_ids": []}, "A project is for pupils not yet identified"),
        (project, "PUT", "consent", consent(), "Only requests that name pupils"),
    ]
    for fr, method, part, body, message in refusals:
        before = saved_state(fr)
        response = send(st_thomas_client, method, at(fr.pk, part), body)
        assert response.status_code == 400 and response.json()["detail"].startswith(message), part
        assert saved_state(fr) == before


def test_a_contingency_request_asks_for_the_city_meeting_only_where_there_is_a_city_pool(api_client):
    stoke, kirklees = api_client("senco.abbeyhulton@stoke.example"), api_client(K_SENCO)
    start = {"request_type": "contingency", "title": "Emergency"}
    in_stoke = ok(send(stoke, "POST", REQUESTS, {**start, "school_id": school(ABBEY_HULTON).pk}), 201)
    in_kirklees = ok(send(kirklees, "POST", REQUESTS, {**start, "school_id": school(ST_THOMAS).pk}), 201)
    city = ok(send(stoke, "PUT", at(in_stoke["id"], "need"), need(to_city_meeting=True)))
    assert city["to_city_meeting"] is True and city["is_urgent"] is True
    refused = send(kirklees, "PUT", at(in_kirklees["id"], "need"), need(to_city_meeting=True))
    assert refused.status_code == 400 and refused.json()["errors"] == {
        "to_city_meeting": "Only a contingency request can go to a city meeting, where there is one"
    }
    assert FundingRequest.objects.get(pk=in_kirklees["id"]).need == ""
    # The whole part is saved each time: leaving the meeting out puts the request back to the cluster's.
    assert ok(send(stoke, "PUT", at(in_stoke["id"], "need"), need()))["to_city_meeting"] is False


def test_units_are_exact_whether_sent_as_a_string_or_a_number(st_thomas_client, draft):
    year = draft.academic_year
    as_text = ok(
        send(
            st_thomas_client,
            "POST",
            at(draft.pk, "provision-lines"),
            line(year, units="2.25", unit_cost_pence=3333),
        ),
        201,
    )
    as_number = ok(
        send(
            st_thomas_client,
            "POST",
            at(draft.pk, "provision-lines"),
            line(year, units=2.25, unit_cost_pence=3333),
        ),
        201,
    )
    assert as_text["units"] == as_number["units"] == "2.25"
    assert as_text["total_pence"] == as_number["total_pence"] == 7499  # 7499.25 rounded half up


# --- changing outcomes, lines and pupils -----------------------------------------------------------


def test_outcomes_and_lines_are_changed_and_removed_one_at_a_time(st_thomas_client, draft):
    client, year = st_thomas_client, draft.academic_year
    outcome_id, line_id = draft.outcomes.get().pk, draft.provision_lines.get().pk
    changed = ok(send(client, "PUT", at(draft.pk, "outcomes", outcome_id), outcome(year, what="Reads aloud")))
    assert [o["what"] for o in changed["outcomes"]] == ["Reads aloud"]
    changed = ok(send(client, "PUT", at(draft.pk, "provision-lines", line_id), line(year, units="4")))
    assert [(row["id"], row["total_pence"]) for row in changed["provision_lines"]] == [(line_id, 9000)]
    assert changed["amount_asked_pence"] == 9000
    removed = ok(send(client, "DELETE", at(draft.pk, "outcomes", outcome_id)))
    assert removed["outcomes"] == [] and removed["tasks"]["outcomes"] is False
    assert "Add at least one outcome that can be checked" in removed["problems"]
    removed = ok(send(client, "DELETE", at(draft.pk, "provision-lines", line_id)))
    assert removed["provision_lines"] == [] and removed["amount_asked_pence"] == 0
    assert not Outcome.objects.filter(pk=outcome_id).exists()
    assert not ProvisionLine.objects.filter(pk=line_id).exists()
    assert send(client, "DELETE", at(draft.pk, "outcomes", outcome_id)).json() == NOT_FOUND


def test_an_outcome_or_line_of_another_request_is_not_found(st_thomas_client, draft, senco):
    other = complete_individual_request(school(ST_THOMAS), senco, pupil_reference="ST-23-042")
    year = draft.academic_year
    before = saved_state(other)
    outcome_id, line_id = other.outcomes.get().pk, other.provision_lines.get().pk
    for method, url, body in [
        ("PUT", at(draft.pk, "outcomes", outcome_id), outcome(year)),
        ("DELETE", at(draft.pk, "outcomes", outcome_id), None),
        ("PUT", at(draft.pk, "provision-lines", line_id), line(year)),
        ("DELETE", at(draft.pk, "provision-lines", line_id), None),
    ]:
        assert send(st_thomas_client, method, url, body).status_code == 404, (method, url)
    assert saved_state(other) == before


# --- versions after submission, and withdrawal -----------------------------------------------------


def test_a_change_after_submission_is_a_new_version_in_the_versions_list(st_thomas_client, submitted, senco):
    url = at(submitted.pk, "need")
    body = need(
        title=submitted.title,
        need="Now also struggling at lunchtimes.",
        primary_area=submitted.primary_area,
        other_areas=submitted.other_areas,
    )
    changed = ok(send(st_thomas_client, "PUT", url, body))
    assert (changed["status"], changed["version"]) == ("submitted", 2)
    assert [v["number"] for v in changed["versions"]] == [2, 1]
    [change] = changed["versions"][0]["changes"]
    assert change["field"] == "need" and change["after"] == "Now also struggling at lunchtimes."
    assert changed["versions"][0]["created_by"] == senco.full_name
    event = AuditEvent.objects.filter(action="request.need_changed", object_id=str(submitted.pk)).latest("pk")
    assert event.after == {"version": 2, "fields": ["need"]} and "lunchtimes" not in json.dumps(event.after)
    # Saving the same again changes nothing, so it is no new version.
    assert ok(send(st_thomas_client, "PUT", url, body))["version"] == 2
    assert FundingRequest.objects.get(pk=submitted.pk).version == 2


def test_withdrawal_needs_a_reason_and_happens_once(st_thomas_client, submitted):
    url = at(submitted.pk, "withdraw")
    before = saved_state(submitted)
    response = send(st_thomas_client, "POST", url, {"reason": "   "})
    assert response.status_code == 400
    assert response.json()["errors"] == {"reason": "Enter why the request is being withdrawn"}
    assert send(st_thomas_client, "POST", url, {}).status_code == 422
    assert saved_state(submitted) == before
    withdrawn = ok(send(st_thomas_client, "POST", url, {"reason": "Support found in school"}))
    assert (withdrawn["status"], withdrawn["withdrawn_reason"]) == ("withdrawn", "Support found in school")
    assert not withdrawn["can_change"] and not withdrawn["can_withdraw"]
    again = send(st_thomas_client, "POST", url, {"reason": "Twice"})
    assert again.status_code == 409
    assert again.json()["detail"] == "This request has already been withdrawn."
    assert FundingRequest.objects.get(pk=submitted.pk).withdrawn_reason == "Support found in school"


def test_a_withdrawn_request_can_no_longer_be_changed_and_says_why(
    api_client, st_thomas_client, submitted, senco
):
    services.withdraw_request(funding_request=submitted, reason="No longer needed", acting_user=senco)
    team = api_client(K_EP)
    before = saved_state(submitted)
    for method, url, body in _touches(submitted)[1:-2]:
        response = send(st_thomas_client, method, url, body)
        assert response.status_code == 409, (method, url)
        assert response.json() == {
            "detail": "This request is withdrawn and can no longer be changed.",
            "errors": {},
        }
    # Someone who never changes the request is still simply refused.
    response = send(team, "PUT", at(submitted.pk, "need"), need())
    assert (response.status_code, response.json()) == (403, {"detail": "You may not do this"})
    assert saved_state(submitted) == before


# --- who may see and change a request --------------------------------------------------------------


def _touches(fr):
    """Every kind of operation on the request, as (method, url, body)."""
    year = fr.academic_year
    return [
        ("GET", at(fr.pk), None),
        ("PUT", at(fr.pk, "need"), need()),
        ("PUT", at(fr.pk, "pupils"), {"pupil_ids": []}),
        ("POST", at(fr.pk, "outcomes"), outcome(year)),
        ("DELETE", at(fr.pk, "provision-lines", fr.provision_lines.get().pk), None),
        ("POST", at(fr.pk, "submit"), None),
        ("POST", at(fr.pk, "withdraw"), {"reason": "Not ours"}),
    ]


@pytest.mark.parametrize("kind", ["draft", "submitted"])
def test_another_school_s_senco_finds_nothing_just_as_for_a_missing_request(api_client, draft, senco, kind):
    if kind == "submitted":
        services.submit_request(funding_request=draft, acting_user=senco)
    birkby = api_client(K_BIRKBY)
    before = saved_state(draft)
    for method, url, body in _touches(draft):
        hidden = send(birkby, method, url, body)
        missing = send(birkby, method, url.replace(f"/{draft.pk}", "/999999"), body)
        assert hidden.status_code == missing.status_code == 404, (method, url)
        assert hidden.json() == missing.json() == NOT_FOUND
    assert not AuditEvent.objects.filter(action="request.viewed", object_id=str(draft.pk)).exists()
    assert draft.pk not in {item["id"] for item in birkby.get(REQUESTS).json()["items"]}
    assert saved_state(draft) == before


def test_a_school_s_draft_is_its_own_until_submitted(api_client, draft):
    for email in (K_ADMIN, K_CLUSTER_ADMIN, K_EP):
        client = api_client(email)
        assert client.get(at(draft.pk)).status_code == 404, email
        assert draft.pk not in {item["id"] for item in client.get(REQUESTS).json()["items"]}


def test_the_council_and_cluster_see_a_submitted_request_but_cannot_change_it(api_client, submitted):
    clients = {email: api_client(email) for email in (K_ADMIN, K_CLUSTER_ADMIN, K_EP)}
    before = saved_state(submitted)
    for email, client in clients.items():
        record = ok(client.get(at(submitted.pk)))
        assert record["reference"] == submitted.reference and not record["can_change"]
        assert submitted.pk in {item["id"] for item in client.get(REQUESTS).json()["items"]}
        for method, url, body in _touches(submitted)[1:-1]:
            response = send(client, method, url, body)
            assert response.status_code == 403, (email, method, url)
            assert response.json() == {"detail": "You may not do this"}
    # The cluster's staff never withdraw a school's request; the council's SEND team may.
    for email in (K_CLUSTER_ADMIN, K_EP):
        assert send(clients[email], "POST", at(submitted.pk, "withdraw"), {"reason": "x"}).status_code == 403
    assert saved_state(submitted) == before
    council = ok(send(clients[K_ADMIN], "POST", at(submitted.pk, "withdraw"), {"reason": "School closed"}))
    assert council["status"] == "withdrawn"


def test_drafts_are_started_only_for_schools_whose_requests_the_person_writes(api_client):
    body = {"school_id": school(ST_THOMAS).pk, "request_type": "advice", "title": "Phone referral"}
    before = FundingRequest.objects.count()
    assert send(api_client(K_BIRKBY), "POST", REQUESTS, body).status_code == 404
    assert (
        send(api_client(K_SENCO), "POST", REQUESTS, {**body, "school_id": school(BIRKBY).pk}).status_code
        == 404
    )
    assert send(api_client(K_SENCO), "POST", REQUESTS, {**body, "school_id": 999999}).status_code == 404
    # The educational psychologist sees the cluster's schools but writes no requests for them.
    assert send(api_client(K_EP), "POST", REQUESTS, body).status_code == 403
    assert send(api_client(K_SENCO), "POST", REQUESTS, {**body, "title": "  "}).json() == {
        "detail": "Enter a short title for the request.",
        "errors": {},
    }
    assert send(api_client(K_SENCO), "POST", REQUESTS, {**body, "request_type": "loan"}).status_code == 422
    assert FundingRequest.objects.count() == before
    paper = ok(send(api_client(K_ADMIN), "POST", REQUESTS, body), 201)
    assert (
        paper["entered_on_paper"]
        and paper["can_change"]
        and paper["lead_school"]["id"] == school(ST_THOMAS).pk
    )


# --- joint requests --------------------------------------------------------------------------------


def test_a_joint_school_confirms_its_part_with_its_own_pupils(api_client, senco):
    lead, joining = api_client(K_SENCO), api_client(K_BIRKBY)
    fr = services.start_request(
        school=school(ST_THOMAS), request_type="group", title="Transition", acting_user=senco
    )
    invited = ok(send(lead, "POST", at(fr.pk, "joint-schools"), {"school_id": school(BIRKBY).pk}), 201)
    assert invited["school"] == {"id": school(BIRKBY).pk, "name": school(BIRKBY).name}
    assert invited["answer"] == "invited" and invited["answered_at"] is None
    again = send(lead, "POST", at(fr.pk, "joint-schools"), {"school_id": school(BIRKBY).pk})
    assert again.status_code == 400 and list(again.json()["errors"]) == ["school_id"]
    elsewhere = send(lead, "POST", at(fr.pk, "joint-schools"), {"school_id": school(ABBEY_HULTON).pk})
    assert elsewhere.json()["errors"] == {"school_id": "Choose an open school in the request's cluster"}
    assert send(lead, "POST", at(fr.pk, "invitation"), {"confirm": True, "part": "x"}).status_code == 404

    seen = ok(joining.get(at(fr.pk)))
    assert not seen["can_change"] and seen["joint_schools"][0]["answer"] == "invited"
    assert send(joining, "PUT", at(fr.pk, "need"), need()).status_code == 403
    their_own = send(
        joining,
        "POST",
        at(fr.pk, "invitation"),
        {"confirm": True, "part": "x", "pupil_ids": pupil_ids("ST-24-017")},
    )
    assert their_own.status_code == 400 and "pupil_ids" in their_own.json()["errors"]
    no_part = send(joining, "POST", at(fr.pk, "invitation"), {"confirm": True, "part": " "})
    assert no_part.json()["errors"] == {
        "part": "Enter your school's part",
        "pupil_ids": "Choose at least one of your school's pupils who joins the group",
        "consent_date": "Enter the date the parent or carer agreed",
        "consent_method": "Choose how the agreement was recorded",
    }
    confirm = {"confirm": True, "part": "Our Year 6 pupil joins the group", "pupil_ids": pupil_ids("BJ-0311")}
    future = send(
        joining,
        "POST",
        at(fr.pk, "invitation"),
        {**confirm, **consent(consent_date=str(datetime.date.today() + datetime.timedelta(days=1)))},
    )
    assert future.json()["errors"] == {
        "consent_date": "The date the parent or carer agreed must be today or in the past"
    }
    assert JointSchool.objects.get(funding_request=fr).answer == "invited"
    answered = ok(send(joining, "POST", at(fr.pk, "invitation"), {**confirm, **consent()}))
    assert answered["joint_schools"][0]["answer"] == "confirmed"
    assert answered["joint_schools"][0]["consent_date"] == consent()["consent_date"]
    assert answered["joint_schools"][0]["consent_method"] == "email"
    assert answered["pupils"] == [
        {"id": pupil_ids("BJ-0311")[0], "reference": "BJ-0311", "school_id": school(BIRKBY).pk}
    ]
    birkby_pupil = Pupil.objects.get(reference="BJ-0311")
    assert birkby_pupil.name and birkby_pupil.name not in lead.get(at(fr.pk)).content.decode()

    joint_id = JointSchool.objects.get(funding_request=fr).pk
    taken_off = ok(send(lead, "DELETE", at(fr.pk, "joint-schools", joint_id)))
    assert taken_off["joint_schools"] == [] and taken_off["pupils"] == []
    assert joining.get(at(fr.pk)).status_code == 404


# --- the list --------------------------------------------------------------------------------------


def ids(client, **query):
    return {item["id"] for item in client.get(REQUESTS, query).json()["items"]}


def test_the_list_shows_what_the_list_page_shows(st_thomas_client, submitted):
    body = st_thomas_client.get(REQUESTS).json()
    item = next(item for item in body["items"] if item["id"] == submitted.pk)
    assert item == {
        "id": submitted.pk,
        "reference": submitted.reference,
        "title": "Speech and language sessions",
        "request_type": "individual",
        "status": "submitted",
        "is_urgent": False,
        "to_city_meeting": False,
        "lead_school": {"id": school(ST_THOMAS).pk, "name": "St Thomas CE Primary School"},
        "cluster": {"id": submitted.cluster_id, "name": submitted.cluster.name},
        "primary_area": "communication_interaction",
        "amount_asked_pence": 51000,
        "submitted_at": item["submitted_at"],
        "version": 1,
    }
    assert item["submitted_at"].startswith(str(datetime.date.today()))


def test_the_list_filters_by_status_type_and_area(api_client, submitted):
    client = api_client(K_CLUSTER_ADMIN)
    assert submitted.pk in ids(
        client, status="submitted", request_type="individual", area="communication_interaction"
    )
    assert submitted.pk not in ids(client, status="withdrawn")
    assert submitted.pk not in ids(client, request_type="group")
    assert submitted.pk not in ids(client, area="sensory_physical")
    visible = FundingRequest.objects.filter(cluster=submitted.cluster).exclude(
        status="draft", entered_on_paper=False
    )
    assert ids(client, request_type="group") == set(
        visible.filter(request_type="group").values_list("pk", flat=True)
    )
    assert client.get(REQUESTS, {"area": "nonsense"}).status_code == 422
    assert client.get(REQUESTS, {"page": 0}).status_code == 422


def test_the_list_comes_in_pages_and_its_queries_do_not_grow_with_the_rows(st_thomas_client, senco):
    client = st_thomas_client
    client.get(REQUESTS)  # the token's first use is noted once
    with CaptureQueriesContext(connection) as before:
        first = client.get(REQUESTS).json()
    already = first["count"]
    assert already < 50
    for number in range(55 - already):
        services.start_request(
            school=school(ST_THOMAS), request_type="advice", title=f"Advice {number}", acting_user=senco
        )
    with CaptureQueriesContext(connection) as after:
        first = client.get(REQUESTS).json()
    assert len(after.captured_queries) == len(before.captured_queries)
    assert (first["count"], first["pages"], len(first["items"])) == (55, 2, 50)
    second = client.get(REQUESTS, {"page": 2}).json()
    assert len(second["items"]) == 5
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}
    assert client.get(REQUESTS, {"page": 3}).json()["items"] == []


# --- a submitted request stays complete, and its pupils keep their parents' agreement --------------


def test_after_submission_a_change_leaving_the_request_incomplete_is_refused_with_its_problems(
    st_thomas_client, submitted
):
    outcome_id, line_id = submitted.outcomes.get().pk, submitted.provision_lines.get().pk
    year = submitted.academic_year
    summer = year.terms.get(number=3).half_terms.order_by("starts_on").first().starts_on
    before = saved_state(submitted)
    for method, url, body, problem in [
        (
            "DELETE",
            at(submitted.pk, "outcomes", outcome_id),
            None,
            "Add at least one outcome that can be checked",
        ),
        (
            "DELETE",
            at(submitted.pk, "provision-lines", line_id),
            None,
            "Add the costed provision and the dates the support would start and end",
        ),
        (
            "PUT",
            at(submitted.pk, "dates"),
            {"start_date": str(summer), "end_date": str(year.ends_on)},
            "‘Teaching assistant, 1:1 language sessions’ is costed in the spring term, outside the dates the "
            "support runs: change the line or the dates",
        ),
    ]:
        response = send(st_thomas_client, method, url, body)
        assert response.status_code == 400, (method, url, response.content)
        body = response.json()
        assert body["problems"] == [problem]
        assert body["detail"] == (
            f"This change was not saved, because a submitted request must stay complete. {problem}."
        )
        assert body["errors"] == {"request": body["detail"]}
    assert saved_state(submitted) == before
    assert FundingRequest.objects.get(pk=submitted.pk).version == 1


def test_after_submission_a_new_pupil_needs_the_new_agreement_with_it(st_thomas_client, submitted):
    url = at(submitted.pk, "pupils")
    before = saved_state(submitted)
    refused = send(st_thomas_client, "PUT", url, {"pupil_ids": pupil_ids("ST-23-042")})
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"consent_date": services.NEW_PUPILS_NEED_CONSENT}
    assert saved_state(submitted) == before
    changed = ok(send(st_thomas_client, "PUT", url, {"pupil_ids": pupil_ids("ST-23-042"), **consent()}))
    assert changed["version"] == 2 and changed["consent_date"] == consent()["consent_date"]
    assert [c["field"] for c in changed["versions"][0]["changes"]] == ["pupils", "consent"]


def test_after_submission_the_invited_school_gets_a_conflict_saying_its_part_is_settled(
    api_client, senco, user_by_email
):
    group = complete_joint_group_request(
        school(ST_THOMAS), senco, joining=school(BIRKBY), joining_senco=user_by_email(K_BIRKBY)
    )
    services.submit_request(funding_request=group, acting_user=senco)
    joining = api_client(K_BIRKBY)
    before = saved_state(group)
    response = send(joining, "POST", at(group.pk, "invitation"), {"confirm": False})
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "This request has been submitted, so your school's part can no longer be changed."
    )
    assert saved_state(group) == before
    [joint] = ok(joining.get(at(group.pk)))["joint_schools"]
    assert joint["answer"] == "confirmed" and joint["consent_method"] == "email"
