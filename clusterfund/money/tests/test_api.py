"""The money through the JSON API: read-only, and scoped like the pages."""

from clusterfund.money.models import Award, Pot

K_CLUSTER_ADMIN, K_ST_THOMAS = "cluster14.admin@kirklees.example", "senco.stthomas@kirklees.example"
S_ADMIN = "send.admin@stoke.example"


def test_pots_list_with_balances_in_pence(api_client, db):
    response = api_client(K_CLUSTER_ADMIN).get("/api/v1/money/pots")
    assert response.status_code == 200
    items = response.json()["items"]
    assert {item["cluster_name"] for item in items} == {"Cluster 14"}
    main = next(item for item in items if item["kind"] == "cluster")
    pot = Pot.objects.get(pk=main["id"])
    from clusterfund.money import services

    totals = services.balances_of(pot)
    assert main["balances"] == {f"{key}_pence": value for key, value in totals.items()}


def test_a_school_reads_its_clusters_pots_but_not_the_ledger(api_client, db):
    client = api_client(K_ST_THOMAS)
    pot_id = client.get("/api/v1/money/pots").json()["items"][0]["id"]
    assert client.get(f"/api/v1/money/pots/{pot_id}").status_code == 200
    assert client.get(f"/api/v1/money/pots/{pot_id}/ledger").status_code == 404
    assert api_client(K_CLUSTER_ADMIN).get(f"/api/v1/money/pots/{pot_id}/ledger").json()["count"] > 0


def test_awards_are_read_with_schedule_and_entries(api_client, db):
    award = Award.objects.filter(pot__council__slug="kirklees").first()
    response = api_client(K_CLUSTER_ADMIN).get(f"/api/v1/money/awards/{award.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["reference"] == award.reference
    assert body["entries"][0]["entry_type"] == "commitment"
    assert sum(row["amount_pence"] for row in body["schedule"]) == body["committed_pence"]


def test_another_councils_money_is_not_found(api_client, db):
    client = api_client(S_ADMIN)
    award = Award.objects.filter(pot__council__slug="kirklees").first()
    pot = Pot.objects.filter(council__slug="kirklees").first()
    assert client.get(f"/api/v1/money/awards/{award.pk}").status_code == 404
    assert client.get(f"/api/v1/money/pots/{pot.pk}").status_code == 404
    assert client.get(f"/api/v1/money/pots/{pot.pk}/ledger").status_code == 404
    assert all(item["id"] != award.pk for item in client.get("/api/v1/money/awards").json()["items"])
