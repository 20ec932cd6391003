"""Signed-out pages for parents, carers and anyone: clusters, their schools and how to get support.

They never show personal data: no pupil, no staff name, no request.
"""

from django.shortcuts import get_object_or_404, render

from clusterfund.core.access import public
from clusterfund.organisations import selectors


@public
def councils(request):
    return render(
        request,
        "organisations/public/councils.html",
        {"page_title": "Clusters near you", "councils": selectors.public_councils()},
    )


@public
def council(request, slug):
    council = get_object_or_404(selectors.public_councils(), slug=slug)
    year = selectors.current_year(council)
    return render(
        request,
        "organisations/public/council.html",
        {
            "page_title": f"{council.name} SEND clusters",
            "council": council,
            "year": year,
            "clusters": selectors.clusters_of_council(council, year),
            "breadcrumbs": [{"text": "Clusters near you", "href": "/public/"}],
        },
    )


@public
def cluster(request, slug, cluster_slug):
    cluster = get_object_or_404(selectors.public_clusters(), council__slug=slug, slug=cluster_slug)
    year = selectors.current_year(cluster.council)
    return render(
        request,
        "organisations/public/cluster.html",
        {
            "page_title": cluster.name,
            "cluster": cluster,
            "council": cluster.council,
            "year": year,
            "schools": selectors.member_schools(cluster, year),
            "professions": selectors.team_professions(cluster),
            "breadcrumbs": [
                {"text": "Clusters near you", "href": "/public/"},
                {"text": f"{cluster.council.name} SEND clusters", "href": f"/public/{cluster.council.slug}/"},
            ],
        },
    )
