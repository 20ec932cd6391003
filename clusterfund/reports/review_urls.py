from django.urls import path

from clusterfund.reports import review_views as views

app_name = "review"

REVIEW = "clusters/<int:cluster_pk>/annual-review/<int:start_year>/"
QUESTIONS = "councils/<slug:council_slug>/annual-review/questions/"

urlpatterns = [
    path(REVIEW, views.review, name="review"),
    path(f"{REVIEW}open", views.open_review, name="open"),
    path(f"{REVIEW}close", views.close_review, name="close"),
    path(f"{REVIEW}answers/<int:invitation_pk>", views.answer, name="answer"),
    path(f"{REVIEW}results", views.results, name="results"),
    path(f"{REVIEW}actions/add", views.add_action, name="add_action"),
    path(f"{REVIEW}actions/<int:action_pk>/done", views.complete_action, name="complete_action"),
    path(QUESTIONS, views.questions, name="questions"),
    path(f"{QUESTIONS}add", views.add_question, name="add_question"),
    path(f"{QUESTIONS}<int:key>/change", views.change_question, name="change_question"),
    path(f"{QUESTIONS}<int:key>/move", views.move_question, name="move_question"),
    path(f"{QUESTIONS}<int:key>/retire", views.retire_question, name="retire_question"),
    path(
        "clusters/<int:cluster_pk>/year-report/<int:start_year>/", views.cluster_report, name="cluster_report"
    ),
    path(
        "clusters/<int:cluster_pk>/year-report/<int:start_year>.pdf",
        views.cluster_report_pdf,
        name="cluster_report_pdf",
    ),
    path(
        "councils/<slug:council_slug>/year-report/<int:start_year>/",
        views.council_report,
        name="council_report",
    ),
    path(
        "councils/<slug:council_slug>/year-report/<int:start_year>.pdf",
        views.council_report_pdf,
        name="council_report_pdf",
    ),
]
