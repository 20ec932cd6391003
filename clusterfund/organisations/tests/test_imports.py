"""GIAS and school census imports, on the real DfE files in data/dfe.

Bad files are made by editing real rows, and every refused file must leave the database exactly as it was.
"""

import csv
import datetime
import functools
import io

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from clusterfund.accounts.models import User
from clusterfund.audit.models import AuditEvent
from clusterfund.organisations import imports
from clusterfund.organisations.imports import Problem
from clusterfund.organisations.models import ClusterMembership, Council, School, SchoolCensus

DATA = settings.BASE_DIR / "data" / "dfe"
GIAS_FILE = DATA / "gias_extract_kirklees_stoke.csv"
CENSUS_FILE = DATA / "dfe_census_by_school_jan2019.csv"
JANUARY_2019 = datetime.date(2019, 1, 1)

# Demo schools (see demo/data/demo_cluster_schools.csv) that are also in the 2019 files.
KIRKLEES_DEMO_IN_FILES = {107601, 107626, 107628, 107782, 136502, 138584, 145236}
STOKE_DEMO_IN_FILES = {
    134159, 136102, 138550, 139846, 140141, 140145, 140150, 140562,
    140633, 142207, 142640, 142642, 143484, 143487, 143488, 144696,
}  # fmt: skip
ASHBROW = 107628  # Kirklees demo school: line 18 of the GIAS extract, line 3932 of the census
MERIT = 134159  # Stoke demo pupil referral unit: line 222 of the GIAS extract, line 14449 of the census
HAMILTON = 143484  # Stoke demo school, renamed since 2019: line 281 of the GIAS extract


# --- helpers --------------------------------------------------------------------------------------


@functools.cache
def _text(path) -> str:
    return path.read_text(encoding="utf-8-sig")


def gias_lines() -> list[str]:
    return _text(GIAS_FILE).splitlines()


def census_lines() -> list[str]:
    return _text(CENSUS_FILE).splitlines()


def to_bytes(lines: list[str], encoding: str = "utf-8") -> bytes:
    return ("\n".join(lines) + "\n").encode(encoding)


def _row(line: str) -> list[str]:
    return next(csv.reader([line]))


def _line(values: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(values)  # quotes a value with a line break
    return out.getvalue().removesuffix("\n")


def line_of(lines: list[str], urn) -> int:
    """The 1-based line of the file that holds this URN."""
    matches = [number for number, line in enumerate(lines, start=1) if line.startswith(f"{urn},")]
    assert len(matches) == 1, f"URN {urn} is on lines {matches}"
    return matches[0]


def edit(lines: list[str], line_number: int, changes: dict[str, str]) -> list[str]:
    header = _row(lines[0])
    row = _row(lines[line_number - 1])
    for column, value in changes.items():
        row[header.index(column)] = value
    result = list(lines)
    result[line_number - 1] = _line(row)
    return result


def without_column(lines: list[str], column: str) -> list[str]:
    index = _row(lines[0]).index(column)
    return [_line([v for i, v in enumerate(_row(line)) if i != index]) for line in lines]


def snapshot() -> dict:
    """Everything an import could change."""
    return {
        "counts": {
            model.__name__: model.objects.count()
            for model in (Council, School, SchoolCensus, ClusterMembership, AuditEvent)
        },
        "schools": list(School.objects.order_by("pk").values_list()),
        "censuses": list(SchoolCensus.objects.order_by("pk").values_list()),
        "last_event": AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first(),
    }


def council(slug: str) -> Council:
    return Council.objects.get(slug=slug)


@pytest.fixture
def admin(db):
    return User.objects.get(email="send.admin@kirklees.example")


# --- GIAS: the real extract -----------------------------------------------------------------------


def test_the_gias_extract_creates_the_schools_not_yet_here(db, admin):
    kirklees, stoke = council("kirklees"), council("stoke-on-trent")
    before_kirklees, before_stoke = kirklees.schools.count(), stoke.schools.count()

    report = imports.import_schools(data=GIAS_FILE.read_bytes(), acting_user=admin)

    assert report.ok, report.problems
    assert (report.rows, report.created, report.updated, report.unchanged, report.ignored) == (
        295,
        272,
        22,
        1,
        0,
    )
    assert report.summary() == ["295 rows read", "272 created", "22 updated", "1 unchanged"]
    assert kirklees.schools.count() == before_kirklees + 193 - len(KIRKLEES_DEMO_IN_FILES)
    assert stoke.schools.count() == before_stoke + 102 - len(STOKE_DEMO_IN_FILES)

    flatts = School.objects.get(urn=107592)
    assert (
        flatts.council,
        flatts.name,
        flatts.phase,
        flatts.establishment_type,
        flatts.town,
        flatts.postcode,
    ) == (kirklees, "Flatts Nursery School", "nursery", "State-funded nursery", "Dewsbury", "WF13 2SU")
    assert School.objects.get(urn=107786).phase == School.Phase.NOT_APPLICABLE  # an independent school
    assert School.objects.get(urn=145003).phase == School.Phase.SECONDARY
    quoted = School.objects.get(urn=107656)
    assert quoted.name == "Hade Edge Junior, Infant  and  Nursery School"  # a quoted name with a comma

    created = AuditEvent.objects.filter(action="school.imported")
    assert created.count() == 272
    event = created.get(object_id=str(flatts.pk))
    assert (event.actor, event.actor_name, event.council) == (admin, "Helen Armitage", kirklees)
    assert event.after == {
        "urn": 107592,
        "name": "Flatts Nursery School",
        "phase": "nursery",
        "establishment_type": "State-funded nursery",
        "street": "",
        "locality": "",
        "town": "Dewsbury",
        "postcode": "WF13 2SU",
        "is_closed": False,
    }
    assert AuditEvent.objects.filter(action="school.updated_from_gias").count() == 22


def test_the_gias_extract_leaves_the_demo_schools_as_they_should_be(db, admin):
    demo = {s.urn: s for s in School.objects.filter(urn__in=KIRKLEES_DEMO_IN_FILES | STOKE_DEMO_IN_FILES)}
    assert len(demo) == 23
    not_in_file = list(
        School.objects.exclude(urn__in=KIRKLEES_DEMO_IN_FILES | STOKE_DEMO_IN_FILES)
        .order_by("pk")
        .values_list()
    )
    memberships = list(ClusterMembership.objects.order_by("pk").values_list())
    censuses = list(SchoolCensus.objects.order_by("pk").values_list())

    imports.import_schools(data=GIAS_FILE.read_bytes(), acting_user=admin)

    # The same rows (no duplicates), in the same council, cluster and census history.
    for urn, school in demo.items():
        after = School.objects.get(urn=urn)
        assert (after.pk, after.council_id, after.phase, after.postcode) == (
            school.pk,
            school.council_id,
            school.phase,
            school.postcode,
        )
    assert list(ClusterMembership.objects.order_by("pk").values_list()) == memberships
    assert list(SchoolCensus.objects.order_by("pk").values_list()) == censuses
    assert (
        list(School.objects.filter(pk__in=[row[0] for row in not_in_file]).order_by("pk").values_list())
        == not_in_file
    )
    assert School.objects.filter(urn__isnull=True).count() == 2  # Northwood Broom and Sneyd Green

    # GIAS fills in what the demo did not know, and its 2019 name and town win.
    ashbrow = School.objects.get(urn=ASHBROW)
    assert (ashbrow.name, ashbrow.establishment_type) == ("Ashbrow School", "State-funded primary")
    event = AuditEvent.objects.get(action="school.updated_from_gias", object_id=str(ashbrow.pk))
    assert (event.before, event.after) == (
        {"establishment_type": ""},
        {"establishment_type": "State-funded primary"},
    )
    hamilton = School.objects.get(urn=HAMILTON)
    event = AuditEvent.objects.get(action="school.updated_from_gias", object_id=str(hamilton.pk))
    assert event.before == {
        "name": "Co-op Academy Hamilton",
        "establishment_type": "",
        "town": "Stoke-on-Trent",
    }
    assert event.after == {
        "name": "Hamilton Academy",
        "establishment_type": "State-funded primary",
        "town": "Staffordshire",
    }
    assert event.council == council("stoke-on-trent")
    # The pupil referral unit already matched GIAS exactly, so nothing is recorded for it.
    merit = School.objects.get(urn=MERIT)
    assert not AuditEvent.objects.filter(
        action__in=["school.imported", "school.updated_from_gias"], object_id=str(merit.pk)
    ).exists()


def test_importing_the_same_extract_twice_changes_nothing_the_second_time(db, admin):
    first = imports.import_schools(data=GIAS_FILE.read_bytes(), acting_user=admin)
    assert first.created == 272
    before = snapshot()

    second = imports.import_schools(data=GIAS_FILE.read_bytes(), acting_user=admin)

    assert second.ok
    assert (second.rows, second.created, second.updated, second.unchanged, second.ignored) == (
        295,
        0,
        0,
        295,
        0,
    )
    assert snapshot() == before


def test_an_upload_for_one_council_ignores_and_counts_the_other_councils_rows(db, admin):
    stoke_before = list(council("stoke-on-trent").schools.order_by("pk").values_list())

    report = imports.import_schools(
        data=GIAS_FILE.read_bytes(), acting_user=admin, council=council("kirklees")
    )

    assert report.ok
    assert (report.rows, report.created, report.updated, report.unchanged, report.ignored) == (
        295,
        186,
        7,
        0,
        102,
    )
    assert report.ignored_reason == "not in Kirklees Council"
    assert report.summary()[-1] == "102 ignored (not in Kirklees Council)"
    assert list(council("stoke-on-trent").schools.order_by("pk").values_list()) == stoke_before
    assert not School.objects.filter(urn=145003).exists()  # a Stoke school in the file


def test_rows_for_councils_not_in_the_service_are_ignored_and_counted(db, admin):
    lines = gias_lines()
    # Two real rows moved to LA codes that no council here has (City of London 201, Camden 202).
    lines = edit(lines, 2, {"LA (code)": "201", "LA (name)": "City of London"})
    lines = edit(lines, 3, {"LA (code)": "202", "LA (name)": "Camden"})

    report = imports.import_schools(data=to_bytes(lines), acting_user=admin)

    assert report.ok
    assert (report.rows, report.created, report.ignored) == (295, 270, 2)
    assert report.ignored_reason == "for councils not in this service"
    assert "2 ignored (for councils not in this service)" in report.summary()
    assert not School.objects.filter(urn__in=[107592, 107599]).exists()


def test_a_changed_row_updates_only_that_school_and_audits_what_changed(db, admin):
    imports.import_schools(data=GIAS_FILE.read_bytes(), acting_user=admin)
    lines = edit(gias_lines(), 2, {"EstablishmentName": "Flatts Nursery School and Children's Centre"})
    events = AuditEvent.objects.count()

    report = imports.import_schools(data=to_bytes(lines), acting_user=admin)

    assert (report.created, report.updated, report.unchanged) == (0, 1, 294)
    assert School.objects.get(urn=107592).name == "Flatts Nursery School and Children's Centre"
    assert AuditEvent.objects.count() == events + 1
    event = AuditEvent.objects.get(action="school.updated_from_gias", object_repr__startswith="Flatts")
    assert (event.before, event.after) == (
        {"name": "Flatts Nursery School"},
        {"name": "Flatts Nursery School and Children's Centre"},
    )


@pytest.mark.parametrize(
    ("phase", "expected"),
    [
        ("Middle deemed primary", "middle"),
        ("Middle deemed secondary", "middle"),
        ("All-through", "all_through"),
        ("16 plus", "16_plus"),
        ("SECONDARY", "secondary"),
        ("", "not_applicable"),
    ],
)
def test_gias_phases_are_read(db, admin, phase, expected):
    lines = edit(gias_lines()[:3], 2, {"PhaseOfEducation (name)": phase})
    report = imports.import_schools(data=to_bytes(lines), acting_user=admin)
    assert report.ok and report.created == 2
    assert School.objects.get(urn=107592).phase == expected


def test_a_windows_1252_extract_keeps_its_accented_names(db, admin):
    name = "École Saint-Benoît – Café Nursery"  # é, î and the en dash are all in Windows-1252
    lines = edit(gias_lines(), 2, {"EstablishmentName": name})
    data = to_bytes(lines, "cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")

    report = imports.import_schools(data=data, acting_user=admin)

    assert report.ok and report.created == 272
    assert School.objects.get(urn=107592).name == name
    assert AuditEvent.objects.get(action="school.imported", after__urn=107592).after["name"] == name


def test_a_utf8_extract_with_a_byte_order_mark_is_read(db, admin):
    name = "Ysgol Gymraeg Bro Ŵyn"
    lines = edit(gias_lines()[:3], 3, {"EstablishmentName": name})
    report = imports.import_schools(data=to_bytes(lines, "utf-8-sig"), acting_user=admin)
    assert report.ok and report.created == 2
    assert School.objects.get(urn=107599).name == name


# --- GIAS: bad files ------------------------------------------------------------------------------


def _gias_bad_urn():
    return edit(gias_lines(), 2, {"URN": "1O7592"}), [Problem(2, "URN", "‘1O7592’ is not a whole number.")]


def _gias_empty_urn():
    return edit(gias_lines(), 40, {"URN": ""}), [Problem(40, "URN", "‘’ is not a whole number.")]


def _gias_bad_la_code():
    return (
        edit(gias_lines(), 5, {"LA (code)": "38two"}),
        [Problem(5, "LA (code)", "‘38two’ is not a whole number.")],
    )


def _gias_missing_column():
    return (
        without_column(gias_lines(), "EstablishmentName"),
        [Problem(0, "", "The file has no column called ‘EstablishmentName’.")],
    )


def _gias_missing_columns():
    lines = without_column(without_column(gias_lines(), "URN"), "LA (code)")
    return lines, [Problem(0, "", "The file has no column called ‘URN’, ‘LA (code)’.")]


def _gias_empty_name():
    return (
        edit(gias_lines(), 100, {"EstablishmentName": "  "}),
        [Problem(100, "EstablishmentName", "The school has no name.")],
    )


def _gias_long_name():
    return (
        edit(gias_lines(), 7, {"EstablishmentName": "A" * 201}),
        [Problem(7, "EstablishmentName", "The name is longer than 200 characters.")],
    )


def _gias_bad_postcode():
    return (
        edit(gias_lines(), 18, {"Postcode": "HD2 1E"}),
        [Problem(18, "Postcode", "‘HD2 1E’ is not a UK postcode.")],
    )


def _gias_unknown_phase():
    return (
        edit(gias_lines(), 9, {"PhaseOfEducation (name)": "Infant"}),
        [Problem(9, "PhaseOfEducation (name)", "‘Infant’ is not a GIAS phase.")],
    )


def _gias_duplicate_urn():
    return (
        edit(gias_lines(), 20, {"URN": "107592"}),
        [Problem(20, "URN", "URN 107592 is also on line 2.")],
    )


def _gias_extra_value():
    lines = gias_lines()
    lines[49] += ",Open"
    return lines, [Problem(50, "", "The row has more values than the header has columns.")]


def _gias_empty_file():
    return [], [Problem(0, "", "The file is empty or is not a CSV file.")]


def _gias_several_problems():
    lines = edit(gias_lines(), 3, {"URN": "x"})
    lines = edit(lines, 200, {"Postcode": "ST4"})
    lines = edit(lines, 295, {"EstablishmentName": ""})
    return lines, [
        Problem(3, "URN", "‘x’ is not a whole number."),
        Problem(200, "Postcode", "‘ST4’ is not a UK postcode."),
        Problem(295, "EstablishmentName", "The school has no name."),
    ]


def _gias_windows_1252_with_a_bad_row():
    lines = edit(gias_lines(), 2, {"EstablishmentName": "Crèche École"})
    lines = edit(lines, 30, {"Postcode": "HD99"})
    return (lines, "cp1252"), [Problem(30, "Postcode", "‘HD99’ is not a UK postcode.")]


def _gias_quoted_newline_then_a_bad_row():
    # A name with a line break (quoted, so allowed) makes the file one physical line longer.
    lines = edit(gias_lines(), 2, {"EstablishmentName": "Flatts Nursery School\n(Dewsbury)"})
    lines = edit(lines, 18, {"Postcode": "HD2 1E"})
    assert to_bytes(lines).count(b"\n") == 297
    return lines, [Problem(19, "Postcode", "‘HD2 1E’ is not a UK postcode.")]


BAD_GIAS_FILES = {
    "bad URN": _gias_bad_urn,
    "empty URN": _gias_empty_urn,
    "bad LA code": _gias_bad_la_code,
    "missing column": _gias_missing_column,
    "two missing columns": _gias_missing_columns,
    "empty name": _gias_empty_name,
    "name too long": _gias_long_name,
    "bad postcode": _gias_bad_postcode,
    "unknown phase": _gias_unknown_phase,
    "duplicate URN": _gias_duplicate_urn,
    "extra value on a row": _gias_extra_value,
    "empty file": _gias_empty_file,
    "several problems": _gias_several_problems,
    "Windows-1252 with a bad row": _gias_windows_1252_with_a_bad_row,
    "a line break in a quoted name": _gias_quoted_newline_then_a_bad_row,
}


@pytest.mark.parametrize("case", BAD_GIAS_FILES)
def test_a_bad_gias_file_is_refused_with_the_line_and_column_and_changes_nothing(db, admin, case):
    lines, expected = BAD_GIAS_FILES[case]()
    lines, encoding = lines if isinstance(lines, tuple) else (lines, "utf-8")
    data = to_bytes(lines, encoding) if lines else b""
    before = snapshot()

    report = imports.import_schools(data=data, acting_user=admin)

    assert report.problems == expected
    assert not report.ok
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
    assert report.summary() == [f"{len(expected)} problem(s) found; nothing was changed."]
    assert snapshot() == before


def test_a_file_of_only_a_byte_order_mark_is_empty(db, admin):
    before = snapshot()
    report = imports.import_schools(data=b"\xef\xbb\xbf", acting_user=admin)
    assert report.problems == [Problem(0, "", "The file is empty or is not a CSV file.")]
    assert snapshot() == before


def test_a_school_of_another_council_is_refused_on_its_own_line(db, admin):
    # The Stoke pupil referral unit's real row, claimed by Kirklees: the other 272 new schools are not made.
    lines = gias_lines()
    line = line_of(lines, MERIT)
    assert line == 222
    lines = edit(lines, line, {"LA (code)": "382", "LA (name)": "Kirklees"})
    before = snapshot()

    report = imports.import_schools(data=to_bytes(lines), acting_user=admin)

    assert [(p.line, p.column) for p in report.problems] == [(222, "LA (code)")]
    assert "134159" in report.problems[0].message
    assert "Stoke-on-Trent City Council" in report.problems[0].message
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
    assert snapshot() == before
    assert School.objects.get(urn=MERIT).council == council("stoke-on-trent")


def test_a_file_with_too_many_rows_is_refused(db, admin, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 100)
    before = snapshot()
    report = imports.import_schools(data=GIAS_FILE.read_bytes(), acting_user=admin)
    assert report.problems == [Problem(0, "", "The file has more than 100 rows.")]
    assert snapshot() == before


def test_a_urn_too_long_for_the_database_is_a_problem_not_a_crash(db, admin):
    lines = edit(gias_lines(), 2, {"URN": "107592107592107592107"})
    before = snapshot()
    report = imports.import_schools(data=to_bytes(lines), acting_user=admin)
    assert [(p.line, p.column) for p in report.problems] == [(2, "URN")]
    assert snapshot() == before


# --- School census: the real file -----------------------------------------------------------------


def test_the_census_file_records_the_counts_of_known_schools(db, admin):
    ashbrow = School.objects.get(urn=ASHBROW)
    census_2023 = list(ashbrow.censuses.values_list())

    report = imports.import_census(
        data=CENSUS_FILE.read_bytes(),
        census_month=JANUARY_2019,
        acting_user=admin,
        source="england_census.csv",
    )

    assert report.ok
    # 23,942 data rows less the 3 national totals; 23 demo schools are in the 2019 file.
    assert (report.rows, report.created, report.updated, report.unchanged) == (23_939, 23, 0, 0)
    assert (report.ignored, report.ignored_reason) == (23_939 - 23, "schools not in this service")
    assert report.summary() == [
        "23,939 rows read",
        "23 created",
        "0 updated",
        "0 unchanged",
        "23,916 ignored (schools not in this service)",
    ]
    row = ashbrow.censuses.get(census_month=JANUARY_2019)
    assert (row.pupils_on_roll, row.sen_support, row.ehc_plans, row.free_school_meals, row.source) == (
        443,
        86,
        12,
        151,
        "england_census.csv",
    )
    assert list(ashbrow.censuses.exclude(census_month=JANUARY_2019).values_list()) == census_2023
    merit = SchoolCensus.objects.get(school__urn=MERIT, census_month=JANUARY_2019)
    assert (merit.pupils_on_roll, merit.sen_support, merit.ehc_plans, merit.free_school_meals) == (3, 0, 1, 0)
    assert set(
        SchoolCensus.objects.filter(census_month=JANUARY_2019).values_list("school__urn", flat=True)
    ) == (KIRKLEES_DEMO_IN_FILES | STOKE_DEMO_IN_FILES)

    events = AuditEvent.objects.filter(action="census.imported")
    assert events.count() == 23
    event = events.get(object_id=str(row.pk))
    assert (event.actor, event.council, event.after) == (
        admin,
        council("kirklees"),
        {"pupils_on_roll": 443, "sen_support": 86, "ehc_plans": 12, "free_school_meals": 151},
    )


def test_national_rows_are_skipped_and_na_becomes_none(db, admin):
    imports.import_schools(data=GIAS_FILE.read_bytes(), acting_user=admin)

    report = imports.import_census(
        data=CENSUS_FILE.read_bytes(), census_month=JANUARY_2019, acting_user=admin
    )

    assert report.ok
    assert (report.rows, report.created, report.ignored) == (23_939, 295, 23_939 - 295)
    # City of Stoke-on-Trent Sixth Form College: every count suppressed.
    college = SchoolCensus.objects.get(school__urn=145003, census_month=JANUARY_2019)
    assert (college.pupils_on_roll, college.sen_support, college.ehc_plans, college.free_school_meals) == (
        None,
        None,
        None,
        None,
    )
    # Huddersfield Grammar School: only free school meals suppressed.
    grammar = SchoolCensus.objects.get(school__urn=107786, census_month=JANUARY_2019)
    assert (grammar.pupils_on_roll, grammar.sen_support, grammar.ehc_plans, grammar.free_school_meals) == (
        551,
        69,
        2,
        None,
    )
    assert AuditEvent.objects.get(action="census.imported", object_id=str(college.pk)).after == {
        "pupils_on_roll": None,
        "sen_support": None,
        "ehc_plans": None,
        "free_school_meals": None,
    }


def test_a_file_of_only_national_rows_reads_no_schools(db, admin):
    lines = census_lines()
    before = snapshot()
    report = imports.import_census(
        data=to_bytes([lines[0], *lines[-3:]]), census_month=JANUARY_2019, acting_user=admin
    )
    assert report.ok
    assert (report.rows, report.created, report.ignored) == (0, 0, 0)
    assert snapshot() == before


def test_importing_the_same_census_twice_changes_nothing_the_second_time(db, admin):
    data = CENSUS_FILE.read_bytes()
    imports.import_census(data=data, census_month=JANUARY_2019, acting_user=admin)
    before = snapshot()

    report = imports.import_census(data=data, census_month=JANUARY_2019, acting_user=admin)

    assert report.ok
    assert (report.created, report.updated, report.unchanged) == (0, 0, 23)
    assert snapshot() == before


def test_a_corrected_census_row_updates_that_school_only(db, admin):
    imports.import_census(data=CENSUS_FILE.read_bytes(), census_month=JANUARY_2019, acting_user=admin)
    lines = census_lines()
    lines = edit(lines, line_of(lines, ASHBROW), {"TSENELK": "90"})
    events = AuditEvent.objects.count()

    report = imports.import_census(data=to_bytes(lines), census_month=JANUARY_2019, acting_user=admin)

    assert (report.created, report.updated, report.unchanged) == (0, 1, 22)
    row = SchoolCensus.objects.get(school__urn=ASHBROW, census_month=JANUARY_2019)
    assert (row.pupils_on_roll, row.sen_support) == (443, 90)
    assert AuditEvent.objects.count() == events + 1
    event = AuditEvent.objects.get(action="census.updated")
    assert (event.before, event.after, event.object_id) == (
        {"sen_support": 86},
        {"sen_support": 90},
        str(row.pk),
    )


def test_another_census_month_is_recorded_alongside(db, admin):
    data = CENSUS_FILE.read_bytes()
    imports.import_census(data=data, census_month=JANUARY_2019, acting_user=admin)
    report = imports.import_census(data=data, census_month=datetime.date(2019, 5, 1), acting_user=admin)
    assert report.created == 23
    assert SchoolCensus.objects.filter(school__urn=ASHBROW).count() == 3  # 2023, January and May 2019


def test_an_upload_for_one_council_ignores_other_councils_schools(db, admin):
    report = imports.import_census(
        data=CENSUS_FILE.read_bytes(),
        census_month=JANUARY_2019,
        acting_user=admin,
        council=council("kirklees"),
    )
    assert report.ok
    assert (report.created, report.ignored) == (7, 23_939 - 7)
    assert report.ignored_reason == "schools not in Kirklees Council"
    assert set(
        SchoolCensus.objects.filter(census_month=JANUARY_2019).values_list("school__urn", flat=True)
    ) == (KIRKLEES_DEMO_IN_FILES)


def test_a_census_without_free_school_meals_leaves_them_blank(db, admin):
    lines = census_lines()
    keep = ["URN", "NOR", "TSENELK", "TSENELSE"]
    header = _row(lines[0])
    indexes = [header.index(name) for name in keep]
    lines = [_line([_row(line)[i] for i in indexes]) for line in lines]
    report = imports.import_census(data=to_bytes(lines), census_month=JANUARY_2019, acting_user=admin)
    assert report.ok and report.created == 23
    row = SchoolCensus.objects.get(school__urn=ASHBROW, census_month=JANUARY_2019)
    assert (row.pupils_on_roll, row.sen_support, row.ehc_plans, row.free_school_meals) == (443, 86, 12, None)


# --- School census: bad files ---------------------------------------------------------------------


def _census_edit(changes, urn=ASHBROW):
    lines = census_lines()
    return edit(lines, line_of(lines, urn), changes)


BAD_CENSUS_FILES = {
    "bad URN": (
        lambda: _census_edit({"URN": "10762B"}),
        [Problem(3932, "URN", "‘10762B’ is not a whole number.")],
    ),
    "empty URN": (lambda: _census_edit({"URN": ""}), [Problem(3932, "URN", "‘’ is not a whole number.")]),
    "SEN support larger than the roll": (
        lambda: _census_edit({"TSENELK": "500"}),
        [Problem(3932, "TSENELK", "500 is more than the 443 pupils on roll (NOR).")],
    ),
    "a roll smaller than every count": (
        lambda: _census_edit({"NOR": "10"}),
        [
            Problem(3932, "TSENELK", "86 is more than the 10 pupils on roll (NOR)."),
            Problem(3932, "TSENELSE", "12 is more than the 10 pupils on roll (NOR)."),
            Problem(3932, "NUMFSM", "151 is more than the 10 pupils on roll (NOR)."),
        ],
    ),
    "free school meals larger than the roll": (
        lambda: _census_edit({"NUMFSM": "4"}, urn=MERIT),
        [Problem(14449, "NUMFSM", "4 is more than the 3 pupils on roll (NOR).")],
    ),
    "count with a thousands separator": (
        lambda: _census_edit({"NUMFSM": "1,443"}, urn=MERIT),
        [Problem(14449, "NUMFSM", "‘1,443’ is not a whole number, or NA where suppressed.")],
    ),
    "count not a number": (
        lambda: _census_edit({"TSENELSE": "twelve"}),
        [Problem(3932, "TSENELSE", "‘twelve’ is not a whole number, or NA where suppressed.")],
    ),
    "count a decimal": (
        lambda: _census_edit({"NOR": "443.0"}),
        [Problem(3932, "NOR", "‘443.0’ is not a whole number, or NA where suppressed.")],
    ),
    "count negative": (
        lambda: _census_edit({"TSENELK": "-1"}),
        [Problem(3932, "TSENELK", "‘-1’ is not a whole number, or NA where suppressed.")],
    ),
    "duplicate URN": (
        lambda: _census_edit({"URN": str(ASHBROW)}, urn=MERIT),
        [Problem(14449, "URN", "URN 107628 is also on line 3932.")],
    ),
    "missing column": (
        lambda: without_column(census_lines(), "TSENELK"),
        [Problem(0, "", "The file has no column called ‘TSENELK’.")],
    ),
    "extra value on a row": (
        lambda: [*census_lines()[:3931], census_lines()[3931] + ",1", *census_lines()[3932:]],
        [Problem(3932, "", "The row has more values than the header has columns.")],
    ),
    "empty file": (lambda: [], [Problem(0, "", "The file is empty or is not a CSV file.")]),
    "header only, wrong columns": (
        lambda: ["School,Pupils"],
        [Problem(0, "", "The file has no column called ‘URN’, ‘NOR’, ‘TSENELK’, ‘TSENELSE’.")],
    ),
}


@pytest.mark.parametrize("case", BAD_CENSUS_FILES)
def test_a_bad_census_file_is_refused_with_the_line_and_column_and_changes_nothing(db, admin, case):
    make, expected = BAD_CENSUS_FILES[case]
    lines = make()
    before = snapshot()

    report = imports.import_census(
        data=to_bytes(lines) if lines else b"", census_month=JANUARY_2019, acting_user=admin
    )

    assert report.problems == expected
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
    assert snapshot() == before


def test_a_bad_census_row_for_a_school_not_here_still_refuses_the_file(db, admin):
    # Line 2 is a City of London school that this service does not know: the file is still refused.
    lines = edit(census_lines(), 2, {"TSENELK": "NA*"})
    before = snapshot()
    report = imports.import_census(data=to_bytes(lines), census_month=JANUARY_2019, acting_user=admin)
    assert report.problems == [Problem(2, "TSENELK", "‘NA*’ is not a whole number, or NA where suppressed.")]
    assert snapshot() == before


def test_a_superscript_digit_is_a_problem_not_a_crash(db, admin):
    lines = _census_edit({"URN": "10762²"})
    before = snapshot()
    report = imports.import_census(
        data=to_bytes(lines, "cp1252"), census_month=JANUARY_2019, acting_user=admin
    )
    assert report.problems == [Problem(3932, "URN", "‘10762²’ is not a whole number.")]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019-01", JANUARY_2019),
        (" January 2019 ", JANUARY_2019),
        ("Jan 2019", JANUARY_2019),
        ("2023-5", datetime.date(2023, 5, 1)),
    ],
)
def test_census_months_are_read(text, expected):
    assert imports.parse_census_month(text) == expected


@pytest.mark.parametrize("text", ["2019-13", "", "January", "01/2019", "Janvier 2019"])
def test_other_census_months_are_refused_with_a_readable_message(text):
    with pytest.raises(ValueError, match="is not a census month: write it as 2019-01 or January 2019"):
        imports.parse_census_month(text)


# --- the commands ---------------------------------------------------------------------------------


def test_the_import_schools_command_imports_a_gias_extract(db):
    out = io.StringIO()
    call_command("import_schools", str(GIAS_FILE), stdout=out)
    assert out.getvalue().splitlines() == ["295 rows read", "272 created", "22 updated", "1 unchanged"]
    assert School.objects.filter(urn=107592).exists()
    event = AuditEvent.objects.filter(action="school.imported").first()
    assert (event.actor, event.actor_name) == (None, "System")


def test_the_import_schools_command_refuses_a_bad_file_and_lists_its_problems(db, tmp_path):
    path = tmp_path / "gias.csv"
    lines = edit(gias_lines(), 18, {"Postcode": "HD2 1E"})
    lines = edit(lines, 20, {"URN": "107592"})
    path.write_bytes(to_bytes(lines))
    before = snapshot()
    err = io.StringIO()

    with pytest.raises(CommandError, match=r"^2 problem\(s\) found; nothing was changed\.$"):
        call_command("import_schools", str(path), stderr=err)

    assert err.getvalue().splitlines() == [
        "Line 18, Postcode: ‘HD2 1E’ is not a UK postcode.",
        "Line 20, URN: URN 107592 is also on line 2.",
    ]
    assert snapshot() == before


def test_the_import_schools_command_reports_a_whole_file_problem(db, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_schools", str(path), stderr=err)
    assert err.getvalue().strip() == "The file: The file is empty or is not a CSV file."


def test_the_import_schools_command_needs_a_file(db, tmp_path):
    with pytest.raises(CommandError, match="is not a file"):
        call_command("import_schools", str(tmp_path / "missing.csv"))


def test_the_import_census_command_imports_a_census_file(db):
    out = io.StringIO()
    call_command("import_census", str(CENSUS_FILE), "--census", "2019-01", stdout=out)
    assert out.getvalue().splitlines()[:2] == ["23,939 rows read", "23 created"]
    row = SchoolCensus.objects.get(school__urn=ASHBROW, census_month=JANUARY_2019)
    assert (row.sen_support, row.source) == (86, "dfe_census_by_school_jan2019.csv")


def test_the_import_census_command_refuses_a_bad_file(db, tmp_path):
    path = tmp_path / "census.csv"
    path.write_bytes(to_bytes(_census_edit({"TSENELK": "500"})))
    before = snapshot()
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"1 problem\(s\) found"):
        call_command("import_census", str(path), census="January 2019", stderr=err)
    assert err.getvalue().strip() == "Line 3932, TSENELK: 500 is more than the 443 pupils on roll (NOR)."
    assert snapshot() == before


def test_the_import_census_command_refuses_a_bad_month(db):
    before = snapshot()
    with pytest.raises(CommandError, match="‘Winter 2019’ is not a census month"):
        call_command("import_census", str(CENSUS_FILE), census="Winter 2019")
    assert snapshot() == before


def test_the_clusterfund_command_runs_import_schools(db, capsys, monkeypatch):
    from django.db import connections

    from clusterfund.cli import main

    # A command run from the command line closes the connections when it ends, which here would
    # close the test's own transaction.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    main(["clusterfund", "import-schools", str(GIAS_FILE)])
    assert capsys.readouterr().out.splitlines() == [
        "295 rows read",
        "272 created",
        "22 updated",
        "1 unchanged",
    ]
    assert School.objects.filter(urn=145003).exists()


def test_a_school_gias_lists_as_closed_is_marked_closed(db, admin):
    report = imports.import_schools(data=GIAS_FILE.read_bytes(), acting_user=admin)
    assert report.ok
    closed = School.objects.filter(is_closed=True)
    assert closed.exists()
    assert closed.filter(urn=107612).exists()
    assert not School.objects.get(urn=ASHBROW).is_closed
