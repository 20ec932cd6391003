"""The fairness monitor: need beside money, the flags and their thresholds, the council's view with its
Gini coefficient, a school's view that names no other school, the pages and their downloads, the query
counts at two sizes of data, and the council's settings page for the thresholds and the open data."""

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clusterfund.accounts.roles import Role
from clusterfund.accounts.services import create_person, grant_role
from clusterfund.audit.models import AuditEvent
from clusterfund.core.errors import Invalid, Refused
from clusterfund.funding_requests.models import FundingRequest
from clusterfund.funding_requests.selectors import DECIDED_Q as DECIDED
from clusterfund.meetings.models import AgendaItem, Meeting
from clusterfund.money import services as money
from clusterfund.money.tests.builders import commit_formula, decided_request
from clusterfund.organisations import services as organisations
from clusterfund.organisations.models import AcademicYear, Cluster, Council, School, SchoolCensus
from clusterfund.reports import fairness
from clusterfund.reports.inequality import Group, gini

K_ADMIN, K_AUDITOR = "send.admin@kirklees.example", "auditor@kirklees.example"
K_CLUSTER_ADMIN, K_CHAIR = "cluster14.admin@kirklees.example", "head.ashbrow@kirklees.example"
K_ST_THOMAS, K_EP = "senco.stthomas@kirklees.example", "ep.cluster14@kirklees.example"
S_ADMIN, S_CHAIR = "send.admin@stoke.example", "locality.lead@stoke.example"
ST_THOMAS_URN = 151801
NOON = datetime.time(12)


# A small council of its own, where every figure can be worked out by hand


class World:
    """Fairshire: one cluster, North, of four schools, this year and the one before.

    Need (SEN support + EHC plans): Ash 40 + 10 = 50, Birch 30 + 20 = 50, Cedar 100 + 0 = 100, Damson no
    census: 200 in all, so shares of a quarter, a quarter and a half. Money: Ash £800 (after a variation
    down from £900), Birch £200, Cedar nothing. Meetings: a named one that defers Ash's request and funds
    Birch's first, then a blind one that funds Ash's and declines Birch's second."""

    def __init__(self, *, extra_schools: int = 0, la_code=991, slug="fairshire"):
        today = datetime.date.today()
        start = today.year if today.month >= 9 else today.year - 1
        self.council = organisations.create_council(
            name="Fairshire Council", la_code=la_code, slug=slug, acting_user=None
        )
        organisations.open_academic_year(council=self.council, start_year=start - 1, acting_user=None)
        self.year = organisations.open_academic_year(council=self.council, start_year=start, acting_user=None)
        self.cluster = organisations.create_cluster(
            council=self.council, name="North", number=1, acting_user=None
        )
        self.admin = create_person(
            email=f"admin@{slug}.example", full_name="Admin", password=None, acting_user=None
        )
        grant_role(user=self.admin, role=Role.COUNCIL_ADMIN, council=self.council, acting_user=None)
        self.schools = {}
        for name, k, e in [("Ash", 40, 10), ("Birch", 30, 20), ("Cedar", 100, 0), ("Damson", None, None)]:
            self.schools[name] = self._school(name, k, e)
        for number in range(extra_schools):
            self.schools[f"Extra {number}"] = self._school(f"Extra {number}", 10 + number, number % 3)
        commit_formula(self.council, self.admin, year=self.year)
        halves = {
            half.number: half
            for half in organisations_half_terms(self.year)  # autumn 1 … summer 2
        }
        self.autumn = halves[1].starts_on + datetime.timedelta(days=7)
        # Today: spring's first half term is over, so the autumn and spring terms both count.
        self.today = halves[4].starts_on + datetime.timedelta(days=1)
        ash = self._request("Ash", "R-ASH")
        birch = self._request("Birch", "R-BIRCH")
        birch_2 = self._request("Birch", "R-BIRCH-2", status="declined")
        self._request("Cedar", "R-CEDAR", status="declined")
        award = money.make_award(
            funding_request=ash, amount_pence=90_000, decided_on=self.autumn, acting_user=self.admin
        )
        money.vary_award(award=award, amount_pence=80_000, reason="Fewer sessions", acting_user=self.admin)
        money.make_award(
            funding_request=birch, amount_pence=20_000, decided_on=self.autumn, acting_user=self.admin
        )
        FundingRequest.objects.filter(pk=birch.pk).update(status="in_delivery")
        named = self._meeting(days=14, blind=False)
        blind = self._meeting(days=60, blind=True)
        self._item(named, ash, "deferred")
        self._item(named, birch, "approved", funded_pence=20_000)
        self._item(blind, ash, "approved", funded_pence=80_000, carried_over=True)
        self._item(blind, birch_2, "declined")
        for number in range(extra_schools):
            extra = self._request(f"Extra {number}", f"R-X{number}")
            money.make_award(
                funding_request=extra,
                amount_pence=1_000 * (number + 1),
                decided_on=self.autumn,
                acting_user=self.admin,
            )
            meeting = self._meeting(days=20 + number, blind=bool(number % 2))
            self._item(meeting, extra, "deferred")
            self._item(meeting, ash, "approved_not_funded")

    def _school(self, name, k, e):
        school = School.objects.create(council=self.council, name=f"{name} Primary")
        if k is not None:
            SchoolCensus.objects.create(
                school=school, census_month=datetime.date(2023, 1, 1), sen_support=k, ehc_plans=e
            )
        organisations.place_school_in_cluster(
            school=school, cluster=self.cluster, academic_year=self.year, acting_user=None
        )
        return school

    def _request(self, school, reference, *, status="approved"):
        request = decided_request(self.cluster, self.schools[school], self.admin, year=self.year)
        request.reference = reference
        request.status = status
        request.primary_area = "semh" if school == "Ash" else "cognition_learning"
        request.submitted_at = timezone.make_aware(datetime.datetime.combine(self.autumn, NOON))
        request.decided_on = self.autumn
        request.save()
        return request

    def _item(self, meeting, request, outcome, **fields):
        position = meeting.items.count() + 1
        return AgendaItem.objects.create(
            meeting=meeting, funding_request=request, position=position, outcome=outcome, **fields
        )

    def _meeting(self, *, days, blind):
        held_on = self.autumn + datetime.timedelta(days=days)
        return Meeting.objects.create(
            cluster=self.cluster,
            academic_year=self.year,
            held_on=held_on,
            paper_deadline=held_on - datetime.timedelta(days=7),
            frozen_at=timezone.now(),
            is_blind=blind,
            decisions_recorded_at=timezone.now(),
        )

    def monitor(self):
        return fairness.cluster_monitor(self.cluster, self.year, today=self.today)

    def row(self, monitor, name):
        return next(row for row in monitor.rows if row.school == self.schools[name])


def organisations_half_terms(year):
    from clusterfund.organisations.models import HalfTerm

    return HalfTerm.objects.filter(term__academic_year=year).order_by("number")


@pytest.fixture
def world(db):
    return World()


def test_need_and_money_shares_ratios_and_requests(world):
    monitor = world.monitor()
    ash, birch, cedar, damson = (world.row(monitor, name) for name in ("Ash", "Birch", "Cedar", "Damson"))
    assert monitor.totals.need == 200 and monitor.totals.committed_pence == 100_000
    assert (ash.need_share, birch.need_share, cedar.need_share) == (
        Fraction(1, 4),
        Fraction(1, 4),
        Fraction(1, 2),
    )
    # Ash's award was varied down from £900 to £800: what counts is what is committed now.
    assert (ash.committed_pence, ash.money_share, ash.ratio) == (80_000, Fraction(4, 5), Fraction(16, 5))
    assert (birch.money_share, birch.ratio) == (Fraction(1, 5), Fraction(4, 5))
    assert (cedar.money_share, cedar.ratio) == (0, 0)
    assert damson.need is None and damson.need_share is None and damson.ratio is None
    assert ash.per_pupil == Fraction(80_000, 40) and damson.per_pupil is None
    assert fairness.percent(ash.money_share) == "80.0%" and fairness.times(ash.ratio) == "3.20"
    assert (birch.submitted, birch.decided, birch.approved) == (2, 2, 1)
    assert (ash.submitted, ash.decided, ash.approved) == (1, 1, 1)
    assert monitor.totals.without_census == 1


def test_money_flags_above_and_below_the_schemes_thresholds(world):
    kinds = {row.school.name: row.flag_kinds for row in world.monitor().rows}
    assert "money_above" in kinds["Ash Primary"]  # 3.2 times its share of need
    assert not {"money_above", "money_below"} & kinds["Birch Primary"]  # 0.8: within the thresholds
    assert "money_below" in kinds["Cedar Primary"]  # half the need, nothing awarded
    assert not {"money_above", "money_below"} & kinds["Damson Primary"]  # no census: no ratio

    Council.objects.filter(pk=world.council.pk).update(
        fairness_high_ratio=Decimal("4"), fairness_low_ratio=Decimal("0.9")
    )
    world.cluster.council.refresh_from_db()
    kinds = {row.school.name: row.flag_kinds for row in world.monitor().rows}
    assert "money_above" not in kinds["Ash Primary"]
    assert "money_below" in kinds["Birch Primary"]


def test_no_money_flags_until_the_cluster_has_awarded_anything(db):
    world = World(la_code=992, slug="emptyshire")
    for award in world.cluster.pots.get(kind="cluster").awards.all():
        money.end_award_early(award=award, reason="Not needed", acting_user=world.admin)
    monitor = world.monitor()
    assert monitor.totals.committed_pence == 0 and not monitor.has_awards
    assert not any({"money_above", "money_below"} & row.flag_kinds for row in monitor.rows)
    assert all(row.money_share is None for row in monitor.rows)
    assert monitor.spread.gini is None and monitor.spread.points == []


def _give_money(world, year, pence=500_000):
    """Put money in the cluster's pot for `year` straight into the ledger."""
    from clusterfund.money.models import LedgerEntry, Pot

    pot, _ = Pot.objects.get_or_create(
        council=world.council, academic_year=year, cluster=world.cluster, kind=Pot.Kind.CLUSTER
    )
    LedgerEntry.objects.create(
        pot=pot,
        entry_type="allocation",
        amount_pence=pence,
        financial_year=year.start_year,
        academic_year=year,
        occurred_on=year.starts_on,
        reason="Allocation",
        actor_name="Admin",
    )


def _previous(world):
    return AcademicYear.objects.get(council=world.council, start_year=world.year.start_year - 1)


def test_a_member_school_with_no_request_for_a_run_of_terms(world):
    monitor = world.monitor()
    damson = world.row(monitor, "Damson")
    # The year before had no money, so its terms do not count: this autumn and spring, two in a row.
    assert len(damson.quiet_terms) == 2 and "quiet" in damson.flag_kinds
    assert damson.quiet_terms[0].startswith("autumn term")
    # Once the year before had money too, its three terms run on into this year's: five in a row.
    _give_money(world, _previous(world))
    damson = world.row(world.monitor(), "Damson")
    assert len(damson.quiet_terms) == 5 and "quiet" in damson.flag_kinds
    # Read blind, the flag says it counts decided requests only.
    blind = fairness.cluster_monitor(world.cluster, world.year, today=world.today, decided_only=True)
    [flag] = [f for f in world.row(blind, "Damson").flags if f.kind == "quiet"]
    assert flag.text.startswith("No decided request from Damson Primary for 5 terms in a row")
    # Ash asked in the autumn: only the spring since, one term, below the scheme's two.
    assert world.row(monitor, "Ash").quiet_terms == [] and "quiet" not in world.row(monitor, "Ash").flag_kinds
    # Early in the autumn term nothing this year counts yet, so no run reaches into the year.
    early = fairness.cluster_monitor(world.cluster, world.year, today=world.year.starts_on)
    assert not any("quiet" in row.flag_kinds for row in early.rows)

    Council.objects.filter(pk=world.council.pk).update(fairness_quiet_terms=1)
    world.cluster.council.refresh_from_db()
    assert "quiet" in world.row(world.monitor(), "Ash").flag_kinds


def test_an_earlier_year_shows_no_later_terms_and_no_flags_without_money(world):
    previous = _previous(world)
    for school in world.schools.values():
        organisations.place_school_in_cluster(
            school=school, cluster=world.cluster, academic_year=previous, acting_user=None
        )
    later = world.today + datetime.timedelta(days=800)  # every term of both years is long over
    # The year before had no money at all: no flag about money or unmet need, and the page says why.
    past = fairness.cluster_monitor(world.cluster, previous, today=later)
    assert not past.has_money and past.rows
    assert not any({"quiet", "money_above", "money_below"} & row.flag_kinds for row in past.rows)
    # With money, its run of quiet terms ends with its own summer term, never this year's.
    _give_money(world, previous)
    past = fairness.cluster_monitor(world.cluster, previous, today=later)
    damson = next(row for row in past.rows if row.school == world.schools["Damson"])
    this_years = {
        f"{season} term {world.year.start_year + (season != 'autumn')}"
        for season in ("autumn", "spring", "summer")
    }
    assert damson.quiet_terms and damson.quiet_terms[-1] == f"summer term {previous.start_year + 1}"
    assert not this_years & set(damson.quiet_terms)
    # This year, terms still to come do not count: only the autumn and the spring are over.
    assert world.monitor().terms_counted == [
        f"autumn term {world.year.start_year}",
        f"spring term {world.year.start_year + 1}",
    ]


def test_the_page_says_when_the_cluster_had_no_money(signed_in_client):
    cluster = _cluster_14()
    earlier = AcademicYear.objects.get(council=cluster.council, start_year=2025)
    page = (
        signed_in_client(K_ADMIN)
        .get(reverse("fairness:cluster", args=[cluster.pk]) + "?year=2025")
        .content.decode()
    )
    assert f"Cluster 14 had no money in {earlier.name}" in page
    assert "No request from" not in page and "No request for a run of terms" not in page
    assert "Money far below its share of need" not in page
    council = signed_in_client(K_ADMIN).get(reverse("fairness:council", args=["kirklees"]) + "?year=2025")
    assert f"had no money in {earlier.name}" in council.content.decode()


def test_a_joint_school_that_did_not_decline_has_sent_a_request(world):
    from clusterfund.funding_requests.models import JointSchool

    request = world.schools["Ash"].funding_requests.get()
    JointSchool.objects.create(
        funding_request=request, school=world.schools["Damson"], answer="confirmed", invited_by=world.admin
    )
    damson = world.row(world.monitor(), "Damson")
    # The year before's three quiet terms end at this autumn's request; the spring alone is one term.
    assert damson.quiet_terms == [] and "quiet" not in damson.flag_kinds


def test_a_deferred_request_is_not_decided_as_the_dashboards_count_it(world):
    from clusterfund.funding_requests.selectors import with_result

    deferred = world._request("Cedar", "R-CEDAR-2", status="deferred")
    assert deferred.decided_on is not None  # a meeting recorded putting it off
    cedar = world.row(world.monitor(), "Cedar")
    assert (cedar.submitted, cedar.decided, cedar.approved) == (2, 1, 0)
    for row in world.monitor().rows:
        requests = FundingRequest.objects.filter(academic_year=world.year, lead_school=row.school)
        assert row.decided == with_result(requests, "decided").count()
        assert row.approved == with_result(requests, "funded").count()


def test_a_request_that_waited_for_more_than_one_meeting(world):
    monitor = world.monitor()
    assert [(w.reference, w.meetings) for w in monitor.waiting] == [("R-ASH", 2)]
    [flag] = [flag for flag in monitor.flags if flag.kind == "waited"]
    assert flag.text.startswith("R-ASH from Ash Primary waited for 2 meetings")
    # Read by someone who sees it blind, it names no school.
    [hidden] = [f for f in monitor.flags_for(hidden={monitor.waiting[0].pk}) if f.kind == "waited"]
    assert "Ash" not in hidden.text and hidden.school_id is None

    Council.objects.filter(pk=world.council.pk).update(fairness_meetings_waited=2)
    world.cluster.council.refresh_from_db()
    assert world.monitor().waiting == []


def test_funded_more_often_named_than_blind(world):
    monitor = world.monitor()
    birch = world.row(monitor, "Birch")
    assert (birch.named_heard, birch.named_funded, birch.blind_heard, birch.blind_funded) == (1, 1, 1, 0)
    assert "named_blind" in birch.flag_kinds
    # Ash was deferred when named (not a vote on the merits) and funded blind: no flag.
    assert "named_blind" not in world.row(monitor, "Ash").flag_kinds
    assert (monitor.named_meetings, monitor.blind_meetings) == (1, 1)


def test_the_council_sees_every_cluster_the_areas_of_need_and_the_gini_coefficient(world):
    monitor = fairness.council_monitor(world.council, world.year, today=world.today)
    [line] = monitor.clusters
    assert line.cluster == world.cluster and line.totals.per_pupil == Fraction(100_000, 170)
    groups = [Group(40, 80_000), Group(30, 20_000), Group(100, 0)]
    assert monitor.spread.gini == gini(groups) and monitor.spread.left_out == 1
    assert monitor.spread.points[-1] == (1, 1)
    areas = {area.area: area for area in monitor.areas}
    assert areas["semh"].committed_pence == 80_000 and areas["semh"].money_share == Fraction(4, 5)
    assert areas["cognition_learning"].requests == 3
    assert areas["communication_interaction"].committed_pence == 0


def test_a_school_sees_its_own_line_and_the_others_unnamed(world):
    view = fairness.school_view(world.schools["Birch"], world.year, today=world.today)
    assert view.row.school == world.schools["Birch"] and view.cluster == world.cluster
    assert (
        sorted(view.others_per_pupil, key=lambda value: (value is None, value or 0)) == view.others_per_pupil
    )
    assert view.others_per_pupil == [Fraction(0), Fraction(2000), None]
    assert "named_blind" in {flag.kind for flag in view.flags}
    assert not any("Ash" in flag.text or "Cedar" in flag.text for flag in view.flags)


def _queries(function):
    with CaptureQueriesContext(connection) as context:
        function()
    return len(context.captured_queries)


@pytest.mark.parametrize(
    "read",
    [
        lambda w: fairness.cluster_monitor(w.cluster, w.year, today=w.today),
        lambda w: fairness.council_monitor(w.council, w.year, today=w.today),
        lambda w: fairness.school_view(w.schools["Ash"], w.year, today=w.today),
    ],
    ids=["cluster", "council", "school"],
)
def test_the_queries_do_not_grow_with_the_data(db, read, django_assert_max_num_queries):
    small = World(la_code=993, slug="smallshire")
    large = World(extra_schools=12, la_code=994, slug="largeshire")
    small_count = _queries(lambda: read(small))
    with django_assert_max_num_queries(small_count):
        monitor = read(large)
    assert small_count <= 15
    assert monitor is not None


# The demo


@pytest.mark.parametrize("slug", ["kirklees", "stoke-on-trent"])
def test_the_demo_raises_flags_in_both_councils(db, slug):
    council = Council.objects.get(slug=slug)
    year = AcademicYear.objects.filter(council=council).current()
    monitor = fairness.council_monitor(council, year)
    flags = [flag for cluster in monitor.monitors.values() for flag in cluster.flags]
    kinds = {flag.kind for flag in flags}
    assert {"money_above", "money_below", "waited"} <= kinds
    assert sum(line.flags for line in monitor.clusters) == len(flags) > 0
    assert monitor.spread.gini is not None and 0 < monitor.spread.gini < 1


# The pages


def _cluster_14():
    return Cluster.objects.get(slug="cluster-14")


@pytest.mark.parametrize("email", [K_ADMIN, K_AUDITOR, K_CLUSTER_ADMIN, K_CHAIR])
def test_the_cluster_monitor_names_every_school(signed_in_client, email):
    response = signed_in_client(email).get(reverse("fairness:cluster", args=[_cluster_14().pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<h1 class="govuk-heading-l">Fairness monitor: Cluster 14</h1>' in page
    for school in School.objects.filter(memberships__cluster=_cluster_14()).distinct():
        assert school.name.replace("'", "&#39;") in page
    assert "Waited for more than one meeting" in page and 'id="lorenz"' in page
    assert ("Change the thresholds" in page) == (email == K_ADMIN)
    # Auditors do not open requests, so the page names the waiting ones without a link.
    waiting = FundingRequest.objects.get(reference="K14-2627-023")
    assert (reverse("funding_requests:request", args=[waiting.pk]) in page) == (email != K_AUDITOR)


@pytest.mark.parametrize("email", [K_EP, K_ST_THOMAS, S_ADMIN])
def test_the_cluster_monitor_is_not_found_by_others(signed_in_client, email):
    assert (
        signed_in_client(email).get(reverse("fairness:cluster", args=[_cluster_14().pk])).status_code == 404
    )


def test_the_council_monitor(signed_in_client):
    client = signed_in_client(K_AUDITOR)
    response = client.get(reverse("fairness:council", args=["kirklees"]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Cluster 14" in page and "not their areas of need" in page and 'id="areas-of-need"' in page
    assert "Change the thresholds" not in page
    assert client.get(reverse("fairness:council", args=["stoke-on-trent"])).status_code == 404
    assert client.get(reverse("fairness:council", args=["kirklees"]) + "?year=1999").status_code == 404


def test_a_schools_view_names_no_other_school(signed_in_client):
    school = School.objects.get(urn=ST_THOMAS_URN)
    response = signed_in_client(K_ST_THOMAS).get(reverse("fairness:school", args=[school.pk]))
    page = response.content.decode()
    assert response.status_code == 200 and "Your school" in page and "Another school" in page
    others = School.objects.filter(memberships__cluster=_cluster_14()).exclude(pk=school.pk).distinct()
    for other in others:
        assert other.name.replace("'", "&#39;") not in page, other.name
    assert "K14-2627-023" in page  # its own request that waits


@pytest.mark.parametrize("email", [K_ADMIN, K_CLUSTER_ADMIN, K_CHAIR, "senco.birkbyjunior@kirklees.example"])
def test_only_a_schools_own_staff_open_its_view(signed_in_client, email):
    school = School.objects.get(urn=ST_THOMAS_URN)
    assert signed_in_client(email).get(reverse("fairness:school", args=[school.pk])).status_code == 404


def _table_rows(page: str, caption: str) -> dict[str, list[str]]:
    """The rows of the page's table with this caption, by their first cell's text."""
    import re

    table = page[page.index(caption) :]
    table = table[: table.index("</table>")]
    rows = {}
    for body in re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', table, re.S):
        cells = [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", body, re.S)
        ]
        rows[cells[0].replace("&#39;", "'")] = cells
    return rows


def test_the_page_titles_say_whose_monitor_it_is(signed_in_client):
    import re

    school = School.objects.get(urn=ST_THOMAS_URN)
    for email, url, h1 in [
        (K_ADMIN, reverse("fairness:cluster", args=[_cluster_14().pk]), "Fairness monitor: Cluster 14"),
        (K_ADMIN, reverse("fairness:council", args=["kirklees"]), "Fairness monitor: Kirklees Council"),
        (K_ST_THOMAS, reverse("fairness:school", args=[school.pk]), f"Fairness monitor: {school.name}"),
    ]:
        page = signed_in_client(email).get(url).content.decode()
        assert f'<h1 class="govuk-heading-l">{h1}</h1>' in page
        title = re.search(r"<title[^>]*>(.*?)</title>", page, re.S).group(1).strip()
        assert title.startswith(h1), title


def test_a_schools_flags_count_every_flag_about_it(signed_in_client):
    cluster = _cluster_14()
    page = signed_in_client(K_ADMIN).get(reverse("fairness:cluster", args=[cluster.pk])).content.decode()
    monitor = fairness.cluster_monitor(
        cluster, AcademicYear.objects.filter(council=cluster.council).current()
    )
    st_thomas = School.objects.get(urn=ST_THOMAS_URN)
    waited = [w for w in monitor.waiting if w.school_id == st_thomas.pk]
    assert len(waited) == 2  # K14-2627-009 and K14-2627-023
    rows = _table_rows(page, "Need and money by school")
    for row in monitor.rows:
        expected = len(row.flags) + sum(w.school_id == row.school.pk for w in monitor.waiting)
        assert rows[row.school.name][-1] == (str(expected) if expected else "None"), row.school.name
    assert rows[st_thomas.name][-1] == "2"
    # The wide tables sit in regions that scroll, each reachable by keyboard.
    for label in ["Need and money by school", "Requests that waited"]:
        assert f'role="region" aria-label="{label}" tabindex="0"' in page
    csv = signed_in_client(K_ADMIN).get(
        reverse("fairness:cluster", args=[cluster.pk]) + "?table=schools&format=csv"
    )
    line = next(
        line for line in csv.content.decode("utf-8-sig").splitlines() if line.startswith(st_thomas.name)
    )
    assert line.endswith("Waited for more than one meeting; Waited for more than one meeting")


def test_the_monitor_says_which_census_the_need_comes_from(signed_in_client):
    page = (
        signed_in_client(K_ADMIN).get(reverse("fairness:cluster", args=[_cluster_14().pk])).content.decode()
    )
    assert "comes from the school census of January 2023" in page
    assert "govuk-warning-text" in page and "more than 18 months before 2026/27 began" in page
    council = signed_in_client(K_ADMIN).get(reverse("fairness:council", args=["kirklees"])).content.decode()
    assert "January 2023" in council and "more than 18 months before 2026/27 began" in council
    school = School.objects.get(urn=ST_THOMAS_URN)
    own = signed_in_client(K_ST_THOMAS).get(reverse("fairness:school", args=[school.pk])).content.decode()
    assert "Your school&#39;s need comes from the school census of January 2023" in own
    assert "more than 18 months before" in own


def test_a_recent_census_raises_no_warning(world):
    year = world.year
    recent = datetime.date(year.start_year, 1, 1)  # eight months before the year starts
    assert fairness.months_before(recent, year.starts_on) == 8
    assert fairness.months_before(datetime.date(2023, 1, 1), datetime.date(2026, 9, 1)) == 44
    SchoolCensus.objects.filter(school__council=world.council).update(census_month=recent)
    census = world.monitor().census
    assert census.months == [(recent, 3)] and census.without == 1 and not census.is_old
    SchoolCensus.objects.filter(school__council=world.council).update(
        census_month=datetime.date(year.start_year - 2, 2, 1)
    )
    assert world.monitor().census.is_old  # 19 months


def _stoke_central():
    return Cluster.objects.get(slug="central-cluster")


def _downloads(client, cluster) -> dict[str, str]:
    url = reverse("fairness:cluster", args=[cluster.pk])
    return {
        table: client.get(f"{url}?table={table}&format=csv").content.decode("utf-8-sig")
        for table in ("schools", "meetings")
    }


def _undecided_request(cluster, school, admin):
    """A request the meeting put off (approved with no money left), now waiting: not decided."""
    request = decided_request(cluster, school, admin)
    request.status = "deferred"
    request.submitted_at = timezone.now()
    request.decided_on = timezone.localdate()  # the day the meeting put it off
    request.save()
    meeting = Meeting.objects.filter(
        cluster=cluster, is_blind=True, decisions_recorded_at__isnull=False
    ).first()
    AgendaItem.objects.create(
        meeting=meeting, funding_request=request, position=99, outcome="approved_not_funded"
    )
    return request


def test_a_blind_reader_learns_nothing_per_school_of_requests_not_yet_decided(
    signed_in_client, user_by_email
):
    cluster = _stoke_central()
    chair, admin = user_by_email(S_CHAIR), user_by_email(S_ADMIN)
    assert fairness.reads_blind(chair, cluster) and not fairness.reads_blind(admin, cluster)
    year = AcademicYear.objects.filter(council=cluster.council).current()
    chair_view = fairness.cluster_monitor(cluster, year, decided_only=True)
    admin_view = fairness.cluster_monitor(cluster, year)
    # The admin sees requests still waiting for a decision; the chair's figures count decided ones only.
    assert any(row.submitted > row.decided for row in admin_view.rows)
    for row in chair_view.rows:
        requests = FundingRequest.objects.filter(academic_year=year, cluster=cluster, lead_school=row.school)
        assert row.submitted <= row.decided == requests.filter(DECIDED).count()

    chair_page = (
        signed_in_client(S_CHAIR).get(reverse("fairness:cluster", args=[cluster.pk])).content.decode()
    )
    assert "count only requests that have been decided" in chair_page
    assert "Requests submitted" not in chair_page and "Decided requests: decided / approved" in chair_page
    before = {"chair": _downloads(signed_in_client(S_CHAIR), cluster)}
    before["admin"] = _downloads(signed_in_client(S_ADMIN), cluster)
    assert "Requests submitted" not in before["chair"]["schools"]
    assert "Requests submitted" in before["admin"]["schools"]

    # A school that has sent nothing this year sends a request that a blind meeting puts off. The admin
    # sees it in its row; the chair sees no change in any school's figures, flags or meetings.
    quiet = next(row.school for row in admin_view.rows if not row.submitted and not row.blind_heard)
    _undecided_request(cluster, quiet, admin)
    after_chair = _downloads(signed_in_client(S_CHAIR), cluster)
    after_admin = _downloads(signed_in_client(S_ADMIN), cluster)
    assert after_chair == before["chair"]
    assert after_admin["schools"] != before["admin"]["schools"]
    assert quiet.name in after_admin["meetings"] and quiet.name not in after_chair["meetings"]
    chair_after = (
        signed_in_client(S_CHAIR).get(reverse("fairness:cluster", args=[cluster.pk])).content.decode()
    )
    # The waiting table still hides the school of a request the chair reads blind.
    assert "S01-2627-009 is waiting" in chair_after and "S01-2627-009 from" not in chair_after
    rows = _table_rows(chair_after, "Need and money by school")
    etruscan = School.objects.get(name="Etruscan Primary School")
    assert rows[etruscan.name][-1] == str(
        len(next(r for r in chair_view.rows if r.school == etruscan).flags) or "None"
    )


def test_a_chair_who_reads_papers_blind_is_not_told_whose_request_waits(signed_in_client):
    cluster = Cluster.objects.get(slug="central-cluster")
    chair = signed_in_client(S_CHAIR).get(reverse("fairness:cluster", args=[cluster.pk])).content.decode()
    assert "S01-2627-009 is waiting" in chair and "S01-2627-009 from" not in chair
    admin = signed_in_client(S_ADMIN).get(reverse("fairness:cluster", args=[cluster.pk])).content.decode()
    assert "S01-2627-009 from Etruscan Primary School" in admin


@pytest.mark.parametrize(
    "name, args, query, email",
    [
        ("fairness:cluster", lambda: [_cluster_14().pk], "table=schools", K_CLUSTER_ADMIN),
        ("fairness:cluster", lambda: [_cluster_14().pk], "table=waiting", K_CHAIR),
        ("fairness:cluster", lambda: [_cluster_14().pk], "chart=need-and-money", K_ADMIN),
        ("fairness:council", lambda: ["kirklees"], "table=areas", K_ADMIN),
        ("fairness:council", lambda: ["kirklees"], "chart=lorenz", K_AUDITOR),
        (
            "fairness:school",
            lambda: [School.objects.get(urn=ST_THOMAS_URN).pk],
            "chart=per-pupil",
            K_ST_THOMAS,
        ),
    ],
)
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_every_table_and_chart_downloads(signed_in_client, name, args, query, email, file_format):
    response = signed_in_client(email).get(f"{reverse(name, args=args())}?{query}&format={file_format}")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'.{file_format}"')
    if file_format == "csv":
        text = response.content.decode("utf-8-sig")
        assert len(text.splitlines()) > 1


def test_the_schools_table_downloads_its_figures(signed_in_client):
    response = signed_in_client(K_ADMIN).get(
        reverse("fairness:cluster", args=[_cluster_14().pk]) + "?table=schools&format=csv"
    )
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("School,URN,Census,Pupils on SEN support")
    assert any(line.startswith("St Thomas CE Primary School,151801,January 2023,") for line in lines)


# The settings


SETTINGS = {
    "fairness_high_ratio": "2.5",
    "fairness_low_ratio": "0.4",
    "fairness_quiet_terms": "3",
    "fairness_meetings_waited": "2",
    "fairness_named_blind_gap": "25",
    "giving_prefix": "360G-kirklees",
    "giving_org_id": "GB-LAE-KIR",
    "open_data_licence": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
    "suppression_threshold": "10",
}


def test_the_council_changes_its_thresholds_and_open_data_settings(signed_in_client):
    client = signed_in_client(K_ADMIN)
    url = reverse("organisations:fairness-settings", args=["kirklees"])
    page = client.get(url)
    assert page.status_code == 200 and "Fairness and open data settings" in page.content.decode()
    response = client.post(url, SETTINGS)
    assert response.status_code == 302 and response["Location"] == reverse(
        "fairness:council", args=["kirklees"]
    )
    council = Council.objects.get(slug="kirklees")
    assert (council.fairness_high_ratio, council.fairness_low_ratio) == (Decimal("2.5"), Decimal("0.4"))
    assert (council.fairness_quiet_terms, council.fairness_meetings_waited) == (3, 2)
    assert (council.giving_prefix, council.giving_org_id, council.suppression_threshold) == (
        "360G-kirklees",
        "GB-LAE-KIR",
        10,
    )
    event = AuditEvent.objects.filter(action="scheme.fairness_and_open_data_changed").latest("pk")
    assert event.after["fairness_high_ratio"] == "2.5" and event.before["suppression_threshold"] == 5
    assert "open_data_licence" not in event.after  # unchanged


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("fairness_high_ratio", "1", "The ratio above need must be a number from 1.01 to 20"),
        ("fairness_low_ratio", "1.5", "The ratio below need must be a number from 0.01 to 0.99"),
        ("fairness_low_ratio", "0.333", "at most 2 decimal places"),
        ("fairness_quiet_terms", "0", "The number of terms must be a whole number from 1 to 6"),
        ("fairness_named_blind_gap", "ten", "The gap must be a whole number, like 30"),
        ("giving_prefix", "kirklees", "The 360Giving prefix must start 360G-"),
        ("giving_prefix", "360g-kirklees", "The 360Giving prefix must start 360G-"),
        ("giving_prefix", "360G-kirklees council", "The 360Giving prefix must not contain spaces"),
        ("giving_prefix", "360G-", "The 360Giving prefix must start 360G- and then use only letters"),
        ("giving_org_id", "Kirklees council", "The organisation identifier must not contain spaces"),
        ("giving_org_id", "GB LAE KIR", "The organisation identifier must not contain spaces"),
        ("giving_org_id", "KIR", "The organisation identifier must be a register's code, like GB-LAE"),
        ("giving_org_id", "gb-lae-kir", "The organisation identifier must be a register's code"),
        ("giving_org_id", "GB-LAE-", "The organisation identifier must be a register's code"),
        ("suppression_threshold", "4", "The smallest count that is published must be 5 or more"),
        ("suppression_threshold", "1", "The smallest count that is published must be 5 or more"),
        ("suppression_threshold", "101", "The smallest count that is published must be 100 or fewer"),
        ("open_data_licence", "not a licence", "Enter the address of the licence as a web address"),
        ("suppression_threshold", "", "Enter the smallest count that is published"),
    ],
)
def test_the_settings_are_validated(signed_in_client, field, value, message):
    response = signed_in_client(K_ADMIN).post(
        reverse("organisations:fairness-settings", args=["kirklees"]), {**SETTINGS, field: value}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in page
    assert message in page.replace("&#39;", "'")
    assert Council.objects.get(slug="kirklees").fairness_quiet_terms == 2


def test_the_settings_page_explains_the_smallest_count(signed_in_client):
    page = signed_in_client(K_ADMIN).get(reverse("organisations:fairness-settings", args=["kirklees"]))
    text = page.content.decode().replace("&#39;", "'")
    assert "the council may raise it, up to 100, but not lower it below 5" in text
    assert "with no spaces, like GB-LAE-KIR" in text and "with no spaces, like 360G-kirklees" in text


@pytest.mark.parametrize(
    "field, value",
    [
        ("suppression_threshold", 4),
        ("giving_org_id", "GB LAE KIR"),
        ("giving_org_id", "GB-LAE-KIR/1"),
        ("giving_prefix", "360G kirklees"),
    ],
)
def test_the_service_and_the_model_refuse_what_the_form_refuses(db, user_by_email, field, value):
    from django.core.exceptions import ValidationError

    council = Council.objects.get(slug="kirklees")
    values = {name: getattr(council, name) for name in organisations.FAIRNESS_AND_OPEN_DATA_FIELDS}
    values.update({"giving_prefix": "360G-kirklees", "giving_org_id": "GB-LAE-KIR", field: value})
    with pytest.raises(Invalid) as error:
        organisations.change_fairness_and_open_data_settings(
            council=council, acting_user=user_by_email(K_ADMIN), **values
        )
    assert set(error.value.errors) == {field}
    setattr(council, field, value)
    with pytest.raises(ValidationError) as invalid:
        council.full_clean()
    assert set(invalid.value.message_dict) == {field}


def test_the_service_refuses_others_and_checks_its_values(db, user_by_email):
    council = Council.objects.get(slug="kirklees")
    values = {
        "fairness_high_ratio": Decimal("2"),
        "fairness_low_ratio": Decimal("0.5"),
        "fairness_quiet_terms": 2,
        "fairness_meetings_waited": 1,
        "fairness_named_blind_gap": 30,
        "giving_prefix": "",
        "giving_org_id": "",
        "open_data_licence": "https://example.org/licence",
        "suppression_threshold": 5,
    }
    with pytest.raises(Refused):
        organisations.change_fairness_and_open_data_settings(
            council=council, acting_user=user_by_email(K_AUDITOR), **values
        )
    with pytest.raises(Invalid) as error:
        organisations.change_fairness_and_open_data_settings(
            council=council,
            acting_user=user_by_email(K_ADMIN),
            **{**values, "fairness_quiet_terms": True, "fairness_high_ratio": Decimal("NaN")},
        )
    assert set(error.value.errors) == {"fairness_quiet_terms", "fairness_high_ratio"}
    organisations.change_fairness_and_open_data_settings(
        council=council, acting_user=user_by_email(K_ADMIN), **values
    )
    # The same again changes nothing, and records nothing.
    before = AuditEvent.objects.count()
    organisations.change_fairness_and_open_data_settings(
        council=council, acting_user=user_by_email(K_ADMIN), **values
    )
    assert AuditEvent.objects.count() == before


def test_the_database_keeps_the_ratios_either_side_of_one(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Council.objects.filter(slug="kirklees").update(fairness_low_ratio=Decimal("1.2"))


@pytest.mark.parametrize("email", [K_AUDITOR, K_CLUSTER_ADMIN, S_ADMIN])
def test_only_the_councils_send_team_opens_the_settings(signed_in_client, email):
    response = signed_in_client(email).get(reverse("organisations:fairness-settings", args=["kirklees"]))
    assert response.status_code == 404


# In a real browser, with axe-core


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_monitor_pages_are_accessible(live_server, page):
    from clusterfund.core.tests.browser import check_accessibility
    from clusterfund.demo.loader import DEMO_PASSWORD, load_demo

    load_demo()

    def sign_in(email):
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/sign-in")
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server.url}/")

    sign_in(K_ADMIN)
    page.goto(f"{live_server.url}{reverse('fairness:council', args=['kirklees'])}")
    check_accessibility(page)
    page.get_by_role("link", name="Cluster 14").first.click()
    page.get_by_role("heading", name="Need and money by school").wait_for()
    check_accessibility(page)
    page.get_by_text("Show the data: Each school's share").first.click()
    check_accessibility(page)
    page.get_by_role("link", name="Change the thresholds").click()
    page.get_by_label("Smallest count that is published").fill("")
    page.get_by_role("button", name="Save the settings").click()
    page.get_by_text("There is a problem").wait_for()
    check_accessibility(page)
    sign_in(K_ST_THOMAS)
    school = School.objects.get(urn=ST_THOMAS_URN)
    page.goto(f"{live_server.url}{reverse('fairness:school', args=[school.pk])}")
    page.get_by_role("heading", name="Your school", exact=True).wait_for()
    check_accessibility(page)
