"""Signed-out pages: each council's cluster funding as 360Giving open data, with its licence and downloads;
and the year in numbers for each council and cluster, with small numbers suppressed.

The files hold one grant per school per year and no personal data (see `exports`); the year in numbers
shows no group small enough to identify a child (see `figures` and `suppression`).
"""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from clusterfund.core.access import public
from clusterfund.organisations import selectors
from clusterfund.reports import exports, fairness, figures


@public
def council(request, slug):
    council = get_object_or_404(selectors.public_councils(), slug=slug)
    return render(
        request,
        "reports/public/open_data.html",
        {
            "page_title": f"{council.name} SEND cluster funding: open data",
            "council": council,
            "years": exports.years_of_grants(council),
            "licence_name": exports.licence_name(council.open_data_licence),
            "breadcrumbs": [
                {"text": "Clusters near you", "href": reverse("public:councils")},
                {
                    "text": f"{council.name} SEND clusters",
                    "href": reverse("public:council", args=[council.slug]),
                },
            ],
        },
    )


def _package(request, slug, start_year):
    council = get_object_or_404(selectors.public_councils(), slug=slug)
    year = get_object_or_404(selectors.years_of(council), start_year=start_year)
    try:
        package = exports.grants_package(
            council=council,
            academic_year=year,
            access_url=request.build_absolute_uri(reverse("open-data:council", args=[slug])),
            download_url=request.build_absolute_uri(
                reverse("open-data:grants-json", args=[slug, start_year])
            ),
        )
    except exports.NothingToPublish as error:
        raise Http404(str(error)) from error
    return council, year, package


def _download(council, year, body: str, *, content_type: str, extension: str) -> HttpResponse:
    response = HttpResponse(body.encode("utf-8"), content_type=f"{content_type}; charset=utf-8")
    name = f"{council.slug}-send-cluster-funding-{year.start_year}-360giving.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    # The CSV has no place for the licence in the standard's columns: the header carries it for both files.
    response["Link"] = f'<{council.open_data_licence}>; rel="license"'
    return response


@public
def grants_json(request, slug, start_year):
    council, year, package = _package(request, slug, start_year)
    return _download(
        council, year, exports.package_json(package), content_type="application/json", extension="json"
    )


@public
def grants_csv(request, slug, start_year):
    council, year, package = _package(request, slug, start_year)
    return _download(council, year, exports.grants_csv(package), content_type="text/csv", extension="csv")


def _year_in_numbers(request, council):
    year = figures.year_for_page(council, request.GET.get("year"))
    if year is None:
        raise Http404("The council has no such academic year.")
    # Every year is linked, whatever it holds: a year missing from the list would say it funded nothing.
    return year, figures.year_in_numbers(council, year), fairness.years_of(council)


@public
def numbers_council(request, slug):
    council = get_object_or_404(selectors.public_councils(), slug=slug)
    year, numbers, years = _year_in_numbers(request, council)
    return render(
        request,
        "reports/public/numbers_council.html",
        {
            "page_title": f"{council.name} SEND clusters: the year in numbers, {year.name}",
            "council": council,
            "year": year,
            "years": years,
            "numbers": numbers,
            "breadcrumbs": [
                {"text": "Clusters near you", "href": reverse("public:councils")},
                {"text": f"{council.name} SEND clusters", "href": reverse("public:council", args=[slug])},
            ],
        },
    )


@public
def numbers_cluster(request, slug, cluster_slug):
    council = get_object_or_404(selectors.public_councils(), slug=slug)
    cluster = get_object_or_404(selectors.public_clusters(), council=council, slug=cluster_slug)
    year, numbers, years = _year_in_numbers(request, council)
    share = (
        next((share for share in numbers.formula.shares if share.cluster.pk == cluster.pk), None)
        if (numbers.formula)
        else None
    )
    return render(
        request,
        "reports/public/numbers_cluster.html",
        {
            "page_title": f"{cluster.name}, {council.name}: the year in numbers, {year.name}",
            "council": council,
            "cluster": cluster,
            "year": year,
            "years": years,
            "numbers": numbers,
            "share": share,
            "has_requests": any(c.pk == cluster.pk for c in numbers.clusters),
            "breadcrumbs": [
                {"text": "Clusters near you", "href": reverse("public:councils")},
                {"text": f"{council.name} SEND clusters", "href": reverse("public:council", args=[slug])},
                {"text": cluster.name, "href": reverse("public:cluster", args=[slug, cluster_slug])},
            ],
        },
    )
