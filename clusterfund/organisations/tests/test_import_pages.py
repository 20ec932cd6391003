"""The upload pages for GIAS extracts and school census files, used through their real forms."""

import csv
import io
import re

import html5lib
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from clusterfund.audit.models import AuditEvent
from clusterfund.organisations.models import ClusterMembership, Council, School, SchoolCensus

DATA = settings.BASE_DIR / "data" / "dfe"
GIAS_FILE = DATA / "gias_extract_kirklees_stoke.csv"
CENSUS_FILE = DATA / "dfe_census_by_school_jan2019.csv"

SCHOOLS_URL = "/councils/kirklees/imports/schools"
CENSUS_URL = "/councils/kirklees/imports/census"
K_ADMIN, K_AUDITOR = "send.admin@kirklees.example", "auditor@kirklees.example"
S_ADMIN = "send.admin@stoke.example"
K_SENCO, K_CHAIR = "senco.stthomas@kirklees.example", "head.ashbrow@kirklees.example"
ASHBROW = 107628


def snapshot() -> dict:
    return {
        "counts": {
            model.__name__: model.objects.count()
            for model in (School, SchoolCensus, ClusterMembership, AuditEvent)
        },
        "schools": list(School.objects.order_by("pk").values_list()),
        "censuses": list(SchoolCensus.objects.order_by("pk").values_list()),
    }


def page_text(response) -> str:
    """The words of the page's main content, with the spacing tidied."""
    document = html5lib.HTMLParser(namespaceHTMLElements=False).parse(response.content.decode())
    main = document.find(".//main")
    return " ".join(" ".join(main.itertext()).split())


def title(response) -> str:
    return re.search(r"<title[^>]*>([^<]*)</title>", response.content.decode()).group(1).strip()


def csrf_token(response) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())
    assert match, "the form has no CSRF token"
    return match.group(1)


def edited_gias(changes: dict[int, dict[str, str]]) -> bytes:
    """The real GIAS extract with some values of some lines (1-based) changed."""
    lines = GIAS_FILE.read_text(encoding="utf-8-sig").splitlines()
    header = next(csv.reader([lines[0]]))
    for number, values in changes.items():
        row = next(csv.reader([lines[number - 1]]))
        for column, value in values.items():
            row[header.index(column)] = value
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerow(row)
        lines[number - 1] = out.getvalue().removesuffix("\n")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def signed_in(client, user_by_email):
    """A client signed in as someone, that sends forms with their CSRF token as a browser does."""

    def sign_in(email):
        client.force_login(user_by_email(email))
        client.handler.enforce_csrf_checks = True
        return client

    return sign_in


def upload(client, url, name, data, **fields):
    """Open the page, then send its form with the file, as a browser does."""
    page = client.get(url)
    assert page.status_code == 200
    form = {"csrfmiddlewaretoken": csrf_token(page), **fields}
    if name is not None:
        form["file"] = SimpleUploadedFile(name, data, content_type="text/csv")
    return client.post(url, form)


# --- GIAS -----------------------------------------------------------------------------------------


def test_the_schools_page_offers_a_csv_upload(signed_in):
    response = signed_in(K_ADMIN).get(SCHOOLS_URL)
    body = response.content.decode()
    assert response.status_code == 200
    assert title(response).startswith("Import schools from Get Information About Schools")
    assert 'enctype="multipart/form-data"' in body
    assert re.search(r'<input[^>]+type="file"[^>]+name="file"', body) or re.search(
        r'<input[^>]+name="file"[^>]+type="file"', body
    )
    assert "Kirklees Council" in page_text(response)


def test_a_council_admin_imports_the_gias_extract_for_their_council(signed_in, user_by_email):
    kirklees, stoke = Council.objects.get(slug="kirklees"), Council.objects.get(slug="stoke-on-trent")
    counts = (kirklees.schools.count(), stoke.schools.count())

    response = upload(signed_in(K_ADMIN), SCHOOLS_URL, "edubasealldata.csv", GIAS_FILE.read_bytes())

    assert response.status_code == 200
    text = page_text(response)
    assert "The file was imported" in text
    assert "295 rows read 186 created 7 updated 0 unchanged 102 ignored (not in Kirklees Council)" in text
    assert "There is a problem" not in text
    assert (kirklees.schools.count(), stoke.schools.count()) == (counts[0] + 186, counts[1])
    assert School.objects.get(urn=107592).council == kirklees
    assert not School.objects.filter(urn=145003).exists()
    events = AuditEvent.objects.filter(action="school.imported")
    assert events.count() == 186
    assert set(events.values_list("actor", flat=True)) == {user_by_email(K_ADMIN).pk}


def test_uploading_the_same_extract_again_changes_nothing(signed_in):
    client = signed_in(K_ADMIN)
    upload(client, SCHOOLS_URL, "gias.csv", GIAS_FILE.read_bytes())
    before = snapshot()

    response = upload(client, SCHOOLS_URL, "gias.csv", GIAS_FILE.read_bytes())

    assert "295 rows read 0 created 0 updated 193 unchanged 102 ignored" in page_text(response)
    assert snapshot() == before


def test_stoke_imports_only_its_own_schools(signed_in):
    response = upload(
        signed_in(S_ADMIN), "/councils/stoke-on-trent/imports/schools", "gias.csv", GIAS_FILE.read_bytes()
    )
    assert (
        "295 rows read 86 created 15 updated 1 unchanged 193 ignored (not in Stoke-on-Trent City Council)"
        in page_text(response)
    )
    assert School.objects.get(urn=145003).council.slug == "stoke-on-trent"
    assert not School.objects.filter(urn=107592).exists()


def test_a_bad_extract_shows_every_problem_and_changes_nothing(signed_in):
    data = edited_gias({18: {"Postcode": "HD2 1E"}, 20: {"URN": "107592"}, 150: {"EstablishmentName": ""}})
    before = snapshot()

    response = upload(signed_in(K_ADMIN), SCHOOLS_URL, "gias.csv", data)

    assert response.status_code == 200
    text = page_text(response)
    assert "The file has 3 problems: nothing was imported" in text
    assert "Correct the file and upload it again." in text
    assert "18 Postcode ‘HD2 1E’ is not a UK postcode." in text
    assert "20 URN URN 107592 is also on line 2." in text
    assert "150 EstablishmentName The school has no name." in text
    assert "The file was imported" not in text
    assert snapshot() == before


def test_a_file_problem_is_shown_for_the_whole_file(signed_in):
    data = b"URN,School name,LA\n107592,Flatts Nursery School,382\n"
    before = snapshot()
    response = upload(signed_in(K_ADMIN), SCHOOLS_URL, "gias.csv", data)
    text = page_text(response)
    assert "The file has 1 problem: nothing was imported" in text
    assert "Whole file – The file has no column called ‘EstablishmentName’, ‘LA (code)’." in text
    assert snapshot() == before


def test_a_school_claimed_from_another_council_is_refused(signed_in):
    # Merit (a Stoke school, line 222) said to be in Kirklees: nothing of the file is applied.
    data = edited_gias({222: {"LA (code)": "382"}})
    before = snapshot()
    response = upload(signed_in(K_ADMIN), SCHOOLS_URL, "gias.csv", data)
    text = page_text(response)
    assert "The file has 1 problem: nothing was imported" in text
    assert "222 LA (code)" in text
    assert snapshot() == before


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (None, b"", "Select a CSV file"),
        ("gias.csv", b"", "The selected file is empty"),
        ("gias.xlsx", b"URN,EstablishmentName,LA (code)\n", "The selected file must be a CSV"),
        ("gias.csv", b"PK\x03\x04\x00\x00\x08\x00", "The selected file must be a CSV"),
    ],
)
def test_a_missing_or_wrong_file_is_explained(signed_in, name, data, message):
    before = snapshot()
    response = upload(signed_in(K_ADMIN), SCHOOLS_URL, name, data)
    assert response.status_code == 200
    assert title(response).startswith("Error: Import schools")
    text = page_text(response)
    assert "There is a problem" in text and message in text
    assert 'href="#id_file"' in response.content.decode()
    assert "The file was imported" not in text
    assert snapshot() == before


# --- census ---------------------------------------------------------------------------------------


def test_the_census_page_asks_for_the_month_and_the_file(signed_in):
    response = signed_in(K_ADMIN).get(CENSUS_URL)
    body = response.content.decode()
    assert title(response).startswith("Import school census counts")
    assert 'name="census_month"' in body and 'name="file"' in body
    assert body.index('name="census_month"') < body.index('name="file"')


def test_a_council_admin_imports_the_census_for_their_schools(signed_in, user_by_email):
    stoke_censuses = list(SchoolCensus.objects.filter(school__council__slug="stoke-on-trent").values_list())

    response = upload(
        signed_in(K_ADMIN),
        CENSUS_URL,
        "england_census.csv",
        CENSUS_FILE.read_bytes(),
        census_month="January 2019",
    )

    text = page_text(response)
    assert "The file was imported" in text
    assert (
        "23,939 rows read 7 created 0 updated 0 unchanged 23,932 ignored (schools not in Kirklees Council)"
        in text
    )
    row = SchoolCensus.objects.get(school__urn=ASHBROW, census_month="2019-01-01")
    assert (row.pupils_on_roll, row.sen_support, row.ehc_plans, row.free_school_meals, row.source) == (
        443,
        86,
        12,
        151,
        "england_census.csv",
    )
    assert list(SchoolCensus.objects.filter(school__council__slug="stoke-on-trent").values_list()) == (
        stoke_censuses
    )
    assert AuditEvent.objects.filter(action="census.imported", actor=user_by_email(K_ADMIN)).count() == 7


def test_a_census_row_with_more_sen_support_than_pupils_is_refused(signed_in):
    lines = CENSUS_FILE.read_text(encoding="utf-8-sig").splitlines()
    assert lines[3931].startswith("107628,382,2043,State-funded primary,443,")
    row = lines[3931].split(",")
    row[11] = "500"  # TSENELK
    lines[3931] = ",".join(row)
    before = snapshot()

    response = upload(
        signed_in(K_ADMIN),
        CENSUS_URL,
        "census.csv",
        ("\n".join(lines) + "\n").encode("utf-8-sig"),
        census_month="2019-01",
    )

    text = page_text(response)
    assert "The file has 1 problem: nothing was imported" in text
    assert "3932 TSENELK 500 is more than the 443 pupils on roll (NOR)." in text
    assert snapshot() == before


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("", "Enter the census month, for example January 2023"),
        ("Winter 2019", "‘Winter 2019’ is not a census month: write it as 2019-01 or January 2019."),
        ("2019-13", "‘2019-13’ is not a census month: write it as 2019-01 or January 2019."),
    ],
)
def test_a_wrong_census_month_is_explained(signed_in, month, message):
    before = snapshot()
    response = upload(
        signed_in(K_ADMIN), CENSUS_URL, "census.csv", CENSUS_FILE.read_bytes(), census_month=month
    )
    text = page_text(response)
    assert title(response).startswith("Error: Import school census counts")
    assert "There is a problem" in text and message in text
    assert 'href="#id_census_month"' in response.content.decode()
    assert snapshot() == before


# --- who may upload -------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [SCHOOLS_URL, CENSUS_URL])
@pytest.mark.parametrize(
    ("email", "status"),
    [(K_AUDITOR, 403), (S_ADMIN, 404), (K_SENCO, 404), (K_CHAIR, 404)],
)
def test_only_the_councils_admins_may_upload(client, user_by_email, url, email, status):
    client.force_login(user_by_email(email))
    before = snapshot()
    assert client.get(url).status_code == status
    response = client.post(
        url,
        {"census_month": "2019-01", "file": SimpleUploadedFile("gias.csv", GIAS_FILE.read_bytes())},
    )
    assert response.status_code == status
    assert snapshot() == before


def test_signed_out_people_are_sent_to_sign_in(client, db):
    before = snapshot()
    response = client.get(SCHOOLS_URL)
    assert (response.status_code, response["Location"]) == (302, "/sign-in?next=" + SCHOOLS_URL)
    response = client.post(SCHOOLS_URL, {"file": SimpleUploadedFile("gias.csv", GIAS_FILE.read_bytes())})
    assert response.status_code == 302
    assert snapshot() == before


def test_an_unknown_council_is_not_found(signed_in):
    assert signed_in(K_ADMIN).get("/councils/leeds/imports/schools").status_code == 404


def test_an_upload_without_the_forms_csrf_token_is_refused(user_by_email):
    # A plain client: the refusal page is Django's own (see the next test).
    client = Client(enforce_csrf_checks=True)
    client.force_login(user_by_email(K_ADMIN))
    before = snapshot()
    response = client.post(SCHOOLS_URL, {"file": SimpleUploadedFile("gias.csv", GIAS_FILE.read_bytes())})
    assert response.status_code == 403
    assert snapshot() == before


def test_a_refused_csrf_token_shows_the_services_own_page(signed_in):
    response = signed_in(K_ADMIN).post(SCHOOLS_URL, {"file": SimpleUploadedFile("gias.csv", b"URN\n")})
    assert response.status_code == 403
    assert 'class="govuk-template"' in response.content.decode()
