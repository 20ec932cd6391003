"""The fairness monitor's pages: the council's (every cluster side by side), a cluster's (every member
school named) and a school's own (its line beside the cluster's spread, no other school named). Every
table downloads with `?table=<slug>&format=csv|xlsx`, every chart's data with `?chart=<slug>&format=…`."""

from decimal import Decimal
from fractions import Fraction

from django.shortcuts import get_object_or_404, render

from clusterfund.core.access import allow_or_404, signed_in
from clusterfund.core.charts import bar_chart, chart_download
from clusterfund.core.exports import FORMATS, pounds_value, table_download
from clusterfund.core.formatting import census_month
from clusterfund.core.params import start_year
from clusterfund.organisations.permissions import can_change_fairness_and_open_data_settings
from clusterfund.organisations.selectors import clusters_visible_to, councils_visible_to, schools_visible_to
from clusterfund.reports import fairness, permissions
from clusterfund.reports.fairness import percent, pounds_per_pupil, times
from clusterfund.reports.fairness_charts import (
    decimal,
    lorenz_chart,
    need_and_money_chart,
    percent_text,
    share,
)


def _year(request, council):
    year = fairness.year_of(council, start_year(request))
    allow_or_404(year is not None)
    return year


def _per_pupil(value: Fraction | None) -> Decimal | None:
    return None if value is None else pounds_value(fairness.half_up(value))


def _pounds_text(value) -> str:
    return "" if value is None else f"£{value:,.2f}"


def _download(request, *, prefix: str, tables: dict, charts: list):
    """The file the page's query asks for (a table's or a chart's data), or None for the page itself."""
    file_format = request.GET.get("format", "")
    slug = request.GET.get("table", "")
    if file_format in FORMATS and slug in tables:
        head, rows = tables[slug]
        return table_download(filename=f"{prefix}-{slug}", head=head, rows=rows, file_format=file_format)
    return chart_download(request, charts, filename_prefix=prefix)


def _flags_by_kind(flags) -> list[tuple[str, list]]:
    grouped: dict[str, list] = {}
    for flag in flags:
        grouped.setdefault(flag.kind, []).append(flag)
    return [(fairness.FLAG_TITLES[kind], grouped[kind]) for kind in fairness.FLAG_TITLES if kind in grouped]


def _thresholds_rows(thresholds) -> list[tuple[str, str]]:
    return [
        ("Money share above need share", f"more than {times(thresholds.high_ratio)} times"),
        ("Money share below need share", f"less than {times(thresholds.low_ratio)} times"),
        ("Terms in a row without a request", str(thresholds.quiet_terms)),
        ("Meetings a request may wait", str(thresholds.meetings_waited)),
        (
            "Gap between named and blind meetings",
            f"{thresholds.named_blind_gap} percentage points or more",
        ),
    ]


def _school_head(*, decided_only: bool) -> list[str]:
    """The schools table's columns; for a reader who reads the papers blind, no count of requests
    submitted (it would include requests not yet decided)."""
    return [
        "School",
        "URN",
        "Census",
        "Pupils on SEN support",
        "Pupils with EHC plans",
        "Need (SEN support and EHC plans)",
        "Share of need (%)",
        "Money awarded (£)",
        "Share of money (%)",
        "Money share over need share",
        "Money per pupil on SEN support (£)",
        *([] if decided_only else ["Requests submitted"]),
        "Requests decided",
        "Requests approved",
        "Flags",
    ]


def _school_table(monitor, flags_by_school: dict[int, list]) -> list[list]:
    return [
        [
            row.school.name,
            row.school.urn,
            census_month(row.census_month),
            row.sen_support,
            row.ehc_plans,
            row.need,
            share(row.need_share),
            pounds_value(row.committed_pence),
            share(row.money_share),
            decimal(row.ratio, 2),
            _per_pupil(row.per_pupil),
            *([] if monitor.decided_only else [row.submitted]),
            row.decided,
            row.approved,
            "; ".join(flag.title for flag in flags_by_school.get(row.school.pk, [])),
        ]
        for row in monitor.rows
    ]


WAITING_HEAD = ["Request", "School", "Meetings", "Where it is now"]


def _waiting_table(monitor, hidden: set[int]) -> list[list]:
    return [
        [
            waiting.reference,
            "Not shown: the papers are blind" if waiting.pk in hidden else waiting.school_name,
            waiting.meetings,
            waiting.status_label,
        ]
        for waiting in monitor.waiting
    ]


HEARD_HEAD = [
    "School",
    "Voted on in named meetings",
    "Funded in named meetings",
    "Voted on in blind meetings",
    "Funded in blind meetings",
]


def _heard_table(monitor) -> list[list]:
    return [
        [row.school.name, row.named_heard, row.named_funded, row.blind_heard, row.blind_funded]
        for row in monitor.rows
        if row.named_heard or row.blind_heard
    ]


@signed_in("can_view_cluster_fairness")
def cluster(request, cluster_pk):
    """A cluster's fairness monitor: each member school's need and money, its requests, and the flags."""
    cluster = get_object_or_404(clusters_visible_to(request.user), pk=cluster_pk, is_city_pool=False)
    allow_or_404(permissions.can_view_cluster_fairness(request.user, cluster))
    year = _year(request, cluster.council)
    # Someone who reads the papers blind sees each school's figures over decided requests only.
    monitor = fairness.cluster_monitor(
        cluster, year, decided_only=fairness.reads_blind(request.user, cluster)
    )
    hidden = fairness.seen_blind(request.user, monitor.waiting)
    flags_by_school = monitor.flags_by_school(hidden=hidden)
    charts = []
    if monitor.rows:
        charts.append(
            need_and_money_chart(
                monitor.rows, description=" A school whose bars differ a lot may be worth a look."
            )
        )
    if monitor.spread.points:
        charts.append(lorenz_chart(monitor.spread, cluster.name))
    tables = {
        "schools": (_school_head(decided_only=monitor.decided_only), _school_table(monitor, flags_by_school)),
        "waiting": (WAITING_HEAD, _waiting_table(monitor, hidden)),
        "meetings": (HEARD_HEAD, _heard_table(monitor)),
    }
    download = _download(
        request,
        prefix=f"{cluster.council.slug}-{cluster.slug}-fairness-{year.start_year}",
        tables=tables,
        charts=charts,
    )
    if download:
        return download
    return render(
        request,
        "reports/fairness/cluster.html",
        {
            "page_title": f"Fairness monitor: {cluster.name}",
            "cluster": cluster,
            "council": cluster.council,
            "year": year,
            "years": fairness.years_of(cluster.council),
            "monitor": monitor,
            "flags": _flags_by_kind(monitor.flags_for(hidden=hidden)),
            "flag_count": len(monitor.flags),
            "flags_by_school": flags_by_school,
            "census": monitor.census,
            "hidden": hidden,
            "readable": fairness.readable(request.user, monitor.waiting),
            "heard_rows": tables["meetings"][1],
            "charts": {chart.slug: chart for chart in charts},
            "thresholds": _thresholds_rows(monitor.thresholds),
            "can_change": can_change_fairness_and_open_data_settings(request.user, cluster.council),
            "query": f"year={year.start_year}",
            "percent": percent,
            "times": times,
            "pounds_per_pupil": pounds_per_pupil,
        },
    )


CLUSTER_HEAD = [
    "Cluster",
    "Member schools",
    "Pupils on SEN support",
    "Need (SEN support and EHC plans)",
    "Money awarded (£)",
    "Money per pupil on SEN support (£)",
    "Gini coefficient across its schools",
    "Flags",
]
AREA_HEAD = [
    "Main area of need",
    "Requests submitted",
    "Money awarded (£)",
    "Share of money (%)",
    "Pupils recorded with it as their main need",
    "Share of pupils recorded (%)",
]


@signed_in("can_view_council_fairness")
def council(request, council_slug):
    """The council's fairness monitor: money per pupil on SEN support by cluster, money by area of need
    beside the pupils' recorded needs, and how evenly money per pupil is spread over its schools."""
    council = get_object_or_404(councils_visible_to(request.user), slug=council_slug)
    allow_or_404(permissions.can_view_council_fairness(request.user, council))
    year = _year(request, council)
    monitor = fairness.council_monitor(council, year)
    cluster_rows = [
        [
            line.cluster.name,
            line.totals.schools,
            line.totals.sen_support,
            line.totals.need,
            pounds_value(line.totals.committed_pence),
            _per_pupil(line.totals.per_pupil),
            decimal(line.spread.gini, 2),
            line.flags,
        ]
        for line in monitor.clusters
    ]
    area_rows = [
        [
            area.label,
            area.requests,
            pounds_value(area.committed_pence),
            share(area.money_share),
            area.pupils if area.area != fairness.NO_AREA else None,
            share(area.pupil_share),
        ]
        for area in monitor.areas
    ]
    charts = []
    if monitor.clusters:
        charts.append(
            bar_chart(
                slug="per-pupil-by-cluster",
                title="Money per pupil on SEN support, by cluster",
                description="The money each cluster awarded this year, divided by the pupils on SEN support "
                "in its member schools' latest census.",
                labels=[line.cluster.name for line in monitor.clusters],
                series=[
                    (
                        "Money per pupil on SEN support (£)",
                        [_per_pupil(line.totals.per_pupil) for line in monitor.clusters],
                    )
                ],
                label_heading="Cluster",
                value_format=_pounds_text,
            )
        )
    areas_shown = [area for area in monitor.areas if area.area != fairness.NO_AREA]
    if areas_shown:
        charts.append(
            bar_chart(
                slug="areas-of-need",
                title="The money by area of need, beside the pupils' recorded needs",
                description="The share of the money awarded on requests whose main area of need is each of "
                "the four broad areas, beside the share of pupils the member schools have recorded here with "
                "that main area of need.",
                labels=[area.label for area in areas_shown],
                series=[
                    ("Share of money (%)", [share(area.money_share) for area in areas_shown]),
                    ("Share of pupils recorded (%)", [share(area.pupil_share) for area in areas_shown]),
                ],
                label_heading="Main area of need",
                value_format=percent_text,
            )
        )
    if monitor.spread.points:
        charts.append(lorenz_chart(monitor.spread, f"every school in {council.name}"))
    tables = {"clusters": (CLUSTER_HEAD, cluster_rows), "areas": (AREA_HEAD, area_rows)}
    download = _download(
        request, prefix=f"{council.slug}-fairness-{year.start_year}", tables=tables, charts=charts
    )
    if download:
        return download
    return render(
        request,
        "reports/fairness/council.html",
        {
            "page_title": f"Fairness monitor: {council.name}",
            "council": council,
            "year": year,
            "years": fairness.years_of(council),
            "monitor": monitor,
            "census": monitor.census,
            "charts": {chart.slug: chart for chart in charts},
            "thresholds": _thresholds_rows(fairness.Thresholds.of(council)),
            "can_change": can_change_fairness_and_open_data_settings(request.user, council),
            "query": f"year={year.start_year}",
            "percent": percent,
            "times": times,
            "pounds_per_pupil": pounds_per_pupil,
        },
    )


@signed_in("can_view_school_fairness")
def school(request, school_pk):
    """A school's own line of its cluster's fairness monitor, beside the cluster's spread with no other
    school named."""
    school = get_object_or_404(schools_visible_to(request.user), pk=school_pk)
    allow_or_404(permissions.can_view_school_fairness(request.user, school))
    year = _year(request, school.council)
    view = fairness.school_view(school, year)
    charts = []
    if view.row is not None:
        ordered = sorted(
            [(view.row.per_pupil, True), *((value, False) for value in view.others_per_pupil)],
            key=lambda pair: (pair[0] is None, pair[0] or 0),
        )
        charts.append(
            bar_chart(
                slug="per-pupil",
                title="Money per pupil on SEN support across the cluster's schools",
                description="Each bar is one member school, least first; only your school is named. "
                "Schools with no pupils on SEN support in their census are left out.",
                labels=[
                    "Your school" if own else "Another school" for value, own in ordered if value is not None
                ],
                series=[
                    (
                        "Money per pupil on SEN support (£)",
                        [_per_pupil(value) for value, _ in ordered if value is not None],
                    )
                ],
                label_heading="School",
                value_format=_pounds_text,
            )
        )
        ratios = sorted(
            [(view.row.ratio, True), *((value, False) for value in view.others_ratio)],
            key=lambda pair: (pair[0] is None, pair[0] or 0),
        )
        if any(value is not None for value, _ in ratios):
            charts.append(
                bar_chart(
                    slug="ratios",
                    title="Share of the money over share of the need across the cluster's schools",
                    description="1 means a school's share of the money matches its share of the need. Each "
                    "bar is one member school, lowest first; only your school is named.",
                    labels=[
                        "Your school" if own else "Another school"
                        for value, own in ratios
                        if value is not None
                    ],
                    series=[
                        (
                            "Money share over need share",
                            [decimal(value, 2) for value, _ in ratios if value is not None],
                        )
                    ],
                    label_heading="School",
                    value_format=lambda value: "" if value is None else str(value),
                )
            )
    if view.spread is not None and view.spread.points:
        charts.append(lorenz_chart(view.spread, view.cluster.name))
    download = chart_download(
        request, charts, filename_prefix=f"school-{school.pk}-fairness-{year.start_year}"
    )
    if download:
        return download
    return render(
        request,
        "reports/fairness/school.html",
        {
            "page_title": f"Fairness monitor: {school.name}",
            "school": school,
            "year": year,
            "years": fairness.years_of(school.council),
            "view": view,
            "census": view.census,
            "flags": _flags_by_kind(view.flags),
            "charts": {chart.slug: chart for chart in charts},
            "thresholds": _thresholds_rows(view.thresholds),
            "query": f"year={year.start_year}",
            "percent": percent,
            "times": times,
            "pounds_per_pupil": pounds_per_pupil,
        },
    )
