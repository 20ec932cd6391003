"""Read and write pabulib `.pb` files, so that anyone can recount a meeting with other software.

The format is the one pabulib.org publishes for participatory budgeting elections: three sections, META
(`key;value`), PROJECTS (`project_id;cost;...`) and VOTES (`voter_id;vote;...`), fields separated by `;`
and quoted as in CSV when they need it. Only approval elections are read and written here: `vote` lists the
approved project ids separated by commas. An optional `selected` column on PROJECTS records the official
outcome (1 funded, 0 not).

Two additions of ours, both optional and ignored by other software:

- a `eligible` column on VOTES lists the requests each school could vote on (not those it submitted or
  joined). It is for the auditor's export only: the public export leaves it out, and a file without it
  counts every school as able to vote on every request.
- META `lot` lists the project ids in the order of the lot drawn when the agenda was frozen, and META
  `cost_unit;pence` says that costs are in pence, so that Add1 recounts raise each share by £1 (100) rather
  than by one unit of the file's currency.

`write_pabulib` writes canonically (fixed key order, projects and voters in natural order of their ids,
`\\n` line ends, UTF-8), so the same meeting always gives the same bytes and `fingerprint` the same SHA-256.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from clusterfund.voting.rules import Ballot, Completion, Election, Project, Rule, count

APPROVAL_TYPES = ("approval", "choose-1")
META_ORDER = (
    "description",
    "country",
    "unit",
    "subunit",
    "instance",
    "district",
    "num_projects",
    "num_votes",
    "budget",
    "vote_type",
    "rule",
    "date_begin",
    "date_end",
    "min_length",
    "max_length",
    "language",
    "edition",
    "currency",
    "cost_unit",
    "lot",
)
COMPUTED_META = ("num_projects", "num_votes", "budget", "vote_type")


class PabulibError(ValueError):
    """A `.pb` file that cannot be read as an approval election."""


@dataclass(frozen=True)
class PabulibElection:
    """A `.pb` file read into an election.

    `projects` are in the file's order; `project_fields` keeps every other column of PROJECTS (name, votes,
    selected, ...) by project id. `selected` is the official outcome when the file records one, in the
    file's project order. `lot` is META `lot` when present, otherwise the file's project order.
    """

    meta: Mapping[str, str]
    election: Election
    project_fields: Mapping[str, Mapping[str, str]]
    selected: tuple[str, ...] | None
    lot: tuple[str, ...]
    has_eligibility: bool

    @property
    def add1_step(self) -> int:
        """How much the Add1 completion raises each share at a time: £1 in pence, else one currency unit."""
        return 100 if self.meta.get("cost_unit", "").strip().lower() == "pence" else 1


def natural_key(text: str) -> tuple:
    """A sort key that puts "R-2" before "R-10": runs of digits compare as numbers."""
    parts = tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text))
    return (parts, text)


def _whole(text: str, what: str) -> int:
    value = text.strip()
    match = re.fullmatch(r"(\d+)(?:\.0*)?", value)
    if not match:
        raise PabulibError(f"{what} must be a whole number, not {text!r}.")
    return int(match.group(1))


def _ids(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def read_pabulib(text: str) -> PabulibElection:
    """Read the text of a `.pb` file holding an approval election."""
    sections: dict[str, list[list[str]]] = {}
    current = None
    for row in csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if len(cells) == 1 and cells[0].upper() in ("META", "PROJECTS", "VOTES"):
            current = cells[0].upper()
            if current in sections:
                raise PabulibError(f"The file has two {current} sections.")
            sections[current] = []
            continue
        if current is None:
            raise PabulibError("The file must start with a META section.")
        sections[current].append(cells)
    if not sections.get("META"):
        raise PabulibError("The file has no META section.")
    meta = {}
    for cells in sections["META"][1:]:
        if len(cells) < 2:
            raise PabulibError(f"A META line needs a key and a value: {';'.join(cells)!r}.")
        meta[cells[0]] = ";".join(cells[1:])
    vote_type = meta.get("vote_type", "approval").strip().lower()
    if vote_type not in APPROVAL_TYPES:
        raise PabulibError(f"Only approval elections can be read; this one is {vote_type!r}.")
    if "budget" not in meta:
        raise PabulibError("META has no budget.")
    budget = _whole(meta["budget"], "The budget")
    for name in ("PROJECTS", "VOTES"):
        if not sections.get(name):
            raise PabulibError(f"The file has no {name} section.")

    header, *rows = sections["PROJECTS"]
    if "project_id" not in header or "cost" not in header:
        raise PabulibError("PROJECTS needs project_id and cost columns.")
    projects, project_fields = [], {}
    for cells in rows:
        record = dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=False))
        project_id = record.pop("project_id")
        cost = _whole(record.pop("cost"), f"The cost of project {project_id}")
        if cost <= 0:
            raise PabulibError(f"Project {project_id} costs nothing; every project must cost something.")
        projects.append(Project(id=project_id, cost=cost))
        project_fields[project_id] = record
    known = [project.id for project in projects]
    if len(set(known)) != len(known):
        raise PabulibError("Two projects have the same project_id.")
    known_set = set(known)

    header, *rows = sections["VOTES"]
    if "voter_id" not in header or "vote" not in header:
        raise PabulibError("VOTES needs voter_id and vote columns.")
    has_eligibility = "eligible" in header
    ballots = []
    for cells in rows:
        record = dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=False))
        approves = _ids(record["vote"])
        eligible = _ids(record["eligible"]) if has_eligibility else known
        unknown = (set(approves) | set(eligible)) - known_set
        if unknown:
            raise PabulibError(f"Voter {record['voter_id']} names unknown projects: {sorted(unknown)}.")
        try:
            ballots.append(Ballot(voter=record["voter_id"], approves=approves, eligible=eligible))
        except ValueError as error:
            raise PabulibError(str(error)) from error

    try:
        election = Election(projects=projects, ballots=ballots, budget=budget)
    except ValueError as error:
        raise PabulibError(str(error)) from error

    selected = None
    if any(fields.get("selected", "").strip() for fields in project_fields.values()):
        selected = tuple(p for p in known if project_fields[p].get("selected", "").strip() in ("1", "1.0"))
    lot = tuple(_ids(meta["lot"])) if meta.get("lot", "").strip() else tuple(known)
    if sorted(lot) != sorted(known):
        raise PabulibError("META lot must list every project exactly once.")
    return PabulibElection(
        meta=meta,
        election=election,
        project_fields=project_fields,
        selected=selected,
        lot=lot,
        has_eligibility=has_eligibility,
    )


def read_pabulib_file(path: str | Path) -> PabulibElection:
    """Read a `.pb` file from disk (UTF-8)."""
    return read_pabulib(Path(path).read_text(encoding="utf-8-sig"))


def write_pabulib(
    election: Election,
    *,
    meta: Mapping[str, str] | None = None,
    names: Mapping[str, str] | None = None,
    selected: Iterable[str] | None = None,
    lot: Sequence[str] | None = None,
    voter_ids: Mapping[str, str] | None = None,
    include_eligibility: bool = False,
) -> str:
    """Write an approval election as the canonical text of a `.pb` file.

    `meta` adds META keys (description, unit, rule, cost_unit, ...); the counts, budget and vote type are
    always worked out from the election. `names` gives a name column, `selected` a selected column (the
    official outcome), `lot` a META lot. `voter_ids` maps each ballot's voter to the id the file should show
    (the caller chooses: the public export needs ids that do not name the school). The eligible column is
    written only for the auditor's export, with `include_eligibility`.
    """
    meta = dict(meta or {})
    for key in COMPUTED_META + ("lot",):
        if key in meta:
            raise ValueError(f"META {key} is worked out from the election; do not pass it.")
    projects = sorted(election.projects, key=lambda project: natural_key(project.id))
    place = {project.id: k for k, project in enumerate(projects)}
    votes = {project.id: 0 for project in projects}
    for ballot in election.ballots:
        for project in ballot.approves:
            votes[project] += 1
    meta.update(
        num_projects=str(len(projects)),
        num_votes=str(len(election.ballots)),
        budget=str(election.budget),
        vote_type="approval",
    )
    if lot is not None:
        lot = list(lot)
        if sorted(lot) != sorted(place):
            raise ValueError("The lot must list every project exactly once.")
        meta["lot"] = ",".join(lot)
    keys = [key for key in META_ORDER if key in meta]
    keys += sorted((key for key in meta if key not in META_ORDER), key=natural_key)

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    out.write("META\n")
    writer.writerow(["key", "value"])
    for key in keys:
        writer.writerow([key, _one_line(str(meta[key]))])

    out.write("PROJECTS\n")
    chosen = None if selected is None else set(selected)
    if chosen is not None and not chosen <= set(place):
        raise ValueError("selected names a project that is not in the election.")
    header = ["project_id", "cost", "votes"]
    if names is not None:
        header.append("name")
    if chosen is not None:
        header.append("selected")
    writer.writerow(header)
    for project in projects:
        row = [project.id, str(project.cost), str(votes[project.id])]
        if names is not None:
            row.append(_one_line(names.get(project.id, "")))
        if chosen is not None:
            row.append("1" if project.id in chosen else "0")
        writer.writerow(row)

    out.write("VOTES\n")
    header = ["voter_id", "vote"] + (["eligible"] if include_eligibility else [])
    writer.writerow(header)
    rows = []
    for ballot in election.ballots:
        voter = ballot.voter if voter_ids is None else voter_ids[ballot.voter]
        row = [voter, ",".join(sorted(ballot.approves, key=place.__getitem__))]
        if include_eligibility:
            row.append(",".join(sorted(ballot.eligible, key=place.__getitem__)))
        rows.append(row)
    exported = [row[0] for row in rows]
    if len(set(exported)) != len(exported):
        raise ValueError("Two ballots would be written with the same voter id.")
    for row in sorted(rows, key=lambda row: natural_key(row[0])):
        writer.writerow(row)
    return out.getvalue()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def fingerprint(text: str) -> str:
    """The SHA-256 of a `.pb` file's text as UTF-8, in hex: what a council publishes beside the file."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def recount(
    pb: PabulibElection,
    *,
    rule: Rule | str,
    completion: Completion | str | None = None,
) -> tuple[str, ...]:
    """Recount a `.pb` election with one of our rules; the funded project ids in the file's project order."""
    outcome = count(pb.election, rule=rule, lot=pb.lot, completion=completion, step=pb.add1_step)
    funded = set(outcome.funded)
    return tuple(project.id for project in pb.election.projects if project.id in funded)
