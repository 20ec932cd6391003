"""Arranging meetings: each year's default meetings from the scheme's rhythm, and admins adding, moving and
cancelling them. A cancelled meeting's requests go to the next meeting that takes papers."""

import datetime
import secrets

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from clusterfund.accounts.models import RoleAssignment
from clusterfund.accounts.permissions import scope_of
from clusterfund.audit.services import record_event
from clusterfund.core.errors import Invalid, Refused
from clusterfund.core.links import absolute
from clusterfund.funding_requests.lifecycle import RequestStatus, StateTransitionError
from clusterfund.funding_requests.models import FundingRequest
from clusterfund.funding_requests.services import move_request
from clusterfund.meetings import counting
from clusterfund.meetings.models import (
    DEFAULT_DEADLINE,
    OUTSIDE_THE_VOTE,
    AgendaItem,
    Attendance,
    Ballot,
    BallotLine,
    ChairsAction,
    ItemOutcome,
    Meeting,
    MeetingAction,
    MeetingKind,
    MeetingStatus,
)
from clusterfund.meetings.permissions import (
    can_approve_minutes,
    can_arrange_meetings,
    can_run_vote,
    can_set_meeting_rules,
    can_vote_for,
    voting_school_ids,
)
from clusterfund.meetings.selectors import quorum
from clusterfund.money.models import Pot
from clusterfund.money.services import MoneyError, balances_of, make_award, pot_for_request
from clusterfund.organisations.models import Cluster, ClusterMembership, HalfTerm
from clusterfund.triage.models import TriageDecision, TriageOutcome
from clusterfund.voting.rules import format_pence

PLACE_LIMIT = 200
IDEAS_DO_NOT_VOTE = (
    "A meeting to share ideas and nominate projects does not decide funding: requests go to the "
    "allocation meeting."
)


class MeetingError(Refused):
    """A change the meetings rules forbid, with a message the person can read."""


class MeetingInvalid(Invalid, MeetingError):
    """What the person entered is wrong; `errors` maps each field to what is wrong with it."""


def _wednesday_before(day: datetime.date) -> datetime.date:
    """The last Wednesday on or before `day`: clusters meet mid-week after school."""
    return day - datetime.timedelta(days=(day.weekday() - 2) % 7)


def _default_dates(council, academic_year) -> list[tuple[str, datetime.date, str]]:
    """(kind, date, what it is for) for a cluster's year, by the scheme's rhythm."""
    halves = list(HalfTerm.objects.filter(term__academic_year=academic_year).order_by("number"))
    dates = []
    for half in halves:
        last_week = _wednesday_before(half.ends_on - datetime.timedelta(days=7))
        if council.meetings_per_term == "two_a_term":
            kind = MeetingKind.IDEAS if half.number % 2 else MeetingKind.ALLOCATION
        else:
            kind = MeetingKind.ALLOCATION
        dates.append((kind, last_week))
    return dates


@transaction.atomic
def create_default_meetings(*, council, academic_year, acting_user) -> list[Meeting]:
    """Each cluster's meetings for the year by the scheme's rhythm (one a half term, or two a term: one to
    share ideas, one to allocate), and where there is a city pool, a city meeting each term. Meetings the
    year already has are kept; nothing is made twice."""
    made = []
    clusters = list(Cluster.objects.filter(council=council))
    existing = set(
        Meeting.objects.filter(academic_year=academic_year).values_list("cluster_id", "kind", "held_on")
    )
    defaults = _default_dates(council, academic_year)
    for cluster in clusters:
        if cluster.is_city_pool:
            # The city meeting is termly, in each term's second half.
            plan = [(MeetingKind.CITY, day) for number, (_, day) in enumerate(defaults) if number % 2]
        else:
            plan = defaults
        for kind, day in plan:
            if (cluster.pk, kind, day) in existing:
                continue
            made.append(
                Meeting.objects.create(
                    cluster=cluster,
                    academic_year=academic_year,
                    kind=kind,
                    held_on=day,
                    paper_deadline=day - DEFAULT_DEADLINE,
                    place="To be confirmed",
                )
            )
    record_event(
        acting_user=acting_user,
        action="meetings.defaults_created",
        obj=academic_year,
        council=council,
        after={"meetings": len(made)},
    )
    return made


def _values(errors: dict, *, held_on, paper_deadline, place, online_link, academic_year) -> None:
    if held_on is None:
        errors["held_on"] = "Enter the date of the meeting"
    elif not academic_year.starts_on <= held_on <= academic_year.ends_on:
        errors["held_on"] = f"The date of the meeting must be in the {academic_year.name} school year"
    if paper_deadline is not None and held_on is not None and paper_deadline > held_on:
        errors["paper_deadline"] = "The paper deadline must be on or before the day of the meeting"
    if len(place or "") > PLACE_LIMIT:
        errors["place"] = f"The place must be {PLACE_LIMIT} characters or fewer"
    if not (place or "").strip() and not (online_link or "").strip():
        errors["place"] = "Enter where the meeting is, or a link to join it online"


@transaction.atomic
def add_meeting(
    *, cluster, academic_year, kind, held_on, paper_deadline, place, online_link, chair, acting_user
) -> Meeting:
    """Add a meeting to a cluster's year. The paper deadline is a week before unless given."""
    if not can_arrange_meetings(acting_user, cluster):
        raise MeetingError("Only the cluster's admin or the council's SEND team arranges meetings.")
    errors: dict[str, str] = {}
    if kind not in MeetingKind.values:
        errors["kind"] = "Choose what the meeting is for"
    _values(
        errors,
        held_on=held_on,
        paper_deadline=paper_deadline,
        place=place,
        online_link=online_link,
        academic_year=academic_year,
    )
    if errors:
        raise MeetingInvalid(errors)
    meeting = Meeting.objects.create(
        cluster=cluster,
        academic_year=academic_year,
        kind=kind,
        held_on=held_on,
        paper_deadline=paper_deadline or held_on - DEFAULT_DEADLINE,
        place=(place or "").strip(),
        online_link=(online_link or "").strip(),
        chair=chair,
    )
    record_event(
        acting_user=acting_user,
        action="meeting.added",
        obj=meeting,
        council=cluster.council,
        after={"held_on": held_on.isoformat(), "kind": kind},
    )
    return meeting


@transaction.atomic
def move_meeting(*, meeting, held_on, paper_deadline, place, online_link, chair, acting_user) -> Meeting:
    """Change a meeting's date, deadline, place, link or chair."""
    meeting = (
        Meeting.objects.select_for_update().select_related("cluster", "academic_year").get(pk=meeting.pk)
    )
    if not can_arrange_meetings(acting_user, meeting.cluster):
        raise MeetingError("Only the cluster's admin or the council's SEND team arranges meetings.")
    if meeting.is_cancelled:
        raise MeetingError("The meeting has been cancelled.")
    if meeting.vote_opened_at:
        raise MeetingError("The meeting has voted, so its date, place and chair stay as they were.")
    errors: dict[str, str] = {}
    _values(
        errors,
        held_on=held_on,
        paper_deadline=paper_deadline,
        place=place,
        online_link=online_link,
        academic_year=meeting.academic_year,
    )
    if errors:
        raise MeetingInvalid(errors)
    before = {"held_on": meeting.held_on.isoformat(), "paper_deadline": meeting.paper_deadline.isoformat()}
    meeting.held_on = held_on
    meeting.paper_deadline = paper_deadline or held_on - DEFAULT_DEADLINE
    meeting.place, meeting.online_link, meeting.chair = (
        (place or "").strip(),
        (online_link or "").strip(),
        chair,
    )
    meeting.save()
    record_event(
        acting_user=acting_user,
        action="meeting.moved",
        obj=meeting,
        council=meeting.cluster.council,
        before=before,
        after={"held_on": held_on.isoformat(), "paper_deadline": meeting.paper_deadline.isoformat()},
    )
    return meeting


@transaction.atomic
def cancel_meeting(*, meeting, reason: str, acting_user) -> Meeting:
    """Cancel a meeting, saying why. Requests submitted to it go to the next meeting that takes papers."""
    meeting = Meeting.objects.select_for_update().select_related("cluster").get(pk=meeting.pk)
    if not can_arrange_meetings(acting_user, meeting.cluster):
        raise MeetingError("Only the cluster's admin or the council's SEND team arranges meetings.")
    if meeting.is_cancelled:
        raise MeetingError("The meeting has already been cancelled.")
    if meeting.vote_opened_at:
        raise MeetingError("The meeting has voted, so it cannot be cancelled.")
    reason = (reason or "").strip()
    if not reason:
        raise MeetingInvalid({"reason": "Enter why the meeting is cancelled"})
    meeting.status, meeting.cancelled_reason = MeetingStatus.CANCELLED, reason[:1000]
    meeting.save(update_fields=["status", "cancelled_reason"])
    following = (
        Meeting.objects.filter(cluster=meeting.cluster)
        .taking_papers(timezone.localdate())
        .filter(held_on__gte=meeting.held_on)
        .exclude(pk=meeting.pk)
        .order_by("held_on", "pk")
        .first()
    )
    moved = meeting.requests.update(meeting=following)
    record_event(
        acting_user=acting_user,
        action="meeting.cancelled",
        obj=meeting,
        council=meeting.cluster.council,
        after={"reason": reason, "requests_moved": moved, "to": str(following) if following else None},
    )
    return meeting


# The agenda


def _locked(meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("cluster__council", "academic_year")
        .get(pk=meeting.pk)
    )


@transaction.atomic
def build_agenda(*, meeting, acting_user) -> list[AgendaItem]:
    """Put on the agenda every request triage made ready for this meeting, and every request an earlier
    meeting deferred (marked carried over). Requests already on it stay where they are."""
    meeting = _locked(meeting)
    if not can_arrange_meetings(acting_user, meeting.cluster):
        raise MeetingError("Only the cluster's admin or the council's SEND team prepares the agenda.")
    if meeting.is_frozen or meeting.is_cancelled:
        raise MeetingError(
            "The agenda is frozen." if meeting.is_frozen else "The meeting has been cancelled."
        )
    if meeting.kind == MeetingKind.IDEAS:
        raise MeetingError(IDEAS_DO_NOT_VOTE)
    on_agenda = set(meeting.items.values_list("funding_request_id", flat=True))
    position = meeting.items.count()
    if meeting.cluster.is_city_pool:
        # the city meeting hears the council's contingency requests sent to it, from every cluster
        heard_here = FundingRequest.objects.filter(
            council_id=meeting.cluster.council_id, to_city_meeting=True
        )
    else:
        heard_here = FundingRequest.objects.filter(cluster=meeting.cluster, to_city_meeting=False)
    ready = heard_here.filter(
        Q(status=RequestStatus.READY_FOR_MEETING, meeting=meeting)
        | Q(status=RequestStatus.READY_FOR_MEETING, meeting__isnull=True)
        | Q(status=RequestStatus.READY_FOR_MEETING, meeting__held_on__lt=meeting.held_on)
        | Q(status=RequestStatus.DEFERRED)
    ).exclude(
        # a request is on one undecided agenda at a time
        pk__in=AgendaItem.objects.filter(
            meeting__decisions_recorded_at=None, meeting__status=MeetingStatus.PLANNED
        ).values("funding_request_id")
    )
    added = []
    for funding_request in ready.order_by("-is_urgent", "submitted_at", "pk"):
        if funding_request.pk in on_agenda:
            continue
        position += 1
        added.append(
            AgendaItem.objects.create(
                meeting=meeting,
                funding_request=funding_request,
                position=position,
                carried_over=funding_request.status == RequestStatus.DEFERRED,
            )
        )
    record_event(
        acting_user=acting_user,
        action="meeting.agenda_built",
        obj=meeting,
        council=meeting.cluster.council,
        after={"added": [item.funding_request.reference for item in added]},
    )
    return added


@transaction.atomic
def order_agenda(*, meeting, item_ids: list[int], acting_user) -> None:
    """Put the agenda in the order given (every item, once each)."""
    meeting = _locked(meeting)
    if not can_arrange_meetings(acting_user, meeting.cluster):
        raise MeetingError("Only the cluster's admin or the council's SEND team orders the agenda.")
    if meeting.is_frozen:
        raise MeetingError("The agenda is frozen.")
    items = {item.pk: item for item in meeting.items.all()}
    if sorted(item_ids) != sorted(items):
        raise MeetingInvalid({"order": "Give every item on the agenda a place, once each"})
    for position, pk in enumerate(item_ids, start=1):
        items[pk].position = position
        items[pk].save(update_fields=["position"])
    record_event(
        acting_user=acting_user,
        action="meeting.agenda_ordered",
        obj=meeting,
        council=meeting.cluster.council,
        after={"order": [items[pk].funding_request.reference for pk in item_ids]},
    )


def _amount_for(funding_request) -> int:
    """What the meeting votes on: the team's recommended amount, or the amount asked."""
    decision = (
        TriageDecision.objects.filter(
            funding_request=funding_request, outcome=TriageOutcome.READY_FOR_MEETING
        )
        .order_by("-decided_at", "-id")
        .first()
    )
    if decision is not None and decision.recommended_pence is not None:
        return decision.recommended_pence
    return sum(funding_request.provision_lines.values_list("total_pence", flat=True))


@transaction.atomic
def freeze_agenda(*, meeting, acting_user, draw=None) -> Meeting:
    """Fix the agenda: each request's amount, which schools may vote on it (never the schools that
    submitted or joined it), whether the meeting reads it blind, and the tie-break lot, drawn now and
    published with the agenda. After this the agenda does not change. `draw` shuffles the lot in place
    (by default at random; the demo draws the same lot every time it loads)."""
    meeting = _locked(meeting)
    if not can_arrange_meetings(acting_user, meeting.cluster):
        raise MeetingError("Only the cluster's admin or the council's SEND team freezes the agenda.")
    if meeting.is_frozen:
        raise MeetingError("The agenda is already frozen.")
    if meeting.kind == MeetingKind.IDEAS:
        raise MeetingError(IDEAS_DO_NOT_VOTE)
    items = list(meeting.items.select_related("funding_request"))
    if not items:
        raise MeetingError("The agenda is empty: build it before freezing it.")
    voters = voting_school_ids(meeting)
    for item in items:
        fr = item.funding_request
        own = {fr.lead_school_id, *fr.joint_schools.values_list("school_id", flat=True)}
        item.amount_pence = _amount_for(fr)
        item.eligible_school_ids = sorted(voters - own)
        item.save(update_fields=["amount_pence", "eligible_school_ids"])
    lot = [item.funding_request.reference for item in items]
    (draw or secrets.SystemRandom().shuffle)(lot)
    meeting.lot, meeting.is_blind = lot, meeting.cluster.council.blind_papers
    meeting.frozen_at, meeting.frozen_by = timezone.now(), acting_user
    meeting.save(update_fields=["lot", "is_blind", "frozen_at", "frozen_by"])
    record_event(
        acting_user=acting_user,
        action="meeting.agenda_frozen",
        obj=meeting,
        council=meeting.cluster.council,
        after={"lot": lot, "amounts": {item.funding_request.reference: item.amount_pence for item in items}},
    )
    return meeting


# Attendance and quorum


@transaction.atomic
def record_attendance(*, meeting, school, mode: str, acting_user) -> Attendance:
    """Record that a member school is present, in person or online."""
    meeting = _locked(meeting)
    if not can_arrange_meetings(acting_user, meeting.cluster):
        raise MeetingError("Only the cluster's admin or the council's SEND team records attendance.")
    if meeting.vote_opened_at or meeting.is_cancelled:
        raise MeetingError("Attendance is fixed once the vote opens.")
    if school.pk not in voting_school_ids(meeting):
        raise MeetingInvalid({"school": f"{school.name} is not a member school of this meeting"})
    if mode not in Attendance.Mode.values:
        raise MeetingInvalid({"mode": "Choose whether the school is there in person or online"})
    attendance, _ = Attendance.objects.update_or_create(
        meeting=meeting, school=school, defaults={"mode": mode, "recorded_by": acting_user}
    )
    record_event(
        acting_user=acting_user,
        action="meeting.attendance_recorded",
        obj=meeting,
        council=meeting.cluster.council,
        after={"school": school.name, "mode": mode},
    )
    return attendance


# Items the meeting decides without a vote


@transaction.atomic
def decide_without_vote(*, item, outcome: str, note: str, acting_user) -> AgendaItem:
    """Before the vote opens, take an item off the ballot: defer it to the next meeting, or resolve it with
    advice. An empty outcome puts it back on the ballot."""
    meeting = _locked(item.meeting)
    if not can_run_vote(acting_user, meeting.cluster):
        raise MeetingError("Only the chair or the cluster's admin decides items at the meeting.")
    if not meeting.is_frozen or meeting.vote_opened_at:
        raise MeetingError(
            "Items are deferred or resolved with advice after the agenda is frozen and before the vote opens."
        )
    if outcome and outcome not in OUTSIDE_THE_VOTE:
        raise MeetingInvalid({"outcome": "Choose whether the item is deferred or resolved with advice"})
    note = (note or "").strip()
    if outcome and not note:
        raise MeetingInvalid({"note": "Say why, for the minutes"})
    item = AgendaItem.objects.select_related("funding_request").get(pk=item.pk, meeting=meeting)
    before = item.outcome
    item.outcome, item.outcome_note = outcome, note[:2000]
    item.save(update_fields=["outcome", "outcome_note"])
    record_event(
        acting_user=acting_user,
        action="meeting.item_decided_without_vote",
        obj=meeting,
        council=meeting.cluster.council,
        before={"item": item.funding_request.reference, "outcome": before},
        after={"item": item.funding_request.reference, "outcome": outcome, "note": note},
    )
    return item


# The vote


def _on_the_vote(meeting) -> list[AgendaItem]:
    return list(meeting.items.filter(outcome="").select_related("funding_request").order_by("position", "pk"))


@transaction.atomic
def open_vote(*, meeting, acting_user) -> Meeting:
    """Open the vote once the agenda is frozen and the quorum is met. Each school present gets a fresh
    voter id for this meeting's ballot export, in an order drawn now."""
    meeting = _locked(meeting)
    if not can_run_vote(acting_user, meeting.cluster):
        raise MeetingError("Only the chair or the cluster's admin opens the vote.")
    if meeting.is_cancelled or not meeting.is_frozen:
        raise MeetingError("Freeze the agenda before opening the vote.")
    if meeting.vote_opened_at:
        raise MeetingError(
            "The vote is already open." if not meeting.vote_closed_at else "The vote is closed."
        )
    present = sorted(meeting.attendance.values_list("school_id", flat=True))
    _, needed, quorate = quorum(meeting)
    if not quorate:
        raise MeetingError(
            f"The meeting is not quorate: {len(present)} of the {needed} member schools needed are present."
        )
    if not _on_the_vote(meeting):
        raise MeetingError("No item is left on the ballot: every item was deferred or resolved with advice.")
    order = list(present)
    secrets.SystemRandom().shuffle(order)
    meeting.pseudonyms = counting.pseudonyms_for(present, order)
    meeting.quorum_present, meeting.quorum_needed = len(present), needed
    meeting.counting_method = meeting.cluster.council.counting_method
    meeting.vote_opened_at, meeting.vote_opened_by = timezone.now(), acting_user
    meeting.save(
        update_fields=[
            "pseudonyms",
            "quorum_present",
            "quorum_needed",
            "counting_method",
            "vote_opened_at",
            "vote_opened_by",
        ]
    )
    record_event(
        acting_user=acting_user,
        action="meeting.vote_opened",
        obj=meeting,
        council=meeting.cluster.council,
        after={"present": len(present), "needed": needed, "method": meeting.counting_method},
    )
    return meeting


CHOICES_FOR = {
    "majority": {BallotLine.Choice.FOR, BallotLine.Choice.AGAINST, BallotLine.Choice.ABSTAIN},
    "approval": {BallotLine.Choice.FOR, BallotLine.Choice.ABSTAIN},
}


def choices_for(meeting) -> set[str]:
    """The choices on each line of the meeting's ballot: approve or not, or for, against and abstain."""
    return CHOICES_FOR["majority" if meeting.counting_method == "majority" else "approval"]


@transaction.atomic
def cast_ballot(*, meeting, school, choices: dict[int, str], recorded_as: str, acting_user) -> Ballot:
    """Cast (or correct) a school's ballot: a choice for every item on the ballot the school may vote on.
    A line for an item the school may not vote on is refused and never stored. The school's own staff cast
    it; the cluster's admin records one from a show of hands or a paper ballot. Corrections are audited."""
    meeting = _locked(meeting)
    if recorded_as == Ballot.RecordedAs.BY_SCHOOL:
        allowed = can_vote_for(acting_user, school)
    elif recorded_as in (Ballot.RecordedAs.SHOW_OF_HANDS, Ballot.RecordedAs.PAPER):
        allowed = can_arrange_meetings(acting_user, meeting.cluster)
    else:
        raise MeetingInvalid({"recorded_as": "Choose how the vote was given"})
    if not allowed:
        raise MeetingError("Only the school's own staff cast its ballot; the cluster's admin records others.")
    if not meeting.vote_opened_at or meeting.vote_closed_at:
        raise MeetingError("The vote is closed." if meeting.vote_closed_at else "The vote has not opened.")
    if not meeting.attendance.filter(school=school).exists():
        raise MeetingError(f"{school.name} is not recorded as present, so it cannot vote.")
    items = {item.pk: item for item in _on_the_vote(meeting)}
    mine = {pk for pk, item in items.items() if school.pk in item.eligible_school_ids}
    allowed_choices = choices_for(meeting)
    errors = {}
    for pk in choices:
        if pk not in mine:
            # Never say why: in a blind meeting the reason would reveal whose request it is.
            errors[f"item_{pk}"] = "This school cannot vote on this item"
    for pk in sorted(mine, key=lambda pk: items[pk].position):
        choice = choices.get(pk)
        if choice not in allowed_choices:
            ref = items[pk].funding_request.reference
            errors[f"item_{pk}"] = f"Choose how {school.name} votes on {ref}"
    if errors:
        raise MeetingInvalid(errors)
    ballot = Ballot.objects.filter(meeting=meeting, school=school).first()
    before = None
    if ballot is None:
        ballot = Ballot.objects.create(
            meeting=meeting,
            school=school,
            recorded_as=recorded_as,
            cast_by=acting_user,
            cast_at=timezone.now(),
        )
    else:
        before = {
            "recorded_as": ballot.recorded_as,
            "lines": {
                items[line.item_id].funding_request.reference: line.choice
                for line in ballot.lines.all()
                if line.item_id in items
            },
        }
        ballot.lines.all().delete()
        ballot.recorded_as, ballot.cast_by, ballot.cast_at = recorded_as, acting_user, timezone.now()
        ballot.corrections += 1
        ballot.save(update_fields=["recorded_as", "cast_by", "cast_at", "corrections"])
    BallotLine.objects.bulk_create(BallotLine(ballot=ballot, item_id=pk, choice=choices[pk]) for pk in mine)
    after = {
        "recorded_as": recorded_as,
        "lines": {items[pk].funding_request.reference: choices[pk] for pk in mine},
    }
    record_event(
        acting_user=acting_user,
        action="meeting.ballot_corrected" if before else "meeting.ballot_cast",
        obj=meeting,
        council=meeting.cluster.council,
        before={"school": school.name, **before} if before else None,
        after={"school": school.name, **after},
    )
    return ballot


def _export_meta(meeting) -> dict[str, str]:
    council = meeting.cluster.council
    return {
        "description": f"{meeting.cluster.name}, meeting of {meeting.held_on.isoformat()}",
        "country": "United Kingdom",
        "unit": council.name,
        "instance": meeting.held_on.isoformat(),
        "rule": meeting.counting_method,
    }


@transaction.atomic
def close_vote(*, meeting, acting_user) -> Meeting:
    """Close the vote and count it, twice (the lot as drawn and reversed), against the money each pot has
    available now. Requests paid from different pots are counted separately on the same ballots. The
    count, its explanations, the ballot exports and their fingerprints are kept as they were made."""
    meeting = _locked(meeting)
    if not can_run_vote(acting_user, meeting.cluster):
        raise MeetingError("Only the chair or the cluster's admin closes the vote.")
    if not meeting.vote_opened_at or meeting.vote_closed_at:
        raise MeetingError(
            "The vote is already closed." if meeting.vote_closed_at else "The vote has not opened."
        )
    items = _on_the_vote(meeting)
    present = sorted(int(school) for school in meeting.pseudonyms)
    lines: dict[int, dict[str, str]] = {}
    for school_id, reference, choice in BallotLine.objects.filter(ballot__meeting=meeting).values_list(
        "ballot__school_id", "item__funding_request__reference", "choice"
    ):
        lines.setdefault(school_id, {})[reference] = choice
    by_pot: dict[int, tuple[Pot, list[AgendaItem]]] = {}
    for item in items:
        pot = pot_for_request(item.funding_request)
        by_pot.setdefault(pot.pk, (pot, []))[1].append(item)
    rule = meeting.counting_method or "equal-shares"
    counts = []
    for pot, pot_items in by_pot.values():
        election = counting.election_of(
            [
                counting.Item(i.funding_request.reference, i.amount_pence, frozenset(i.eligible_school_ids))
                for i in pot_items
            ],
            present=present,
            lines=lines,
            pseudonyms=meeting.pseudonyms,
            budget=balances_of(pot)["available"],
        )
        meta = {**_export_meta(meeting), "subunit": pot.get_kind_display()}
        result = counting.count_of(election, rule=rule, lot=meeting.lot, meta=meta)
        result["pot"], result["pot_name"] = pot.pk, str(pot)
        result["public_pb"] = counting.export(election, lot=meeting.lot, meta=meta)
        result["auditor_pb"] = counting.export(election, lot=meeting.lot, meta=meta, auditor=True)
        counts.append(result)
        funded, by_lot = set(result["funded"]), set(result["decided_by_lot"])
        for item in pot_items:
            ref = item.funding_request.reference
            tally = result["tally"][ref]
            item.votes_for, item.votes_against = tally["for"], tally["against"]
            item.votes_abstaining = tally["abstain"]
            item.decided_by_lot = ref in by_lot
            item.outcome_note = result["reasons"][ref] + (" Decided by lot." if ref in by_lot else "")
            if ref in funded:
                item.funded_pence = item.amount_pence
                asked = sum(item.funding_request.provision_lines.values_list("total_pence", flat=True))
                item.outcome = (
                    ItemOutcome.APPROVED if item.amount_pence >= asked else ItemOutcome.PART_APPROVED
                )
            elif rule == "majority" and tally["for"] > tally["against"]:
                item.outcome = ItemOutcome.APPROVED_NOT_FUNDED
            else:
                item.outcome = ItemOutcome.DECLINED
            item.save(
                update_fields=[
                    "votes_for",
                    "votes_against",
                    "votes_abstaining",
                    "decided_by_lot",
                    "outcome_note",
                    "funded_pence",
                    "outcome",
                ]
            )
    meeting.result = {"rule": rule, "counts": counts, "present": len(present)}
    meeting.fingerprint = counts[0]["fingerprint"] if counts else ""
    meeting.vote_closed_at, meeting.vote_closed_by = timezone.now(), acting_user
    meeting.save(update_fields=["result", "fingerprint", "vote_closed_at", "vote_closed_by"])
    record_event(
        acting_user=acting_user,
        action="meeting.vote_closed",
        obj=meeting,
        council=meeting.cluster.council,
        after={
            "funded": [ref for c in counts for ref in c["funded"]],
            "decided_by_lot": [ref for c in counts for ref in c["decided_by_lot"]],
            "fingerprints": [c["fingerprint"] for c in counts],
        },
    )
    return meeting


# Decisions and minutes

REQUEST_STATUS_FOR = {
    ItemOutcome.APPROVED: RequestStatus.APPROVED,
    ItemOutcome.PART_APPROVED: RequestStatus.PART_APPROVED,
    ItemOutcome.DECLINED: RequestStatus.DECLINED,
    ItemOutcome.APPROVED_NOT_FUNDED: RequestStatus.DEFERRED,
    ItemOutcome.DEFERRED: RequestStatus.DEFERRED,
    ItemOutcome.RESOLVED_WITH_ADVICE: RequestStatus.RESOLVED_WITH_ADVICE,
}


def _decision_words(item) -> str:
    ref = item.funding_request.reference
    outcome = ItemOutcome(item.outcome)
    if item.funded_pence:
        return f"{ref}: {outcome.label.lower()}, {format_pence(item.funded_pence)}."
    if outcome is ItemOutcome.APPROVED_NOT_FUNDED:
        return f"{ref}: approved, not funded: the money ran out. It goes to the next meeting."
    if outcome is ItemOutcome.DEFERRED:
        return f"{ref}: deferred to the next meeting."
    return f"{ref}: {outcome.label.lower()}."


def _email_schools(meeting, items) -> None:
    """Tell each submitting school its decisions, once the transaction has committed."""
    for item in items:
        fr = item.funding_request
        schools = [fr.lead_school_id, *fr.joint_schools.values_list("school_id", flat=True)]
        emails = sorted(
            set(
                RoleAssignment.objects.filter(role="school_staff", school_id__in=schools).values_list(
                    "user__email", flat=True
                )
            )
        )
        if not emails:
            continue
        subject = f"Decision on {fr.reference}: {ItemOutcome(item.outcome).label.lower()}"
        body = (
            f"The {meeting} decided your request {fr.reference}.\n\n{_decision_words(item)}\n\n"
            f"{item.outcome_note}\n\nThe decision is final. The minutes are published once the chair "
            f"approves them.\n\nThe request: {absolute(reverse('funding_requests:request', args=[fr.pk]))}"
        )
        transaction.on_commit(
            lambda subject=subject, body=body, emails=emails: send_mail(subject, body, None, emails)
        )


@transaction.atomic
def record_decisions(*, meeting, acting_user) -> Meeting:
    """Make the meeting's decisions: each request becomes approved, part-approved, declined, deferred (to the
    next meeting) or resolved with advice, and every funded request gets its award and commitment in the
    ledger, in this one transaction. The submitting schools are emailed after it commits."""
    meeting = _locked(meeting)
    if not can_arrange_meetings(acting_user, meeting.cluster):
        raise MeetingError("Only the cluster's admin records the meeting's decisions.")
    if not meeting.vote_closed_at:
        raise MeetingError("Close the vote before recording the decisions.")
    if meeting.decisions_recorded_at:
        raise MeetingError("The decisions are already recorded.")
    items = list(meeting.items.select_related("funding_request__lead_school").order_by("position"))
    following = (
        Meeting.objects.filter(cluster=meeting.cluster, held_on__gt=meeting.held_on)
        .planned()
        .exclude(kind=MeetingKind.IDEAS)
        .order_by("held_on", "pk")
        .first()
    )
    for item in items:
        fr = item.funding_request
        target = REQUEST_STATUS_FOR[ItemOutcome(item.outcome)]
        try:
            if fr.status == RequestStatus.DEFERRED:
                fr = move_request(
                    funding_request=fr, target=RequestStatus.READY_FOR_MEETING, acting_user=acting_user
                )
            fr = move_request(funding_request=fr, target=target, acting_user=acting_user)
        except StateTransitionError as error:
            raise MeetingError(f"{fr.reference}: {error} Nothing has been recorded.") from error
        # decided on the day the meeting met, whenever its decisions were keyed in
        FundingRequest.objects.filter(pk=fr.pk).update(decided_on=meeting.held_on)
        if target == RequestStatus.DEFERRED and following is not None:
            FundingRequest.objects.filter(pk=fr.pk).update(meeting=following)
        if item.funded_pence:
            try:
                make_award(
                    funding_request=fr,
                    amount_pence=item.funded_pence,
                    decided_on=meeting.held_on,
                    acting_user=acting_user,
                    reason=f"Decided at the {meeting}",
                )
            except MoneyError as error:
                raise MeetingError(f"{fr.reference}: {error} Nothing has been recorded.") from error
    meeting.decisions_recorded_at, meeting.decisions_recorded_by = timezone.now(), acting_user
    meeting.save(update_fields=["decisions_recorded_at", "decisions_recorded_by"])
    record_event(
        acting_user=acting_user,
        action="meeting.decisions_recorded",
        obj=meeting,
        council=meeting.cluster.council,
        after={item.funding_request.reference: item.outcome for item in items},
    )
    _email_schools(meeting, items)
    return meeting


@transaction.atomic
def add_action(*, meeting, text: str, owner: str, due_on, acting_user) -> MeetingAction:
    """An action agreed at the meeting, for the minutes, with who does it and by when."""
    meeting = _locked(meeting)
    if not can_arrange_meetings(acting_user, meeting.cluster):
        raise MeetingError("Only the cluster's admin writes the minutes.")
    if meeting.minutes_approved_at:
        raise MeetingError("The minutes are approved and published.")
    errors = {}
    text, owner = (text or "").strip(), (owner or "").strip()
    if not text:
        errors["text"] = "Enter the action"
    elif len(text) > 500:
        errors["text"] = "The action must be 500 characters or fewer"
    if not owner:
        errors["owner"] = "Enter who owns the action"
    elif len(owner) > 200:
        errors["owner"] = "The owner must be 200 characters or fewer"
    if due_on is None:
        errors["due_on"] = "Enter when the action is due"
    elif due_on < meeting.held_on:
        errors["due_on"] = "The action must be due on or after the day of the meeting"
    if errors:
        raise MeetingInvalid(errors)
    action = MeetingAction.objects.create(meeting=meeting, text=text, owner=owner, due_on=due_on)
    record_event(
        acting_user=acting_user,
        action="meeting.action_added",
        obj=meeting,
        council=meeting.cluster.council,
        after={"text": text, "owner": owner, "due_on": due_on.isoformat()},
    )
    return action


@transaction.atomic
def approve_minutes(*, meeting, notes: str, acting_user) -> Meeting:
    """The chair approves the minutes, which publishes them to the cluster's members."""
    meeting = _locked(meeting)
    if not can_approve_minutes(acting_user, meeting.cluster):
        raise MeetingError("Only the chair approves the minutes.")
    if not meeting.decisions_recorded_at:
        raise MeetingError("Record the decisions before approving the minutes.")
    if meeting.minutes_approved_at:
        raise MeetingError("The minutes are already approved.")
    notes = (notes or "").strip()
    if len(notes) > 5000:
        raise MeetingInvalid({"notes": "The notes must be 5,000 characters or fewer"})
    meeting.minutes_notes = notes
    meeting.minutes_approved_at, meeting.minutes_approved_by = timezone.now(), acting_user
    meeting.save(update_fields=["minutes_notes", "minutes_approved_at", "minutes_approved_by"])
    record_event(
        acting_user=acting_user,
        action="meeting.minutes_approved",
        obj=meeting,
        council=meeting.cluster.council,
        after={"fingerprint": meeting.fingerprint},
    )
    return meeting


@transaction.atomic
def set_attendance(*, meeting, modes: dict[int, str], other_attendees: str, acting_user) -> None:
    """Record who is at the meeting: each member school in person, online or absent (an empty mode), and
    who else attended. Attendance is fixed once the vote opens."""
    meeting = _locked(meeting)
    if not can_arrange_meetings(acting_user, meeting.cluster):
        raise MeetingError("Only the cluster's admin or the council's SEND team records attendance.")
    if meeting.vote_opened_at or meeting.is_cancelled:
        raise MeetingError("Attendance is fixed once the vote opens.")
    members = voting_school_ids(meeting)
    errors = {}
    for school_id, mode in modes.items():
        if school_id not in members:
            errors[f"school_{school_id}"] = "This school is not a member school of this meeting"
        elif mode and mode not in Attendance.Mode.values:
            errors[f"school_{school_id}"] = "Choose in person, online or not present"
    other_attendees = (other_attendees or "").strip()
    if len(other_attendees) > 2000:
        errors["other_attendees"] = "Who else attended must be 2,000 characters or fewer"
    if errors:
        raise MeetingInvalid(errors)
    present = {school_id: mode for school_id, mode in modes.items() if mode}
    meeting.attendance.exclude(school_id__in=present).delete()
    for school_id, mode in present.items():
        Attendance.objects.update_or_create(
            meeting=meeting, school_id=school_id, defaults={"mode": mode, "recorded_by": acting_user}
        )
    meeting.other_attendees = other_attendees
    meeting.save(update_fields=["other_attendees"])
    record_event(
        acting_user=acting_user,
        action="meeting.attendance_recorded",
        obj=meeting,
        council=meeting.cluster.council,
        after={"present": len(present), "other_attendees": other_attendees},
    )


@transaction.atomic
def record_export_downloaded(*, meeting, auditor: bool, acting_user) -> None:
    """Audit who downloaded a meeting's ballots."""
    record_event(
        acting_user=acting_user,
        action="meeting.ballots_downloaded",
        obj=meeting,
        council=meeting.cluster.council,
        after={"export": "auditor" if auditor else "public"},
    )


@transaction.atomic
def take_chairs_action(
    *, funding_request, heads, amount_pence: int, reason: str, acting_user
) -> ChairsAction:
    """Between meetings, where the scheme allows it, the chair and two heads of other member schools approve
    an urgent request up to the scheme's limit. It is funded at once and listed for ratification at the
    cluster's next meeting."""
    fr = (
        FundingRequest.objects.select_for_update()
        .select_related("cluster__council")
        .get(pk=funding_request.pk)
    )
    council = fr.cluster.council
    if fr.cluster_id not in scope_of(acting_user).chair_of:
        raise MeetingError("Only the cluster's chair takes chair's action.")
    if council.chairs_action_limit_pence is None:
        raise MeetingError("The scheme does not allow chair's action.")
    if not fr.is_urgent or fr.status != RequestStatus.READY_FOR_MEETING:
        raise MeetingError("Chair's action is for an urgent request the team has made ready for a meeting.")
    errors = {}
    own = {fr.lead_school_id, *fr.joint_schools.values_list("school_id", flat=True)}
    if own & set(scope_of(acting_user).staff_of):
        raise MeetingError("A chair never approves a request of their own school: the meeting decides it.")
    asked = sum(fr.provision_lines.values_list("total_pence", flat=True))
    members = set(
        ClusterMembership.objects.filter(cluster=fr.cluster, academic_year=fr.academic_year).values_list(
            "school_id", flat=True
        )
    )
    head_schools = set()
    for head in heads:
        schools = set(scope_of(head).staff_of) & (members - own)
        if not schools or head.pk == acting_user.pk:
            errors["heads"] = "Choose two heads of schools that may vote on this request"
        head_schools |= schools
    if len(heads) != 2 or len(head_schools) < 2:
        errors["heads"] = "Choose two heads of two different schools that may vote on this request"
    if not isinstance(amount_pence, int) or amount_pence <= 0:
        errors["amount_pence"] = "Enter the amount approved"
    elif amount_pence > asked:
        errors["amount_pence"] = f"The amount approved must be no more than the {format_pence(asked)} asked"
    elif amount_pence > council.chairs_action_limit_pence:
        errors["amount_pence"] = (
            f"Chair's action is limited to {format_pence(council.chairs_action_limit_pence)} by the scheme"
        )
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Say why it cannot wait for the next meeting"
    if errors:
        raise MeetingInvalid(errors)
    fr = move_request(funding_request=fr, target=RequestStatus.APPROVED, acting_user=acting_user)
    make_award(
        funding_request=fr,
        amount_pence=amount_pence,
        decided_on=timezone.localdate(),
        acting_user=acting_user,
        reason=f"Chair's action: {reason}",
        chairs_action=True,
    )
    following = (
        Meeting.objects.filter(cluster=fr.cluster)
        .taking_papers(timezone.localdate())
        .order_by("held_on", "pk")
        .first()
    )
    action = ChairsAction.objects.create(
        funding_request=fr,
        amount_pence=amount_pence,
        reason=reason,
        chair=acting_user,
        decided_at=timezone.now(),
        ratify_at=following,
    )
    action.heads.set(heads)
    record_event(
        acting_user=acting_user,
        action="meeting.chairs_action",
        obj=fr,
        council=council,
        after={
            "amount_pence": amount_pence,
            "heads": sorted(head.email for head in heads),
            "ratify_at": str(following) if following else None,
        },
    )
    return action


@transaction.atomic
def change_meeting_rules(
    *, council, counting_method: str, quorum_percent, chairs_action_limit_pence, acting_user
) -> None:
    """The scheme's rules for meetings: how the vote is counted, the share of member schools that makes a
    quorum, and the most a chair's action may approve (none: no chair's action)."""
    if not can_set_meeting_rules(acting_user, council):
        raise MeetingError("Only the council's SEND team sets the rules for meetings.")
    errors = {}
    methods = dict(type(council)._meta.get_field("counting_method").choices)
    if counting_method not in methods:
        errors["counting_method"] = "Choose how the vote is counted"
    if not isinstance(quorum_percent, int) or not 1 <= quorum_percent <= 100:
        errors["quorum_percent"] = "The quorum must be a whole number from 1 to 100 per cent"
    if chairs_action_limit_pence is not None and (
        not isinstance(chairs_action_limit_pence, int) or chairs_action_limit_pence <= 0
    ):
        errors["chairs_action_limit_pence"] = "The limit must be an amount above £0, or left blank"
    if errors:
        raise MeetingInvalid(errors)
    before = {
        "counting_method": council.counting_method,
        "quorum_percent": council.quorum_percent,
        "chairs_action_limit_pence": council.chairs_action_limit_pence,
    }
    council.counting_method, council.quorum_percent = counting_method, quorum_percent
    council.chairs_action_limit_pence = chairs_action_limit_pence
    council.save(update_fields=["counting_method", "quorum_percent", "chairs_action_limit_pence"])
    record_event(
        acting_user=acting_user,
        action="scheme.meeting_rules_changed",
        obj=council,
        council=council,
        before=before,
        after={
            "counting_method": counting_method,
            "quorum_percent": quorum_percent,
            "chairs_action_limit_pence": chairs_action_limit_pence,
        },
    )
