"""The counting rules for a meeting's vote on funding requests: pure Python, no Django, exact arithmetic.

`rules` counts a meeting (equal shares with the Add1 completion, greedy by approvals, or a majority vote per
request) and explains every request's result in plain words; `pabulib` reads and writes the `.pb` files that
let anyone recount a meeting, or a published participatory budgeting election, with other software.
"""

from clusterfund.voting.rules import (
    Ballot,
    Completion,
    Decision,
    Election,
    LotCheck,
    Outcome,
    Project,
    Rule,
    count,
    count_with_reversed_lot,
)

__all__ = [
    "Ballot",
    "Completion",
    "Decision",
    "Election",
    "LotCheck",
    "Outcome",
    "Project",
    "Rule",
    "count",
    "count_with_reversed_lot",
]
