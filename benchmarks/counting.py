"""How long counting a meeting takes: equal shares with the Add1 completion, and the reversed-lot recount.

Run from the checkout: `.venv/bin/python benchmarks/counting.py [--runs 20] [--pabutools 5]`. Each run counts
a different seeded meeting of 25 schools and 60 requests (£500 to £15,000 each, £150,000 to share; every
request submitted by one school, some joined by a second, who may not vote on it; each school approving
each request it may vote on with its own chance between 15% and 45%) twice, with the lot as drawn and
reversed, as `count_with_reversed_lot` does after every meeting. It prints the median, fastest and slowest.
Where pabutools is installed it also times pabutools' `exhaustion_by_budget_increase` over
`method_of_equal_shares` (`Cost_Sat`, £1 a school at a time, the same tie-break) on the first few meetings,
and stops with an error if pabutools funds different requests.
"""

import argparse
import random
import statistics
import sys
import time
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from clusterfund.voting import Ballot, Election, Project, count_with_reversed_lot  # noqa: E402
from clusterfund.voting.rules import format_pence  # noqa: E402

SCHOOLS = 25
REQUESTS = 60
BUDGET = 150_000_00
TARGET_SECONDS = 1.0


def meeting(seed: int) -> tuple[Election, list[str]]:
    """A seeded meeting and its lot."""
    rng = random.Random(seed)
    schools = [f"S{k + 1:02d}" for k in range(SCHOOLS)]
    ids = [f"R-{seed:02d}{k + 1:03d}" for k in range(REQUESTS)]
    projects = [Project(project, rng.randint(500, 15_000) * 100) for project in ids]
    submitted = {project: {rng.choice(schools)} for project in ids}
    for project in ids:
        if rng.random() < 0.2:
            submitted[project].add(rng.choice(schools))
    ballots = []
    for school in schools:
        keen = rng.uniform(0.15, 0.45)
        eligible = {project for project in ids if school not in submitted[project]}
        approves = {project for project in eligible if rng.random() < keen}
        ballots.append(Ballot(school, approves, eligible))
    lot = list(ids)
    rng.shuffle(lot)
    return Election(projects=projects, ballots=ballots, budget=BUDGET), lot


def ours(election: Election, lot: list[str]):
    started = time.perf_counter()
    check = count_with_reversed_lot(election, rule="equal-shares", lot=lot, completion="add1")
    return time.perf_counter() - started, check


def theirs(election: Election, lot: list[str]) -> tuple[float, list[set[str]]]:
    """pabutools on the same meeting, lot as drawn and reversed: seconds taken and the funded requests."""
    from pabutools.election import ApprovalBallot, ApprovalProfile, Cost_Sat, Instance
    from pabutools.election import Project as PabuProject
    from pabutools.rules import exhaustion_by_budget_increase, method_of_equal_shares
    from pabutools.tiebreaking import TieBreakingRule

    projects = {p.id: PabuProject(p.id, p.cost) for p in election.projects}
    instance = Instance(projects.values(), budget_limit=election.budget)
    profile = ApprovalProfile([ApprovalBallot([projects[p] for p in b.approves]) for b in election.ballots])
    support = {}
    for project in election.projects:
        eligible = sum(project.id in b.eligible for b in election.ballots)
        approvals = sum(project.id in b.approves for b in election.ballots)
        support[project.id] = Fraction(approvals, eligible) if eligible else Fraction(0)
    results = []
    started = time.perf_counter()
    for order in (lot, list(reversed(lot))):
        key = {p.id: (p.cost, -support[p.id], order.index(p.id)) for p in election.projects}
        tie = TieBreakingRule(lambda _instance, _profile, project, key=key: key[project.name])
        outcome = exhaustion_by_budget_increase(
            instance,
            profile,
            method_of_equal_shares,
            {"sat_class": Cost_Sat, "tie_breaking": tie},
            budget_step=len(election.ballots) * 100,
            exhaustive_stop=False,
        )
        results.append({project.name for project in outcome})
    return time.perf_counter() - started, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="meetings to count (default 20)")
    parser.add_argument("--pabutools", type=int, default=5, help="meetings to time pabutools on (default 5)")
    options = parser.parse_args()

    times, checks, meetings = [], [], []
    for seed in range(1, options.runs + 1):
        election, lot = meeting(seed)
        seconds, check = ours(election, lot)
        times.append(seconds)
        checks.append(check)
        meetings.append((election, lot))

    print(
        f"Counting a meeting: {SCHOOLS} schools, {REQUESTS} requests, {format_pence(BUDGET)} to share; "
        "equal shares with Add1, counted with the lot as drawn and reversed."
    )
    median = statistics.median(times)
    print(
        f"{options.runs} meetings: median {median:.3f} s, fastest {min(times):.3f} s, "
        f"slowest {max(times):.3f} s for both counts (target: well under {TARGET_SECONDS:.0f} s)."
    )
    funded = [len(c.outcome.funded) for c in checks]
    spent = [c.outcome.total_cost for c in checks]
    raised = [c.outcome.share - Fraction(BUDGET, SCHOOLS) for c in checks]
    by_lot = sum(bool(c.decided_by_lot) for c in checks)
    print(
        f"Funded: median {statistics.median_low(funded)} requests and "
        f"{format_pence(statistics.median_low(spent))}; "
        f"shares raised by a median {format_pence(statistics.median_low(raised))}; "
        f"{by_lot} of {options.runs} meetings had a request decided by the lot."
    )

    if options.pabutools <= 0:
        return
    try:
        import pabutools
    except ImportError:
        print("pabutools is not installed: no comparison.")
        return
    version = getattr(pabutools, "__version__", "")
    compared = meetings[: options.pabutools]
    their_times = []
    for (election, lot), check in zip(compared, checks, strict=False):
        seconds, results = theirs(election, lot)
        their_times.append(seconds)
        if results != [set(check.outcome.funded), set(check.reversed_outcome.funded)]:
            sys.exit(f"pabutools funds different requests on meeting {len(their_times)}: {results}")
    ratio = statistics.median(their_times) / statistics.median(times[: len(compared)])
    print(
        f"pabutools {version} (exhaustion_by_budget_increase over method_of_equal_shares, Cost_Sat), "
        f"the first {len(compared)} meetings: median {statistics.median(their_times):.2f} s, fastest "
        f"{min(their_times):.2f} s, slowest {max(their_times):.2f} s for both counts, funding the "
        f"same requests every time; about {ratio:.0f} times ours on the same meetings."
    )


if __name__ == "__main__":
    main()
