"""Hand-worked meetings with their exact results, one rule at a time, and the tie-breaks.

Each example's working is in its docstring, so a reader can check the expected numbers by hand.
"""

from fractions import Fraction

import pytest

from clusterfund.voting import Ballot, Completion, Election, Project, Rule, count, count_with_reversed_lot
from clusterfund.voting.rules import format_pence


def ballot(voter, approves, eligible, opposes=()):
    return Ballot(voter=voter, approves=set(approves), eligible=set(eligible), opposes=set(opposes))


# Equal shares -----------------------------------------------------------------------------------------------


def three_schools():
    """£150 between A, B and C: W £100 (A and C), X £40 (A), Y £30 (A and C); B approves nothing."""
    ids = ("W", "X", "Y")
    projects = [Project("W", 100_00), Project("X", 40_00), Project("Y", 30_00)]
    ballots = [ballot("A", "WXY", ids), ballot("B", "", ids), ballot("C", "WY", ids)]
    return Election(projects=projects, ballots=ballots, budget=150_00)


def test_equal_shares_without_completion():
    """Each school holds £50. Round 1: W and Y each cost their two supporters half (W £50 each, Y £15 each);
    they are level, and Y costs less, so Y goes first: A and C pay £15 and keep £35. Round 2: W needs £100
    but A and C have £70; X needs £40 but A has £35. Only Y is funded."""
    outcome = count(three_schools(), rule=Rule.EQUAL_SHARES, lot=["W", "X", "Y"], completion=Completion.NONE)

    assert outcome.funded == ("Y",)
    assert outcome.share == Fraction(50_00)
    assert outcome.total_cost == 30_00
    assert outcome.unspent == 120_00
    assert outcome.spend == {"A": {"Y": Fraction(15_00)}, "B": {}, "C": {"Y": Fraction(15_00)}}
    assert outcome.decision("Y").reason == (
        "Funded in round 1: the 2 schools that approved it shared its cost of £30.00, each paying at most "
        "£15.00 (50% of the cost). It was level with W on the part of the cost each supporter would pay, and "
        "went first because it costs less."
    )
    assert outcome.decision("W").reason == (
        "Not funded: by round 2 the 2 schools that approved it had £70.00 left between them, less than its "
        "cost of £100.00 (each school started with £50.00)."
    )
    assert outcome.decision("X").reason.startswith(
        "Not funded: by round 2 the 1 school that approved it had £35.00"
    )
    assert outcome.notes == ()


def test_equal_shares_add1_keeps_raising_while_the_result_fits():
    """Raise each share £1 at a time. From £55, A has £40 left after Y and X is funded (£70 in all). From
    £65, A and C have £100 left after Y, and W (half each, so before X at a whole share each) is funded
    instead (£130). At £105 A would still have £40 after W and X too would be funded: £170 is over the
    £150, so the count keeps the result at £104: Y and W."""
    outcome = count(three_schools(), rule=Rule.EQUAL_SHARES, lot=["W", "X", "Y"], completion=Completion.ADD1)

    assert outcome.funded == ("Y", "W")
    assert outcome.share == Fraction(104_00)
    assert outcome.total_cost == 130_00
    assert outcome.spend == {
        "A": {"W": Fraction(50_00), "Y": Fraction(15_00)},
        "B": {},
        "C": {"W": Fraction(50_00), "Y": Fraction(15_00)},
    }
    assert outcome.notes == (
        "Each school's share was raised from £50.00 to £104.00, £1.00 at a time (Add1 completion), and "
        "stopped there: £1.00 more would have funded more than the money available.",
    )
    assert outcome.decision("X").reason == (
        "Not funded: by round 3 the 1 school that approved it had £39.00 left between them, less than its "
        "cost of £40.00 (each school started with £104.00)."
    )


def test_equal_shares_add1_exhaustive_stops_at_the_first_result_with_nothing_more_that_fits():
    """At £55 the result is Y and X (£70): the £80 left cannot pay for W (£100), so it stops there."""
    outcome = count(three_schools(), rule="equal-shares", lot=["W", "X", "Y"], completion="add1-exhaustive")

    assert outcome.funded == ("Y", "X")
    assert outcome.share == Fraction(55_00)
    assert outcome.notes == (
        "Each school's share was raised from £50.00 to £55.00, £1.00 at a time (Add1 completion), and "
        "stopped there: it left no other request that would fit.",
    )


def test_equal_shares_is_add1_by_default():
    assert count(three_schools(), rule="equal-shares", lot=["W", "X", "Y"]).completion is Completion.ADD1


def test_a_school_that_cannot_pay_its_full_part_pays_all_it_has():
    """£120 between A, B, C and D: £30 each. Round 1: T £60 (A, B, C) costs each supporter a third, £20;
    V £35 (A, D) would cost half each. T is funded; A, B and C keep £10. Round 2: V's half is £17.50, more
    than A's £10, so A pays its £10 and D pays the other £25. U £50 (D alone) is out of reach."""
    ids = ("T", "U", "V")
    projects = [Project("T", 60_00), Project("U", 50_00), Project("V", 35_00)]
    ballots = [ballot("A", "TV", ids), ballot("B", "T", ids), ballot("C", "T", ids), ballot("D", "UV", ids)]
    election = Election(projects=projects, ballots=ballots, budget=120_00)

    outcome = count(election, rule="equal-shares", lot=list(ids), completion="none")

    assert outcome.funded == ("T", "V")
    assert outcome.spend["A"] == {"T": Fraction(20_00), "V": Fraction(10_00)}
    assert outcome.spend["D"] == {"V": Fraction(25_00)}
    assert outcome.decision("V").reason == (
        "Funded in round 2: the 2 schools that approved it shared its cost of £35.00, each paying at most "
        "£25.00 (71% of the cost); 1 school paid all they had left."
    )
    assert outcome.decision("U").reason == (
        "Not funded: by round 1 the 1 school that approved it had £30.00 left between them, less than its "
        "cost of £50.00 (each school started with £30.00)."
    )


def test_payments_in_whole_pence_add_up_to_each_cost():
    """£200 between three schools who all approve it: £66.666… each; in pence 6,667 + 6,667 + 6,666."""
    projects = [Project("X", 200_00)]
    ballots = [ballot(v, "X", "X") for v in "ABC"]
    outcome = count(Election(projects, ballots, 300_00), rule="equal-shares", lot=["X"], completion="none")

    assert outcome.spend["A"]["X"] == Fraction(20_000, 3)
    assert outcome.spend_in_pence() == {"A": {"X": 6667}, "B": {"X": 6667}, "C": {"X": 6666}}


def test_equal_shares_with_no_ballots_funds_nothing():
    election = Election([Project("X", 100)], [], 1_000)
    outcome = count(election, rule="equal-shares", lot=["X"])
    assert outcome.funded == ()
    assert outcome.decision("X").reason == "Not funded: no ballots were cast."


def test_a_request_nobody_approved_is_never_funded():
    election = Election([Project("X", 100), Project("Y", 100)], [ballot("A", "X", "XY")], 1_000)
    for rule in (Rule.EQUAL_SHARES, Rule.GREEDY):
        outcome = count(election, rule=rule, lot=["X", "Y"])
        assert outcome.funded == ("X",)
        assert outcome.decision("Y").reason == "Not funded: no school approved it."


# Equal-shares ties -----------------------------------------------------------------------------------------


def two_requests_two_schools(cost_p, cost_q, eligible_p="ABC"):
    """A and B (and C, who approves nothing) hold £40 each: P and Q both need half from A and B."""
    projects = [Project("P", cost_p), Project("Q", cost_q)]
    ballots = [
        ballot("A", "PQ", "PQ"),
        ballot("B", "PQ", "PQ"),
        ballot("C", "", "Q" + ("P" if "C" in eligible_p else "")),
    ]
    return Election(projects=projects, ballots=ballots, budget=120_00)


def test_equal_shares_tie_goes_to_the_lower_cost():
    """P £70 and Q £60 cost A and B half each: level. Q costs less, goes first (£30 each), and the £10 each
    has left cannot pay for P."""
    outcome = count(
        two_requests_two_schools(70_00, 60_00), rule="equal-shares", lot=["P", "Q"], completion="none"
    )
    assert outcome.funded == ("Q",)
    assert outcome.decision("Q").reason.endswith("went first because it costs less.")


def test_equal_shares_tie_at_equal_cost_goes_to_more_support():
    """Same cost; C submitted P so may not vote on it: P has 2 of 2 (100%), Q 2 of 3. P goes first."""
    election = two_requests_two_schools(70_00, 70_00, eligible_p="AB")
    outcome = count(election, rule="equal-shares", lot=["Q", "P"], completion="none")
    assert outcome.funded == ("P",)
    assert outcome.decision("P").reason.endswith(
        "went first because more of the schools able to vote on it approved it."
    )


def test_equal_shares_tie_at_equal_cost_and_support_goes_by_the_lot():
    election = two_requests_two_schools(70_00, 70_00)
    forward = count(election, rule="equal-shares", lot=["Q", "P"], completion="none")
    assert forward.funded == ("Q",)
    assert forward.decision("Q").reason.endswith(
        "went first because it comes first in the lot drawn when the agenda was frozen."
    )

    check = count_with_reversed_lot(election, rule="equal-shares", lot=["Q", "P"], completion="none")
    assert check.outcome.funded == ("Q",)
    assert check.reversed_outcome.funded == ("P",)
    assert check.decided_by_lot == ("P", "Q")


def test_reversing_the_lot_changes_nothing_when_cost_breaks_the_tie():
    check = count_with_reversed_lot(
        two_requests_two_schools(70_00, 60_00), rule="equal-shares", lot=["P", "Q"]
    )
    assert check.decided_by_lot == ()
    assert check.outcome.funded == check.reversed_outcome.funded


def test_the_lot_can_decide_a_request_that_was_not_itself_tied():
    """£4.50 between S1, S2 and S3 (£1.50 each). R3 £2 (S1, S2; S3 submitted it) and R7 £2 (S2, S3; S1
    submitted it) are level on cost and support. R3 first: S1 and S2 pay £1 each, then R6 £1 (S2, S3) takes
    S2's last 50p and 50p of S3's, and S3's last £1 pays for R1 £1. R7 first: S2 and S3 pay £1 each, R6 takes
    the rest of their money, R3 is out of reach and so is R1. R1 was decided by the lot too."""
    every = ("R1", "R3", "R6", "R7")
    projects = [Project("R1", 100), Project("R3", 200), Project("R6", 100), Project("R7", 200)]
    ballots = [
        ballot("S1", ["R3"], ["R1", "R3", "R6"]),
        ballot("S2", ["R3", "R6", "R7"], every),
        ballot("S3", ["R1", "R6", "R7"], ["R1", "R6", "R7"]),
    ]
    election = Election(projects=projects, ballots=ballots, budget=450)
    check = count_with_reversed_lot(election, rule="equal-shares", lot=list(every), completion="none")
    assert set(check.outcome.funded) == {"R3", "R6", "R1"}
    assert set(check.reversed_outcome.funded) == {"R7", "R6"}
    assert check.decided_by_lot == ("R1", "R3", "R7")


def test_a_school_with_nothing_left_is_not_counted_as_paying():
    """£34.90 between seven schools, £4.98 4/7 each (a meeting hypothesis found). R-2 and then R-1 use up
    all of S7's share, so when R-3 (£1, approved by S3 and S7) is funded S3 pays it all and S7 pays
    nothing: S7 has no payment towards R-3, rather than a payment of £0."""
    every = [f"R-{k}" for k in range(1, 8)]
    projects = [Project("R-1", 1000), Project("R-2", 496), *[Project(f"R-{k}", 100) for k in range(3, 7)]]
    projects.append(Project("R-7", 2000))
    ballots = [
        ballot("S1", [], every),
        ballot("S2", [], every[2:]),
        ballot("S3", ["R-3"], every),
        ballot("S4", ["R-2"], every),
        ballot("S5", ["R-1"], every),
        ballot("S6", ["R-1", "R-2"], every),
        ballot("S7", ["R-1", "R-2", "R-3"], every),
    ]
    election = Election(projects=projects, ballots=ballots, budget=3490)
    lot = ["R-7", "R-1", "R-2", "R-3", "R-4", "R-5", "R-6"]
    outcome = count(election, rule="equal-shares", lot=lot, completion="none")
    for paid in outcome.spend.values():
        assert all(amount > 0 for amount in paid.values())
    for project in outcome.funded:
        cost = next(p.cost for p in projects if p.id == project)
        assert sum(paid.get(project, 0) for paid in outcome.spend.values()) == cost


# Greedy by approvals ----------------------------------------------------------------------------------------


def greedy_meeting():
    """£100 between four schools. A £60: 3 of 4 approve (75%). D £35: S4 submitted it, and 2 of the 3 others
    approve (67%). B £30: 2 of 4 (50%). E £20: nobody. Order A, D, B: A (£40 left), D (£5 left), B does
    not fit. Counted by raw approvals D (2) would tie with B (2) and the cheaper B would go first."""
    ids = "ABDE"
    ballots = [
        ballot("S1", "ABD", ids),
        ballot("S2", "ABD", ids),
        ballot("S3", "A", ids),
        ballot("S4", "", "ABE"),
    ]
    projects = [Project("A", 60_00), Project("B", 30_00), Project("D", 35_00), Project("E", 20_00)]
    return Election(projects=projects, ballots=ballots, budget=100_00)


def test_greedy_by_share_of_eligible_schools():
    outcome = count(greedy_meeting(), rule=Rule.GREEDY, lot=list("ABDE"))

    assert outcome.funded == ("A", "D")
    assert outcome.completion is Completion.NONE
    assert outcome.spend == {}
    assert outcome.decision("D").reason == (
        "Funded: 2 of the 3 schools able to vote on it approved it (67%), putting it 2 of 3 by support; it "
        "cost £35.00 and £40.00 was left when its turn came."
    )
    assert outcome.decision("B").reason == (
        "Not funded: 2 of the 4 schools able to vote on it approved it (50%), putting it 3 of 3 by support; "
        "it cost £30.00 but only £5.00 was left when its turn came."
    )
    assert outcome.decision("E").reason == "Not funded: no school approved it."


def test_greedy_ties_go_to_the_lower_cost_then_the_lot():
    """X £60 and Y £50 both have 100%: Y (cheaper) first, and then X does not fit in the £100."""
    projects = [Project("X", 60_00), Project("Y", 50_00)]
    election = Election(projects, [ballot("A", "XY", "XY")], 100_00)
    outcome = count(election, rule="greedy", lot=["X", "Y"])
    assert outcome.funded == ("Y",)
    assert outcome.decision("X").reason.endswith(
        "It was level with Y on support; level requests are taken in order of lower cost, then more "
        "support, then the lot."
    )

    same_cost = Election([Project("X", 60_00), Project("Y", 60_00)], [ballot("A", "XY", "XY")], 100_00)
    check = count_with_reversed_lot(same_cost, rule="greedy", lot=["X", "Y"])
    assert (check.outcome.funded, check.reversed_outcome.funded) == (("X",), ("Y",))
    assert check.decided_by_lot == ("X", "Y")


def test_greedy_rejects_a_completion():
    with pytest.raises(ValueError, match="Only equal shares has a completion"):
        count(greedy_meeting(), rule="greedy", lot=list("ABDE"), completion="add1")


# Majority per request ---------------------------------------------------------------------------------------


def test_majority_passes_on_more_for_than_against_then_funds_by_share_in_favour():
    """£100 between five schools. A £50: 4 for, 1 against (80% in favour). B £40: 2 for, 2 against: not
    passed. C £30: S5 submitted it; 3 of the 4 others for (75%). D £30: 3 for, 1 against (60%). A is
    funded (£50 left), then C (£20 left); D passed but does not fit."""
    ids = "ABCD"
    ballots = [
        ballot("S1", "ACD", ids, opposes="B"),
        ballot("S2", "ACD", ids, opposes="B"),
        ballot("S3", "ABCD", ids),
        ballot("S4", "AB", ids, opposes="D"),
        ballot("S5", "", "ABD", opposes="A"),
    ]
    projects = [Project("A", 50_00), Project("B", 40_00), Project("C", 30_00), Project("D", 30_00)]
    outcome = count(Election(projects, ballots, 100_00), rule=Rule.MAJORITY, lot=list(ids))

    assert outcome.funded == ("A", "C")
    assert outcome.decision("A").reason == (
        "Passed and funded: 4 for, 1 against, 0 abstaining; 4 of the 5 schools able to vote on it in favour "
        "(80%). It cost £50.00 and £100.00 was left when its turn came."
    )
    assert outcome.decision("B").reason == (
        "Not passed: 2 for, 2 against, 1 abstaining; a request passes only with more votes for than against."
    )
    assert outcome.decision("C").funded
    assert outcome.decision("D").reason == (
        "Approved, not funded: 3 for, 1 against, 1 abstaining; 3 of the 5 schools able to vote on it in "
        "favour (60%). It cost £30.00 but only £20.00 was left when its turn came."
    )


# Checks on the input ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Project("X", 0), "above zero"),
        (lambda: Project("X", 1.5), "whole number of pence"),
        (lambda: Project("", 100), "reference code"),
        (lambda: Ballot("A", {"X"}, set()), "may not vote on"),
        (lambda: Ballot("A", {"X"}, {"X"}, {"X"}), "both approves and opposes"),
        (lambda: Election([Project("X", 1), Project("X", 2)], [], 10), "same reference code"),
        (lambda: Election([Project("X", 1)], [ballot("A", "", "Y")], 10), "not on the agenda"),
        (lambda: Election([Project("X", 1)], [ballot("A", "", "X"), ballot("A", "", "X")], 10), "same voter"),
        (lambda: Election([Project("X", 1)], [], -1), "zero or more"),
    ],
)
def test_bad_input_is_refused(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize("lot", [["W", "X"], ["W", "X", "Y", "Y"], ["W", "X", "Z"]])
def test_the_lot_must_list_every_request_once(lot):
    with pytest.raises(ValueError, match="lot must list every request"):
        count(three_schools(), rule="greedy", lot=lot)


def test_the_add1_step_must_be_positive_pence():
    with pytest.raises(ValueError, match="Add1 step"):
        count(three_schools(), rule="equal-shares", lot=["W", "X", "Y"], step=0)


@pytest.mark.parametrize(
    ("amount", "words"),
    [(0, "£0.00"), (5, "£0.05"), (1234567, "£12,345.67"), (Fraction(20_000, 3), "£66.67"), (-150, "-£1.50")],
)
def test_format_pence(amount, words):
    assert format_pence(amount) == words
