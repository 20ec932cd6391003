"""The demo's triage: each council's guidelines and criteria, and the Team Around the Cluster's work on
the demo requests, made through the triage services by the demo account that holds the role. Stoke's
meetings read requests blind (its seed page asks what happens if some schools argue their case better).
"""

import datetime

from clusterfund.accounts.models import RoleAssignment
from clusterfund.funding_requests.lifecycle import RequestStatus as S
from clusterfund.organisations.models import TeamMember
from clusterfund.pupils.models import Pupil
from clusterfund.triage import services as triage
from clusterfund.triage.models import AdviceRecord, Criterion, SharedResource

GUIDELINES = (
    "Check that the request shows the graduated approach (assess, plan, do, review) over at least one "
    "term; that each outcome says what should change, by when and how it will be measured; that the costs "
    "are reasonable for what is provided; and whether a resource another school shares, or advice alone, "
    "would meet the need. A request never needs an EHC plan."
)
CRITERIA = (
    (
        "Evidence of the graduated approach",
        "What was assessed, planned, done and reviewed, and for how long.",
        ["Little or none", "Some, not yet reviewed", "A full cycle", "Several cycles, well reviewed"],
    ),
    (
        "Clear, checkable outcomes",
        "Each outcome says what, by when and how it is measured.",
        ["Not checkable", "Partly checkable", "Checkable", "Checkable and ambitious"],
    ),
    (
        "Value for money",
        "What the money buys for the children, against the alternatives.",
        ["Poor", "Fair", "Good", "Excellent"],
    ),
    (
        "Benefit to other schools",
        "Whether what is learnt or bought is shared across the cluster.",
        ["None", "Some", "Much"],
    ),
)
DAY = datetime.timedelta(days=1)


def load_triage_scheme(council, admin, *, blind: bool) -> None:
    """The council's guidelines and criteria, written once."""
    if Criterion.objects.filter(council=council).exists():
        return
    triage.change_scheme(
        council=council, guidelines=GUIDELINES, blind_papers=blind, moderation_spread=2, acting_user=admin
    )
    for name, guidance, descriptors in CRITERIA:
        triage.add_criterion(
            council=council, name=name, guidance=guidance, descriptors=descriptors, acting_user=admin
        )


def _scores(fr, value: int) -> dict[int, tuple]:
    reasons = {
        1: "Little evidence in the request yet.",
        2: "Some evidence; the review is thin.",
        3: "Clear evidence over a term, with a review.",
        4: "Strong evidence over two cycles.",
    }
    return {
        criterion.pk: (min(value, criterion.scale), reasons[min(value, criterion.scale)])
        for criterion in Criterion.objects.filter(council=fr.council, is_active=True)
    }


def triage_move(fr, target: str, *, team, author):
    """Make one move of a demo request's route the way the team (or the school) would in the service:
    triage moves go through the triage services; anything else is the caller's."""
    if target == S.IN_TRIAGE:
        member = TeamMember.objects.get(cluster=fr.cluster, user=team)
        triage.assign_members(funding_request=fr, members=[member], acting_user=team)
    elif target == S.MORE_INFORMATION_NEEDED:
        triage.ask_for_more_information(
            funding_request=fr,
            questions="What did the last review show, and what advice has the school already had?",
            acting_user=team,
        )
    elif target == S.SUBMITTED:
        triage.answer_and_resubmit(
            funding_request=fr,
            answer="The review at half term showed progress in class but not at lunchtimes. The "
            "speech and language therapist advised daily small-group practice, which we have started.",
            acting_user=author,
        )
    elif target == S.READY_FOR_MEETING:
        triage.score_request(funding_request=fr, scores=_scores(fr, 2 + fr.pk % 3), acting_user=team)
        asked = triage.amount_asked(fr)
        triage.send_to_meeting(
            funding_request=fr,
            recommended_pence=asked - asked // 10 // 100 * 100 if fr.pk % 4 == 0 else asked,
            recommendation="The evidence supports the request. Fund it, and review at the end of the term.",
            acting_user=team,
        )
    elif target == S.RESOLVED_WITH_ADVICE and fr.status == S.IN_TRIAGE:
        triage.resolve_with_advice(
            funding_request=fr,
            kind="consultation",
            given_on=datetime.date.today() - 3 * DAY,
            given_by=f"{team.full_name}, {team.job_title.lower() or 'Team Around the Cluster'}",
            advice="Use a visual timetable and pre-teach the week's vocabulary; review in six weeks.",
            acting_user=team,
        )
    elif target == S.REDIRECTED:
        triage.redirect_request(
            funding_request=fr,
            reason="The need is severe and long-lasting: the school should request an EHC needs assessment.",
            acting_user=team,
        )
    else:
        return None
    fr.refresh_from_db()
    return fr


RESOURCES = (
    (
        "room",
        "Sensory room",
        "Free on Tuesday and Thursday afternoons, for up to three pupils with an adult.",
    ),
    ("staff", "ELSA-trained teaching assistant", "Half a day a week for emotional literacy sessions."),
    ("training", "Two places on our autumn Zones of Regulation training", "Twilight sessions in October."),
)


def load_shared_resources(council) -> None:
    """Each demo SENCO's school shares one resource with its cluster, unless the council's schools share
    some already."""
    if SharedResource.objects.filter(school__council=council).exists():
        return
    staff = RoleAssignment.objects.filter(council=council, role="school_staff").select_related(
        "user", "school"
    )
    for (kind, title, description), assignment in zip(RESOURCES, staff, strict=False):
        triage.share_resource(
            school=assignment.school,
            kind=kind,
            title=title,
            description=description,
            acting_user=assignment.user,
        )


ADVICE = (
    (
        "visit",
        "Specialist teacher for sensory needs",
        "Seat near the front, away from the door; ear defenders at lunch.",
    ),
    (
        "discussion",
        "Solution-focused discussion with the cluster",
        "Try a meet-and-greet each morning for six weeks.",
    ),
)


def load_advice(council) -> None:
    """Advice that needed no money, given to the first pupil of each demo SENCO's school by the cluster's
    Team Around the Cluster member, recorded once."""
    for assignment in RoleAssignment.objects.filter(council=council, role="tac").select_related(
        "user", "cluster"
    ):
        team = assignment.user
        for (kind, given_by, advice), staff in zip(
            ADVICE,
            RoleAssignment.objects.filter(council=council, role="school_staff").select_related("school"),
            strict=False,
        ):
            if AdviceRecord.objects.filter(school=staff.school, advice=advice).exists():
                continue
            pupil = Pupil.objects.filter(school=staff.school).order_by("reference").first()
            triage.record_advice(
                school=staff.school,
                pupils=[pupil] if pupil else [],
                kind=kind,
                given_on=datetime.date.today() - 20 * DAY,
                given_by=given_by,
                advice=advice,
                acting_user=team,
            )
