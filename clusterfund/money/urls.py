from django.urls import path

from clusterfund.money import views

app_name = "money"
urlpatterns = [
    path("councils/<slug:council_slug>/money/", views.council_money, name="council"),
    path("councils/<slug:council_slug>/money/<int:start_year>/formula/", views.formula, name="formula"),
    path(
        "councils/<slug:council_slug>/money/<int:start_year>/formula/draft",
        views.change_draft,
        name="change-draft",
    ),
    path(
        "councils/<slug:council_slug>/money/<int:start_year>/formula/commit",
        views.commit_formula,
        name="commit",
    ),
    path("councils/<slug:council_slug>/money/<int:start_year>/year-end", views.year_end, name="year-end"),
    path("councils/<slug:council_slug>/money/<int:start_year>/factors", views.factors, name="factors"),
    path("councils/<slug:council_slug>/money/<int:start_year>/transfer", views.transfer, name="transfer"),
    path("clusters/<int:cluster_pk>/money/", views.cluster_money, name="cluster"),
    path("schools/<int:school_pk>/awards/", views.school_awards, name="school-awards"),
    path("awards/<int:pk>/", views.award, name="award"),
    path("awards/<int:pk>/payment", views.record_payment, name="record-payment"),
    path("awards/<int:pk>/change", views.vary_award, name="vary"),
    path("awards/<int:pk>/end", views.end_award, name="end"),
]
