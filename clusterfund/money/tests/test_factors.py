"""A council's own factor per school, read from a file and weighed by the formula."""

from decimal import Decimal

from django.urls import reverse

from clusterfund.money import services
from clusterfund.money.imports import import_factor_values
from clusterfund.money.models import CustomFactor, CustomFactorValue
from clusterfund.organisations.models import AcademicYear, Council, School


def _file(*rows):
    return ("URN,Value\n" + "".join(f"{urn},{value}\n" for urn, value in rows)).encode()


def _kirklees():
    council = Council.objects.get(slug="kirklees")
    return council, AcademicYear.objects.filter(council=council).current()


def test_a_factor_file_is_checked_whole_and_imported_once(db, user_by_email):
    council, year = _kirklees()
    admin = user_by_email("send.admin@kirklees.example")
    bad = import_factor_values(
        council=council,
        academic_year=year,
        name="IDACI score",
        data=_file(
            ("151801", "0.35"),
            ("abc", "1"),
            ("999999", "1"),
            ("151801", "-2"),
            ("107626", "1e3"),
            ("107628", "0.12345"),
        ),
        acting_user=admin,
    )
    assert [str(problem) for problem in bad.problems] == [
        "Line 3, URN: ‘abc’ is not a URN.",
        "Line 4, URN: No school of the council has the URN 999999.",
        "Line 5, URN: The URN 151801 is in the file more than once.",
        "Line 5, Value: ‘-2’ is negative: a factor cannot be.",
        "Line 6, Value: ‘1e3’ is not a number.",
        "Line 7, Value: ‘0.12345’ has more than 4 decimal places.",
    ]
    assert not CustomFactor.objects.filter(council=council).exists()

    good = _file(("151801", "0.35"), ("107626", "12"))
    report = import_factor_values(
        council=council, academic_year=year, name="IDACI score", data=good, acting_user=admin
    )
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    again = import_factor_values(
        council=council, academic_year=year, name="IDACI score", data=good, acting_user=admin
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    factor = CustomFactor.objects.get(council=council)
    assert factor.code == "idaci-score"
    assert CustomFactorValue.objects.get(factor=factor, school__urn=107626).value == Decimal(12)


def test_a_census_factor_cannot_be_added_again(db, user_by_email):
    council, year = _kirklees()
    for name in ("SEN support", "sen_support", "Pupils on roll"):
        report = import_factor_values(
            council=council,
            academic_year=year,
            name=name,
            data=_file(("151801", "1")),
            acting_user=user_by_email("send.admin@kirklees.example"),
        )
        assert [str(p) for p in report.problems] == [f"The file: ‘{name}’ is already a census factor."]


def test_the_formula_weighs_a_councils_own_factor(scheme):
    from clusterfund.money.tests.builders import commit_formula

    northfield = scheme.schools["Northfield Primary"]
    northfield.urn = 990001
    northfield.save()
    import_factor_values(
        council=scheme.council,
        academic_year=scheme.year,
        name="Deprivation",
        data=_file((990001, "100")),
        acting_user=scheme.admin,
    )
    assert "deprivation" in services.known_factors(scheme.council)
    formula = commit_formula(
        scheme.council,
        scheme.admin,
        high_needs_pence=1_000,
        weights={
            "pupils_on_roll": "0",
            "sen_support": "0",
            "ehc_plans": "0",
            "free_school_meals": "0",
            "deprivation": "1",
        },
    )
    shares = {share.cluster.name: share.amount_pence for share in formula.shares.all()}
    assert shares == {"North": 1_000, "South": 0, "East": 0}
    assert formula.shares.get(cluster=scheme.clusters["North"]).factor_totals["deprivation"] == "100"


def test_the_factors_page_imports_and_lists(signed_in_client, db):
    from django.core.files.uploadedfile import SimpleUploadedFile

    council, year = _kirklees()
    client = signed_in_client("send.admin@kirklees.example")
    url = reverse("money:factors", args=["kirklees", year.start_year])
    page = client.post(
        url, {"name": "", "file": SimpleUploadedFile("f.csv", b"URN,Value\n151801,x\n")}
    ).content.decode()
    assert "Enter the name of the factor" in page
    page = client.post(
        url, {"name": "IDACI", "file": SimpleUploadedFile("f.csv", b"URN,Value\n151801,x\n")}
    ).content.decode()
    assert "‘x’ is not a number." in page and "nothing was imported" in page
    page = client.post(
        url, {"name": "IDACI", "file": SimpleUploadedFile("f.csv", b"URN,Value\n151801,0.4\n")}
    ).content.decode()
    assert "The file was imported" in page and "IDACI" in page
    assert School.objects.get(urn=151801).pk in set(
        CustomFactorValue.objects.filter(academic_year=year).values_list("school_id", flat=True)
    )
    draft_page = client.post(
        reverse("money:change-draft", args=["kirklees", year.start_year]), {"start": "1"}
    )
    assert draft_page.status_code == 302
    assert (
        "IDACI"
        in client.get(reverse("money:change-draft", args=["kirklees", year.start_year])).content.decode()
    )
