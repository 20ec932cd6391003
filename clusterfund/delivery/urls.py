from django.urls import path

from clusterfund.delivery import evidence_views, views

app_name = "delivery"
urlpatterns = [
    path("requests/<int:request_pk>/delivery", views.record_delivery, name="record"),
    path("requests/<int:request_pk>/reviews/<int:pk>", views.review, name="review"),
    path("requests/<int:request_pk>/reviews/<int:pk>/date", views.review_date, name="review_date"),
    path("schools/<int:school_pk>/reviews/", views.school_reviews, name="school_reviews"),
    path("clusters/<int:cluster_pk>/reviews/", views.cluster_reviews, name="cluster_reviews"),
    path("pupils/<int:pupil_pk>/evidence-pack", evidence_views.evidence_pack, name="evidence_pack"),
    path(
        "pupils/<int:pupil_pk>/evidence-pack.pdf",
        evidence_views.evidence_pack_pdf,
        name="evidence_pack_pdf",
    ),
]
