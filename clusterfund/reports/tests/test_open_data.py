"""360Giving open data: one grant per school per year, valid against the standard's own schema (read from
the copy in the repository, never fetched), the same grants in the flat CSV, and nothing about any pupil."""

import csv
import datetime
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

from clusterfund.money.models import Award
from clusterfund.money.services import award_amounts, vary_award
from clusterfund.organisations.models import OPEN_GOVERNMENT_LICENCE, Council
from clusterfund.pupils.models import Pupil
from clusterfund.reports import exports

SCHEMAS = Path(__file__).resolve().parents[1] / "json_schemas" / "360giving"
# The package schema points at the grant schema of 1.4.2 by its address; the copy here is 1.4.3's.
GRANT_SCHEMA_1_4_2 = (
    "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.2/schema/360-giving-schema.json"
)


def _schema(name):
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def package_validator() -> Draft202012Validator:
    """The 1.4 package schema with a local registry: every `$ref` resolves to a file in the repository, and
    anything else fails rather than being fetched. Both files name their dialect with an http address that
    `referencing` does not detect, so draft 2020-12 is given explicitly; format checking is on because the
    schema's dates are a `oneOf` that a plain date only passes when "date-time" is checked."""
    package, grant = _schema("360-giving-package-schema.json"), _schema("360-giving-schema.json")
    grant_resource = DRAFT202012.create_resource(grant)
    registry = Registry().with_resources(
        [
            (package["$id"], DRAFT202012.create_resource(package)),
            (grant["$id"], grant_resource),
            (GRANT_SCHEMA_1_4_2, grant_resource),
        ]
    )
    return Draft202012Validator(
        package, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def years_with_awards(council):
    return sorted(
        {
            award.pot.academic_year
            for award in Award.objects.filter(pot__council=council).select_related("pot__academic_year")
        },
        key=lambda year: year.start_year,
    )


def council_years():
    return [
        (council, year) for council in Council.objects.order_by("slug") for year in years_with_awards(council)
    ]


def download(client, name, council, year):
    response = client.get(reverse(name, args=[council.slug, year.start_year]))
    assert response.status_code == 200
    return response


@pytest.fixture
def published(db, client):
    """Every council's every year with awards, downloaded signed out as JSON and CSV."""
    found = []
    for council, year in council_years():
        json_text = download(client, "open-data:grants-json", council, year).content.decode("utf-8")
        csv_text = download(client, "open-data:grants-csv", council, year).content.decode("utf-8")
        found.append((council, year, json_text, csv_text))
    assert {council.slug for council, *_ in found} == {"kirklees", "stoke-on-trent"}
    return found


def test_the_validator_reads_only_local_files_and_checks_dates():
    validator = package_validator()
    assert "date-time" in validator.FORMAT_CHECKER.checkers, "install rfc3339-validator (dev dependencies)"
    with pytest.raises(Unresolvable):
        validator._resolver.lookup(
            "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.3/schema.json"
        )


def test_the_validator_rejects_a_package_that_breaks_the_standard():
    grant = {
        "id": "360G-x-1",
        "title": "A grant",
        "description": "A grant",
        "currency": "GBP",
        "amountAwarded": 10,
        "awardDate": "2026-10-01",
        "fundingOrganization": [{"id": "GB-LAE-KIR", "name": "Kirklees Council"}],
        "recipientOrganization": [{"id": "GB-EDU-151801", "name": "St Thomas"}],
    }
    validator = package_validator()
    assert not list(validator.iter_errors({"grants": [grant]}))
    for broken in (
        {"grants": []},
        {"grants": [{**grant, "awardDate": "1 October 2026"}]},
        {"grants": [{**grant, "amountAwarded": "10.00"}]},
        {"grants": [{key: value for key, value in grant.items() if key != "recipientOrganization"}]},
    ):
        assert list(validator.iter_errors(broken)), broken


def test_every_download_is_valid_360giving_1_4_json(published):
    validator = package_validator()
    for council, year, json_text, _ in published:
        package = json.loads(json_text)
        errors = [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(package)]
        assert errors == [], f"{council.slug} {year.name}"
        assert package["version"] == "1.4"
        assert package["license"] == OPEN_GOVERNMENT_LICENCE
        assert package["publisher"]["name"] == council.name


def test_one_grant_per_school_per_year_summed_over_its_awards(published):
    for council, year, json_text, _ in published:
        expected: dict[str, dict] = {}
        for award in Award.objects.filter(pot__council=council, pot__academic_year=year).select_related(
            "payee_school"
        ):
            committed = award_amounts(award)["committed"]
            if committed > 0:
                entry = expected.setdefault(
                    f"GB-EDU-{award.payee_school.urn}",
                    {"pence": 0, "first": award.decided_on, "awards": 0, "name": award.payee_school.name},
                )
                entry["pence"] += committed
                entry["first"] = min(entry["first"], award.decided_on)
                entry["awards"] += 1
        grants = json.loads(json_text, parse_float=Decimal)["grants"]
        recipients = [grant["recipientOrganization"][0]["id"] for grant in grants]
        assert len(recipients) == len(set(recipients)), "one grant per school"
        assert set(recipients) == set(expected)
        assert sum(entry["awards"] for entry in expected.values()) > len(grants), (
            "grants are summed, not listed"
        )
        for grant in grants:
            school = expected[grant["recipientOrganization"][0]["id"]]
            assert grant["amountAwarded"] == Decimal(school["pence"]) / 100
            assert grant["awardDate"] == school["first"].isoformat()
            assert grant["recipientOrganization"][0]["name"] == school["name"]
            assert grant["currency"] == "GBP"
            assert grant["id"] == (
                f"360G-clusterfund-{council.slug}-{year.name.replace('/', '-')}-"
                f"{grant['recipientOrganization'][0]['id'].removeprefix('GB-EDU-')}"
            )
            assert grant["fundingOrganization"] == [
                {"id": f"360G-clusterfund-{council.slug}", "name": council.name}
            ]
            assert grant["grantProgramme"][0]["title"] in {"Cluster 14", "Central cluster", "City pool"}


def test_amounts_are_pounds_with_two_decimals_in_both_files(published):
    for _, _, json_text, csv_text in published:
        amounts = re.findall(r'"amountAwarded": ([^,\n]+)', json_text)
        assert amounts and all(re.fullmatch(r"\d+\.\d{2}", amount) for amount in amounts)
        rows = list(csv.DictReader(io.StringIO(csv_text)))
        assert all(re.fullmatch(r"\d+\.\d{2}", row["Amount Awarded"]) for row in rows)


def test_no_pupil_is_named_or_referred_to(published):
    pupils = list(Pupil.objects.all())
    assert any(pupil.name for pupil in pupils) and pupils
    for _, _, json_text, csv_text in published:
        for text in (json_text, csv_text):
            for pupil in pupils:
                assert pupil.reference not in text
                if pupil.name:
                    assert pupil.name.lower() not in text.lower()
            assert (
                "pupil" not in re.sub(r"no pupil is named or counted", "", text, flags=re.IGNORECASE).lower()
            )


def test_no_grant_states_a_count(published):
    """How many awards a grant sums would, beside the year in numbers, give away a cluster's hidden count."""
    for _, year, json_text, _ in published:
        package = json.loads(json_text)
        for grant in package["grants"]:
            text = grant["title"] + " " + grant["description"]
            for programme in grant.get("grantProgramme", []):
                text = text.replace(programme["title"], "")  # "Cluster 14" is a name, not a count
            assert "sum of the school's awards" in grant["description"]
            numbers = set(re.findall(r"\b\d+\b", text)) - set(re.findall(r"\d+", year.name))
            assert not numbers, text
        assert "fewer than" not in package["description"]


def test_the_csv_has_the_same_grants_under_the_standards_column_titles(published):
    for _, _, json_text, csv_text in published:
        grants = json.loads(json_text, parse_float=Decimal)["grants"]
        rows = list(csv.DictReader(io.StringIO(csv_text)))
        assert list(rows[0])[:6] == [
            "Identifier",
            "Title",
            "Description",
            "Currency",
            "Amount Awarded",
            "Award Date",
        ]
        assert len(rows) == len(grants)
        for row, grant in zip(rows, grants, strict=True):
            assert row["Identifier"] == grant["id"]
            assert row["Title"] == grant["title"]
            assert row["Description"] == grant["description"]
            assert row["Currency"] == "GBP"
            assert Decimal(row["Amount Awarded"]) == grant["amountAwarded"]
            assert row["Award Date"] == grant["awardDate"]
            assert row["Recipient Org:Identifier"] == grant["recipientOrganization"][0]["id"]
            assert row["Recipient Org:Name"] == grant["recipientOrganization"][0]["name"]
            assert row["Funding Org:Identifier"] == grant["fundingOrganization"][0]["id"]
            assert row["Funding Org:Name"] == grant["fundingOrganization"][0]["name"]
            assert row["Grant Programme:Code"] == grant["grantProgramme"][0]["code"]
            assert row["Grant Programme:Title"] == grant["grantProgramme"][0]["title"]


def test_a_variation_changes_the_grant(db, user_by_email):
    council = Council.objects.get(slug="kirklees")
    year = years_with_awards(council)[-1]
    award = Award.objects.filter(pot__council=council, pot__academic_year=year).order_by("pk").first()
    urn = f"GB-EDU-{award.payee_school.urn}"

    def amount():
        package = exports.grants_package(council=council, academic_year=year)
        return next(
            grant["amountAwarded"]
            for grant in package["grants"]
            if grant["recipientOrganization"][0]["id"] == urn
        )

    before = amount()
    committed = award_amounts(award)["committed"]
    vary_award(
        award=award,
        amount_pence=committed - 1001,
        reason="Fewer sessions needed",
        acting_user=user_by_email("send.admin@kirklees.example"),
    )
    assert amount() == before - Decimal("10.01")


def test_the_councils_own_identifiers_and_licence_are_used(db):
    council = Council.objects.get(slug="kirklees")
    year = years_with_awards(council)[-1]
    council.giving_prefix, council.giving_org_id = "360G-kirklees", "GB-LAE-KIR"
    council.open_data_licence = "https://creativecommons.org/licenses/by/4.0/"
    package = exports.grants_package(council=council, academic_year=year, issued=datetime.date(2027, 1, 5))
    assert package["issued"] == "2027-01-05"
    assert package["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert package["publisher"] == {"name": "Kirklees Council", "identifier": "GB-LAE-KIR"}
    for grant in package["grants"]:
        assert grant["id"].startswith(f"360G-kirklees-kirklees-{year.name.replace('/', '-')}-")
        assert grant["fundingOrganization"][0]["id"] == "GB-LAE-KIR"
    assert not list(package_validator().iter_errors(json.loads(exports.package_json(package))))


def test_a_year_without_awards_has_nothing_to_publish(db, client):
    council = Council.objects.get(slug="kirklees")
    empty = council.academic_years.exclude(pk__in=[year.pk for year in years_with_awards(council)]).first()
    assert empty is not None
    with pytest.raises(exports.NothingToPublish):
        exports.grants_package(council=council, academic_year=empty)
    assert (
        client.get(reverse("open-data:grants-json", args=["kirklees", empty.start_year])).status_code == 404
    )
    assert client.get(reverse("open-data:grants-csv", args=["kirklees", 1999])).status_code == 404
    assert client.get(reverse("open-data:council", args=["nowhere"])).status_code == 404


@pytest.mark.parametrize("code", ["kirklees", "382"])
def test_the_command_writes_json_and_csv(db, tmp_path, code):
    council = Council.objects.get(slug="kirklees")
    year = years_with_awards(council)[-1]
    json_path, csv_path = tmp_path / "grants.json", tmp_path / "grants.csv"
    out = io.StringIO()
    call_command("export_360giving", council=code, year=year.name, output=str(json_path), stdout=out)
    package = json.loads(json_path.read_text(encoding="utf-8"))
    assert not list(package_validator().iter_errors(package))
    assert f"Wrote {len(package['grants'])} grants from Kirklees Council for {year.name}" in out.getvalue()
    call_command("export_360giving", council=code, year=year.name, output=str(csv_path), stdout=io.StringIO())
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text(encoding="utf-8"))))
    assert [row["Identifier"] for row in rows] == [grant["id"] for grant in package["grants"]]
    other = tmp_path / "grants.txt"
    call_command(
        "export_360giving",
        council=code,
        year=year.name,
        output=str(other),
        format="csv",
        stdout=io.StringIO(),
    )
    assert other.read_text(encoding="utf-8") == csv_path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("council", "year", "message"),
    [
        ("nowhere", "2026/27", "no council has the slug or LA code 'nowhere'"),
        ("999", "2026/27", "no council has the slug or LA code '999'"),
        ("kirklees", "1999/00", "Kirklees Council has no academic year '1999/00'"),
        ("kirklees", "2026/28", "Kirklees Council has no academic year '2026/28'"),
        ("kirklees", "next year", "Kirklees Council has no academic year 'next year'"),
    ],
)
def test_the_command_explains_an_unknown_council_or_year(db, tmp_path, council, year, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("export_360giving", council=council, year=year, output=str(tmp_path / "x.json"))
    assert not (tmp_path / "x.json").exists()


def test_the_public_page_lists_the_years_and_states_the_licence(db, client, django_assert_num_queries):
    council = Council.objects.get(slug="stoke-on-trent")
    with django_assert_num_queries(3):
        response = client.get(reverse("open-data:council", args=["stoke-on-trent"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Open Government Licence v3.0" in page
    assert f'href="{OPEN_GOVERNMENT_LICENCE}"' in page
    for year in years_with_awards(council):
        assert reverse("open-data:grants-json", args=[council.slug, year.start_year]) in page
        assert reverse("open-data:grants-csv", args=[council.slug, year.start_year]) in page
    # The schools funded are listed in the files, so the page says how many: schools, not children.
    assert re.search(r"govuk-table__cell[^>]*>2<", page), "two schools were funded"
    assert "fewer than" not in page
    council_page = client.get(reverse("public:council", args=["stoke-on-trent"])).content.decode()
    assert reverse("open-data:council", args=["stoke-on-trent"]) in council_page


def test_downloads_are_public_files_that_carry_their_licence(db, client):
    council = Council.objects.get(slug="kirklees")
    year = years_with_awards(council)[-1]
    for name, content_type, extension in (
        ("open-data:grants-json", "application/json", "json"),
        ("open-data:grants-csv", "text/csv", "csv"),
    ):
        response = download(client, name, council, year)
        assert response["Content-Type"].startswith(content_type)
        assert response["Content-Disposition"] == (
            f'attachment; filename="kirklees-send-cluster-funding-{year.start_year}-360giving.{extension}"'
        )
        assert response["Link"] == f'<{OPEN_GOVERNMENT_LICENCE}>; rel="license"'
        assert "no-store" not in response.get("Cache-Control", "")
    package = json.loads(download(client, "open-data:grants-json", council, year).content)
    assert package["accessURL"] == "http://testserver" + reverse("open-data:council", args=["kirklees"])
    assert package["downloadURL"].endswith(f"/open-data/kirklees/{year.start_year}/360giving.json")
