"""How evenly money is spread over people: the Lorenz curve and the Gini coefficient, exactly, as fractions.

The fairness monitor asks how evenly a council's cluster money reaches pupils on SEN support. Each school is
a group: its pupils (the weight) share what the school was awarded (the amount), so every pupil in a school
gets the school's amount per pupil. Lining the pupils up from the least funded to the best funded, the
Lorenz curve joins the points (share of the pupils so far, share of the money so far); the Gini coefficient
is twice the area between that curve and the line of equality: 0 when every pupil gets the same, near 1
when one school's pupils get it all.

Pure Python, no Django: the arithmetic is exact, so the curve ends at (1, 1) and a spread that is even gives
a coefficient of exactly 0.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class Group:
    """People who all get the same: `weight` of them (pupils) sharing `amount` (pence)."""

    weight: int
    amount: int

    def __post_init__(self):
        if self.weight < 0 or self.amount < 0:
            raise ValueError("A group's weight and amount cannot be negative.")

    @property
    def rate(self) -> Fraction:
        """The amount each of the group gets."""
        return Fraction(self.amount, self.weight)


def _counted(groups: Iterable[Group]) -> list[Group]:
    """The groups that have people in them, least funded per person first (a group of nobody has no
    rate, and takes no part in the curve)."""
    return sorted((group for group in groups if group.weight > 0), key=lambda group: group.rate)


def lorenz_points(groups: Iterable[Group]) -> list[tuple[Fraction, Fraction]]:
    """The Lorenz curve's corners: (0, 0), then after each group, least funded per person first, the share
    of all the people and the share of all the money so far, ending at (1, 1). Empty when there are no
    people or no money, for then there is no spread to draw."""
    counted = _counted(groups)
    total_weight = sum(group.weight for group in counted)
    total_amount = sum(group.amount for group in counted)
    if not total_weight or not total_amount:
        return []
    points = [(Fraction(0), Fraction(0))]
    weight = amount = 0
    for group in counted:
        weight += group.weight
        amount += group.amount
        points.append((Fraction(weight, total_weight), Fraction(amount, total_amount)))
    return points


def gini(groups: Iterable[Group]) -> Fraction | None:
    """The Gini coefficient: one minus twice the area under the Lorenz curve (by trapezia, which is exact
    for the straight pieces between the corners). None when there are no people or no money."""
    points = lorenz_points(groups)
    if not points:
        return None
    area_twice = sum(
        (x - x_before) * (y + y_before)
        for (x_before, y_before), (x, y) in zip(points, points[1:], strict=False)
    )
    return 1 - area_twice


def gini_by_differences(groups: Iterable[Group]) -> Fraction | None:
    """The same coefficient by its other definition, the mean difference between any two people's amounts
    divided by twice the mean amount. Slower (every pair of groups); kept to check `gini` against."""
    counted = _counted(groups)
    total_weight = sum(group.weight for group in counted)
    total_amount = sum(group.amount for group in counted)
    if not total_weight or not total_amount:
        return None
    differences = sum(
        first.weight * second.weight * abs(first.rate - second.rate)
        for first in counted
        for second in counted
    )
    mean = Fraction(total_amount, total_weight)
    return differences / (2 * total_weight * total_weight * mean)
