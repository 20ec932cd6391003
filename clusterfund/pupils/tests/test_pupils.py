import datetime

import pytest

from clusterfund.audit.models import AuditEvent
from clusterfund.organisations.models import School
from clusterfund.pupils import services
from clusterfund.pupils.models import EhcStatus, Pupil
from clusterfund.pupils.needs import AreaOfNeed, SenType, sen_type_fits_area

ST_THOMAS, ABBEY_HULTON = 151801, 146487


def _values(**overrides):
    values = {
        "reference": "ST-99-001",
        "name": "Test Child",
        "year_group": "4",
        "primary_area": AreaOfNeed.COGNITION_AND_LEARNING,
        "secondary_areas": [],
        "sen_type": "MLD",
        "ehc_status": EhcStatus.NONE,
        "ehc_status_since": None,
        "free_school_meals": False,
        "looked_after": False,
    }
    return {**values, **overrides}


@pytest.fixture
def st_thomas(db):
    return School.objects.get(urn=ST_THOMAS)


@pytest.fixture
def senco(user_by_email):
    return user_by_email("senco.stthomas@kirklees.example")


def test_every_sen_type_maps_to_an_area_or_fits_any():
    assert sen_type_fits_area(SenType.ASD, AreaOfNeed.COMMUNICATION_AND_INTERACTION)
    assert not sen_type_fits_area(SenType.ASD, AreaOfNeed.SENSORY_AND_PHYSICAL)
    assert all(sen_type_fits_area(SenType.NSA, area) for area in AreaOfNeed.values)
    assert {
        sen_type_fits_area(code, AreaOfNeed.SENSORY_AND_PHYSICAL) for code in ("HI", "VI", "MSI", "PD")
    } == {True}


def test_adding_a_pupil_records_history_and_audits_without_the_name(st_thomas, senco):
    pupil = services.add_pupil(school=st_thomas, acting_user=senco, **_values())
    assert pupil.ehc_history.get().status == EhcStatus.NONE
    event = AuditEvent.objects.get(action="pupil.added", object_id=str(pupil.pk))
    assert event.after["reference"] == "ST-99-001" and event.after["name_recorded"] is True
    assert "Test Child" not in str(event.after) and "Test Child" not in event.object_repr


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"reference": "A123456789012"}, "reference", "unique pupil number"),
        ({"reference": "st-24-017"}, "reference", "already has a pupil"),
        ({"secondary_areas": [AreaOfNeed.COGNITION_AND_LEARNING]}, "secondary_areas", "cannot be the same"),
        ({"sen_type": "HI"}, "sen_type", "does not belong"),
        ({"ehc_status": EhcStatus.IN_PLACE}, "ehc_status_since", "Enter the date"),
        (
            {
                "ehc_status": EhcStatus.REQUESTED,
                "ehc_status_since": datetime.date.today() + datetime.timedelta(days=3),
            },
            "ehc_status_since",
            "today or in the past",
        ),
    ],
)
def test_rules_refuse_a_bad_record_and_save_nothing(st_thomas, senco, overrides, field, message):
    count, events = Pupil.objects.count(), AuditEvent.objects.count()
    with pytest.raises(services.PupilError, match=message) as error:
        services.add_pupil(school=st_thomas, acting_user=senco, **_values(**overrides))
    assert error.value.field == field
    assert (Pupil.objects.count(), AuditEvent.objects.count()) == (count, events)


def test_a_council_that_forbids_names_refuses_one(user_by_email):
    school = School.objects.get(urn=ABBEY_HULTON)
    with pytest.raises(services.PupilError, match="does not allow pupils' names"):
        services.add_pupil(
            school=school,
            acting_user=user_by_email("senco.abbeyhulton@stoke.example"),
            **_values(reference="AH-1"),
        )


def test_a_change_of_ehc_status_joins_the_history_and_a_name_change_is_audited_without_the_name(
    st_thomas, senco
):
    pupil = services.add_pupil(school=st_thomas, acting_user=senco, **_values())
    services.change_pupil(
        pupil=pupil,
        acting_user=senco,
        ehc_status=EhcStatus.REQUESTED,
        ehc_status_since=datetime.date(2026, 3, 2),
        name="New Name",
    )
    pupil.refresh_from_db()
    assert [h.status for h in pupil.ehc_history.order_by("recorded_at", "pk")] == ["none", "requested"]
    event = AuditEvent.objects.get(action="pupil.changed", object_id=str(pupil.pk))
    assert event.before["ehc_status"] == "none" and event.after["ehc_status"] == "requested"
    assert event.after["name_changed"] is True and "New Name" not in str(event.after)


def test_saving_an_unchanged_record_writes_no_event(st_thomas, senco):
    pupil = services.add_pupil(school=st_thomas, acting_user=senco, **_values())
    services.change_pupil(pupil=pupil, acting_user=senco, **_values())
    assert not AuditEvent.objects.filter(action="pupil.changed", object_id=str(pupil.pk)).exists()


FORM = {
    "reference": "ST-99-002",
    "name": "Private Name",
    "year_group": "2",
    "primary_area": "semh",
    "secondary_areas": ["communication_interaction"],
    "sen_type": "SEMH",
    "ehc_status": "none",
}


def test_a_senco_adds_a_pupil_through_the_form(signed_in_client):
    client = signed_in_client("senco.stthomas@kirklees.example")
    school = School.objects.get(urn=ST_THOMAS)
    response = client.post(f"/schools/{school.pk}/pupils/new", FORM, follow=True)
    body = response.content.decode()
    assert "Pupil ST-99-002 added" in body and "Private Name" in body
    pupil = Pupil.objects.get(reference="ST-99-002")
    assert pupil.secondary_areas == ["communication_interaction"] and pupil.school == school


def test_the_form_lists_every_problem_and_saves_nothing(signed_in_client):
    client = signed_in_client("senco.stthomas@kirklees.example")
    school = School.objects.get(urn=ST_THOMAS)
    count = Pupil.objects.count()
    data = {
        **FORM,
        "reference": "",
        "year_group": "",
        "ehc_status": "in_place",
        "ehc_status_since-day": "40",
        "ehc_status_since-month": "1",
        "ehc_status_since-year": "2026",
    }
    body = client.post(f"/schools/{school.pk}/pupils/new", data).content.decode()
    for message in (
        "Enter a reference for the pupil",
        "Select the pupil&#39;s year group",
        "Date the EHC status changed must be a real date",
    ):
        assert message in body, message
    assert Pupil.objects.count() == count


def test_the_council_sees_references_but_never_names(signed_in_client):
    pupil = Pupil.objects.get(reference="ST-24-017")
    admin = signed_in_client("send.admin@kirklees.example")
    for url in (f"/pupils/{pupil.pk}/", f"/schools/{pupil.school_id}/pupils/"):
        body = admin.get(url).content.decode()
        assert "ST-24-017" in body and pupil.name not in body
    staff = signed_in_client("senco.stthomas@kirklees.example")
    assert pupil.name in staff.get(f"/pupils/{pupil.pk}/").content.decode()


def test_pupil_list_filters_by_area_and_makes_the_same_queries_for_more_pupils(
    signed_in_client, st_thomas, senco
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in_client("senco.stthomas@kirklees.example")
    url = f"/schools/{st_thomas.pk}/pupils/"
    body = client.get(url + "?area=semh").content.decode()
    assert "ST-22-088" in body and "ST-24-017" not in body
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for number in range(30):
        services.add_pupil(school=st_thomas, acting_user=senco, **_values(reference=f"X-{number}"))
    with CaptureQueriesContext(connection) as after:
        assert "X-29" in client.get(url).content.decode()
    assert len(after.captured_queries) == len(before.captured_queries)


def test_a_pupil_moves_to_another_cluster_school_with_their_history(signed_in_client):
    pupil = Pupil.objects.get(reference="ST-22-088")
    birkby = School.objects.get(urn=107626)
    client = signed_in_client("senco.stthomas@kirklees.example")
    page = client.get(f"/pupils/{pupil.pk}/transfer").content.decode()
    assert "Birkby Junior School" in page and "Abbey Hulton" not in page
    response = client.post(f"/pupils/{pupil.pk}/transfer", {"to_school": birkby.pk}, follow=True)
    assert "moved to Birkby Junior School" in response.content.decode()
    pupil.refresh_from_db()
    assert pupil.school == birkby and pupil.ehc_history.count() == 1
    assert pupil.transfers.get().from_school.urn == ST_THOMAS
    assert client.get(f"/pupils/{pupil.pk}/").status_code == 404
    new_school = signed_in_client("senco.birkbyjunior@kirklees.example")
    assert "Maya Sutcliffe" in new_school.get(f"/pupils/{pupil.pk}/").content.decode()


def test_a_pupil_cannot_move_out_of_the_cluster_or_onto_a_clashing_reference(st_thomas, senco):
    pupil = Pupil.objects.get(reference="ST-24-017")
    with pytest.raises(services.PupilError, match="same cluster"):
        services.transfer_pupil(
            pupil=pupil, to_school=School.objects.get(urn=ABBEY_HULTON), acting_user=senco
        )
    birkby = School.objects.get(urn=107626)
    Pupil.objects.create(school=birkby, reference="ST-24-017", year_group="3", primary_area="semh")
    with pytest.raises(services.PupilError, match="already has a pupil"):
        services.transfer_pupil(pupil=pupil, to_school=birkby, acting_user=senco)
    pupil.refresh_from_db()
    assert pupil.school == st_thomas and not pupil.transfers.exists()


def test_opening_a_pupils_record_is_audited(signed_in_client):
    pupil = Pupil.objects.get(reference="ST-24-017")
    client = signed_in_client("send.admin@kirklees.example")
    client.get(f"/pupils/{pupil.pk}/")
    event = AuditEvent.objects.get(action="pupil.viewed", object_id=str(pupil.pk))
    assert event.actor.email == "send.admin@kirklees.example"


def test_ehc_history_stays_in_date_order(senco):
    pupil = Pupil.objects.get(reference="ST-25-003")  # assessment requested on 6 October 2025
    with pytest.raises(services.PupilError, match="on or after 6 October 2025"):
        services.change_pupil(
            pupil=pupil,
            acting_user=senco,
            ehc_status=EhcStatus.IN_PLACE,
            ehc_status_since=datetime.date(2020, 1, 1),
        )
    with pytest.raises(services.PupilError, match="1 September 2014"):
        services.change_pupil(
            pupil=pupil,
            acting_user=senco,
            ehc_status=EhcStatus.IN_PLACE,
            ehc_status_since=datetime.date(1900, 1, 1),
        )
    services.change_pupil(
        pupil=pupil,
        acting_user=senco,
        ehc_status=EhcStatus.IN_PLACE,
        ehc_status_since=datetime.date(2026, 3, 2),
    )
    assert [h.status for h in pupil.ehc_history.order_by("changed_on")] == ["requested", "in_place"]
