"""The fairness monitor's charts, drawn the same on its pages and in the year report: each school's share of
the need beside its share of the money, and the Lorenz curve of money per pupil on SEN support."""

from decimal import Decimal
from fractions import Fraction

from clusterfund.core.charts import Chart, bar_chart, line_chart
from clusterfund.reports.fairness import Spread, half_up, times


def decimal(value: Fraction | float | None, places: int = 1) -> Decimal | None:
    """An exact number rounded half up to `places` decimals, for a chart, its table or a spreadsheet cell."""
    if value is None:
        return None
    return Decimal(half_up(Fraction(value) * 10**places)).scaleb(-places)


def share(value: Fraction | None) -> Decimal | None:
    """A share as a percentage, one decimal place."""
    return None if value is None else decimal(value * 100)


def percent_text(value) -> str:
    return "" if value is None else f"{value}%"


def need_and_money_chart(rows, *, description: str) -> Chart:
    """Each member school's share of the cluster's need beside its share of the money, schools named."""
    return bar_chart(
        slug="need-and-money",
        title="Each school's share of the need and of the money",
        description="For each member school, its share of the cluster's pupils on SEN support and with EHC "
        "plans, beside its share of the money awarded this year." + description,
        labels=[row.school.name for row in rows],
        series=[
            ("Share of need (%)", [share(row.need_share) for row in rows]),
            ("Share of money (%)", [share(row.money_share) for row in rows]),
        ],
        label_heading="School",
        value_format=percent_text,
    )


def lorenz_chart(spread: Spread, whose: str) -> Chart:
    """The Lorenz curve of money per pupil on SEN support across schools, with its Gini coefficient; no
    school is named."""
    gini = f" The Gini coefficient is {times(spread.gini)}." if spread.gini is not None else ""
    return line_chart(
        slug="lorenz",
        title=f"How evenly the money reaches pupils on SEN support: {whose}",
        description="A Lorenz curve: schools in order of money per pupil on SEN support, least first. Each "
        "point is the share of the pupils so far against the share of the money they got; no school is "
        "named. The straight line is an even spread; the further the curve sags below it, the less even "
        "the spread." + gini,
        x_title="Share of pupils on SEN support (%)",
        y_title="Share of the money (%)",
        series=[
            ("An even spread", [(0, 0), (100, 100)]),
            ("The money as it was awarded", [(x * 100, y * 100) for x, y in spread.points]),
        ],
        value_format=lambda value: f"{decimal(value)}%",
    )
