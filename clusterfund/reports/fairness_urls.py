from django.urls import path

from clusterfund.reports import fairness_views

app_name = "fairness"

urlpatterns = [
    path("councils/<slug:council_slug>/fairness/", fairness_views.council, name="council"),
    path("clusters/<int:cluster_pk>/fairness/", fairness_views.cluster, name="cluster"),
    path("schools/<int:school_pk>/fairness/", fairness_views.school, name="school"),
]
