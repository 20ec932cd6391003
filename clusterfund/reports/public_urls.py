from django.urls import path

from clusterfund.reports import public_views

app_name = "open-data"
urlpatterns = [
    path("open-data/<slug:slug>/", public_views.council, name="council"),
    path(
        "open-data/<slug:slug>/<int:start_year>/360giving.json", public_views.grants_json, name="grants-json"
    ),
    path("open-data/<slug:slug>/<int:start_year>/360giving.csv", public_views.grants_csv, name="grants-csv"),
    path("year-in-numbers/<slug:slug>/", public_views.numbers_council, name="numbers-council"),
    path(
        "year-in-numbers/<slug:slug>/<slug:cluster_slug>/",
        public_views.numbers_cluster,
        name="numbers-cluster",
    ),
]
