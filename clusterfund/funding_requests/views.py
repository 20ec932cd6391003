"""The request pages: lists, the task-list form a part at a time, check your answers, submit, change by a
new version, joint schools, attachments, history and withdrawal. Every write goes through the services."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from clusterfund.core.access import allow_or_403, allow_or_404, signed_in
from clusterfund.core.errors import apply_errors
from clusterfund.delivery import permissions as delivery_permissions
from clusterfund.delivery import selectors as delivery_selectors
from clusterfund.funding_requests import attachments, permissions, selectors, services
from clusterfund.funding_requests.forms import (
    TYPE_HINTS,
    AnswerInvitationForm,
    ApproachForm,
    AttachmentForm,
    BenefitForm,
    ConsentForm,
    ContingencyNeedForm,
    DatesForm,
    InviteSchoolForm,
    NeedForm,
    OutcomeForm,
    ProvisionLineForm,
    PupilsForm,
    RequestFilterForm,
    StartRequestForm,
    WithdrawForm,
)
from clusterfund.funding_requests.lifecycle import RequestStatus, StateTransitionError, next_steps
from clusterfund.organisations.selectors import clusters_visible_to, schools_visible_to, years_visible_to
from clusterfund.triage import papers
from clusterfund.triage import permissions as triage_permissions
from clusterfund.triage import selectors as triage_selectors

PAGE_SIZE = 25
CHECKABLE = (RequestStatus.DRAFT, RequestStatus.MORE_INFORMATION_NEEDED)
TASKS = {
    "need": ("About the need", "funding_requests:need"),
    "pupils": ("Pupils", "funding_requests:pupils"),
    "benefit": ("Who benefits", "funding_requests:benefit"),
    "approach": ("The graduated approach so far", "funding_requests:approach"),
    "outcomes": ("Outcomes", "funding_requests:outcomes"),
    "provision": ("Costed provision and dates", "funding_requests:provision"),
    "consent": ("Parent or carer agreement", "funding_requests:consent"),
}


def _request_for(request, pk):
    """The request if the person may see it; anything else is simply not found. When papers are blind,
    a person with an interest in the school does not see its requests at all."""
    funding_request = selectors.request_for_page(request.user, pk)
    allow_or_404(
        funding_request is not None and triage_permissions.can_read_request(request.user, funding_request)
    )
    return funding_request


def _changeable_request_for(request, pk):
    funding_request = _request_for(request, pk)
    allow_or_403(permissions.can_change_request(request.user, funding_request))
    return funding_request


def _apply_errors(form, error: services.RequestError) -> None:
    if isinstance(error, services.ChangeRefused):
        # Each thing the change would have left wrong is its own line of the error summary.
        form.add_error(None, error.lead)
        for problem in error.problems:
            form.add_error(None, problem)
    else:
        apply_errors(form, error)


def _saved(request, funding_request, version_before: int):
    """Back to where the person came from (the request, or check your answers) once a part is saved. After
    submission, say whether the change made a new version."""
    funding_request.refresh_from_db(fields=["version", "status"])
    if not funding_request.is_draft:
        if funding_request.version != version_before:
            messages.success(request, f"Change saved. The request is now version {funding_request.version}.")
        else:
            messages.success(request, "Nothing was different, so no new version was made.")
    if request.GET.get("from") == "check" and funding_request.status in CHECKABLE:
        return redirect("funding_requests:check", funding_request.pk)
    return redirect("funding_requests:request", funding_request.pk)


def _part(
    request, funding_request, form, save, *, title: str, template="funding_requests/part.html", **context
):
    """Show a part of the form; on a valid POST, save it through the service and go back to the request."""
    if request.method == "POST" and form.is_valid():
        version_before = funding_request.version
        try:
            save(form.cleaned_data)
        except services.RequestError as error:
            _apply_errors(form, error)
        else:
            return _saved(request, funding_request, version_before)
    return render(
        request,
        template,
        {"page_title": title, "funding_request": funding_request, "form": form, **context},
    )


def _remove(request, remove, *, done: str, back_to: tuple):
    """Take something off a request (a POST from a Remove button) and go back to the list it was on."""
    try:
        remove()
    except services.RequestError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect(*back_to)


# Lists


def _list(request, requests, *, title: str, template_context: dict):
    form = RequestFilterForm(request.GET or None, years=years_visible_to(request.user))
    page = Paginator(requests(**form.filters()), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "funding_requests/list.html",
        {
            "page_title": title,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "blind": triage_permissions.blind_ids(request.user, page.object_list),
            **template_context,
        },
    )


@signed_in("requests_visible_to")
def all_requests(request):
    """Every request the person may see: their schools', their clusters' and their council's."""
    visible = selectors.requests_visible_to(request.user)
    return _list(
        request,
        lambda **filters: selectors.filter_requests(visible, **filters),
        title="Requests",
        template_context={"show_school": True},
    )


@signed_in("can_view_request")
def school_requests(request, school_pk):
    school = get_object_or_404(schools_visible_to(request.user), pk=school_pk)
    allow_or_404(permissions.can_write_requests_for_school(request.user, school))
    return _list(
        request,
        lambda **filters: selectors.requests_of_school(request.user, school, **filters),
        title=f"Requests from {school.name}",
        template_context={"school": school, "show_school": False},
    )


@signed_in("can_view_request")
def cluster_requests(request, cluster_pk):
    cluster = get_object_or_404(clusters_visible_to(request.user), pk=cluster_pk)
    allow_or_404(permissions.can_see_cluster_requests(request.user, cluster))
    return _list(
        request,
        lambda **filters: selectors.requests_of_cluster(request.user, cluster, **filters),
        title=f"Requests to {cluster.name}",
        template_context={"cluster": cluster, "show_school": True},
    )


# Starting and showing a request


@signed_in("can_write_requests_for_school")
@require_http_methods(["GET", "POST"])
def start_request(request, school_pk):
    school = get_object_or_404(schools_visible_to(request.user), pk=school_pk)
    allow_or_404(permissions.can_write_requests_for_school(request.user, school))
    form = StartRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            funding_request = services.start_request(
                school=school,
                request_type=form.cleaned_data["request_type"],
                title=form.cleaned_data["title"],
                acting_user=request.user,
            )
        except services.RequestError as error:
            form.add_error(None, str(error))
        else:
            return redirect("funding_requests:request", funding_request.pk)
    return render(
        request,
        "funding_requests/start.html",
        {
            "page_title": "Start a request",
            "form": form,
            "school": school,
            "type_hints": TYPE_HINTS,
            "on_paper": not permissions.is_staff_of_school(request.user, school),
        },
    )


def _summary_context(request, funding_request) -> dict:
    return {
        "funding_request": funding_request,
        "pupils": selectors.pupils_of(funding_request),
        "outcomes": selectors.outcomes_of(funding_request),
        "lines": list(selectors.provision_of(funding_request)),
        "joint_schools": selectors.joint_schools_of(funding_request),
        "attachments": selectors.attachments_of(funding_request),
        "benefiting_schools": funding_request.benefiting_schools.order_by("name"),
        "tasks": services.task_status(funding_request),
        "task_names": TASKS,
    }


@signed_in("can_view_request")
def request_detail(request, pk):
    """A draft shows its task list to the school writing it; otherwise the request in full."""
    funding_request = _request_for(request, pk)
    can_change = permissions.can_change_request(request.user, funding_request)
    context = _summary_context(request, funding_request)
    roles = permissions.roles_for_request(request.user, funding_request)
    context.update(
        {
            "page_title": funding_request.title,
            "can_change": can_change,
            "can_withdraw": any(
                step.target == RequestStatus.WITHDRAWN for step in next_steps(funding_request.status, roles)
            ),
            "invitation": selectors.invitation_for(request.user, funding_request),
            "problems": services.problems_before_submission(funding_request)
            if funding_request.is_draft
            else [],
            "open_questions": triage_selectors.open_questions(funding_request),
            "days_waiting": triage_selectors.days_waiting,
            "can_see_triage": triage_permissions.can_see_triage(request.user, funding_request),
            "can_record_delivery": delivery_permissions.can_record_delivery(request.user, funding_request),
            "can_review": delivery_permissions.can_review(request.user, funding_request),
            "delivery": delivery_selectors.delivery_of(funding_request),
            "reviews": delivery_selectors.reviews_of(funding_request),
            "today": timezone.localdate(),
        }
    )
    services.record_request_viewed(funding_request=funding_request, acting_user=request.user)
    if triage_permissions.sees_blind(request.user, funding_request):
        return render(
            request,
            "triage/paper.html",
            {
                "page_title": f"Paper {funding_request.reference}",
                "paper": papers.paper_for(funding_request),
                "funding_request": funding_request,
                "can_reword": False,
                "can_see_triage": context["can_see_triage"],
            },
        )
    template = "task_list" if funding_request.is_draft and can_change else "request"
    return render(request, f"funding_requests/{template}.html", context)


@signed_in("can_change_request")
@require_http_methods(["GET", "POST"])
def check_answers(request, pk):
    funding_request = _changeable_request_for(request, pk)
    allow_or_404(funding_request.status in CHECKABLE)
    problems = services.problems_before_submission(funding_request)
    if request.method == "POST":
        try:
            services.submit_request(funding_request=funding_request, acting_user=request.user)
        except services.RequestIncomplete as incomplete:
            problems = incomplete.problems
        except services.RequestError as error:
            problems = [str(error)]
        else:
            return redirect("funding_requests:submitted", funding_request.pk)
    context = _summary_context(request, funding_request)
    context.update(
        {
            "page_title": "Check your answers before submitting",
            "problems": problems,
            "can_change": True,
            "change_query": "?from=check",
        }
    )
    return render(request, "funding_requests/check_answers.html", context)


@signed_in("can_view_request")
def submitted(request, pk):
    funding_request = _request_for(request, pk)
    allow_or_404(funding_request.status not in (RequestStatus.DRAFT,))
    return render(
        request,
        "funding_requests/submitted.html",
        {"page_title": "Request submitted", "funding_request": funding_request},
    )


@signed_in("can_view_request")
def history(request, pk):
    funding_request = _request_for(request, pk)
    allow_or_404(not triage_permissions.sees_blind(request.user, funding_request))  # versions name people
    return render(
        request,
        "funding_requests/history.html",
        {
            "page_title": "History of the request",
            "funding_request": funding_request,
            "versions": selectors.versions_of(funding_request),
            "status_changes": selectors.status_changes_of(funding_request),
            "questions": triage_selectors.information_requests_of(funding_request),
            "advice": triage_selectors.advice_of_request(funding_request),
        },
    )


@signed_in("can_withdraw_request")
@require_http_methods(["GET", "POST"])
def withdraw(request, pk):
    funding_request = _request_for(request, pk)
    roles = permissions.roles_for_request(request.user, funding_request)
    allow_or_403(
        any(step.target == RequestStatus.WITHDRAWN for step in next_steps(funding_request.status, roles))
    )
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_request(
                funding_request=funding_request, reason=form.cleaned_data["reason"], acting_user=request.user
            )
        except services.RequestError as error:
            _apply_errors(form, error)
        except StateTransitionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Request {funding_request.reference} withdrawn")
            return redirect("funding_requests:request", funding_request.pk)
    return render(
        request,
        "funding_requests/withdraw.html",
        {"page_title": "Withdraw the request", "funding_request": funding_request, "form": form},
    )


# The parts of the form


@signed_in("can_change_request")
@require_http_methods(["GET", "POST"])
def need(request, pk):
    fr = _changeable_request_for(request, pk)
    initial = {
        "title": fr.title,
        "need": fr.need,
        "primary_area": fr.primary_area,
        "other_areas": fr.other_areas,
        "to_city_meeting": str(fr.to_city_meeting),
    }
    city = fr.request_type == "contingency" and services.has_city_pool(fr.council)
    form = (ContingencyNeedForm if city else NeedForm)(request.POST or None, initial=initial)
    return _part(
        request,
        fr,
        form,
        lambda data: services.change_about_the_need(funding_request=fr, acting_user=request.user, **data),
        title="About the need",
    )


@signed_in("can_change_request")
@require_http_methods(["GET", "POST"])
def approach(request, pk):
    fr = _changeable_request_for(request, pk)
    names = ["assessed", "planned", "done", "reviewed", "advice_received"]
    form = ApproachForm(request.POST or None, initial={name: getattr(fr, name) for name in names})
    return _part(
        request,
        fr,
        form,
        lambda data: services.change_graduated_approach(funding_request=fr, acting_user=request.user, **data),
        title="The graduated approach so far",
    )


@signed_in("can_change_request")
@require_http_methods(["GET", "POST"])
def pupils(request, pk):
    fr = _changeable_request_for(request, pk)
    allow_or_404(fr.names_pupils or fr.request_type == "advice")
    school = fr.lead_school
    own = [pupil.pk for pupil in selectors.pupils_of(fr) if pupil.school_id == school.pk]
    form = PupilsForm(
        request.POST or None,
        initial={"pupils": own},
        pupils=selectors.pupils_to_choose(fr, school),
        just_one=fr.request_type == "individual",
        with_consent=fr.needs_consent and not fr.is_draft,
    )

    def save(data):
        had_consent = fr.consent_date is not None
        changed = services.choose_pupils(
            funding_request=fr,
            pupils=data["pupils"],
            consent_date=data.get("consent_date"),
            consent_method=data.get("consent_method") or "",
            acting_user=request.user,
        )
        if had_consent and changed.consent_date is None:
            messages.info(
                request,
                "You added a pupil, so record the parent's or carer's agreement again for the new pupils",
            )

    return _part(
        request,
        fr,
        form,
        save,
        title="Pupils",
        template="funding_requests/pupils.html",
        school=school,
        adds_pupils=permissions.is_staff_of_school(request.user, school),
    )


@signed_in("can_change_request")
@require_http_methods(["GET", "POST"])
def benefit(request, pk):
    fr = _changeable_request_for(request, pk)
    allow_or_404(fr.request_type == "project")
    initial = {
        "children_benefiting": fr.children_benefiting,
        "benefiting_schools": [school.pk for school in fr.benefiting_schools.all()],
    }
    form = BenefitForm(request.POST or None, initial=initial, schools=selectors.cluster_schools(fr))
    return _part(
        request,
        fr,
        form,
        lambda data: services.change_who_benefits(funding_request=fr, acting_user=request.user, **data),
        title="Who benefits",
    )


@signed_in("can_change_request")
@require_http_methods(["GET", "POST"])
def consent(request, pk):
    fr = _changeable_request_for(request, pk)
    allow_or_404(fr.needs_consent)
    initial = {"consent_date": fr.consent_date, "consent_method": fr.consent_method}
    form = ConsentForm(request.POST or None, initial=initial)
    return _part(
        request,
        fr,
        form,
        lambda data: services.record_consent(funding_request=fr, acting_user=request.user, **data),
        title="Parent or carer agreement",
        template="funding_requests/consent.html",
    )


@signed_in("can_change_request")
def outcomes(request, pk):
    fr = _changeable_request_for(request, pk)
    allow_or_404(fr.asks_for_money)
    return render(
        request,
        "funding_requests/outcomes.html",
        {"page_title": "Outcomes", "funding_request": fr, "outcomes": selectors.outcomes_of(fr)},
    )


@signed_in("can_change_request")
@require_http_methods(["GET", "POST"])
def add_outcome(request, pk):
    fr = _changeable_request_for(request, pk)
    allow_or_404(fr.asks_for_money)
    form = OutcomeForm(request.POST or None)
    return _part(
        request,
        fr,
        form,
        lambda data: services.add_outcome(funding_request=fr, acting_user=request.user, **data),
        title="Add an outcome",
    )


def _outcome_for(request, pk, outcome_pk):
    fr = _changeable_request_for(request, pk)
    return fr, get_object_or_404(selectors.outcomes_of(fr), pk=outcome_pk)


@signed_in("can_change_request")
@require_http_methods(["GET", "POST"])
def change_outcome(request, pk, outcome_pk):
    fr, outcome = _outcome_for(request, pk, outcome_pk)
    initial = {"what": outcome.what, "by_when": outcome.by_when, "how_measured": outcome.how_measured}
    form = OutcomeForm(request.POST or None, initial=initial)
    return _part(
        request,
        fr,
        form,
        lambda data: services.change_outcome(outcome=outcome, acting_user=request.user, **data),
        title="Change an outcome",
    )


@signed_in("can_change_request")
@require_POST
def remove_outcome(request, pk, outcome_pk):
    fr, outcome = _outcome_for(request, pk, outcome_pk)
    return _remove(
        request,
        lambda: services.remove_outcome(outcome=outcome, acting_user=request.user),
        done="Outcome removed",
        back_to=("funding_requests:outcomes", fr.pk),
    )


@signed_in("can_change_request")
def provision(request, pk):
    fr = _changeable_request_for(request, pk)
    allow_or_404(fr.asks_for_money)
    lines = list(selectors.provision_of(fr))
    return render(
        request,
        "funding_requests/provision.html",
        {
            "page_title": "Costed provision and dates",
            "funding_request": fr,
            "lines": lines,
            "total": sum(line.total_pence for line in lines),
        },
    )


@signed_in("can_change_request")
@require_http_methods(["GET", "POST"])
def dates(request, pk):
    fr = _changeable_request_for(request, pk)
    allow_or_404(fr.asks_for_money)
    form = DatesForm(request.POST or None, initial={"start_date": fr.start_date, "end_date": fr.end_date})
    return _part(
        request,
        fr,
        form,
        lambda data: services.change_dates(funding_request=fr, acting_user=request.user, **data),
        title="When the support would run",
    )


def _line_data(data) -> dict:
    return {
        "what": data["what"],
        "provider": data["provider"],
        "units": data["units"],
        "unit_cost_pence": data["unit_cost"],
        "term": data["term"],
    }


@signed_in("can_change_request")
@require_http_methods(["GET", "POST"])
def add_line(request, pk):
    fr = _changeable_request_for(request, pk)
    allow_or_404(fr.asks_for_money)
    form = ProvisionLineForm(request.POST or None, terms=selectors.terms_of(fr))
    return _part(
        request,
        fr,
        form,
        lambda data: services.add_provision_line(
            funding_request=fr, acting_user=request.user, **_line_data(data)
        ),
        title="Add a line of provision",
    )


def _line_for(request, pk, line_pk):
    fr = _changeable_request_for(request, pk)
    return fr, get_object_or_404(selectors.provision_of(fr), pk=line_pk)


@signed_in("can_change_request")
@require_http_methods(["GET", "POST"])
def change_line(request, pk, line_pk):
    fr, line = _line_for(request, pk, line_pk)
    initial = {
        "what": line.what,
        "provider": line.provider,
        "units": line.units_text,
        "unit_cost": line.unit_cost_pence,
        "term": line.term_id,
    }
    form = ProvisionLineForm(request.POST or None, initial=initial, terms=selectors.terms_of(fr))
    return _part(
        request,
        fr,
        form,
        lambda data: services.change_provision_line(line=line, acting_user=request.user, **_line_data(data)),
        title="Change a line of provision",
    )


@signed_in("can_change_request")
@require_POST
def remove_line(request, pk, line_pk):
    fr, line = _line_for(request, pk, line_pk)
    return _remove(
        request,
        lambda: services.remove_provision_line(line=line, acting_user=request.user),
        done=f"{line.what} removed",
        back_to=("funding_requests:provision", fr.pk),
    )


# Joint requests


@signed_in("can_change_request")
@require_http_methods(["GET", "POST"])
def joint_schools(request, pk):
    fr = _changeable_request_for(request, pk)
    allow_or_404(fr.is_draft and fr.request_type in ("group", "project"))
    form = InviteSchoolForm(request.POST or None, schools=selectors.schools_to_invite(fr))
    if request.method == "POST" and form.is_valid():
        try:
            services.invite_school(
                funding_request=fr, school=form.cleaned_data["school"], acting_user=request.user
            )
        except services.RequestError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"{form.cleaned_data['school'].name} invited to join the request")
            return redirect("funding_requests:joint-schools", fr.pk)
    return render(
        request,
        "funding_requests/joint_schools.html",
        {
            "page_title": "Schools joining the request",
            "funding_request": fr,
            "form": form,
            "joint_schools": selectors.joint_schools_of(fr),
        },
    )


@signed_in("can_change_request")
@require_POST
def withdraw_invitation(request, pk, joint_pk):
    fr = _changeable_request_for(request, pk)
    joint = get_object_or_404(selectors.joint_schools_of(fr), pk=joint_pk)
    return _remove(
        request,
        lambda: services.withdraw_invitation(joint_school=joint, acting_user=request.user),
        done=f"{joint.school.name} taken off the request",
        back_to=("funding_requests:joint-schools", fr.pk),
    )


@signed_in("can_answer_invitation")
@require_http_methods(["GET", "POST"])
def answer_invitation(request, pk):
    fr = _request_for(request, pk)
    invitation = selectors.invitation_for(request.user, fr)
    allow_or_404(invitation is not None)
    if not fr.is_draft:
        # The school's part was settled when the request was submitted (or withdrawn): say so.
        return render(
            request,
            "funding_requests/invitation_closed.html",
            {
                "page_title": "Your school's part can no longer be changed",
                "funding_request": fr,
                "invitation": invitation,
                "reason": services.why_invitation_is_closed(fr),
            },
            status=403,
        )
    allow_or_403(permissions.can_answer_invitation(request.user, invitation))
    own = [pupil.pk for pupil in selectors.pupils_of(fr) if pupil.school_id == invitation.school_id]
    form = AnswerInvitationForm(
        request.POST or None,
        initial={
            "part": invitation.part,
            "pupils": own,
            "consent_date": invitation.consent_date,
            "consent_method": invitation.consent_method,
        },
        pupils=selectors.pupils_to_choose(fr, invitation.school),
        names_pupils=fr.request_type == "group",
    )
    if request.method == "POST" and form.is_valid():
        confirm = form.cleaned_data["answer"] == "confirm"
        try:
            services.answer_invitation(
                joint_school=invitation,
                confirm=confirm,
                part=form.cleaned_data["part"],
                pupils=form.cleaned_data["pupils"],
                consent_date=form.cleaned_data.get("consent_date"),
                consent_method=form.cleaned_data.get("consent_method") or "",
                acting_user=request.user,
            )
        except services.RequestError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request, "You confirmed your school's part" if confirm else "You declined the invitation"
            )
            return redirect("funding_requests:request", fr.pk)
    return render(
        request,
        "funding_requests/answer_invitation.html",
        {"page_title": "Join this request?", "funding_request": fr, "form": form, "invitation": invitation},
    )


# Attachments


@signed_in("can_change_request")
@require_http_methods(["GET", "POST"])
def attachments_page(request, pk):
    fr = _changeable_request_for(request, pk)
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["upload"]
        try:
            kind = attachments.check_upload(upload)
            services.add_attachment(
                funding_request=fr,
                upload=upload,
                kind=kind,
                description=form.cleaned_data["description"],
                is_anonymised=form.cleaned_data["is_anonymised"],
                acting_user=request.user,
            )
        except attachments.UploadRefused as refused:
            form.add_error("upload", str(refused))
        except services.RequestError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"{upload.name} uploaded")
            return redirect("funding_requests:attachments", fr.pk)
    return render(
        request,
        "funding_requests/attachments.html",
        {
            "page_title": "Supporting documents",
            "funding_request": fr,
            "form": form,
            "attachments": selectors.attachments_of(fr),
        },
    )


@signed_in("can_change_request")
@require_POST
def remove_attachment(request, pk, token):
    fr = _changeable_request_for(request, pk)
    attachment = get_object_or_404(selectors.attachments_of(fr), token=token)
    return _remove(
        request,
        lambda: services.remove_attachment(attachment=attachment, acting_user=request.user),
        done=f"{attachment.original_name} removed",
        back_to=("funding_requests:attachments", fr.pk),
    )


@signed_in("can_see_attachment")
def download_attachment(request, token):
    attachment = selectors.attachment_for(request.user, token)
    allow_or_404(attachment is not None and permissions.can_see_attachment(request.user, attachment))
    blind = triage_permissions.sees_blind(request.user, attachment.funding_request)
    allow_or_404(attachment.is_anonymised or not blind)
    services.record_attachment_downloaded(attachment=attachment, acting_user=request.user)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        # A blind reader gets a name that says nothing about the school or pupil.
        filename=attachment.neutral_name if blind else attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
