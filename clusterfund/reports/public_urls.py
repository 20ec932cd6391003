from django.urls import path

from clusterfund.reports import public_views

app_name = "open-data"
urlpatterns = [
    path("open-data/<slug:slug>/", public_views.council, name="council"),
    path(
        "open-data/<slug:slug>/<int:start_year>/360giving.json", public_views.grants_json, name="grants-json"
    ),
    path("open-data/<slug:slug>/<int:start_year>/360giving.csv", public_views.grants_csv, name="grants-csv"),
]
