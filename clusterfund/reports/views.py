"""Dashboards: the year in numbers for a council (every cluster side by side), a cluster and a school.

Each figure links to the list behind it when the person may open that list; the list applies its own
permission, so a dashboard lets nobody further in than the lists would.
"""

from urllib.parse import urlencode

from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from clusterfund.core.access import allow_or_404, signed_in
from clusterfund.core.charts import bar_chart, chart_download
from clusterfund.core.exports import FORMATS, pounds_value, table_download
from clusterfund.delivery import permissions as delivery_permissions
from clusterfund.funding_requests import permissions as request_permissions
from clusterfund.money import permissions as money_permissions
from clusterfund.organisations import selectors as organisations
from clusterfund.reports import dashboards, permissions
from clusterfund.reports.filters import DashboardFilterForm


def _percent(share) -> str:
    return "None decided yet" if share is None else f"{round(float(share) * 100)}%"


def _days(value) -> str:
    if value is None:
        return "Not yet known"
    return "1 day" if value == 1 else f"{value:,} days"


def _choose(request, council, clusters=None):
    """The year, term and (on the council's dashboard) cluster asked for, with the form that shows them."""
    years = list(organisations.years_of(council))
    form = DashboardFilterForm(request.GET or None, years=years, clusters=clusters)
    by_start = {year.start_year: year for year in years}
    year = by_start.get(form.value("year")) or organisations.current_year(council)
    if form.is_bound and form.value("year") is None:
        form = DashboardFilterForm({"year": year.start_year}, years=years, clusters=clusters)
    return form, year, form.value("term")


class _Links:
    """Where each figure leads: the request list with the figure's filters, when the person may open it."""

    def __init__(self, *, requests_url, year, term, money_url=None, reviews_url=None, schools_url=None):
        self.requests_url = requests_url
        self.base = {"year": year.start_year, "term": term or ""}
        self.money = money_url
        self.reviews = reviews_url
        self.schools = schools_url

    def requests(self, **filters):
        if not self.requests_url:
            return None
        filters.setdefault("result", "submitted")
        query = {key: value for key, value in {**self.base, **filters}.items() if value not in ("", None)}
        return f"{self.requests_url}?{urlencode(query)}"


def _breakdown_chart(slug: str, title: str, heading: str, breakdown) -> object:
    """Requests submitted beside funded for each (value, label, submitted, funded) of a breakdown."""
    return bar_chart(
        slug=slug,
        title=title,
        description=(
            f"Requests submitted and funded by {heading.lower()}: "
            + "; ".join(
                f"{label}: {submitted} submitted, {funded} funded"
                for _, label, submitted, funded in breakdown
            )
            + "."
        ),
        labels=[label for _, label, _, _ in breakdown],
        series=[
            ("Submitted", [submitted for _, _, submitted, _ in breakdown]),
            ("Funded", [funded for _, _, _, funded in breakdown]),
        ],
        label_heading=heading,
    )


def _charts(figures, *, where: str) -> list:
    return [
        _breakdown_chart("requests-by-type", f"Requests by type, {where}", "Type", figures.by_type),
        _breakdown_chart(
            "requests-by-area",
            f"Requests by main area of need, {where}",
            "Main area of need",
            figures.by_area,
        ),
    ]


def _figure_rows(figures) -> list[list]:
    """The dashboard's figures as a plain table for the download."""
    money = figures.money
    rows = [
        ["Pot (allocated)", pounds_value(money.main["allocated"])],
        ["Committed", pounds_value(money.main["committed"])],
        ["Paid", pounds_value(money.main["paid"])],
        ["Available", pounds_value(money.main["available"])],
        ["Contingency allocated", pounds_value(money.contingency["allocated"])],
        ["Contingency committed", pounds_value(money.contingency["committed"])],
        ["Contingency available", pounds_value(money.contingency["available"])],
        ["Requests submitted", figures.submitted],
        ["Requests decided", figures.decided],
        ["Requests funded", figures.funded],
        ["Requests declined", figures.declined],
        ["Resolved with advice", figures.resolved_with_advice],
        ["Asked for by decided requests", pounds_value(figures.asked_pence)],
        ["Awarded", pounds_value(figures.awarded_pence)],
        ["Median days from submission to decision", figures.to_decision.median],
        ["90th percentile days from submission to decision", figures.to_decision.p90],
        ["Median days from decision to support starting", figures.to_support.median],
        ["90th percentile days from decision to support starting", figures.to_support.p90],
        ["Reviews done", figures.reviews_done],
        ["Reviews overdue", figures.reviews_overdue],
        ["Outcomes reviewed", figures.outcomes_reviewed],
        ["Outcomes met", figures.outcomes_met],
        ["Followed by a request for an EHC needs assessment", figures.followed_by_ehc_assessment],
        ["Member schools", figures.member_schools],
        ["Member schools that submitted a request", figures.schools_asking],
    ]
    rows += [[f"Status: {label}", count] for _, label, count in figures.by_status]
    return rows


def _page(request, *, template, context, figures, charts, filename, extra_tables=None):
    download = chart_download(request, charts, filename)
    if download:
        return download
    table, file_format = request.GET.get("table"), request.GET.get("format")
    if file_format in FORMATS and table == "figures":
        return table_download(
            filename=f"{filename}-figures",
            head=["Figure", "Value"],
            rows=_figure_rows(figures),
            file_format=file_format,
        )
    for name, (head, rows) in (extra_tables or {}).items():
        if file_format in FORMATS and table == name:
            return table_download(
                filename=f"{filename}-{name}", head=head, rows=rows, file_format=file_format
            )
    query = urlencode(
        {"year": figures.academic_year.start_year, **({"term": figures.term} if figures.term else {})}
    )
    return render(
        request,
        template,
        {
            **context,
            "figures": figures,
            "charts": charts,
            "query": query,
            "percent": _percent,
            "days": _days,
        },
    )


def _with_year(name: str, arg, year) -> str:
    return f"{reverse(name, args=[arg])}?year={year.start_year}"


def _school_more(user, school, year) -> list[tuple[str, str]]:
    if permissions.can_view_school_fairness(user, school):
        return [
            (
                f"Your school in the fairness monitor, {year.name}",
                _with_year("fairness:school", school.pk, year),
            )
        ]
    return []


def _council_more(user, council, year) -> list[tuple[str, str]]:
    """Links to the rest of the year in numbers that the person may open: (text, address)."""
    more = []
    if permissions.can_view_council_fairness(user, council):
        more.append(
            (f"The fairness monitor for {year.name}", _with_year("fairness:council", council.slug, year))
        )
    if permissions.can_view_council_year_report(user, council):
        more.append(
            (
                f"The year report for {year.name}",
                reverse("review:council_report", args=[council.slug, year.start_year]),
            )
        )
    if permissions.can_edit_review_questions(user, council):
        more.append(("The annual review's questions", reverse("review:questions", args=[council.slug])))
    return more


def _cluster_more(user, cluster, year) -> list[tuple[str, str]]:
    more = []
    if cluster.is_city_pool:
        return more
    if permissions.can_view_cluster_fairness(user, cluster):
        more.append(
            (f"The fairness monitor for {year.name}", _with_year("fairness:cluster", cluster.pk, year))
        )
    if permissions.can_view_annual_review(user, cluster):
        more.append(
            (
                f"The annual review of {year.name}",
                reverse("review:review", args=[cluster.pk, year.start_year]),
            )
        )
    if permissions.can_view_year_report(user, cluster):
        more.append(
            (
                f"The year report for {year.name}",
                reverse("review:cluster_report", args=[cluster.pk, year.start_year]),
            )
        )
    return more


@signed_in("can_view_council_dashboard")
def council_dashboard(request, council_slug):
    """Every cluster side by side, and the council's figures (or one cluster's, when chosen)."""
    council = get_object_or_404(organisations.councils_visible_to(request.user), slug=council_slug)
    allow_or_404(permissions.can_view_council_dashboard(request.user, council))
    clusters = list(organisations.clusters_of_council(council, None))
    form, year, term = _choose(request, council, clusters)
    chosen = next((cluster for cluster in clusters if cluster.pk == form.value("cluster")), None)
    scope = [chosen] if chosen else clusters
    figures = dashboards.dashboard(academic_year=year, clusters=scope, term=term)
    side_by_side = dashboards.clusters_side_by_side(council, year, term=term)
    for row in side_by_side:
        row["reviews_url"] = (
            reverse("delivery:cluster_reviews", args=[row["cluster"].pk])
            if not row["cluster"].is_city_pool
            and delivery_permissions.can_view_cluster_reviews(request.user, row["cluster"])
            else None
        )
    if chosen:
        requests_url = (
            reverse("funding_requests:cluster", args=[chosen.pk])
            if request_permissions.can_see_cluster_requests(request.user, chosen)
            else None
        )
    else:
        requests_url = (
            reverse("funding_requests:all")
            if request_permissions.can_see_council_requests(request.user, council)
            else None
        )
    links = _Links(
        requests_url=requests_url,
        year=year,
        term=term,
        money_url=reverse("money:council", args=[council.slug]) + f"?year={year.start_year}"
        if money_permissions.can_view_council_money(request.user, council)
        else None,
        schools_url=reverse("organisations:council", args=[council.slug]),
    )
    where = chosen.name if chosen else council.name
    head = [
        "Cluster",
        "Member schools",
        "Schools that asked",
        "Submitted",
        "Decided",
        "Funded",
        "Pot",
        "Committed",
        "Paid",
        "Available",
        "Contingency",
        "Contingency committed",
        "Contingency available",
        "Reviews overdue",
    ]
    rows = [
        [
            row["cluster"].name,
            row["member_schools"],
            row["schools_asking"],
            row["submitted"],
            row["decided"],
            row["funded"],
            pounds_value(row["money"].main["allocated"]),
            pounds_value(row["money"].main["committed"]),
            pounds_value(row["money"].main["paid"]),
            pounds_value(row["money"].main["available"]),
            pounds_value(row["money"].contingency["allocated"]),
            pounds_value(row["money"].contingency["committed"]),
            pounds_value(row["money"].contingency["available"]),
            row["reviews_overdue"],
        ]
        for row in side_by_side
    ]
    return _page(
        request,
        template="reports/dashboard.html",
        context={
            "page_title": f"{council.name}: the year in numbers",
            "council": council,
            "form": form,
            "where": where,
            "links": links,
            "side_by_side": side_by_side,
            "kind": "council",
            "more": _council_more(request.user, council, year),
        },
        figures=figures,
        charts=_charts(figures, where=where),
        filename=f"{council.slug}-{year.start_year}",
        extra_tables={"clusters": (head, rows)},
    )


@signed_in("can_view_cluster_dashboard")
def cluster_dashboard(request, cluster_pk):
    """One cluster's year in numbers."""
    cluster = get_object_or_404(organisations.clusters_visible_to(request.user), pk=cluster_pk)
    allow_or_404(permissions.can_view_cluster_dashboard(request.user, cluster))
    form, year, term = _choose(request, cluster.council)
    figures = dashboards.dashboard(academic_year=year, clusters=[cluster], term=term)
    user = request.user
    links = _Links(
        requests_url=reverse("funding_requests:cluster", args=[cluster.pk])
        if request_permissions.can_see_cluster_requests(user, cluster)
        else None,
        year=year,
        term=term,
        money_url=reverse("money:cluster", args=[cluster.pk]) + f"?year={year.start_year}"
        if money_permissions.can_view_cluster_money(user, cluster)
        else None,
        reviews_url=reverse("delivery:cluster_reviews", args=[cluster.pk])
        if delivery_permissions.can_view_cluster_reviews(user, cluster)
        else None,
        schools_url=reverse("organisations:cluster", args=[cluster.pk]),
    )
    return _page(
        request,
        template="reports/dashboard.html",
        context={
            "page_title": f"{cluster.name}: the year in numbers",
            "council": cluster.council,
            "cluster": cluster,
            "form": form,
            "where": cluster.name,
            "links": links,
            "kind": "cluster",
            "more": _cluster_more(request.user, cluster, year),
        },
        figures=figures,
        charts=_charts(figures, where=cluster.name),
        filename=f"{cluster.council.slug}-{cluster.slug}-{year.start_year}",
    )


@signed_in("can_view_school_dashboard")
def school_dashboard(request, school_pk):
    """One school's year in numbers: its requests as lead school and the money its awards brought."""
    school = get_object_or_404(organisations.schools_visible_to(request.user), pk=school_pk)
    allow_or_404(permissions.can_view_school_dashboard(request.user, school))
    form, year, term = _choose(request, school.council)
    figures = dashboards.dashboard(academic_year=year, school=school, term=term)
    user = request.user
    links = _Links(
        requests_url=reverse("funding_requests:school", args=[school.pk])
        if request_permissions.can_write_requests_for_school(user, school)
        else None,
        year=year,
        term=term,
        money_url=reverse("money:school-awards", args=[school.pk])
        if money_permissions.can_view_school_awards(user, school)
        else None,
        reviews_url=reverse("delivery:school_reviews", args=[school.pk])
        if delivery_permissions.can_view_school_reviews(user, school)
        else None,
    )
    return _page(
        request,
        template="reports/dashboard.html",
        context={
            "page_title": f"{school.name}: the year in numbers",
            "council": school.council,
            "school": school,
            "form": form,
            "where": school.name,
            "links": links,
            "kind": "school",
            "more": _school_more(request.user, school, year),
        },
        figures=figures,
        charts=_charts(figures, where=school.name),
        filename=f"{school.council.slug}-school-{school.urn or school.pk}-{year.start_year}",
    )
