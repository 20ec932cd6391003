"""The annual review: the council's questions, opening a cluster's review, answers from schools and team
members (changeable until it closes), reminders through the send-reminders command and its background task,
and the results."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from clusterfund.audit.models import AuditEvent
from clusterfund.demo import demo_review
from clusterfund.organisations.models import AcademicYear, Cluster, Council
from clusterfund.reports import survey
from clusterfund.reports.models import AnnualReview, ReviewQuestion, SurveyAnswer, SurveyInvitation

K_ADMIN, K_AUDITOR = "send.admin@kirklees.example", "auditor@kirklees.example"
K_CLUSTER_ADMIN, K_CHAIR = "cluster14.admin@kirklees.example", "head.ashbrow@kirklees.example"
K_ST_THOMAS, K_BIRKBY, K_EP = (
    "senco.stthomas@kirklees.example",
    "senco.birkbyjunior@kirklees.example",
    "ep.cluster14@kirklees.example",
)
S_ADMIN = "send.admin@stoke.example"
WEEK = datetime.timedelta(days=7)


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def cluster(db):
    return Cluster.objects.get(slug="cluster-14")


@pytest.fixture
def last_year(cluster):
    """Kirklees's previous academic year, which the demo has not reviewed."""
    current = AcademicYear.objects.filter(council=cluster.council).current()
    return AcademicYear.objects.get(council=cluster.council, start_year=current.start_year - 1)


@pytest.fixture
def opened(cluster, last_year, user_by_email, django_capture_on_commit_callbacks):
    """Cluster 14's review of last year, opened by the council's SEND team, with its emails sent."""
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        review = survey.open_annual_review(
            cluster=cluster, academic_year=last_year, acting_user=user_by_email(K_ADMIN)
        )
    return review


def _invitation(review, *, urn=None, email=None):
    if urn:
        return SurveyInvitation.objects.get(review=review, school__urn=urn)
    return SurveyInvitation.objects.get(review=review, team_member__user__email=email)


def _answers(review, scores=(4, 3, 5, 2), comment=""):
    questions = survey.survey_questions(review)
    return {q.pk: (score, comment) for q, score in zip(questions, scores, strict=True)}


# Opening -------------------------------------------------------------------------------------------------


def test_opening_asks_every_member_school_and_team_member_the_councils_questions(opened, cluster, last_year):
    schools = cluster.memberships.filter(academic_year=last_year).count()
    team = cluster.team_members.count()
    assert opened.invitations.filter(school__isnull=False).count() == schools == 11
    assert opened.invitations.filter(team_member__isnull=False).count() == team == 4
    assert [q.text for q in survey.survey_questions(opened)] == [text for text, _ in survey.DEFAULT_QUESTIONS]
    # one email for each school with staff in clusterfund (St Thomas, Birkby, Ashbrow) and for the EP
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([K_ST_THOMAS, K_BIRKBY, K_CHAIR, K_EP])
    message = next(m for m in mail.outbox if m.to == [K_ST_THOMAS])
    invitation = _invitation(opened, urn=151801)
    assert "St Thomas" in message.body and survey.answer_path(invitation) in message.body
    # a full web address, scheme and host, that a mail program makes a link of
    assert f"\n{survey.answer_url(invitation)}" in message.body and survey.answer_url(invitation).startswith(
        "http"
    )
    event = AuditEvent.objects.get(action="review.opened", object_id=str(opened.pk))
    assert event.after["schools"] == 11 and event.after["emailed"] == 4
    # the council's defaults were saved as its own questions on the way
    assert ReviewQuestion.objects.filter(council=cluster.council).count() == 4


def test_opening_is_refused_twice_for_the_city_pool_a_future_year_and_to_others(
    opened, cluster, last_year, user_by_email
):
    admin = user_by_email(K_ADMIN)
    with pytest.raises(survey.ReviewError, match="already open"):
        survey.open_annual_review(cluster=cluster, academic_year=last_year, acting_user=admin)
    current = AcademicYear.objects.filter(council=cluster.council).current()
    for email in (K_CHAIR, K_AUDITOR, K_ST_THOMAS, K_EP, S_ADMIN):
        with pytest.raises(survey.ReviewError, match="Only the council"):
            survey.open_annual_review(
                cluster=cluster, academic_year=current, acting_user=user_by_email(email)
            )
    future = AcademicYear.objects.create(
        council=cluster.council,
        start_year=current.start_year + 5,
        starts_on=datetime.date(current.start_year + 5, 9, 1),
        ends_on=datetime.date(current.start_year + 6, 8, 31),
    )
    with pytest.raises(survey.ReviewError, match="has not begun"):
        survey.open_annual_review(cluster=cluster, academic_year=future, acting_user=admin)
    pool = Cluster.objects.get(slug="city-pool")
    stoke_year = AcademicYear.objects.filter(council=pool.council).current()
    with pytest.raises(survey.ReviewError, match="city pool"):
        survey.open_annual_review(cluster=pool, academic_year=stoke_year, acting_user=user_by_email(S_ADMIN))
    assert AnnualReview.objects.filter(cluster__in=[cluster, pool]).count() == 2  # the demo's and `opened`


# Answering -----------------------------------------------------------------------------------------------


def test_a_school_answers_once_by_any_of_its_staff_and_may_change_it_until_the_review_closes(
    opened, user_by_email
):
    invitation = _invitation(opened, urn=151801)
    survey.answer_survey(
        invitation=invitation,
        answers=_answers(opened, comment="Good year"),
        acting_user=user_by_email(K_ST_THOMAS),
    )
    invitation.refresh_from_db()
    assert invitation.answered_at and not invitation.keyed_in
    assert sorted(invitation.answers.values_list("score", flat=True)) == [2, 3, 4, 5]
    survey.answer_survey(
        invitation=invitation, answers=_answers(opened, (1, 1, 1, 1)), acting_user=user_by_email(K_ST_THOMAS)
    )
    assert set(invitation.answers.values_list("score", "comment")) == {(1, "")}
    changed = AuditEvent.objects.get(action="review.answer_changed", object_id=str(invitation.pk))
    assert changed.before["scores"] == {"1": 4, "2": 3, "3": 5, "4": 2}
    assert changed.after["scores"] == {"1": 1, "2": 1, "3": 1, "4": 1}

    survey.close_annual_review(review=opened, acting_user=user_by_email(K_CLUSTER_ADMIN))
    with pytest.raises(survey.ReviewError, match="closed"):
        survey.answer_survey(
            invitation=invitation, answers=_answers(opened), acting_user=user_by_email(K_ST_THOMAS)
        )
    with pytest.raises(survey.ReviewError, match="closed"):
        survey.close_annual_review(review=opened, acting_user=user_by_email(K_ADMIN))
    assert AuditEvent.objects.filter(action="review.closed", object_id=str(opened.pk)).count() == 1


def test_only_the_schools_staff_the_team_member_or_an_admin_keying_in_may_answer(opened, user_by_email):
    st_thomas = _invitation(opened, urn=151801)
    for email in (K_BIRKBY, K_EP, K_CHAIR, K_AUDITOR, S_ADMIN):
        with pytest.raises(survey.ReviewError, match="own staff"):
            survey.answer_survey(
                invitation=st_thomas, answers=_answers(opened), acting_user=user_by_email(email)
            )
    ep = _invitation(opened, email=K_EP)
    with pytest.raises(survey.ReviewError, match="team member"):
        survey.answer_survey(invitation=ep, answers=_answers(opened), acting_user=user_by_email(K_ST_THOMAS))
    survey.answer_survey(invitation=ep, answers=_answers(opened), acting_user=user_by_email(K_EP))
    ep.refresh_from_db()
    assert ep.answered_at and not ep.keyed_in
    # a team member who does not sign in answers on paper, and the cluster's admin keys it in
    paper = opened.invitations.filter(team_member__user=None).first()
    survey.answer_survey(
        invitation=paper, answers=_answers(opened), acting_user=user_by_email(K_CLUSTER_ADMIN)
    )
    paper.refresh_from_db()
    assert paper.keyed_in and paper.answered_by.email == K_CLUSTER_ADMIN
    assert SurveyAnswer.objects.filter(invitation=st_thomas).count() == 0


def test_every_question_needs_a_score_on_the_scale_and_nothing_is_half_saved(opened, user_by_email):
    invitation = _invitation(opened, urn=151801)
    questions = survey.survey_questions(opened)
    answers = {
        questions[0].pk: (None, ""),
        questions[1].pk: (7, ""),
        questions[2].pk: (4, "x" * 5001),
        questions[3].pk: (5, "Fine"),
    }
    with pytest.raises(survey.ReviewInvalid) as refused:
        survey.answer_survey(invitation=invitation, answers=answers, acting_user=user_by_email(K_ST_THOMAS))
    assert set(refused.value.errors) == {
        f"score_{questions[0].pk}",
        f"score_{questions[1].pk}",
        f"comment_{questions[2].pk}",
    }
    assert refused.value.errors[f"score_{questions[0].pk}"] == "Choose how far you agree with question 1"
    invitation.refresh_from_db()
    assert invitation.answered_at is None and not invitation.answers.exists()


# The council's questions ---------------------------------------------------------------------------------


def test_the_council_edits_its_questions_and_open_reviews_keep_their_wording(opened, user_by_email):
    council, admin = opened.cluster.council, user_by_email(K_ADMIN)
    first, second, third, fourth = survey.questions_of(council)
    survey.change_question(question=first, text="Decisions were fair", hint="", acting_user=admin)
    added = survey.add_question(council=council, text="Meetings were well run", hint="", acting_user=admin)
    survey.move_question(question=added, direction="up", acting_user=admin)
    survey.retire_question(question=second, acting_user=admin)
    in_use = [q.text for q in ReviewQuestion.objects.filter(council=council).in_use()]
    assert in_use == ["Decisions were fair", third.text, "Meetings were well run", fourth.text]
    assert [q.text for q in survey.questions_of(council)][-1] == second.text  # retired ones last
    assert survey.survey_questions(opened)[0].text == survey.DEFAULT_QUESTIONS[0][0]
    with pytest.raises(survey.ReviewError, match="already first"):
        survey.move_question(
            question=ReviewQuestion.objects.get(text="Decisions were fair"), direction="up", acting_user=admin
        )
    with pytest.raises(survey.ReviewInvalid) as refused:
        survey.add_question(council=council, text=" ", hint="h" * 301, acting_user=admin)
    assert refused.value.errors == {
        "text": "Enter the question",
        "hint": "The hint must be 300 characters or fewer",
    }
    for email in (K_CLUSTER_ADMIN, K_AUDITOR, S_ADMIN):
        with pytest.raises(survey.ReviewError, match="SEND team"):
            survey.add_question(council=council, text="Mine", hint="", acting_user=user_by_email(email))
    actions = set(
        AuditEvent.objects.filter(council=council, action__startswith="review.question").values_list(
            "action", flat=True
        )
    )
    assert actions == {
        "review.question_changed",
        "review.question_added",
        "review.question_moved",
        "review.question_retired",
    }


def test_the_last_question_in_use_cannot_be_retired(db, user_by_email):
    council, admin = Council.objects.get(slug="stoke-on-trent"), user_by_email(S_ADMIN)
    questions = survey.questions_of(council)
    for question in questions[:-1]:
        survey.retire_question(question=question, acting_user=admin)
    with pytest.raises(survey.ReviewError, match="at least one"):
        survey.retire_question(question=questions[-1], acting_user=admin)


def test_the_questions_pages_for_the_councils_send_team(db, signed_in_client):
    council = Council.objects.get(slug="kirklees")
    client = signed_in_client(K_ADMIN)
    page = client.get(reverse("review:questions", args=[council.slug]))
    assert (
        page.status_code == 200 and "The cluster&#39;s decisions this year were fair" in page.content.decode()
    )
    url = reverse("review:add_question", args=[council.slug])
    refused = client.post(url, {"text": "", "hint": ""})
    assert refused.status_code == 200 and "There is a problem" in refused.content.decode()
    assert "Enter the question" in refused.content.decode()
    assert client.post(url, {"text": "Meetings were well run", "hint": ""}).status_code == 302
    added = ReviewQuestion.objects.get(council=council, text="Meetings were well run")
    move = reverse("review:move_question", args=[council.slug, added.pk])
    assert client.post(move, {"direction": "up"}).status_code == 302
    assert ReviewQuestion.objects.get(pk=added.pk).position == 4
    change = reverse("review:change_question", args=[council.slug, added.pk])
    assert client.post(change, {"text": "Meetings ran well", "hint": ""}).status_code == 302
    retire = reverse("review:retire_question", args=[council.slug, added.pk])
    assert client.post(retire).status_code == 302
    page = client.get(reverse("review:questions", args=[council.slug])).content.decode()
    assert "Retired questions" in page and "Meetings ran well" in page


# Reminders -----------------------------------------------------------------------------------------------


def test_reminders_go_weekly_to_those_not_answered_until_the_review_closes(
    opened, user_by_email, django_capture_on_commit_callbacks
):
    survey.answer_survey(
        invitation=_invitation(opened, urn=151801),
        answers=_answers(opened),
        acting_user=user_by_email(K_ST_THOMAS),
    )
    today = opened.opened_on
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert survey.send_annual_review_reminders(today=today + datetime.timedelta(days=6)) == 0
        assert survey.send_annual_review_reminders(today=today + WEEK) == 3
    # St Thomas answered; Birkby, Ashbrow and the EP have not (the others have nobody to email)
    assert sorted(address for m in mail.outbox for address in m.to) == sorted([K_BIRKBY, K_CHAIR, K_EP])


def test_the_send_reminders_command_also_reminds_of_the_annual_review(
    opened, django_capture_on_commit_callbacks
):
    later = opened.opened_on + WEEK
    mail.outbox.clear()
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", f"--date={later}", stdout=out)
    lines = out.getvalue().splitlines()  # the impact reviews' reminders first
    assert len(lines) == 2 and lines[-1] == "Sent 4 annual review reminder emails."
    reminded = SurveyInvitation.objects.filter(review=opened, reminded_on=later)
    assert reminded.count() == 4
    assert {m.subject for m in mail.outbox} >= {
        f"Reminder: the annual review of Cluster 14, {opened.academic_year.name}"
    }
    assert AuditEvent.objects.filter(action="review.reminder_sent").count() == 4
    with django_capture_on_commit_callbacks(execute=True):
        result = survey.send_annual_review_reminders_task.enqueue(
            today=(later + datetime.timedelta(days=3)).isoformat()
        )
    assert result.return_value == 0  # a week has not passed since
    with django_capture_on_commit_callbacks(execute=True):
        result = survey.send_annual_review_reminders_task.enqueue(today=(later + WEEK).isoformat())
    assert result.return_value == 4


# Results -------------------------------------------------------------------------------------------------


def test_results_count_each_score_with_the_median_and_mean_for_schools_and_team_apart(opened, user_by_email):
    st_thomas, birkby, ep = (
        _invitation(opened, urn=151801),
        _invitation(opened, urn=107626),
        _invitation(opened, email=K_EP),
    )
    survey.answer_survey(
        invitation=st_thomas,
        answers=_answers(opened, (5, 4, 4, 4), "Fair to us"),
        acting_user=user_by_email(K_ST_THOMAS),
    )
    survey.answer_survey(
        invitation=birkby, answers=_answers(opened, (2, 4, 4, 4)), acting_user=user_by_email(K_BIRKBY)
    )
    survey.answer_survey(
        invitation=ep, answers=_answers(opened, (3, 3, 3, 3), "Quick"), acting_user=user_by_email(K_EP)
    )
    results = survey.survey_results([opened], with_comments=True)
    assert (
        results.schools_invited,
        results.schools_answered,
        results.team_invited,
        results.team_answered,
    ) == (11, 2, 4, 1)
    fairness = results.questions[0]
    assert fairness.schools.counts == [0, 1, 0, 0, 1] and fairness.team.counts == [0, 0, 1, 0, 0]
    assert fairness.schools.median == 3.5 and fairness.schools.mean == 3.5 and fairness.team.median == 3
    assert [(c.text, c.from_school) for c in fairness.comments] == [("Fair to us", True), ("Quick", False)]
    assert survey.survey_results([opened], with_comments=False).questions[0].comments == []


def test_the_review_pages_answer_close_and_show_results(opened, signed_in_client, client):
    cluster, year = opened.cluster, opened.academic_year.start_year
    page_url = reverse("review:review", args=[cluster.pk, year])
    invitation = _invitation(opened, urn=151801)
    answer_url = reverse("review:answer", args=[cluster.pk, year, invitation.pk])

    school = signed_in_client(K_ST_THOMAS)
    page = school.get(page_url).content.decode()
    assert answer_url in page and "Who has answered" not in page
    form = school.get(answer_url)
    assert form.status_code == 200 and "Strongly agree" in form.content.decode()
    questions = survey.survey_questions(opened)
    refused = school.post(answer_url, {f"score_{questions[0].pk}": "4"})
    assert refused.status_code == 200 and "There is a problem" in refused.content.decode()
    assert "Choose how far you agree with question 2" in refused.content.decode()
    data = {f"score_{q.pk}": "4" for q in questions} | {f"comment_{questions[0].pk}": "Kind words"}
    assert school.post(answer_url, data).status_code == 302
    assert school.get(reverse("review:results", args=[cluster.pk, year])).status_code == 404

    client.logout()
    admin = signed_in_client(K_CLUSTER_ADMIN)
    page = admin.get(page_url).content.decode()
    assert "Who has answered" in page and "1 of 15 answered" in page
    results = admin.get(reverse("review:results", args=[cluster.pk, year])).content.decode()
    assert "Kind words" in results
    assert admin.post(reverse("review:close", args=[cluster.pk, year])).status_code == 302
    assert AnnualReview.objects.get(pk=opened.pk).closed_at is not None
    # after closing, the answer page goes back to the review
    assert admin.get(answer_url).status_code == 302

    client.logout()
    chair = signed_in_client(K_CHAIR)
    results = chair.get(reverse("review:results", args=[cluster.pk, year])).content.decode()
    assert "Kind words" not in results and "shown to the council" in results
    # another school's (or team member's) invitation does not exist for them
    assert chair.get(answer_url).status_code == 404
    client.logout()
    assert signed_in_client(K_BIRKBY).get(answer_url).status_code == 404
    client.logout()
    assert signed_in_client(K_EP).get(answer_url).status_code == 404


def test_the_review_page_opens_a_review(
    cluster, last_year, signed_in_client, django_capture_on_commit_callbacks
):
    client = signed_in_client(K_CLUSTER_ADMIN)
    url = reverse("review:review", args=[cluster.pk, last_year.start_year])
    assert "Open the annual review" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("review:open", args=[cluster.pk, last_year.start_year])).status_code == 302
    assert AnnualReview.objects.filter(cluster=cluster, academic_year=last_year).exists()
    # a second press says why at the top of the page, and opens nothing
    response = client.post(reverse("review:open", args=[cluster.pk, last_year.start_year]), follow=True)
    assert "already open" in response.content.decode()


def test_the_results_page_makes_the_same_queries_however_many_answers(
    opened, signed_in_client, user_by_email, django_assert_max_num_queries
):
    client = signed_in_client(K_ADMIN)
    url = reverse("review:results", args=[opened.cluster_id, opened.academic_year.start_year])
    with django_assert_max_num_queries(14):
        client.get(url)
    admin = user_by_email(K_CLUSTER_ADMIN)
    for invitation in opened.invitations.all():
        survey.answer_survey(
            invitation=invitation, answers=_answers(opened, comment="Said"), acting_user=admin
        )
    with django_assert_max_num_queries(14):
        assert "Said" in client.get(url).content.decode()


def test_demo_reviews_are_complete(db):
    today = timezone.localdate()
    for slug in ("kirklees", "stoke-on-trent"):
        year = AcademicYear.objects.filter(council__slug=slug).current(today)
        review = AnnualReview.objects.get(cluster__council__slug=slug, academic_year=year)
        assert not review.is_open
        assert not review.invitations.filter(answered_at=None).exists()
        assert review.invitations.filter(team_member__isnull=False).count() == 4
        actions = review.actions.all()
        assert 2 <= actions.count() <= 3 and actions.exclude(done_on=None).count() == 1
        # all the demo's requests and money are this year, part-way through: it is the mid-year check
        assert review.note.startswith(f"This is the mid-year check of {year.name}")


def test_the_demo_answers_read_like_people_wrote_them(db):
    for slug in ("kirklees", "stoke-on-trent"):
        review = AnnualReview.objects.get(cluster__council__slug=slug)
        answers = list(SurveyAnswer.objects.filter(invitation__review=review).values_list("score", "comment"))
        comments = [comment for _, comment in answers if comment]
        assert len(set(comments)) == len(comments) >= 8  # no comment said twice
        assert len(comments) < len(answers) / 2  # many answers have none
        assert {score for score, _ in answers} == {1, 2, 3, 4, 5}
        for score, comment in answers:
            if comment:
                band = demo_review._band(score)
                assert any(comment in bands[band] for bands in demo_review.COMMENTS.values()), comment
    kirklees = set(
        SurveyAnswer.objects.filter(invitation__review__cluster__slug="cluster-14").values_list(
            "comment", flat=True
        )
    )
    stoke = set(
        SurveyAnswer.objects.filter(invitation__review__cluster__council__slug="stoke-on-trent").values_list(
            "comment", flat=True
        )
    )
    assert kirklees & stoke <= {""}


def test_loading_the_demo_review_again_adds_nothing(db):
    from clusterfund.demo.loader import SCHEMES

    before = (AnnualReview.objects.count(), SurveyAnswer.objects.count())
    for scheme in SCHEMES:
        council = Council.objects.get(la_code=scheme.la_code)
        assert demo_review.load_review(council, scheme.accounts) is None
    assert (AnnualReview.objects.count(), SurveyAnswer.objects.count()) == before


def test_the_survey_email_carries_the_full_address(opened, settings):
    settings.SITE_URL = "https://clusterfund.example.gov.uk/"
    invitation = _invitation(opened, urn=151801)
    assert survey.answer_url(invitation) == "https://clusterfund.example.gov.uk" + survey.answer_path(
        invitation
    )
    _, body = survey._email(invitation, 4, reminder=True)
    assert "http://" in body or "https://" in body
    assert survey.answer_url(invitation) in body and survey.answer_url(invitation).startswith("http")


def test_open_invitations_are_listed_for_those_who_answer_them(opened, user_by_email):
    st_thomas = user_by_email(K_ST_THOMAS)
    [mine] = survey.open_invitations_for(st_thomas)
    invitation = _invitation(opened, urn=151801)
    assert (mine.invitation_pk, mine.cluster_pk, mine.start_year) == (
        invitation.pk,
        opened.cluster_id,
        opened.academic_year.start_year,
    )
    assert mine.url == reverse("review:answer", args=[opened.cluster_id, mine.start_year, invitation.pk])
    assert mine.name == invitation.school.name and mine.is_school and mine.cluster_name == "Cluster 14"
    [ep] = survey.open_invitations_for(user_by_email(K_EP))
    assert not ep.is_school and ep.invitation_pk == _invitation(opened, email=K_EP).pk
    # the admins key in answers but have none of their own; the auditor and Stoke are not asked
    for email in (K_ADMIN, K_CLUSTER_ADMIN, K_AUDITOR, S_ADMIN):
        assert survey.open_invitations_for(user_by_email(email)) == []
    # once answered, or once the review closes, it is no longer waiting
    survey.answer_survey(invitation=invitation, answers=_answers(opened), acting_user=st_thomas)
    assert survey.open_invitations_for(st_thomas) == []
    survey.close_annual_review(review=opened, acting_user=user_by_email(K_ADMIN))
    assert survey.open_invitations_for(user_by_email(K_EP)) == []


def test_open_invitations_take_one_query(opened, user_by_email, django_assert_max_num_queries):
    user = user_by_email(K_ST_THOMAS)
    survey.open_invitations_for(user)  # the person's roles, cached
    with django_assert_max_num_queries(1):
        survey.open_invitations_for(user)


def test_the_comment_boxes_say_who_reads_the_comments(opened, signed_in_client, client, user_by_email):
    cluster, year = opened.cluster, opened.academic_year.start_year
    invitation = _invitation(opened, urn=151801)
    answer_url = reverse("review:answer", args=[cluster.pk, year, invitation.pk])
    html = signed_in_client(K_ST_THOMAS).get(answer_url).content.decode()
    said = (
        "Only the council&#39;s SEND team and the cluster&#39;s admin read comments; they are not shown with "
        "your school&#39;s name."
    )
    assert html.count(said) == len(survey.survey_questions(opened))
    # and it is true: the results the admins read name no school
    survey.answer_survey(
        invitation=invitation,
        answers=_answers(opened, comment="A comment"),
        acting_user=user_by_email(K_ST_THOMAS),
    )
    client.logout()
    admin = signed_in_client(K_CLUSTER_ADMIN)
    results = admin.get(reverse("review:results", args=[cluster.pk, year])).content.decode()
    assert "A comment" in results and "(a school, Cluster 14, score 4)" in results
    assert invitation.school.name not in results
    # nor may an admin open the school's own answer, where its comments are
    assert admin.get(answer_url).status_code == 403
    page = admin.get(reverse("review:review", args=[cluster.pk, year])).content.decode()
    assert answer_url not in page
    with pytest.raises(survey.ReviewError, match="answered for itself"):
        survey.answer_survey(
            invitation=invitation, answers=_answers(opened), acting_user=user_by_email(K_CLUSTER_ADMIN)
        )


def test_the_review_page_of_a_year_without_a_review_says_how_to_open_one(
    cluster, last_year, signed_in_client, client
):
    url = reverse("review:review", args=[cluster.pk, last_year.start_year])
    html = signed_in_client(K_ADMIN).get(url).content.decode()
    assert "has not been opened" in html and "Open the annual review" in html
    client.logout()
    html = signed_in_client(K_EP).get(url).content.decode()
    assert "has not been opened" in html and "Open the annual review" not in html


def test_home_tells_each_person_asked_that_the_review_waits_for_their_answer(opened, signed_in_client):
    link = "Answer the annual review of Cluster 14"
    home = signed_in_client(K_ST_THOMAS).get(reverse("core:home")).content.decode()
    assert f"{link}, {opened.academic_year.name}, for St Thomas CE Primary School" in home
    invitation = _invitation(opened, urn=151801)
    assert (
        reverse("review:answer", args=[opened.cluster_id, opened.academic_year.start_year, invitation.pk])
        in home
    )
    assert link not in signed_in_client(K_AUDITOR).get(reverse("core:home")).content.decode()
