"""Pupils through the JSON API: the same rules, permissions and audit as the pupil pages."""

import datetime
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from clusterfund.audit.models import AuditEvent
from clusterfund.organisations.models import School
from clusterfund.pupils import services
from clusterfund.pupils.models import EhcStatus, Pupil

K_SENCO, K_BIRKBY = "senco.stthomas@kirklees.example", "senco.birkbyjunior@kirklees.example"
K_ADMIN, K_AUDITOR = "send.admin@kirklees.example", "auditor@kirklees.example"
S_SENCO = "senco.abbeyhulton@stoke.example"
ST_THOMAS, BIRKBY, ABBEY_HULTON = 151801, 107626, 146487
PUPILS = "/api/v1/pupils"


def school(urn):
    return School.objects.get(urn=urn)


def pupil(reference):
    return Pupil.objects.get(reference=reference)


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def patch(client, url, body):
    return client.patch(url, json.dumps(body), content_type="application/json")


def new_pupil(**overrides):
    return {
        "school_id": school(ST_THOMAS).pk,
        "reference": "ST-99-101",
        "name": "Private Name",
        "year_group": "4",
        "primary_area": "semh",
        "secondary_areas": ["communication_interaction"],
        "sen_type": "SEMH",
        **overrides,
    }


def references_at(urn, **filters):
    """What the database holds, to compare the API with (the demo data may grow)."""
    return set(Pupil.objects.current().filter(school__urn=urn, **filters).values_list("reference", flat=True))


def nothing_saved():
    return (Pupil.objects.count(), AuditEvent.objects.count())


# --- the OpenAPI document --------------------------------------------------------------------------


def test_the_openapi_document_is_public_and_every_operation_needs_a_token(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.") and schema["info"]["title"] == "clusterfund API"
    assert {"/api/v1/pupils", "/api/v1/pupils/{pupil_id}"} <= set(schema["paths"])
    assert set(schema["paths"]["/api/v1/pupils"]) == {"get", "post"}
    assert set(schema["paths"]["/api/v1/pupils/{pupil_id}"]) == {"get", "patch"}
    schemes = schema["components"]["securitySchemes"]
    assert [(s["type"], s["scheme"]) for s in schemes.values()] == [("http", "bearer")]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation["security"], f"{method} {path} needs no token"
    shapes = schema["components"]["schemas"]
    assert (
        "name" not in shapes["PupilSummaryOut"]["properties"]
        and "name" not in shapes["PupilOut"]["properties"]
    )
    assert "name" in shapes["NamedPupilOut"]["required"]
    assert not any("upn" in field.lower() for field in shapes["PupilIn"]["properties"])


# --- listing ---------------------------------------------------------------------------------------


def test_school_staff_list_their_own_pupils_with_names(api_client):
    body = api_client(K_SENCO).get(PUPILS).json()
    by_reference = {item["reference"]: item for item in body["items"]}
    assert set(by_reference) == references_at(ST_THOMAS) and "ST-24-017" in by_reference
    assert body["count"] == len(by_reference) and body["page"] == 1 and body["pages"] == 1
    assert by_reference["ST-24-017"] == {
        "id": pupil("ST-24-017").pk,
        "school_id": school(ST_THOMAS).pk,
        "reference": "ST-24-017",
        "name": "Amelia Brook",
        "year_group": "3",
        "primary_area": "communication_interaction",
        "ehc_status": "none",
    }
    assert by_reference["ST-25-003"]["name"] == ""


def test_the_council_lists_references_but_never_names(api_client):
    body = api_client(K_ADMIN).get(PUPILS).json()
    references = {item["reference"] for item in body["items"]}
    assert {"ST-24-017", "BJ-0311", "AB/7/12"} <= references and "AH-Y4-07" not in references
    assert all("name" not in item for item in body["items"])
    assert "Amelia Brook" not in json.dumps(body)


def test_auditors_and_other_councils_see_no_pupils(api_client):
    assert api_client(K_AUDITOR).get(PUPILS).json()["count"] == 0
    references = {item["reference"] for item in api_client(S_SENCO).get(PUPILS).json()["items"]}
    assert references and not any(reference.startswith(("ST-", "BJ-")) for reference in references)


def test_the_list_filters_by_school_area_and_ehc_status(api_client):
    client = api_client(K_ADMIN)

    def references(**query):
        return {item["reference"] for item in client.get(PUPILS, query).json()["items"]}

    assert references(school_id=school(BIRKBY).pk) == references_at(BIRKBY) != set()
    semh = references(school_id=school(ST_THOMAS).pk, area="semh")
    assert semh == references_at(ST_THOMAS, primary_area="semh") and "ST-22-088" in semh
    requested = references(school_id=school(ST_THOMAS).pk, ehc_status="requested")
    assert requested == references_at(ST_THOMAS, ehc_status="requested") and "ST-25-003" in requested
    kirklees = Pupil.objects.current().filter(school__council__slug="kirklees")
    assert references(area="semh", ehc_status="none") == set(
        kirklees.filter(primary_area="semh", ehc_status="none").values_list("reference", flat=True)
    )
    # Another council's school is not an error: it simply has no pupils for this person.
    assert references(school_id=school(ABBEY_HULTON).pk) == set()
    assert client.get(PUPILS, {"area": "nonsense"}).status_code == 422
    assert client.get(PUPILS, {"page": 0}).status_code == 422


def test_the_list_comes_in_pages_and_its_queries_do_not_grow_with_the_rows(api_client, user_by_email):
    client = api_client(K_SENCO)
    client.get(PUPILS)  # the token's first use is noted once
    with CaptureQueriesContext(connection) as before:
        client.get(PUPILS)
    senco = user_by_email(K_SENCO)
    already = len(references_at(ST_THOMAS))
    for number in range(60):
        services.add_pupil(
            school=school(ST_THOMAS),
            acting_user=senco,
            reference=f"X-{number:02d}",
            year_group="2",
            primary_area="semh",
            ehc_status=EhcStatus.NONE,
        )
    with CaptureQueriesContext(connection) as after:
        first = client.get(PUPILS).json()
    assert len(after.captured_queries) == len(before.captured_queries)
    assert (first["count"], first["pages"], len(first["items"])) == (already + 60, 2, 50)
    second = client.get(PUPILS, {"page": 2}).json()
    assert len(second["items"]) == already + 10
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}
    assert client.get(PUPILS, {"page": 3}).json()["items"] == []


# --- reading one -----------------------------------------------------------------------------------


def test_reading_a_record_shows_the_page_s_fields_and_is_audited(api_client):
    maya = pupil("ST-22-088")
    record = api_client(K_SENCO).get(f"{PUPILS}/{maya.pk}").json()
    assert record["name"] == "Maya Sutcliffe" and record["school_name"] == "St Thomas CE Primary School"
    assert record["ehc_status"] == "in_place" and record["ehc_status_since"] == "2025-10-06"
    assert record["ehc_history"] == [{"status": "in_place", "changed_on": "2025-10-06"}]
    assert record["sen_type"] == "SEMH" and record["transfers"] == []
    event = AuditEvent.objects.get(action="pupil.viewed", object_id=str(maya.pk))
    assert event.actor.email == K_SENCO


def test_the_council_reads_a_record_without_the_name(api_client):
    amelia = pupil("ST-24-017")
    response = api_client(K_ADMIN).get(f"{PUPILS}/{amelia.pk}")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert "name" not in response.json() and "Amelia" not in response.content.decode()
    assert AuditEvent.objects.filter(action="pupil.viewed", actor__email=K_ADMIN).exists()


def test_another_school_s_pupil_is_not_found_just_like_a_missing_one(api_client):
    client = api_client(K_BIRKBY)
    amelia = pupil("ST-24-017")
    hidden = client.get(f"{PUPILS}/{amelia.pk}")
    missing = client.get(f"{PUPILS}/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json() == {"detail": "Not Found"}
    assert not AuditEvent.objects.filter(action="pupil.viewed", object_id=str(amelia.pk)).exists()
    assert patch(client, f"{PUPILS}/{amelia.pk}", {"year_group": "4"}).status_code == 404
    assert api_client(K_AUDITOR).get(f"{PUPILS}/{amelia.pk}").status_code == 404


# --- adding ----------------------------------------------------------------------------------------


def test_school_staff_add_a_pupil(api_client):
    response = post(api_client(K_SENCO), PUPILS, new_pupil(reference="  ST-99   101 "))
    assert response.status_code == 201
    record = response.json()
    added = Pupil.objects.get(pk=record["id"])
    assert added.reference == record["reference"] == "ST-99 101" and added.name == "Private Name"
    assert added.secondary_areas == ["communication_interaction"] and added.school.urn == ST_THOMAS
    assert record["name"] == "Private Name" and record["ehc_history"][0]["status"] == "none"
    event = AuditEvent.objects.get(action="pupil.added", object_id=str(added.pk))
    assert event.actor.email == K_SENCO and "Private Name" not in str(event.after)


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"reference": "A123456789012"}, "reference", "unique pupil number"),
        ({"reference": "st-24-017"}, "reference", "already has a pupil"),
        ({"secondary_areas": ["semh"]}, "secondary_areas", "cannot be the same"),
        ({"sen_type": "HI"}, "sen_type", "does not belong"),
        ({"ehc_status": "in_place"}, "ehc_status_since", "Enter the date"),
        ({"ehc_status": "requested", "ehc_status_since": "2100-01-01"}, "ehc_status_since", "in the past"),
    ],
)
def test_the_rules_refuse_a_bad_record_field_by_field_and_save_nothing(api_client, overrides, field, message):
    client = api_client(K_SENCO)
    before = nothing_saved()
    response = post(client, PUPILS, new_pupil(**overrides))
    assert response.status_code == 400
    body = response.json()
    assert message in body["detail"] and list(body["errors"]) == [field] and message in body["errors"][field]
    assert nothing_saved() == before


@pytest.mark.parametrize(
    "overrides",
    [
        None,
        {"reference": "   "},
        {"reference": "x" * 31},
        {"year_group": "15"},
        {"primary_area": "happiness"},
        {"upn": "A123456789012"},
        {"ehc_status_since": "yesterday"},
    ],
)
def test_a_malformed_record_is_422_and_saves_nothing(api_client, overrides):
    client = api_client(K_SENCO)
    before = nothing_saved()
    response = post(client, PUPILS, {} if overrides is None else new_pupil(**overrides))
    assert response.status_code == 422 and response.json()["detail"]
    assert nothing_saved() == before


def test_a_council_that_forbids_names_refuses_one(api_client):
    client = api_client(S_SENCO)
    body = new_pupil(school_id=school(ABBEY_HULTON).pk, reference="AH-99")
    response = post(client, PUPILS, body)
    assert response.status_code == 400 and "name" in response.json()["errors"]
    assert post(client, PUPILS, {**body, "name": ""}).status_code == 201


def test_only_a_school_s_own_staff_add_its_pupils(api_client):
    admin, birkby, senco = api_client(K_ADMIN), api_client(K_BIRKBY), api_client(K_SENCO)
    before = nothing_saved()
    assert post(admin, PUPILS, new_pupil()).status_code == 403
    assert post(birkby, PUPILS, new_pupil()).status_code == 404
    assert post(senco, PUPILS, new_pupil(school_id=999999)).status_code == 404
    assert nothing_saved() == before


# --- changing --------------------------------------------------------------------------------------


def test_a_change_touches_only_the_fields_sent_and_joins_the_ehc_history(api_client):
    jayden = pupil("ST-23-042")
    response = patch(
        api_client(K_SENCO),
        f"{PUPILS}/{jayden.pk}",
        {"ehc_status": "requested", "ehc_status_since": "2026-01-12", "looked_after": True},
    )
    assert response.status_code == 200
    record = response.json()
    assert record["ehc_status"] == "requested" and record["looked_after"] is True
    assert record["name"] == "Jayden Oldroyd" and record["year_group"] == "5"
    assert sorted(change["status"] for change in record["ehc_history"]) == ["none", "requested"]
    event = AuditEvent.objects.get(action="pupil.changed", object_id=str(jayden.pk))
    assert event.actor.email == K_SENCO
    assert event.after == {"ehc_status": "requested", "ehc_status_since": "2026-01-12", "looked_after": True}


def test_null_clears_a_name_but_not_a_required_field(api_client):
    jayden = pupil("ST-23-042")
    client = api_client(K_SENCO)
    assert patch(client, f"{PUPILS}/{jayden.pk}", {"reference": None}).status_code == 422
    assert patch(client, f"{PUPILS}/{jayden.pk}", {"name": None, "sen_type": None}).status_code == 200
    jayden.refresh_from_db()
    assert jayden.reference == "ST-23-042" and jayden.name == "" and jayden.sen_type == ""


def test_a_refused_change_is_400_and_changes_nothing(api_client):
    jayden = pupil("ST-23-042")
    client = api_client(K_SENCO)
    before = nothing_saved()
    response = patch(client, f"{PUPILS}/{jayden.pk}", {"reference": "ST-24-017", "year_group": "6"})
    assert response.status_code == 400 and response.json()["errors"] == {
        "reference": "Your school already has a pupil with this reference"
    }
    jayden.refresh_from_db()
    assert (jayden.reference, jayden.year_group) == ("ST-23-042", "5")
    assert nothing_saved() == before


def test_the_council_may_read_a_pupil_but_not_change_one(api_client):
    amelia = pupil("ST-24-017")
    response = patch(api_client(K_ADMIN), f"{PUPILS}/{amelia.pk}", {"year_group": "4"})
    assert response.status_code == 403 and response.json()["detail"]
    amelia.refresh_from_db()
    assert amelia.year_group == "3"


def test_a_transfer_moves_the_pupil_out_of_the_old_school_s_reach(api_client, user_by_email):
    maya = pupil("ST-22-088")
    services.transfer_pupil(pupil=maya, to_school=school(BIRKBY), acting_user=user_by_email(K_SENCO))
    assert api_client(K_SENCO).get(f"{PUPILS}/{maya.pk}").status_code == 404
    record = api_client(K_BIRKBY).get(f"{PUPILS}/{maya.pk}").json()
    assert record["name"] == "Maya Sutcliffe"
    assert record["transfers"][0]["from_school_name"] == "St Thomas CE Primary School"
    assert record["transfers"][0]["to_school_id"] == school(BIRKBY).pk
    assert datetime.date.fromisoformat(record["transfers"][0]["transferred_on"]) == datetime.date.today()
