"""`clusterfund allocate`: a pot shared over every school in the census, and every way input is refused."""

import csv
import io
from fractions import Fraction
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from clusterfund import cli

CENSUS = Path(__file__).resolve().parents[3] / "data" / "dfe" / "dfe_census_by_school_jan2019.csv"
WEIGHTS = "sen_support=1,ehc_plans=4,free_school_meals=0.5,pupils_on_roll=0.1"
COLUMNS = {
    "pupils_on_roll": "NOR",
    "sen_support": "TSENELK",
    "ehc_plans": "TSENELSE",
    "free_school_meals": "NUMFSM",
}
HEADER = [
    "group",
    "schools",
    "sen_support",
    "ehc_plans",
    "free_school_meals",
    "pupils_on_roll",
    "score",
    "proportional_pence",
    "amount_pence",
    "amount",
    "floor_applied",
    "cap_applied",
]


def allocate(**options) -> tuple[str, str]:
    """Run the command in-process; what it wrote to standard output and to standard error."""
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("allocate", stdout=stdout, stderr=stderr, **options)
    return stdout.getvalue(), stderr.getvalue()


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture(scope="module")
def census_schools() -> list[dict[str, str]]:
    """The census file's schools, read here the plain way to check the command against."""
    with CENSUS.open(encoding="utf-8-sig", newline="") as file:
        return [row for row in csv.DictReader(file) if row["URN"].isdigit()]


@pytest.fixture(scope="module")
def by_la() -> tuple[list[dict[str, str]], str]:
    stdout, stderr = allocate(census=str(CENSUS), pot="500,000,000", weights=WEIGHTS, group_by="la")
    return rows(stdout), stderr


def _count(value: str) -> int:
    return 0 if value in {"NA", "SUPP", "x", ""} else int(value)


def test_an_amount_passed_as_a_float_is_refused():
    with pytest.raises(CommandError, match="--pot: give the amount as text"):
        allocate(census=str(CENSUS), pot=1000.0, weights="sen_support=1", group_by="la")


def test_an_amount_passed_as_a_whole_number_is_pounds():
    stdout, _ = allocate(census=str(CENSUS), pot=1000, weights="sen_support=1", group_by="la")
    assert sum(int(row["amount_pence"]) for row in rows(stdout)) == 100_000


# Every school in England, by local authority --------------------------------------------------------------


def test_by_local_authority_the_amounts_add_up_to_the_pot(by_la):
    table, _ = by_la
    assert sum(int(row["amount_pence"]) for row in table) == 500_000_000 * 100
    assert all(int(row["amount_pence"]) >= 0 for row in table)


def test_by_local_authority_there_is_one_row_for_each_la_code_in_order(by_la, census_schools):
    table, _ = by_la
    codes = {school["LA"] for school in census_schools}
    assert len(table) == len(codes) == 152
    assert [row["group"] for row in table] == sorted(codes, key=int)
    assert sum(int(row["schools"]) for row in table) == len(census_schools) == 23_939


def test_by_local_authority_each_row_shows_its_totals_score_and_amount(by_la, census_schools):
    table, _ = by_la
    assert list(table[0]) == HEADER
    schools_by_la: dict[str, list[dict[str, str]]] = {}
    for school in census_schools:
        schools_by_la.setdefault(school["LA"], []).append(school)
    for row in table:
        schools = schools_by_la[row["group"]]
        assert int(row["schools"]) == len(schools)
        totals = {
            factor: sum(_count(school[column]) for school in schools) for factor, column in COLUMNS.items()
        }
        assert {factor: int(row[factor]) for factor in COLUMNS} == totals
        score = (
            totals["sen_support"]
            + 4 * totals["ehc_plans"]
            + Fraction(1, 2) * totals["free_school_meals"]
            + Fraction(1, 10) * totals["pupils_on_roll"]
        )
        assert Fraction(row["score"]) == score
        assert abs(Fraction(row["proportional_pence"]) - int(row["amount_pence"])) <= 1
        assert row["amount"] == f"{int(row['amount_pence']) // 100}.{int(row['amount_pence']) % 100:02d}"
        assert (
            row["proportional_pence"].split(".")[1].isdigit()
            and len(row["proportional_pence"].split(".")[1]) == 2
        )
        assert (row["floor_applied"], row["cap_applied"]) == ("no", "no")


def test_by_local_authority_the_amounts_follow_the_scores(by_la):
    table, _ = by_la
    total = sum(Fraction(row["score"]) for row in table)
    for row in table:
        exact = Fraction(500_000_000 * 100) * Fraction(row["score"]) / total
        assert abs(exact - int(row["amount_pence"])) < 1
        assert abs(exact - Fraction(row["proportional_pence"])) <= Fraction(1, 200)


def test_the_summary_says_what_was_shared_suppressed_and_skipped(by_la):
    _, stderr = by_la
    assert "152 groups, 23,939 schools, pot £500,000,000.00, allocated £500,000,000.00" in stderr
    assert "2,121 suppressed value(s) (NA, SUPP, x, blank …) counted as 0" in stderr
    assert "TSENELK 47, TSENELSE 49, NUMFSM 1,980, NOR 45" in stderr
    assert "3 row(s) skipped because the URN is not a number" in stderr
    assert "line(s) 23941, 23942, 23943" in stderr


def test_a_floor_and_a_cap_hold_for_every_local_authority(tmp_path):
    out = tmp_path / "shares.csv"
    _, stderr = allocate(
        census=str(CENSUS),
        pot="£500,000,000",
        weights=WEIGHTS,
        group_by="la",
        floor="1,000,000",
        cap="9,000,000.50",
        out=str(out),
    )
    table = rows(out.read_text())
    amounts = [int(row["amount_pence"]) for row in table]
    assert sum(amounts) == 500_000_000 * 100
    assert min(amounts) >= 1_000_000 * 100 and max(amounts) <= 9_000_000_50
    assert {row["floor_applied"] for row in table} == {"yes", "no"}
    assert {row["cap_applied"] for row in table} == {"yes", "no"}
    for row in table:
        if row["floor_applied"] == "yes":
            assert int(row["amount_pence"]) == 1_000_000 * 100
        if row["cap_applied"] == "yes":
            assert int(row["amount_pence"]) == 9_000_000_50
    assert f"written to {out}" in stderr
    assert "The floor lifted" in stderr


def test_any_numeric_column_in_the_file_can_be_a_factor():
    stdout, stderr = allocate(census=str(CENSUS), pot="1000", weights="NUMEAL=1,PSENELK=0", group_by="la")
    table = rows(stdout)
    assert list(table[0])[2:4] == ["NUMEAL", "PSENELK"]
    assert sum(int(row["amount_pence"]) for row in table) == 100_000
    assert "NUMEAL" in stderr.split("counted as 0:")[1]


# A council's own census file, small enough to check by hand ------------------------------------------------


def _write(path: Path, text: str, *, bom: bool = False) -> Path:
    path.write_text(("\ufeff" if bom else "") + text, encoding="utf-8")
    return path


SMALL = (
    "URN,LA,NOR,TSENELK,TSENELSE,NUMFSM,LOCAL\n"
    "1,301,100,10,2,20,1.5\n"
    "2,301,200,x,SUPP,NA,..\n"
    "3,302,50,5,1,,0.25\n"
    "4,302,,,,,\n"
    "NAT,,350,15,3,20,\n"
)


def test_a_small_census_worked_by_hand(tmp_path):
    # 301: 10 + 4 x 2 + 2 x 1.5 = 21; 302: 5 + 4 x 1 + 2 x 0.25 = 9.5. £100 as 21:9.5 is 6885.25 and 3114.75
    # pence: rounded down, 9999, and the penny left goes to 302 (.75 beats .25).
    census = _write(tmp_path / "census.csv", SMALL, bom=True)
    stdout, stderr = allocate(
        census=str(census), pot="100", weights="sen_support=1,ehc_plans=4,LOCAL=2", group_by="la"
    )
    assert stdout == (
        "group,schools,sen_support,ehc_plans,LOCAL,score,proportional_pence,amount_pence,amount,"
        "floor_applied,cap_applied\n"
        "301,2,10,2,1.5,21,6885.25,6885,68.85,no,no\n"
        "302,2,5,1,0.25,9.5,3114.75,3115,31.15,no,no\n"
    )
    assert "2 groups, 4 schools, pot £100.00, allocated £100.00" in stderr
    assert (
        "6 suppressed value(s) (NA, SUPP, x, blank …) counted as 0: TSENELK 2, TSENELSE 2, LOCAL 2." in stderr
    )
    assert (
        "1 row(s) skipped because the URN is not a number (national totals and the like): line(s) 6."
        in stderr
    )


def test_bad_rows_are_listed_with_their_line_numbers_and_nothing_is_written(tmp_path):
    census = _write(
        tmp_path / "census.csv",
        "URN,LA,NOR,TSENELK,TSENELSE,NUMFSM\n"
        "1,301,100,abc,1,2\n"
        "2,301,-3,1,1,1\n"
        "3,,1,1,1,1\n"
        "1,302,1,1,1,1\n"
        "4,302,1\n"
        "5,302,1.5.1,1,1,1\n",
    )
    out = tmp_path / "shares.csv"
    with pytest.raises(CommandError) as refused:
        allocate(census=str(census), pot="100", weights=WEIGHTS, group_by="la", out=str(out))
    assert str(refused.value).splitlines() == [
        f"{census}: 6 bad row(s); nothing was written",
        "line 2: TSENELK is 'abc', not a number (or NA where suppressed)",
        "line 3: NOR is -3, but a count cannot be negative",
        "line 4: LA is blank for URN 3",
        "line 5: URN 1 is already on line 2",
        "line 6: has 3 values, but the header has 6 columns",
        "line 7: NOR is '1.5.1', not a number (or NA where suppressed)",
    ]
    assert list(tmp_path.iterdir()) == [census]


def test_a_refused_run_leaves_an_earlier_output_as_it_was(tmp_path):
    out = _write(tmp_path / "shares.csv", "last year's shares\n")
    census = _write(tmp_path / "census.csv", "URN,LA,NOR,TSENELK,TSENELSE,NUMFSM\n1,301,1,1,1,oops\n")
    with pytest.raises(CommandError, match="line 2: NUMFSM is 'oops'"):
        allocate(census=str(census), pot="100", weights=WEIGHTS, group_by="la", out=str(out))
    assert out.read_text() == "last year's shares\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["census.csv", "shares.csv"]


def test_only_the_first_twenty_bad_rows_are_listed(tmp_path):
    census = _write(
        tmp_path / "census.csv", "URN,LA,TSENELK\n" + "".join(f"{urn},301,?\n" for urn in range(25))
    )
    with pytest.raises(CommandError) as refused:
        allocate(census=str(census), pot="100", weights="sen_support=1", group_by="la")
    lines = str(refused.value).splitlines()
    assert lines[0].endswith("25 bad row(s); nothing was written")
    assert len(lines) == 22 and lines[-1] == "… and 5 more"


# By cluster, from a map the council keeps ------------------------------------------------------------------


def test_by_cluster_only_the_schools_in_the_map_are_counted(tmp_path):
    # North: URNs 100000 and 100001, SEN support 50 + 58 and EHC plans 5 + 0, score 108 + 4 x 5 = 128; South:
    # URN 100002, 14; Empty: no school in the census, 0. Empty gets the £100 floor; sharing the other £900 as
    # 128:14 would give South £88.73, so South gets the floor too and North the £800 left.
    clusters = _write(
        tmp_path / "clusters.csv",
        "URN,cluster\n100000,North\n100001,North\n100002,South\n999999,South\n999998,Empty\n",
        bom=True,
    )
    out = tmp_path / "shares.csv"
    _, stderr = allocate(
        census=str(CENSUS),
        pot="1,000",
        weights="sen_support=1,ehc_plans=4",
        group_by="cluster-file",
        clusters=str(clusters),
        floor="100",
        out=str(out),
    )
    assert out.read_text() == (
        "group,schools,sen_support,ehc_plans,score,proportional_pence,amount_pence,amount,floor_applied,cap_applied\n"
        "Empty,0,0,0,0,0.00,10000,100.00,yes,no\n"
        "North,2,108,5,128,90140.85,80000,800.00,no,no\n"
        "South,1,14,0,14,9859.15,10000,100.00,yes,no\n"
    )
    assert "3 groups, 3 schools, pot £1,000.00, allocated £1,000.00" in stderr
    assert "23,936 census row(s) are not in the cluster map and were not counted." in stderr
    assert "2 URN(s) in the cluster map are not in the census: 999998, 999999." in stderr
    assert "1 cluster(s) have no school in the census: Empty." in stderr
    assert "suppressed" not in stderr


def test_a_cap_the_clusters_with_a_score_cannot_reach_is_refused(tmp_path):
    # Three clusters at £400 could take £1,200, but Empty has no score and stays at the floor of nothing.
    clusters = _write(tmp_path / "clusters.csv", "URN,cluster\n100000,North\n100002,South\n999998,Empty\n")
    with pytest.raises(
        CommandError, match="The formula cannot share this pot: The cap for 2 groups with a score"
    ):
        allocate(
            census=str(CENSUS),
            pot="1000",
            weights="sen_support=1",
            group_by="cluster-file",
            clusters=str(clusters),
            cap="400",
        )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("URN,school\n1,A\n", "needs the columns URN and cluster; its header is URN,school"),
        ("URN,cluster\nabc,North\n", "line 2: URN 'abc' is not a number"),
        ("URN,cluster\n1,North\n2,\n", "line 3: URN 2 has no cluster"),
        ("URN,cluster\n1,North\n1,South\n", "line 3: URN 1 is already in cluster 'North' on line 2"),
        ("URN,cluster\n", "has no schools in it"),
    ],
)
def test_a_bad_cluster_map_is_refused(tmp_path, text, message):
    clusters = _write(tmp_path / "clusters.csv", text)
    with pytest.raises(CommandError, match=message):
        allocate(
            census=str(CENSUS),
            pot="1",
            weights="sen_support=1",
            group_by="cluster-file",
            clusters=str(clusters),
        )


# What is refused, and why -----------------------------------------------------------------------------------

GOOD = {"census": str(CENSUS), "pot": "1,000", "weights": "sen_support=1", "group_by": "la"}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"pot": "abc"},
            "--pot: 'abc' is not an amount in pounds (write it like 2500000, 2,500,000.50 or £1,000)",
        ),
        ({"pot": "2,50,000"}, "--pot: '2,50,000' is not an amount in pounds"),
        ({"pot": "1e6"}, "--pot: '1e6' is not an amount in pounds"),
        ({"pot": ""}, "--pot: '' is not an amount in pounds"),
        (
            {"pot": "1000.001"},
            "--pot: '1000.001' has more than 2 decimal places; amounts are pounds and pence",
        ),
        ({"pot": "-5"}, "--pot: '-5' is negative; an amount must be zero or more"),
        ({"pot": "£-1,000"}, "--pot: '£-1,000' is negative"),
        ({"floor": "ten"}, "--floor: 'ten' is not an amount in pounds"),
        ({"cap": "-1"}, "--cap: '-1' is negative"),
        ({"floor": "20", "cap": "10"}, "--cap (£10.00) is less than --floor (£20.00)"),
        (
            {"floor": "10"},
            "--floor: £10.00 for each of 152 groups needs £1,520.00, more than the pot of £1,000.00",
        ),
        (
            {"cap": "6.50"},
            "--cap: £6.50 for each of 152 groups shares only £988.00, less than the pot of £1,000.00",
        ),
        ({"weights": "sen_support=abc"}, "--weights: 'sen_support=abc' is not a number"),
        ({"weights": "sen_support=nan"}, "--weights: 'sen_support=nan' is not a number"),
        ({"weights": "sen_support=1_0"}, "--weights: 'sen_support=1_0' is not a number"),
        ({"weights": "sen_support"}, "--weights: 'sen_support' is not factor=weight (e.g. sen_support=1)"),
        ({"weights": "=1"}, "--weights: '=1' is not factor=weight"),
        (
            {"weights": "sen_support=-1"},
            "--weights: 'sen_support=-1' is negative; a weight must be zero or more",
        ),
        ({"weights": "sen_support=1,sen_support=2"}, "--weights: 'sen_support' is given twice"),
        ({"weights": " , "}, "--weights: give at least one factor=weight"),
        (
            {"weights": "shoe_size=1"},
            "--weights: 'shoe_size' is not a census factor (pupils_on_roll, sen_support, ehc_plans, "
            "free_school_meals) or a column in",
        ),
        (
            {"weights": "sen_support=0"},
            "The formula cannot share this pot: No group has any of the weighted factors",
        ),
        (
            {"group_by": "cluster-file"},
            "--group-by cluster-file needs --clusters MAP.csv (columns URN,cluster)",
        ),
        ({"clusters": "clusters.csv"}, "--clusters is only used with --group-by cluster-file"),
        ({"group_by": "school"}, "argument --group-by: invalid choice: 'school'"),
        ({"census": "no-such-file.csv"}, "--census: no-such-file.csv is not a file"),
        ({"out": "no-such-folder/shares.csv"}, "--out: the folder no-such-folder does not exist"),
        ({"out": "."}, "--out: . is a folder"),
    ],
)
def test_bad_options_are_refused_saying_exactly_what_is_wrong(options, message):
    with pytest.raises(CommandError) as refused:
        allocate(**{**GOOD, **options})
    assert message in str(refused.value)


@pytest.mark.parametrize("missing", ["pot", "weights", "census", "group_by"])
def test_the_options_the_formula_needs_must_be_given(missing):
    options = {name: value for name, value in GOOD.items() if name != missing}
    with pytest.raises(
        CommandError, match="the following arguments are required: --" + missing.replace("_", "-")
    ):
        allocate(**options)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty: it needs a header row"),
        (b"URN,LA,NOR\n1,301,\xff\n", "line 2 is not UTF-8 text; save the file as CSV UTF-8"),
        (b"URN,NOR,TSENELK\n1,1,1\n", "has no LA column"),
        (b"LA,NOR,TSENELK\n301,1,1\n", "has no URN column"),
        (b"URN,LA,NOR\n1,301,1\n", "has no TSENELK column, which sen_support is read from"),
        (b"URN,LA,TSENELK\nNAT,,1\n", "has no schools to share the pot between"),
    ],
)
def test_a_census_file_that_cannot_be_read_is_refused(tmp_path, data, message):
    census = tmp_path / "census.csv"
    census.write_bytes(data)
    with pytest.raises(CommandError, match=message):
        allocate(**{**GOOD, "census": str(census)})


@pytest.mark.parametrize(
    ("pot", "pence"),
    [("2500000", 250_000_000), ("2,500,000.50", 250_000_050), ("£1,000", 100_000), (" 0.5 ", 50), ("0", 0)],
)
def test_the_pot_is_read_in_pounds_and_shared_in_whole_pence(pot, pence):
    stdout, _ = allocate(**{**GOOD, "pot": pot})
    assert sum(int(row["amount_pence"]) for row in rows(stdout)) == pence


def test_from_the_command_line_a_refusal_exits_non_zero(capsys, tmp_path):
    out = tmp_path / "shares.csv"
    argv = ["clusterfund", "allocate", "--census", str(CENSUS), "--pot", "abc", "--weights", "sen_support=1"]
    with pytest.raises(SystemExit) as exited:
        cli.main([*argv, "--group-by", "la", "--out", str(out), "--skip-checks"])
    assert exited.value.code != 0
    assert "--pot: 'abc' is not an amount in pounds" in capsys.readouterr().err
    assert not out.exists()
