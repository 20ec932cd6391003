"""Small-number suppression: primary and secondary, and the recovery test.

The recovery test generates many tables of small numbers (some linked, as the public pages' tables are), lets
`suppression` mark them, keeps only what a page would publish (the published figures, which figures are
"fewer than" and which "not shown") and hands that to an attacker that knows every relation between the
figures. For every hidden figure the attacker searches, over whole numbers, for two different values that
both fit everything published. It must never find a hidden figure with only one possible value.

The attacker here is written independently of the module's own check: it assigns whole-number values to
every hidden atom with bounds propagation and backtracking (not by moving atoms one at a time), and it is
given tighter bounds than a real reader has (no atom above a cap), which can only help it: fewer
possibilities to choose from can only pin more figures.
"""

import json
import random
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clusterfund.reports.suppression import TOTAL, Kind, Mark, Publication, add_table

PRIMARY, SECONDARY, PUBLISHED, WITHHELD = "primary", "secondary", "published", "withheld"


@dataclass
class Seen:
    """A figure as the attacker reads it off the page: the atoms it adds up and what the page says."""

    atoms: list
    mark: str
    value: int | None = None  # only when published


@dataclass
class Attacker:
    """Knows the page's structure (which atoms each figure adds up, and which atom is at most which) and
    what it publishes; tries to pin every hidden figure to one value."""

    threshold: int
    figures: dict = field(default_factory=dict)
    at_most: list = field(default_factory=list)
    floors: list = field(default_factory=list)  # (atoms, least): what the reader knows from elsewhere
    cap: int = 0
    steps: int = 0

    def _constraints(self):
        t = self.threshold
        for key, seen in self.figures.items():
            if seen.mark == PUBLISHED:
                yield key, seen.atoms, seen.value, seen.value
            elif seen.mark == PRIMARY:
                yield key, seen.atoms, 0, t - 1
            elif seen.mark == WITHHELD:
                yield key, seen.atoms, 0, None
            else:
                yield key, seen.atoms, t, None
        for number, (atoms, least) in enumerate(self.floors):
            yield ("floor", number), atoms, least, None

    def solve(self, extra=None, budget=None, near=None):
        """Whole-number atoms, 0 to `cap`, that fit everything published (and `extra`: key, low, high on
        one figure's sum), or None. Bounds propagation to a fixed point, then backtracking on the atom with
        the fewest values left, trying first the values nearest those of `near` (another solution)."""
        constraints = [(atoms, low, high) for _, atoms, low, high in self._constraints()]
        if extra is not None:
            key, low, high = extra
            constraints.append((self.figures[key].atoms, low, high))
        atoms = sorted({atom for atoms_, _, _ in constraints for atom in atoms_}, key=repr)
        pairs = [(low, high) for low, high in self.at_most if low in atoms and high in atoms]

        def propagate(bounds):
            changed = True
            while changed:
                changed = False
                for atoms_, low, high in constraints:
                    least = sum(bounds[atom][0] for atom in atoms_)
                    most = sum(bounds[atom][1] for atom in atoms_)
                    if (high is not None and least > high) or most < low:
                        return False
                    for atom in atoms_:
                        a_low, a_high = bounds[atom]
                        new_high = a_high if high is None else min(a_high, high - (least - a_low))
                        new_low = max(a_low, low - (most - a_high))
                        if new_low > new_high:
                            return False
                        if (new_low, new_high) != (a_low, a_high):
                            bounds[atom] = (new_low, new_high)
                            least += new_low - a_low
                            most += new_high - a_high
                            changed = True
                for smaller, larger in pairs:
                    (s_low, s_high), (l_low, l_high) = bounds[smaller], bounds[larger]
                    if s_high > l_high or l_low < s_low:
                        s_high, l_low = min(s_high, l_high), max(l_low, s_low)
                        if s_low > s_high or l_low > l_high:
                            return False
                        bounds[smaller], bounds[larger] = (s_low, s_high), (l_low, l_high)
                        changed = True
            return True

        steps = [0]

        def search(bounds):
            self.steps += 1
            steps[0] += 1
            if budget is not None and steps[0] > budget:
                raise TimeoutError
            if self.steps > 5_000_000:
                raise RuntimeError("The attacker ran out of time: make the tables smaller")
            if not propagate(bounds):
                return None
            open_atoms = [atom for atom in atoms if bounds[atom][0] < bounds[atom][1]]
            if not open_atoms:
                return {atom: bounds[atom][0] for atom in atoms}
            atom = min(open_atoms, key=lambda a: bounds[a][1] - bounds[a][0])
            low, high = bounds[atom]
            values = range(low, high + 1)
            if near is not None:
                values = sorted(values, key=lambda value: abs(value - near.get(atom, 0)))
            for value in values:
                trial = dict(bounds)
                trial[atom] = (value, value)
                found = search(trial)
                if found is not None:
                    return found
            return None

        return search({atom: (0, self.cap) for atom in atoms})

    def fits(self, solution: dict) -> bool:
        """Whether these atoms give every figure as published (a witness is checked here, on its own)."""
        for _, atoms, low, high in self._constraints():
            total = sum(solution.get(atom, 0) for atom in atoms)
            if total < low or (high is not None and total > high):
                return False
        return all(solution.get(small, 0) <= solution.get(big, 0) for small, big in self.at_most)

    def recovered(self, truth: dict | None = None, witnesses: dict | None = None) -> dict:
        """Every hidden figure the attacker can pin, with its value. Each solution found shows a value of
        every hidden figure at once, so a figure needs a search of its own only while one value is known.
        Given the true atoms, the search starts beside them (they must fit what was published: the labels
        are honest). `witnesses` (figure key: atoms that differ from the truth), such as the suppression's
        own, are tried first, and each is checked here against what was published before it counts; a
        pinned figure is only declared after an exhaustive search."""
        hidden = [key for key, seen in self.figures.items() if seen.mark != PUBLISHED]
        if truth is not None:
            assert self.fits(truth), "the true figures do not fit what the page says: it is not honest"
            first = truth
        else:
            first = self.solve()
        assert first is not None, "what the page published has no solution: its labels are not honest"
        values = {key: set() for key in hidden}

        def note(solution):
            for key in hidden:
                values[key].add(sum(solution[atom] for atom in self.figures[key].atoms))

        note(first)
        pinned = {}
        for key in hidden:
            if len(values[key]) > 1:
                continue
            (known,) = values[key]
            hint = (witnesses or {}).get(key)
            if hint is not None and truth is not None:
                candidate = {**truth, **{atom: value for atom, value in hint.items() if atom in truth}}
                if self.fits(candidate):
                    note(candidate)
                    if len(values[key]) > 1:
                        continue
            extras = [
                extra
                for extra in ((key, known + 1, None), (key, 0, known - 1))
                if extra[2] is None or extra[2] >= extra[1]
            ]
            # A quick look each way first; only a way that is hard to settle is searched to the end.
            for budget in (300, 3_000, 30_000, None):
                for extra in extras:
                    try:
                        other = self.solve(extra, budget, near=first)
                    except TimeoutError:
                        continue
                    if other is not None:
                        assert self.fits(other)
                        note(other)
                        break
                if len(values[key]) > 1:
                    break
            if len(values[key]) == 1:
                pinned[key] = known
        return pinned


def published_view(marks, structure, threshold, at_most=(), cap=None) -> Attacker:
    """What a page publishes, as the attacker sees it: `structure` is {figure key: its atoms}."""
    attacker = Attacker(threshold=threshold, at_most=list(at_most))
    for key, atoms in structure.items():
        figure = marks[key]
        mark = {
            Mark.PUBLISHED: PUBLISHED,
            Mark.PRIMARY: PRIMARY,
            Mark.SECONDARY: SECONDARY,
            Mark.WITHHELD: WITHHELD,
        }[figure.mark]
        attacker.figures[key] = Seen(atoms, mark, figure.value if mark == PUBLISHED else None)
    published = [seen.value for seen in attacker.figures.values() if seen.value is not None]
    attacker.cap = cap if cap is not None else max(published + [threshold]) + threshold
    return attacker


# Generated tables


def table_structure(name, rows, columns):
    structure = {}
    for row in rows:
        for column in columns:
            structure[(name, row, column)] = [(name, "cell", row, column)]
        structure[(name, row, TOTAL)] = [(name, "cell", row, column) for column in columns]
    for column in columns:
        structure[(name, TOTAL, column)] = [(name, "cell", row, column) for row in rows]
    structure[(name, TOTAL, TOTAL)] = [(name, "cell", row, column) for row in rows for column in columns]
    return structure


small = st.integers(min_value=0, max_value=9) | st.integers(min_value=0, max_value=4)


@st.composite
def tables(draw):
    rows = [f"r{n}" for n in range(draw(st.integers(1, 4)))]
    columns = [f"c{n}" for n in range(draw(st.integers(1, 4)))]
    cells = {(row, column): draw(small) for row in rows for column in columns}
    threshold = draw(st.sampled_from([2, 3, 5, 5, 5]))
    return threshold, rows, columns, cells


@st.composite
def linked(draw):
    """Clusters × types × areas of funded requests, support started within them, and money: the shape of
    the public pages, small."""
    clusters = [f"k{n}" for n in range(draw(st.integers(1, 3)))]
    types = [f"t{n}" for n in range(draw(st.integers(1, 2)))]
    areas = [f"a{n}" for n in range(draw(st.integers(1, 2)))]
    funded = {(c, k, a): draw(st.integers(0, 4)) for c in clusters for k in types for a in areas}
    started = {cell: draw(st.integers(0, value)) for cell, value in funded.items()}
    money = {c: draw(st.integers(0, 30)) for c in clusters}
    threshold = draw(st.sampled_from([3, 5]))
    return threshold, clusters, types, areas, funded, started, money


def build_linked(threshold, clusters, types, areas, funded, started, money):
    """The same figures the pages publish, and their structure as a reader knows it."""
    publication = Publication(threshold)
    structure = {}
    at_most = []
    cells = [(c, k, a) for c in clusters for k in types for a in areas]
    for measure, values in (("funded", funded), ("started", started)):
        for cell in cells:
            publication.atom((measure, *cell), values[cell])
    for cell in cells:
        publication.at_most(("started", *cell), ("funded", *cell))
        at_most.append((("started", *cell), ("funded", *cell)))
    for measure in ("funded", "started"):
        for cluster in clusters + [TOTAL]:
            chosen = [cell for cell in cells if cluster in (TOTAL, cell[0])]
            for kind in types:
                structure[(measure, cluster, kind, TOTAL)] = [(measure, *c) for c in chosen if c[1] == kind]
            for area in areas:
                structure[(measure, cluster, TOTAL, area)] = [(measure, *c) for c in chosen if c[2] == area]
            structure[(measure, cluster, TOTAL, TOTAL)] = [(measure, *c) for c in chosen]
    for key, atoms in structure.items():
        publication.count(key, atoms)
    contributors = {c: sum(funded[cell] for cell in cells if cell[0] == c) for c in clusters}
    for cluster in clusters:
        publication.atom(("money", cluster), money[cluster], Kind.AMOUNT)
        publication.amount(("pounds", cluster), [("money", cluster)], contributors=contributors[cluster])
    publication.amount(
        ("pounds", TOTAL), [("money", c) for c in clusters], contributors=sum(contributors.values())
    )
    return publication, structure, at_most


def money_view(marks, clusters, threshold):
    """The money as the attacker sees it, in the same terms as the counts (money is never negative)."""
    attacker = Attacker(threshold=threshold)
    for key in [("pounds", c) for c in clusters] + [("pounds", TOTAL)]:
        atoms = [("money", c) for c in clusters] if key[1] == TOTAL else [("money", key[1])]
        figure = marks[key]
        # Hidden money is any amount from 0 up: its mark says nothing about its size.
        mark = PUBLISHED if figure.published else SECONDARY
        attacker.figures[key] = Seen(atoms, mark, figure.value if figure.published else None)
    attacker.threshold = 0
    published = [seen.value for seen in attacker.figures.values() if seen.value is not None]
    attacker.cap = max(published + [30]) + 30
    return attacker


# The recovery test


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_no_hidden_cell_of_a_table_can_be_recovered(table):
    threshold, rows, columns, cells = table
    publication = Publication(threshold)
    add_table(publication, "t", rows, columns, cells)
    marks = publication.protect()
    structure = table_structure("t", rows, columns)
    assert_primary_rules(marks, threshold)
    truth = {("t", "cell", row, column): value for (row, column), value in cells.items()}
    assert published_view(marks, structure, threshold).recovered(truth) == {}
    assert_no_small_rest(marks, "t", rows, columns, threshold)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(linked())
def test_no_hidden_figure_of_linked_tables_can_be_recovered(case):
    threshold, clusters, *_rest, money = case
    publication, structure, at_most = build_linked(*case)
    marks = publication.protect()
    assert_primary_rules(marks, threshold)
    cap = max([*case[4].values(), 0]) + 1
    truth = {("funded", *cell): value for cell, value in case[4].items()}
    truth.update({("started", *cell): value for cell, value in case[5].items()})
    assert published_view(marks, structure, threshold, at_most, cap=cap).recovered(truth) == {}
    assert money_view(marks, clusters, threshold).recovered() == {}


def test_many_seeded_tables_give_nothing_away():
    """A wider sweep than hypothesis's: 300 tables from a fixed seed, most of their cells small."""
    generator = random.Random(20261201)
    for _ in range(300):
        rows = [f"r{n}" for n in range(generator.randint(1, 4))]
        columns = [f"c{n}" for n in range(generator.randint(1, 4))]
        cells = {
            (row, column): generator.choice([0, 1, 2, 3, 4, 5, 6, 7, 9, 12])
            for row in rows
            for column in columns
        }
        publication = Publication(5)
        add_table(publication, "t", rows, columns, cells)
        marks = publication.protect()
        attacker = published_view(marks, table_structure("t", rows, columns), 5)
        assert attacker.recovered() == {}, (cells, {k: v.mark for k, v in marks.items()})
        assert_no_small_rest(marks, "t", rows, columns, 5)


def assert_no_small_rest(marks, name, rows, columns, threshold):
    """In every row and column whose total is shown, the hidden cells together (the total less the cells
    shown, which a reader can work out) are not a group of 1 to threshold - 1."""
    lines = [((name, row, TOTAL), [(name, row, column) for column in columns]) for row in [*rows, TOTAL]]
    lines += [((name, TOTAL, column), [(name, row, column) for row in rows]) for column in [*columns, TOTAL]]
    for total, parts in lines:
        if not marks[total].published or all(marks[part].published for part in parts):
            continue
        rest = marks[total].value - sum(marks[part].value for part in parts if marks[part].published)
        assert not 0 < rest < threshold, (total, rest)


def assert_primary_rules(marks, threshold):
    for figure in marks.values():
        if figure.kind is Kind.COUNT and figure.value < threshold:
            assert figure.mark in (Mark.PRIMARY, Mark.WITHHELD), figure
        if figure.kind is Kind.AMOUNT and figure.contributors < threshold:
            assert figure.mark in (Mark.PRIMARY, Mark.WITHHELD), figure
        if figure.published:
            assert figure.kind is Kind.AMOUNT or figure.value >= threshold


# The rules, one by one


def test_the_attacker_recovers_a_cell_that_only_primary_suppression_hides():
    """The attacker is not toothless: a row total and one hidden cell give the cell away."""
    attacker = Attacker(threshold=5, cap=20)
    attacker.figures = {
        "a": Seen(["x"], PRIMARY),
        "b": Seen(["y"], PUBLISHED, 7),
        "total": Seen(["x", "y"], PUBLISHED, 9),
    }
    assert attacker.recovered() == {"a": 2}


def test_the_attacker_uses_what_not_shown_says():
    """'Not shown' is 5 or more: with a total of 6, a hidden 1 beside a 'not shown' 5 is still two values
    (0 or 1), but a total of 5 pins both."""
    attacker = Attacker(threshold=5, cap=20)
    attacker.figures = {
        "a": Seen(["x"], PRIMARY),
        "b": Seen(["y"], SECONDARY),
        "total": Seen(["x", "y"], PUBLISHED, 5),
    }
    assert attacker.recovered() == {"a": 0, "b": 5}
    attacker.figures["total"] = Seen(["x", "y"], PUBLISHED, 6)
    assert attacker.recovered() == {}


def test_when_the_marks_say_too_much_the_linked_figures_are_withheld():
    publication = Publication(2)
    add_table(publication, "t", ["a"], ["x", "y"], {("a", "x"): 1, ("a", "y"): 1})
    marks = publication.protect()
    assert {figure.mark for figure in marks.values()} == {Mark.WITHHELD}


def test_zero_is_shown_as_fewer_than_the_threshold():
    publication = Publication(5)
    add_table(publication, "t", ["a", "b"], ["x", "y"], {("a", "x"): 0, ("a", "y"): 8, ("b", "x"): 9})
    marks = publication.protect()
    assert marks[("t", "a", "x")].mark is Mark.PRIMARY
    assert marks[("t", "b", "y")].mark is Mark.PRIMARY  # missing cells are 0


def test_a_lone_small_cell_takes_a_complement_in_its_row_and_column():
    publication = Publication(5)
    cells = {("a", "x"): 3, ("a", "y"): 7, ("a", "z"): 9, ("b", "x"): 12, ("b", "y"): 8, ("b", "z"): 6}
    add_table(publication, "t", ["a", "b"], ["x", "y", "z"], cells)
    marks = publication.protect()
    hidden = {key for key, figure in marks.items() if not figure.published}
    # The cheapest protection: the four corners of a rectangle, and every total stays published.
    assert hidden == {("t", "a", "x"), ("t", "a", "y"), ("t", "b", "x"), ("t", "b", "y")}


def test_no_suppression_when_every_count_is_large():
    publication = Publication(5)
    add_table(
        publication,
        "t",
        ["a", "b"],
        ["x", "y"],
        {key: 10 for key in [("a", "x"), ("a", "y"), ("b", "x"), ("b", "y")]},
    )
    assert all(figure.published for figure in publication.protect().values())


def test_the_same_figure_twice_is_one_figure():
    publication = Publication(5)
    publication.atom("x", 3)
    publication.atom("y", 9)
    publication.count("first", ["x", "y"])
    publication.count("second", ["y", "x"])
    publication.count("x alone", ["x"])
    marks = publication.protect()
    assert marks["first"].mark is marks["second"].mark


def test_money_is_shown_only_over_enough_awards_and_never_left_alone():
    publication = Publication(5)
    for cluster, pence, awards in (("a", 120_00, 2), ("b", 900_00, 9), ("c", 800_00, 7)):
        publication.atom(cluster, pence, Kind.AMOUNT)
        publication.amount(("money", cluster), [cluster], contributors=awards)
    publication.amount(("money", TOTAL), ["a", "b", "c"], contributors=18)
    marks = publication.protect()
    assert marks[("money", "a")].mark is Mark.PRIMARY
    hidden = [key for key, figure in marks.items() if not figure.published]
    assert len(hidden) == 2 and ("money", "c") in hidden  # the cheaper of the two others


def test_the_marks_are_the_same_every_time():
    generator = random.Random(7)
    cells = {(r, c): generator.randint(0, 9) for r in "abc" for c in "xyz"}
    results = []
    for _ in range(3):
        publication = Publication(5)
        add_table(publication, "t", list("abc"), list("xyz"), cells)
        results.append({key: figure.mark for key, figure in publication.protect().items()})
    assert results[0] == results[1] == results[2]


def test_a_threshold_below_one_is_refused():
    with pytest.raises(ValueError):
        Publication(0)


def test_a_kept_decision_gives_the_same_marks_and_witnesses_and_only_for_the_same_figures():
    generator = random.Random(11)
    cells = {(r, c): generator.randint(0, 9) for r in "abc" for c in "xyz"}

    def publication(threshold=5, change=None):
        made = Publication(threshold)
        add_table(made, "t", list("abc"), list("xyz"), {**cells, **(change or {})})
        return made

    decided = publication()
    marks = decided.protect()
    assert any(not figure.published for figure in marks.values())
    kept = json.loads(json.dumps(decided.decision()))  # as the database keeps it
    again = publication()
    assert again.fingerprint() == decided.fingerprint()
    assert again.reuse(kept) == marks
    assert again.witnesses == decided.witnesses
    # Any change to a value, or to the threshold, is another fingerprint: decided afresh, not reused.
    assert publication(change={("a", "x"): cells[("a", "x")] + 1}).fingerprint() != decided.fingerprint()
    assert publication(threshold=4).fingerprint() != decided.fingerprint()
    with pytest.raises(ValueError):
        Publication(5).reuse(kept)


def test_hidden_cells_that_add_up_to_a_small_group_take_another_with_them():
    """Two small cells beside a 7 under a total of 9: neither is pinned, but together they are 2, which the
    total less the 7 gives away. The 7 is hidden too."""
    publication = Publication(5)
    add_table(publication, "t", ["r"], ["a", "b", "c"], {("r", "a"): 1, ("r", "b"): 1, ("r", "c"): 7})
    marks = publication.protect()
    assert not marks[("t", "r", "c")].published
    assert_no_small_rest(marks, "t", ["r"], ["a", "b", "c"], 5)


def test_what_a_reader_knows_from_elsewhere_is_used():
    """Three clusters funded 2, 1 and 2 under a total of 5. From the page alone none is pinned; but a file
    listing the schools funded (2, 1 and 2 of them) says each cluster funded at least that many, and with
    the total that pins all three. Told so, the suppression hides the total."""

    def publication(floors):
        made = Publication(5)
        for cluster, value in (("a", 2), ("b", 1), ("c", 2)):
            made.atom(("x", cluster), value)
            made.count(("funded", cluster), [("x", cluster)])
        made.count(("funded", TOTAL), [("x", c) for c in "abc"])
        if floors:
            for cluster, least in (("a", 2), ("b", 1), ("c", 2)):
                made.at_least([("x", cluster)], least)
        return made

    structure = {("funded", c): [("x", c)] for c in "abc"} | {("funded", TOTAL): [("x", c) for c in "abc"]}
    floors = [([("x", c)], least) for c, least in (("a", 2), ("b", 1), ("c", 2))]
    alone = publication(floors=False).protect()
    assert alone[("funded", TOTAL)].published
    attacker = published_view(alone, structure, 5)
    assert attacker.recovered() == {}
    attacker.floors = floors
    assert set(attacker.recovered()) == {("funded", c) for c in "abc"}, "the floors are worth guarding"
    told = publication(floors=True)
    marks = told.protect()
    assert not marks[("funded", TOTAL)].published
    attacker = published_view(marks, structure, 5)
    attacker.floors = floors
    assert attacker.recovered() == {}
    assert publication(floors=True).fingerprint() != publication(floors=False).fingerprint()
