"""The Team Around the Cluster's pages: the triage queue, a request's triage (assignments, scores and the
outcome), the school's answers to questions, the advice log, shared resources and the register of interests.
Every write goes through the services."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from clusterfund.core.access import allow_or_403, allow_or_404, signed_in
from clusterfund.core.errors import apply_errors
from clusterfund.funding_requests import permissions as request_permissions
from clusterfund.funding_requests import selectors as request_selectors
from clusterfund.organisations.selectors import clusters_visible_to, councils_visible_to, schools_visible_to
from clusterfund.triage import papers, permissions, selectors, services
from clusterfund.triage.forms import (
    AdviceForm,
    AnswerForm,
    AskForResourceForm,
    AssignForm,
    CriterionForm,
    InterestForm,
    QuestionsForm,
    ReadyForMeetingForm,
    RedirectForm,
    RewordForm,
    SchemeForm,
    ScoreForm,
    ShareResourceForm,
)


def _posted(request):
    """The form's data on a POST, even an empty one, so that nothing ticked is still an error."""
    return request.POST if request.method == "POST" else None


def _form_page(request, form, save, *, title, done, back, template="form_page.html", **context):
    """Show a form; on a valid POST, save it through the service, say so and go `back`."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except services.TriageError as error:
            apply_errors(form, error, context.pop("fields", None))
        else:
            messages.success(request, done)
            return redirect(*back)
    context.pop("fields", None)
    back_link = {"href": reverse(back[0], args=back[1:]), "text": "Back"}
    return render(request, template, {"page_title": title, "form": form, "back_link": back_link, **context})


def _request_for(request, pk):
    """The request if the person may see it (in blind mode, never one of a school they have an interest
    in); anything else is not found."""
    funding_request = request_selectors.request_for_page(request.user, pk)
    allow_or_404(funding_request is not None and permissions.can_read_request(request.user, funding_request))
    return funding_request


def _triage_request_for(request, pk):
    funding_request = _request_for(request, pk)
    allow_or_403(permissions.can_see_triage(request.user, funding_request))
    return funding_request


# The queue and a request's triage


@signed_in("can_see_cluster_requests")
def queue(request, cluster_pk):
    cluster = get_object_or_404(clusters_visible_to(request.user), pk=cluster_pk)
    allow_or_404(request_permissions.can_see_cluster_requests(request.user, cluster))
    mine = request.GET.get("mine") == "1"
    queue = selectors.triage_queue(cluster, mine_for=request.user if mine else None)
    rows = list(request_selectors.without_interests(request.user, queue))
    blind = permissions.blind_ids(request.user, rows)
    return render(
        request,
        "triage/queue.html",
        {
            "page_title": f"Triage for {cluster.name}",
            "cluster": cluster,
            "rows": rows,
            "blind": blind,
            "mine": mine,
        },
    )


@signed_in("can_see_triage")
@require_http_methods(["GET", "POST"])
def triage(request, pk):
    funding_request = _triage_request_for(request, pk)
    can_assign = permissions.can_assign(request.user, funding_request)
    members = [
        member
        for member in selectors.members_for(funding_request)
        if not permissions.has_interest(member.user, funding_request)
    ]
    form = AssignForm(_posted(request), members=members)
    if request.method == "POST":
        allow_or_403(can_assign)
        if form.is_valid():
            chosen = [m for m in members if m.pk in form.cleaned_data["members"]]
            try:
                services.assign_members(
                    funding_request=funding_request, members=chosen, acting_user=request.user
                )
            except services.TriageError as error:
                apply_errors(form, error)
            else:
                messages.success(request, "Triage assigned.")
                return redirect("triage:request", funding_request.pk)
    assigned = selectors.assignments_of(funding_request)
    form.initial = {"members": [a.member_id for a in assigned]}
    return render(
        request,
        "triage/triage.html",
        {
            "page_title": f"Triage of {funding_request.reference}",
            "funding_request": funding_request,
            "blind": permissions.sees_blind(request.user, funding_request),
            "assigned": assigned,
            "form": form,
            "can_assign": can_assign,
            "can_score": permissions.can_score(request.user, funding_request),
            "can_decide": permissions.can_decide_triage(request.user, funding_request),
            "summary": selectors.score_summary(funding_request),
            "scores": selectors.scores_of(funding_request),
            "questions": selectors.information_requests_of(funding_request),
            "decisions": selectors.decisions_of(funding_request),
            "advice": selectors.advice_of_request(funding_request),
            "amount_asked": services.amount_asked(funding_request),
            "guidelines": funding_request.council.triage_guidelines,
            "days_waiting": selectors.days_waiting,
        },
    )


def _deciding(request, pk):
    funding_request = _triage_request_for(request, pk)
    allow_or_403(permissions.can_decide_triage(request.user, funding_request))
    return funding_request


@signed_in("can_score")
@require_http_methods(["GET", "POST"])
def score(request, pk):
    funding_request = _triage_request_for(request, pk)
    allow_or_403(permissions.can_score(request.user, funding_request))
    criteria = selectors.criteria_of(funding_request.council)
    mine = selectors.my_scores(funding_request, request.user)
    initial = {}
    for criterion in criteria:
        if criterion.pk in mine:
            initial[f"criterion_{criterion.pk}"] = mine[criterion.pk].value
            initial[f"criterion_{criterion.pk}_why"] = mine[criterion.pk].justification
    form = ScoreForm(_posted(request), initial=initial, criteria=criteria)
    return _form_page(
        request,
        form,
        lambda data: services.score_request(
            funding_request=funding_request, scores=form.scores(), acting_user=request.user
        ),
        title="Score the request",
        done="Your scores are saved.",
        back=("triage:request", funding_request.pk),
        funding_request=funding_request,
        intro="Score the request against each of the scheme's criteria, and say why. "
        "The meeting sees the median and range of the members' scores.",
        button="Save scores",
    )


@signed_in("can_decide_triage")
@require_http_methods(["GET", "POST"])
def ask_questions(request, pk):
    funding_request = _deciding(request, pk)
    return _form_page(
        request,
        QuestionsForm(_posted(request)),
        lambda data: services.ask_for_more_information(
            funding_request=funding_request, questions=data["questions"], acting_user=request.user
        ),
        title="Ask the school for more information",
        done="The questions have gone to the school.",
        back=("triage:request", funding_request.pk),
        funding_request=funding_request,
        button="Send the questions",
    )


@signed_in("can_decide_triage")
@require_http_methods(["GET", "POST"])
def ready_for_meeting(request, pk):
    funding_request = _deciding(request, pk)
    asked = services.amount_asked(funding_request)
    form = ReadyForMeetingForm(_posted(request), initial={"recommended": asked or None})
    if not funding_request.asks_for_money:
        del form.fields["recommended"]
    return _form_page(
        request,
        form,
        lambda data: services.send_to_meeting(
            funding_request=funding_request,
            recommended_pence=data.get("recommended"),
            recommendation=data["recommendation"],
            acting_user=request.user,
        ),
        title="Send the request to the meeting",
        done="The request is ready for the meeting.",
        back=("triage:request", funding_request.pk),
        funding_request=funding_request,
        fields={"recommended_pence": "recommended"},
        intro=f"The school asked for £{asked / 100:,.2f}." if funding_request.asks_for_money else "",
        button="Send to the meeting",
    )


@signed_in("can_decide_triage")
@require_http_methods(["GET", "POST"])
def resolve(request, pk):
    funding_request = _deciding(request, pk)
    resources = [
        r
        for r in selectors.resources_in_cluster(funding_request.cluster)
        if r.school_id != funding_request.lead_school_id
    ]
    form = AdviceForm(_posted(request), resources=resources)
    by_pk = {r.pk: r for r in resources}
    return _form_page(
        request,
        form,
        lambda data: services.resolve_with_advice(
            funding_request=funding_request,
            kind=data["kind"],
            given_on=data["given_on"],
            given_by=data["given_by"],
            advice=data["advice"],
            shared_resource=by_pk.get(data.get("shared_resource")),
            acting_user=request.user,
        ),
        title="Resolve the request with advice",
        done="The request is resolved with advice.",
        back=("triage:request", funding_request.pk),
        funding_request=funding_request,
        intro="No money is needed: the request closes with the advice given, which is logged for the school "
        "and its pupils.",
        button="Resolve with advice",
    )


@signed_in("can_decide_triage")
@require_http_methods(["GET", "POST"])
def redirect_request(request, pk):
    funding_request = _deciding(request, pk)
    return _form_page(
        request,
        RedirectForm(_posted(request)),
        lambda data: services.redirect_request(
            funding_request=funding_request, reason=data["reason"], acting_user=request.user
        ),
        title="Redirect the request",
        done="The request has been redirected.",
        back=("triage:request", funding_request.pk),
        funding_request=funding_request,
        button="Redirect the request",
    )


@signed_in("can_change_request")
@require_http_methods(["GET", "POST"])
def answer(request, pk):
    """The school answers the team's questions and sends the request back."""
    funding_request = _request_for(request, pk)
    allow_or_403(request_permissions.can_change_request(request.user, funding_request))
    asked = selectors.open_questions(funding_request)
    allow_or_404(asked is not None)
    return _form_page(
        request,
        AnswerForm(_posted(request)),
        lambda data: services.answer_and_resubmit(
            funding_request=funding_request, answer=data["answer"], acting_user=request.user
        ),
        title="Answer the Team Around the Cluster's questions",
        done="Your answer has been sent and the request is back with the Team Around the Cluster.",
        back=("funding_requests:request", funding_request.pk),
        template="triage/answer.html",
        funding_request=funding_request,
        asked=asked,
        days=selectors.days_waiting(asked),
    )


# Blind papers


@signed_in("can_view_request")
def paper(request, pk):
    """The request as a blind meeting reads it. The school may reword any part while it can change it."""
    funding_request = _request_for(request, pk)
    return render(
        request,
        "triage/paper.html",
        {
            "page_title": f"Paper {funding_request.reference}",
            "paper": papers.paper_for(funding_request),
            "funding_request": funding_request,
            "can_reword": request_permissions.can_change_request(request.user, funding_request),
            "can_see_triage": permissions.can_see_triage(request.user, funding_request),
        },
    )


@signed_in("can_change_request")
@require_http_methods(["GET", "POST"])
def reword(request, pk, field):
    funding_request = _request_for(request, pk)
    allow_or_404(field in papers.PAPER_FIELDS)
    allow_or_403(request_permissions.can_change_request(request.user, funding_request))
    current = papers.paper_for(funding_request).text(field)
    form = RewordForm(_posted(request), initial={"text": current})
    return _form_page(
        request,
        form,
        lambda data: services.reword_paper(
            funding_request=funding_request, field=field, text=data["text"], acting_user=request.user
        ),
        title=f"Reword: {papers.PAPER_FIELDS[field].lower()}",
        done="The paper is updated.",
        back=("triage:paper", funding_request.pk),
        template="triage/reword.html",
        funding_request=funding_request,
        original=getattr(funding_request, field),
        button="Save the wording",
    )


# The advice log


def _school_for(request, school_pk):
    return get_object_or_404(schools_visible_to(request.user), pk=school_pk)


@signed_in("can_view_advice_of_school")
def school_advice(request, school_pk):
    school = _school_for(request, school_pk)
    allow_or_404(permissions.can_view_advice_of_school(request.user, school))
    return render(
        request,
        "triage/advice_log.html",
        {
            "page_title": f"Advice for {school.name}",
            "school": school,
            "records": selectors.advice_of_school(school),
            "can_record": permissions.can_record_advice_for_school(request.user, school),
        },
    )


@signed_in("can_record_advice_for_school")
@require_http_methods(["GET", "POST"])
def record_advice(request, school_pk):
    school = _school_for(request, school_pk)
    allow_or_404(permissions.can_view_advice_of_school(request.user, school))
    allow_or_403(permissions.can_record_advice_for_school(request.user, school))
    form = AdviceForm(_posted(request), pupils=selectors.pupils_for_advice(school))
    return _form_page(
        request,
        form,
        lambda data: services.record_advice(
            school=school,
            pupils=selectors.pupils_of(school, data.get("pupils") or []),
            kind=data["kind"],
            given_on=data["given_on"],
            given_by=data["given_by"],
            advice=data["advice"],
            acting_user=request.user,
        ),
        title="Record advice",
        done="The advice is recorded.",
        back=("triage:school-advice", school.pk),
        intro=f"Support for {school.name} that needed no money. Pupils are shown by the school's reference.",
        button="Record the advice",
    )


# Shared resources


@signed_in("resources_for")
def resources(request):
    return render(
        request,
        "triage/resources.html",
        {
            "page_title": "Resources schools share",
            "resources": selectors.resources_for(request.user),
            "own_schools": {school.pk for school in selectors.own_schools(request.user)},
        },
    )


@signed_in("can_share_resources_of_school")
@require_http_methods(["GET", "POST"])
def share(request, school_pk):
    school = _school_for(request, school_pk)
    allow_or_404(permissions.can_share_resources_of_school(request.user, school))
    return _form_page(
        request,
        ShareResourceForm(_posted(request)),
        lambda data: services.share_resource(school=school, acting_user=request.user, **data),
        title="Share a resource",
        done="The resource is listed for the other schools in your cluster.",
        back=("triage:resources",),
        intro=f"Something {school.name} can lend or offer to the other schools in its cluster.",
        button="Share it",
    )


def _resource_for(request, pk):
    resource = selectors.resources_for(request.user).filter(pk=pk).first()
    allow_or_404(resource is not None)
    return resource


@signed_in("can_share_resources_of_school")
@require_http_methods(["GET", "POST"])
def ask_for_resource(request, pk):
    resource = _resource_for(request, pk)
    schools = [s for s in selectors.own_schools(request.user) if s.pk != resource.school_id]
    allow_or_403(bool(schools))
    return _form_page(
        request,
        AskForResourceForm(_posted(request)),
        lambda data: services.ask_for_resource(
            resource=resource, school=schools[0], note=data["note"], acting_user=request.user
        ),
        title=f"Ask for {resource.title}",
        done=f"Your request has gone to {resource.school.name}.",
        back=("triage:resources",),
        intro=resource.description,
        button="Send the request",
    )


@signed_in("can_share_resources_of_school")
@require_POST
def answer_resource_request(request, pk, request_pk):
    resource = _resource_for(request, pk)
    asked = get_object_or_404(resource.requests.all(), pk=request_pk)
    allow_or_403(permissions.can_share_resources_of_school(request.user, resource.school))
    try:
        services.answer_resource_request(
            resource_request=asked, agree=request.POST.get("answer") == "agree", acting_user=request.user
        )
    except services.TriageError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Your answer has gone to {asked.school.name}.")
    return redirect("triage:resources")


@signed_in("can_share_resources_of_school")
@require_POST
def stop_sharing(request, pk):
    resource = _resource_for(request, pk)
    allow_or_403(permissions.can_share_resources_of_school(request.user, resource.school))
    services.stop_sharing(resource=resource, acting_user=request.user)
    messages.success(request, f"{resource.title} is no longer offered.")
    return redirect("triage:resources")


# Interests


@signed_in("can_declare_interest")
@require_http_methods(["GET", "POST"])
def interests(request):
    form = InterestForm(_posted(request), schools=selectors.schools_for_interests(request.user))
    schools = {s.pk: s for s in selectors.schools_for_interests(request.user)}
    return _form_page(
        request,
        form,
        lambda data: services.declare_interest(
            person=request.user,
            school=schools[data["school"]],
            description=data["description"],
            acting_user=request.user,
        ),
        title="Your interests",
        done="Your interest is declared.",
        back=("triage:interests",),
        template="triage/interests.html",
        button="Declare the interest",
        interests=selectors.interests_of(request.user),
    )


@signed_in("can_declare_interest")
@require_POST
def withdraw_interest(request, pk):
    interest = get_object_or_404(selectors.interests_of(request.user), pk=pk)
    try:
        services.withdraw_interest(interest=interest, acting_user=request.user)
    except services.TriageError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Your interest in {interest.school.name} is withdrawn.")
    return redirect("triage:interests")


# The scheme's rules for triage


@signed_in("can_view_scheme")
@require_http_methods(["GET", "POST"])
def scheme(request, council_slug):
    """The council's guidelines, blind papers and moderation spread, and the criteria requests are scored
    against."""
    council = get_object_or_404(councils_visible_to(request.user), slug=council_slug)
    allow_or_404(permissions.can_view_scheme(request.user, council))
    can_manage = permissions.can_manage_scheme(request.user, council)
    scheme_form = SchemeForm(
        request.POST if "scheme" in request.POST else None,
        initial={
            "guidelines": council.triage_guidelines,
            "blind_papers": council.blind_papers,
            "moderation_spread": council.moderation_spread,
        },
    )
    criterion_form = CriterionForm(request.POST if "criterion" in request.POST else None)
    if request.method == "POST":
        allow_or_403(can_manage)
        try:
            if scheme_form.is_bound and scheme_form.is_valid():
                services.change_scheme(council=council, acting_user=request.user, **scheme_form.cleaned_data)
                messages.success(request, "The scheme's rules for triage are saved.")
                return redirect("triage:scheme", council.slug)
            if criterion_form.is_bound and criterion_form.is_valid():
                data = criterion_form.cleaned_data
                services.add_criterion(
                    council=council,
                    name=data["name"],
                    guidance=data["guidance"],
                    descriptors=data["descriptors"].splitlines(),
                    acting_user=request.user,
                )
                messages.success(request, f"{data['name']} is added to the criteria.")
                return redirect("triage:scheme", council.slug)
        except services.TriageError as error:
            apply_errors(scheme_form if scheme_form.is_bound else criterion_form, error)
    return render(
        request,
        "triage/scheme.html",
        {
            "page_title": "Triage: guidelines and criteria",
            "council": council,
            "scheme_form": scheme_form,
            "criterion_form": criterion_form,
            "criteria": selectors.criteria_of(council),
            "can_manage": can_manage,
        },
    )


@signed_in("can_manage_scheme")
@require_POST
def retire_criterion(request, council_slug, criterion_pk):
    council = get_object_or_404(councils_visible_to(request.user), slug=council_slug)
    allow_or_404(permissions.can_view_scheme(request.user, council))
    allow_or_403(permissions.can_manage_scheme(request.user, council))
    criterion = get_object_or_404(selectors.criteria_of_queryset(council), pk=criterion_pk)
    services.retire_criterion(criterion=criterion, acting_user=request.user)
    messages.success(request, f"{criterion.name} is no longer scored.")
    return redirect("triage:scheme", council.slug)
