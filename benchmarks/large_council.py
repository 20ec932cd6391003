"""How fast the year-in-numbers pages are on a council at scale, and whether their queries grow with the data.

Make the data first, in a database of its own (never the project's), then run this with the same DATABASE_URL:

    DATABASE_URL=sqlite:///large-council.sqlite3 .venv/bin/clusterfund generate-large-council --migrate
    DATABASE_URL=sqlite:///large-council.sqlite3 .venv/bin/python benchmarks/large_council.py [--runs 20]

It adds a small council from the same generator to the same database if it is not there yet (20 schools in 2
clusters over two years), so that each page's query count on the large council can be set beside the same
page's on the small one: a count that is higher on the large council grows with the data. Each page in PAGES
is fetched through Django's test client as the person who would read it, after a warm-up, alternately with a
trivial page of the same app (the home page, for the same person, signed in or out) so that both meet the same
load on the machine; it prints the median and 95th percentile of each, the queries, and whether the page is
within the target: twice the trivial page's 95th percentile plus 150 ms. A page whose URL name does not
resolve yet is reported as not built; a page slower than 5 s is timed over 3 runs, and a fetch that takes
over --page-timeout seconds (60) stops that page. The public pages reuse the kept decision on what to hide
(`SuppressionDecision`), as visits do while the figures stay the same; the script then times deciding afresh,
as the first visit after a change does. Then it times `clusterfund export-360giving` for the year and the one
before, in seconds.
"""

import argparse
import datetime
import os
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MARGIN_SECONDS = 0.150
SLOW_SECONDS = 5.0  # a page slower than this in its warm-up is timed over 3 runs, not --runs
LARGE, SMALL = "larchester", "larchester-small"


@dataclass(frozen=True)
class Page:
    label: str
    url_name: str
    reader: str  # "council_admin", "cluster_admin", "chair", "school_staff", or "public"
    args: (
        str  # which of the council's things the URL takes: "council", "cluster", "school", "council,cluster",
    )
    # "council,year"
    query: str = ""  # "year": ?year=<start year>


# Every page the benchmark serves, in the order it prints them.
PAGES = (
    Page("Council dashboard", "reports:council-dashboard", "council_admin", "council", "year"),
    Page("Cluster dashboard", "reports:cluster-dashboard", "cluster_admin", "cluster", "year"),
    Page("School dashboard", "reports:school-dashboard", "school_staff", "school", "year"),
    Page("Fairness monitor, council", "fairness:council", "council_admin", "council", "year"),
    Page("Fairness monitor, cluster", "fairness:cluster", "chair", "cluster", "year"),
    Page("Public numbers, council", "open-data:numbers-council", "public", "council"),
    Page("Public numbers, cluster", "open-data:numbers-cluster", "public", "council,cluster"),
    Page("Open data page", "open-data:council", "public", "council"),
    Page("360Giving JSON download", "open-data:grants-json", "public", "council,year"),
)


def _setup() -> None:
    if not os.environ.get("DATABASE_URL"):
        sys.exit("Set DATABASE_URL to the large council's own database (see the docstring).")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clusterfund.settings")
    import django
    from django.conf import settings

    django.setup()
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.DEBUG = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    import clusterfund.wsgi  # noqa: F401 - loads and freezes as the server does (see there)


@dataclass
class Scene:
    """One council as the benchmark reads it: the things in the URLs and the people who read them."""

    council: object
    year: object
    cluster: object
    school: object
    readers: dict

    def args(self, page: Page) -> list:
        things = {
            "council": self.council.slug,
            "cluster": self.cluster.slug if "council" in page.args else self.cluster.pk,
            "school": self.school.pk,
            "year": self.year.start_year,
        }
        return [things[name] for name in page.args.split(",")]


def _scene(slug: str, year_name: str | None) -> Scene:
    from django.db.models import Count

    from clusterfund.accounts.models import RoleAssignment
    from clusterfund.organisations.models import AcademicYear, Council

    council = Council.objects.get(slug=slug)
    years = AcademicYear.objects.filter(council=council)
    year = years.get(start_year=int(year_name[:4])) if year_name else years.order_by("-start_year").first()
    cluster = council.clusters.get(number=1)
    # The cluster's school that asks most: its dashboard has the most to show.
    school = (
        cluster.memberships.filter(academic_year=year)
        .values("school")
        .annotate(asked=Count("school__funding_requests"))
        .order_by("-asked", "school")
        .first()
    )
    school = council.schools.get(pk=school["school"])

    def holder(role, **scope):
        found = RoleAssignment.objects.filter(council=council, role=role, **scope).select_related("user")
        return found.order_by("pk").first().user

    readers = {
        "council_admin": holder("council_admin"),
        "cluster_admin": holder("cluster_admin", cluster=cluster),
        "chair": holder("chair", cluster=cluster),
        "school_staff": holder("school_staff", school=school),
        "public": None,
    }
    return Scene(council=council, year=year, cluster=cluster, school=school, readers=readers)


def _ensure_small_council(as_of: datetime.date) -> None:
    from clusterfund.demo.large_council import Identity, Scale, generate
    from clusterfund.organisations.models import Council

    if Council.objects.filter(slug=SMALL).exists():
        return
    print(f"Adding the small council {SMALL} to compare query counts with ...", flush=True)
    generate(
        seed=2,
        scale=Scale(schools=20, clusters=2, years=2, requests_per_school_year=10),
        identity=Identity(name="Larchester Small Borough Council", slug=SMALL, la_code=999),
        as_of=as_of,
    )


def _client_for(user):
    from django.test import Client

    client = Client(raise_request_exception=True)
    if user is not None:
        client.force_login(user)
    return client


def _url(page: Page, scene: Scene) -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse(page.url_name, args=scene.args(page))
    except NoReverseMatch:
        return None
    return f"{url}?year={scene.year.start_year}" if page.query == "year" else url


class TooSlow(Exception):
    """One fetch took longer than the benchmark waits."""


LIMIT = {"seconds": 60}


def _stop(signum, frame):
    raise TooSlow(f"one fetch took over {LIMIT['seconds']} s, so the page was stopped")


def _fetch(client, url: str) -> tuple[float, int]:
    began = time.perf_counter()
    signal.signal(signal.SIGALRM, _stop)
    signal.alarm(LIMIT["seconds"])
    try:
        response = client.get(url)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
    finally:
        signal.alarm(0)
    return time.perf_counter() - began, response.status_code


def _queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured.captured_queries)


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.0f}"


def measure(page: Page, scene: Scene, small: Scene, runs: int, warm_up: int) -> dict:
    """The page and the trivial page, fetched alternately: times, queries on both councils, the verdict."""
    from django.urls import reverse

    url = _url(page, scene)
    if url is None:
        return {"state": "not built"}
    client = _client_for(scene.readers[page.reader])
    trivial = reverse("core:home")
    try:
        slowest = 0.0
        for _ in range(warm_up):
            slowest = max(slowest, _fetch(client, url)[0])
            _fetch(client, trivial)
        runs = 3 if slowest > SLOW_SECONDS else runs
        times, trivial_times, status = [], [], 200
        for _ in range(runs):
            trivial_times.append(_fetch(client, trivial)[0])
            seconds, status = _fetch(client, url)
            times.append(seconds)
            if status != 200:
                return {"state": f"HTTP {status}"}
        queries = _queries(client, url)
        small_url = _url(page, small)
        small_client = _client_for(small.readers[page.reader])
        small_client.get(small_url)  # as warm as the large council's page
        small_queries = _queries(small_client, small_url)
    except TooSlow as error:
        return {"state": f"stopped: {error}"}
    except Exception as error:  # a page still being written may fail: report it and go on to the next
        return {"state": f"error: {type(error).__name__}: {str(error)[:80]}"}
    target = 2 * _p95(trivial_times) + MARGIN_SECONDS
    return {
        "state": "within target" if _p95(times) <= target else "OVER TARGET",
        "median": statistics.median(times),
        "p95": _p95(times),
        "trivial_median": statistics.median(trivial_times),
        "trivial_p95": _p95(trivial_times),
        "target": target,
        "queries": queries,
        "small_queries": small_queries,
        "runs": runs,
    }


def time_export(scene: Scene, year, runs: int = 3) -> tuple[float, float, str]:
    """`clusterfund export-360giving` for the scene's year, run in this process: the median and slowest."""
    from django.core.management import call_command

    times, said = [], ""
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "grants.json"
        for _ in range(runs):
            began = time.perf_counter()
            out = _Capture()
            call_command(
                "export_360giving",
                "--council",
                scene.council.slug,
                "--year",
                year.name,
                "--output",
                str(output),
                stdout=out,
            )
            times.append(time.perf_counter() - began)
            said = out.text.strip()
        size = output.stat().st_size
    return statistics.median(times), max(times), f"{said} [{size / 1024:,.0f} KiB]"


def time_decision(scene: Scene, runs: int = 3) -> tuple[float, float, int, int]:
    """Deciding which public figures to hide, as the first visit after the figures change does: the median
    and slowest of `runs`, each with the kept decision removed in a transaction that is rolled back."""
    from django.db import transaction

    from clusterfund.reports import figures
    from clusterfund.reports.models import SuppressionDecision

    times, numbers = [], None
    for _ in range(runs):
        with transaction.atomic():
            SuppressionDecision.objects.filter(council=scene.council, academic_year=scene.year).delete()
            began = time.perf_counter()
            numbers = figures.year_in_numbers(scene.council, scene.year)
            times.append(time.perf_counter() - began)
            transaction.set_rollback(True)
    hidden = sum(1 for figure in numbers.counts.values() if not figure.published)
    return statistics.median(times), max(times), len(numbers.counts), hidden


class _Capture:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="timed fetches of each page (20)")
    parser.add_argument("--warm-up", type=int, default=2, help="untimed fetches first (2)")
    parser.add_argument("--council", default=LARGE, help=f"the large council's slug ({LARGE})")
    parser.add_argument("--year", help="the academic year, e.g. 2026/27 (the latest)")
    parser.add_argument("--only", help="serve only the pages whose label contains this, e.g. Fairness")
    parser.add_argument(
        "--page-timeout", type=int, default=60, help="most seconds to wait for one fetch (60)"
    )
    options = parser.parse_args()
    LIMIT["seconds"] = options.page_timeout
    _setup()
    from django.db import connection

    from clusterfund.audit.models import AuditEvent
    from clusterfund.funding_requests.models import FundingRequest
    from clusterfund.money.models import LedgerEntry
    from clusterfund.organisations.models import Council

    large_council = Council.objects.filter(slug=options.council).first()
    if large_council is None:
        sys.exit(f"No council {options.council!r} here: run `clusterfund generate-large-council` first.")
    made = AuditEvent.objects.filter(action="demo.large_council_generated", council=large_council).first()
    _ensure_small_council(datetime.date.fromisoformat(made.after["as_of"]))
    scene, small = _scene(options.council, options.year), _scene(SMALL, None)
    print(
        f"{connection.vendor} database {connection.settings_dict['NAME']}: {scene.council.name}, "
        f"{FundingRequest.objects.filter(council=scene.council).count():,} requests, "
        f"{LedgerEntry.objects.filter(pot__council=scene.council).count():,} ledger entries; "
        f"year {scene.year.name}, {scene.cluster.name}, {scene.school.name}; "
        f"beside {small.council.name} ({FundingRequest.objects.filter(council=small.council).count():,} "
        "requests)."
    )
    print(f"{options.runs} runs of each after {options.warm_up} to warm up; times in ms.\n")
    head = (
        f"{'Page':<28} {'median':>7} {'p95':>7} {'trivial':>7} {'tr.p95':>7} {'target':>7} "
        f"{'queries':>7} {'small':>6}  verdict"
    )
    print(head)
    print("-" * len(head))
    for page in PAGES:
        if options.only and options.only.lower() not in page.label.lower():
            continue
        result = measure(page, scene, small, options.runs, options.warm_up)
        if "median" not in result:
            print(f"{page.label:<28} {result['state']}")
            continue
        grows = result["queries"] - result["small_queries"]
        queries = "queries flat" if grows <= 0 else f"QUERIES GROW by {grows}"
        print(
            f"{page.label:<28} {_ms(result['median'])} {_ms(result['p95'])} {_ms(result['trivial_median'])} "
            f"{_ms(result['trivial_p95'])} {_ms(result['target'])} {result['queries']:>7} "
            f"{result['small_queries']:>6}  {result['state']}, {queries}"
            + ("" if result["runs"] == options.runs else f" ({result['runs']} runs: it takes seconds)"),
            flush=True,
        )
    print()
    median, slowest, shown, hidden = time_decision(scene)
    print(
        f"Deciding what the public pages hide, {scene.year.name} (the first visit after the figures change, "
        f"or `clusterfund decide-year-in-numbers`): median {median:.2f} s, slowest {slowest:.2f} s of 3; "
        f"{shown} figures, {hidden} hidden."
    )
    # The year asked for, and the last year that ran its course: the current one has had few meetings yet.
    years = scene.council.academic_years.filter(start_year__lte=scene.year.start_year).order_by("-start_year")
    for year in years[:2]:
        try:
            median, slowest, said = time_export(scene, year)
            print(
                f"export-360giving {year.name}: median {median:.2f} s, slowest {slowest:.2f} s of 3. {said}"
            )
        except Exception as error:  # the export may refuse a year with nothing to publish
            print(f"export-360giving {year.name}: {type(error).__name__}: {error}")


if __name__ == "__main__":
    main()
