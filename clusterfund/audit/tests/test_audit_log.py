"""The audit log is only ever added to, and each council's auditors read only their own council's part."""

import datetime
import threading
from unittest import mock

import html5lib
import pytest
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import ProtectedError

from clusterfund.accounts.roles import Role
from clusterfund.accounts.services import create_person, grant_role
from clusterfund.audit.models import AuditEvent, AuditLogIsAppendOnly
from clusterfund.audit.services import SYSTEM_ACTOR_NAME, changes, record_event
from clusterfund.organisations import services as organisations
from clusterfund.organisations.models import Council, School

K_ADMIN, K_AUDITOR, S_AUDITOR = (
    "send.admin@kirklees.example",
    "auditor@kirklees.example",
    "auditor@stoke.example",
)
K_SENCO = "senco.stthomas@kirklees.example"
UTC = datetime.UTC


def council(slug):
    return Council.objects.get(slug=slug)


def fingerprint():
    return list(AuditEvent.objects.order_by("pk").values_list())


@pytest.fixture
def event(db):
    return AuditEvent.objects.filter(council__slug="kirklees", action="council.created").get()


# --- append only ----------------------------------------------------------------------------------


def test_an_event_cannot_be_changed_through_the_model(event):
    before = fingerprint()
    event.action = "council.deleted"
    event.actor_name = "Someone else"
    with pytest.raises(AuditLogIsAppendOnly, match="cannot be changed"):
        event.save()
    with pytest.raises(AuditLogIsAppendOnly, match="cannot be changed"):
        event.save(update_fields=["action"])
    assert fingerprint() == before
    assert AuditEvent.objects.get(pk=event.pk).action == "council.created"


def test_an_event_cannot_be_deleted_through_the_model(event):
    before = fingerprint()
    with pytest.raises(AuditLogIsAppendOnly, match="cannot be deleted"):
        event.delete()
    assert fingerprint() == before


@pytest.mark.parametrize(
    "attempt",
    [
        lambda: AuditEvent.objects.filter(council__slug="kirklees").update(actor_name="Nobody"),
        lambda: AuditEvent.objects.all().update(before=None, after=None),
        lambda: AuditEvent.objects.update(action="x"),
        lambda: AuditEvent.objects.bulk_update(list(AuditEvent.objects.all()[:3]), ["action"]),
    ],
    ids=["filtered update", "update all", "manager update", "bulk_update"],
)
def test_events_cannot_be_changed_through_the_queryset(db, attempt):
    before = fingerprint()
    with pytest.raises(AuditLogIsAppendOnly, match="cannot be changed"), transaction.atomic():
        attempt()
    assert fingerprint() == before


@pytest.mark.parametrize(
    "attempt",
    [
        lambda: AuditEvent.objects.filter(council__slug="stoke-on-trent").delete(),
        lambda: AuditEvent.objects.all().delete(),
    ],
    ids=["filtered delete", "delete all"],
)
def test_events_cannot_be_deleted_through_the_queryset(db, attempt):
    before = fingerprint()
    with pytest.raises(AuditLogIsAppendOnly, match="cannot be deleted"), transaction.atomic():
        attempt()
    assert fingerprint() == before


def test_the_people_and_councils_named_in_events_cannot_be_deleted(user_by_email):
    admin = user_by_email(K_ADMIN)
    newcomer = create_person(
        email="temp@kirklees.example", full_name="Temp Person", password=None, acting_user=admin
    )
    record_event(acting_user=newcomer, action="test.acted", council=council("kirklees"))
    before = fingerprint()
    with pytest.raises(ProtectedError):
        newcomer.delete()
    with pytest.raises(ProtectedError):
        council("stoke-on-trent").delete()
    assert fingerprint() == before


def test_an_event_cannot_be_overwritten_by_a_new_object_with_its_id(event):
    forged = AuditEvent(
        pk=event.pk,
        occurred_at=event.occurred_at,
        actor_name="Mallory",
        action="council.created",
        council=event.council,
        object_type=event.object_type,
        object_id=event.object_id,
    )
    with transaction.atomic(), pytest.raises(AuditLogIsAppendOnly):
        forged.save()
    assert AuditEvent.objects.get(pk=event.pk).actor_name == SYSTEM_ACTOR_NAME


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the database trigger exists only on PostgreSQL"
)
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditevent SET actor_name = 'Mallory' WHERE id = %s",
        "UPDATE audit_auditevent SET after = NULL",
        "DELETE FROM audit_auditevent WHERE id = %s",
        "DELETE FROM audit_auditevent",
    ],
)
def test_postgresql_refuses_raw_sql_that_changes_or_deletes_events(event, sql):
    assert connection.vendor == "postgresql"
    before = fingerprint()
    with (
        pytest.raises(DatabaseError, match="audit_auditevent is append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [event.pk] if "%s" in sql else None)
    assert fingerprint() == before


# --- record_event ---------------------------------------------------------------------------------


def test_record_event_outside_a_transaction_refuses(db):
    # A new thread has its own database connection, in autocommit: no transaction is open there.
    outcome = {}

    def write():
        try:
            outcome["in_atomic_block"] = transaction.get_connection().in_atomic_block
            record_event(acting_user=None, action="test.outside", council=None)
        except Exception as error:
            outcome["error"] = error
        finally:
            connections.close_all()

    before = AuditEvent.objects.count()
    thread = threading.Thread(target=write)
    thread.start()
    thread.join()

    assert outcome["in_atomic_block"] is False
    assert isinstance(outcome["error"], RuntimeError)
    assert str(outcome["error"]) == "record_event must run inside the transaction of the change it records"
    assert AuditEvent.objects.count() == before
    assert not AuditEvent.objects.filter(action="test.outside").exists()


def test_record_event_names_the_actor_and_the_object(user_by_email):
    admin = user_by_email(K_ADMIN)
    ashbrow = School.objects.get(urn=107628)
    with transaction.atomic():
        written = record_event(
            acting_user=admin,
            action="test.recorded",
            obj=ashbrow,
            council=ashbrow.council,
            before={"name": "Old"},
            after={"name": "New"},
        )
    stored = AuditEvent.objects.get(pk=written.pk)
    assert (stored.actor, stored.actor_name, stored.object_type, stored.object_id, stored.object_repr) == (
        admin,
        "Helen Armitage",
        "organisations.School",
        str(ashbrow.pk),
        "Ashbrow School",
    )
    assert (stored.before, stored.after, stored.council) == (
        {"name": "Old"},
        {"name": "New"},
        council("kirklees"),
    )
    assert stored.occurred_at is not None


def test_record_event_without_a_person_is_the_system(db):
    from django.contrib.auth.models import AnonymousUser

    with transaction.atomic():
        system = record_event(acting_user=None, action="test.system", object_type="nightly job")
        anonymous = record_event(acting_user=AnonymousUser(), action="test.anonymous")
    assert (system.actor, system.actor_name, system.object_type, system.object_id) == (
        None,
        "System",
        "nightly job",
        "",
    )
    assert anonymous.actor is None


def test_changes_keeps_only_what_changed():
    assert changes({"a": 1, "b": 2, "c": 3}, {"a": 1, "b": 5, "d": 4}) == (
        {"b": 2, "d": None},
        {"b": 5, "d": 4},
    )
    assert changes({"a": 1}, {"a": 1}) == ({}, {})


# --- the audit log page ---------------------------------------------------------------------------


def rows(response) -> list[list[str]]:
    """The cells of the events table, one list per row."""
    document = html5lib.HTMLParser(namespaceHTMLElements=False).parse(response.content.decode())
    body = document.find(".//tbody")
    if body is None:
        return []
    return [[" ".join("".join(cell.itertext()).split()) for cell in row] for row in body.findall("tr")]


def caption(response) -> str:
    document = html5lib.HTMLParser(namespaceHTMLElements=False).parse(response.content.decode())
    found = document.find(".//caption")
    return "" if found is None else " ".join("".join(found.itertext()).split())


def text(response) -> str:
    document = html5lib.HTMLParser(namespaceHTMLElements=False).parse(response.content.decode())
    return " ".join(" ".join(document.find(".//main").itertext()).split())


def every_row(client, query: str = "") -> list[list[str]]:
    found, page = [], 1
    while True:
        response = client.get(f"/audit/?{query}&page={page}")
        found += rows(response)
        if f"page={page + 1}" not in response.content.decode():
            return found
        page += 1


@pytest.fixture
def dated_events(db):
    """Three Kirklees events at known times and one Stoke event, written as if at those times."""
    kirklees, stoke = council("kirklees"), council("stoke-on-trent")
    ashbrow, etruscan = School.objects.get(urn=107628), School.objects.get(urn=146464)
    times = [
        datetime.datetime(2025, 9, 3, 10, 0, tzinfo=UTC),
        datetime.datetime(2025, 9, 30, 23, 30, tzinfo=UTC),  # 1 October, 00:30 in London
        datetime.datetime(2025, 10, 15, 12, 0, tzinfo=UTC),
    ]
    with transaction.atomic():
        for when in times:
            with mock.patch("django.utils.timezone.now", return_value=when):
                record_event(acting_user=None, action="test.dated", obj=ashbrow, council=kirklees)
        with mock.patch("django.utils.timezone.now", return_value=times[0]):
            record_event(acting_user=None, action="test.dated", obj=etruscan, council=stoke)
    assert (
        list(
            AuditEvent.objects.filter(action="test.dated", council=kirklees)
            .order_by("occurred_at")
            .values_list("occurred_at", flat=True)
        )
        == times
    )


def test_an_auditor_sees_every_event_of_their_council_and_no_other(signed_in_client, dated_events):
    client = signed_in_client(K_AUDITOR)
    kirklees = AuditEvent.objects.filter(council__slug="kirklees")
    assert kirklees.count() > 50  # so the log has a second page

    response = client.get("/audit/")

    assert response.status_code == 200
    assert caption(response) == f"{kirklees.count()} events"
    assert len(rows(response)) == 50
    found = every_row(client)
    assert len(found) == kirklees.count()
    assert not any("Etruscan" in cell or "Stoke" in cell for row in found for cell in row)
    # Newest first: the oldest is the dated event of 3 September 2025.
    assert (found[-1][0], found[-1][2], found[-1][3]) == (
        "3 September 2025 at 11:00am",
        "test.dated",
        "Ashbrow School",
    )
    assert found[-2][0] == "1 October 2025 at 12:30am"


def test_an_auditor_cannot_choose_another_council(signed_in_client, dated_events):
    client = signed_in_client(K_AUDITOR)
    response = client.get("/audit/?council=stoke-on-trent&action=test.dated")
    assert response.status_code == 200
    page = text(response)
    assert "There is a problem" in page and "Select a valid choice" in page
    found = every_row(client, "council=stoke-on-trent&action=test.dated")
    assert len(found) == AuditEvent.objects.filter(council__slug="kirklees").count()
    assert not any("Etruscan Primary School" in row for row in found)
    # The council list offers only their own council.
    body = response.content.decode()
    assert '<option value="kirklees"' in body and 'value="stoke-on-trent"' not in body


def test_the_stoke_auditor_sees_only_stoke(signed_in_client, dated_events):
    client = signed_in_client(S_AUDITOR)
    response = client.get("/audit/?action=test.dated")
    assert [row[3] for row in rows(response)] == ["Etruscan Primary School"]
    assert caption(response) == "1 events"


def test_someone_overseeing_two_councils_filters_by_council(signed_in_client, user_by_email, dated_events):
    admin = user_by_email(K_ADMIN)
    both = create_person(email="both@example.org", full_name="Bo Th", password=None, acting_user=admin)
    for slug in ("kirklees", "stoke-on-trent"):
        grant_role(user=both, role=Role.AUDITOR, council=council(slug), acting_user=admin)
    client = signed_in_client("both@example.org")

    everything = client.get("/audit/?action=test.dated")
    assert sorted(row[3] for row in rows(everything)) == ["Ashbrow School"] * 3 + ["Etruscan Primary School"]

    stoke = client.get("/audit/?action=test.dated&council=stoke-on-trent")
    assert [row[3] for row in rows(stoke)] == ["Etruscan Primary School"]
    kirklees = client.get("/audit/?action=test.dated&council=kirklees")
    assert [row[3] for row in rows(kirklees)] == ["Ashbrow School"] * 3
    assert "There is a problem" not in text(kirklees)


def test_the_log_filters_by_the_start_of_the_action(signed_in_client, db):
    client = signed_in_client(K_AUDITOR)
    kirklees = council("kirklees")
    years = kirklees.academic_years.count()

    response = client.get("/audit/?action=school.placed")

    found = rows(response)
    assert len(found) == 11 * years  # the demo's eleven Cluster 14 schools, placed each year
    assert {row[2] for row in found} == {"school.placed_in_cluster"}
    assert caption(response) == f"{11 * years} events"
    assert rows(client.get("/audit/?action=placed_in_cluster")) == []
    assert "No events match." in text(client.get("/audit/?action=placed_in_cluster"))


def test_the_log_filters_by_who_did_it(signed_in_client, user_by_email):
    admin = user_by_email(K_ADMIN)
    ashbrow = School.objects.get(urn=107628)
    organisations.update_school(school=ashbrow, acting_user=admin, street="Ashbrow Road")
    organisations.update_school(school=ashbrow, acting_user=admin, locality="Sheepridge")
    client = signed_in_client(K_AUDITOR)

    response = client.get("/audit/?actor=armitage")

    found = rows(response)
    assert {row[1] for row in found} == {"Helen Armitage"}  # the demo has some of her work too
    assert [(row[1], row[2], row[3]) for row in found[:2]] == [
        ("Helen Armitage", "school.updated", "Ashbrow School"),
        ("Helen Armitage", "school.updated", "Ashbrow School"),
    ]
    assert '{"locality": "Sheepridge"}' in found[0][5]  # newest first
    assert '{"street": ""}' in found[1][4]


def test_the_log_filters_by_date_in_london_time(signed_in_client, dated_events):
    client = signed_in_client(K_AUDITOR)

    september = rows(client.get("/audit/?action=test.dated&date_from=2025-09-01&date_to=2025-09-30"))
    assert [row[0] for row in september] == ["3 September 2025 at 11:00am"]

    october = rows(client.get("/audit/?action=test.dated&date_from=2025-10-01"))
    assert [row[0] for row in october] == ["15 October 2025 at 1:00pm", "1 October 2025 at 12:30am"]

    one_day = rows(client.get("/audit/?action=test.dated&date_from=2025-10-01&date_to=2025-10-01"))
    assert [row[0] for row in one_day] == ["1 October 2025 at 12:30am"]

    until = rows(client.get("/audit/?action=test.dated&date_to=2025-09-03"))
    assert [row[0] for row in until] == ["3 September 2025 at 11:00am"]


def test_filters_combine_and_stay_in_the_page_links(signed_in_client, db):
    client = signed_in_client(K_AUDITOR)
    system = AuditEvent.objects.filter(council__slug="kirklees", actor_name="System").count()
    assert system > 50

    response = client.get("/audit/?actor=System&action=")

    assert caption(response) == f"{system} events"
    body = response.content.decode()
    assert "?actor=System&amp;action=&amp;page=2" in body
    assert len(every_row(client, "actor=System&action=")) == system


@pytest.mark.parametrize(
    ("query", "message", "field"),
    [
        ("date_from=2025-13-45", "Enter the from date as a date, like 2025-09-01", "date_from"),
        ("date_from=yesterday", "Enter the from date as a date, like 2025-09-01", "date_from"),
        ("date_to=31/09/2025", "Enter the to date as a date, like 2026-07-22", "date_to"),
        (
            "date_from=2025-10-02&date_to=2025-10-01",
            "The to date must be the same as or after the from date",
            "date_to",
        ),
    ],
)
def test_a_wrong_date_is_explained_in_an_error_summary(signed_in_client, db, query, message, field):
    client = signed_in_client(K_AUDITOR)
    response = client.get(f"/audit/?{query}")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<title>Error: Audit log" in body
    summary = body[body.index("govuk-error-summary") : body.index("<h1")]
    assert "There is a problem" in summary
    assert message in summary and f'href="#id_{field}"' in summary
    # The log still shows only the auditor's own council.
    assert caption(response) == f"{AuditEvent.objects.filter(council__slug='kirklees').count()} events"


@pytest.mark.parametrize("email", [K_SENCO, "head.ashbrow@kirklees.example", "ep.cluster14@kirklees.example"])
def test_people_who_oversee_no_council_cannot_read_the_log(signed_in_client, db, email):
    assert signed_in_client(email).get("/audit/").status_code == 404


def test_signed_out_people_are_sent_to_sign_in(client, db):
    response = client.get("/audit/?action=school")
    assert (response.status_code, response["Location"]) == (302, "/sign-in?next=/audit/%3Faction%3Dschool")


def test_the_council_admin_reads_the_log_too(signed_in_client, db):
    response = signed_in_client(K_ADMIN).get("/audit/")
    assert caption(response) == f"{AuditEvent.objects.filter(council__slug='kirklees').count()} events"
    assert "Entries cannot be changed or deleted." in text(response)
