import pytest

from clusterfund.accounts.roles import Role
from clusterfund.funding_requests.lifecycle import (
    BEFORE_DECISION,
    DECIDED,
    TRANSITIONS,
    RequestStatus,
    StateTransitionError,
    check_transition,
    next_steps,
)

S = RequestStatus


def test_every_status_can_be_reached_from_a_draft():
    reached, frontier = {S.DRAFT}, [S.DRAFT]
    while frontier:
        source = frontier.pop()
        for transition in TRANSITIONS:
            if transition.source == source and transition.target not in reached:
                reached.add(transition.target)
                frontier.append(transition.target)
    assert reached == set(S)


def test_withdrawal_is_possible_before_a_decision_and_never_after():
    for status in S:
        allowed = any(t.source == status and t.target == S.WITHDRAWN for t in TRANSITIONS)
        assert allowed == (status in BEFORE_DECISION), status
    assert not (DECIDED - {S.DEFERRED}) & BEFORE_DECISION


def test_a_school_submits_but_cannot_decide():
    assert check_transition("draft", "submitted", [Role.SCHOOL_STAFF]).verb == "submit"
    with pytest.raises(
        StateTransitionError, match="Only these roles can record the decision: Chair, Cluster admin"
    ):
        check_transition("ready_for_meeting", "approved", [Role.SCHOOL_STAFF])


def test_a_move_not_in_the_table_is_refused_in_plain_words():
    with pytest.raises(StateTransitionError, match="A request that is declined cannot become approved"):
        check_transition("declined", "approved", [Role.CHAIR, Role.CLUSTER_ADMIN, Role.COUNCIL_ADMIN])
    with pytest.raises(StateTransitionError, match="cannot become submitted"):
        check_transition("closed", "submitted", list(Role))


def test_the_team_around_the_cluster_never_decides():
    for transition in TRANSITIONS:
        if transition.target in DECIDED - {S.RESOLVED_WITH_ADVICE, S.REDIRECTED}:
            assert Role.TEAM_AROUND_THE_CLUSTER not in transition.roles


def test_next_steps_are_what_the_person_may_do():
    assert {t.target for t in next_steps("in_triage", [Role.TEAM_AROUND_THE_CLUSTER])} == {
        S.MORE_INFORMATION_NEEDED,
        S.READY_FOR_MEETING,
        S.RESOLVED_WITH_ADVICE,
        S.REDIRECTED,
    }
    assert {t.target for t in next_steps("in_triage", [Role.SCHOOL_STAFF])} == {S.WITHDRAWN}
