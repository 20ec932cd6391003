from django.urls import path

from clusterfund.reports import views

app_name = "reports"
urlpatterns = [
    path("councils/<slug:council_slug>/dashboard/", views.council_dashboard, name="council-dashboard"),
    path("clusters/<int:cluster_pk>/dashboard/", views.cluster_dashboard, name="cluster-dashboard"),
    path("schools/<int:school_pk>/dashboard/", views.school_dashboard, name="school-dashboard"),
]
