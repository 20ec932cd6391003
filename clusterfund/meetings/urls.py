from django.urls import path

from clusterfund.meetings import pack_views, views

app_name = "meetings"
urlpatterns = [
    path("clusters/<int:cluster_pk>/meetings/", views.meetings, name="list"),
    path("clusters/<int:cluster_pk>/meetings/new", views.add, name="add"),
    path("clusters/<int:cluster_pk>/meetings/<int:pk>/change", views.change, name="change"),
    path("clusters/<int:cluster_pk>/meetings/<int:pk>/cancel", views.cancel, name="cancel"),
    path("clusters/<int:cluster_pk>/meetings/<int:pk>/", views.meeting, name="meeting"),
    path("clusters/<int:cluster_pk>/meetings/<int:pk>/agenda/build", views.build_agenda, name="build_agenda"),
    path("clusters/<int:cluster_pk>/meetings/<int:pk>/agenda/order", views.order_agenda, name="order_agenda"),
    path(
        "clusters/<int:cluster_pk>/meetings/<int:pk>/agenda/freeze", views.freeze_agenda, name="freeze_agenda"
    ),
    path(
        "clusters/<int:cluster_pk>/meetings/<int:pk>/agenda/<int:item_pk>/decide",
        views.decide_item,
        name="decide_item",
    ),
    path("clusters/<int:cluster_pk>/meetings/<int:pk>/attendance", views.attendance, name="attendance"),
    path("clusters/<int:cluster_pk>/meetings/<int:pk>/vote/open", views.open_vote, name="open_vote"),
    path("clusters/<int:cluster_pk>/meetings/<int:pk>/vote/close", views.close_vote, name="close_vote"),
    path("clusters/<int:cluster_pk>/meetings/<int:pk>/ballots/<int:school_pk>", views.ballot, name="ballot"),
    path(
        "clusters/<int:cluster_pk>/meetings/<int:pk>/decisions",
        views.record_decisions,
        name="record_decisions",
    ),
    path("clusters/<int:cluster_pk>/meetings/<int:pk>/minutes", views.minutes, name="minutes"),
    path("clusters/<int:cluster_pk>/meetings/<int:pk>/minutes/actions", views.add_action, name="add_action"),
    path(
        "clusters/<int:cluster_pk>/meetings/<int:pk>/minutes/approve",
        views.approve_minutes,
        name="approve_minutes",
    ),
    path(
        "clusters/<int:cluster_pk>/meetings/<int:pk>/counts/<int:number>/<str:audience>.pb",
        views.ballot_export,
        name="ballot_export",
    ),
    path("clusters/<int:cluster_pk>/meetings/<int:pk>/pack", pack_views.pack, name="pack"),
    path("clusters/<int:cluster_pk>/meetings/<int:pk>/pack.pdf", pack_views.pack_pdf, name="pack_pdf"),
    path("councils/<slug:council_slug>/meeting-rules", views.meeting_rules, name="rules"),
    path(
        "clusters/<int:cluster_pk>/chairs-action/<int:request_pk>", views.chairs_action, name="chairs_action"
    ),
]
