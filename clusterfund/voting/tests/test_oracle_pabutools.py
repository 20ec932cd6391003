"""The oracle: on generated meetings our counts fund exactly the requests pabutools funds.

pabutools (comsoc-community/pabutools) is the reference implementation the participatory budgeting research
community uses. It is a test-only dependency (`requirements-oracle.lock`, installed by `make test`). Only its
MES, greedy and exhaustion rules are used; importing them needs numpy, gmpy2, pulp and natsort, not
gurobipy or mip.

The same tie-break is given to both: lower cost, then more support, then the lot. Known, deliberate
differences are handled here and not hidden:

- pabutools' greedy also funds requests nobody approved when money is left (their score is zero); ours never
  does, so those are taken out of pabutools' result before comparing.
- pabutools' greedy ranks by number of approvals; ours by the share of eligible schools that approve. They
  agree when every school may vote on everything, which is how greedy is compared here.
"""

from fractions import Fraction

import pabutools.election as pabutools_election
import pabutools.rules as pabutools_rules
import pabutools.tiebreaking as pabutools_tiebreaking
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clusterfund.voting import count
from clusterfund.voting.tests.elections import meetings

ORACLE = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def support(election, project):
    eligible = sum(project in ballot.eligible for ballot in election.ballots)
    approvals = sum(project in ballot.approves for ballot in election.ballots)
    return Fraction(approvals, eligible) if eligible else Fraction(0)


def as_pabutools(election, lot):
    """The meeting as a pabutools instance and approval profile, with our tie-break as its tie-breaking."""
    projects = {p.id: pabutools_election.Project(p.id, p.cost) for p in election.projects}
    instance = pabutools_election.Instance(projects.values(), budget_limit=election.budget)
    profile = pabutools_election.ApprovalProfile(
        [pabutools_election.ApprovalBallot([projects[p] for p in b.approves]) for b in election.ballots]
    )
    key = {p.id: (p.cost, -support(election, p.id), lot.index(p.id)) for p in election.projects}
    tie = pabutools_tiebreaking.TieBreakingRule(lambda _instance, _profile, project: key[project.name])
    return instance, profile, tie


def names(allocation):
    return {project.name for project in allocation}


@ORACLE
@given(meetings(max_projects=7, max_voters=8))
def test_equal_shares_matches_pabutools(meeting):
    election, lot = meeting
    instance, profile, tie = as_pabutools(election, lot)
    theirs = pabutools_rules.method_of_equal_shares(
        instance, profile, sat_class=pabutools_election.Cost_Sat, tie_breaking=tie
    )
    ours = count(election, rule="equal-shares", lot=lot, completion="none")
    assert set(ours.funded) == names(theirs)


@ORACLE
@given(meetings(max_projects=6, max_voters=7), st.sampled_from([100, 300, 500, 1000]), st.booleans())
def test_equal_shares_add1_matches_pabutools_exhaustion_by_budget_increase(meeting, step, exhaustive):
    election, lot = meeting
    completion = "add1-exhaustive" if exhaustive else "add1"
    ours = count(election, rule="equal-shares", lot=lot, completion=completion, step=step)
    voters = len(election.ballots)
    if voters == 0:
        # pabutools' step would be zero and its loop would never end; with nobody voting nothing is funded
        assert ours.funded == ()
        return
    instance, profile, tie = as_pabutools(election, lot)
    theirs = pabutools_rules.exhaustion_by_budget_increase(
        instance,
        profile,
        pabutools_rules.method_of_equal_shares,
        {"sat_class": pabutools_election.Cost_Sat, "tie_breaking": tie},
        budget_step=voters * step,  # every school's share `step` pence larger at a time
        exhaustive_stop=exhaustive,
    )
    assert set(ours.funded) == names(theirs)


@ORACLE
@given(meetings(max_projects=8, max_voters=8, eligibility=False))
def test_greedy_matches_pabutools(meeting):
    election, lot = meeting
    instance, profile, tie = as_pabutools(election, lot)
    theirs = pabutools_rules.greedy_utilitarian_welfare(
        instance, profile, sat_class=pabutools_election.Cost_Sat, tie_breaking=tie
    )
    approved = {p for ballot in election.ballots for p in ballot.approves}
    ours = count(election, rule="greedy", lot=lot)
    assert set(ours.funded) == names(theirs) & approved
