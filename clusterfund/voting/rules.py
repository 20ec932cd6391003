"""Count a meeting's votes on funding requests and say, for every request, whether it was funded and why.

Three rules, chosen by the cluster before the meeting:

- **Equal shares** (the Method of Equal Shares with cost utilities). Every school present holds an equal share
  of the money. Round by round, the request whose supporters can pay for it while each pays the smallest part
  of its cost is funded; its supporters split the cost equally, and a school that cannot pay its full part
  pays all it has left. With the **Add1** completion, when that leaves money unspent the count is run again
  with every school's share £1 larger, while the result still fits the money, and the last result that fits
  is kept (`add1-exhaustive` also stops at the first result that leaves nothing more that would fit). It
  gives the same results as pabutools' `method_of_equal_shares` with `Cost_Sat`, completed by
  `exhaustion_by_budget_increase` with a budget step of £1 for each school (`exhaustive_stop=False`, or
  `True` for `add1-exhaustive`).
- **Greedy by approvals**. Requests in order of support (the share of the schools able to vote on a request
  that approved it), each funded if it still fits the money left. A request nobody approved is never funded.
- **Majority per request**. A request passes when more schools vote for it than against it (the caller checks
  the quorum); passed requests are funded in order of the share of eligible schools in favour while they fit
  the money left, and the rest are "approved, not funded".

A school never votes on a request it submitted or joined: that line of its ballot is withheld, which is
neither approval nor disapproval, and the school does not count among that request's eligible voters.

Ties are broken the same way everywhere: the lower cost first, then the more support, then the order of the
lot drawn when the agenda was frozen. `count_with_reversed_lot` counts twice, with the lot as drawn and
reversed, and names the requests whose result the lot decided.

Money is whole pence. Every fraction is exact (`fractions.Fraction`, or whole numbers over a common
denominator inside the equal-shares loop), and nothing is funded beyond the money. Floats appear only as
hints of the order in which to look at requests; every decision is made on the exact values.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction

POUND = 100
"""One pound in pence: the Add1 completion raises every school's share by this much at a time."""


class Rule(StrEnum):
    """The counting rules a cluster can choose."""

    EQUAL_SHARES = "equal-shares"
    GREEDY = "greedy"
    MAJORITY = "majority"


class Completion(StrEnum):
    """What equal shares does with money it leaves unspent.

    `add1` raises every school's share £1 at a time while the result still fits the money, and keeps the
    last result that fits (as equalshares.net computes it, and as Wieliczka's official 2023 result was
    counted; pabutools' `exhaustion_by_budget_increase` with `exhaustive_stop=False`). `add1-exhaustive`
    also stops at the first result that leaves no other request that would fit (pabutools' default,
    `exhaustive_stop=True`). `none` keeps the first result.
    """

    ADD1 = "add1"
    ADD1_EXHAUSTIVE = "add1-exhaustive"
    NONE = "none"


@dataclass(frozen=True)
class Project:
    """A funding request on the agenda: its reference code and its cost in whole pence."""

    id: str
    cost: int

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise ValueError("A request needs a reference code.")
        if not isinstance(self.cost, int) or isinstance(self.cost, bool) or self.cost <= 0:
            raise ValueError(f"Request {self.id}: the cost must be a whole number of pence above zero.")


@dataclass(frozen=True)
class Ballot:
    """One school's ballot.

    `eligible` is every request the school may vote on (not the ones it submitted or joined). `approves` is
    the requests it supports; `opposes` is the ones it votes against, used only by the majority rule. An
    eligible request it neither approves nor opposes is an abstention.
    """

    voter: str
    approves: frozenset[str]
    eligible: frozenset[str]
    opposes: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        for name in ("approves", "eligible", "opposes"):
            object.__setattr__(self, name, frozenset(getattr(self, name)))
        if not isinstance(self.voter, str) or not self.voter:
            raise ValueError("A ballot needs the voter's id.")
        if not self.approves <= self.eligible:
            raise ValueError(f"Ballot {self.voter} approves a request it may not vote on.")
        if not self.opposes <= self.eligible:
            raise ValueError(f"Ballot {self.voter} opposes a request it may not vote on.")
        if self.approves & self.opposes:
            raise ValueError(f"Ballot {self.voter} both approves and opposes the same request.")


@dataclass(frozen=True)
class Election:
    """What a meeting counts: the requests in agenda order, the ballots of the schools present, the money."""

    projects: tuple[Project, ...]
    ballots: tuple[Ballot, ...]
    budget: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "projects", tuple(self.projects))
        object.__setattr__(self, "ballots", tuple(self.ballots))
        if not isinstance(self.budget, int) or isinstance(self.budget, bool) or self.budget < 0:
            raise ValueError("The money to share must be a whole number of pence, zero or more.")
        ids = [project.id for project in self.projects]
        if len(set(ids)) != len(ids):
            raise ValueError("Two requests have the same reference code.")
        voters = [ballot.voter for ballot in self.ballots]
        if len(set(voters)) != len(voters):
            raise ValueError("Two ballots have the same voter id.")
        known = set(ids)
        for ballot in self.ballots:
            unknown = ballot.eligible - known
            if unknown:
                raise ValueError(
                    f"Ballot {ballot.voter} names requests not on the agenda: {sorted(unknown)}."
                )


@dataclass(frozen=True)
class Decision:
    """One request's result: funded or not, and why, in plain words."""

    project: str
    funded: bool
    reason: str


@dataclass(frozen=True)
class Outcome:
    """The result of one count.

    `funded` lists the funded requests in the order the rule chose them; `decisions` has one entry for every
    request, in agenda order. For equal shares, `share` is each school's starting money in the count that was
    kept and `spend` is what each school paid towards each funded request (exact fractions of a penny; see
    `spend_in_pence` for whole pence). `notes` says anything that applies to the whole count.
    """

    rule: Rule
    completion: Completion
    budget: int
    funded: tuple[str, ...]
    decisions: tuple[Decision, ...]
    share: Fraction | None = None
    spend: Mapping[str, Mapping[str, Fraction]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    costs: Mapping[str, int] = field(default_factory=dict, repr=False)

    @property
    def total_cost(self) -> int:
        """The pence committed to the funded requests."""
        return sum(self.costs[project] for project in self.funded)

    @property
    def unspent(self) -> int:
        """The pence left over."""
        return self.budget - self.total_cost

    def decision(self, project: str) -> Decision:
        """The result for one request, by its reference code."""
        for decision in self.decisions:
            if decision.project == project:
                return decision
        raise KeyError(project)

    def spend_in_pence(self) -> dict[str, dict[str, int]]:
        """Each school's payment towards each funded request in whole pence.

        The exact payments are rounded so that every request's payments still add up to its cost exactly:
        each school gets its payment rounded down, and the pence left over go one each to the schools with
        the largest remainders (earlier ballots first when remainders are equal).
        """
        result: dict[str, dict[str, int]] = {voter: {} for voter in self.spend}
        for project in self.funded:
            payers = [(voter, paid[project]) for voter, paid in self.spend.items() if project in paid]
            floors = {voter: math.floor(amount) for voter, amount in payers}
            left = self.costs[project] - sum(floors.values())
            by_remainder = sorted(range(len(payers)), key=lambda k: -(payers[k][1] - floors[payers[k][0]]))
            for k in by_remainder[:left]:
                floors[payers[k][0]] += 1
            for voter, pence in floors.items():
                result[voter][project] = pence
        return result


@dataclass(frozen=True)
class LotCheck:
    """A count with the lot as drawn and again with the lot reversed.

    `decided_by_lot` names, in agenda order, the requests funded in one count and not the other: their
    result was decided by the lot rather than by the votes, costs and support.
    """

    outcome: Outcome
    reversed_outcome: Outcome
    decided_by_lot: tuple[str, ...]


def count(
    election: Election,
    *,
    rule: Rule | str,
    lot: Sequence[str],
    completion: Completion | str | None = None,
    step: int = POUND,
) -> Outcome:
    """Count a meeting's ballots with one rule and explain every request's result.

    `lot` is the order of reference codes drawn when the agenda was frozen, used only to break ties that
    cost and support leave. `completion` applies to equal shares only (Add1 unless told otherwise); `step`
    is how much Add1 raises each school's share at a time, £1 unless a recount of another election's file
    needs that election's currency unit.
    """
    rule = Rule(rule)
    if completion is None:
        completion = Completion.ADD1 if rule is Rule.EQUAL_SHARES else Completion.NONE
    completion = Completion(completion)
    if rule is not Rule.EQUAL_SHARES and completion is not Completion.NONE:
        raise ValueError("Only equal shares has a completion.")
    if not isinstance(step, int) or isinstance(step, bool) or step <= 0:
        raise ValueError("The Add1 step must be a whole number of pence above zero.")
    table = _Table(election, lot)
    if rule is Rule.EQUAL_SHARES:
        return _count_equal_shares(table, completion, step)
    if rule is Rule.GREEDY:
        return _count_greedy(table)
    return _count_majority(table)


def count_with_reversed_lot(
    election: Election,
    *,
    rule: Rule | str,
    lot: Sequence[str],
    completion: Completion | str | None = None,
    step: int = POUND,
) -> LotCheck:
    """Count with the lot as drawn and with it reversed, and name the requests the lot decided."""
    forward = count(election, rule=rule, lot=lot, completion=completion, step=step)
    backward = count(election, rule=rule, lot=list(reversed(lot)), completion=completion, step=step)
    differ = set(forward.funded) ^ set(backward.funded)
    decided = tuple(project.id for project in election.projects if project.id in differ)
    return LotCheck(outcome=forward, reversed_outcome=backward, decided_by_lot=decided)


def format_pence(amount: int | Fraction) -> str:
    """Pence as pounds for people: 1234567 is "£12,345.67"; a fraction goes to the nearest penny."""
    pence = math.floor(Fraction(amount) + Fraction(1, 2))
    sign = "-" if pence < 0 else ""
    pence = abs(pence)
    return f"{sign}£{pence // 100:,}.{pence % 100:02d}"


def _percent(value: Fraction) -> str:
    return f"{math.floor(value * 100 + Fraction(1, 2))}%"


def _schools(number: int) -> str:
    return f"{number} school" if number == 1 else f"{number} schools"


class _Table:
    """The election by index, with each request's support and tie-break key worked out once."""

    def __init__(self, election: Election, lot: Sequence[str]) -> None:
        self.election = election
        self.ids = [project.id for project in election.projects]
        lot = list(lot)
        if len(lot) != len(set(lot)) or set(lot) != set(self.ids):
            raise ValueError("The lot must list every request on the agenda exactly once.")
        position = {project: place for place, project in enumerate(lot)}
        index = {project: j for j, project in enumerate(self.ids)}
        self.costs = {project.id: project.cost for project in election.projects}
        self.cost = [project.cost for project in election.projects]
        self.voters = [ballot.voter for ballot in election.ballots]
        self.n = len(self.voters)
        self.supporters: list[list[int]] = [[] for _ in self.ids]
        self.against = [0] * len(self.ids)
        self.eligible = [0] * len(self.ids)
        for i, ballot in enumerate(election.ballots):
            for project in ballot.eligible:
                self.eligible[index[project]] += 1
            for project in ballot.approves:
                self.supporters[index[project]].append(i)
            for project in ballot.opposes:
                self.against[index[project]] += 1
        for supporters in self.supporters:
            supporters.sort()
        # Schools with the same approvals always hold the same money under equal shares, so that count
        # handles each set of identical ballots once, as a group with a weight (its number of ballots).
        group_of: dict[frozenset[str], int] = {}
        self.group = []
        for ballot in election.ballots:
            self.group.append(group_of.setdefault(ballot.approves, len(group_of)))
        self.weight = [0] * len(group_of)
        for g in self.group:
            self.weight[g] += 1
        self.group_supporters = [sorted({self.group[i] for i in s}) for s in self.supporters]
        self.group_weights = [[self.weight[g] for g in s] for s in self.group_supporters]
        self.size = [len(s) for s in self.supporters]
        self.support = [
            Fraction(len(self.supporters[j]), self.eligible[j]) if self.eligible[j] else Fraction(0)
            for j in range(len(self.ids))
        ]
        self.tiekey = [(self.cost[j], -self.support[j], position[self.ids[j]]) for j in range(len(self.ids))]
        # each request's place in the tie-break order, as a whole number that is quick to compare
        self.rank = [0] * len(self.ids)
        for place, j in enumerate(sorted(range(len(self.ids)), key=self.tiekey.__getitem__)):
            self.rank[j] = place

    def tie_reason(self, first: int, second: int) -> str:
        """Why `first` comes before `second` when the rule itself ranks them level."""
        if self.cost[first] != self.cost[second]:
            return "it costs less"
        if self.support[first] != self.support[second]:
            return "more of the schools able to vote on it approved it"
        return "it comes first in the lot drawn when the agenda was frozen"

    def support_words(self, j: int) -> str:
        approvals, eligible = len(self.supporters[j]), self.eligible[j]
        share = _percent(self.support[j])
        return f"{approvals} of the {_schools(eligible)} able to vote on it approved it ({share})"

    def outcome(self, rule, completion, funded, reasons, **extra) -> Outcome:
        decisions = tuple(
            Decision(project=self.ids[j], funded=j in funded, reason=reasons[j]) for j in range(len(self.ids))
        )
        return Outcome(
            rule=rule,
            completion=completion,
            budget=self.election.budget,
            funded=tuple(self.ids[j] for j in funded),
            decisions=decisions,
            costs=self.costs,
            **extra,
        )


# Greedy by approvals, and majority per request -------------------------------------------------------------


def _fund_in_order(table: _Table, order: list[int]) -> tuple[list[int], dict[int, int]]:
    """Fund requests in the given order while each fits; return them and the money left at each one's turn."""
    left = table.election.budget
    funded, left_at_turn = [], {}
    for j in order:
        left_at_turn[j] = left
        if table.cost[j] <= left:
            funded.append(j)
            left -= table.cost[j]
    return funded, left_at_turn


def _level_note(table: _Table, j: int, order: list[int], funded: set[int], score) -> str:
    """A sentence on ties, when a request level with this one on the rule's own measure fared differently."""
    level = [k for k in order if k != j and score(k) == score(j) and (k in funded) != (j in funded)]
    if not level:
        return ""
    names = ", ".join(table.ids[k] for k in level)
    return (
        f" It was level with {names} on support; level requests are taken in order of lower cost, then more "
        "support, then the lot."
    )


def _count_greedy(table: _Table) -> Outcome:
    supported = [j for j in range(len(table.ids)) if table.supporters[j]]
    order = sorted(supported, key=lambda j: (-table.support[j], table.tiekey[j]))
    funded, left_at_turn = _fund_in_order(table, order)
    funded_set = set(funded)
    reasons = {}
    for j in range(len(table.ids)):
        if not table.supporters[j]:
            reasons[j] = "Not funded: no school approved it."
            continue
        place = order.index(j) + 1
        left = format_pence(left_at_turn[j])
        if j in funded_set:
            text = (
                f"Funded: {table.support_words(j)}, putting it {place} of {len(order)} by support; it cost "
                f"{format_pence(table.cost[j])} and {left} was left when its turn came."
            )
        else:
            text = (
                f"Not funded: {table.support_words(j)}, putting it {place} of {len(order)} by support; it "
                f"cost {format_pence(table.cost[j])} but only {left} was left when its turn came."
            )
        reasons[j] = text + _level_note(table, j, order, funded_set, lambda k: table.support[k])
    return table.outcome(Rule.GREEDY, Completion.NONE, funded, reasons)


def _count_majority(table: _Table) -> Outcome:
    votes_for = [len(s) for s in table.supporters]
    passed = [j for j in range(len(table.ids)) if votes_for[j] > table.against[j]]
    order = sorted(passed, key=lambda j: (-table.support[j], table.tiekey[j]))
    funded, left_at_turn = _fund_in_order(table, order)
    funded_set = set(funded)
    reasons = {}
    for j in range(len(table.ids)):
        abstained = table.eligible[j] - votes_for[j] - table.against[j]
        tally = f"{votes_for[j]} for, {table.against[j]} against, {abstained} abstaining"
        if j not in order:
            reasons[j] = f"Not passed: {tally}; a request passes only with more votes for than against."
            continue
        share = (
            f"{votes_for[j]} of the {_schools(table.eligible[j])} able to vote on it in favour "
            f"({_percent(table.support[j])})"
        )
        left = format_pence(left_at_turn[j])
        if j in funded_set:
            text = (
                f"Passed and funded: {tally}; {share}. It cost {format_pence(table.cost[j])} and {left} was "
                "left when its turn came."
            )
        else:
            text = (
                f"Approved, not funded: {tally}; {share}. It cost {format_pence(table.cost[j])} but only "
                f"{left} was left when its turn came."
            )
        reasons[j] = text + _level_note(table, j, order, funded_set, lambda k: table.support[k])
    return table.outcome(Rule.MAJORITY, Completion.NONE, funded, reasons)


# Equal shares -----------------------------------------------------------------------------------------------
#
# Schools with identical ballots always hold the same money, so the count works on groups of identical
# ballots with a weight each. Inside one run every school's money is a whole number over a common
# denominator `den`, so the loop adds and compares whole numbers; the denominator grows when a payment is
# split, and everything is divided by the common factor after each round. It stays exact.
#
# The Add1 completion asks for the result at shares of s, s + £1, s + £2, ... Run naively that is hundreds of
# full runs. Instead each run also carries, for every school's money, its rate of change as the starting
# share grows (with the same choices made, every amount is a straight line in the share), and checks every
# comparison the run's choices rested on. From those it works out how many more £1 steps are certain to make
# the same choices, and so give the same result; the completion jumps straight to the first step that might
# differ. The jump only ever falls short, never overshoots, so the result is exactly what stepping £1 at a
# time gives.


@dataclass
class _Pick:
    round: int
    supporters: int
    paid_all: int
    cap: Fraction
    level_with: list[int]


@dataclass
class _Run:
    share: Fraction
    funded: list[int]
    total: int
    steps_same: int | None = None
    picks: dict[int, _Pick] = field(default_factory=dict)
    dropped: dict[int, tuple[int, Fraction]] = field(default_factory=dict)
    spend: list[dict[int, Fraction]] = field(default_factory=list)


# The lower bounds are also kept as floats, only to sort the requests and to stop early: a float is within
# one part in 2**53 of the exact value, so a bound more than this factor above the best's float is above it.
_MARGIN = 1 + 1e-12


def _ceil_div(a: int, b: int) -> int:
    return -((-a) // b)


def _equal_shares_run(table: _Table, share: Fraction, *, step: int | None, explain: bool) -> _Run:
    """One run of equal shares with every school starting at `share` pence.

    With `step`, also work out how many further steps of `step` pence in the share certainly give the same
    result (`steps_same`; None for "every further step"). With `explain`, keep what the reasons need.
    """
    track = step is not None
    weight = table.weight
    groups = len(weight)
    den = share.denominator
    money = [share.numerator] * groups
    rate = [den] * groups if track else []  # how fast each group's money grows with the share, over den
    cost, supporters, rank, size = table.cost, table.group_supporters, table.rank, table.size
    weights = table.group_weights
    remaining = [j for j in range(len(table.ids)) if supporters[j]]
    # A lower bound on each request's part of the cost, bound_top / bound_under: its part never falls
    # during a run, so the last one worked out will do. It lets a round skip requests that cannot win.
    bound_top = [1] * len(table.ids)
    bound_under = list(size)
    bound_float = [1 / s if s else 0.0 for s in size]
    funded: list[int] = []
    run = _Run(share=share, funded=funded, total=0)
    if explain:
        run.spend = [{} for _ in range(groups)]
    horizon: int | None = None
    round_no = 0
    while remaining:
        round_no += 1
        candidates = []
        best, best_float = None, 0.0
        dropped = set()
        for j in sorted(remaining, key=bound_float.__getitem__):
            if best is not None and not explain:
                if bound_float[j] > best_float * _MARGIN:
                    break  # this one and all after it have larger parts of the cost than the best's
                mine, theirs = bound_top[j] * best[3] * den, best[1] * bound_under[j]
                if mine > theirs or (mine == theirs and rank[j] > rank[best[0]]):
                    continue  # its part of the cost can only be larger than the best's
            sup = supporters[j]
            full = cost[j] * den
            held = [money[g] for g in sup]
            total = sum(map(operator.mul, held, weights[j]))
            if total < full:
                dropped.add(j)
                if explain:
                    run.dropped[j] = (round_no, Fraction(total, den))
                if track and horizon != 1:
                    growth = sum(map(operator.mul, (rate[g] for g in sup), weights[j]))
                    if growth:
                        # it stays out of reach while its supporters' money stays below its cost
                        steps = max(1, _ceil_div(full - total, growth * step))
                        horizon = steps if horizon is None else min(horizon, steps)
                continue
            rest = size[j]
            paid = 0
            poor = 0
            if full <= min(held) * rest:
                order = sup  # every supporter can pay an equal part, so nobody needs sorting
            else:
                order = sorted(sup, key=money.__getitem__)
                for g in order:
                    if full - paid <= money[g] * rest:
                        break
                    paid += money[g] * weight[g]
                    rest -= weight[g]
                    poor += 1
            # The `rest` supporters who can pay the full part pay (full - paid) / rest / den each; the `poor`
            # groups before them pay all they have. The part of the cost each pays ("rho" with cost
            # utilities) is that over the cost, so requests compare on top / (rest * cost).
            top, scale = full - paid, rest * cost[j]
            bound_top[j], bound_under[j], bound_float[j] = top, scale * den, top / (scale * den)
            candidate = (j, top, rest, scale, order, poor)
            candidates.append(candidate)
            if best is None:
                best, best_float = candidate, bound_float[j]
            else:
                mine, theirs = top * best[3], best[1] * scale
                if mine < theirs or (mine == theirs and rank[j] < rank[best[0]]):
                    best, best_float = candidate, bound_float[j]
        if dropped:
            remaining = [j for j in remaining if j not in dropped]
        if best is None:
            break
        w, top, rest, scale, order, poor = best
        poor_groups = order[:poor]
        if track and horizon != 1:
            evaluated = {c[0] for c in candidates}
            unevaluated = [j for j in remaining if j not in evaluated]
            horizon = _horizon_after_pick(
                table, candidates, unevaluated, best, money, rate, den, step, horizon
            )
        if explain:
            level = [c[0] for c in candidates if c[0] != w and c[1] * scale == top * c[3]]
            level.sort(key=rank.__getitem__)
            # a supporter with nothing left pays nothing, and is not said to have paid
            paid_all = sum(weight[g] for g in poor_groups if money[g])
            run.picks[w] = _Pick(round_no, size[w], paid_all, Fraction(top, rest * den), level)
            for g in poor_groups:
                if money[g]:
                    run.spend[g][w] = Fraction(money[g], den)
            for g in order[poor:]:
                run.spend[g][w] = Fraction(top, rest * den)
        funded.append(w)
        run.total += cost[w]
        remaining.remove(w)
        # Pay, moving to the denominator den * rest so that the full part `top / rest` is whole. As the share
        # grows, the full part shrinks by the growth of what the poorer supporters had, split among the
        # rest, so the others' money grows by that much more.
        poor_rate = sum(rate[g] * weight[g] for g in poor_groups) if track else 0
        if rest != 1:
            den *= rest
            money = [m * rest for m in money]
            if track:
                rate = [r * rest for r in rate]
        for g in poor_groups:
            money[g] = 0
            if track:
                rate[g] = 0
        for g in order[poor:]:
            money[g] -= top
            if track:
                rate[g] += poor_rate
        # Keep the numbers short, but only when the denominator has grown: the common factor costs time.
        divisor = math.gcd(den, *money, *rate) if den.bit_length() > 64 else 1
        if divisor > 1:
            den //= divisor
            money = [m // divisor for m in money]
            if track:
                rate = [r // divisor for r in rate]
    run.steps_same = horizon
    return run


def _horizon_after_pick(table, candidates, unevaluated, best, money, rate, den, step, horizon):
    """Tighten `horizon` with the comparisons that made `best` this round's pick.

    As the share grows, money grows (or stays) and a pick's full part shrinks (or stays), so a request that
    was affordable stays so and the pick's better-off supporters can still pay the full part. What can change
    is that a supporter who paid all they had could pay the full part, or that another request beats the
    pick: one worked out this round (`candidates`) or one skipped because it could not win (`unevaluated`).
    """
    w, top, rest, scale, order, poor = best
    cost, rank, weight, size = table.cost, table.rank, table.weight, table.size

    def tighten(steps: int) -> None:
        nonlocal horizon
        steps = max(1, steps)
        horizon = steps if horizon is None else min(horizon, steps)

    # At t pence more share the pick's full part is (top + top_rate * t) / (rest * den).
    top_rate = -sum(rate[g] * weight[g] for g in order[:poor])
    for g in order[:poor]:
        # it still pays all it has while its money <= the full part
        gap, slope = top - money[g] * rest, top_rate - rate[g] * rest
        if slope < 0:
            tighten(gap // (-slope * step) + 1)
            if horizon == 1:
                return horizon
    # Another request j must not beat the pick. Scaled by rest * cost_w * den ("unit"), j's supporters would
    # each pay q = cost_j * (top + top_rate * t) to match the pick's part of the cost, and a supporter's money
    # is money * scale; j does not beat the pick while the sum of min(money, q) over its supporters stays at
    # most its cost (below it, when j would win a tie). "At most" is enough only for a request its supporters
    # can afford now; one out of reach (only a skipped one can be) is held to "below".
    unit = scale * den
    rivals = [(c[0], c[4], not rank[w] < rank[c[0]]) for c in candidates if c[0] != w]
    rivals += [(j, table.group_supporters[j], not rank[w] < rank[j]) for j in unevaluated]
    # q never grows and nobody pays more than q, so if size_j * q is within the cost now, it always is:
    # that is, when j has no more supporters than these (the first when it would win a tie, the second not).
    most_strict, most = (unit - 1) // top, unit // top
    for j, groups, strict in rivals:
        if size[j] <= (most_strict if strict else most):
            continue
        full = cost[j] * unit
        q0, q_rate = cost[j] * top, cost[j] * top_rate
        below_total = below_rate = above = held = 0
        events = []
        for g in groups:
            v, r, count = money[g] * scale, rate[g] * scale, weight[g]
            held += v * count
            if v < q0:
                below_total += v * count
                below_rate += r * count
                if r > q_rate:
                    events.append((q0 - v, r - q_rate, count))
            else:
                above += count
        slack = full - below_total - above * q0
        strict = strict or held < full
        if strict and slack <= 0:
            tighten(1)  # level with the pick now: only the next step is certain
            return horizon
        if below_rate == 0:
            continue  # the sum cannot grow: min(money, q) is q or money that does not grow
        # A quick bound first: the sum grows no faster than the money of the supporters below q.
        quick = _ceil_div(slack, below_rate * step) if strict else slack // (below_rate * step) + 1
        if horizon is not None and quick >= horizon:
            continue
        events = [(Fraction(gap, speed), speed * count) for gap, speed, count in events]
        crossing = _first_crossing(slack, below_rate + above * q_rate, events)
        if crossing is None:
            continue
        tighten(math.ceil(crossing / step) if strict else math.floor(crossing / step) + 1)
        if horizon == 1:
            return horizon
    return horizon


def _first_crossing(slack, growth, events):
    """The first t >= 0 at which cost - sum(min(money(t), q(t))) falls to zero, or None if it never does.

    The sum is a broken line: it starts at `cost - slack` growing at `growth`, and each supporter counts with
    its own money until that reaches q, then with q (the events: when, and how much the growth drops).
    """
    events.sort(key=lambda event: event[0])
    t, value, slope = Fraction(0), Fraction(slack), -growth
    for at, drop in events:
        if slope < 0:
            zero = t + value / -slope
            if zero <= at:
                return zero
        value += slope * (at - t)
        t = at
        slope += drop
    if slope < 0:
        return t + value / -slope
    return None


def _exhaustive(table: _Table, funded: Iterable[int]) -> bool:
    chosen = set(funded)
    left = table.election.budget - sum(table.cost[j] for j in chosen)
    return all(j in chosen or table.cost[j] > left for j in range(len(table.ids)))


def _count_equal_shares(table: _Table, completion: Completion, step: int) -> Outcome:
    budget, n = table.election.budget, table.n
    if n == 0:
        reasons = {j: "Not funded: no ballots were cast." for j in range(len(table.ids))}
        return table.outcome(Rule.EQUAL_SHARES, completion, [], reasons)
    base = Fraction(budget, n)
    notes: list[str] = []
    if completion is Completion.NONE:
        run = _equal_shares_run(table, base, step=None, explain=True)
    else:
        run = _add1(table, base, step, notes, stop_when_exhaustive=completion is Completion.ADD1_EXHAUSTIVE)
    return _explain_equal_shares(table, completion, run, notes)


def _add1(table: _Table, base: Fraction, step: int, notes: list[str], *, stop_when_exhaustive: bool) -> _Run:
    """Raise every school's share `step` pence at a time while the result fits the money; keep the last fit.

    It stops at the first share whose result is over the money, and keeps the one before; with
    `stop_when_exhaustive`, also at the first result that leaves no other request that would fit, and keeps
    that. As in pabutools, it gives up once the shares have grown by the whole budget between them.
    """
    budget = table.election.budget
    last_step = budget // step
    k = 0
    kept, kept_step = None, 0
    while k <= last_step:
        run = _equal_shares_run(table, base + k * step, step=step, explain=False)
        if run.total > budget:
            break
        if stop_when_exhaustive and _exhaustive(table, run.funded):
            notes.append(_add1_note(base, k, step, "it left no other request that would fit"))
            return _equal_shares_run(table, base + k * step, step=None, explain=True)
        jump = run.steps_same if run.steps_same is not None else last_step + 1 - k
        kept, kept_step = run, min(k + jump - 1, last_step)
        k += jump
    if kept is None:  # the first share can never overspend, so this is only a guard
        raise AssertionError("equal shares overspent at the starting share")
    if k <= last_step:
        reason = f"{format_pence(step)} more would have funded more than the money available"
    else:
        reason = "the shares had grown by the whole budget between them"
    notes.append(_add1_note(base, kept_step, step, reason))
    return _equal_shares_run(table, base + kept_step * step, step=None, explain=True)


def _add1_note(base: Fraction, k: int, step: int, reason: str) -> str:
    if k == 0:
        return f"Each school's share stayed at {format_pence(base)} (Add1 completion): {reason}."
    return (
        f"Each school's share was raised from {format_pence(base)} to {format_pence(base + k * step)}, "
        f"{format_pence(step)} at a time (Add1 completion), and stopped there: {reason}."
    )


def _explain_equal_shares(table: _Table, completion: Completion, run: _Run, notes: list[str]) -> Outcome:
    reasons = {}
    share = format_pence(run.share)
    for j in range(len(table.ids)):
        if not table.supporters[j]:
            reasons[j] = "Not funded: no school approved it."
        elif j in run.picks:
            pick = run.picks[j]
            text = (
                f"Funded in round {pick.round}: the {_schools(pick.supporters)} that approved it shared its "
                f"cost of {format_pence(table.cost[j])}, each paying at most {format_pence(pick.cap)} "
                f"({_percent(pick.cap / table.cost[j])} of the cost)"
            )
            if pick.paid_all:
                text += f"; {_schools(pick.paid_all)} paid all they had left"
            text += "."
            if pick.level_with:
                names = ", ".join(table.ids[k] for k in pick.level_with)
                text += (
                    f" It was level with {names} on the part of the cost each supporter would pay, and went "
                    f"first because {table.tie_reason(j, pick.level_with[0])}."
                )
            reasons[j] = text
        else:
            round_no, money = run.dropped[j]
            reasons[j] = (
                f"Not funded: by round {round_no} the {_schools(len(table.supporters[j]))} that approved it "
                f"had {format_pence(money)} left between them, less than its cost of "
                f"{format_pence(table.cost[j])} (each school started with {share})."
            )
    spend = {
        voter: {table.ids[j]: amount for j, amount in sorted(run.spend[table.group[i]].items())}
        for i, voter in enumerate(table.voters)
    }
    return table.outcome(
        Rule.EQUAL_SHARES, completion, run.funded, reasons, share=run.share, spend=spend, notes=tuple(notes)
    )
