from django.urls import path

from clusterfund.pupils import views

app_name = "pupils"
urlpatterns = [
    path("schools/<int:school_pk>/pupils/", views.pupil_list, name="list"),
    path("schools/<int:school_pk>/pupils/new", views.add_pupil, name="add"),
    path("pupils/<int:pk>/", views.pupil, name="pupil"),
    path("pupils/<int:pk>/change", views.change_pupil, name="change"),
    path("pupils/<int:pk>/transfer", views.transfer_pupil, name="transfer"),
]
