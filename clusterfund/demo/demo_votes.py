"""The demo's past meetings: each demo cluster has held one meeting this year and run it end to end, from
the agenda to the approved minutes, through the meeting services and by the demo accounts that hold the
roles. Its papers are a few requests of its own (written with the scheme's other requests, so they are
listed in `DemoScheme.requests`) and whatever an earlier meeting deferred.

Schools' attendance and ballots are drawn from a seeded random generator, so every load tells the same
story: most schools present, one or two online, the demo SENCOs casting their own schools' ballots and the
cluster's admin recording the rest. Loading twice adds nothing.
"""

import datetime
import random
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from clusterfund.accounts.models import RoleAssignment, User
from clusterfund.demo.demo_requests import (
    AB,
    AH,
    BJ,
    C_I,
    C_L,
    EMAIL,
    ETR,
    K_ASHBROW,
    K_BIRKBY,
    K_FIXBY,
    K_ST_THOMAS,
    MEETING,
    S_ABBEY_HULTON,
    S_ETRUSCAN,
    S_SEND_TEAM,
    S_SMALLTHORNE,
    SEMH,
    ST,
    DemoRequest,
)
from clusterfund.funding_requests.lifecycle import RequestStatus as S
from clusterfund.funding_requests.models import FundingRequest
from clusterfund.funding_requests.models import RequestType as T
from clusterfund.meetings import services
from clusterfund.meetings.models import Ballot, ItemOutcome, Meeting, MeetingKind
from clusterfund.meetings.permissions import voting_school_ids
from clusterfund.organisations.models import AcademicYear, Cluster, School

DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class DemoItem:
    """How the meeting treats one paper, found by its title: the chance that each school present approves
    it, or the decision the meeting takes before the vote (an outcome and the reason for the minutes)."""

    title: str
    support: float = 0.0
    without_vote: tuple[str, str] | None = None


@dataclass(frozen=True)
class DemoVote:
    """One cluster's past meeting: who runs it, where, who comes, its papers, how each is decided, and the
    minutes' actions and notes."""

    cluster: str  # the cluster's slug
    admin: str  # who arranges the meeting and records the decisions
    chair: str  # who runs the vote and approves the minutes
    by_school: tuple[str, ...]  # the demo SENCOs who cast their own schools' ballots
    recorded_as: str  # how the admin records every other school's ballot
    place: str
    online_link: str
    seed: int
    absent: int  # how many member schools send nobody
    online: int  # how many of those present join online
    requests: tuple[DemoRequest, ...]  # sent to the meeting; `status` is where triage leaves them
    items: tuple[DemoItem, ...]  # in agenda order; any other item goes last, with even support
    actions: tuple[tuple[str, str, int], ...]  # (what, who, due how many days after the meeting)
    notes: str


KIRKLEES_VOTE = DemoVote(
    cluster="cluster-14",
    admin="cluster14.admin@kirklees.example",
    chair="head.ashbrow@kirklees.example",
    by_school=("senco.stthomas@kirklees.example", "senco.birkbyjunior@kirklees.example"),
    recorded_as=Ballot.RecordedAs.SHOW_OF_HANDS,
    place="Ashbrow School, the library",
    online_link="https://meet.example/cluster-14",
    seed=14,
    absent=2,
    online=1,
    requests=(
        DemoRequest(
            K_BIRKBY,
            BJ,
            T.PROJECT,
            S.READY_FOR_MEETING,
            "Lego-based therapy groups in four schools",
            "Autistic pupils, and others who find it hard to play and talk with other children, in four of "
            "the cluster's schools. Lego-based therapy gives them a structured way to take turns, share and "
            "solve problems together; the schools want staff trained to run it and kits of their own.",
            C_I,
            (SEMH,),
            benefit=(24, (K_BIRKBY, K_ST_THOMAS, 148659, K_FIXBY)),
            approach=(
                "Each school's list of pupils who find social play hard: 24 in all, most of them autistic "
                "or on the autism pathway.",
                "Weekly groups of three pupils, each run by a trained teaching assistant.",
                "Birkby Junior ran one group last year with a borrowed kit.",
                "Its pupils began to play with others at lunchtime; the other three schools have no "
                "trained staff and no kits.",
                "The autism outreach team recommends Lego-based therapy and runs the training.",
            ),
            outcomes=(
                (
                    "Each pupil in a group takes turns and asks another pupil for help in a session",
                    "The teaching assistant's session records",
                ),
                (
                    "Pupils join in with others at playtime more often",
                    "Playtime observations before and after",
                ),
            ),
            lines=(
                (
                    "Lego-based therapy training, per teaching assistant",
                    "Autism outreach team",
                    "4",
                    18000,
                    1,
                ),
                ("Lego therapy kits, per school", "Supplier", "4", 22500, 1),
                ("Cover for the training day, per school", "The four schools' staff", "4", 16000, 1),
            ),
        ),
        DemoRequest(
            K_ASHBROW,
            AB,
            T.PROJECT,
            S.READY_FOR_MEETING,
            "A speech and language therapist shared by six schools, a day a fortnight",
            "Many pupils in the cluster's schools wait more than a year for NHS speech and language therapy, "
            "and schools buy a few sessions at a time at a high price. One independent therapist shared by "
            "six schools, a day a fortnight, would assess pupils sooner and train the staff who carry on "
            "the programmes.",
            C_I,
            benefit=(60, (K_ASHBROW, K_ST_THOMAS, K_BIRKBY, 107601, 138584, 148484)),
            approach=(
                "Each school's language screening: 61 pupils below the expected level, 23 of them waiting "
                "for NHS therapy.",
                "A therapist a day a fortnight, visiting each school in turn, with a programme for each "
                "pupil and training for the staff who deliver it.",
                "Two of the schools each bought a few sessions last year.",
                "The pupils seen made progress, but the sessions were too few and cost more bought singly.",
                "The NHS service supports schools buying therapy that follows its programmes.",
            ),
            outcomes=(
                (
                    "Every pupil on the list is assessed and has a programme by the end of the spring term",
                    "The therapist's caseload record",
                ),
                ("Staff in each school deliver the programmes between visits", "The therapist's visit notes"),
            ),
            lines=(
                (
                    "Speech and language therapist, one day a fortnight",
                    "Independent therapist",
                    "10",
                    42000,
                    1,
                ),
                ("Programme resources, per school", "Supplier", "6", 7500, 1),
            ),
        ),
        DemoRequest(
            K_ST_THOMAS,
            ST,
            T.PROJECT,
            S.READY_FOR_MEETING,
            "A cluster licence for an online phonics catch-up programme",
            "Pupils in Key Stage 2 who are still behind in phonics could practise at home and in school with "
            "an online programme, if the cluster bought one licence for all its primary schools.",
            C_L,
            benefit=(80, (K_ST_THOMAS, 107601, 138584, 148659, 148484, K_FIXBY, 145236)),
            approach=(
                "Phonics re-checks: 80 pupils in Years 3 to 6 across seven schools have not yet passed.",
                "Twenty minutes a day on the programme, in school and at home.",
                "A free trial at St Thomas for a half term.",
                "Pupils liked it, but fewer than half logged in at home, and teachers could not yet tell "
                "whether it added anything to the school's own phonics teaching.",
                "",
            ),
            outcomes=(
                ("Pupils using the programme pass a phonics re-check", "Re-checks in the summer term"),
            ),
            lines=(("Cluster licence for the online programme, one year", "Publisher", "1", 320000, 1),),
        ),
        DemoRequest(
            K_ST_THOMAS,
            ST,
            T.INDIVIDUAL,
            S.READY_FOR_MEETING,
            "A key adult and Makaton for a Reception child waiting for an EHC needs assessment",
            "A Reception child with very little spoken language who is not yet safe at the busy times of "
            "the day: she runs from the classroom at changes and at lunch. An EHC needs assessment has been "
            "requested.",
            C_I,
            pupils=("ST-25-003",),
            approach=(
                "Observations in class and at lunch; the early years SEN checklist; her parents' views.",
                "A key adult at changes in the day, Makaton signs and a visual timetable.",
                "The class teaching assistant has covered lunchtimes for six weeks.",
                "She is calmer at lunch with an adult beside her, but the class cannot keep up the cover.",
                "The educational psychologist has observed her for the EHC needs assessment; the report is "
                "due within six weeks.",
            ),
            outcomes=(
                ("Moves between activities with one adult prompt", "The key adult's daily log"),
                ("Uses ten Makaton signs to ask for what she needs", "The key adult's record of signs"),
            ),
            lines=(
                ("Key adult at lunchtimes and changes, per hour", "St Thomas staff", "90", 2100, 0),
                ("Makaton training for two staff", "Makaton tutor", "2", 9500, 0),
            ),
            consent=(MEETING, 64),
        ),
    ),
    items=(
        DemoItem("Assistive technology and touch-typing for a Year 5 pupil with dyslexia", support=0.8),
        DemoItem("Lego-based therapy groups in four schools", support=0.7),
        DemoItem("A speech and language therapist shared by six schools, a day a fortnight", support=0.6),
        DemoItem("A cluster licence for an online phonics catch-up programme", support=0.0),
        DemoItem(
            "A key adult and Makaton for a Reception child waiting for an EHC needs assessment",
            without_vote=(
                ItemOutcome.DEFERRED,
                "Deferred until the EHC needs assessment decision, due before the next meeting: the cluster "
                "does not fund what a plan may provide. The school covers lunchtimes until then.",
            ),
        ),
    ),
    actions=(
        (
            "Send the schools the touch-typing course's details, so that others can join the same licence",
            "Claire Dyson, SENCO, St Thomas CE Primary School",
            14,
        ),
        (
            "Book the Lego-based therapy training for a teaching assistant from each of the four schools",
            "Imran Hussain, SENCO, Birkby Junior School",
            28,
        ),
        (
            "Bring the deferred Reception request back once the EHC needs assessment decision is known",
            "Sarah Lockwood, Cluster 14 administrator",
            49,
        ),
    ),
    notes=(
        "Dr Nadia Rahman presented the Team Around the Cluster's advice on each paper. The schools asked "
        "for the Lego-based therapy groups and the shared therapist to report back next term. "
        "No school supported the phonics licence: the schools would rather keep their own validated "
        "phonics programmes."
    ),
)

STOKE_VOTE = DemoVote(
    cluster="central-cluster",
    admin="central.admin@stoke.example",
    chair="locality.lead@stoke.example",
    by_school=("senco.abbeyhulton@stoke.example", "senco.etruscan@stoke.example"),
    recorded_as=Ballot.RecordedAs.PAPER,
    place="Etruscan Primary School, the hall",
    online_link="https://meet.example/central-cluster",
    seed=1,
    absent=4,
    online=3,
    requests=(
        DemoRequest(
            S_ABBEY_HULTON,
            AH,
            T.PROJECT,
            S.READY_FOR_MEETING,
            "Attention Autism training and resources for six schools",
            "Young autistic pupils, and pupils with delayed language, in several of the cluster's schools "
            "cannot yet attend to an adult-led activity for more than a minute or two. Attention Autism "
            "builds shared attention step by step, and staff trained in it can run it every day.",
            C_I,
            benefit=(48, (S_ABBEY_HULTON, S_ETRUSCAN, S_SMALLTHORNE, 146459, 148121, 146465)),
            approach=(
                "Each school's count of pupils in Reception and Year 1 who cannot attend to a group "
                "activity led by an adult: 48 in all.",
                "Daily Attention Autism sessions in each school, run by trained staff.",
                "One school has run sessions since the summer, after a member of staff trained elsewhere.",
                "Its pupils attend for longer at group times; the other schools have asked to be trained.",
                "The Inclusion Support Service recommends Attention Autism and would run the training.",
            ),
            outcomes=(
                (
                    "Pupils taking part attend to a group activity for five minutes",
                    "Session records at the start and end of the spring term",
                ),
                (
                    "Every school in the project runs daily sessions",
                    "A visit by the Inclusion Support Service",
                ),
            ),
            lines=(
                (
                    "Attention Autism training, two days, per member of staff",
                    "Inclusion Support Service",
                    "6",
                    39000,
                    1,
                ),
                ("Attention Autism resource kits, per school", "Supplier", "6", 11000, 1),
            ),
        ),
        DemoRequest(
            S_ETRUSCAN,
            ETR,
            T.PROJECT,
            S.READY_FOR_MEETING,
            "Emotion coaching training for lunchtime supervisors",
            "Most incidents involving pupils on the SEN register in the cluster's schools happen at "
            "lunchtime, when they are supervised by staff who have had no training in supporting children "
            "who are dysregulated.",
            SEMH,
            benefit=(150, (S_ETRUSCAN, S_ABBEY_HULTON, 139846, 138550, 146459)),
            approach=(
                "Incident logs from five schools: 62% of the incidents involving pupils on the SEN register "
                "happened at lunchtime.",
                "Emotion coaching training for every lunchtime supervisor, and a refresher in the summer.",
                "Two schools gave their supervisors a short briefing on calming situations down.",
                "Supervisors said the briefing helped but was too short to change what they do.",
                "Stoke-on-Trent Educational Psychology runs emotion coaching training and recommends it for "
                "all staff who supervise pupils.",
            ),
            outcomes=(
                (
                    "Lunchtime incidents involving pupils on the SEN register fall by a third",
                    "Each school's incident log, autumn against spring",
                ),
                ("Every lunchtime supervisor in the five schools is trained", "Training registers"),
            ),
            lines=(
                (
                    "Emotion coaching training, one session in each school",
                    "Stoke-on-Trent Educational Psychology",
                    "5",
                    42000,
                    1,
                ),
                ("Paid time for supervisors to attend, per hour", "The five schools' staff", "60", 1400, 1),
            ),
        ),
        DemoRequest(
            S_SMALLTHORNE,
            S_SEND_TEAM,
            T.PROJECT,
            S.READY_FOR_MEETING,
            "A behaviour-tracking app for five schools",
            "Received on the school's paper form. Schools record incidents in different ways, so the cluster "
            "cannot compare them or see patterns across schools. One behaviour-tracking app would give every "
            "school the same records and reports.",
            SEMH,
            benefit=(200, (S_SMALLTHORNE, S_ABBEY_HULTON, S_ETRUSCAN, 146459, 148121)),
            approach=(
                "A survey of five schools: five different ways of recording incidents.",
                "One app for every school, with training for each school's SENCO.",
                "One school is using a free trial.",
                "Its staff find the reports useful; other schools already pay for systems that do the same.",
                "",
            ),
            outcomes=(
                ("Every school in the project records incidents in the app", "The app's usage report"),
            ),
            lines=(("Behaviour-tracking app, one year, per school", "Software supplier", "5", 90000, 1),),
        ),
        DemoRequest(
            S_ETRUSCAN,
            ETR,
            T.INDIVIDUAL,
            S.READY_FOR_MEETING,
            "Speech-to-text software and a laptop for a Year 4 pupil with dyslexia",
            "A Year 4 pupil with dyslexia whose spoken ideas are far ahead of what he can write. Written "
            "tasks take him three times as long as his classmates and he often will not start them.",
            C_L,
            pupils=("ETR-162",),
            approach=(
                "A dyslexia screening by the Inclusion Support Service; a writing speed check; his views.",
                "Word banks, a scribe for longer tasks, and a laptop with speech-to-text.",
                "Word banks and a scribe for two lessons a week for a term.",
                "He writes more with a scribe, but a scribe cannot be there in every lesson.",
                "The Inclusion Support Service advised speech-to-text software.",
            ),
            outcomes=(("Writes half a page on his own in a lesson", "Samples of his work each half term"),),
            lines=(
                ("Laptop", "Supplier", "1", 45000, 0),
                ("Speech-to-text software licence, one year", "Supplier", "1", 12000, 0),
            ),
            consent=(EMAIL, 62),
        ),
    ),
    items=(
        DemoItem("Attention Autism training and resources for six schools", support=0.75),
        DemoItem("Emotion coaching training for lunchtime supervisors", support=0.55),
        DemoItem("A behaviour-tracking app for five schools", support=0.0),
        DemoItem(
            "Speech-to-text software and a laptop for a Year 4 pupil with dyslexia",
            without_vote=(
                ItemOutcome.RESOLVED_WITH_ADVICE,
                "Resolved with advice: the dictation built into the school's Microsoft 365, on its own "
                "laptops, does what the paper asks for. The Inclusion Support Service will show staff how "
                "to set it up; no funding is needed.",
            ),
        ),
        DemoItem(
            "Precision teaching and a reading group for Year 4",
            without_vote=(
                ItemOutcome.DEFERRED,
                "Deferred again at the school's request, to be heard at the next allocation meeting with "
                "the latest reading assessments.",
            ),
        ),
    ),
    actions=(
        (
            "Show staff how to set up dictation in Microsoft 365 for the pupil in the advice item",
            "Rachel Plant, Inclusion Support Service",
            21,
        ),
        (
            "Agree dates for the Attention Autism training with the six schools",
            "Donna Shenton, cluster administrator",
            28,
        ),
        (
            "Share the emotion coaching materials with the schools that are not in the project",
            "Dr Owen Bradbury, educational psychologist",
            42,
        ),
    ),
    notes=(
        "An extra allocation meeting, so that the pilot's first papers were decided before Christmas. Two "
        "schools would like to make a joint bid for a nurture group at the next allocation meeting. The "
        "meeting voted on the papers ready for a decision. No school supported the behaviour-tracking app: "
        "most schools already pay for a system that does the same."
    ),
)


def _user(email: str) -> User:
    return User.objects.get(email=email)


def _school_of(user, council) -> School:
    return RoleAssignment.objects.get(user=user, council=council, role="school_staff").school


def _past_meeting(cluster, year, today, admin) -> Meeting | None:
    """The cluster's latest meeting this year that has been held and decides requests. In a scheme that
    meets twice a term, none may have been held yet (the first of each term is for sharing ideas): the
    cluster's admin then adds an extra allocation meeting a fortnight ago, as admins may."""
    held = Meeting.objects.filter(cluster=cluster, academic_year=year, held_on__lt=today).planned()
    meeting = held.exclude(kind=MeetingKind.IDEAS).order_by("-held_on", "-pk").first()
    if meeting is not None or not held.exists():
        return meeting
    day = today - datetime.timedelta(days=14)
    day -= datetime.timedelta(days=(day.weekday() - 2) % 7)  # a Wednesday, as clusters meet
    return services.add_meeting(
        cluster=cluster,
        academic_year=year,
        kind=MeetingKind.ALLOCATION,
        held_on=day,
        paper_deadline=None,
        place="To be confirmed",
        online_link="",
        chair=None,
        acting_user=admin,
    )


def load_votes(council, vote: DemoVote, *, today: datetime.date | None = None) -> Meeting | None:
    """Run the cluster's past meeting from the agenda to the published minutes, once: nothing is done
    when any of the cluster's meetings has already opened a vote, or none has been held yet this year."""
    today = today or timezone.localdate()
    cluster = Cluster.objects.get(council=council, slug=vote.cluster)
    if Meeting.objects.filter(cluster=cluster).exclude(vote_opened_at=None).exists():
        return None
    year = AcademicYear.objects.filter(council=council).current(today)
    admin, chair = _user(vote.admin), _user(vote.chair)
    meeting = _past_meeting(cluster, year, today, admin)
    if meeting is None:
        return None
    meeting = services.move_meeting(
        meeting=meeting,
        held_on=meeting.held_on,
        paper_deadline=meeting.paper_deadline,
        place=vote.place,
        online_link=vote.online_link,
        chair=chair,
        acting_user=admin,
    )
    # The demo writes its papers today, so each was submitted to the next meeting; they met this
    # meeting's deadline. Requests an earlier meeting deferred are heard here too.
    titles = [spec.title for spec in vote.requests]
    FundingRequest.objects.filter(cluster=cluster).filter(
        Q(status=S.READY_FOR_MEETING, title__in=titles) | Q(status=S.DEFERRED)
    ).update(meeting=meeting)

    services.build_agenda(meeting=meeting, acting_user=admin)
    plan = {item.title: item for item in vote.items}
    order = [item.title for item in vote.items]
    items = sorted(
        meeting.items.select_related("funding_request"),
        key=lambda item: (
            order.index(item.funding_request.title) if item.funding_request.title in plan else len(order),
            item.position,
        ),
    )
    services.order_agenda(meeting=meeting, item_ids=[item.pk for item in items], acting_user=admin)
    # The demo's lot is drawn the same way on every load (by reference), so its results are the same too.
    services.freeze_agenda(meeting=meeting, acting_user=admin, draw=lambda lot: lot.sort())

    # Seeded, so that every load tells the same story; nothing here is a secret.
    rng = random.Random(vote.seed)  # noqa: S311
    voters = {_school_of(_user(email), council).pk: _user(email) for email in vote.by_school}
    members = list(School.objects.filter(pk__in=voting_school_ids(meeting)).order_by("name", "pk"))
    chair_schools = set(
        RoleAssignment.objects.filter(user=chair, role="school_staff").values_list("school_id", flat=True)
    )
    others = [school for school in members if school.pk not in voters and school.pk not in chair_schools]
    away = set(rng.sample([school.pk for school in others], vote.absent))
    present = [school for school in members if school.pk not in away]
    online = set(rng.sample([school.pk for school in present if school.pk not in voters], vote.online))
    for school in present:
        services.record_attendance(
            meeting=meeting,
            school=school,
            mode="online" if school.pk in online else "in_person",
            acting_user=admin,
        )

    for item in meeting.items.select_related("funding_request"):
        decided = plan.get(item.funding_request.title)
        if decided and decided.without_vote:
            outcome, note = decided.without_vote
            services.decide_without_vote(item=item, outcome=outcome, note=note, acting_user=chair)
    meeting = services.open_vote(meeting=meeting, acting_user=chair)

    on_the_vote = list(meeting.items.filter(outcome="").select_related("funding_request"))
    for school in present:
        choices = {}
        for item in on_the_vote:
            if school.pk not in item.eligible_school_ids:
                continue
            decided = plan.get(item.funding_request.title)
            support = decided.support if decided else 0.5
            choices[item.pk] = "for" if rng.random() < support else "abstain"
        own = voters.get(school.pk)
        services.cast_ballot(
            meeting=meeting,
            school=school,
            choices=choices,
            recorded_as=Ballot.RecordedAs.BY_SCHOOL if own else vote.recorded_as,
            acting_user=own or admin,
        )
    services.close_vote(meeting=meeting, acting_user=chair)
    services.record_decisions(meeting=meeting, acting_user=admin)
    for text, owner, days in vote.actions:
        services.add_action(
            meeting=meeting, text=text, owner=owner, due_on=meeting.held_on + days * DAY, acting_user=admin
        )
    return services.approve_minutes(meeting=meeting, notes=vote.notes, acting_user=chair)
