from django.urls import path

from clusterfund.triage import views

app_name = "triage"
urlpatterns = [
    path("clusters/<int:cluster_pk>/triage/", views.queue, name="queue"),
    path("requests/<int:pk>/triage/", views.triage, name="request"),
    path("requests/<int:pk>/triage/scores", views.score, name="score"),
    path("requests/<int:pk>/triage/questions", views.ask_questions, name="questions"),
    path("requests/<int:pk>/triage/ready", views.ready_for_meeting, name="ready"),
    path("requests/<int:pk>/triage/advice", views.resolve, name="resolve"),
    path("requests/<int:pk>/triage/redirect", views.redirect_request, name="redirect"),
    path("requests/<int:pk>/answer", views.answer, name="answer"),
    path("requests/<int:pk>/paper", views.paper, name="paper"),
    path("requests/<int:pk>/paper/<slug:field>", views.reword, name="reword"),
    path("schools/<int:school_pk>/advice/", views.school_advice, name="school-advice"),
    path("schools/<int:school_pk>/advice/new", views.record_advice, name="record-advice"),
    path("schools/<int:school_pk>/resources/new", views.share, name="share"),
    path("resources/", views.resources, name="resources"),
    path("resources/<int:pk>/ask", views.ask_for_resource, name="ask-for-resource"),
    path(
        "resources/<int:pk>/requests/<int:request_pk>/answer",
        views.answer_resource_request,
        name="answer-resource",
    ),
    path("resources/<int:pk>/stop", views.stop_sharing, name="stop-sharing"),
    path("councils/<slug:council_slug>/triage-scheme/", views.scheme, name="scheme"),
    path(
        "councils/<slug:council_slug>/triage-scheme/criteria/<int:criterion_pk>/retire",
        views.retire_criterion,
        name="retire-criterion",
    ),
    path("interests/", views.interests, name="interests"),
    path("interests/<int:pk>/withdraw", views.withdraw_interest, name="withdraw-interest"),
]
