"""The money pages, on the demo: what each person sees, the formula's what-if, awards, downloads."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from clusterfund.money import services
from clusterfund.money.models import Award, FundingFormula, LedgerEntry, Pot
from clusterfund.organisations.models import AcademicYear, Cluster, Council, School

K_ADMIN, K_AUDITOR = "send.admin@kirklees.example", "auditor@kirklees.example"
K_CLUSTER_ADMIN, K_ST_THOMAS = "cluster14.admin@kirklees.example", "senco.stthomas@kirklees.example"
S_ADMIN = "send.admin@stoke.example"


@pytest.fixture
def kirklees(db):
    council = Council.objects.get(slug="kirklees")
    council.year = AcademicYear.objects.filter(council=council).current()
    council.cluster = Cluster.objects.get(council=council, slug="cluster-14")
    return council


def _open_award(cluster):
    """An active award of the cluster's with something still to pay."""
    return next(
        award
        for award in Award.objects.filter(pot__cluster=cluster, status="active").order_by("pk")
        if services.award_amounts(award)["outstanding"] > 0
    )


def test_the_demo_has_committed_formulas_pots_awards_payments_and_a_variation(db):
    for slug in ("kirklees", "stoke-on-trent"):
        council = Council.objects.get(slug=slug)
        assert FundingFormula.objects.filter(council=council, status="committed").count() == 1
        entries = LedgerEntry.objects.filter(pot__council=council)
        for entry_type in ("allocation", "commitment", "payment", "variation"):
            assert entries.filter(entry_type=entry_type).exists(), (slug, entry_type)
        for pot in Pot.objects.filter(council=council):
            assert services.balances_of(pot)["available"] >= 0
    assert LedgerEntry.objects.filter(entry_type="top_slice", pot__council__slug="stoke-on-trent").exists()


def test_the_council_sees_every_cluster_side_by_side_and_downloads_it(signed_in_client, kirklees):
    client = signed_in_client(K_ADMIN)
    page = client.get(reverse("money:council", args=["kirklees"])).content.decode()
    assert "Cluster 14" in page and "£180,000.00" in page
    response = client.get(reverse("money:council", args=["kirklees"]), {"format": "csv"})
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="kirklees-money-{kirklees.year.start_year}.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Cluster", "Share from the formula"]
    assert rows[1][:2] == ["Cluster 14", "180000.00"]
    book = load_workbook(
        io.BytesIO(client.get(reverse("money:council", args=["kirklees"]), {"format": "xlsx"}).content)
    )
    assert book.active["A2"].value == "Cluster 14"
    assert book.active["B2"].value == 180000  # a number a spreadsheet can add up, not text


def test_a_cluster_page_explains_its_amount_and_shows_its_ledger(signed_in_client, kirklees):
    page = (
        signed_in_client(K_CLUSTER_ADMIN)
        .get(reverse("money:cluster", args=[kirklees.cluster.pk]))
        .content.decode()
    )
    assert "Why the cluster has this amount" in page
    assert "Pupils with an EHC plan (E)" in page
    assert "Held back as contingency" in page
    assert "Ledger" in page and "Commitment on an award" in page


def test_member_schools_see_their_clusters_balances_but_not_its_ledger(signed_in_client, kirklees):
    page = (
        signed_in_client(K_ST_THOMAS)
        .get(reverse("money:cluster", args=[kirklees.cluster.pk]))
        .content.decode()
    )
    assert "Balances" in page
    assert "Ledger" not in page and "Paid to" not in page


def test_the_ledger_filters_and_its_queries_do_not_grow_with_its_rows(signed_in_client, kirklees):
    client = signed_in_client(K_CLUSTER_ADMIN)
    url = reverse("money:cluster", args=[kirklees.cluster.pk])
    page = client.get(url, {"entry_type": "payment"}).content.decode()
    assert "Payment" in page and "Allocation</td>" not in page

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = queries()
    award = _open_award(kirklees.cluster)
    admin = award.created_by
    for _ in range(3):
        services.record_payment(
            award=award, amount_pence=1, paid_on=datetime.date.today(), note="", acting_user=admin
        )
    assert queries() == before


def test_the_ledger_downloads_as_csv_with_its_filters(signed_in_client, kirklees):
    response = signed_in_client(K_AUDITOR).get(
        reverse("money:cluster", args=[kirklees.cluster.pk]), {"format": "csv", "entry_type": "allocation"}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Date", "Financial year", "Pot", "Type"]
    assert {row[3] for row in rows[1:]} == {"Allocation"}


def test_the_draft_formula_shows_every_error_then_the_what_if(signed_in_client, kirklees):
    client = signed_in_client(K_ADMIN)
    url = reverse("money:change-draft", args=["kirklees", kirklees.year.start_year])
    assert client.post(url, {"start": "1"}).status_code == 302
    page = client.post(
        url,
        {
            "high_needs": "abc",
            "top_slice_percent": "150",
            "census_month": "2023-01-01",
            "weight_pupils_on_roll": "-1",
            "weight_sen_support": "1",
            "weight_ehc_plans": "x",
            "weight_free_school_meals": "0",
        },
    ).content.decode()
    assert "There is a problem" in page
    assert "High Needs amount for clusters must be an amount in pounds and pence" in page
    assert "The top-slice must be between 0 and 100 per cent" in page
    assert "The weight for pupils on roll cannot be negative" in page
    assert "The weight for pupils with an EHC plan (E) must be a number, like 1.5" in page
    assert FundingFormula.objects.get(council=kirklees, status="draft").high_needs_pence == 18_000_000

    response = client.post(
        url,
        {
            "high_needs": "12,500,000",
            "top_slice_percent": "",
            "census_month": "2023-01-01",
            "weight_pupils_on_roll": "0",
            "weight_sen_support": "1",
            "weight_ehc_plans": "4",
            "weight_free_school_meals": "0",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("money:formula", args=["kirklees", kirklees.year.start_year])).content.decode()
    assert "What if the draft were committed" in page
    assert "+£12,320,000.00" in page


def test_committing_a_new_version_needs_a_reason(signed_in_client, kirklees):
    client = signed_in_client(K_ADMIN)
    year = kirklees.year.start_year
    client.post(reverse("money:change-draft", args=["kirklees", year]), {"start": "1"})
    url = reverse("money:commit", args=["kirklees", year])
    page = client.post(url, {"reason": ""}).content.decode()
    assert "Enter why this version supersedes the committed one" in page
    assert client.post(url, {"reason": "Census corrected"}).status_code == 302
    assert FundingFormula.objects.get(council=kirklees, status="committed").reason == "Census corrected"


def test_a_payment_is_recorded_and_bad_input_is_refused_whole(signed_in_client, kirklees):
    award = _open_award(kirklees.cluster)
    client = signed_in_client(K_CLUSTER_ADMIN)
    url = reverse("money:record-payment", args=[award.pk])
    before = LedgerEntry.objects.count()
    page = client.post(
        url, {"amount": "-3", "paid_on-day": "31", "paid_on-month": "2", "paid_on-year": "2026"}
    )
    text = page.content.decode()
    assert "Amount paid cannot be negative" in text
    assert "Date it was paid must be a real date" in text
    future = datetime.date.today() + datetime.timedelta(days=3)
    text = client.post(
        url,
        {
            "amount": "1.00",
            "paid_on-day": future.day,
            "paid_on-month": future.month,
            "paid_on-year": future.year,
        },
    ).content.decode()
    assert "The date it was paid must be today or in the past" in text
    assert LedgerEntry.objects.count() == before
    today = datetime.date.today()
    response = client.post(
        url,
        {
            "amount": "1.00",
            "paid_on-day": today.day,
            "paid_on-month": today.month,
            "paid_on-year": today.year,
        },
    )
    assert response.status_code == 302
    assert LedgerEntry.objects.count() == before + 1


def test_varying_and_ending_an_award_from_its_page(signed_in_client, kirklees):
    award = _open_award(kirklees.cluster)
    client = signed_in_client(K_ADMIN)
    committed = services.award_amounts(award)["committed"]
    response = client.post(
        reverse("money:vary", args=[award.pk]), {"amount": f"{(committed + 100) / 100:.2f}", "reason": "More"}
    )
    assert response.status_code == 302
    assert services.award_amounts(award)["committed"] == committed + 100
    assert client.post(reverse("money:end", args=[award.pk]), {"reason": "Pupil left"}).status_code == 302
    award.refresh_from_db()
    assert award.status == "ended"
    page = client.get(reverse("money:award", args=[award.pk])).content.decode()
    assert "Ended early: Pupil left" in page and "Release of an unspent commitment" in page


def test_a_school_sees_its_own_awards(signed_in_client, kirklees):
    st_thomas = School.objects.get(urn=151801)
    response = signed_in_client(K_ST_THOMAS).get(reverse("money:school-awards", args=[st_thomas.pk]))
    assert response.status_code == 200
    awards = Award.objects.filter(payee_school=st_thomas)
    for award in awards:
        assert award.reference in response.content.decode()


def test_the_year_end_page_closes_the_year(signed_in_client, kirklees):
    client = signed_in_client(K_ADMIN)
    url = reverse("money:year-end", args=["kirklees", kirklees.year.start_year])
    page = client.get(url).content.decode()
    assert "carried forward" in page and "which is not open yet" in page
    assert client.post(url, {"open_next": "1"}).status_code == 302
    assert AcademicYear.objects.filter(council=kirklees, start_year=kirklees.year.start_year + 1).exists()
    assert client.post(url).status_code == 302
    assert not Pot.objects.filter(academic_year=kirklees.year, closed_at__isnull=True).exists()
    assert LedgerEntry.objects.filter(entry_type="carry_forward", pot__council=kirklees).exists()
    page = client.post(url).content.decode()
    assert "The year has already been closed." in page


def test_another_councils_admin_gets_not_found(signed_in_client, kirklees):
    client = signed_in_client(S_ADMIN)
    assert client.get(reverse("money:council", args=["kirklees"])).status_code == 404
    assert client.get(reverse("money:cluster", args=[kirklees.cluster.pk])).status_code == 404
    award = Award.objects.filter(pot__council=kirklees).first()
    assert client.get(reverse("money:award", args=[award.pk])).status_code == 404


def test_money_moves_between_pots_only_as_far_as_is_available(signed_in_client, kirklees):
    client = signed_in_client(K_ADMIN)
    url = reverse("money:transfer", args=["kirklees", kirklees.year.start_year])
    main = Pot.objects.get(cluster=kirklees.cluster, academic_year=kirklees.year, kind="cluster")
    contingency = Pot.objects.get(cluster=kirklees.cluster, academic_year=kirklees.year, kind="contingency")
    page = client.post(
        url, {"from_pot": "", "to_pot": contingency.pk, "amount": "", "reason": ""}
    ).content.decode()
    assert "Choose the pot the money comes from" in page and "Enter the amount" in page
    assert "Enter why the money moves" in page
    available = services.balances_of(main)["available"]
    too_much = f"{(available + 1) // 100}.{(available + 1) % 100:02d}"
    page = client.post(
        url, {"from_pot": main.pk, "to_pot": contingency.pk, "amount": too_much, "reason": "Top up"}
    ).content.decode()
    assert "available, less than" in page
    before = services.balances_of(contingency)["allocated"]
    response = client.post(
        url, {"from_pot": main.pk, "to_pot": contingency.pk, "amount": "100", "reason": "Top up"}
    )
    assert response.status_code == 302
    assert services.balances_of(contingency)["allocated"] == before + 10_000


def test_the_what_if_and_the_awards_download_too(signed_in_client, kirklees):
    client = signed_in_client(K_ADMIN)
    response = client.get(
        reverse("money:formula", args=["kirklees", kirklees.year.start_year]), {"format": "csv"}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Cluster", "Schools", "Weighted score", "Committed", "Draft", "Difference"]
    share = FundingFormula.objects.get(council=kirklees, status="committed").shares.get(
        cluster=kirklees.cluster
    )
    assert rows[1][:4] == ["Cluster 14", "11", share.score, "180000.00"]
    response = client.get(
        reverse("money:cluster", args=[kirklees.cluster.pk]), {"table": "awards", "format": "xlsx"}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    references = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert references == set(
        Award.objects.filter(pot__cluster=kirklees.cluster).values_list("reference", flat=True)
    )
