from django.shortcuts import render

from clusterfund.accounts.roles import Role
from clusterfund.accounts.selectors import roles_of
from clusterfund.core.access import public
from clusterfund.organisations.selectors import current_clusters_of_schools, current_year, public_councils
from clusterfund.reports.survey import open_invitations_for


@public
def home(request):
    """Signed out: where to find your cluster. Signed in: the work each of your roles brings."""
    if not request.user.is_authenticated:
        return render(
            request,
            "core/landing.html",
            {"page_title": "SEND cluster funding", "councils": public_councils()},
        )
    roles = roles_of(request.user)
    school_ids = [r.school_id for r in roles if r.role == Role.SCHOOL_STAFF]
    councils = {role.council_id: role.council for role in roles}
    this_year = {pk: current_year(council) for pk, council in councils.items()}
    return render(
        request,
        "core/home.html",
        {
            "page_title": "Home",
            "roles": roles,
            "Role": Role,
            "clusters_of_schools": current_clusters_of_schools(school_ids),
            "this_year": {pk: year.start_year for pk, year in this_year.items() if year},
            "invitations": open_invitations_for(request.user),
        },
    )


@public
def privacy(request):
    return render(request, "core/privacy.html", {"page_title": "Privacy"})


@public
def accessibility(request):
    return render(request, "core/accessibility.html", {"page_title": "Accessibility statement"})


@public
def csrf_failure(request, reason=""):
    """A form sent without its security token, usually because the page was open too long."""
    return render(
        request, "core/csrf_failure.html", {"page_title": "Your form could not be sent"}, status=403
    )
