"""A meeting's vote as the counting rules see it, and its pabulib export: plain data in, no models.

The services gather the agenda, the ballots and the money from the database and hand them here; the
counting itself is `clusterfund.voting`. Requests paid from different pots (the cluster's pot, and its
contingency for emergencies) are counted separately, each against its own money, on the same ballots.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from clusterfund.voting import Ballot, Election, Project, count_with_reversed_lot
from clusterfund.voting.pabulib import fingerprint, write_pabulib
from clusterfund.voting.rules import format_pence


@dataclass(frozen=True)
class Item:
    """An agenda item on the vote: its reference, the amount voted on and the schools that may vote on it."""

    reference: str
    amount_pence: int
    eligible: frozenset[int]


def pseudonyms_for(school_ids: Sequence[int], order: Sequence[int]) -> dict[str, str]:
    """Fresh voter ids for one meeting: V1, V2, ... given to the schools present in a shuffled `order`."""
    if sorted(order) != sorted(school_ids):
        raise ValueError("The order must list every school present once.")
    return {str(school): f"V{place}" for place, school in enumerate(order, start=1)}


def election_of(
    items: Sequence[Item],
    *,
    present: Sequence[int],
    lines: Mapping[int, Mapping[str, str]],
    pseudonyms: Mapping[str, str],
    budget: int,
) -> Election:
    """The election for these items: one ballot for each school present, under its pseudonym. A present
    school that cast no ballot approves nothing. `lines` maps a school to its choice ("for", "against" or
    "abstain") on each reference; only lines on items the school may vote on exist."""
    projects = [Project(item.reference, item.amount_pence) for item in items]
    ballots = []
    for school in present:
        eligible = {item.reference for item in items if school in item.eligible}
        choices = lines.get(school, {})
        ballots.append(
            Ballot(
                voter=pseudonyms[str(school)],
                approves={ref for ref in eligible if choices.get(ref) == "for"},
                opposes={ref for ref in eligible if choices.get(ref) == "against"},
                eligible=eligible,
            )
        )
    return Election(projects=projects, ballots=ballots, budget=budget)


def export(election: Election, *, lot: Sequence[str], meta: Mapping[str, str], auditor: bool = False) -> str:
    """The canonical `.pb` text of a count. The public export has no eligibility: a missing line would
    reveal which school submitted a blind request. The auditor's adds it."""
    return write_pabulib(
        election,
        meta={**meta, "cost_unit": "pence", "currency": "GBP"},
        lot=[ref for ref in lot if ref in {p.id for p in election.projects}],
        include_eligibility=auditor,
    )


def count_of(election: Election, *, rule: str, lot: Sequence[str], meta: Mapping[str, str]) -> dict:
    """Count twice (the lot as drawn and reversed) and keep everything the minutes need, as plain data:
    what was funded, why each request was or was not, what the lot decided, each school's spending and the
    SHA-256 fingerprint of the public export."""
    references = {project.id for project in election.projects}
    own_lot = [ref for ref in lot if ref in references]
    check = count_with_reversed_lot(election, rule=rule, lot=own_lot)
    outcome = check.outcome
    tally = {
        ref: {"for": 0, "against": 0, "abstain": 0, "eligible": 0}
        for ref in (project.id for project in election.projects)
    }
    for ballot in election.ballots:
        for ref in ballot.eligible:
            tally[ref]["eligible"] += 1
            key = "for" if ref in ballot.approves else "against" if ref in ballot.opposes else "abstain"
            tally[ref][key] += 1
    spend = {}
    if outcome.share is not None:
        spend = {voter: paid for voter, paid in outcome.spend_in_pence().items() if paid}
    return {
        "rule": outcome.rule.value,
        "completion": outcome.completion.value,
        "budget": election.budget,
        "funded": list(outcome.funded),
        "decided_by_lot": list(check.decided_by_lot),
        "reasons": {decision.project: decision.reason for decision in outcome.decisions},
        "tally": tally,
        "notes": list(outcome.notes),
        "share": format_pence(outcome.share) if outcome.share is not None else None,
        "spend": spend,
        "committed": outcome.total_cost,
        "fingerprint": fingerprint(export(election, lot=lot, meta=meta)),
    }
