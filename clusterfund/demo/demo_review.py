"""The demo's annual review of the current year, completed: opened by the council's SEND team, answered by
every member school and every member of the Team Around the Cluster, closed by the cluster's admin, and three
changes decided for next year, one of them already done.

Schools and team members with a demo account answer for themselves; the cluster's admin keys in the others'
answers, given on paper (the Stoke page speaks of paper submissions). The Stoke page promises that the
process will be reviewed at the end of the year and asks what happens if some schools are better at
"arguing their case" than others: the answers and the changes decided pick that up.
"""

import datetime

from django.db import transaction

from clusterfund.accounts.models import User
from clusterfund.demo.demo_requests import _cast
from clusterfund.organisations.models import AcademicYear, Cluster
from clusterfund.reports import survey
from clusterfund.reports.models import AnnualReview

# Scores for the four default questions (fairness, speed, advice, impact), taken in turn by each school and
# each team member: mostly agreeing, with a spread that gives the results something to say.
SCHOOL_SCORES = ((4, 3, 5, 4), (3, 4, 4, 4), (5, 4, 5, 5), (2, 3, 4, 3), (4, 2, 4, 4), (4, 4, 3, 5))
TEAM_SCORES = ((4, 3, 5, 4), (5, 4, 4, 4), (3, 3, 4, 4))
COMMENTS = {
    0: "Schools that write well still seem to do better. Papers without the school's name would help.",
    1: "The wait from the meeting to the support starting was the longest part.",
    2: "The educational psychologist's advice at triage saved us a request.",
    3: "The children we supported are more settled in class; the reviews show it.",
}

ACTIONS = {
    "kirklees": (
        (
            "Show every school's share of need beside its share of the money at each meeting",
            "Cluster admin",
            datetime.timedelta(days=60),
            True,
        ),
        (
            "Agree a target of three weeks from a request's submission to its triage",
            "Dr Nadia Rahman, educational psychologist",
            datetime.timedelta(days=90),
            False,
        ),
        (
            "Offer the schools that made no request this year a visit from the Team Around the Cluster",
            "Chair of Cluster 14",
            datetime.timedelta(days=120),
            False,
        ),
    ),
    "stoke-on-trent": (
        (
            "See requests blind at allocation meetings, so that no school wins by arguing its case better",
            "SEND Team manager",
            datetime.timedelta(days=45),
            True,
        ),
        (
            "Review the total of the cluster funding against the city's needs for next year",
            "Amanda Birks, SEND Team manager",
            datetime.timedelta(days=100),
            False,
        ),
        (
            "Write the guidance on applying to the contingency fund in plain English",
            "Cluster administrator",
            datetime.timedelta(days=75),
            False,
        ),
    ),
}


@transaction.atomic
def load_review(council, accounts, *, today: datetime.date | None = None) -> AnnualReview | None:
    """The completed annual review of the council's cluster for the current year, once: a cluster that has
    one is left alone."""
    cast = _cast(accounts)
    year = AcademicYear.objects.filter(council=council).current(today)
    cluster = Cluster.objects.filter(council=council, is_city_pool=False).order_by("number", "pk").first()
    if year is None or cluster is None:
        return None
    if AnnualReview.objects.filter(cluster=cluster, academic_year=year).exists():
        return None
    council_admin = _council_admin(accounts)
    review = survey.open_annual_review(
        cluster=cluster, academic_year=year, acting_user=council_admin, today=today
    )
    questions = survey.survey_questions(review)
    schools = teams = 0
    for invitation in survey.invitations_of(review):
        if invitation.is_school:
            scores, schools = SCHOOL_SCORES[schools % len(SCHOOL_SCORES)], schools + 1
            own = cast.staff.get(invitation.school.urn)
        else:
            scores, teams = TEAM_SCORES[teams % len(TEAM_SCORES)], teams + 1
            own = cast.team if invitation.team_member.user_id == cast.team.pk else None
        number = schools + teams
        answers = {
            question.pk: (
                scores[index % len(scores)],
                COMMENTS.get(index, "") if number % 3 == index % 3 else "",
            )
            for index, question in enumerate(questions)
        }
        survey.answer_survey(invitation=invitation, answers=answers, acting_user=own or cast.cluster_admin)
    survey.close_annual_review(review=review, acting_user=cast.cluster_admin)
    decided_on = today or datetime.date.today()
    for what, owner, due_in, done in ACTIONS.get(council.slug, ()):
        action = survey.add_review_action(
            review=review, what=what, owner=owner, due_on=decided_on + due_in, acting_user=cast.cluster_admin
        )
        if done:
            survey.complete_review_action(action=action, acting_user=cast.cluster_admin, done_on=decided_on)
    return review


def _council_admin(accounts) -> User:
    email = next(a.email for a in accounts if any(role == "council_admin" for role, _ in a.roles))
    return User.objects.get(email=email)
