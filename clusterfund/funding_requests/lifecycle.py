"""A funding request's life, as one declarative table: which status may follow which, and who may move it.

draft → submitted → in triage → ready for meeting → decided (approved, part-approved, declined, deferred,
resolved with advice) → in delivery → reviewed → closed; withdrawn from any state before a decision.
Anything not in the table is refused with a reason the person can read.
"""

from dataclasses import dataclass

from django.db import models

from clusterfund.accounts.roles import Role


class RequestStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    IN_TRIAGE = "in_triage", "In triage"
    MORE_INFORMATION_NEEDED = "more_information", "More information needed"
    READY_FOR_MEETING = "ready_for_meeting", "Ready for meeting"
    APPROVED = "approved", "Approved"
    PART_APPROVED = "part_approved", "Part-approved"
    DECLINED = "declined", "Declined"
    DEFERRED = "deferred", "Deferred"
    RESOLVED_WITH_ADVICE = "resolved_with_advice", "Resolved with advice"
    REDIRECTED = "redirected", "Redirected"
    IN_DELIVERY = "in_delivery", "In delivery"
    REVIEWED = "reviewed", "Reviewed"
    CLOSED = "closed", "Closed"
    WITHDRAWN = "withdrawn", "Withdrawn"


S = RequestStatus
DECIDED = frozenset(
    {S.APPROVED, S.PART_APPROVED, S.DECLINED, S.DEFERRED, S.RESOLVED_WITH_ADVICE, S.REDIRECTED}
)
BEFORE_DECISION = frozenset(
    {S.DRAFT, S.SUBMITTED, S.IN_TRIAGE, S.MORE_INFORMATION_NEEDED, S.READY_FOR_MEETING, S.DEFERRED}
)
# Funded: the meeting (or chair's action) gave money, whatever has happened to the request since.
FUNDED = frozenset({S.APPROVED, S.PART_APPROVED, S.IN_DELIVERY, S.REVIEWED, S.CLOSED})
# The school may still change its request: freely while a draft; by a new version once submitted, until
# triage starts, and again when triage asks it for more information.
CHANGEABLE = frozenset({S.DRAFT, S.SUBMITTED, S.MORE_INFORMATION_NEEDED})
MEETING = frozenset({Role.CLUSTER_ADMIN, Role.CHAIR})
TEAM = frozenset({Role.TEAM_AROUND_THE_CLUSTER, Role.CLUSTER_ADMIN})
SCHOOL = frozenset({Role.SCHOOL_STAFF})
COUNCIL = frozenset({Role.COUNCIL_ADMIN})


@dataclass(frozen=True)
class Transition:
    source: RequestStatus
    target: RequestStatus
    roles: frozenset[Role]
    verb: str  # what the person does, for buttons and refusals

    def allows(self, roles) -> bool:
        return bool(self.roles & set(roles))


TRANSITIONS: tuple[Transition, ...] = (
    Transition(S.DRAFT, S.SUBMITTED, SCHOOL | COUNCIL | {Role.CLUSTER_ADMIN}, "submit"),
    Transition(S.SUBMITTED, S.IN_TRIAGE, TEAM, "start triage"),
    Transition(S.IN_TRIAGE, S.MORE_INFORMATION_NEEDED, TEAM, "ask for more information"),
    Transition(S.MORE_INFORMATION_NEEDED, S.SUBMITTED, SCHOOL | COUNCIL, "resubmit"),
    Transition(S.IN_TRIAGE, S.READY_FOR_MEETING, TEAM, "send to the meeting"),
    Transition(S.IN_TRIAGE, S.RESOLVED_WITH_ADVICE, TEAM, "resolve with advice"),
    Transition(S.IN_TRIAGE, S.REDIRECTED, TEAM, "redirect"),
    *(
        Transition(S.READY_FOR_MEETING, target, MEETING | COUNCIL, "record the decision")
        for target in (S.APPROVED, S.PART_APPROVED, S.DECLINED, S.DEFERRED, S.RESOLVED_WITH_ADVICE)
    ),
    Transition(S.DEFERRED, S.READY_FOR_MEETING, MEETING | COUNCIL, "carry over to the next meeting"),
    Transition(S.APPROVED, S.IN_DELIVERY, SCHOOL | MEETING, "record that support started"),
    Transition(S.PART_APPROVED, S.IN_DELIVERY, SCHOOL | MEETING, "record that support started"),
    Transition(S.IN_DELIVERY, S.REVIEWED, SCHOOL, "record the review"),
    Transition(S.REVIEWED, S.IN_DELIVERY, SCHOOL, "continue the support"),
    Transition(S.REVIEWED, S.CLOSED, SCHOOL | MEETING, "close"),
    *(Transition(source, S.WITHDRAWN, SCHOOL | COUNCIL, "withdraw") for source in sorted(BEFORE_DECISION)),
)
_BY_PAIR = {(t.source, t.target): t for t in TRANSITIONS}


class StateTransitionError(Exception):
    """A move the lifecycle does not allow, with a reason the person can read."""


def check_transition(source: str, target: str, roles) -> Transition:
    """The move from `source` to `target` if one of `roles` may make it; otherwise a readable refusal."""
    source, target = RequestStatus(source), RequestStatus(target)
    transition = _BY_PAIR.get((source, target))
    if transition is None:
        raise StateTransitionError(
            f"A request that is {source.label.lower()} cannot become {target.label.lower()}."
        )
    if not transition.allows(roles):
        who = ", ".join(sorted(role.label for role in transition.roles))
        raise StateTransitionError(f"Only these roles can {transition.verb}: {who}.")
    return transition


def next_steps(source: str, roles) -> list[Transition]:
    """What the person may do next with a request in `source`, for the buttons they see."""
    return [t for t in TRANSITIONS if t.source == source and t.allows(roles)]
