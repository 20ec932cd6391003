"""Sensible default term dates for an English school year. Councils edit them to match their own."""

import datetime
from dataclasses import dataclass

MONDAY, FRIDAY = 0, 4


def easter_sunday(year: int) -> datetime.date:
    """Easter Day in the Gregorian calendar (the anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return datetime.date(year, month, day + 1)


def _weekday_on_or_after(day: datetime.date, weekday: int) -> datetime.date:
    return day + datetime.timedelta(days=(weekday - day.weekday()) % 7)


def _weekday_on_or_before(day: datetime.date, weekday: int) -> datetime.date:
    return day - datetime.timedelta(days=(day.weekday() - weekday) % 7)


def _first_school_day_on_or_after(day: datetime.date) -> datetime.date:
    return day if day.weekday() < 5 else _weekday_on_or_after(day, MONDAY)


@dataclass(frozen=True)
class HalfTermDates:
    number: int
    starts_on: datetime.date
    ends_on: datetime.date


def default_half_terms(start_year: int) -> list[HalfTermDates]:
    """Six half terms: autumn from early September, holidays at the end of October, Christmas,
    mid-February, Easter and the late-May bank holiday, and the summer term to late July."""
    week = datetime.timedelta(days=7)
    autumn_starts = _first_school_day_on_or_after(datetime.date(start_year, 9, 1))
    october_break = _weekday_on_or_before(datetime.date(start_year, 10, 31), MONDAY)
    christmas_ends = _weekday_on_or_before(datetime.date(start_year, 12, 21), FRIDAY)

    year = start_year + 1
    spring_starts = _weekday_on_or_after(datetime.date(year, 1, 2), MONDAY)
    february_break = _weekday_on_or_after(datetime.date(year, 2, 12), MONDAY)
    easter = easter_sunday(year)
    easter_break = easter - datetime.timedelta(days=6)  # the Monday of Holy Week
    may_break = _weekday_on_or_before(datetime.date(year, 5, 31), MONDAY)
    summer_ends = _weekday_on_or_before(datetime.date(year, 7, 22), FRIDAY)

    three_days = datetime.timedelta(days=3)
    return [
        HalfTermDates(1, autumn_starts, october_break - three_days),
        HalfTermDates(2, october_break + week, christmas_ends),
        HalfTermDates(3, spring_starts, february_break - three_days),
        HalfTermDates(4, february_break + week, easter_break - three_days),
        HalfTermDates(5, easter_break + 2 * week, may_break - three_days),
        HalfTermDates(6, may_break + week, summer_ends),
    ]
