"""`clusterfund allocate`: share a pot between local authorities or clusters from the DfE school census.

The census is read once, straight into whole-number totals per group (decimals only for a council's own
columns that have them); the shares come from the same formula the service uses, exact to the penny.
"""

import csv
import io
import os
import re
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clusterfund.money.formula import CENSUS_FACTORS, FormulaError, allocate
from clusterfund.organisations.imports import SUPPRESSED

# The census column each of the formula's factors is read from.
CENSUS_COLUMNS = {
    "pupils_on_roll": "NOR",
    "sen_support": "TSENELK",
    "ehc_plans": "TSENELSE",
    "free_school_meals": "NUMFSM",
}
# Row problems listed in full before the rest are only counted.
PROBLEMS_SHOWN = 20

_POUNDS = re.compile(r"(?P<pounds>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<pence>\d+))?")
_DECIMAL = re.compile(r"\d+\.\d*|\.\d+")


def pounds_to_pence(text: str, *, option: str) -> int:
    """An amount the council writes in pounds ("2500000", "2,500,000.50", "£1,000") as whole pence."""
    if isinstance(text, float):
        raise CommandError(f"{option}: give the amount as text, e.g. '2,500,000', never as a float")
    text = str(text)
    written = text.strip().replace(" ", "")
    negative = written.startswith("-") or written.startswith("£-")
    digits = written.lstrip("-").removeprefix("£").lstrip("-")
    match = _POUNDS.fullmatch(digits)
    if not match:
        raise CommandError(
            f"{option}: {text!r} is not an amount in pounds (write it like 2500000, 2,500,000.50 or £1,000)"
        )
    if match["pence"] is not None and len(match["pence"]) > 2:
        raise CommandError(f"{option}: {text!r} has more than 2 decimal places; amounts are pounds and pence")
    pence = int(Decimal(digits.replace(",", "")).scaleb(2))
    if negative and pence:
        raise CommandError(f"{option}: {text!r} is negative; an amount must be zero or more")
    return pence


def pounds(pence: int) -> str:
    """Whole pence as pounds for a CSV: 123456 -> 1234.56."""
    sign = "-" if pence < 0 else ""
    return f"{sign}{abs(pence) // 100}.{abs(pence) % 100:02d}"


def money(pence: int) -> str:
    """Whole pence as pounds for people: 123456 -> £1,234.56."""
    return f"£{pence // 100:,}.{pence % 100:02d}"


def parse_weights(text: str) -> dict[str, Decimal]:
    """The weights as written: "sen_support=1,ehc_plans=4,free_school_meals=0.5"."""
    weights: dict[str, Decimal] = {}
    for part in (piece.strip() for piece in text.split(",")):
        if not part:
            continue
        name, equals, value = (piece.strip() for piece in part.partition("="))
        if not equals or not name:
            raise CommandError(f"--weights: {part!r} is not factor=weight (e.g. sen_support=1)")
        try:
            weight = Decimal(value)
        except InvalidOperation:
            weight = None
        if weight is None or not weight.is_finite() or "_" in value:
            raise CommandError(f"--weights: {part!r} is not a number")
        if weight < 0:
            raise CommandError(f"--weights: {part!r} is negative; a weight must be zero or more")
        if name in weights:
            raise CommandError(f"--weights: {name!r} is given twice")
        weights[name] = weight
    if not weights:
        raise CommandError("--weights: give at least one factor=weight, e.g. sen_support=1,ehc_plans=4")
    return weights


def _read_csv(path: Path, *, option: str):
    """A CSV file's header and a reader over the rest (a UTF-8 byte order mark is allowed)."""
    if not path.is_file():
        raise CommandError(f"{option}: {path} is not a file")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise CommandError(f"{path}: line {line} is not UTF-8 text; save the file as CSV UTF-8") from error
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [name.strip() for name in next(reader, [])]
    if not any(header):
        raise CommandError(f"{path} is empty: it needs a header row")
    return header, reader


@dataclass
class Census:
    """What the census file gave: totals per group, and what was suppressed, skipped or missing."""

    totals: dict[str, list[int | Fraction]] = field(default_factory=dict)
    schools: dict[str, int] = field(default_factory=dict)
    suppressed: dict[str, int] = field(default_factory=dict)
    skipped_lines: list[int] = field(default_factory=list)
    not_in_map: int = 0
    urns: set[int] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)


def _value(text: str, *, line: int, column: str, census: Census) -> int | Fraction:
    """One school's number in one column: a whole number, a decimal, or suppressed (NA, SUPP, x, blank and
    the other marks the census import knows), which counts as 0."""
    value = text.strip()
    if value.isascii() and value.isdigit():
        return int(value)
    if value.upper() in SUPPRESSED:
        census.suppressed[column] += 1
        return 0
    if _DECIMAL.fullmatch(value):
        return Fraction(Decimal(value))
    if value.startswith("-") and (value[1:].isdigit() or _DECIMAL.fullmatch(value[1:])):
        census.problems.append(f"line {line}: {column} is {value}, but a count cannot be negative")
    else:
        census.problems.append(f"line {line}: {column} is {value!r}, not a number (or NA where suppressed)")
    return 0


def census_columns(factors, *, header: list[str], path: Path) -> dict[str, str]:
    """The census column each weighted factor is read from: the four census factors from their DfE columns,
    and any other factor from the column of that name (a council's own numeric column for each school)."""
    columns = {}
    for factor in factors:
        if factor in CENSUS_COLUMNS:
            columns[factor] = CENSUS_COLUMNS[factor]
            if columns[factor] not in header:
                raise CommandError(f"{path} has no {columns[factor]} column, which {factor} is read from")
        elif factor in header:
            columns[factor] = factor
        else:
            raise CommandError(
                f"--weights: {factor!r} is not a census factor ({', '.join(CENSUS_FACTORS)}) "
                f"or a column in {path}"
            )
    return columns


def read_census(path: Path, *, factors, clusters: dict[int, str] | None) -> Census:
    """Add up the census file's schools' weighted factors into their local authority, or into their
    cluster when `clusters` maps URNs to clusters (then schools not in the map are not counted)."""
    header, reader = _read_csv(path, option="--census")
    position = {name: index for index, name in enumerate(header)}
    for name in ["URN"] + ([] if clusters is not None else ["LA"]):
        if name not in position:
            raise CommandError(f"{path} has no {name} column")
    columns = census_columns(factors, header=header, path=path)
    urn_at = position["URN"]
    la_at = position.get("LA")
    factor_at = [position[column] for column in columns.values()]
    names = list(columns.values())
    census = Census(suppressed=dict.fromkeys(names, 0))
    first_line: dict[int, int] = {}
    width = len(header)
    for row in reader:
        line = reader.line_num
        if not row or row == [""]:
            continue
        if len(row) < width:
            census.problems.append(f"line {line}: has {len(row)} values, but the header has {width} columns")
            continue
        urn_text = row[urn_at].strip()
        if not (urn_text.isascii() and urn_text.isdigit()):
            census.skipped_lines.append(line)
            continue
        urn = int(urn_text)
        if urn in first_line:
            census.problems.append(f"line {line}: URN {urn} is already on line {first_line[urn]}")
            continue
        first_line[urn] = line
        if clusters is None:
            group = row[la_at].strip()
            if not group:
                census.problems.append(f"line {line}: LA is blank for URN {urn}")
                continue
        else:
            group = clusters.get(urn)
            if group is None:
                census.not_in_map += 1
                continue
        census.urns.add(urn)
        values = [
            int(text)
            if (text := row[index]).isdigit() and text.isascii()
            else _value(text, line=line, column=name, census=census)
            for index, name in zip(factor_at, names, strict=True)
        ]
        totals = census.totals.get(group)
        if totals is None:
            census.totals[group] = values
            census.schools[group] = 1
        else:
            for index, value in enumerate(values):
                totals[index] += value
            census.schools[group] += 1
    return census


def read_clusters(path: Path) -> dict[int, str]:
    """The cluster map: each school's URN and the cluster it belongs to."""
    header, reader = _read_csv(path, option="--clusters")
    lower = [name.lower() for name in header]
    if "urn" not in lower or "cluster" not in lower:
        raise CommandError(f"{path} needs the columns URN and cluster; its header is {','.join(header)}")
    urn_at, cluster_at = lower.index("urn"), lower.index("cluster")
    clusters: dict[int, str] = {}
    first_line: dict[int, int] = {}
    problems = []
    for row in reader:
        line = reader.line_num
        if not row or row == [""]:
            continue
        urn_text = row[urn_at].strip() if urn_at < len(row) else ""
        cluster = row[cluster_at].strip() if cluster_at < len(row) else ""
        if not (urn_text.isascii() and urn_text.isdigit()):
            problems.append(f"line {line}: URN {urn_text!r} is not a number")
        elif not cluster:
            problems.append(f"line {line}: URN {urn_text} has no cluster")
        elif int(urn_text) in clusters:
            urn = int(urn_text)
            problems.append(
                f"line {line}: URN {urn} is already in cluster {clusters[urn]!r} on line {first_line[urn]}"
            )
        else:
            clusters[int(urn_text)] = cluster
            first_line[int(urn_text)] = line
    if problems:
        raise _problems(path, problems)
    if not clusters:
        raise CommandError(f"{path} has no schools in it")
    return clusters


def _problems(path: Path, problems: list[str]) -> CommandError:
    shown = problems[:PROBLEMS_SHOWN]
    more = len(problems) - len(shown)
    lines = [f"{path}: {len(problems)} bad row(s); nothing was written", *shown]
    if more:
        lines.append(f"… and {more} more")
    return CommandError("\n".join(lines))


def _group_order(group: str):
    # Local authority codes are numbers: 201 before 1000. Anything else after them, in alphabetical order.
    return (0, int(group), group) if group.isascii() and group.isdigit() else (1, 0, group)


def _exact(value: Fraction) -> str:
    """A total or score as the exact decimal it is (to 6 places when it does not end)."""
    if value.denominator == 1:
        return str(value.numerator)
    rest, twos, fives = value.denominator, 0, 0
    while rest % 2 == 0:
        rest, twos = rest // 2, twos + 1
    while rest % 5 == 0:
        rest, fives = rest // 5, fives + 1
    return _rounded(value, max(twos, fives) if rest == 1 else 6)


def _rounded(value: Fraction, places: int) -> str:
    """A non-negative fraction to `places` decimal places, halves up."""
    scaled = int(value * 10**places + Fraction(1, 2))
    if not places:
        return str(scaled)
    whole, part = divmod(scaled, 10**places)
    return f"{whole}.{part:0{places}d}"


class Command(BaseCommand):
    help = (
        "Share a pot between local authorities or clusters of schools by weighted DfE census factors "
        "(pupils_on_roll, sen_support, ehc_plans, free_school_meals, or any numeric column), exact to the "
        "penny."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--census", required=True, type=Path, metavar="FILE.csv", help="the DfE school-level census CSV"
        )
        parser.add_argument(
            "--pot", required=True, metavar="AMOUNT", help="the pot in pounds, e.g. 2,500,000"
        )
        parser.add_argument(
            "--weights",
            required=True,
            metavar="FACTOR=WEIGHT,…",
            help="e.g. sen_support=1,ehc_plans=4,free_school_meals=0.5,pupils_on_roll=0.1",
        )
        parser.add_argument(
            "--group-by",
            required=True,
            choices=["la", "cluster-file"],
            help="la: by the census file's LA column; cluster-file: by the cluster map given as --clusters",
        )
        parser.add_argument(
            "--clusters",
            type=Path,
            metavar="MAP.csv",
            help="with --group-by cluster-file: a CSV of URN,cluster",
        )
        parser.add_argument("--floor", metavar="AMOUNT", help="the least any group gets, in pounds")
        parser.add_argument("--cap", metavar="AMOUNT", help="the most any group gets, in pounds")
        parser.add_argument(
            "--out",
            type=Path,
            metavar="OUT.csv",
            help="where to write the shares; standard output if not given",
        )

    def handle(self, *args, census, pot, weights, group_by, clusters, floor, cap, out, **options):
        # call_command() passes options as given, so paths may arrive as strings.
        census = Path(census)
        clusters = None if clusters is None else Path(clusters)
        out = None if out is None else Path(out)
        pot_pence = pounds_to_pence(pot, option="--pot")
        floor_pence = None if floor is None else pounds_to_pence(floor, option="--floor")
        cap_pence = None if cap is None else pounds_to_pence(cap, option="--cap")
        if floor_pence is not None and cap_pence is not None and cap_pence < floor_pence:
            raise CommandError(f"--cap ({money(cap_pence)}) is less than --floor ({money(floor_pence)})")
        factor_weights = parse_weights(weights)
        if group_by == "cluster-file" and clusters is None:
            raise CommandError("--group-by cluster-file needs --clusters MAP.csv (columns URN,cluster)")
        if group_by == "la" and clusters is not None:
            raise CommandError("--clusters is only used with --group-by cluster-file")
        if out is not None and not out.parent.is_dir():
            raise CommandError(f"--out: the folder {out.parent} does not exist")
        if out is not None and out.is_dir():
            raise CommandError(f"--out: {out} is a folder; give the name of the CSV file to write")

        cluster_map = read_clusters(clusters) if clusters is not None else None
        found = read_census(census, factors=factor_weights, clusters=cluster_map)
        if found.problems:
            raise _problems(census, found.problems)
        groups = sorted(found.totals, key=_group_order)
        if cluster_map is not None:
            # A cluster none of whose schools are in the census still shares the pot: it gets the floor.
            empty = sorted(set(cluster_map.values()) - set(found.totals), key=_group_order)
            groups = sorted([*groups, *empty], key=_group_order)
        if not groups:
            raise CommandError(f"{census} has no schools to share the pot between")
        self._check_limits(
            pot_pence=pot_pence, floor_pence=floor_pence, cap_pence=cap_pence, groups=len(groups)
        )

        factors = list(factor_weights)
        zero = [0] * len(factors)
        factor_totals = {
            group: dict(zip(factors, found.totals.get(group, zero), strict=True)) for group in groups
        }
        try:
            shares = allocate(
                pot_pence=pot_pence,
                factor_totals=factor_totals,
                weights=factor_weights,
                floor_pence=floor_pence,
                cap_pence=cap_pence,
            )
        except FormulaError as error:
            raise CommandError(f"The formula cannot share this pot: {error}") from error

        table = io.StringIO()
        writer = csv.writer(table, lineterminator="\n")
        writer.writerow(
            [
                "group",
                "schools",
                *factors,
                "score",
                "proportional_pence",
                "amount_pence",
                "amount",
                "floor_applied",
                "cap_applied",
            ]
        )
        for share in shares:
            writer.writerow(
                [
                    share.group,
                    found.schools.get(share.group, 0),
                    *(_exact(share.factor_totals[factor]) for factor in factors),
                    _exact(share.score),
                    _rounded(share.proportional_pence, 2),
                    share.amount_pence,
                    pounds(share.amount_pence),
                    "yes" if share.floor_applied else "no",
                    "yes" if share.cap_applied else "no",
                ]
            )
        allocated = sum(share.amount_pence for share in shares)
        if allocated != pot_pence:  # the formula promises this; never write a table that breaks it
            raise CommandError(
                f"Allocated {money(allocated)}, not the pot of {money(pot_pence)}; nothing written"
            )
        self._write(table.getvalue(), out=out)
        self._summarise(found=found, shares=shares, pot_pence=pot_pence, cluster_map=cluster_map, out=out)

    def _check_limits(self, *, pot_pence: int, floor_pence: int | None, cap_pence: int | None, groups: int):
        """Refuse a floor the pot cannot pay for every group, or a cap that leaves part of the pot over."""
        if floor_pence is not None and floor_pence * groups > pot_pence:
            raise CommandError(
                f"--floor: {money(floor_pence)} for each of {groups} groups needs "
                f"{money(floor_pence * groups)}, more than the pot of {money(pot_pence)}"
            )
        if cap_pence is not None and cap_pence * groups < pot_pence:
            raise CommandError(
                f"--cap: {money(cap_pence)} for each of {groups} groups shares only "
                f"{money(cap_pence * groups)}, less than the pot of {money(pot_pence)}"
            )

    def _write(self, text: str, *, out: Path | None) -> None:
        """The whole table to --out at once (written beside it, then renamed), or to standard output."""
        if out is None:
            self.stdout.write(text, ending="")
            return
        handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
                file.write(text)
            os.replace(temporary, out)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def _summarise(self, *, found: Census, shares, pot_pence: int, cluster_map, out: Path | None) -> None:
        allocated = sum(share.amount_pence for share in shares)
        lines = [
            f"{len(shares)} groups, {sum(found.schools.values()):,} schools, pot {money(pot_pence)}, "
            f"allocated {money(allocated)}" + (f", written to {out}" if out is not None else "")
        ]
        floors = sum(share.floor_applied for share in shares)
        caps = sum(share.cap_applied for share in shares)
        if floors or caps:
            lines.append(f"The floor lifted {floors} group(s); the cap held back {caps} group(s).")
        suppressed = sum(found.suppressed.values())
        if suppressed:
            by_column = ", ".join(
                f"{column} {count:,}" for column, count in found.suppressed.items() if count
            )
            lines.append(
                f"{suppressed:,} suppressed value(s) (NA, SUPP, x, blank …) counted as 0: {by_column}."
            )
        if found.skipped_lines:
            shown = ", ".join(str(line) for line in found.skipped_lines[:5])
            more = "…" if len(found.skipped_lines) > 5 else ""
            lines.append(
                f"{len(found.skipped_lines)} row(s) skipped because the URN is not a number "
                f"(national totals and the like): line(s) {shown}{more}."
            )
        if cluster_map is not None:
            lines.append(
                f"{found.not_in_map:,} census row(s) are not in the cluster map and were not counted."
            )
            missing = sorted(set(cluster_map) - found.urns)
            if missing:
                shown = ", ".join(str(urn) for urn in missing[:10])
                more = "…" if len(missing) > 10 else ""
                lines.append(
                    f"{len(missing)} URN(s) in the cluster map are not in the census: {shown}{more}."
                )
            empty = [share.group for share in shares if share.group not in found.schools]
            if empty:
                lines.append(f"{len(empty)} cluster(s) have no school in the census: {', '.join(empty)}.")
        for line in lines:
            self.stderr.write(line)
