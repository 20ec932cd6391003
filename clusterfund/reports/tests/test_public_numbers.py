"""The year in numbers, signed out: a council's and each cluster's page, with small numbers suppressed.

The page-level recovery test builds a council of small numbers in the database, fetches its pages signed
out, reads every figure off the HTML as a reader would, and hands the lot, with the tables' relations, to the
attacker of `test_suppression`: it must pin no hidden figure. No "fewer than" count may appear as a number
anywhere on the page.
"""

import datetime
import io
import re

import html5lib
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clusterfund.accounts.models import User
from clusterfund.delivery.models import Delivery, ImpactReview, OutcomeReview
from clusterfund.funding_requests.models import FundingRequest, Outcome
from clusterfund.money.models import (
    Award,
    ClusterShare,
    EntryType,
    FundingFormula,
    LedgerEntry,
    Pot,
)
from clusterfund.organisations.models import AcademicYear, Cluster, Council, School
from clusterfund.reports import exports
from clusterfund.reports.figures import year_in_numbers
from clusterfund.reports.models import SuppressionDecision
from clusterfund.reports.suppression import Publication
from clusterfund.reports.tests.test_suppression import (
    PRIMARY,
    PUBLISHED,
    SECONDARY,
    WITHHELD,
    Attacker,
    Seen,
)

TYPES = ["individual", "group", "project", "contingency"]
AREAS = ["communication_interaction", "cognition_learning", "semh", "sensory_physical"]
TODAY = datetime.date.today()


# Reading a page as a reader does


def figures_on(html: str) -> dict[str, str]:
    """Every figure on the page by its data-figure key, as the text a reader sees."""
    document = html5lib.parse(html, namespaceHTMLElements=False)
    found = {}
    for element in document.iter():
        key = element.get("data-figure")
        if key:
            text = " ".join("".join(element.itertext()).split())
            assert found.get(key, text) == text, f"{key} reads differently in two places"
            found[key] = text
    return found


def page_text(html: str) -> str:
    document = html5lib.parse(html, namespaceHTMLElements=False)
    body = document.find(".//main")
    return " ".join("".join(body.itertext()).split())


def mark_of(text: str, threshold: int) -> tuple[str, int | None]:
    if text == f"fewer than {threshold}":
        return PRIMARY, None
    if text == "not shown":
        return SECONDARY, None
    if text == "not published":
        return WITHHELD, None
    assert re.fullmatch(r"\d[\d,]*", text), f"{text!r} is neither a number nor a suppression label"
    return PUBLISHED, int(text.replace(",", ""))


def count_attacker(found: dict[str, str], threshold: int, cap: int) -> Attacker:
    """The counts of a council's page as the attacker sees them: each figure the sum of hidden atoms (the
    requests of one cluster, type and area), support started at most the requests funded. No atom may be
    above `cap` (just above the largest true one): a tighter bound than a reader has, which only helps."""
    clusters = sorted(
        {key.split("-")[1] for key in found if key.startswith(("funded-", "started-"))} - {"total"}
    )
    atoms = [(m, c, k, a) for m in ("funded", "started") for c in clusters for k in TYPES for a in AREAS]
    attacker = Attacker(threshold=threshold)
    attacker.at_most = [(("started", c, k, a), ("funded", c, k, a)) for _, c, k, a in atoms]
    for key, text in found.items():
        measure, _, rest = key.partition("-")
        if measure not in ("funded", "started"):
            continue
        cluster, kind, area = rest.split("-")
        chosen = [
            atom
            for atom in atoms
            if atom[0] == measure
            and cluster in ("total", atom[1])
            and kind in ("total", atom[2])
            and area in ("total", atom[3])
        ]
        mark, value = mark_of(text, threshold)
        attacker.figures[key] = Seen(chosen, mark, value)
    attacker.cap = cap
    return attacker


def true_atoms(council, year) -> dict:
    """The requests funded and started in each cluster, type and area: the truth the attacker is after,
    from which its search starts (it must still prove any figure it pins)."""
    truth = {}
    requests = FundingRequest.objects.filter(council=council, academic_year=year, award__isnull=False)
    for measure, chosen in (("funded", requests), ("started", requests.filter(delivery__isnull=False))):
        for row in chosen.values("cluster", "request_type", "primary_area").annotate(n=Count("id")):
            truth[(measure, str(row["cluster"]), row["request_type"], row["primary_area"])] = row["n"]
    return truth


def pence(text: str) -> int | None:
    match = re.fullmatch(r"£([\d,]+)\.(\d\d)", text)
    return int(match[1].replace(",", "")) * 100 + int(match[2]) if match else None


def assert_money_safe(found: dict[str, str], threshold: int) -> None:
    """Money by cluster adds up to the council's: a hidden amount must not be the one unknown in that sum,
    nor be forced to 0 by it."""
    clusters = {key: text for key, text in found.items() if key.startswith("money-") and key != "money-total"}
    for text in found.values():
        assert not text.startswith("£-")
    hidden = [key for key, text in clusters.items() if pence(text) is None]
    total = pence(found["money-total"])
    if total is None:
        assert hidden, "the council's money is hidden but is the sum of published amounts"
    else:
        assert len(hidden) != 1, "one hidden amount is the total less the others"
        if hidden:
            rest = total - sum(pence(text) for text in clusters.values() if pence(text) is not None)
            assert rest > 0, "the hidden amounts are forced to nothing"
    for key, text in found.items():
        if key.startswith("money-") and pence(text) is None:
            assert text in (f"not shown: fewer than {threshold} awards", "not shown", "not published")


def open_data_floors(council, year) -> dict[str, int]:
    """What the year's 360Giving file tells a reader, read as a reader would: each grant to a school under
    a cluster's programme means that cluster funded at least one request (a grant from the city pool, one
    in the school's own cluster, which the public cluster pages list). {cluster pk: how many at least}."""
    try:
        package = exports.grants_package(council=council, academic_year=year)
    except exports.NothingToPublish:
        return {}
    clusters = {f"{council.slug}-{c.slug}": c for c in Cluster.objects.filter(council=council)}
    floors: dict[str, int] = {}
    for grant in package["grants"]:
        recipient = grant["recipientOrganization"][0]["id"]
        if recipient.startswith("GB-EDU-"):
            school = School.objects.get(urn=int(recipient.removeprefix("GB-EDU-")))
        else:
            school = School.objects.get(pk=int(recipient.rpartition("-")[2]))
        for programme in grant.get("grantProgramme", []):
            cluster = clusters[programme["code"]]
            if cluster.is_city_pool:
                membership = school.memberships.filter(academic_year=year).first()
                if membership is None:
                    continue
                cluster = membership.cluster
            floors[str(cluster.pk)] = floors.get(str(cluster.pk), 0) + 1
    return floors


def true_funded(council, year) -> dict[str, int]:
    """The awards each cluster's money is summed over."""
    requests = FundingRequest.objects.filter(council=council, academic_year=year, award__isnull=False)
    return {str(row["cluster"]): row["n"] for row in requests.values("cluster").annotate(n=Count("id"))}


def assert_no_small_rest(found: dict[str, str], threshold: int, contributors: dict[str, int]) -> None:
    """In every row and column of the council's tables whose total is shown, the hidden figures together
    (the total less those shown) are not a group of 1 to threshold - 1; and the money hidden beside a shown
    council total is over at least threshold awards."""
    clusters = sorted(
        {key.split("-")[1] for key in found if key.startswith(("funded-", "started-"))} - {"total"}
    )
    lines = []
    for measure in ("funded", "started"):
        for cluster in [*clusters, "total"]:
            total = f"{measure}-{cluster}-total-total"
            lines.append((total, [f"{measure}-{cluster}-{kind}-total" for kind in TYPES]))
            lines.append((total, [f"{measure}-{cluster}-total-{area}" for area in AREAS]))
        for kind in TYPES:
            lines.append((f"{measure}-total-{kind}-total", [f"{measure}-{c}-{kind}-total" for c in clusters]))
        for area in AREAS:
            lines.append((f"{measure}-total-total-{area}", [f"{measure}-{c}-total-{area}" for c in clusters]))
        lines.append((f"{measure}-total-total-total", [f"{measure}-{c}-total-total" for c in clusters]))
    for total, parts in lines:
        parts = [part for part in parts if part in found]
        _, total_value = mark_of(found[total], threshold)
        values = [mark_of(found[part], threshold)[1] for part in parts]
        if total_value is None or None not in values:
            continue
        rest = total_value - sum(value for value in values if value is not None)
        assert not 0 < rest < threshold, f"{total}: the hidden figures beside it add up to {rest}"
    if pence(found["money-total"]) is not None:
        hidden = [c for c in clusters if pence(found[f"money-{c}"]) is None]
        if hidden:
            awards = sum(contributors.get(c, 0) for c in hidden)
            assert awards >= threshold, f"the hidden money by subtraction is over {awards} awards"


def assert_nothing_recoverable(html: str, council) -> dict[str, str]:
    threshold = council.suppression_threshold
    found = figures_on(html)
    assert found, "the page shows no figures"
    year = AcademicYear.objects.filter(council=council).current()
    truth = true_atoms(council, year)
    attacker = count_attacker(found, threshold, cap=max([*truth.values(), 0]) + 1)
    floors = open_data_floors(council, year)
    for cluster, least in floors.items():
        attacker.floors.append(([("funded", cluster, k, a) for k in TYPES for a in AREAS], least))
    # The quickest attack with the open data: a shown total less the clusters shown leaves the hidden
    # clusters' sum, and when that is no more than their schools on the list, each is pinned at its own.
    _, total = mark_of(found["funded-total-total-total"], threshold)
    clusters = {key.split("-")[1] for key in found if re.fullmatch(r"funded-[^-]+-total-total", key)}
    shown = {c: mark_of(found[f"funded-{c}-total-total"], threshold)[1] for c in clusters - {"total"}}
    hidden = [c for c, value in shown.items() if value is None]
    if total is not None and hidden:
        rest = total - sum(value for value in shown.values() if value is not None)
        assert rest > sum(floors.get(c, 0) for c in hidden), "the open data pins the hidden clusters"
    atoms = {atom for seen in attacker.figures.values() for atom in seen.atoms}
    # The suppression's own proofs, renamed as the page names figures; each is checked against the page.
    numbers = year_in_numbers(council, year)
    witnesses = {
        "-".join(str(part) for part in key): {
            (atom[0], str(atom[1]), atom[2], atom[3]): value for atom, value in witness.items()
        }
        for key, witness in numbers.witnesses.items()
        if key[0] in ("funded", "started")
    }
    assert attacker.recovered({atom: truth.get(atom, 0) for atom in atoms}, witnesses) == {}
    assert_money_safe(found, threshold)
    assert_no_small_rest(found, threshold, contributors=true_funded(council, year))
    # No count below the threshold is printed as a number anywhere a reader can see.
    text = page_text(html)
    small = "|".join(str(n) for n in range(threshold))
    assert not re.search(
        rf"(?<![\d,.£/])({small})\s+(requests?|awards?|children|pupils|started|reviewed|outcomes?)\b", text
    )
    for key, shown in found.items():
        if key.startswith(("funded-", "started-")):
            mark, value = mark_of(shown, threshold)
            assert value is None or value >= threshold
    return found


# Building a council of small numbers


def make_council(name, la_code, slug):
    """A council of three clusters, each with its share of a committed formula, and a builder for its
    requests."""
    admin = User.objects.order_by("pk").first()
    council = Council.objects.create(name=name, la_code=la_code, slug=slug)
    year = AcademicYear.objects.create(
        council=council,
        start_year=TODAY.year if TODAY.month >= 9 else TODAY.year - 1,
        starts_on=datetime.date(TODAY.year if TODAY.month >= 9 else TODAY.year - 1, 9, 1),
        ends_on=datetime.date(TODAY.year + (1 if TODAY.month >= 9 else 0), 8, 31),
    )
    AcademicYear.objects.create(
        council=council,
        start_year=year.start_year - 1,
        starts_on=datetime.date(year.start_year - 1, 9, 1),
        ends_on=datetime.date(year.start_year, 8, 31),
    )
    clusters = [
        Cluster.objects.create(council=council, number=n, name=f"Cluster {n}", slug=f"cluster-{n}")
        for n in (1, 2, 3)
    ]
    formula = FundingFormula.objects.create(
        council=council,
        academic_year=year,
        version=1,
        status=FundingFormula.Status.COMMITTED,
        high_needs_pence=30_000_000,
        census_month=datetime.date(year.start_year, 1, 1),
        created_by=admin,
    )
    for cluster in clusters:
        ClusterShare.objects.create(
            formula=formula, cluster=cluster, amount_pence=10_000_000, contingency_pence=500_000
        )
    return council, clusters, Builder(council, year, admin)


@pytest.fixture
def small_council(db):
    """A council of three clusters with a handful of requests each, built through the models."""
    council, clusters, builder = make_council("Smallville Council", 990, "smallville")
    # (type, area, started, pence): cluster 1 has 7 funded, cluster 2 has 3, cluster 3 has 6.
    plan = {
        clusters[0]: [
            ("individual", "semh", True, 120_000),
            ("individual", "semh", True, 90_000),
            ("individual", "cognition_learning", True, 150_000),
            ("group", "semh", True, 300_000),
            ("project", "communication_interaction", True, 500_000),
            ("project", "semh", False, 410_000),
            ("contingency", "sensory_physical", True, 80_000),
        ],
        clusters[1]: [
            ("individual", "sensory_physical", True, 110_000),
            ("group", "cognition_learning", False, 250_000),
            ("project", "semh", True, 600_000),
        ],
        clusters[2]: [
            ("individual", "semh", True, 95_000),
            ("individual", "semh", True, 105_000),
            ("group", "communication_interaction", True, 220_000),
            ("group", "communication_interaction", False, 230_000),
            ("project", "cognition_learning", True, 450_000),
            ("individual", "cognition_learning", True, 70_000),
        ],
    }
    for cluster, requests in plan.items():
        for kind, area, started, amount in requests:
            builder.funded(cluster, kind, area, started=started, amount=amount)
        builder.declined(cluster)
    return council, clusters, builder


class Builder:
    def __init__(self, council, year, admin):
        self.council, self.year, self.admin = council, year, admin
        self.number = 0
        self.pots: dict[int, Pot] = {}
        self.schools: dict[tuple[int, int], School] = {}

    def _school(self, cluster):
        """One of the cluster's three schools, in turn: the open data lists each school funded."""
        place = (cluster.pk, self.number % 3)
        if place not in self.schools:
            self.schools[place] = School.objects.create(
                council=self.council, name=f"{cluster.name} School {self.number % 3 + 1}"
            )
        return self.schools[place]

    def _request(self, cluster, kind, area, status, decided_on):
        self.number += 1
        return FundingRequest.objects.create(
            council=self.council,
            cluster=cluster,
            academic_year=self.year,
            lead_school=self._school(cluster),
            reference=f"SM-{self.number:03d}",
            request_type=kind,
            status=status,
            title="Support",
            primary_area=area,
            created_by=self.admin,
            decided_on=decided_on,
        )

    def funded(self, cluster, kind, area, *, started: bool, amount: int):
        decided_on = self.year.starts_on + datetime.timedelta(days=20 + self.number)
        request = self._request(cluster, kind, area, "in_delivery" if started else "approved", decided_on)
        pot = self.pots.get(cluster.pk) or Pot.objects.create(
            council=self.council, academic_year=self.year, cluster=cluster, kind=Pot.Kind.CLUSTER
        )
        self.pots[cluster.pk] = pot
        award = Award.objects.create(
            reference=request.reference,
            pot=pot,
            funding_request=request,
            payee_school=request.lead_school,
            decided_on=decided_on,
            created_by=self.admin,
        )
        LedgerEntry.objects.create(
            pot=pot,
            entry_type=EntryType.COMMITMENT,
            amount_pence=amount,
            financial_year=decided_on.year if decided_on.month >= 4 else decided_on.year - 1,
            academic_year=self.year,
            occurred_on=decided_on,
            award=award,
            reason="Award",
            actor_name="Test",
        )
        if started:
            Delivery.objects.create(
                funding_request=request,
                started_on=decided_on + datetime.timedelta(days=7 + self.number % 5),
                provider=Delivery.Provider.SCHOOL_STAFF,
                recorded_by=self.admin,
            )
            outcome = Outcome.objects.create(
                funding_request=request, position=1, what="Reads", by_when=decided_on, how_measured="Test"
            )
            review = ImpactReview.objects.create(
                funding_request=request, due_on=decided_on, done_on=decided_on
            )
            OutcomeReview.objects.create(
                review=review,
                outcome=outcome,
                result="met" if self.number % 3 else "partly_met",
                evidence="Seen",
            )
        return request

    def declined(self, cluster):
        return self._request(cluster, "individual", "semh", "declined", self.year.starts_on)


# The pages


def test_the_council_page_gives_no_hidden_figure_away(client, small_council):
    council, clusters, _ = small_council
    response = client.get(reverse("open-data:numbers-council", args=[council.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    found = assert_nothing_recoverable(html, council)
    # The pot is money by cluster, shown in full; some counts are small and hidden.
    assert "£100,000.00" in html
    assert "fewer than 5" in html
    assert found["funded-total-total-total"] == "16"


def test_the_open_data_beside_the_page_gives_nothing_away(client, db):
    """Five requests, each from a different school, in clusters of 2, 1 and 2: the 360Giving file lists the
    five schools under their clusters, so a shown total of 5 would pin every cluster's "fewer than 5"."""
    council, clusters, builder = make_council("Fewshire Council", 991, "fewshire")
    plan = (
        [("individual", "semh"), ("group", "cognition_learning")],
        [("individual", "sensory_physical")],
        [("group", "communication_interaction"), ("project", "semh")],
    )
    for cluster, requests in zip(clusters, plan, strict=True):
        for kind, area in requests:
            builder.funded(cluster, kind, area, started=True, amount=100_000)
    year = AcademicYear.objects.filter(council=council).current()
    assert open_data_floors(council, year) == {str(c.pk): n for c, n in zip(clusters, (2, 1, 2))}
    html = client.get(reverse("open-data:numbers-council", args=[council.slug])).content.decode()
    found = assert_nothing_recoverable(html, council)
    assert found["funded-total-total-total"] == "not shown"


def test_each_cluster_page_shows_the_council_pages_figures_for_it(client, small_council):
    council, clusters, _ = small_council
    council_page = figures_on(
        client.get(reverse("open-data:numbers-council", args=[council.slug])).content.decode()
    )
    for cluster in clusters:
        response = client.get(reverse("open-data:numbers-cluster", args=[council.slug, cluster.slug]))
        assert response.status_code == 200
        on_cluster_page = figures_on(response.content.decode())
        assert on_cluster_page
        for key, text in on_cluster_page.items():
            assert council_page[key] == text, key
        assert "fewer than 5" in response.content.decode()


def test_the_pages_stay_safe_as_numbers_shift(client, small_council):
    """Add requests one at a time to the smallest cluster: at every step nothing hidden can be worked out."""
    council, clusters, builder = small_council
    for kind, area in [("group", "semh"), ("individual", "semh"), ("project", "semh"), ("group", "semh")]:
        builder.funded(clusters[1], kind, area, started=True, amount=100_000)
        html = client.get(reverse("open-data:numbers-council", args=[council.slug])).content.decode()
        assert_nothing_recoverable(html, council)


def test_a_council_with_a_lower_threshold_uses_it(client, small_council):
    council, _, _ = small_council
    council.suppression_threshold = 3
    council.save()
    html = client.get(reverse("open-data:numbers-council", args=[council.slug])).content.decode()
    assert "fewer than 3" in html and "fewer than 5" not in html
    assert_nothing_recoverable(html, council)


def test_money_is_shown_only_over_enough_awards(client, small_council):
    council, clusters, _ = small_council
    found = figures_on(client.get(reverse("open-data:numbers-council", args=[council.slug])).content.decode())
    assert found[f"money-{clusters[1].pk}"] == "not shown: fewer than 5 awards"
    assert found[f"median-{clusters[1].pk}"] == "not shown: fewer than 5 started"
    assert found[f"outcomes-{clusters[1].pk}"] == "not shown: fewer than 5 reviewed"
    assert (
        pence(found[f"money-{clusters[0].pk}"]) == 1_650_000
        or found[f"money-{clusters[0].pk}"] == "not shown"
    )
    assert found["median-total"].endswith("days")


def test_queries_do_not_grow_with_the_data(client, small_council):
    """Measured once the decision is kept, as most visits find it; deciding again adds the same two queries
    whatever the size."""
    council, clusters, builder = small_council
    url = reverse("open-data:numbers-council", args=[council.slug])
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for _ in range(10):
        builder.funded(clusters[2], "project", "semh", started=True, amount=50_000)
    client.get(url)
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after.captured_queries) == len(before.captured_queries) <= 15


def test_a_kept_decision_is_reused_until_the_figures_change(client, small_council, monkeypatch):
    council, clusters, builder = small_council
    url = reverse("open-data:numbers-council", args=[council.slug])
    first = figures_on(client.get(url).content.decode())
    kept = SuppressionDecision.objects.get(council=council)
    decided = []
    protect = Publication.protect
    monkeypatch.setattr(Publication, "protect", lambda self: decided.append(1) or protect(self))
    # The same figures: the kept decision, no search.
    assert figures_on(client.get(url).content.decode()) == first
    assert decided == []
    # A new award changes the figures: decided again, and kept in place of the old decision.
    builder.funded(clusters[1], "group", "semh", started=True, amount=100_000)
    html = client.get(url).content.decode()
    assert decided == [1]
    assert figures_on(html) != first
    assert_nothing_recoverable(html, council)
    assert SuppressionDecision.objects.get(council=council).fingerprint != kept.fingerprint
    # So does a new threshold, though no figure changed.
    council.suppression_threshold = 3
    council.save()
    assert "fewer than 3" in client.get(url).content.decode()
    assert decided == [1, 1]


def test_years_link_to_each_other_and_an_unknown_year_is_not_found(client, small_council):
    council, clusters, _ = small_council
    url = reverse("open-data:numbers-council", args=[council.slug])
    this_year = AcademicYear.objects.filter(council=council).current()
    last_year = this_year.start_year - 1
    response = client.get(url, {"year": last_year})
    assert response.status_code == 200
    assert f"?year={this_year.start_year}" in response.content.decode()  # the year with data is linked
    assert client.get(url, {"year": 1990}).status_code == 404
    assert client.get(url, {"year": "last"}).status_code == 404
    for odd in ("²", "²²²²", "٢٠٢٥", f"000{this_year.start_year}"):  # not a year in plain digits: no page
        assert client.get(url, {"year": odd}).status_code == 404
    cluster_url = reverse("open-data:numbers-cluster", args=[council.slug, clusters[0].slug])
    assert client.get(cluster_url, {"year": 1990}).status_code == 404
    assert client.get(reverse("open-data:numbers-cluster", args=[council.slug, "nowhere"])).status_code == 404
    assert client.get(reverse("open-data:numbers-council", args=["nowhere"])).status_code == 404
    # Another council's cluster is not this council's.
    assert (
        client.get(reverse("open-data:numbers-cluster", args=["kirklees", clusters[0].slug])).status_code
        == 404
    )


# The demo


@pytest.mark.parametrize("slug", ["kirklees", "stoke-on-trent"])
def test_the_demo_councils_pages_are_public_and_suppressed(client, db, slug):
    council = Council.objects.get(slug=slug)
    response = client.get(reverse("open-data:numbers-council", args=[slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "fewer than 5" in html
    assert_nothing_recoverable(html, council)
    # The formula in words, with no census code and no factor that counts nothing.
    assert "counting each pupil on SEN support once and each pupil with an education" in html
    assert "(K)" not in html and "× 0" not in html
    for cluster in Cluster.objects.filter(council=council):
        page = client.get(reverse("open-data:numbers-cluster", args=[slug, cluster.slug]))
        assert page.status_code == 200
        assert cluster.name in page.content.decode()


def test_the_public_council_and_cluster_pages_link_here(client, db):
    council_page = client.get(reverse("public:council", args=["kirklees"])).content.decode()
    assert reverse("open-data:numbers-council", args=["kirklees"]) in council_page
    cluster_page = client.get(reverse("public:cluster", args=["kirklees", "cluster-14"])).content.decode()
    assert reverse("open-data:numbers-cluster", args=["kirklees", "cluster-14"]) in cluster_page


def test_the_command_decides_ahead_of_the_first_visitor(client, small_council, monkeypatch):
    council, _, _ = small_council
    out = io.StringIO()
    call_command("decide_year_in_numbers", "--council", "smallville", stdout=out)
    assert "Smallville Council" in out.getvalue() and "hidden" in out.getvalue()
    assert SuppressionDecision.objects.filter(council=council).exists()
    monkeypatch.setattr(Publication, "protect", lambda self: pytest.fail("decided again"))
    assert client.get(reverse("open-data:numbers-council", args=[council.slug])).status_code == 200
    with pytest.raises(CommandError, match="--council"):
        call_command("decide_year_in_numbers", "--council", "nowhere", stdout=out)
    with pytest.raises(CommandError, match="--year"):
        call_command("decide_year_in_numbers", "--council", "smallville", "--year", "1990/91", stdout=out)
    # Every council at once: the demo's two as well.
    monkeypatch.undo()
    call_command("decide_year_in_numbers", stdout=out)
    assert "Kirklees Council" in out.getvalue()
