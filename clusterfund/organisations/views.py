from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from clusterfund.core.access import allow_or_403, allow_or_404, signed_in
from clusterfund.core.errors import Refused, apply_errors
from clusterfund.funding_requests.permissions import can_write_requests_for_school
from clusterfund.organisations import imports, permissions, selectors, services
from clusterfund.organisations.forms import (
    CensusUploadForm,
    CsvUploadForm,
    FairnessSettingsForm,
    HalfTermDatesForm,
)
from clusterfund.pupils.permissions import can_keep_pupils_of_school, can_view_pupils_of_school


def _council_for(request, slug):
    council = get_object_or_404(selectors.councils_visible_to(request.user), slug=slug)
    allow_or_404(permissions.can_view_council(request.user, council))
    return council


@signed_in("can_view_council")
def council(request, slug):
    council = _council_for(request, slug)
    year = selectors.current_year(council)
    return render(
        request,
        "organisations/council.html",
        {
            "page_title": council.name,
            "council": council,
            "year": year,
            "years": selectors.years_of(council),
            "clusters": selectors.clusters_of_council(council, year),
            "can_manage": permissions.can_manage_council(request.user, council),
        },
    )


@signed_in("can_view_council")
def academic_year(request, slug, start_year):
    council = _council_for(request, slug)
    year = get_object_or_404(selectors.years_of(council), start_year=start_year)
    return render(
        request,
        "organisations/academic_year.html",
        {
            "page_title": f"Academic year {year.name}",
            "council": council,
            "year": year,
            "can_manage": permissions.can_manage_council(request.user, council),
            "breadcrumbs": [{"text": council.name, "href": f"/councils/{council.slug}/"}],
        },
    )


@signed_in("can_manage_council")
def half_term_dates(request, slug, start_year, number):
    council = _council_for(request, slug)
    half_term = get_object_or_404(
        selectors.half_terms_of(council), term__academic_year__start_year=start_year, number=number
    )
    allow_or_403(permissions.can_manage_council(request.user, council))
    initial = {"starts_on": half_term.starts_on, "ends_on": half_term.ends_on}
    form = HalfTermDatesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_half_term_dates(
                half_term=half_term, acting_user=request.user, **form.cleaned_data
            )
        except services.OrganisationError as error:
            form.add_error(error.field or "starts_on", str(error))
        else:
            messages.success(
                request,
                f"{half_term.name} now runs from {form.cleaned_data['starts_on']:%-d %B %Y} "
                f"to {form.cleaned_data['ends_on']:%-d %B %Y}.",
            )
            return redirect("organisations:academic-year", council.slug, start_year)
    year = half_term.term.academic_year
    return render(
        request,
        "organisations/half_term_dates.html",
        {
            "page_title": f"Change the dates of {half_term.name}",
            "form": form,
            "half_term": half_term,
            "year": year,
            "breadcrumbs": [
                {"text": council.name, "href": f"/councils/{council.slug}/"},
                {
                    "text": f"Academic year {year.name}",
                    "href": f"/councils/{council.slug}/years/{year.start_year}/",
                },
            ],
        },
    )


@signed_in("can_view_cluster")
def cluster(request, pk):
    cluster = get_object_or_404(selectors.clusters_visible_to(request.user), pk=pk)
    allow_or_404(permissions.can_view_cluster(request.user, cluster))
    year = selectors.current_year(cluster.council)
    schools = selectors.member_schools(cluster, year)
    visible_school_ids = set(
        selectors.schools_visible_to(request.user)
        .filter(pk__in=[s.pk for s in schools])
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "organisations/cluster.html",
        {
            "page_title": cluster.name,
            "cluster": cluster,
            "year": year,
            "schools": schools,
            "visible_school_ids": visible_school_ids,
            "team": selectors.team_of(cluster),
        },
    )


@signed_in("can_view_school")
def school(request, pk):
    school = get_object_or_404(selectors.schools_visible_to(request.user), pk=pk)
    allow_or_404(permissions.can_view_school(request.user, school))
    return render(
        request,
        "organisations/school.html",
        {
            "page_title": school.name,
            "school": school,
            "censuses": list(school.censuses.all()),
            "can_view_pupils": can_view_pupils_of_school(request.user, school),
            "can_write_requests": can_write_requests_for_school(request.user, school),
            "is_staff": can_keep_pupils_of_school(request.user, school),
            "memberships": list(
                school.memberships.select_related("cluster", "academic_year").order_by(
                    "-academic_year__start_year"
                )
            ),
        },
    )


def _import_page(request, slug, *, kind: str):
    council = _council_for(request, slug)
    allow_or_403(permissions.can_import_school_data(request.user, council))
    form_class = CensusUploadForm if kind == "census" else CsvUploadForm
    form = form_class(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        if kind == "census":
            report = imports.import_census(
                data=form.cleaned_data["file"],
                census_month=form.cleaned_data["census_month"],
                acting_user=request.user,
                council=council,
                source=request.FILES["file"].name[:200],
            )
        else:
            report = imports.import_schools(
                data=form.cleaned_data["file"], acting_user=request.user, council=council
            )
    title = (
        "Import school census counts"
        if kind == "census"
        else "Import schools from Get Information About Schools"
    )
    return render(
        request,
        f"organisations/import_{kind}.html",
        {
            "page_title": title,
            "council": council,
            "form": form,
            "report": report,
            "breadcrumbs": [{"text": council.name, "href": f"/councils/{council.slug}/"}],
        },
    )


@signed_in("can_import_school_data")
def import_schools(request, slug):
    return _import_page(request, slug, kind="schools")


@signed_in("can_import_school_data")
def import_census(request, slug):
    return _import_page(request, slug, kind="census")


@signed_in("can_change_fairness_and_open_data_settings")
@require_http_methods(["GET", "POST"])
def fairness_settings(request, slug):
    """The thresholds of the fairness monitor's flags, and how the council publishes its open data."""
    council = get_object_or_404(selectors.councils_visible_to(request.user), slug=slug)
    allow_or_404(permissions.can_change_fairness_and_open_data_settings(request.user, council))
    form = FairnessSettingsForm(
        request.POST if request.method == "POST" else None,
        initial={name: getattr(council, name) for name in services.FAIRNESS_AND_OPEN_DATA_FIELDS},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.change_fairness_and_open_data_settings(
                council=council, acting_user=request.user, **form.cleaned_data
            )
        except Refused as error:
            apply_errors(form, error)
        else:
            messages.success(request, "The fairness and open data settings are saved.")
            return redirect("fairness:council", council.slug)
    return render(
        request,
        "organisations/fairness_settings.html",
        {
            "page_title": "Fairness and open data settings",
            "council": council,
            "form": form,
            "back_link": {"href": reverse("fairness:council", args=[council.slug]), "text": "Back"},
        },
    )
