"""A council's own factor per school (a deprivation score, say), read from a CSV file of URN and value.

Like the school imports, the whole file is checked first; if any row is wrong nothing changes and every
problem is listed by line and column. Importing the same file twice changes nothing.
"""

import re
from decimal import Decimal

from django.db import transaction
from django.utils.text import slugify

from clusterfund.audit.services import record_event
from clusterfund.money.formula import CENSUS_FACTORS
from clusterfund.money.models import CustomFactor, CustomFactorValue
from clusterfund.organisations.imports import ImportReport, Problem, read_rows
from clusterfund.organisations.models import School

REQUIRED = ["URN", "Value"]
LARGEST_VALUE = Decimal("9999999999")
NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?")


def _value(text: str, line: int, report: ImportReport) -> Decimal | None:
    """A plain number such as 12 or 0.3517: no signs, exponents or thousands commas."""
    if text.startswith("-") and NUMBER.fullmatch(text[1:]):
        report.problems.append(Problem(line, "Value", f"‘{text}’ is negative: a factor cannot be."))
        return None
    if not NUMBER.fullmatch(text):
        report.problems.append(Problem(line, "Value", f"‘{text}’ is not a number."))
        return None
    value = Decimal(text)
    if value.as_tuple().exponent < -4:
        report.problems.append(Problem(line, "Value", f"‘{text}’ has more than 4 decimal places."))
    elif value > LARGEST_VALUE:
        report.problems.append(Problem(line, "Value", f"‘{text}’ is too large."))
    return value


def factor_code(name: str) -> str:
    """The short name a factor goes by in formulas and files: 'IDACI score' → 'idaci-score'."""
    return slugify(name)[:40]


@transaction.atomic
def import_factor_values(*, council, academic_year, name: str, data: bytes, acting_user) -> ImportReport:
    """Record each school's value of the council's factor `name` for the year, making the factor if it is
    new. Schools not in the file keep no value (they count as 0 in a formula)."""
    report = ImportReport(kind="factor")
    name = " ".join((name or "").split())
    code = factor_code(name)
    if not name or not code:
        report.problems.append(Problem(0, "", "Enter the factor's name."))
    elif code in CENSUS_FACTORS or code.replace("-", "_") in CENSUS_FACTORS:
        report.problems.append(Problem(0, "", f"‘{name}’ is already a census factor."))
    elif len(name) > 120:
        report.problems.append(Problem(0, "", "The factor's name must be 120 characters or fewer."))
    rows = read_rows(data, REQUIRED, report)
    schools = dict(School.objects.filter(council=council, urn__isnull=False).values_list("urn", "pk"))
    values: dict[int, Decimal] = {}
    for line, row in rows:
        urn_text, value_text = row["URN"], row["Value"]
        urn = int(urn_text) if urn_text.isascii() and urn_text.isdigit() else None
        if urn is None:
            report.problems.append(Problem(line, "URN", f"‘{urn_text}’ is not a URN."))
        elif urn not in schools:
            report.problems.append(Problem(line, "URN", f"No school of the council has the URN {urn}."))
        elif schools[urn] in values:
            report.problems.append(Problem(line, "URN", f"The URN {urn} is in the file more than once."))
        value = _value(value_text, line, report)
        if urn in schools and value is not None:
            values[schools[urn]] = value
    if not report.ok:
        return report
    factor, _ = CustomFactor.objects.get_or_create(council=council, code=code, defaults={"name": name})
    existing = {
        row.school_id: row
        for row in CustomFactorValue.objects.filter(factor=factor, academic_year=academic_year)
    }
    for school_id, value in values.items():
        row = existing.get(school_id)
        if row is None:
            CustomFactorValue.objects.create(
                factor=factor, school_id=school_id, academic_year=academic_year, value=value
            )
            report.created += 1
        elif row.value != value:
            row.value = value
            row.save(update_fields=["value"])
            report.updated += 1
        else:
            report.unchanged += 1
    record_event(
        acting_user=acting_user,
        action="money.factor_imported",
        obj=factor,
        council=council,
        after={"year": academic_year.name, "created": report.created, "updated": report.updated},
    )
    return report
