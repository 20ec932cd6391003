from django.urls import path

from clusterfund.meetings import views

app_name = "meetings"
urlpatterns = [
    path("clusters/<int:cluster_pk>/meetings/", views.meetings, name="list"),
    path("clusters/<int:cluster_pk>/meetings/new", views.add, name="add"),
    path("clusters/<int:cluster_pk>/meetings/<int:pk>/change", views.change, name="change"),
    path("clusters/<int:cluster_pk>/meetings/<int:pk>/cancel", views.cancel, name="cancel"),
]
