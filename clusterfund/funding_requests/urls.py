from django.urls import path

from clusterfund.funding_requests import views

app_name = "funding_requests"
urlpatterns = [
    path("requests/", views.all_requests, name="all"),
    path("schools/<int:school_pk>/requests/", views.school_requests, name="school"),
    path("schools/<int:school_pk>/requests/new", views.start_request, name="start"),
    path("clusters/<int:cluster_pk>/requests/", views.cluster_requests, name="cluster"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/need", views.need, name="need"),
    path("requests/<int:pk>/pupils", views.pupils, name="pupils"),
    path("requests/<int:pk>/benefit", views.benefit, name="benefit"),
    path("requests/<int:pk>/approach", views.approach, name="approach"),
    path("requests/<int:pk>/outcomes/", views.outcomes, name="outcomes"),
    path("requests/<int:pk>/outcomes/new", views.add_outcome, name="add-outcome"),
    path("requests/<int:pk>/outcomes/<int:outcome_pk>/change", views.change_outcome, name="change-outcome"),
    path("requests/<int:pk>/outcomes/<int:outcome_pk>/remove", views.remove_outcome, name="remove-outcome"),
    path("requests/<int:pk>/provision/", views.provision, name="provision"),
    path("requests/<int:pk>/provision/dates", views.dates, name="dates"),
    path("requests/<int:pk>/provision/new", views.add_line, name="add-line"),
    path("requests/<int:pk>/provision/<int:line_pk>/change", views.change_line, name="change-line"),
    path("requests/<int:pk>/provision/<int:line_pk>/remove", views.remove_line, name="remove-line"),
    path("requests/<int:pk>/consent", views.consent, name="consent"),
    path("requests/<int:pk>/schools/", views.joint_schools, name="joint-schools"),
    path(
        "requests/<int:pk>/schools/<int:joint_pk>/remove",
        views.withdraw_invitation,
        name="withdraw-invitation",
    ),
    path("requests/<int:pk>/invitation", views.answer_invitation, name="answer-invitation"),
    path("requests/<int:pk>/documents/", views.attachments_page, name="attachments"),
    path("requests/<int:pk>/documents/<str:token>/remove", views.remove_attachment, name="remove-attachment"),
    path("documents/<str:token>", views.download_attachment, name="download-attachment"),
    path("requests/<int:pk>/check", views.check_answers, name="check"),
    path("requests/<int:pk>/submitted", views.submitted, name="submitted"),
    path("requests/<int:pk>/history", views.history, name="history"),
    path("requests/<int:pk>/withdraw", views.withdraw, name="withdraw"),
]
