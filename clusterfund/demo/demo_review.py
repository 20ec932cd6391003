"""The demo's annual review, completed: opened by the council's SEND team, answered by every member school
and every member of the Team Around the Cluster, closed by the cluster's admin, and three changes decided,
one of them already done.

All the demo's requests and money are in the current academic year, and the demo runs part-way through it:
so the review is of the current year, opened as its mid-year check (its note says so), not an end-of-year
review of a year with nothing in it.

Schools and team members with a demo account answer for themselves; the cluster's admin keys in the others'
answers, given on paper (the Stoke page speaks of paper submissions). The Stoke page promises that the
process will be reviewed and asks what happens if some schools are better at "arguing their case" than
others: the answers and the changes decided pick that up.

Scores are a mix, from strongly disagree to strongly agree. Some answers carry a comment (most do not); each
comment is said once in a review and matches its score: a low score a complaint, a middling one a mixed
view, a high one praise. Loading twice adds nothing.
"""

import datetime
from itertools import cycle

from django.db import transaction

from clusterfund.accounts.models import User
from clusterfund.demo.demo_requests import _cast
from clusterfund.organisations.models import AcademicYear, Cluster
from clusterfund.reports import survey
from clusterfund.reports.models import AnnualReview

# Scores for the four default questions (fairness, speed, advice, impact), one row per school and per team
# member in turn: mostly agreeing, with a few who disagree, so that the results have something to say.
SCHOOL_SCORES = (
    (4, 3, 5, 4),
    (2, 4, 4, 3),
    (5, 4, 5, 5),
    (1, 2, 4, 3),
    (4, 2, 3, 4),
    (3, 4, 5, 5),
    (4, 5, 4, 2),
    (2, 3, 4, 4),
    (5, 1, 5, 4),
    (3, 3, 2, 3),
    (4, 4, 5, 5),
)
TEAM_SCORES = ((4, 3, 5, 4), (5, 2, 4, 4), (3, 3, 4, 5), (2, 4, 3, 3))


def _band(score: int) -> str:
    return "low" if score <= 2 else "mid" if score == 3 else "high"


# For each question and each band of score, the comments the demo gives: the first half for Kirklees, the
# second half for Stoke, each used once at most, so that no comment repeats in either council.
COMMENTS = {
    0: {
        "low": (
            "Schools that write well still seem to do better. Papers without the school's name would help.",
            "Our request was turned down while a bigger school's similar one was funded; no one said why.",
            "It feels as if the schools with the loudest SENCOs get the most money.",
            "Small schools without a SENCO on the panel are at a disadvantage when requests are argued.",
        ),
        "mid": (
            "Mostly fair, though it was hard to see how the panel weighed two requests against each other.",
            "Fair on the whole, but the reasons for the decisions were too short to learn from.",
        ),
        "high": (
            "Decisions so far have followed the criteria, and the reasons given were clear.",
            "Having the need scores in the papers made the discussion about the children, not the schools.",
            "Blind papers this term took the heat out of the meetings.",
            "Our declined request came back with advice we could use, which felt fair.",
        ),
    },
    1: {
        "low": (
            "The wait from the meeting to the support starting was the longest part: eight weeks for us.",
            "Our request missed one meeting's deadline and waited half a term for the next.",
            "We are still waiting for the support agreed in October to start.",
            "Deferred twice for more evidence: by the time it was funded the child's needs had changed.",
        ),
        "mid": (
            "Decisions came quickly, but arranging the support afterwards took longer than we hoped.",
            "Quick for the small requests, slow for anything that needed a specialist.",
        ),
        "high": (
            "We heard the decision the day after the meeting and the support started within a fortnight.",
            "Triage sorted out our paperwork before the meeting, so nothing was held up.",
            "The termly rhythm of meetings suits us: we know when to expect an answer.",
            "Faster than last year: the speech and language sessions began before half term.",
        ),
    },
    2: {
        "low": (
            "The advice we got repeated what we had already tried and written in the request.",
            "We waited weeks for a visit and the advice that came was very general.",
            "Advice without funding does not help when we have no one free to carry it out.",
            "It was not clear who to ask for advice between meetings.",
        ),
        "mid": (
            "Helpful ideas, though some needed training our staff have not had.",
            "Useful for one child, less so for the others we asked about.",
        ),
        "high": (
            "The educational psychologist's advice at triage saved us a request.",
            "The specialist teacher's visit gave our teaching assistants strategies they use every day.",
            "The speech and language therapist's advice was practical and the class teacher took it up.",
            "The outreach team's advice on the pupil's transition worked better than extra hours would have.",
        ),
    },
    3: {
        "low": (
            "Too early to see a difference: the support only started a few weeks ago.",
            "The hours funded were too few to make a difference for a child with this level of need.",
            "The support stopped when the assistant left, and the progress went with it.",
            "We have seen little change so far and the first review is not due until spring.",
        ),
        "mid": (
            "Some progress in class, less at playtimes; the spring review will tell us more.",
            "One of the two children we asked for is more settled; the other is not yet.",
        ),
        "high": (
            "The children we supported are more settled in class; the first reviews show it.",
            "Attendance for the pupil we asked about has gone from 80% to 94% since the support began.",
            "The small-group sessions have helped three children start reading with confidence.",
            "Parents tell us their child now talks about school happily at home.",
        ),
    },
}
# A comment on every second answer at most, while the question and band still have one left.
COMMENT_EVERY = 2


def _comments_for(council) -> dict[tuple[int, str], list[str]]:
    """The council's half of each pool of comments, to be handed out in order."""
    second = council.slug != "kirklees"
    pools = {}
    for index, bands in COMMENTS.items():
        for band, texts in bands.items():
            half = len(texts) // 2
            pools[index, band] = list(texts[half:] if second else texts[:half])
    return pools


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


def mid_year_note(year) -> str:
    return (
        f"This is the mid-year check of {year.name}: how the cluster's funding has worked so far this year. "
        "The end-of-year review follows in the summer term."
    )


@transaction.atomic
def load_review(council, accounts, *, today: datetime.date | None = None) -> AnnualReview | None:
    """The completed mid-year check of the council's first cluster for the current year, once: a cluster
    that has one is left alone."""
    cast = _cast(accounts)
    year = AcademicYear.objects.filter(council=council).current(today)
    cluster = Cluster.objects.filter(council=council, is_city_pool=False).order_by("number", "pk").first()
    if year is None or cluster is None:
        return None
    if AnnualReview.objects.filter(cluster=cluster, academic_year=year).exists():
        return None
    council_admin = _council_admin(accounts)
    review = survey.open_annual_review(
        cluster=cluster, academic_year=year, acting_user=council_admin, today=today, note=mid_year_note(year)
    )
    questions = survey.survey_questions(review)
    school_scores, team_scores = cycle(SCHOOL_SCORES), cycle(TEAM_SCORES)
    pools = _comments_for(council)
    for answered, invitation in enumerate(survey.invitations_of(review)):
        if invitation.is_school:
            scores = next(school_scores)
            own = cast.staff.get(invitation.school.urn)
        else:
            scores = next(team_scores)
            own = cast.team if invitation.team_member.user_id == cast.team.pk else None
        answers = {}
        for index, question in enumerate(questions):
            score = scores[index % len(scores)]
            comment = ""
            pool = pools.get((index, _band(score)), [])
            if pool and (answered + index) % COMMENT_EVERY == 0:
                comment = pool.pop(0)
            answers[question.pk] = (score, comment)
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
