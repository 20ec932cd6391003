"""Dashboards: figures counted independently agree, every figure leads to a list of exactly that many, the
filters narrow it, the data downloads, and the number of queries does not grow with the data."""

import copy
import csv
import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from clusterfund.delivery.models import ImpactReview, OutcomeReview
from clusterfund.funding_requests.lifecycle import FUNDED, RequestStatus
from clusterfund.funding_requests.models import FundingRequest, ProvisionLine
from clusterfund.money.models import COMMITMENT_TYPES, LedgerEntry
from clusterfund.organisations.models import AcademicYear, Cluster, ClusterMembership, Council, School
from clusterfund.reports import dashboards

pytestmark = pytest.mark.django_db

K_ADMIN, K_AUDITOR = "send.admin@kirklees.example", "auditor@kirklees.example"
K_ST_THOMAS = "senco.stthomas@kirklees.example"


def _kirklees():
    council = Council.objects.get(slug="kirklees")
    return council, AcademicYear.objects.filter(council=council).current()


def _submitted(council, year):
    return (
        FundingRequest.objects.filter(council=council, academic_year=year)
        .exclude(status=RequestStatus.DRAFT)
        .exclude(submitted_at=None, entered_on_paper=False)
    )


def test_the_council_figures_agree_with_counting_the_rows_one_by_one():
    council, year = _kirklees()
    figures = dashboards.dashboard(academic_year=year, clusters=Cluster.objects.filter(council=council))
    requests = list(_submitted(council, year))
    assert figures.submitted == len(requests) > 0
    # a deferred request has a decision recorded, but the decision was to wait: it is not decided
    assert any(r.status == "deferred" and r.decided_on for r in requests)
    assert figures.decided == sum(1 for r in requests if r.decided_on and r.status != "deferred")
    assert figures.funded == sum(1 for r in requests if r.status in FUNDED)
    assert figures.resolved_with_advice == sum(1 for r in requests if r.status == "resolved_with_advice")
    assert sum(count for _, _, count in figures.by_status) == len(requests)
    assert sum(total for _, _, total, _ in figures.by_type) == len(requests)
    funded_ids = [r.pk for r in requests if r.status in FUNDED]
    committed = sum(
        e.amount_pence
        for e in LedgerEntry.objects.filter(award__funding_request__in=funded_ids)
        if e.entry_type in COMMITMENT_TYPES
    )
    assert figures.awarded_pence == committed
    decided_ids = [r.pk for r in requests if r.decided_on and r.status != "deferred"]
    assert figures.asked_pence == sum(
        line.total_pence for line in ProvisionLine.objects.filter(funding_request__in=decided_ids)
    )
    reviews = list(ImpactReview.objects.filter(funding_request__in=[r.pk for r in requests]))
    today = timezone.localdate()
    assert figures.reviews_done == sum(1 for r in reviews if r.done_on)
    assert figures.reviews_overdue == sum(1 for r in reviews if not r.done_on and r.due_on < today)
    outcomes = list(OutcomeReview.objects.filter(review__in=reviews))
    assert figures.outcomes_reviewed == len(outcomes)
    assert figures.outcomes_met == sum(1 for o in outcomes if o.result == "met")
    members = ClusterMembership.objects.filter(academic_year=year, cluster__council=council)
    assert figures.member_schools == members.count()
    assert figures.schools_asking == len({r.lead_school_id for r in requests})


def test_the_median_and_90th_percentile_days_are_nearest_rank():
    council, year = _kirklees()
    requests = list(
        _submitted(council, year).filter(decided_on__isnull=False).exclude(status="deferred").order_by("pk")
    )
    assert len(requests) >= 10
    submitted = timezone.make_aware(datetime.datetime(2026, 9, 7, 10))
    waits = list(range(1, len(requests) + 1))
    for request_, wait in zip(requests, waits, strict=True):
        FundingRequest.objects.filter(pk=request_.pk).update(
            submitted_at=submitted, decided_on=submitted.date() + datetime.timedelta(days=wait)
        )
    figures = dashboards.dashboard(academic_year=year, clusters=Cluster.objects.filter(council=council))
    n = len(waits)
    assert figures.to_decision.count == n
    assert figures.to_decision.median == waits[-(-n // 2) - 1]
    assert figures.to_decision.p90 == waits[-(-n * 9 // 10) - 1]


def test_every_figure_leads_to_a_list_of_that_many_requests(signed_in_client):
    client = signed_in_client(K_ADMIN)
    council, year = _kirklees()
    page = client.get(reverse("reports:council-dashboard", args=["kirklees"]))
    assert page.status_code == 200
    html = page.content.decode()
    links = re.findall(r'<a class="govuk-link" href="(/requests/\?[^"]+)">(\d+)</a>', html)
    assert len(links) > 10
    for href, count in links:
        listed = client.get(href.replace("&amp;", "&"))
        text = listed.content.decode()
        if int(count) == 0:
            assert "No requests match." in text, href
        else:
            caption = f"{count} request" + ("" if count == "1" else "s")
            assert caption in text, (href, caption)


def test_a_term_narrows_the_requests_but_not_the_money():
    council, year = _kirklees()
    clusters = Cluster.objects.filter(council=council)
    whole = dashboards.dashboard(academic_year=year, clusters=clusters)
    by_term = [dashboards.dashboard(academic_year=year, clusters=clusters, term=term) for term in (1, 2, 3)]
    assert sum(figures.submitted for figures in by_term) == whole.submitted
    assert all(figures.money == whole.money for figures in by_term)


def test_a_school_sees_its_own_requests_and_what_its_awards_brought(signed_in_client):
    council, year = _kirklees()
    school = School.objects.get(urn=151801)
    figures = dashboards.dashboard(academic_year=year, school=school)
    own = _submitted(council, year).filter(lead_school=school)
    joined = _submitted(council, year).filter(joint_schools__school=school).exclude(lead_school=school)
    assert figures.submitted == own.count() + joined.count()
    committed = sum(
        e.amount_pence
        for e in LedgerEntry.objects.filter(award__payee_school=school, award__pot__academic_year=year)
        if e.entry_type in COMMITMENT_TYPES
    )
    assert figures.money.main["committed"] + figures.money.contingency["committed"] == committed
    page = signed_in_client(K_ST_THOMAS).get(reverse("reports:school-dashboard", args=[school.pk]))
    assert page.status_code == 200
    assert "St Thomas" in page.content.decode()


def test_the_figures_and_the_clusters_download_as_csv_and_excel(signed_in_client):
    client = signed_in_client(K_AUDITOR)
    council, year = _kirklees()
    url = reverse("reports:council-dashboard", args=["kirklees"])
    response = client.get(url, {"year": year.start_year, "table": "figures", "format": "csv"})
    rows = dict(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    figures = dashboards.dashboard(academic_year=year, clusters=Cluster.objects.filter(council=council))
    assert rows["Requests submitted"] == str(figures.submitted)
    assert rows["Awarded"] == f"{figures.awarded_pence / 100:.2f}"
    response = client.get(url, {"year": year.start_year, "table": "clusters", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "Cluster"
    assert sheet["A2"].value == "Cluster 14"
    response = client.get(url, {"year": year.start_year, "chart": "requests-by-type", "format": "csv"})
    assert response["Content-Disposition"].endswith('requests-by-type.csv"')


def test_an_auditor_sees_the_figures_without_links_to_requests_they_may_not_open(signed_in_client):
    html = signed_in_client(K_AUDITOR).get(reverse("reports:council-dashboard", args=["kirklees"])).content
    assert b'href="/requests/?' not in html
    assert b"Approval rate" in html


def test_an_unknown_year_or_term_shows_the_current_year(signed_in_client):
    council, year = _kirklees()
    response = signed_in_client(K_ADMIN).get(
        reverse("reports:council-dashboard", args=["kirklees"]), {"year": "1900", "term": "9"}
    )
    assert response.status_code == 200
    assert f"Kirklees Council, {year.name}." in response.content.decode()


def _more_requests(council, year, copies: int):
    """Copies of the council's submitted requests, so there is more to count."""
    originals = list(_submitted(council, year)[:10])
    made = []
    for number in range(copies):
        for original in originals:
            copied = copy.copy(original)
            copied.pk = None
            copied.reference = f"X{number}-{len(made)}"
            made.append(copied)
    FundingRequest.objects.bulk_create(made)


@pytest.mark.parametrize(
    "name", ["reports:council-dashboard", "reports:cluster-dashboard", "reports:school-dashboard"]
)
def test_the_queries_per_page_do_not_grow_with_the_data(name, signed_in_client):
    council, year = _kirklees()
    args = {
        "reports:council-dashboard": ["kirklees"],
        "reports:cluster-dashboard": [Cluster.objects.get(slug="cluster-14").pk],
        "reports:school-dashboard": [School.objects.get(urn=151801).pk],
    }[name]
    client = signed_in_client(K_ADMIN)
    url = reverse(name, args=args)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    before = queries()
    _more_requests(council, year, copies=5)
    assert queries() == before


def test_where_papers_are_blind_the_chair_does_not_see_one_schools_figures(signed_in_client):
    stoke = Council.objects.get(slug="stoke-on-trent")
    assert stoke.blind_papers
    school = School.objects.get(council=stoke, name__startswith="Etruscan")
    url = reverse("reports:school-dashboard", args=[school.pk])
    assert signed_in_client("locality.lead@stoke.example").get(url).status_code == 404
    assert signed_in_client("central.admin@stoke.example").get(url).status_code == 200
    cluster = reverse(
        "reports:cluster-dashboard", args=[Cluster.objects.get(council=stoke, is_city_pool=False).pk]
    )
    assert signed_in_client("locality.lead@stoke.example").get(cluster).status_code == 200
