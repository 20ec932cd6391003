"""The annual review: a short survey of a cluster's member schools and its Team Around the Cluster at the end
of the year, on the council's own questions, with weekly reminders to those who have not answered, and the
changes decided for next year.

Services change state (each in one transaction, audited); selectors read. A review asks the council's
questions as they read when it opened: editing the council's list later changes only reviews opened after.
"""

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Case, Count, F, Min, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from clusterfund.accounts.models import RoleAssignment
from clusterfund.accounts.permissions import scope_of
from clusterfund.accounts.roles import Role
from clusterfund.audit.services import record_event
from clusterfund.core.errors import Invalid, Refused
from clusterfund.core.errors import checked_text as _text
from clusterfund.core.links import absolute
from clusterfund.organisations.models import AcademicYear, Cluster, ClusterMembership, Council, TeamMember
from clusterfund.reports.models import (
    Agreement,
    AnnualReview,
    ReviewAction,
    ReviewQuestion,
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
)
from clusterfund.reports.permissions import (
    can_answer_as_team_member,
    can_answer_for_school,
    can_edit_review_questions,
    can_manage_annual_review,
)

logger = logging.getLogger(__name__)

# The questions a council starts with: fairness, speed, the usefulness of advice and the impact seen.
DEFAULT_QUESTIONS = (
    (
        "The cluster's decisions this year were fair to every school",
        "Think of the requests decided at meetings, including those of other schools.",
    ),
    (
        "Requests were decided, and support started, quickly enough",
        "From submitting a request to the decision, and from the decision to the support starting.",
    ),
    (
        "The advice from the Team Around the Cluster was useful",
        "Advice given with or without funding, at meetings or in triage.",
    ),
    (
        "The support the cluster funded made a difference to the children",
        "What you saw in the children's progress and in the impact reviews.",
    ),
)
QUESTION_LIMIT = 300
NOTE_LIMIT = 300
ACTION_LIMIT = 500
OWNER_LIMIT = 200
REMIND_EVERY = datetime.timedelta(days=7)


class ReviewError(Refused):
    """A change the annual review's rules forbid, with a message the person can read."""


class ReviewInvalid(Invalid, ReviewError):
    """What the person entered is wrong; `errors` maps each field to what is wrong with it."""


# Selectors ------------------------------------------------------------------------------------------------


def year_of(council, start_year: int) -> AcademicYear | None:
    """The council's academic year that starts in `start_year`."""
    return AcademicYear.objects.filter(council=council, start_year=start_year).first()


def review_of(cluster, academic_year) -> AnnualReview | None:
    """The cluster's annual review of that year, if it has been opened."""
    if academic_year is None:
        return None
    return (
        AnnualReview.objects.filter(cluster=cluster, academic_year=academic_year)
        .select_related("cluster__council", "academic_year", "opened_by", "closed_by")
        .first()
    )


def reviews_of_council(council, academic_year) -> list[AnnualReview]:
    """Every cluster's annual review of the year, in the council's order of clusters."""
    return list(
        AnnualReview.objects.filter(cluster__council=council, academic_year=academic_year)
        .select_related("cluster", "academic_year")
        .order_by("cluster__number", "cluster__name")
    )


def questions_of(council) -> list[ReviewQuestion]:
    """The council's questions, in use first in their order, then retired ones. A council that has not
    edited its list has the four default questions (shown unsaved until it first changes them)."""
    questions = list(
        ReviewQuestion.objects.filter(council=council).order_by(
            F("retired_at").asc(nulls_first=True), "position", "pk"
        )
    )
    if questions:
        return questions
    return [
        ReviewQuestion(council=council, position=number, text=text, hint=hint)
        for number, (text, hint) in enumerate(DEFAULT_QUESTIONS, start=1)
    ]


def question_of(council, pk) -> ReviewQuestion | None:
    return ReviewQuestion.objects.filter(council=council, pk=pk).first()


def survey_questions(review) -> list[SurveyQuestion]:
    """The questions this review asks, in order."""
    return list(review.questions.order_by("position"))


def invitations_of(review) -> list[SurveyInvitation]:
    """Everyone the review asks: the member schools by name, then the Team Around the Cluster."""
    return list(
        review.invitations.select_related("school", "team_member__user", "answered_by").order_by(
            F("team_member").asc(nulls_first=True), "school__name", "team_member__name"
        )
    )


def invitation_of(review, pk) -> SurveyInvitation | None:
    return (
        review.invitations.filter(pk=pk)
        .select_related("school", "team_member__user", "review__cluster__council", "review__academic_year")
        .first()
    )


def answers_of(invitation) -> dict[int, SurveyAnswer]:
    """The invitee's answers so far, by question id."""
    return {answer.question_id: answer for answer in invitation.answers.all()}


def answers_for_self(user, invitation) -> bool:
    """Whether the person answers this invitation as the invitee: staff of the school, or the team member
    themself."""
    if invitation.school_id:
        return can_answer_for_school(user, invitation.school)
    return invitation.team_member.user_id == user.pk and can_answer_as_team_member(
        user, invitation.review.cluster
    )


def may_see_invitation(user, invitation) -> bool:
    """Whether the invitation is the person's business at all: the invitee's own, or one the review's admins
    run. Anyone else (another school, another team member) is told it does not exist."""
    return answers_for_self(user, invitation) or can_manage_annual_review(user, invitation.review.cluster)


def may_answer(user, invitation) -> bool:
    """The invitee answers; the review's admins may key in an answer given on paper or by email, but never
    open or overwrite one the invitee gave themself (whose comments are read only in the results, without
    the invitee's name)."""
    if answers_for_self(user, invitation):
        return True
    return can_manage_annual_review(user, invitation.review.cluster) and (
        invitation.answered_at is None or invitation.keyed_in
    )


@dataclass(frozen=True)
class OpenInvitation:
    """An open review's survey waiting for the person's answer, with what its link needs."""

    cluster_pk: int
    start_year: int
    invitation_pk: int
    cluster_name: str
    year_name: str
    name: str  # the school answered for, or the team member's own name
    is_school: bool

    @property
    def url(self) -> str:
        return reverse("review:answer", args=[self.cluster_pk, self.start_year, self.invitation_pk])


def open_invitations_for(user) -> list[OpenInvitation]:
    """The surveys the person still has to answer for themself, in one query: each open review's invitation
    of a school they are staff of, or of themself as a member of the cluster's Team Around the Cluster,
    not yet answered. An admin's keying-in is not listed: it is not their own answer."""
    if not user.is_authenticated:
        return []
    scope = scope_of(user)
    mine = Q(school_id__in=scope.staff_of) | Q(
        team_member__user=user, review__cluster_id__in=scope.team_member_of
    )
    if not scope.staff_of and not scope.team_member_of:
        return []
    rows = (
        SurveyInvitation.objects.filter(mine, review__closed_at=None, answered_at=None)
        .order_by("review__academic_year__start_year", "review__cluster__name", "school__name", "pk")
        .values_list(
            "review__cluster_id",
            "review__academic_year__start_year",
            "pk",
            "review__cluster__name",
            "school__name",
            "team_member__name",
        )
    )
    return [
        OpenInvitation(
            cluster_pk=cluster_pk,
            start_year=start_year,
            invitation_pk=pk,
            cluster_name=cluster_name,
            year_name=AcademicYear(start_year=start_year).name,
            name=school_name or member_name,
            is_school=school_name is not None,
        )
        for cluster_pk, start_year, pk, cluster_name, school_name, member_name in rows
    ]


def actions_of(reviews) -> list[ReviewAction]:
    """The changes decided for next year in these reviews, soonest due first."""
    return list(
        ReviewAction.objects.filter(review__in=reviews)
        .select_related("review__cluster")
        .order_by("due_on", "pk")
    )


def action_of(review, pk) -> ReviewAction | None:
    return ReviewAction.objects.filter(review=review, pk=pk).first()


@dataclass
class ScoreSummary:
    """How one group (schools or team members) scored one question."""

    counts: list[int] = field(default_factory=lambda: [0] * 5)  # strongly disagree … strongly agree

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def mean(self) -> float | None:
        if not self.total:
            return None
        return sum(score * n for score, n in enumerate(self.counts, start=1)) / self.total

    @property
    def median(self) -> float | None:
        """The middle score (halfway between the two middle ones when the number of answers is even)."""
        total = self.total
        if not total:
            return None
        scores = []
        for wanted in sorted({(total - 1) // 2, total // 2}):
            seen = 0
            for score, n in enumerate(self.counts, start=1):
                seen += n
                if wanted < seen:
                    scores.append(score)
                    break
        return sum(scores) / len(scores)

    @property
    def rows(self) -> list[tuple[str, int]]:
        return [(label, n) for (_, label), n in zip(Agreement.choices, self.counts, strict=True)]


@dataclass
class Comment:
    from_school: bool
    score: int
    text: str
    cluster: str = ""


@dataclass
class QuestionResult:
    text: str
    schools: ScoreSummary = field(default_factory=ScoreSummary)
    team: ScoreSummary = field(default_factory=ScoreSummary)
    comments: list[Comment] = field(default_factory=list)


@dataclass
class SurveyResults:
    """A review's results (or several reviews', for the council): per question, the count of each score
    and the median and mean, from schools and from team members apart; comments only when asked for."""

    questions: list[QuestionResult]
    schools_invited: int = 0
    schools_answered: int = 0
    team_invited: int = 0
    team_answered: int = 0
    with_comments: bool = False


def survey_results(reviews, *, with_comments: bool) -> SurveyResults:
    """The results of these reviews, aggregated in the database: four queries, however many answers. Reviews
    asking differently worded questions (the council changed its list) are kept apart by wording."""
    reviews = list(reviews)
    progress = SurveyInvitation.objects.filter(review__in=reviews).aggregate(
        schools_invited=Count("pk", filter=Q(school__isnull=False)),
        schools_answered=Count("pk", filter=Q(school__isnull=False, answered_at__isnull=False)),
        team_invited=Count("pk", filter=Q(team_member__isnull=False)),
        team_answered=Count("pk", filter=Q(team_member__isnull=False, answered_at__isnull=False)),
    )
    order = (
        SurveyQuestion.objects.filter(review__in=reviews)
        .values("text")
        .annotate(first=Min("position"))
        .order_by("first", "text")
    )
    by_text = {row["text"]: QuestionResult(text=row["text"]) for row in order}
    answered = SurveyAnswer.objects.filter(
        question__review__in=reviews, invitation__answered_at__isnull=False
    )
    counts = (
        answered.annotate(
            from_school=Case(When(invitation__school__isnull=False, then=Value(True)), default=Value(False))
        )
        .values("question__text", "from_school", "score")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in counts:
        result = by_text[row["question__text"]]
        group = result.schools if row["from_school"] else result.team
        group.counts[row["score"] - 1] += row["n"]
    if with_comments:
        comments = (
            answered.exclude(comment="")
            .values_list(
                "question__text", "invitation__school", "score", "comment", "question__review__cluster__name"
            )
            .order_by(
                "question__review__cluster__name",
                "question__position",
                F("invitation__school").asc(nulls_last=True),
                "pk",
            )
        )
        for text, school, score, comment, cluster in comments:
            by_text[text].comments.append(
                Comment(from_school=school is not None, score=score, text=comment, cluster=cluster)
            )
    return SurveyResults(questions=list(by_text.values()), with_comments=with_comments, **progress)


def may_open(cluster, academic_year, today: datetime.date | None = None) -> bool:
    """Whether a review of that year could be opened now: a cluster with member schools, a year that has
    begun, and no review of it yet."""
    today = today or timezone.localdate()
    return (
        not cluster.is_city_pool
        and academic_year.starts_on <= today
        and not AnnualReview.objects.filter(cluster=cluster, academic_year=academic_year).exists()
    )


# Services: the council's questions ------------------------------------------------------------------------


def _council_questions(council, acting_user) -> list[ReviewQuestion]:
    """The council's questions, locked; the four defaults are saved the first time the council edits them."""
    Council.objects.select_for_update().get(pk=council.pk)
    questions = list(
        ReviewQuestion.objects.select_for_update().filter(council=council).order_by("position", "pk")
    )
    if questions:
        return questions
    questions = ReviewQuestion.objects.bulk_create(
        ReviewQuestion(council=council, position=number, text=text, hint=hint)
        for number, (text, hint) in enumerate(DEFAULT_QUESTIONS, start=1)
    )
    record_event(
        acting_user=acting_user,
        action="review.default_questions_saved",
        obj=council,
        council=council,
        after={"questions": [question.text for question in questions]},
    )
    return questions


def _check_question(text: str, hint: str) -> tuple[str, str]:
    errors: dict[str, str] = {}
    text = _text(errors, "text", text, "the question", limit=QUESTION_LIMIT)
    hint = _text(errors, "hint", hint, "the hint", required=False, limit=QUESTION_LIMIT)
    if errors:
        raise ReviewInvalid(errors)
    return text, hint


def _may_edit(acting_user, council) -> None:
    if not can_edit_review_questions(acting_user, council):
        raise ReviewError("Only the council's SEND team changes the annual review's questions.")


@transaction.atomic
def add_question(*, council, text: str, hint: str = "", acting_user) -> ReviewQuestion:
    """Add a question at the end of the council's list. Reviews already opened keep their questions."""
    _may_edit(acting_user, council)
    text, hint = _check_question(text, hint)
    questions = _council_questions(council, acting_user)
    question = ReviewQuestion.objects.create(
        council=council, position=max(q.position for q in questions) + 1, text=text, hint=hint
    )
    record_event(
        acting_user=acting_user,
        action="review.question_added",
        obj=question,
        council=council,
        after={"text": text, "hint": hint, "position": question.position},
    )
    return question


def _saved(council, question, acting_user) -> ReviewQuestion:
    """The saved, locked row of a question (one of the unsaved defaults is matched by its position)."""
    questions = _council_questions(council, acting_user)
    for saved in questions:
        if (question.pk and saved.pk == question.pk) or (
            not question.pk and saved.position == question.position
        ):
            return saved
    raise ReviewError("This question is not one of the council's.")


@transaction.atomic
def change_question(*, question, text: str, hint: str = "", acting_user) -> ReviewQuestion:
    """Change a question's wording or hint. Reviews already opened keep the wording they asked."""
    council = question.council
    _may_edit(acting_user, council)
    text, hint = _check_question(text, hint)
    question = _saved(council, question, acting_user)
    if question.retired_at:
        raise ReviewError("This question is retired: add a new one instead.")
    before = {"text": question.text, "hint": question.hint}
    question.text, question.hint = text, hint
    question.save(update_fields=["text", "hint"])
    record_event(
        acting_user=acting_user,
        action="review.question_changed",
        obj=question,
        council=council,
        before=before,
        after={"text": text, "hint": hint},
    )
    return question


@transaction.atomic
def move_question(*, question, direction: str, acting_user) -> ReviewQuestion:
    """Move a question in use one place up or down the council's list."""
    council = question.council
    _may_edit(acting_user, council)
    if direction not in ("up", "down"):
        raise ReviewError("Choose whether to move the question up or down.")
    question = _saved(council, question, acting_user)
    in_use = [q for q in _council_questions(council, acting_user) if q.retired_at is None]
    if question not in in_use:
        raise ReviewError("This question is retired.")
    index = in_use.index(question)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(in_use):
        raise ReviewError(f"This question is already {'first' if direction == 'up' else 'last'}.")
    in_use[index], in_use[other] = in_use[other], in_use[index]
    for number, item in enumerate(in_use, start=1):
        item.position = number
    retired = [q for q in _council_questions(council, acting_user) if q.retired_at is not None]
    for number, item in enumerate(retired, start=len(in_use) + 1):
        item.position = number
    ReviewQuestion.objects.bulk_update(in_use + retired, ["position"])
    record_event(
        acting_user=acting_user,
        action="review.question_moved",
        obj=question,
        council=council,
        after={"direction": direction, "order": [item.text for item in in_use]},
    )
    return question


@transaction.atomic
def retire_question(*, question, acting_user) -> ReviewQuestion:
    """Stop asking a question in reviews opened from now on. At least one question stays in use."""
    council = question.council
    _may_edit(acting_user, council)
    question = _saved(council, question, acting_user)
    if question.retired_at:
        raise ReviewError("This question is already retired.")
    if ReviewQuestion.objects.filter(council=council, retired_at=None).count() <= 1:
        raise ReviewError("The survey must ask at least one question.")
    question.retired_at = timezone.now()
    question.save(update_fields=["retired_at"])
    record_event(
        acting_user=acting_user,
        action="review.question_retired",
        obj=question,
        council=council,
        after={"text": question.text},
    )
    return question


# Services: opening, answering and closing a review ----------------------------------------------------------


def _school_staff_emails(school_ids) -> dict[int, list[str]]:
    """The active staff of each school, by school id, in one query."""
    staff: dict[int, set[str]] = defaultdict(set)
    for school_id, email in RoleAssignment.objects.filter(
        role=Role.SCHOOL_STAFF, school_id__in=list(school_ids), user__is_active=True
    ).values_list("school_id", "user__email"):
        staff[school_id].add(email)
    return {school_id: sorted(emails) for school_id, emails in staff.items()}


def _recipients(invitations) -> dict[int, list[str]]:
    """Who gets each invitation's email, by invitation id: the school's staff, or the team member."""
    staff = _school_staff_emails(invitation.school_id for invitation in invitations if invitation.school_id)
    found = {}
    for invitation in invitations:
        if invitation.school_id:
            found[invitation.pk] = staff.get(invitation.school_id, [])
        else:
            user = invitation.team_member.user
            found[invitation.pk] = [user.email] if user is not None and user.is_active else []
    return found


def answer_path(invitation) -> str:
    review = invitation.review
    return reverse(
        "review:answer",
        kwargs={
            "cluster_pk": review.cluster_id,
            "start_year": review.academic_year.start_year,
            "invitation_pk": invitation.pk,
        },
    )


def answer_url(invitation) -> str:
    """The full web address of the invitation's answer page, for an email."""
    return absolute(answer_path(invitation))


def _email(invitation, questions: int, *, reminder: bool) -> tuple[str, str]:
    """The subject and body of one invitation or reminder. It names the cluster, the year and who is asked,
    never anyone's answers."""
    review = invitation.review
    cluster, year = review.cluster, review.academic_year.name
    who = (
        f"for {invitation.school.name}"
        if invitation.school_id
        else "as a member of the Team Around the Cluster"
    )
    subject = f"{'Reminder: ' if reminder else ''}the annual review of {cluster.name}, {year}"
    note = f" {review.note}" if review.note else ""
    body = "\n\n".join(
        [
            f"{cluster.name} is reviewing how its cluster funding worked in {year}.{note} Please answer "
            f"{questions} short question{'s' if questions != 1 else ''} {who}: each on a scale from strongly "
            "disagree to strongly agree, with room for a comment.",
            f"Sign in to clusterfund to answer:\n{answer_url(invitation)}",
            "One answer is needed "
            + ("from each school, by any of its staff." if invitation.is_school else "from each team member.")
            + " You can change it until the review closes.",
            "You get this email because clusterfund lists you for the review."
            + (" Reminders come once a week until an answer is given." if reminder else ""),
        ]
    )
    return subject, body


def _send(subject: str, body: str, recipients: list[str]) -> None:
    transaction.on_commit(
        lambda: send_mail(subject, body, None, recipients),
        robust=True,  # one person's failed email must not stop the others'
    )


@transaction.atomic
def open_annual_review(
    *, cluster, academic_year, acting_user, today: datetime.date | None = None, note: str = ""
) -> AnnualReview:
    """Open a cluster's annual review of a year: it asks the council's questions in use now, of every school
    in the cluster that year and every member of its Team Around the Cluster, and emails each of them (a
    school's staff, a team member who can sign in) once the transaction commits. `note` says what kind of
    review it is, for example the mid-year check, on its pages, its report and its emails."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    note = _text(errors, "note", note, "the note", required=False, limit=NOTE_LIMIT)
    if errors:
        raise ReviewInvalid(errors)
    cluster = Cluster.objects.select_for_update().select_related("council").get(pk=cluster.pk)
    if not can_manage_annual_review(acting_user, cluster):
        raise ReviewError("Only the council's SEND team and the cluster's admin open the annual review.")
    if academic_year.council_id != cluster.council_id:
        raise ReviewError("That is not one of the council's academic years.")
    if cluster.is_city_pool:
        raise ReviewError("The city pool has no member schools to ask: review each cluster instead.")
    if academic_year.starts_on > today:
        raise ReviewError(f"The {academic_year.name} academic year has not begun.")
    if AnnualReview.objects.filter(cluster=cluster, academic_year=academic_year).exists():
        raise ReviewError(f"The annual review of {academic_year.name} is already open or closed.")
    schools = list(
        ClusterMembership.objects.filter(cluster=cluster, academic_year=academic_year)
        .order_by("school__name")
        .values_list("school_id", flat=True)
    )
    team = list(TeamMember.objects.filter(cluster=cluster).select_related("user").order_by("name"))
    if not schools:
        raise ReviewError(f"{cluster.name} has no member schools in {academic_year.name}.")
    questions = [q for q in _council_questions(cluster.council, acting_user) if q.retired_at is None]
    review = AnnualReview.objects.create(
        cluster=cluster, academic_year=academic_year, opened_on=today, opened_by=acting_user, note=note
    )
    SurveyQuestion.objects.bulk_create(
        SurveyQuestion(review=review, source=q, position=number, text=q.text, hint=q.hint)
        for number, q in enumerate(questions, start=1)
    )
    invitations = SurveyInvitation.objects.bulk_create(
        [SurveyInvitation(review=review, school_id=school_id) for school_id in schools]
        + [SurveyInvitation(review=review, team_member=member) for member in team]
    )
    recipients = _recipients(invitations)
    emailed = 0
    for invitation in invitations:
        if recipients[invitation.pk]:
            _send(*_email(invitation, len(questions), reminder=False), recipients[invitation.pk])
            emailed += 1
    record_event(
        acting_user=acting_user,
        action="review.opened",
        obj=review,
        council=cluster.council,
        after={
            "academic_year": academic_year.name,
            "note": note,
            "questions": [q.text for q in questions],
            "schools": len(schools),
            "team_members": len(team),
            "emailed": emailed,
        },
    )
    return review


def _locked_open(review) -> AnnualReview:
    review = (
        AnnualReview.objects.select_for_update(of=("self",))
        .select_related("cluster__council", "academic_year")
        .get(pk=review.pk)
    )
    if not review.is_open:
        raise ReviewError("The annual review is closed: answers can no longer be changed.")
    return review


@transaction.atomic
def answer_survey(*, invitation, answers: dict[int, tuple[int | None, str]], acting_user) -> SurveyInvitation:
    """Give or change an invitee's answers, until the review closes: for every question (by its id) a score
    from 1 (strongly disagree) to 5 (strongly agree) and an optional comment. The invitee answers for
    themself (a school by any of its staff); the review's admins may key in an answer given on paper or by
    email, which the results say was keyed in."""
    review = _locked_open(invitation.review)
    invitation = (
        SurveyInvitation.objects.select_for_update(of=("self",))
        .select_related("school", "team_member")
        .get(pk=invitation.pk, review=review)
    )
    invitation.review = review
    own = answers_for_self(acting_user, invitation)
    if not own and not can_manage_annual_review(acting_user, review.cluster):
        raise ReviewError(
            "Only the school's own staff answer for the school."
            if invitation.school_id
            else "Only the team member answers for themself."
        )
    if not own and invitation.answered_at is not None and not invitation.keyed_in:
        raise ReviewError(
            f"{invitation.name} answered for {'itself' if invitation.school_id else 'themself'}: only "
            f"{'its staff' if invitation.school_id else 'they'} can change the answer."
        )
    questions = {q.pk: q for q in review.questions.all()}
    errors: dict[str, str] = {}
    for pk in answers:
        if pk not in questions:
            errors[f"score_{pk}"] = "This question is not one of the review's"
    cleaned = {}
    for pk, question in questions.items():
        score, comment = answers.get(pk, (None, ""))
        if score not in Agreement.values:
            errors[f"score_{pk}"] = f"Choose how far you agree with question {question.position}"
        comment = _text(
            errors, f"comment_{pk}", comment, f"the comment on question {question.position}", required=False
        )
        cleaned[pk] = (score, comment)
    if errors:
        raise ReviewInvalid(errors)
    existing = {answer.question_id: answer for answer in invitation.answers.all()}
    before = {questions[pk].position: answer.score for pk, answer in existing.items()}
    changed = []
    for pk, (score, comment) in cleaned.items():
        answer = existing.get(pk)
        if answer is None:
            SurveyAnswer.objects.create(invitation=invitation, question_id=pk, score=score, comment=comment)
        elif (answer.score, answer.comment) != (score, comment):
            answer.score, answer.comment = score, comment
            changed.append(answer)
    SurveyAnswer.objects.bulk_update(changed, ["score", "comment"])
    first = invitation.answered_at is None
    invitation.answered_at, invitation.answered_by, invitation.keyed_in = timezone.now(), acting_user, not own
    invitation.save(update_fields=["answered_at", "answered_by", "keyed_in"])
    record_event(
        acting_user=acting_user,
        action="review.answered" if first else "review.answer_changed",
        obj=invitation,
        council=review.cluster.council,
        before={"scores": before} if before else None,
        after={
            "scores": {questions[pk].position: score for pk, (score, _) in cleaned.items()},
            "comments": sorted(questions[pk].position for pk, (_, comment) in cleaned.items() if comment),
            "keyed_in": not own,
        },
    )
    return invitation


@transaction.atomic
def close_annual_review(*, review, acting_user) -> AnnualReview:
    """Close the review: answers can no longer be given or changed, and no more reminders go."""
    review = _locked_open(review)
    if not can_manage_annual_review(acting_user, review.cluster):
        raise ReviewError("Only the council's SEND team and the cluster's admin close the annual review.")
    review.closed_at, review.closed_by = timezone.now(), acting_user
    review.save(update_fields=["closed_at", "closed_by"])
    progress = review.invitations.aggregate(
        invited=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False))
    )
    record_event(
        acting_user=acting_user,
        action="review.closed",
        obj=review,
        council=review.cluster.council,
        after=progress,
    )
    return review


def invitations_to_remind(today: datetime.date):
    """Invitations of open reviews not yet answered, whose invitee has had no email about it for a week (the
    email that opened the review counts as the first)."""
    week_ago = today - REMIND_EVERY
    return SurveyInvitation.objects.filter(review__closed_at=None, answered_at=None).filter(
        Q(reminded_on=None, review__opened_on__lte=week_ago) | Q(reminded_on__lte=week_ago)
    )


@transaction.atomic
def send_annual_review_reminders(*, today: datetime.date | None = None) -> int:
    """Remind everyone an open annual review still waits for, at most once a week: each school's staff and
    each team member who can sign in get one email per review, marked as reminded today and audited. The
    emails go once the transaction commits. Returns how many emails were sent.

    An invitee nobody can be emailed for (a school with no staff in clusterfund, a team member who does not
    sign in) stays unreminded; the admin can key in their answer."""
    today = today or timezone.localdate()
    # Locked, so that the cron command and a background task running at once remind each invitee only once.
    invitations = list(
        invitations_to_remind(today)
        .select_for_update(of=("self",))
        .select_related("review__cluster__council", "review__academic_year", "school", "team_member__user")
        .order_by("review_id", "pk")
    )
    question_counts = dict(
        SurveyQuestion.objects.filter(review_id__in={i.review_id for i in invitations})
        .values("review_id")
        .annotate(n=Count("pk"))
        .values_list("review_id", "n")
    )
    recipients = _recipients(invitations)
    reminded, sent = [], 0
    for invitation in invitations:
        to = recipients[invitation.pk]
        if not to:
            logger.warning(
                "Nobody to remind of annual review %s for invitation %s", invitation.review_id, invitation.pk
            )
            continue
        _send(*_email(invitation, question_counts.get(invitation.review_id, 0), reminder=True), to)
        record_event(
            acting_user=None,
            action="review.reminder_sent",
            obj=invitation,
            council=invitation.review.cluster.council,
            after={"reminded_on": today.isoformat(), "recipients": len(to), "review": invitation.review_id},
        )
        reminded.append(invitation.pk)
        sent += 1
    if reminded:
        SurveyInvitation.objects.filter(pk__in=reminded).update(reminded_on=today)
    return sent


@task()
def send_annual_review_reminders_task(today: str | None = None) -> int:
    """Background task: remind those an open annual review waits for (see `send_annual_review_reminders`).
    `today` is an ISO date, as task arguments must be JSON; by default, the day it runs."""
    return send_annual_review_reminders(today=datetime.date.fromisoformat(today) if today else None)


# Services: the changes decided for next year ----------------------------------------------------------------


def _check_action(what: str, owner: str, due_on) -> tuple[str, str]:
    errors: dict[str, str] = {}
    what = _text(errors, "what", what, "the change decided", limit=ACTION_LIMIT)
    owner = _text(errors, "owner", owner, "who owns it: a person's name or a role", limit=OWNER_LIMIT)
    if due_on is None:
        errors["due_on"] = "Enter the date it is due"
    if errors:
        raise ReviewInvalid(errors)
    return what, owner


@transaction.atomic
def add_review_action(*, review, what: str, owner: str, due_on, acting_user) -> ReviewAction:
    """Record a change decided for next year: what, who owns it (a person's name or a role) and when it is
    due. Recorded by the council's SEND team or the cluster's admin, during the review or after it."""
    review = (
        AnnualReview.objects.select_for_update(of=("self",))
        .select_related("cluster__council")
        .get(pk=review.pk)
    )
    if not can_manage_annual_review(acting_user, review.cluster):
        raise ReviewError("Only the council's SEND team and the cluster's admin record the changes decided.")
    what, owner = _check_action(what, owner, due_on)
    action = ReviewAction.objects.create(
        review=review, what=what, owner=owner, due_on=due_on, created_by=acting_user
    )
    record_event(
        acting_user=acting_user,
        action="review.action_added",
        obj=action,
        council=review.cluster.council,
        after={"what": what, "owner": owner, "due_on": due_on.isoformat(), "review": review.pk},
    )
    return action


@transaction.atomic
def complete_review_action(*, action, acting_user, done_on: datetime.date | None = None) -> ReviewAction:
    """Mark a change decided for next year as done."""
    action = (
        ReviewAction.objects.select_for_update(of=("self",))
        .select_related("review__cluster__council")
        .get(pk=action.pk)
    )
    cluster = action.review.cluster
    if not can_manage_annual_review(acting_user, cluster):
        raise ReviewError("Only the council's SEND team and the cluster's admin mark a change as done.")
    if action.done_on is not None:
        raise ReviewError("This change is already done.")
    action.done_on = done_on or timezone.localdate()
    action.save(update_fields=["done_on"])
    record_event(
        acting_user=acting_user,
        action="review.action_done",
        obj=action,
        council=cluster.council,
        after={"done_on": action.done_on.isoformat()},
    )
    return action
