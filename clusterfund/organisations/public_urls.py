from django.urls import path

from clusterfund.core import views as core_views
from clusterfund.organisations import public_views

app_name = "public"
urlpatterns = [
    path("public/", public_views.councils, name="councils"),
    path("public/<slug:slug>/", public_views.council, name="council"),
    path("public/<slug:slug>/<slug:cluster_slug>/", public_views.cluster, name="cluster"),
    path("privacy", core_views.privacy, name="privacy"),
    path("accessibility", core_views.accessibility, name="accessibility"),
]
