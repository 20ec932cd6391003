from django.urls import path

from clusterfund.organisations import views

app_name = "organisations"
urlpatterns = [
    path("councils/<slug:slug>/", views.council, name="council"),
    path("councils/<slug:slug>/years/<int:start_year>/", views.academic_year, name="academic-year"),
    path(
        "councils/<slug:slug>/years/<int:start_year>/half-terms/<int:number>/dates",
        views.half_term_dates,
        name="half-term-dates",
    ),
    path("councils/<slug:slug>/imports/schools", views.import_schools, name="import-schools"),
    path("councils/<slug:slug>/imports/census", views.import_census, name="import-census"),
    path(
        "councils/<slug:slug>/fairness-and-open-data-settings",
        views.fairness_settings,
        name="fairness-settings",
    ),
    path("clusters/<int:pk>/", views.cluster, name="cluster"),
    path("schools/<int:pk>/", views.school, name="school"),
]
