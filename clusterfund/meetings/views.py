"""The meeting pages: a cluster's meetings for the year; adding, moving and cancelling one; and a meeting
from its agenda through attendance, the vote and the count to its decisions and minutes."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from clusterfund.core.access import allow_or_403, allow_or_404, signed_in
from clusterfund.core.errors import apply_errors
from clusterfund.core.formatting import long_date
from clusterfund.core.params import whole_number
from clusterfund.meetings import permissions, selectors, services
from clusterfund.meetings.forms import (
    ActionForm,
    ApproveMinutesForm,
    AttendanceForm,
    BallotForm,
    CancelMeetingForm,
    ChairsActionForm,
    DecideWithoutVoteForm,
    MeetingForm,
    MeetingRulesForm,
    pounds_text,
)
from clusterfund.organisations.selectors import clusters_visible_to, councils_visible_to, current_year


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
            "urgent": selectors.urgent_requests_for_chairs_action(cluster, request.user)
            if permissions.can_take_chairs_action(request.user, cluster)
            else [],
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


# One meeting, from its agenda to its minutes


def _viewable_meeting(request, cluster_pk, pk):
    cluster = _cluster_for(request, cluster_pk)
    meeting = selectors.meeting_of(cluster, pk)
    allow_or_404(meeting is not None)
    return cluster, meeting


def _back_to(meeting, anchor=""):
    return redirect(reverse("meetings:meeting", args=[meeting.cluster_id, meeting.pk]) + anchor)


@signed_in("can_view_meetings")
def meeting(request, cluster_pk, pk):
    cluster, meeting = _viewable_meeting(request, cluster_pk, pk)
    user = request.user
    can_arrange = permissions.can_arrange_meetings(user, cluster)
    can_run = permissions.can_run_vote(user, cluster)
    present, needed, quorate = selectors.quorum(meeting)
    attendance = selectors.attendance_by_school(meeting)
    members = selectors.member_schools(meeting)
    ballots = selectors.ballots_cast(meeting)
    return render(
        request,
        "meetings/meeting.html",
        {
            "page_title": f"{meeting.get_kind_display()}, {long_date(meeting.held_on)}",
            "cluster": cluster,
            "meeting": meeting,
            "items": selectors.agenda_of(meeting),
            "members": members,
            "attendance": attendance,
            "ballots": ballots,
            "present": present,
            "needed": needed,
            "quorate": quorate,
            "can_arrange": can_arrange,
            "can_run": can_run,
            "can_approve": permissions.can_approve_minutes(user, cluster),
            "my_schools": selectors.schools_i_vote_for(user, meeting),
            "chairs_actions": selectors.chairs_actions_to_ratify(meeting),
            "results_visible": bool(meeting.vote_closed_at),
        },
    )


def _meeting_step(step, done: str, rule):
    """A button on the meeting page that moves the meeting on one step, for those `rule` allows."""

    @signed_in(rule.__name__)
    @require_POST
    def view(request, cluster_pk, pk):
        cluster, meeting = _viewable_meeting(request, cluster_pk, pk)
        allow_or_403(rule(request.user, cluster))
        try:
            step(meeting=meeting, acting_user=request.user)
        except services.MeetingError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, done)
        return _back_to(meeting)

    return view


build_agenda = _meeting_step(
    services.build_agenda,
    "The agenda has every request ready for this meeting and every deferred one.",
    permissions.can_arrange_meetings,
)
freeze_agenda = _meeting_step(
    services.freeze_agenda,
    "The agenda is frozen: amounts, who may vote on what, and the lot are fixed.",
    permissions.can_arrange_meetings,
)
open_vote = _meeting_step(services.open_vote, "The vote is open.", permissions.can_run_vote)
close_vote = _meeting_step(services.close_vote, "The vote is closed and counted.", permissions.can_run_vote)
record_decisions = _meeting_step(
    services.record_decisions,
    "The decisions are recorded, funded requests have their awards, and the schools are told.",
    permissions.can_arrange_meetings,
)


@signed_in("can_arrange_meetings")
@require_http_methods(["GET", "POST"])
def order_agenda(request, cluster_pk, pk):
    cluster, meeting = _viewable_meeting(request, cluster_pk, pk)
    allow_or_403(permissions.can_arrange_meetings(request.user, cluster))
    items = selectors.agenda_of(meeting)
    errors = {}
    if request.method == "POST":
        places = {}
        for item in items:
            place = whole_number(request.POST.get(f"item_{item.pk}", ""))
            if place is None or not 1 <= place <= len(items):
                errors[f"item_{item.pk}"] = (
                    f"Give {item.funding_request.reference} a place from 1 to {len(items)}"
                )
            else:
                places[item.pk] = place
        if not errors and len(set(places.values())) != len(places):
            errors["order"] = "Give each item a different place"
        if not errors:
            try:
                services.order_agenda(
                    meeting=meeting, item_ids=sorted(places, key=places.get), acting_user=request.user
                )
            except services.MeetingError as error:
                errors = getattr(error, "errors", None) or {"order": str(error)}
            else:
                messages.success(request, "The agenda is in the new order.")
                return _back_to(meeting, "#agenda")
    return render(
        request,
        "meetings/order.html",
        {
            "page_title": "Order the agenda",
            "meeting": meeting,
            "items": items,
            "errors": errors,
            "posted": request.POST if request.method == "POST" else {},
            "back_link": {"href": reverse("meetings:meeting", args=[cluster.pk, meeting.pk]), "text": "Back"},
        },
    )


def _form_page(request, meeting, form, save, *, title, done, button, intro="", anchor=""):
    if request.method == "POST" and form.is_valid():
        try:
            save(form)
        except services.MeetingError as error:
            apply_errors(form, error)
        else:
            messages.success(request, done)
            return _back_to(meeting, anchor)
    return render(
        request,
        "form_page.html",
        {
            "page_title": title,
            "form": form,
            "intro": intro,
            "button": button,
            "back_link": {
                "href": reverse("meetings:meeting", args=[meeting.cluster_id, meeting.pk]),
                "text": "Back",
            },
        },
    )


@signed_in("can_arrange_meetings")
@require_http_methods(["GET", "POST"])
def attendance(request, cluster_pk, pk):
    cluster, meeting = _viewable_meeting(request, cluster_pk, pk)
    allow_or_403(permissions.can_arrange_meetings(request.user, cluster))
    schools = selectors.member_schools(meeting)
    present = selectors.attendance_by_school(meeting)
    initial = {f"school_{school.pk}": present.get(school.pk, "absent") for school in schools}
    form = AttendanceForm(
        _posted(request), schools=schools, initial={**initial, "other_attendees": meeting.other_attendees}
    )
    return _form_page(
        request,
        meeting,
        form,
        lambda f: services.set_attendance(
            meeting=meeting,
            modes=f.modes(),
            other_attendees=f.cleaned_data["other_attendees"],
            acting_user=request.user,
        ),
        title="Who is at the meeting",
        intro=f"The vote opens when at least {selectors.quorum(meeting)[1]} member schools are present.",
        done="Attendance is recorded.",
        button="Save attendance",
        anchor="#attendance",
    )


@signed_in("can_run_vote")
@require_http_methods(["GET", "POST"])
def decide_item(request, cluster_pk, pk, item_pk):
    cluster, meeting = _viewable_meeting(request, cluster_pk, pk)
    allow_or_403(permissions.can_run_vote(request.user, cluster))
    item = next((i for i in selectors.agenda_of(meeting) if i.pk == item_pk), None)
    allow_or_404(item is not None)
    form = DecideWithoutVoteForm(
        _posted(request), initial={"outcome": item.outcome or "on_the_ballot", "note": item.outcome_note}
    )
    return _form_page(
        request,
        meeting,
        form,
        lambda f: services.decide_without_vote(
            item=item,
            outcome="" if f.cleaned_data["outcome"] == "on_the_ballot" else f.cleaned_data["outcome"],
            note=f.cleaned_data["note"],
            acting_user=request.user,
        ),
        title=f"Decide {item.funding_request.reference} without a vote",
        intro="Before the vote opens the meeting may defer an item to the next meeting, or resolve it with "
        "advice. Either way it is not on the ballot.",
        done=f"{item.funding_request.reference} is decided.",
        button="Save",
        anchor="#agenda",
    )


@signed_in("can_view_meetings")
@require_http_methods(["GET", "POST"])
def ballot(request, cluster_pk, pk, school_pk):
    """A school's ballot: cast by its own staff, or recorded by the cluster's admin."""
    cluster, meeting = _viewable_meeting(request, cluster_pk, pk)
    schools = {school.pk: school for school in selectors.member_schools(meeting)}
    school = schools.get(school_pk)
    own = school is not None and permissions.can_vote_for(request.user, school)
    by_admin = not own and permissions.can_arrange_meetings(request.user, cluster)
    allow_or_404(school is not None and (own or by_admin))
    if not meeting.vote_opened_at or meeting.vote_closed_at:
        messages.info(
            request, "The vote is closed." if meeting.vote_closed_at else "The vote has not opened yet."
        )
        return _back_to(meeting, "#vote")
    items = selectors.ballot_items_for(meeting, school)
    choices = (
        [("for", "For"), ("against", "Against"), ("abstain", "Abstain")]
        if meeting.counting_method == "majority"
        else [("for", "Approve"), ("abstain", "Do not approve")]
    )
    current = selectors.ballot_of(meeting, school)
    form = BallotForm(
        _posted(request),
        items=items,
        choices=choices,
        recorded_by_admin=by_admin,
        initial={f"item_{pk}": choice for pk, choice in current.items()},
    )
    intro = (
        "Some schools are not eligible to vote on some items, so not every item is on every ballot."
        if meeting.is_blind
        else "A school never votes on a request it submitted or joined, so those items are not on its ballot."
    )
    return _form_page(
        request,
        meeting,
        form,
        lambda f: services.cast_ballot(
            meeting=meeting,
            school=school,
            choices=f.choices(),
            recorded_as=f.cleaned_data["recorded_as"] if by_admin else "by_school",
            acting_user=request.user,
        ),
        title=f"{school.name}'s ballot" if not current else f"Correct {school.name}'s ballot",
        intro=intro,
        done=f"{school.name}'s ballot is recorded. It can be corrected until the chair closes the vote.",
        button="Cast the ballot" if own else "Record the ballot",
        anchor="#vote",
    )


@signed_in("can_view_meetings")
def minutes(request, cluster_pk, pk):
    cluster, meeting = _viewable_meeting(request, cluster_pk, pk)
    can_arrange = permissions.can_arrange_meetings(request.user, cluster)
    can_run = permissions.can_run_vote(request.user, cluster)
    allow_or_404(bool(meeting.vote_closed_at))
    show_minutes = bool(meeting.minutes_approved_at) or can_arrange or can_run
    my_schools = selectors.schools_i_vote_for(request.user, meeting)
    return render(
        request,
        "meetings/minutes.html",
        {
            "page_title": f"Minutes: {meeting}"
            if meeting.minutes_approved_at
            else (f"Results and draft minutes: {meeting}" if show_minutes else f"Results: {meeting}"),
            "show_minutes": show_minutes,
            "cluster": cluster,
            "meeting": meeting,
            "items": selectors.agenda_of(meeting),
            "members": selectors.member_schools(meeting),
            "attendance": selectors.attendance_by_school(meeting),
            "actions": selectors.actions_of(meeting),
            "chairs_actions": selectors.chairs_actions_to_ratify(meeting),
            "present": meeting.quorum_present,
            "needed": meeting.quorum_needed,
            "can_arrange": can_arrange,
            "can_approve": permissions.can_approve_minutes(request.user, cluster),
            "spending": [(school, selectors.spending_of(meeting, school)) for school in my_schools],
            "can_audit": permissions.can_read_auditor_export(request.user, cluster),
        },
    )


@signed_in("can_arrange_meetings")
@require_http_methods(["GET", "POST"])
def add_action(request, cluster_pk, pk):
    cluster, meeting = _viewable_meeting(request, cluster_pk, pk)
    allow_or_403(permissions.can_arrange_meetings(request.user, cluster))
    return _form_page(
        request,
        meeting,
        ActionForm(_posted(request)),
        lambda f: services.add_action(meeting=meeting, acting_user=request.user, **f.cleaned_data),
        title="Add an action to the minutes",
        done="The action is added to the minutes.",
        button="Add the action",
        anchor="#minutes",
    )


@signed_in("can_approve_minutes")
@require_http_methods(["GET", "POST"])
def approve_minutes(request, cluster_pk, pk):
    cluster, meeting = _viewable_meeting(request, cluster_pk, pk)
    allow_or_403(permissions.can_approve_minutes(request.user, cluster))
    return _form_page(
        request,
        meeting,
        ApproveMinutesForm(_posted(request), initial={"notes": meeting.minutes_notes}),
        lambda f: services.approve_minutes(
            meeting=meeting, notes=f.cleaned_data["notes"], acting_user=request.user
        ),
        title="Approve the minutes",
        intro="Approving the minutes publishes them to the cluster's members. Decisions are final.",
        done="The minutes are approved and published to the cluster's members.",
        button="Approve and publish the minutes",
        anchor="#minutes",
    )


@signed_in("can_view_meetings")
def ballot_export(request, cluster_pk, pk, number, audience):
    """A count's ballots as a pabulib file: the public one for members, with eligibility for auditors."""
    cluster, meeting = _viewable_meeting(request, cluster_pk, pk)
    allow_or_404(audience in ("public", "auditor"))
    auditor = audience == "auditor"
    allow_or_404(not auditor or permissions.can_read_auditor_export(request.user, cluster))
    text = selectors.export_of(meeting, number, auditor=auditor) if meeting.vote_closed_at else None
    allow_or_404(text is not None)
    services.record_export_downloaded(meeting=meeting, auditor=auditor, acting_user=request.user)
    name = (
        f"{meeting.cluster.slug}-{meeting.held_on.isoformat()}-{number + 1}{'-auditor' if auditor else ''}.pb"
    )
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@signed_in("can_take_chairs_action")
@require_http_methods(["GET", "POST"])
def chairs_action(request, cluster_pk, request_pk):
    """Between meetings the chair, with two heads of other schools, approves an urgent request."""
    cluster = _cluster_for(request, cluster_pk)
    allow_or_404(permissions.can_take_chairs_action(request.user, cluster))
    funding_request = next(
        (
            fr
            for fr in selectors.urgent_requests_for_chairs_action(cluster, request.user)
            if fr.pk == request_pk
        ),
        None,
    )
    allow_or_404(funding_request is not None)
    heads = selectors.heads_for_chairs_action(funding_request, request.user)
    by_pk = {user.pk: user for user, _ in heads}
    form = ChairsActionForm(_posted(request), heads=heads)
    limit = cluster.council.chairs_action_limit_pence
    if request.method == "POST" and form.is_valid():
        try:
            services.take_chairs_action(
                funding_request=funding_request,
                heads=[by_pk[pk] for pk in form.cleaned_data["heads"]],
                amount_pence=form.cleaned_data["amount_pence"],
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            )
        except services.MeetingError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                f"{funding_request.reference} is approved by chair's action and funded. The next meeting "
                "ratifies it.",
            )
            return redirect("meetings:list", cluster.pk)
    return render(
        request,
        "form_page.html",
        {
            "page_title": f"Chair's action on {funding_request.reference}",
            "form": form,
            "intro": "An urgent request can be approved between meetings by the chair and two heads of "
            f"other member schools, up to {pounds_text(limit)}. It is funded now and listed for the next "
            "meeting to ratify.",
            "button": "Approve by chair's action",
            "paper_link": reverse("triage:paper", args=[funding_request.pk]),
            "back_link": {"href": reverse("meetings:list", args=[cluster.pk]), "text": "Back"},
        },
    )


@signed_in("can_set_meeting_rules")
@require_http_methods(["GET", "POST"])
def meeting_rules(request, council_slug):
    """The scheme's rules for meetings: the counting method, the quorum and chair's action."""
    council = get_object_or_404(councils_visible_to(request.user), slug=council_slug)
    allow_or_404(permissions.can_set_meeting_rules(request.user, council))
    form = MeetingRulesForm(
        _posted(request),
        methods=selectors.counting_methods(),
        initial={
            "counting_method": council.counting_method,
            "quorum_percent": council.quorum_percent,
            "chairs_action_limit_pence": council.chairs_action_limit_pence,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.change_meeting_rules(council=council, acting_user=request.user, **form.cleaned_data)
        except services.MeetingError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "The rules for meetings are saved. They apply from the next vote.")
            return redirect("triage:scheme", council.slug)
    return render(
        request,
        "form_page.html",
        {
            "page_title": "Rules for meetings",
            "form": form,
            "intro": "A vote is counted by the method set when it opens; a meeting already voting keeps "
            "its method.",
            "button": "Save the rules",
            "back_link": {"href": reverse("triage:scheme", args=[council.slug]), "text": "Back"},
        },
    )
