"""The annual review's pages: a cluster's review (opening, answering, closing, the results, the changes
decided for next year), the council's questions, and the year reports of a cluster and of the council, as
pages and PDFs."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from clusterfund.core.access import allow_or_403, allow_or_404, signed_in
from clusterfund.core.charts import chart_download
from clusterfund.core.errors import apply_errors
from clusterfund.core.pdf import pdf_response, render_pdf
from clusterfund.organisations.selectors import clusters_visible_to, councils_visible_to
from clusterfund.reports import permissions, report, survey
from clusterfund.reports.forms import ActionForm, QuestionForm, SurveyForm


def _posted(request):
    return request.POST if request.method == "POST" else None


def _cluster_and_year(request, cluster_pk, start_year):
    """The cluster and the year, for those who may see the cluster's annual review; anyone else 404."""
    cluster = get_object_or_404(clusters_visible_to(request.user), pk=cluster_pk)
    allow_or_404(permissions.can_view_annual_review(request.user, cluster))
    academic_year = survey.year_of(cluster.council, start_year)
    allow_or_404(academic_year is not None)
    return cluster, academic_year


def _review_for(request, cluster_pk, start_year):
    """The cluster's opened review of the year, or 404."""
    cluster, academic_year = _cluster_and_year(request, cluster_pk, start_year)
    review = survey.review_of(cluster, academic_year)
    allow_or_404(review is not None)
    return review


def _review_url(review) -> str:
    return reverse("review:review", args=[review.cluster_id, review.academic_year.start_year])


def _title(cluster, academic_year) -> str:
    return f"Annual review {academic_year.name}, {cluster.name}"


def _form_page(request, form, save, *, title, done, back, intro="", button="Save", caption=""):
    """A form saved by `save(cleaned_data)`, refused in the form's own words; back to `back` when done."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except survey.ReviewError as error:
            apply_errors(form, error)
        else:
            messages.success(request, done)
            return redirect(back)
    return render(
        request,
        "reports/review/form_page.html",
        {
            "page_title": title,
            "caption": caption,
            "intro": intro,
            "form": form,
            "button": button,
            "back_link": {"href": back, "text": "Back"},
        },
    )


def _refused(request, error, back):
    """A refused button press: said at the top of the page it came from."""
    messages.error(request, str(error))
    return redirect(back)


# A cluster's review --------------------------------------------------------------------------------------


@signed_in("can_view_annual_review")
def review(request, cluster_pk, start_year):
    """Where the review stands: for its admins, who has answered, and the buttons to open and close it; for
    those it asks, the link to their answer."""
    cluster, academic_year = _cluster_and_year(request, cluster_pk, start_year)
    the_review = survey.review_of(cluster, academic_year)
    manages = permissions.can_manage_annual_review(request.user, cluster)
    invitations = survey.invitations_of(the_review) if the_review else []
    own = [invitation for invitation in invitations if survey.answers_for_self(request.user, invitation)]
    # The admins key in only answers the invitee has not given themself.
    keyable = {
        invitation.pk for invitation in invitations if manages and survey.may_answer(request.user, invitation)
    }
    return render(
        request,
        "reports/review/review.html",
        {
            "page_title": _title(cluster, academic_year),
            "cluster": cluster,
            "academic_year": academic_year,
            "review": the_review,
            "manages": manages,
            "may_open": manages and the_review is None and survey.may_open(cluster, academic_year),
            "invitations": invitations if manages else [],
            "keyable": keyable,
            "own": own,
            "answered": sum(invitation.answered_at is not None for invitation in invitations),
            "invited": len(invitations),
            "questions": survey.survey_questions(the_review) if the_review else [],
            "sees_report": permissions.can_view_year_report(request.user, cluster),
            "actions": survey.actions_of([the_review]) if the_review else [],
        },
    )


@signed_in("can_manage_annual_review")
@require_POST
def open_review(request, cluster_pk, start_year):
    cluster, academic_year = _cluster_and_year(request, cluster_pk, start_year)
    allow_or_403(permissions.can_manage_annual_review(request.user, cluster))
    back = reverse("review:review", args=[cluster.pk, start_year])
    try:
        survey.open_annual_review(cluster=cluster, academic_year=academic_year, acting_user=request.user)
    except survey.ReviewError as error:
        return _refused(request, error, back)
    messages.success(
        request, "The annual review is open. Every member school and team member has been emailed."
    )
    return redirect(back)


@signed_in("can_manage_annual_review")
@require_POST
def close_review(request, cluster_pk, start_year):
    the_review = _review_for(request, cluster_pk, start_year)
    allow_or_403(permissions.can_manage_annual_review(request.user, the_review.cluster))
    try:
        survey.close_annual_review(review=the_review, acting_user=request.user)
    except survey.ReviewError as error:
        return _refused(request, error, _review_url(the_review))
    messages.success(request, "The annual review is closed. Its results are in the year report.")
    return redirect(_review_url(the_review))


@signed_in("can_answer_for_school")
@require_http_methods(["GET", "POST"])
def answer(request, cluster_pk, start_year, invitation_pk):
    """The survey, for a school (any of its staff), a team member, or an admin keying in a paper answer.
    Answers can be changed until the review closes. Another school's or team member's invitation does not
    exist for the person (404); an admin may not open an answer the invitee gave themself (403)."""
    the_review = _review_for(request, cluster_pk, start_year)
    invitation = survey.invitation_of(the_review, invitation_pk)
    allow_or_404(invitation is not None and survey.may_see_invitation(request.user, invitation))
    if not the_review.is_open:
        messages.error(request, "The annual review is closed: answers can no longer be changed.")
        return redirect(_review_url(the_review))
    allow_or_403(survey.may_answer(request.user, invitation))
    questions = survey.survey_questions(the_review)
    given = survey.answers_of(invitation)
    initial = {}
    for question in questions:
        if question.pk in given:
            initial[f"score_{question.pk}"] = given[question.pk].score
            initial[f"comment_{question.pk}"] = given[question.pk].comment
    own = survey.answers_for_self(request.user, invitation)
    if not own:
        whose = "the school's name" if invitation.is_school else "the team member's name"
    else:
        whose = "your school's name" if invitation.is_school else "your name"
    form = SurveyForm(_posted(request), questions=questions, initial=initial, whose=whose)
    if own:
        who = invitation.school.name if invitation.is_school else "you"
        intro = f"One answer for {who}. You can change it until the review closes."
    else:
        intro = (
            f"Keying in the answer {invitation.name} gave on paper or by email. The results will say it was "
            "keyed in."
        )
    return _form_page(
        request,
        form,
        lambda data: survey.answer_survey(
            invitation=invitation, answers=form.answers(), acting_user=request.user
        ),
        title=f"Annual review: {invitation.name}",
        caption=_title(the_review.cluster, the_review.academic_year),
        intro=intro,
        done="Your answers are saved. Thank you." if own else f"The answer from {invitation.name} is saved.",
        back=_review_url(the_review),
        button="Save the answers",
    )


@signed_in("can_view_year_report")
def results(request, cluster_pk, start_year):
    """The survey's results so far; comments for admins only."""
    the_review = _review_for(request, cluster_pk, start_year)
    cluster = the_review.cluster
    allow_or_404(permissions.can_view_year_report(request.user, cluster))
    with_comments = permissions.can_read_survey_comments(request.user, cluster)
    return render(
        request,
        "reports/review/results.html",
        {
            "page_title": f"Survey results {the_review.academic_year.name}, {cluster.name}",
            "review": the_review,
            "results": survey.survey_results([the_review], with_comments=with_comments),
        },
    )


@signed_in("can_manage_annual_review")
@require_http_methods(["GET", "POST"])
def add_action(request, cluster_pk, start_year):
    """Record a change decided for next year, with its owner and due date."""
    the_review = _review_for(request, cluster_pk, start_year)
    allow_or_403(permissions.can_manage_annual_review(request.user, the_review.cluster))
    return _form_page(
        request,
        ActionForm(_posted(request)),
        lambda data: survey.add_review_action(review=the_review, acting_user=request.user, **data),
        title="Record a change for next year",
        caption=_title(the_review.cluster, the_review.academic_year),
        intro="A change the annual review decided, who owns it and when it is due.",
        done="The change is recorded.",
        back=reverse("review:cluster_report", args=[cluster_pk, start_year]),
        button="Record the change",
    )


@signed_in("can_manage_annual_review")
@require_POST
def complete_action(request, cluster_pk, start_year, action_pk):
    the_review = _review_for(request, cluster_pk, start_year)
    allow_or_403(permissions.can_manage_annual_review(request.user, the_review.cluster))
    action = survey.action_of(the_review, action_pk)
    allow_or_404(action is not None)
    back = reverse("review:cluster_report", args=[cluster_pk, start_year])
    try:
        survey.complete_review_action(action=action, acting_user=request.user)
    except survey.ReviewError as error:
        return _refused(request, error, back)
    messages.success(request, "The change is marked as done.")
    return redirect(back)


# The council's questions --------------------------------------------------------------------------------


def _council_for(request, council_slug):
    council = get_object_or_404(councils_visible_to(request.user), slug=council_slug)
    allow_or_404(permissions.can_edit_review_questions(request.user, council))
    return council


def _question_for(council, key):
    """A question by its id; or, while the council has only the four defaults, by its number."""
    questions = survey.questions_of(council)
    if questions and questions[0].pk is None:
        found = next((q for q in questions if q.position == key), None)
    else:
        found = next((q for q in questions if q.pk == key), None)
    allow_or_404(found is not None)
    return found


def _key(question) -> int:
    return question.pk or question.position


@signed_in("can_edit_review_questions")
def questions(request, council_slug):
    """The council's survey questions: add, change wording, reorder and retire."""
    council = _council_for(request, council_slug)
    listed = survey.questions_of(council)
    return render(
        request,
        "reports/review/questions.html",
        {
            "page_title": "Annual review questions",
            "council": council,
            "in_use": [(q, _key(q)) for q in listed if q.retired_at is None],
            "retired": [q for q in listed if q.retired_at is not None],
            "defaults": bool(listed) and listed[0].pk is None,
        },
    )


@signed_in("can_edit_review_questions")
@require_http_methods(["GET", "POST"])
def add_question(request, council_slug):
    council = _council_for(request, council_slug)
    return _form_page(
        request,
        QuestionForm(_posted(request)),
        lambda data: survey.add_question(council=council, acting_user=request.user, **data),
        title="Add a question",
        caption=council.name,
        intro="It is asked in every annual review opened from now on, after the questions already in use.",
        done="The question is added.",
        back=reverse("review:questions", args=[council.slug]),
        button="Add the question",
    )


@signed_in("can_edit_review_questions")
@require_http_methods(["GET", "POST"])
def change_question(request, council_slug, key):
    council = _council_for(request, council_slug)
    question = _question_for(council, key)
    allow_or_404(question.retired_at is None)
    return _form_page(
        request,
        QuestionForm(_posted(request), initial={"text": question.text, "hint": question.hint}),
        lambda data: survey.change_question(question=question, acting_user=request.user, **data),
        title="Change a question",
        caption=council.name,
        intro="Reviews already opened keep the wording they asked.",
        done="The question is changed.",
        back=reverse("review:questions", args=[council.slug]),
        button="Save the question",
    )


@signed_in("can_edit_review_questions")
@require_POST
def move_question(request, council_slug, key):
    council = _council_for(request, council_slug)
    question = _question_for(council, key)
    back = reverse("review:questions", args=[council.slug])
    try:
        survey.move_question(
            question=question, direction=request.POST.get("direction", ""), acting_user=request.user
        )
    except survey.ReviewError as error:
        return _refused(request, error, back)
    messages.success(request, "The question is moved.")
    return redirect(back)


@signed_in("can_edit_review_questions")
@require_POST
def retire_question(request, council_slug, key):
    council = _council_for(request, council_slug)
    question = _question_for(council, key)
    back = reverse("review:questions", args=[council.slug])
    try:
        survey.retire_question(question=question, acting_user=request.user)
    except survey.ReviewError as error:
        return _refused(request, error, back)
    messages.success(request, "The question is retired. Reviews already opened still show it.")
    return redirect(back)


# The year reports --------------------------------------------------------------------------------------


def _cluster_report(request, cluster_pk, start_year):
    cluster = get_object_or_404(clusters_visible_to(request.user), pk=cluster_pk)
    allow_or_404(permissions.can_view_year_report(request.user, cluster))
    academic_year = survey.year_of(cluster.council, start_year)
    allow_or_404(academic_year is not None)
    year_report = report.cluster_year_report(
        cluster,
        academic_year,
        with_comments=permissions.can_read_survey_comments(request.user, cluster),
        reader=request.user,
        names_schools=permissions.can_view_cluster_fairness(request.user, cluster),
    )
    return year_report, {
        "page_title": f"Year report {academic_year.name}, {cluster.name}",
        "year_report": year_report,
        "manages": permissions.can_manage_annual_review(request.user, cluster),
        "pdf_url": reverse("review:cluster_report_pdf", args=[cluster.pk, start_year]),
        "review_url": reverse("review:review", args=[cluster.pk, start_year]),
    }


def _council_report(request, council_slug, start_year):
    council = get_object_or_404(councils_visible_to(request.user), slug=council_slug)
    allow_or_404(permissions.can_view_council_year_report(request.user, council))
    academic_year = survey.year_of(council, start_year)
    allow_or_404(academic_year is not None)
    clusters = [review.cluster for review in survey.reviews_of_council(council, academic_year)]
    with_comments = bool(clusters) and all(
        permissions.can_read_survey_comments(request.user, cluster) for cluster in clusters
    )
    year_report = report.council_year_report(
        council, academic_year, with_comments=with_comments, reader=request.user
    )
    return year_report, {
        "page_title": f"Year report {academic_year.name}, {council.name}",
        "year_report": year_report,
        "manages": False,
        "pdf_url": reverse("review:council_report_pdf", args=[council.slug, start_year]),
        "review_url": "",
    }


def _pdf(request, year_report, context, name):
    content = render_pdf("reports/review/year_report_pdf.html", context, request=request)
    return pdf_response(content, f"year-report-{name}-{year_report.academic_year.start_year}.pdf")


@signed_in("can_view_year_report")
def cluster_report(request, cluster_pk, start_year):
    """The cluster's year report: money, activity, times, outcomes, fairness, the survey and the changes
    decided for next year."""
    year_report, context = _cluster_report(request, cluster_pk, start_year)
    prefix = f"{year_report.cluster.slug}-year-report-{start_year}"
    download = chart_download(request, list(year_report.charts.values()), filename_prefix=prefix)
    return download or render(request, "reports/review/year_report.html", context)


@signed_in("can_view_year_report")
def cluster_report_pdf(request, cluster_pk, start_year):
    year_report, context = _cluster_report(request, cluster_pk, start_year)
    return _pdf(request, year_report, context, year_report.cluster.slug)


@signed_in("can_view_council_year_report")
def council_report(request, council_slug, start_year):
    """The council's year report: every cluster side by side, and all their surveys and changes decided."""
    year_report, context = _council_report(request, council_slug, start_year)
    prefix = f"{year_report.council.slug}-year-report-{start_year}"
    download = chart_download(request, list(year_report.charts.values()), filename_prefix=prefix)
    return download or render(request, "reports/review/year_report.html", context)


@signed_in("can_view_council_year_report")
def council_report_pdf(request, council_slug, start_year):
    year_report, context = _council_report(request, council_slug, start_year)
    return _pdf(request, year_report, context, year_report.council.slug)
