"""Reading DfE files: Get Information About Schools (GIAS) extracts and school census counts.

Both imports check the whole file first and report every bad row (line, column, what is wrong);
if anything is wrong nothing is changed. Importing the same file twice changes nothing the second time.
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass, field

from django.db import transaction

from clusterfund.audit.services import record_event
from clusterfund.organisations.models import Council, School, SchoolCensus
from clusterfund.organisations.services import update_school

MAX_ROWS = 100_000
LARGEST_WHOLE_NUMBER = 2_147_483_647  # the largest value every database's integer column holds
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")
SUPPRESSED = {"", "NA", "NE", "SUPP", "X", "Z", "C", "..", ":"}

GIAS_PHASES = {
    "nursery": School.Phase.NURSERY,
    "primary": School.Phase.PRIMARY,
    "middle deemed primary": School.Phase.MIDDLE,
    "middle deemed secondary": School.Phase.MIDDLE,
    "secondary": School.Phase.SECONDARY,
    "all-through": School.Phase.ALL_THROUGH,
    "16 plus": School.Phase.SIXTEEN_PLUS,
    "not applicable": School.Phase.NOT_APPLICABLE,
    "": School.Phase.NOT_APPLICABLE,
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: line 0 means the file as a whole."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"Line {self.line}" if self.line else "The file"
        return f"{where}, {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


@dataclass
class ImportReport:
    """What an import found and did. Nothing is applied while `problems` is not empty."""

    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    ignored: int = 0
    ignored_reason: str = ""
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> list[str]:
        if not self.ok:
            return [f"{len(self.problems)} problem(s) found; nothing was changed."]
        lines = [
            f"{self.rows:,} rows read",
            f"{self.created:,} created",
            f"{self.updated:,} updated",
            f"{self.unchanged:,} unchanged",
        ]
        if self.ignored:
            lines.append(f"{self.ignored:,} ignored ({self.ignored_reason})")
        return lines


def _decode(data: bytes) -> str:
    """GIAS extracts come in Windows-1252; DfE statistics in UTF-8, often with a byte-order mark."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_rows(data: bytes, required: list[str], report: ImportReport) -> list[tuple[int, dict[str, str]]]:
    """The rows of a CSV file with their line numbers, or none, with the problem, if the file or its header
    is wrong. Shared by every import."""
    text = _decode(data)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in (reader.fieldnames or [])]
    if not header:
        report.problems.append(Problem(0, "", "The file is empty or is not a CSV file."))
        return []
    reader.fieldnames = header
    missing = [name for name in required if name not in header]
    if missing:
        report.problems.append(
            Problem(
                0, "", "The file has no column called " + ", ".join(f"‘{name}’" for name in missing) + "."
            )
        )
        return []
    rows = []
    for row in reader:
        # csv counts physical lines, so quoted newlines keep the numbers true to the file.
        line = reader.line_num
        if None in row:
            report.problems.append(Problem(line, "", "The row has more values than the header has columns."))
            continue
        rows.append((line, {key: (value or "").strip() for key, value in row.items()}))
        if len(rows) > MAX_ROWS:
            report.problems.append(Problem(0, "", f"The file has more than {MAX_ROWS:,} rows."))
            return []
    report.rows = len(rows)
    return rows


def _whole_number(value: str, line: int, column: str, report: ImportReport, *, allow_suppressed: bool):
    if allow_suppressed and value.upper() in SUPPRESSED:
        return None
    # isdigit() alone accepts superscripts and other scripts' digits, which int() refuses.
    if not (value.isascii() and value.isdigit()):
        what = "a whole number, or NA where suppressed" if allow_suppressed else "a whole number"
        report.problems.append(Problem(line, column, f"‘{value}’ is not {what}."))
        return None
    number = int(value)
    if number > LARGEST_WHOLE_NUMBER:
        report.problems.append(Problem(line, column, f"‘{value}’ is too large."))
        return None
    return number


# --- GIAS ---------------------------------------------------------------------------------------

GIAS_REQUIRED = ["URN", "EstablishmentName", "LA (code)"]


def check_gias_file(data: bytes, *, council: Council | None = None) -> tuple[ImportReport, list[dict]]:
    """Check a GIAS extract. Rows for councils not in the system (or not `council`) are ignored."""
    report = ImportReport(kind="schools")
    rows = read_rows(data, GIAS_REQUIRED, report)
    councils = {
        c.la_code: c for c in (Council.objects.filter(pk=council.pk) if council else Council.objects.all())
    }
    parsed, seen = [], {}
    for line, row in rows:
        urn = _whole_number(row["URN"], line, "URN", report, allow_suppressed=False)
        la_code = _whole_number(row["LA (code)"], line, "LA (code)", report, allow_suppressed=False)
        name = row["EstablishmentName"]
        if not name:
            report.problems.append(Problem(line, "EstablishmentName", "The school has no name."))
        elif len(name) > 200:
            report.problems.append(
                Problem(line, "EstablishmentName", "The name is longer than 200 characters.")
            )
        phase_text = row.get("PhaseOfEducation (name)", "")
        phase = GIAS_PHASES.get(phase_text.lower())
        if phase is None:
            report.problems.append(
                Problem(line, "PhaseOfEducation (name)", f"‘{phase_text}’ is not a GIAS phase.")
            )
        postcode = " ".join(row.get("Postcode", "").upper().split())
        if postcode and not POSTCODE.match(postcode):
            report.problems.append(Problem(line, "Postcode", f"‘{row['Postcode']}’ is not a UK postcode."))
        if urn is not None:
            if urn in seen:
                report.problems.append(Problem(line, "URN", f"URN {urn} is also on line {seen[urn]}."))
            seen[urn] = line
        if urn is None or la_code is None or not name or phase is None:
            continue
        if la_code not in councils:
            report.ignored += 1
            continue
        parsed.append(
            {
                "urn": urn,
                "council": councils[la_code],
                "name": name[:200],
                "phase": phase,
                "establishment_type": row.get("TypeOfEstablishment (name)", "")[:200],
                "street": row.get("Street", "")[:200],
                "locality": row.get("Locality", "")[:200],
                "town": row.get("Town", "")[:200],
                "postcode": postcode,
                "is_closed": row.get("EstablishmentStatus (name)", "").lower() == "closed",
            }
        )
    by_urn = {values["urn"]: values for values in parsed}
    for school in School.objects.filter(urn__in=by_urn).select_related("council"):
        la_code = by_urn[school.urn]["council"].la_code
        if school.council.la_code != la_code:
            report.problems.append(
                Problem(
                    seen[school.urn],
                    "LA (code)",
                    f"URN {school.urn} is a {school.council.name} school here, not LA {la_code}.",
                )
            )
    report.ignored_reason = (
        "for councils not in this service" if council is None else f"not in {council.name}"
    )
    return report, parsed


@transaction.atomic
def import_schools(*, data: bytes, acting_user, council: Council | None = None) -> ImportReport:
    """Create or update schools from a GIAS extract, all or nothing, auditing each change."""
    report, parsed = check_gias_file(data, council=council)
    if not report.ok:
        return report
    existing = {s.urn: s for s in School.objects.filter(urn__in=[p["urn"] for p in parsed])}
    fields = ["name", "phase", "establishment_type", "street", "locality", "town", "postcode", "is_closed"]
    for values in parsed:
        school = existing.get(values["urn"])
        if school is None:
            school = School.objects.create(**values)
            report.created += 1
            record_event(
                acting_user=acting_user,
                action="school.imported",
                obj=school,
                council=school.council,
                after={name: values[name] for name in ["urn", *fields]},
            )
            continue
        new_values = {name: values[name] for name in fields}
        if all(getattr(school, name) == value for name, value in new_values.items()):
            report.unchanged += 1
            continue
        update_school(school=school, acting_user=acting_user, action="school.updated_from_gias", **new_values)
        report.updated += 1
    return report


# --- School census ------------------------------------------------------------------------------

CENSUS_REQUIRED = ["URN", "NOR", "TSENELK", "TSENELSE"]
CENSUS_COLUMNS = {
    "NOR": "pupils_on_roll",
    "TSENELK": "sen_support",
    "TSENELSE": "ehc_plans",
    "NUMFSM": "free_school_meals",
}
NATIONAL_ROW = "NAT"


def parse_census_month(text: str) -> datetime.date:
    """'2019-01' or 'January 2019' -> 1 January 2019. Raises ValueError with a readable message."""
    text = text.strip()
    for pattern in ("%Y-%m", "%B %Y", "%b %Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date().replace(day=1)
        except ValueError:
            continue
    raise ValueError(f"‘{text}’ is not a census month: write it as 2019-01 or January 2019.")


def check_census_file(
    data: bytes, *, council: Council | None = None
) -> tuple[ImportReport, list[tuple[School, dict]]]:
    """Check a DfE census file. National rows are skipped; rows for schools not in the system ignored."""
    report = ImportReport(kind="census")
    rows = read_rows(data, CENSUS_REQUIRED, report)
    schools = School.objects.filter(urn__isnull=False)
    if council is not None:
        schools = schools.filter(council=council)
    by_urn = {s.urn: s for s in schools.select_related("council")}
    parsed, seen = [], {}
    for line, row in rows:
        if row["URN"].upper() == NATIONAL_ROW:
            report.rows -= 1  # a national total, not a school
            continue
        urn = _whole_number(row["URN"], line, "URN", report, allow_suppressed=False)
        counts = {
            field_name: _whole_number(row[column], line, column, report, allow_suppressed=True)
            for column, field_name in CENSUS_COLUMNS.items()
            if column in row
        }
        roll = counts.get("pupils_on_roll")
        for column, field_name in CENSUS_COLUMNS.items():
            value = counts.get(field_name)
            if field_name != "pupils_on_roll" and value is not None and roll is not None and value > roll:
                report.problems.append(
                    Problem(line, column, f"{value:,} is more than the {roll:,} pupils on roll (NOR).")
                )
        if urn is None:
            continue
        if urn in seen:
            report.problems.append(Problem(line, "URN", f"URN {urn} is also on line {seen[urn]}."))
            continue
        seen[urn] = line
        if urn not in by_urn:
            report.ignored += 1
            continue
        parsed.append((by_urn[urn], counts))
    report.ignored_reason = (
        "schools not in this service" if council is None else f"schools not in {council.name}"
    )
    return report, parsed


@transaction.atomic
def import_census(
    *, data: bytes, census_month: datetime.date, acting_user, source: str = "", council: Council | None = None
) -> ImportReport:
    """Record each known school's census counts for the month, all or nothing, auditing each change."""
    report, parsed = check_census_file(data, council=council)
    if not report.ok:
        return report
    existing = {
        row.school_id: row
        for row in SchoolCensus.objects.filter(census_month=census_month, school__in=[s for s, _ in parsed])
    }
    for school, counts in parsed:
        values = {name: counts.get(name) for name in CENSUS_COLUMNS.values()}
        row = existing.get(school.pk)
        if row is None:
            row = SchoolCensus.objects.create(
                school=school, census_month=census_month, source=source, **values
            )
            report.created += 1
            record_event(
                acting_user=acting_user,
                action="census.imported",
                obj=row,
                council=school.council,
                after=values,
            )
            continue
        changed = {name: value for name, value in values.items() if getattr(row, name) != value}
        if not changed:
            report.unchanged += 1
            continue
        before = {name: getattr(row, name) for name in changed}
        for name, value in changed.items():
            setattr(row, name, value)
        row.source = source or row.source
        row.save(update_fields=[*changed, "source"])
        report.updated += 1
        record_event(
            acting_user=acting_user,
            action="census.updated",
            obj=row,
            council=school.council,
            before=before,
            after=changed,
        )
    return report
