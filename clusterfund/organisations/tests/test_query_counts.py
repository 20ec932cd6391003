"""List pages make the same number of queries however many rows they show."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from clusterfund.audit.services import record_event
from clusterfund.organisations import services
from clusterfund.organisations.models import AcademicYear, Cluster, School, SchoolCensus


def _queries(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def _add_schools(cluster, number):
    year = AcademicYear.objects.filter(council=cluster.council).current()
    for index in range(number):
        school = School.objects.create(
            council=cluster.council, urn=900000 + index, name=f"Extra School {index}"
        )
        SchoolCensus.objects.create(
            school=school, census_month="2023-01-01", pupils_on_roll=200, sen_support=20
        )
        services.place_school_in_cluster(school=school, cluster=cluster, academic_year=year, acting_user=None)


def test_cluster_page_queries_do_not_grow_with_schools(signed_in_client):
    client = signed_in_client("cluster14.admin@kirklees.example")
    cluster = Cluster.objects.get(slug="cluster-14")
    url = f"/clusters/{cluster.pk}/"
    before = _queries(client, url)
    _add_schools(cluster, 25)
    after = _queries(client, url)
    assert "Extra School 24" in client.get(url).content.decode()
    assert after == before


def test_council_and_public_pages_queries_do_not_grow(signed_in_client):
    client = signed_in_client("send.admin@kirklees.example")
    cluster = Cluster.objects.get(slug="cluster-14")
    urls = ["/councils/kirklees/", "/public/kirklees/", "/public/kirklees/cluster-14/"]
    before = [_queries(client, url) for url in urls]
    _add_schools(cluster, 25)
    for number in range(5):
        services.create_cluster(
            council=cluster.council, name=f"Cluster {20 + number}", number=20 + number, acting_user=None
        )
    assert [_queries(client, url) for url in urls] == before


def test_audit_log_queries_do_not_grow_with_events(signed_in_client):
    client = signed_in_client("auditor@kirklees.example")
    before = _queries(client, "/audit/")
    cluster = Cluster.objects.get(slug="cluster-14")
    from django.db import transaction

    with transaction.atomic():
        for number in range(120):
            record_event(
                acting_user=None,
                action="test.event",
                obj=cluster,
                council=cluster.council,
                after={"n": number},
            )
    assert _queries(client, "/audit/") == before
    assert _queries(client, "/audit/?page=3") == before
