from django.urls import include, path

from clusterfund.api import api

urlpatterns = [
    path("", include("clusterfund.core.urls")),
    path("", include("clusterfund.accounts.urls")),
    path("", include("clusterfund.organisations.urls")),
    path("", include("clusterfund.organisations.public_urls")),
    path("", include("clusterfund.audit.urls")),
    path("", include("clusterfund.pupils.urls")),
    path("", include("clusterfund.funding_requests.urls")),
    path("", include("clusterfund.money.urls")),
    path("", include("clusterfund.triage.urls")),
    path("", include("clusterfund.meetings.urls")),
    path("", include("clusterfund.delivery.urls")),
    path("", include("clusterfund.reports.public_urls")),
    path("", include("clusterfund.reports.urls")),
    path("", include("clusterfund.reports.review_urls")),
    path("", include("clusterfund.reports.fairness_urls")),
    path("api/v1/", api.urls),
]
