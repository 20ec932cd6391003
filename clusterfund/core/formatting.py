"""How figures and dates read on the page, in GOV.UK style."""

import datetime

from django.utils import timezone


def pounds(pence: int | None) -> str:
    """Whole pence as pounds: 123456 -> '£1,234.56'."""
    if pence is None:
        return ""
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(pence), 100)
    return f"{sign}£{whole:,}.{part:02d}"


def count(value: int | None, missing: str = "Not known") -> str:
    return missing if value is None else f"{value:,}"


def long_date(value: datetime.date | None) -> str:
    """'1 September 2025', the GOV.UK date style."""
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y}"


def long_datetime(value: datetime.datetime | None) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value)
    hour = local.strftime("%I").lstrip("0") or "12"
    return f"{long_date(local.date())} at {hour}:{local:%M}{local:%p}".replace("AM", "am").replace("PM", "pm")


def census_month(value: datetime.date | None) -> str:
    """A census is named by its month: 'January 2023'."""
    return "" if value is None else f"{value:%B %Y}"
