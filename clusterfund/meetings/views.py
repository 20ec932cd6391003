"""The meeting pages: a cluster's meetings for the year, and adding, moving and cancelling one."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from clusterfund.core.access import allow_or_403, allow_or_404, signed_in
from clusterfund.core.errors import apply_errors
from clusterfund.meetings import permissions, selectors, services
from clusterfund.meetings.forms import CancelMeetingForm, MeetingForm
from clusterfund.organisations.selectors import clusters_visible_to, current_year


def _cluster_for(request, cluster_pk):
    cluster = get_object_or_404(clusters_visible_to(request.user), pk=cluster_pk)
    allow_or_404(permissions.can_view_meetings(request.user, cluster))
    return cluster


def _posted(request):
    return request.POST if request.method == "POST" else None


@signed_in("can_view_meetings")
def meetings(request, cluster_pk):
    cluster = _cluster_for(request, cluster_pk)
    year = current_year(cluster.council)
    return render(
        request,
        "meetings/meetings.html",
        {
            "page_title": f"Meetings of {cluster.name}, {year.name}",
            "cluster": cluster,
            "meetings": selectors.meetings_of(cluster, year),
            "can_arrange": permissions.can_arrange_meetings(request.user, cluster),
        },
    )


def _save_page(request, cluster, form, save, *, title, done, meeting=None):
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except services.MeetingError as error:
            apply_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("meetings:list", cluster.pk)
    return render(
        request,
        "form_page.html",
        {
            "page_title": title,
            "form": form,
            "back_link": {"href": reverse("meetings:list", args=[cluster.pk]), "text": "Back"},
            "button": "Save the meeting"
            if meeting is None or "reason" not in form.fields
            else "Cancel the meeting",
        },
    )


@signed_in("can_arrange_meetings")
@require_http_methods(["GET", "POST"])
def add(request, cluster_pk):
    cluster = _cluster_for(request, cluster_pk)
    allow_or_403(permissions.can_arrange_meetings(request.user, cluster))
    chairs = {user.pk: user for user in selectors.chairs_for(cluster)}
    form = MeetingForm(_posted(request), chairs=chairs.values())
    return _save_page(
        request,
        cluster,
        form,
        lambda data: services.add_meeting(
            cluster=cluster,
            academic_year=current_year(cluster.council),
            kind=data["kind"],
            held_on=data["held_on"],
            paper_deadline=data["paper_deadline"],
            place=data["place"],
            online_link=data["online_link"],
            chair=chairs.get(data["chair"]),
            acting_user=request.user,
        ),
        title="Add a meeting",
        done="The meeting is added.",
    )


def _meeting_for(request, cluster, pk):
    meeting = selectors.meeting_of(cluster, pk)
    allow_or_404(meeting is not None)
    allow_or_403(permissions.can_arrange_meetings(request.user, cluster))
    return meeting


@signed_in("can_arrange_meetings")
@require_http_methods(["GET", "POST"])
def change(request, cluster_pk, pk):
    cluster = _cluster_for(request, cluster_pk)
    meeting = _meeting_for(request, cluster, pk)
    chairs = {user.pk: user for user in selectors.chairs_for(cluster)}
    form = MeetingForm(
        _posted(request),
        chairs=chairs.values(),
        with_kind=False,
        initial={
            "held_on": meeting.held_on,
            "paper_deadline": meeting.paper_deadline,
            "place": meeting.place,
            "online_link": meeting.online_link,
            "chair": meeting.chair_id,
        },
    )
    return _save_page(
        request,
        cluster,
        form,
        lambda data: services.move_meeting(
            meeting=meeting,
            held_on=data["held_on"],
            paper_deadline=data["paper_deadline"],
            place=data["place"],
            online_link=data["online_link"],
            chair=chairs.get(data["chair"]),
            acting_user=request.user,
        ),
        title=f"Change the {meeting.get_kind_display().lower()}",
        done="The meeting is changed.",
        meeting=meeting,
    )


@signed_in("can_arrange_meetings")
@require_http_methods(["GET", "POST"])
def cancel(request, cluster_pk, pk):
    cluster = _cluster_for(request, cluster_pk)
    meeting = _meeting_for(request, cluster, pk)
    return _save_page(
        request,
        cluster,
        CancelMeetingForm(_posted(request)),
        lambda data: services.cancel_meeting(
            meeting=meeting, reason=data["reason"], acting_user=request.user
        ),
        title=f"Cancel the meeting on {meeting.held_on.day} {meeting.held_on:%B %Y}",
        done="The meeting is cancelled. Its requests go to the next meeting.",
        meeting=meeting,
    )
