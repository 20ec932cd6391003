"""Hypothesis strategies for small meetings, shared by the property and oracle tests.

Costs come from a short list of round amounts so that ties (equal costs, equal numbers of supporters) are
common: ties are where counting rules most often go wrong.
"""

from hypothesis import strategies as st

from clusterfund.voting.rules import Ballot, Election, Project

ROUND_POUNDS = (1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 30)


@st.composite
def meetings(
    draw,
    *,
    max_projects: int = 7,
    max_voters: int = 8,
    eligibility: bool = True,
    opposition: bool = False,
    odd_pence: bool = True,
) -> tuple[Election, list[str]]:
    """A meeting (requests, ballots, money) and a lot.

    With `eligibility`, some schools may not vote on some requests (they submitted or joined them). With
    `opposition`, ballots also vote against requests (for the majority rule). With `odd_pence`, some costs
    are odd amounts of pence rather than round pounds.
    """
    count = draw(st.integers(1, max_projects))
    ids = [f"R-{k + 1}" for k in range(count)]
    pounds = st.sampled_from(ROUND_POUNDS).map(lambda p: p * 100)
    cost = st.one_of(pounds, st.integers(1, 3000)) if odd_pence else pounds
    costs = draw(st.lists(cost, min_size=count, max_size=count))
    projects = [Project(id=ids[k], cost=costs[k]) for k in range(count)]
    voters = draw(st.integers(0, max_voters))
    everything = (1 << count) - 1
    masks = st.integers(0, everything)
    ballots = []
    for i in range(voters):
        # bit k of each mask is request k: cheaper for hypothesis to draw than sets
        eligible = everything & ~draw(masks) if eligibility else everything
        approves = eligible & draw(masks)
        opposes = eligible & ~approves & draw(masks) if opposition else 0
        ballots.append(
            Ballot(
                voter=f"S{i + 1}",
                approves={p for k, p in enumerate(ids) if approves >> k & 1},
                eligible={p for k, p in enumerate(ids) if eligible >> k & 1},
                opposes={p for k, p in enumerate(ids) if opposes >> k & 1},
            )
        )
    budget = draw(st.integers(0, sum(costs)))
    lot = draw(st.permutations(ids))
    return Election(projects=projects, ballots=ballots, budget=budget), list(lot)
