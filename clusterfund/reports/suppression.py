"""Small-number suppression for figures published together: no group small enough to identify a child.

Pure Python, no Django: the public pages (`figures`) describe what they publish and this module says which
figures may be shown.

**What goes in.** The figures on a page are sums of hidden *atoms*: the finest counts behind them, which are
never published (requests funded in one cluster, of one type, in one area of need, say). A figure is a count
(the sum of its atoms) or an amount of money (the sum of its atoms, in pence, over some number of awards).
`add_table` describes a table with its row, column and grand totals in one call. A figure that appears twice
on a page, or on two pages (a cluster's total on its own page and in the council's table), is one figure:
two figures over the same atoms are merged, so they are shown or hidden together. "At most" relations between
atoms (support started in a group is at most the requests funded in it) are part of what a reader knows.

**Primary suppression.** A count below the threshold is shown as "fewer than 5" (`Mark.PRIMARY`). *Zero is
treated as sensitive*: 0 is a count below the threshold like any other and is shown as "fewer than 5", so a
reader can never learn that a group is empty (that nobody in a cluster was funded for a sensory need, which
with one more fact may single out a child). Money is shown only when summed over at least threshold awards.

**Secondary suppression.** Then, until every hidden figure is safe, more figures are hidden
(`Mark.SECONDARY`, shown as "not shown"), the cheapest first (the smallest value, then the fewest atoms,
then the order they were added), so the choice is deterministic.

**The attacker this guards against.** A reader who knows every published figure exactly; every relation
between them (each figure is the sum of its atoms, so every row, column, grand total and repeated figure);
that atoms are whole numbers, never negative, and obey the "at most" relations; that a "fewer than 5" count is
one of 0 to 4; that a "not shown" count is 5 or more (it would read "fewer than 5" otherwise); that money is
never negative; and any lower bound it has from elsewhere (`at_least`: the open data lists each school funded,
so a cluster funded at least as many requests as it has schools on the list). A hidden figure is *safe* when
two different values are both possible for it: we prove it by finding a second set of atoms, different from
the true one, that gives the same published figures and fits everything above, with that figure changed. The
search moves atoms by one at a time; when it finds no such set (or gives up after `SEARCH_BUDGET` steps) the
figure counts as unsafe and more is hidden, so a limit of the search can only hide too much, never too little.

**Small groups by subtraction.** Where a row or column total is shown (`line`), the hidden figures in it add
up to the total less the figures shown, which a reader can work out even when no one of them is pinned. That
rest must not be a small group: not a count from 1 to below the threshold, and not money over fewer awards
than the threshold. When it is, the cheapest figure shown in the line is hidden too, and proved safe like the
others.

**Withheld.** Rarely even hiding everything is not enough, because the marks themselves say too much (with a
threshold of 2, two cells of 1 under a total of 2 are 1 each: "not shown" would say the total is 2 or more).
Then every figure linked to it is withheld (`Mark.WITHHELD`, "not published"), which says nothing about size.
"""

import hashlib
import json
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from enum import Enum

# Part of every fingerprint: change it with any change to how figures are chosen, so that no decision kept
# from before is reused.
ALGORITHM = 3
SEARCH_BUDGET = 5_000
MAX_MOVES = 16
# Choosing which figures to hide is a cheaper, shallower search: it only has to find a good choice, and the
# full search then checks it.
CHOICE_BUDGET = 2_000
CHOICE_MOVES = 8
TOTAL = "total"


class Mark(Enum):
    PUBLISHED = "published"
    PRIMARY = "fewer than the threshold"
    SECONDARY = "not shown, to protect a smaller figure"
    WITHHELD = "not published"
    # Not a figure on the page: a lower bound a reader has from elsewhere (see `Publication.at_least`).
    KNOWN_FLOOR = "known to be at least"


class Kind(Enum):
    COUNT = "count"
    AMOUNT = "amount"


class CannotProtect(RuntimeError):
    """No set of hidden figures makes this one safe: it should never happen, and is never published."""


@dataclass(frozen=True)
class Figure:
    """One figure as it may be published: its true value, what kind it is and how it is marked."""

    key: Hashable
    kind: Kind
    value: int
    mark: Mark
    contributors: int | None = None

    @property
    def published(self) -> bool:
        return self.mark is Mark.PUBLISHED


@dataclass
class _Figure:
    keys: list
    kind: Kind
    atoms: tuple[int, ...]
    value: int
    contributors: int | None
    order: int


class Publication:
    """Figures to be published together, the atoms they add up, and the suppression threshold."""

    def __init__(self, threshold: int):
        if threshold < 1:
            raise ValueError("The threshold is at least 1")
        self.threshold = threshold
        self._atom_index: dict[Hashable, int] = {}
        self._atom_values: list[int] = []
        self._atom_kind: list[Kind] = []
        self._at_most: list[tuple[int, int]] = []
        self._figures: list[_Figure] = []
        self._figure_of_key: dict[Hashable, int] = {}
        self._figure_of_atoms: dict[tuple[Kind, frozenset[int]], int] = {}
        self._lines: list[tuple[int, tuple[int, ...]]] = []
        self._floors: list[tuple[tuple[int, ...], int]] = []
        self.witnesses: dict[Hashable, dict[Hashable, int]] = {}

    # Building

    def atom(self, key: Hashable, value: int, kind: Kind = Kind.COUNT) -> Hashable:
        """A hidden count (or amount) that published figures add up. Never published itself."""
        if value < 0:
            raise ValueError(f"Atom {key!r} is negative")
        if key in self._atom_index:
            raise ValueError(f"Atom {key!r} was added twice")
        self._atom_index[key] = len(self._atom_values)
        self._atom_values.append(int(value))
        self._atom_kind.append(kind)
        return key

    def at_most(self, smaller: Hashable, larger: Hashable) -> None:
        """A reader knows the first atom is never more than the second."""
        self._at_most.append((self._atom_index[smaller], self._atom_index[larger]))

    def count(self, key: Hashable, atoms: Iterable[Hashable]) -> Hashable:
        """A count to publish: the sum of these atoms."""
        return self._figure(key, Kind.COUNT, atoms, None)

    def amount(self, key: Hashable, atoms: Iterable[Hashable], *, contributors: int) -> Hashable:
        """Money to publish, in pence: the sum of these atoms, over `contributors` awards."""
        return self._figure(key, Kind.AMOUNT, atoms, contributors)

    def at_least(self, atoms: Iterable[Hashable], minimum: int) -> None:
        """A reader knows from elsewhere that these atoms add up to at least `minimum` (another file that
        lists each school funded, say: a cluster funded at least as many requests as it has schools on the
        list). Hidden figures are proved safe with it. A bound above the truth is lowered to the truth: a
        reader who believes it is wrong, which gives nothing away."""
        indices = tuple(sorted({self._atom_index[atom] for atom in atoms}))
        minimum = min(minimum, sum(self._atom_values[index] for index in indices))
        if minimum > 0:
            self._floors.append((indices, minimum))

    def line(self, total: Hashable, parts: Iterable[Hashable]) -> None:
        """A published total and the figures it is made of (a table's row or column). Where the total and
        some parts are shown, the rest is known: the hidden parts together must not be a small group (a
        count from 1 to below the threshold, or money over fewer awards than the threshold)."""
        self._lines.append(
            (self._figure_of_key[total], tuple(sorted({self._figure_of_key[part] for part in parts})))
        )

    def _figure(self, key, kind, atoms, contributors) -> Hashable:
        indices = tuple(sorted({self._atom_index[atom] for atom in atoms}))
        if any(self._atom_kind[index] is not kind for index in indices):
            raise ValueError(f"Figure {key!r} mixes counts and money")
        if key in self._figure_of_key:
            existing = self._figures[self._figure_of_key[key]]
            if existing.atoms != indices:
                raise ValueError(f"Figure {key!r} was added twice with different atoms")
            return key
        signature = (kind, frozenset(indices))
        if signature in self._figure_of_atoms:
            # The same figure again: one mark for both places it appears.
            number = self._figure_of_atoms[signature]
            self._figures[number].keys.append(key)
        else:
            number = len(self._figures)
            value = sum(self._atom_values[index] for index in indices)
            self._figures.append(_Figure([key], kind, indices, value, contributors, number))
            self._figure_of_atoms[signature] = number
        self._figure_of_key[key] = number
        return key

    # Deciding

    def fingerprint(self) -> str:
        """A digest of everything the decision depends on: the threshold, every atom and its value, the "at
        most" relations and every figure. Equal fingerprints get equal marks, so a decision can be kept and
        reused until the data changes (keys must be JSON: strings, numbers and tuples of them)."""
        described = [
            ALGORITHM,
            self.threshold,
            [
                [key, value, kind.value]
                for key, value, kind in zip(self._atom_index, self._atom_values, self._atom_kind, strict=True)
            ],
            self._at_most,
            self._lines,
            self._floors,
            [[figure.keys, figure.kind.value, figure.atoms, figure.contributors] for figure in self._figures],
        ]
        return hashlib.sha256(json.dumps(described, separators=(",", ":")).encode()).hexdigest()

    def decision(self) -> dict:
        """What `protect` decided, as JSON to keep beside the fingerprint: each figure's mark in order and
        the witnesses."""
        return {
            "marks": [mark.name for mark in self._marks],
            "witnesses": [[key, list(witness.items())] for key, witness in self.witnesses.items()],
        }

    def reuse(self, decision: dict) -> dict[Hashable, Figure]:
        """Every figure with the marks of a decision kept from `decision`, for a publication of the same
        fingerprint: no search is run."""
        marks = [Mark[name] for name in decision["marks"]]
        if len(marks) != len(self._figures):
            raise ValueError("The decision is for another publication")
        self.witnesses = {
            _tuple(key): {_tuple(atom): value for atom, value in witness}
            for key, witness in decision["witnesses"]
        }
        return self._result(marks)

    def protect(self) -> dict[Hashable, Figure]:
        """Every figure with its mark: primary suppression, then secondary until every hidden figure is
        safe from the attacker described in the module's docstring. Afterwards `witnesses` holds, for each
        hidden figure, the atoms that differ in a second set fitting everything published."""
        published = len(self._figures)
        # Each lower bound a reader has is searched as a figure of its own that may not go below it; the
        # figures are put back as they were before the marks are returned.
        self._floor_of: dict[int, int] = {}
        for number, (atoms, minimum) in enumerate(self._floors, start=published):
            value = sum(self._atom_values[atom] for atom in atoms)
            self._figures.append(_Figure([("known floor", number)], Kind.COUNT, atoms, value, None, number))
            self._floor_of[number] = minimum
        try:
            marks = self._protect()
        finally:
            del self._figures[published:]
        return self._result(marks[:published])

    def _protect(self) -> list[Mark]:
        self._by_atom: list[list[int]] = [[] for _ in self._atom_values]
        for number, figure in enumerate(self._figures):
            for atom in figure.atoms:
                self._by_atom[atom].append(number)
        self._atom_sets = [frozenset(figure.atoms) for figure in self._figures]
        self._nonzero_sets = [
            frozenset(atom for atom in figure.atoms if self._atom_values[atom] >= 1)
            for figure in self._figures
        ]
        self._order_by_atom: dict[int, list[tuple[int, int]]] = {}
        for pair in self._at_most:
            for atom in pair:
                self._order_by_atom.setdefault(atom, []).append(pair)
        marks = [
            Mark.KNOWN_FLOOR if number in self._floor_of else self._primary(figure)
            for number, figure in enumerate(self._figures)
        ]
        safe: set[int] = set(self._floor_of)
        while True:
            unsafe = [n for n, mark in enumerate(marks) if mark is not Mark.PUBLISHED and n not in safe]
            if not unsafe:
                small_rest = self._small_rest(marks)
                if small_rest is None:
                    break
                marks[small_rest] = Mark.SECONDARY
                continue
            number = unsafe[0]
            found = self._alternative(number, marks)
            if found is not None:
                # One other set of atoms proves safe every hidden figure it changes: kept, so that anyone
                # can check it against what was published.
                moved, delta = found
                keys = list(self._atom_index)
                witness = {keys[atom]: self._atom_values[atom] + step for atom, step in delta.items()}
                for other in (moved | {number}) - set(self._floor_of):
                    safe.add(other)
                    for key in self._figures[other].keys:
                        self.witnesses.setdefault(key, witness)
                continue
            released = self._cheapest_complement(number, marks)
            if released:
                for other in released:
                    marks[other] = Mark.SECONDARY
                continue
            if marks[number] is Mark.WITHHELD:
                raise CannotProtect(f"Figure {self._figures[number].keys[0]!r} cannot be protected")
            # What the marks say is itself too much (two cells of 1 under a total of 2, with a threshold
            # of 2, are 1 each whatever is hidden): withhold every figure linked to this one, saying
            # nothing about their size.
            for other in self._linked(number) - set(self._floor_of):
                marks[other] = Mark.WITHHELD
        return marks

    def _result(self, marks: list[Mark]) -> dict[Hashable, Figure]:
        self._marks = marks
        result = {}
        for number, figure in enumerate(self._figures):
            for key in figure.keys:
                result[key] = Figure(key, figure.kind, figure.value, marks[number], figure.contributors)
        return result

    def _small_rest(self, marks: list[Mark]) -> int | None:
        """A published part to hide because a line's hidden parts add up to a small group that a reader
        can work out (the total less the parts shown); None when no line has one. The cheapest part of the
        first such line, so the choice is deterministic."""
        for total, parts in self._lines:
            if marks[total] is not Mark.PUBLISHED:
                continue
            hidden = [part for part in parts if marks[part] is not Mark.PUBLISHED]
            shown = [part for part in parts if marks[part] is Mark.PUBLISHED]
            if not hidden or not shown:
                continue
            if self._figures[total].kind is Kind.AMOUNT:
                small = sum(self._figures[part].contributors or 0 for part in hidden) < self.threshold
            else:
                rest = self._figures[total].value - sum(self._figures[part].value for part in shown)
                small = 0 < rest < self.threshold
            if small:
                return min(shown, key=self._cost)
        return None

    def _linked(self, number: int) -> set[int]:
        """Every figure that shares an atom with this one, or with one that does, and so on (atoms in an
        "at most" relation count as shared)."""
        neighbours: dict[int, set[int]] = {}
        for smaller, larger in self._at_most:
            neighbours.setdefault(smaller, set()).add(larger)
            neighbours.setdefault(larger, set()).add(smaller)
        figures, atoms = {number}, set(self._figures[number].atoms)
        frontier = list(atoms)
        while frontier:
            atom = frontier.pop()
            for other in [*neighbours.get(atom, ())]:
                if other not in atoms:
                    atoms.add(other)
                    frontier.append(other)
            for figure in self._by_atom[atom]:
                if figure not in figures:
                    figures.add(figure)
                    for other in self._figures[figure].atoms:
                        if other not in atoms:
                            atoms.add(other)
                            frontier.append(other)
        return figures

    def _primary(self, figure: _Figure) -> Mark:
        if figure.kind is Kind.COUNT:
            return Mark.PRIMARY if figure.value < self.threshold else Mark.PUBLISHED
        return Mark.PRIMARY if (figure.contributors or 0) < self.threshold else Mark.PUBLISHED

    def _cost(self, number: int) -> tuple:
        figure = self._figures[number]
        return (figure.value, len(figure.atoms), figure.order)

    def _bounds(self, number: int, mark: Mark) -> tuple[int, int | None]:
        """How far a figure may move, as a reader sees it: (least change, most change or None)."""
        figure = self._figures[number]
        if mark is Mark.KNOWN_FLOOR:
            return self._floor_of[number] - figure.value, None
        if mark is Mark.PUBLISHED:
            return 0, 0
        if figure.kind is Kind.AMOUNT or mark is Mark.WITHHELD:
            return -figure.value, None
        if mark is Mark.PRIMARY:
            return -figure.value, self.threshold - 1 - figure.value
        return self.threshold - figure.value, None

    def _alternative(self, number: int, marks: list[Mark]) -> tuple[set[int], dict[int, int]] | None:
        """Another set of atoms that fits everything a reader knows and changes this figure: the hidden
        figures it changes and the atoms it moves. None when there is none (or the search gave up)."""
        for direction in (1, -1):
            search = _Search(self, marks, number, direction, relax=False)
            if search.run():
                return search.changed(), dict(search.found_delta)
        return None

    def _cheapest_complement(self, number: int, marks: list[Mark]) -> list[int]:
        """The published figures to hide so that this one becomes safe: the cheapest set a search that may
        hide figures finds, or, when it finds none, the cheapest published figure beside it."""
        best = None
        for direction in (1, -1):
            search = _Search(self, marks, number, direction, relax=True)
            if search.run() and (best is None or search.best_cost < best.best_cost):
                best = search
        if best is not None:
            return sorted(best.best_released)
        own = set(self._figures[number].atoms)
        beside = sorted(
            (
                other
                for atom in own
                for above in self._by_atom[atom]
                for below_atom in self._figures[above].atoms
                for other in self._by_atom[below_atom]
                if marks[other] is Mark.PUBLISHED
            ),
            key=self._cost,
        )
        return beside[:1]


class _Search:
    """Looks for atom changes of one each, balancing every published figure and keeping every hidden one
    within what its mark allows, that move the target figure by `direction`. With `relax`, a published
    figure may instead be hidden, at its cost, and the cheapest such set is kept."""

    def __init__(self, publication: Publication, marks, target: int, direction: int, *, relax: bool):
        self.p = publication
        self.marks = marks
        self.target = target
        self.direction = direction
        self.relax = relax
        self.budget = CHOICE_BUDGET if relax else SEARCH_BUDGET
        self.bounds = [publication._bounds(n, mark) for n, mark in enumerate(marks)]
        self.delta: dict[int, int] = {}
        self.sums: dict[int, int] = {}
        self.released: list[int] = []
        self.cost = 0
        self.best_cost: float = float("inf")
        self.best_released: list[int] = []
        self.found_delta: dict[int, int] | None = None
        self.steps = 0
        self.seen: set = set()

    def run(self) -> bool:
        low, high = self.bounds[self.target]
        if self.marks[self.target] is not Mark.PUBLISHED and not (
            low <= self.direction and (high is None or self.direction <= high)
        ):
            return False  # the figure cannot move this way and still read as it does
        limit = 2
        most = CHOICE_MOVES if self.relax else MAX_MOVES
        while limit <= most and self.steps < self.budget:
            self.seen.clear()
            self._dfs(limit)
            if self.found_delta is not None and not self.relax:
                return True
            limit += 2
        return self.found_delta is not None

    def changed(self) -> set[int]:
        """The figures the alternative found changes."""
        totals: dict[int, int] = {}
        for atom, step in (self.found_delta or {}).items():
            for number in self.p._by_atom[atom]:
                totals[number] = totals.get(number, 0) + step
        return {number for number, total in totals.items() if total}

    def _need(self, number: int) -> int:
        """How much figure `number` must still move (0 when it is fine as it is)."""
        moved = self.sums.get(number, 0)
        if number == self.target:
            return self.direction - moved
        low, high = self.bounds[number]
        if moved < low:
            return low - moved
        if high is not None and moved > high:
            return high - moved
        return 0

    def _movable(self, atom: int, step: int) -> bool:
        return atom not in self.delta and (step > 0 or self.p._atom_values[atom] >= 1)

    def _problems(self):
        """Each constraint still broken, as (how many ways there are to fix it, the constraint): a figure
        to move by a step, or an "at most" pair with its moves. Counting the ways needs only the atoms
        already moved, so a figure of hundreds of atoms costs no more than a small one."""
        touched = {self.target}
        for atom in self.delta:
            touched.update(self.p._by_atom[atom])
        for number in sorted(touched):
            need = self._need(number)
            if need:
                step = 1 if need > 0 else -1
                movable = self.p._atom_sets[number] if step > 0 else self.p._nonzero_sets[number]
                size = len(movable) - sum(1 for atom in self.delta if atom in movable)
                if self.relax and self.marks[number] is Mark.PUBLISHED and number not in self.released:
                    size += 1
                yield size, (number, step)
        pairs = {pair for atom in self.delta for pair in self.p._order_by_atom.get(atom, ())}
        values = self.p._atom_values
        for smaller, larger in sorted(pairs):
            if values[smaller] + self.delta.get(smaller, 0) > values[larger] + self.delta.get(larger, 0):
                options = []
                if self._movable(smaller, -1):
                    options.append((smaller, -1))
                if self._movable(larger, 1):
                    options.append((larger, 1))
                yield len(options), options

    def _options(self, problem) -> list:
        """The ways to fix a broken constraint: (atom, step) moves, or (None, figure) to hide a published
        figure when relaxing."""
        if isinstance(problem, list):
            return problem
        number, step = problem
        options = [(atom, step) for atom in self.p._figures[number].atoms if self._movable(atom, step)]
        if self.relax and self.marks[number] is Mark.PUBLISHED and number not in self.released:
            options.append((None, number))
        return options

    def _dfs(self, limit: int) -> None:
        self.steps += 1
        if self.steps > self.budget or self.cost >= self.best_cost:
            return
        best, best_size = None, 0
        for size, problem in self._problems():
            if not size:
                return
            if best is None or size < best_size:
                best, best_size = problem, size
        if best is None:
            self.best_cost = self.cost
            self.best_released = list(self.released)
            self.found_delta = dict(self.delta)
            return
        if len(self.delta) >= limit:
            return
        for atom, step in self._options(best):
            if atom is None:
                self._release(step)
            else:
                self._set(atom, step)
            state = (frozenset(self.delta.items()), frozenset(self.released))
            if state not in self.seen:
                self.seen.add(state)
                self._dfs(limit)
                if self.found_delta is not None and not self.relax:
                    return
            if atom is None:
                self._unrelease(step)
            else:
                self._unset(atom, step)

    def _set(self, atom: int, step: int) -> None:
        self.delta[atom] = step
        for number in self.p._by_atom[atom]:
            self.sums[number] = self.sums.get(number, 0) + step

    def _unset(self, atom: int, step: int) -> None:
        del self.delta[atom]
        for number in self.p._by_atom[atom]:
            self.sums[number] -= step

    def _release(self, number: int) -> None:
        self.released.append(number)
        self.cost += self.p._figures[number].value + 1
        self.bounds[number] = self.p._bounds(number, Mark.SECONDARY)

    def _unrelease(self, number: int) -> None:
        self.released.pop()
        self.cost -= self.p._figures[number].value + 1
        self.bounds[number] = (0, 0)


def _tuple(key):
    """A key as it was before JSON made its tuples lists."""
    return tuple(_tuple(part) for part in key) if isinstance(key, list) else key


def add_table(
    publication: Publication,
    name: Hashable,
    rows: Sequence[Hashable],
    columns: Sequence[Hashable],
    cells: dict[tuple[Hashable, Hashable], int],
) -> None:
    """A table of counts with its margins: each cell `(name, row, column)`, each row's total
    `(name, row, TOTAL)`, each column's `(name, TOTAL, column)` and the grand total `(name, TOTAL, TOTAL)`.
    The cells are the atoms; missing cells are 0."""
    for row in rows:
        for column in columns:
            atom = publication.atom((name, "cell", row, column), cells.get((row, column), 0))
            publication.count((name, row, column), [atom])
    for row in rows:
        publication.count((name, row, TOTAL), [(name, "cell", row, column) for column in columns])
    for column in columns:
        publication.count((name, TOTAL, column), [(name, "cell", row, column) for row in rows])
    publication.count(
        (name, TOTAL, TOTAL), [(name, "cell", row, column) for row in rows for column in columns]
    )
    for row in [*rows, TOTAL]:
        publication.line((name, row, TOTAL), [(name, row, column) for column in columns])
    for column in [*columns, TOTAL]:
        publication.line((name, TOTAL, column), [(name, row, column) for row in rows])
