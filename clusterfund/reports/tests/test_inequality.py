"""The Lorenz curve and Gini coefficient: worked examples by hand, and properties over any spread."""

from fractions import Fraction as F

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clusterfund.reports.inequality import Group, gini, gini_by_differences, lorenz_points


def test_one_school_of_two_gets_everything():
    # 10 pupils each: the first school got nothing, the second £1,000. Half the pupils hold none of it.
    groups = [Group(10, 100_000), Group(10, 0)]
    assert lorenz_points(groups) == [(0, 0), (F(1, 2), 0), (1, 1)]
    assert gini(groups) == F(1, 2)


def test_a_worked_example_with_three_schools_of_different_sizes():
    # Per pupil: A £10 (20 pupils, £200), B £20 (10 pupils, £200), C £5 (40 pupils, £200); 70 pupils, £600.
    groups = [Group(20, 20_000), Group(10, 20_000), Group(40, 20_000)]
    # Least funded per pupil first: C, A, B.
    assert lorenz_points(groups) == [(0, 0), (F(4, 7), F(1, 3)), (F(6, 7), F(2, 3)), (1, 1)]
    # Twice the area under the curve: 4/7 × 1/3 + 2/7 × 1 + 1/7 × 5/3 = 4/21 + 6/21 + 5/21 = 15/21 = 5/7.
    assert gini(groups) == F(2, 7)
    assert gini_by_differences(groups) == F(2, 7)


def test_an_even_spread_is_exactly_zero():
    groups = [Group(3, 300), Group(7, 700), Group(1, 100)]
    assert gini(groups) == 0
    assert lorenz_points(groups)[-1] == (1, 1)


def test_all_money_to_one_of_n_equal_schools_is_n_minus_one_over_n():
    for n in range(2, 8):
        groups = [Group(5, 0)] * (n - 1) + [Group(5, 1234)]
        assert gini(groups) == F(n - 1, n)


def test_schools_with_no_pupils_take_no_part_and_no_money_means_no_curve():
    assert gini([Group(0, 500), Group(4, 100), Group(4, 100)]) == 0
    assert lorenz_points([Group(4, 0), Group(5, 0)]) == []
    assert gini([Group(4, 0)]) is None
    assert gini([]) is None


def test_negative_weights_or_amounts_are_refused():
    with pytest.raises(ValueError):
        Group(-1, 10)
    with pytest.raises(ValueError):
        Group(1, -10)


spreads = st.lists(
    st.builds(Group, st.integers(min_value=0, max_value=500), st.integers(min_value=0, max_value=10**7)),
    max_size=12,
)


@given(spreads)
def test_the_curve_and_the_coefficient_agree_with_the_mean_difference(groups):
    points = lorenz_points(groups)
    coefficient = gini(groups)
    assert coefficient == gini_by_differences(groups)
    if not points:
        assert coefficient is None
        return
    assert points[0] == (0, 0) and points[-1] == (1, 1)
    # The curve rises, never above the line of equality, and bends upwards (each piece no flatter).
    slopes = []
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        assert x1 > x0 and y1 >= y0 and y1 <= x1
        slopes.append((y1 - y0) / (x1 - x0))
    assert slopes == sorted(slopes)
    assert 0 <= coefficient < 1


@given(spreads, st.integers(min_value=1, max_value=50), st.randoms())
def test_the_coefficient_ignores_order_and_scale(groups, factor, random):
    shuffled = list(groups)
    random.shuffle(shuffled)
    assert gini(shuffled) == gini(groups)
    scaled = [Group(group.weight, group.amount * factor) for group in groups]
    assert gini(scaled) == gini(groups)
    # Splitting a school into two with the same amount per pupil changes nothing.
    split = [part for group in groups for part in (group, group)]
    assert gini(split) == gini(groups)
