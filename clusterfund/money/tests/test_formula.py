"""The funding formula: every penny of the pot shared, floors and caps kept, and shares in proportion."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from clusterfund.money.formula import (
    CENSUS_FACTORS,
    FormulaError,
    allocate,
    as_fraction,
    largest_remainder,
    totals_by_group,
)

FAST = settings(max_examples=200, deadline=None)
WEIGHTS = {"sen_support": 1, "ehc_plans": 4}


def _groups(scores: list[int]) -> dict[str, dict[str, int]]:
    """Groups g0, g1, … whose score under weight 1 is the number given."""
    return {f"g{index}": {"sen_support": score} for index, score in enumerate(scores)}


def _amounts(shares) -> dict[str, int]:
    return {share.group: share.amount_pence for share in shares}


def _clamp(value: Fraction, floor: int, cap: int | None) -> Fraction:
    value = max(Fraction(floor), value)
    return value if cap is None else min(Fraction(cap), value)


def _reference_rate(pot: int, scores: list[Fraction], floor: int, cap: int | None) -> Fraction:
    """The common rate found the slow way: walk every breakpoint and interpolate on the straight piece."""

    def total(rate):
        return sum((_clamp(rate * score, floor, cap) for score in scores), Fraction(0))

    points = sorted(
        {Fraction(0)}
        | {Fraction(floor) / s for s in scores if s > 0}
        | ({Fraction(cap) / s for s in scores if s > 0} if cap is not None else set())
    )
    for low, high in zip(points, points[1:], strict=False):
        if total(low) <= pot <= total(high):
            if total(high) == total(low):
                return low
            return low + (pot - total(low)) * (high - low) / (total(high) - total(low))
    last = points[-1]
    return last + (pot - total(last)) / sum(s for s in scores if s > 0)


@st.composite
def formulas(draw, *, with_limits: bool = True):
    """A pot, some groups with census factor totals, weights, and a floor and cap that may or may not fit."""
    # Some groups have none of either factor (a cluster of schools with no pupils on SEN support, say).
    counts = st.tuples(st.integers(min_value=0, max_value=5_000), st.integers(min_value=0, max_value=500))
    groups = draw(st.lists(counts | st.just((0, 0)), min_size=1, max_size=8))
    count = len(groups)
    factor_totals = {
        f"g{index}": {"sen_support": sen_support, "ehc_plans": ehc_plans}
        for index, (sen_support, ehc_plans) in enumerate(groups)
    }
    weights = {
        "sen_support": draw(st.sampled_from([0, 1, "1.5", Decimal("0.25"), 3])),
        "ehc_plans": draw(st.sampled_from([0, 1, "4", Decimal("2.5"), Fraction(1, 3)])),
    }
    pot = draw(st.integers(min_value=0, max_value=10**10))
    floor = cap = None
    if with_limits:
        use_floor, use_cap = draw(
            st.sampled_from([(True, True), (True, False), (False, True), (False, False)])
        )
        if use_floor:
            floor = draw(st.integers(min_value=0, max_value=pot // count))
        if use_cap:
            # At least an equal share, so that the cap can be met unless groups with no score hold it back.
            lowest = max(floor or 0, -(-pot // count))
            cap = draw(st.integers(min_value=lowest, max_value=max(pot, lowest)))
    return {
        "pot_pence": pot,
        "factor_totals": factor_totals,
        "weights": weights,
        "floor_pence": floor,
        "cap_pence": cap,
    }


def _scores(formula) -> dict[str, Fraction]:
    weights = {factor: as_fraction(weight) for factor, weight in formula["weights"].items()}
    return {
        group: sum(weights[factor] * total for factor, total in totals.items())
        for group, totals in formula["factor_totals"].items()
    }


def _feasible(formula) -> bool:
    """Whether a floor and cap can be met at all (worked out here, apart from the formula)."""
    pot, floor, cap = formula["pot_pence"], formula["floor_pence"] or 0, formula["cap_pence"]
    scores = list(_scores(formula).values())
    scoring = sum(1 for score in scores if score > 0)
    if floor * len(scores) > pot:
        return False
    if pot > floor * len(scores) and scoring == 0:
        return False
    return cap is None or cap * scoring + floor * (len(scores) - scoring) >= pot


# Properties -----------------------------------------------------------------------------------------------


@FAST
@given(formulas())
def test_every_penny_is_shared_none_is_negative_and_the_floor_and_cap_hold(formula):
    assume(_feasible(formula))
    floor, cap = formula["floor_pence"] or 0, formula["cap_pence"]
    shares = allocate(**formula)
    assert sum(share.amount_pence for share in shares) == formula["pot_pence"]
    assert [share.group for share in shares] == list(formula["factor_totals"])
    for share in shares:
        assert isinstance(share.amount_pence, int) and share.amount_pence >= 0
        assert share.amount_pence >= floor
        assert cap is None or share.amount_pence <= cap
        if share.score == 0:  # a group with none of the weighted factors gets the floor, no more
            assert share.amount_pence == floor
            assert share.floor_applied == bool(floor)
    assert allocate(**formula) == shares  # the same formula, the same shares


@FAST
@given(formulas())
def test_groups_between_the_floor_and_the_cap_share_at_one_rate_in_proportion_to_their_scores(formula):
    assume(_feasible(formula))
    floor, cap = formula["floor_pence"] or 0, formula["cap_pence"]
    scores = _scores(formula)
    assume(any(scores.values()))
    shares = allocate(**formula)
    rate = _reference_rate(formula["pot_pence"], list(scores.values()), floor, cap)
    for share in shares:
        assert share.score == scores[share.group]
        assert abs(share.amount_pence - _clamp(rate * share.score, floor, cap)) < 1
        if floor < rate * share.score and (cap is None or rate * share.score < cap):
            assert abs(share.amount_pence - rate * share.score) < 1
    # Without the rate: an amount strictly between the floor and the cap cannot come from a clamped share, so
    # a_i / a_j = s_i / s_j for those groups, give or take each side's rounding of under a penny.
    free = [
        share for share in shares if floor < share.amount_pence and (cap is None or share.amount_pence < cap)
    ]
    for one in free:
        for other in free:
            assert (
                abs(one.amount_pence * other.score - other.amount_pence * one.score)
                <= one.score + other.score
            )


@FAST
@given(formulas(with_limits=False))
def test_without_a_floor_or_cap_each_amount_is_its_proportional_share_rounded(formula):
    assume(_feasible(formula))
    shares = allocate(**formula)
    total = sum(share.score for share in shares)
    assume(total > 0)
    for share in shares:
        assert share.proportional_pence == Fraction(formula["pot_pence"]) * share.score / total
        assert abs(share.amount_pence - share.proportional_pence) < 1
        assert not share.floor_applied and not share.cap_applied


@st.composite
def infeasible_formulas(draw):
    """A formula whose floor the pot cannot pay, whose cap leaves pence over, or where nothing scores."""
    formula = draw(formulas(with_limits=False))
    pot, count = formula["pot_pence"], len(formula["factor_totals"])
    problem = draw(st.sampled_from(["floor", "cap", "nothing scores"]))
    if problem == "floor":
        formula["floor_pence"] = pot // count + draw(st.integers(min_value=1, max_value=1000))
    elif problem == "cap":
        formula["floor_pence"] = floor = draw(st.integers(min_value=0, max_value=pot // count))
        scoring = sum(1 for score in _scores(formula).values() if score > 0)
        assume(scoring > 0)
        most = (pot - 1 - floor * (count - scoring)) // scoring
        assume(most >= floor)
        formula["cap_pence"] = draw(st.integers(min_value=floor, max_value=most))
    else:
        formula["factor_totals"] = {group: {"sen_support": 0} for group in formula["factor_totals"]}
        assume(pot > 0)
    return formula


@FAST
@given(infeasible_formulas())
def test_a_floor_or_cap_that_cannot_be_met_is_refused_in_words(formula):
    assert not _feasible(formula)
    with pytest.raises(FormulaError) as refused:
        allocate(**formula)
    message = str(refused.value)
    assert message[0].isupper() and " " in message
    assert "defect" not in message and "do not add up" not in message


@FAST
@given(
    st.integers(min_value=0, max_value=10**9), st.lists(st.integers(min_value=0, max_value=10**6), min_size=1)
)
def test_largest_remainder_adds_up_and_moves_each_amount_by_under_a_penny(total, parts):
    assume(sum(parts) > 0)
    ideal = {f"g{index}": Fraction(total * part, sum(parts)) for index, part in enumerate(parts)}
    pence = largest_remainder(ideal, total)
    assert sum(pence.values()) == total
    assert all(abs(pence[group] - ideal[group]) < 1 for group in ideal)


# Worked examples, by hand ---------------------------------------------------------------------------------

# Three groups by SEN support (weight 1) and EHC plans (weight 4): scores A 10+8=18, B 30, C 20 (68 in all).
ABC = {"A": {"sen_support": 10, "ehc_plans": 2}, "B": {"sen_support": 30}, "C": {"ehc_plans": 5}}


def test_worked_example_a_pot_of_1000_pounds_by_score():
    # 100000 x 18/68 = 26470.59, x 30/68 = 44117.65, x 20/68 = 29411.76: rounded down they make 99998, and the
    # two pence left go to the largest remainders, C (.76) and B (.65).
    shares = allocate(pot_pence=100_000, factor_totals=ABC, weights=WEIGHTS)
    assert _amounts(shares) == {"A": 26470, "B": 44118, "C": 29412}
    assert [share.score for share in shares] == [18, 30, 20]
    assert shares[0].proportional_pence == Fraction(100_000 * 18, 68)
    assert shares[0].factor_totals == {"sen_support": 10, "ehc_plans": 2}
    assert shares[2].factor_totals == {"sen_support": 0, "ehc_plans": 5}


def test_worked_example_a_floor_lifts_the_smallest_group_and_the_rest_share_what_is_left():
    # A would get 26470 < 28000, so it gets the floor; B and C share 72000 as 30:20 = 43200 and 28800.
    shares = allocate(pot_pence=100_000, factor_totals=ABC, weights=WEIGHTS, floor_pence=28_000)
    assert _amounts(shares) == {"A": 28000, "B": 43200, "C": 28800}
    assert [(share.floor_applied, share.cap_applied) for share in shares] == [
        (True, False),
        (False, False),
        (False, False),
    ]


def test_worked_example_a_higher_floor_catches_a_second_group():
    # At 30000, sharing 70000 as 30:20 would give C 28000, under the floor: A and C get 30000, B the rest.
    shares = allocate(pot_pence=100_000, factor_totals=ABC, weights=WEIGHTS, floor_pence=30_000)
    assert _amounts(shares) == {"A": 30000, "B": 40000, "C": 30000}
    assert [share.floor_applied for share in shares] == [True, False, True]


def test_worked_example_a_cap_holds_the_largest_group_and_the_rest_share_what_is_left():
    # B would get 44117.65 > 40000, so it gets the cap; A and C share 60000 as 18:20 = 28421.05 and 31578.95,
    # and the penny left goes to C.
    shares = allocate(pot_pence=100_000, factor_totals=ABC, weights=WEIGHTS, cap_pence=40_000)
    assert _amounts(shares) == {"A": 28421, "B": 40000, "C": 31579}
    assert [share.cap_applied for share in shares] == [False, True, False]


def test_worked_example_equal_groups_and_the_penny_left_over_goes_to_the_first():
    shares = allocate(pot_pence=100, factor_totals=_groups([7, 7, 7]), weights={"sen_support": 1})
    assert _amounts(shares) == {"g0": 34, "g1": 33, "g2": 33}


def test_worked_example_a_group_with_no_score_gets_the_floor_and_the_others_share_the_rest():
    shares = allocate(
        pot_pence=1000, factor_totals=_groups([0, 1, 3]), weights={"sen_support": 1}, floor_pence=100
    )
    assert _amounts(shares) == {"g0": 100, "g1": 225, "g2": 675}
    assert [share.floor_applied for share in shares] == [True, False, False]


def test_worked_example_fractional_weights_are_exact():
    # A: 200 pupils x 0.1 + 40 on free school meals x 0.5 = 40; B: 100 x 0.1 = 10. 1000 pence as 40:10.
    shares = allocate(
        pot_pence=1000,
        factor_totals={"A": {"pupils_on_roll": 200, "free_school_meals": 40}, "B": {"pupils_on_roll": 100}},
        weights={"pupils_on_roll": "0.1", "free_school_meals": Decimal("0.5")},
    )
    assert _amounts(shares) == {"A": 800, "B": 200}
    assert [share.score for share in shares] == [Fraction(40), Fraction(10)]


# Weights, and what the formula refuses --------------------------------------------------------------------


@pytest.mark.parametrize("half", ["0.5", " 0.5 ", Decimal("0.5"), Fraction(1, 2)])
def test_a_weight_may_be_a_string_a_decimal_or_a_fraction(half):
    shares = allocate(pot_pence=300, factor_totals=ABC, weights={"sen_support": half, "ehc_plans": 1})
    by_integers = allocate(pot_pence=300, factor_totals=ABC, weights={"sen_support": 1, "ehc_plans": 2})
    assert _amounts(shares) == _amounts(by_integers) == {"A": 78, "B": 167, "C": 55}


def test_integer_and_string_weights_give_the_same_shares():
    assert allocate(
        pot_pence=10**9, factor_totals=ABC, weights={"sen_support": 1, "ehc_plans": 4}
    ) == allocate(pot_pence=10**9, factor_totals=ABC, weights={"sen_support": "1", "ehc_plans": "4"})


def test_a_float_weight_is_refused():
    with pytest.raises(TypeError, match="never float"):
        allocate(pot_pence=100, factor_totals=ABC, weights={"sen_support": 0.5})


def test_a_float_factor_total_is_refused():
    with pytest.raises(TypeError, match="never float"):
        allocate(pot_pence=100, factor_totals={"A": {"sen_support": 1.5}}, weights={"sen_support": 1})


def test_a_negative_weight_is_refused():
    with pytest.raises(FormulaError, match="A weight cannot be negative"):
        allocate(pot_pence=100, factor_totals=ABC, weights={"sen_support": -1})


@pytest.mark.parametrize("pot", [-1, "100", Decimal(100)])
def test_the_pot_must_be_whole_pence_and_not_negative(pot):
    with pytest.raises(FormulaError, match="The pot must be a whole number of pence"):
        allocate(pot_pence=pot, factor_totals=ABC, weights=WEIGHTS)


def test_there_must_be_a_group():
    with pytest.raises(FormulaError, match="There are no groups"):
        allocate(pot_pence=100, factor_totals={}, weights=WEIGHTS)


def test_a_floor_the_pot_cannot_pay_for_every_group_is_refused():
    with pytest.raises(FormulaError, match="The floor for 3 groups needs 300 pence, more than the pot"):
        allocate(pot_pence=299, factor_totals=ABC, weights=WEIGHTS, floor_pence=100)


def test_a_cap_that_leaves_part_of_the_pot_unshared_is_refused():
    with pytest.raises(FormulaError, match="The cap for 3 groups leaves part of the pot unshared"):
        allocate(pot_pence=301, factor_totals=ABC, weights=WEIGHTS, cap_pence=100)


def test_a_cap_is_refused_when_groups_with_no_score_are_held_at_the_floor():
    # Two groups could take 2 x 60 = 120 pence, but B has no score and stays at the floor of 0, so A alone
    # would have to take 61: over its cap.
    with pytest.raises(FormulaError, match="share only 60 pence, less than the pot"):
        allocate(pot_pence=61, factor_totals=_groups([1, 0]), weights={"sen_support": 1}, cap_pence=60)


def test_a_cap_below_the_floor_is_refused():
    with pytest.raises(FormulaError, match="The cap must be at least the floor"):
        allocate(pot_pence=100, factor_totals=ABC, weights=WEIGHTS, floor_pence=30, cap_pence=20)


@pytest.mark.parametrize("limits", [{"floor_pence": -1}, {"cap_pence": -1}])
def test_a_negative_floor_or_cap_is_refused(limits):
    with pytest.raises(FormulaError, match="cannot be negative"):
        allocate(pot_pence=100, factor_totals=ABC, weights=WEIGHTS, **limits)


def test_when_no_group_scores_the_pot_cannot_be_shared():
    with pytest.raises(FormulaError, match="No group has any of the weighted factors"):
        allocate(pot_pence=100, factor_totals=_groups([0, 0]), weights={"sen_support": 1})


def test_when_no_group_scores_but_the_floors_take_the_whole_pot_each_group_gets_the_floor():
    shares = allocate(
        pot_pence=100, factor_totals=_groups([0, 0]), weights={"sen_support": 1}, floor_pence=50
    )
    assert _amounts(shares) == {"g0": 50, "g1": 50}
    assert all(share.floor_applied for share in shares)


def test_a_zero_pot_gives_every_group_nothing():
    assert _amounts(allocate(pot_pence=0, factor_totals=ABC, weights=WEIGHTS)) == {"A": 0, "B": 0, "C": 0}


# The helpers ----------------------------------------------------------------------------------------------


def test_totals_by_group_adds_up_schools_and_counts_blanks_as_nothing():
    totals = totals_by_group(
        [
            ("201", {"sen_support": 3, "ehc_plans": "1"}),
            ("201", {"sen_support": None, "ehc_plans": "2.5"}),
            ("202", {"sen_support": "", "ehc_plans": 0}),
        ]
    )
    assert totals == {
        "201": {"sen_support": 3, "ehc_plans": Fraction(7, 2)},
        "202": {"sen_support": 0, "ehc_plans": 0},
    }


@pytest.mark.parametrize(
    ("value", "exact"), [("1.5", Fraction(3, 2)), (2, Fraction(2)), (Decimal("0.25"), Fraction(1, 4))]
)
def test_as_fraction_is_exact(value, exact):
    assert as_fraction(value) == exact


def test_the_census_factors_are_the_four_the_dfe_publishes():
    assert list(CENSUS_FACTORS) == ["pupils_on_roll", "sen_support", "ehc_plans", "free_school_meals"]
