"""The funding formula: a pot shared between groups of schools by weighted factors, exactly to the penny.

Pure Python with no Django import, so the same rules run in the service that allocates a council's pot
and in `clusterfund allocate` over every school in England. Arithmetic is exact (`fractions`): a group's
ideal share is the pot times its weighted score over the total score; floors and caps are met by raising
or lowering one common rate (so every group between them keeps its proportional share); the ideal shares
are then rounded down to whole pence and the pence left over go to the largest remainders.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

# The census factors every formula can weigh, in the order people read them.
CENSUS_FACTORS = {
    "pupils_on_roll": "Pupils on roll",
    "sen_support": "Pupils on SEN support (K)",
    "ehc_plans": "Pupils with an EHC plan (E)",
    "free_school_meals": "Pupils eligible for free school meals",
}


class FormulaError(ValueError):
    """The formula cannot share this pot: the message says why in words a council admin reads."""


@dataclass(frozen=True)
class Share:
    """One group's part of the pot and why: its factor totals, its weighted score, the proportional share
    before any floor or cap, and which of them applied."""

    group: str
    factor_totals: dict[str, Fraction]
    score: Fraction
    proportional_pence: Fraction
    amount_pence: int
    floor_applied: bool = False
    cap_applied: bool = False


def as_fraction(value) -> Fraction:
    """A weight or factor value as an exact fraction ('1.5', 2, Decimal('0.25'))."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):
        raise TypeError("use Decimal or str for weights and factors, never float")
    if isinstance(value, str):
        return Fraction(Decimal(value.strip()))
    return Fraction(value)


def scores(
    factor_totals: Mapping[str, Mapping[str, object]], weights: Mapping[str, object]
) -> dict[str, Fraction]:
    """Each group's weighted score: the sum over factors of weight times the group's total."""
    exact_weights = {factor: as_fraction(weight) for factor, weight in weights.items()}
    if any(weight < 0 for weight in exact_weights.values()):
        raise FormulaError("A weight cannot be negative")
    return {
        group: sum(
            (weight * as_fraction(totals.get(factor) or 0) for factor, weight in exact_weights.items()),
            Fraction(0),
        )
        for group, totals in factor_totals.items()
    }


def _clamped_total(rate: Fraction, group_scores, floor: int, cap: int | None) -> Fraction:
    total = Fraction(0)
    for score in group_scores:
        amount = max(Fraction(floor), rate * score)
        total += amount if cap is None else min(Fraction(cap), amount)
    return total


def _rate_for(pot: int, group_scores: list[Fraction], floor: int, cap: int | None) -> Fraction:
    """The common rate (pence per point of score) at which the clamped shares add up to the pot exactly."""
    # The clamped total is continuous, non-decreasing and straight between the rates where a group reaches
    # its floor or its cap: find the two breakpoints either side of the pot, then solve the straight piece.
    breakpoints = sorted(
        {Fraction(0)}
        | {Fraction(floor) / s for s in group_scores if s > 0}
        | ({Fraction(cap) / s for s in group_scores if s > 0} if cap is not None else set())
    )
    low, high = 0, len(breakpoints) - 1
    if _clamped_total(breakpoints[high], group_scores, floor, cap) < pot:
        low = high  # beyond the last breakpoint the total is straight: every scoring group is uncapped
    else:
        while high - low > 1:
            middle = (low + high) // 2
            if _clamped_total(breakpoints[middle], group_scores, floor, cap) <= pot:
                low = middle
            else:
                high = middle
    start = breakpoints[low]
    at_start = _clamped_total(start, group_scores, floor, cap)
    free = sum(
        (s for s in group_scores if s > 0 and start * s >= floor and (cap is None or start * s < cap)),
        Fraction(0),
    )
    if free == 0:
        return start
    return start + (pot - at_start) / free


def largest_remainder(ideal: Mapping[str, Fraction], total: int) -> dict[str, int]:
    """Whole pence that add up to `total`: each ideal amount rounded down, then one more penny to the
    largest remainders (ties to the group that comes first in order)."""
    amounts = {group: int(value.numerator // value.denominator) for group, value in ideal.items()}
    left_over = total - sum(amounts.values())
    if left_over < 0 or left_over > len(amounts):
        raise FormulaError("The ideal shares do not add up to the pot")  # a defect, never bad input
    order = sorted(ideal, key=lambda group: ideal[group] - amounts[group], reverse=True)
    for group in order[:left_over]:
        amounts[group] += 1
    return amounts


def allocate(
    *,
    pot_pence: int,
    factor_totals: Mapping[str, Mapping[str, object]],
    weights: Mapping[str, object],
    floor_pence: int | None = None,
    cap_pence: int | None = None,
) -> list[Share]:
    """Share `pot_pence` between the groups of `factor_totals` ({group: {factor: total}}) by `weights`
    ({factor: weight}), with an optional floor and cap for every group. The amounts add up to the pot
    exactly; a group between the floor and the cap gets its share in proportion to its score."""
    if not isinstance(pot_pence, int) or pot_pence < 0:
        raise FormulaError("The pot must be a whole number of pence, not negative")
    groups = list(factor_totals)
    if not groups:
        raise FormulaError("There are no groups to share the pot between")
    floor = floor_pence or 0
    if floor < 0 or (cap_pence is not None and cap_pence < 0):
        raise FormulaError("A floor or cap cannot be negative")
    if cap_pence is not None and cap_pence < floor:
        raise FormulaError("The cap must be at least the floor")
    if floor * len(groups) > pot_pence:
        raise FormulaError(
            f"The floor for {len(groups)} groups needs {floor * len(groups)} pence, more than the pot"
        )
    if cap_pence is not None and cap_pence * len(groups) < pot_pence:
        raise FormulaError(f"The cap for {len(groups)} groups leaves part of the pot unshared")
    group_scores = scores(factor_totals, weights)
    if pot_pence > floor * len(groups) and not any(group_scores.values()):
        raise FormulaError("No group has any of the weighted factors, so the formula cannot share the pot")
    if cap_pence is not None:
        # A group with no score stays at the floor whatever the rate: only groups with a score reach the cap.
        scoring = sum(1 for score in group_scores.values() if score > 0)
        most = cap_pence * scoring + floor * (len(groups) - scoring)
        if most < pot_pence:
            raise FormulaError(
                f"The cap for {scoring} groups with a score and the floor for {len(groups) - scoring} groups "
                f"with none share only {most} pence, less than the pot"
            )
    rate = _rate_for(pot_pence, [group_scores[g] for g in groups], floor, cap_pence)
    total_score = sum(group_scores.values(), Fraction(0))
    ideal = {}
    shares = {}
    for group in groups:
        proportional = rate * group_scores[group]
        amount = max(Fraction(floor), proportional)
        if cap_pence is not None:
            amount = min(Fraction(cap_pence), amount)
        ideal[group] = amount
        shares[group] = (
            Fraction(pot_pence) * group_scores[group] / total_score if total_score else Fraction(0),
            floor_pence is not None and proportional < floor,
            cap_pence is not None and proportional > cap_pence,
        )
    pence = largest_remainder(ideal, pot_pence)
    return [
        Share(
            group=group,
            factor_totals={f: as_fraction(factor_totals[group].get(f) or 0) for f in weights},
            score=group_scores[group],
            proportional_pence=shares[group][0],
            amount_pence=pence[group],
            floor_applied=shares[group][1],
            cap_applied=shares[group][2],
        )
        for group in groups
    ]


def totals_by_group(rows: Iterable[tuple[str, Mapping[str, object]]]) -> dict[str, dict[str, Fraction]]:
    """Add up schools' factors into their groups: rows of (group, {factor: value}); blanks count as 0."""
    totals: dict[str, dict[str, Fraction]] = {}
    for group, values in rows:
        group_totals = totals.setdefault(group, {})
        for factor, value in values.items():
            group_totals[factor] = group_totals.get(factor, Fraction(0)) + as_fraction(value or 0)
    return totals
