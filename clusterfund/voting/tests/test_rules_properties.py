"""Properties every count must have, on generated meetings.

Never over the money; the same meeting always gives the same result, whatever order the ballots or the
agenda come in; reversing the lot matters only where cost and support leave a tie; the payments add up.
Equal shares is also checked against a plain second implementation that raises the share one step at a
time, as the rule is written, rather than jumping ahead as `rules` does.
"""

import dataclasses
import random
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from clusterfund.voting import Ballot, Election, Project, Rule, count, count_with_reversed_lot
from clusterfund.voting.tests.elections import meetings

COUNTS = [
    ("equal-shares", "none"),
    ("equal-shares", "add1"),
    ("equal-shares", "add1-exhaustive"),
    ("greedy", None),
    ("majority", None),
]
count_kind = st.sampled_from(COUNTS)


def support(election, project):
    eligible = sum(project in ballot.eligible for ballot in election.ballots)
    approvals = sum(project in ballot.approves for ballot in election.ballots)
    return Fraction(approvals, eligible) if eligible else Fraction(0)


@settings(max_examples=300, deadline=None)
@given(meetings(opposition=True), count_kind)
def test_never_over_the_money_and_every_request_explained(meeting, kind):
    election, lot = meeting
    rule, completion = kind
    outcome = count(election, rule=rule, lot=lot, completion=completion)
    costs = {project.id: project.cost for project in election.projects}

    assert sum(costs[p] for p in outcome.funded) <= election.budget
    assert outcome.total_cost + outcome.unspent == election.budget
    assert len(set(outcome.funded)) == len(outcome.funded)
    assert [d.project for d in outcome.decisions] == [p.id for p in election.projects]
    assert {d.project for d in outcome.decisions if d.funded} == set(outcome.funded)
    assert all(d.reason.startswith(("Funded", "Passed and funded")) == d.funded for d in outcome.decisions)
    approved = {p for ballot in election.ballots for p in ballot.approves}
    assert set(outcome.funded) <= approved


@settings(max_examples=200, deadline=None)
@given(meetings(opposition=True), count_kind, st.randoms(use_true_random=False))
def test_the_same_meeting_in_any_order_gives_the_same_result(meeting, kind, shuffle):
    election, lot = meeting
    rule, completion = kind
    first = count(election, rule=rule, lot=lot, completion=completion)
    again = count(election, rule=rule, lot=lot, completion=completion)
    assert again == first

    ballots, projects = list(election.ballots), list(election.projects)
    shuffle.shuffle(ballots)
    shuffle.shuffle(projects)
    reordered = Election(projects=projects, ballots=ballots, budget=election.budget)
    other = count(reordered, rule=rule, lot=lot, completion=completion)
    assert other.funded == first.funded
    assert other.share == first.share
    assert {d.project: d for d in other.decisions} == {d.project: d for d in first.decisions}


@settings(max_examples=300, deadline=None)
@given(meetings(opposition=True), count_kind)
def test_the_lot_decides_only_where_cost_and_support_leave_a_tie(meeting, kind):
    """Without two requests level on cost and support the lot changes nothing. With them, the lot can decide
    more than the tied requests: taking one of two tied requests first leaves different money for the rest
    (three schools, £4.50: R-3 and R-7 tied at £2, and whichever goes first decides whether R-1 is funded)."""
    election, lot = meeting
    rule, completion = kind
    check = count_with_reversed_lot(election, rule=rule, lot=lot, completion=completion)
    level = {}
    for project in election.projects:
        level.setdefault((project.cost, support(election, project.id)), []).append(project.id)
    tied = {p for group in level.values() if len(group) > 1 for p in group}

    if not tied:
        assert check.decided_by_lot == ()
        assert check.outcome.funded == check.reversed_outcome.funded
    differ = set(check.outcome.funded) ^ set(check.reversed_outcome.funded)
    assert set(check.decided_by_lot) == differ


@settings(max_examples=150, deadline=None)
@given(meetings(odd_pence=False))
def test_distinct_costs_leave_nothing_to_the_lot(meeting):
    election, lot = meeting
    costs = {}
    projects = []
    for project in election.projects:
        cost = project.cost
        while cost in costs:
            cost += 1
        costs[cost] = project.id
        projects.append(dataclasses.replace(project, cost=cost))
    distinct = Election(projects=projects, ballots=election.ballots, budget=election.budget)
    for rule in (Rule.EQUAL_SHARES, Rule.GREEDY, Rule.MAJORITY):
        assert count_with_reversed_lot(distinct, rule=rule, lot=lot).decided_by_lot == ()


@settings(max_examples=300, deadline=None)
@given(meetings(), st.sampled_from(["none", "add1", "add1-exhaustive"]))
def test_equal_shares_payments_add_up(meeting, completion):
    election, lot = meeting
    outcome = count(election, rule="equal-shares", lot=lot, completion=completion)
    costs = {project.id: project.cost for project in election.projects}
    approves = {ballot.voter: ballot.approves for ballot in election.ballots}
    if not election.ballots:
        assert outcome.funded == ()
        return

    for voter, paid in outcome.spend.items():
        assert set(paid) <= approves[voter]
        assert sum(paid.values()) <= outcome.share
        assert all(amount > 0 for amount in paid.values())
    for project in outcome.funded:
        assert sum(paid.get(project, 0) for paid in outcome.spend.values()) == costs[project]
    in_pence = outcome.spend_in_pence()
    for project in outcome.funded:
        assert sum(paid.get(project, 0) for paid in in_pence.values()) == costs[project]
    for voter, paid in in_pence.items():
        for project, pence in paid.items():
            assert abs(pence - outcome.spend[voter][project]) < 1


@settings(max_examples=300, deadline=None)
@given(meetings(opposition=True))
def test_majority_funds_passed_requests_by_share_in_favour_while_they_fit(meeting):
    election, lot = meeting
    outcome = count(election, rule="majority", lot=lot)
    votes_for = {p.id: sum(p.id in b.approves for b in election.ballots) for p in election.projects}
    against = {p.id: sum(p.id in b.opposes for b in election.ballots) for p in election.projects}
    passed = {p for p in votes_for if votes_for[p] > against[p]}
    costs = {project.id: project.cost for project in election.projects}

    assert set(outcome.funded) <= passed
    # funded in order of the share in favour
    shares = [support(election, p) for p in outcome.funded]
    assert shares == sorted(shares, reverse=True)
    # a passed request left unfunded did not fit even the money that was left at the end
    left = election.budget - outcome.total_cost
    for project in passed - set(outcome.funded):
        assert costs[project] > left


# A plain second implementation of equal shares and Add1 -----------------------------------------------------


def plain_equal_shares(election, lot, share):
    """Equal shares as the rule is written: every school starts at `share`, exact fractions throughout."""
    money = {ballot.voter: Fraction(share) for ballot in election.ballots}
    supporters = {p.id: [b.voter for b in election.ballots if p.id in b.approves] for p in election.projects}
    costs = {p.id: p.cost for p in election.projects}
    key = {p.id: (p.cost, -support(election, p.id), lot.index(p.id)) for p in election.projects}
    funded, remaining = [], [p for p in costs if supporters[p]]
    while True:
        best = None
        for project in remaining:
            if sum(money[v] for v in supporters[project]) < costs[project]:
                continue
            # the smallest full part that, with the poorer supporters paying all they have, covers the cost
            held = sorted(money[v] for v in supporters[project])
            part, paid = None, Fraction(0)
            for k, amount in enumerate(held):
                candidate = (costs[project] - paid) / (len(held) - k)
                if candidate <= amount:
                    part = candidate
                    break
                paid += amount
            rank = (part / costs[project], key[project])
            if best is None or rank < best[0]:
                best = (rank, project, part)
        if best is None:
            return funded
        _, project, part = best
        funded.append(project)
        remaining.remove(project)
        for voter in supporters[project]:
            money[voter] -= min(money[voter], part)


def plain_add1(election, lot, step, stop_when_exhaustive):
    """Raise every share by `step` one step at a time while the result fits, as pabutools does."""
    if not election.ballots:
        return []
    costs = {p.id: p.cost for p in election.projects}
    base = Fraction(election.budget, len(election.ballots))
    kept = []
    for k in range(election.budget // step + 1):
        funded = plain_equal_shares(election, lot, base + k * step)
        total = sum(costs[p] for p in funded)
        if total > election.budget:
            return kept
        left = election.budget - total
        if stop_when_exhaustive and all(p in funded or costs[p] > left for p in costs):
            return funded
        kept = funded
    return kept


@settings(max_examples=250, deadline=None)
@given(meetings(max_projects=6, max_voters=6), st.sampled_from([100, 250, 1000]), st.booleans())
def test_equal_shares_add1_matches_raising_the_share_one_step_at_a_time(meeting, step, exhaustive):
    election, lot = meeting
    completion = "add1-exhaustive" if exhaustive else "add1"
    outcome = count(election, rule="equal-shares", lot=lot, completion=completion, step=step)
    assert list(outcome.funded) == plain_add1(election, lot, step, exhaustive)


@settings(max_examples=300, deadline=None)
@given(meetings())
def test_equal_shares_matches_the_plain_implementation(meeting):
    election, lot = meeting
    outcome = count(election, rule="equal-shares", lot=lot, completion="none")
    share = Fraction(election.budget, len(election.ballots)) if election.ballots else 0
    expected = plain_equal_shares(election, lot, share) if election.ballots else []
    assert list(outcome.funded) == expected


def test_a_busy_meeting_with_many_identical_ballots_matches_the_plain_implementation():
    """Forty schools in four groups that vote alike: counted as groups, and one by one by the plain count."""
    rng = random.Random(7)
    ids = [f"R-{k}" for k in range(8)]
    projects = [Project(p, rng.choice([5, 8, 10, 12]) * 100_00) for p in ids]
    kinds = [set(rng.sample(ids, rng.randint(1, 5))) for _ in range(4)]
    ballots = [Ballot(f"S{i}", kinds[i % 4], set(ids)) for i in range(40)]
    election = Election(projects, ballots, 40_00_00)
    for exhaustive in (False, True):
        completion = "add1-exhaustive" if exhaustive else "add1"
        outcome = count(election, rule="equal-shares", lot=ids, completion=completion, step=500)
        assert list(outcome.funded) == plain_add1(election, ids, 500, exhaustive)
