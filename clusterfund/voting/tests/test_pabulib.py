"""Reading and writing pabulib `.pb` files, and recounting real published elections from them."""

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clusterfund.voting import Ballot, Election, Project
from clusterfund.voting.pabulib import (
    PabulibError,
    fingerprint,
    natural_key,
    read_pabulib,
    read_pabulib_file,
    recount,
    write_pabulib,
)
from clusterfund.voting.tests.elections import meetings

DATA = Path(__file__).parent / "data"

# The example on pabulib.org's format page, spaces after the separators and voter columns included.
FORMAT_EXAMPLE = """META
key; value
description; Municipal PB in Wieliczka
country; Poland
unit; Wieliczka
instance; 2020
num_projects; 5
num_votes; 10
budget; 2500
rule; greedy
vote_type; approval
min_length; 1
max_length; 3
PROJECTS
project_id; cost; category
1; 600; culture, education
2; 800; sport
4; 1400; culture
5; 1000; health, sport
7; 1200; education
VOTES
voter_id; age; sex; vote
1; 34; f; 1,2,4
2; 51; m; 1,2
3; 23; m; 2,4,5
4; 19; f; 5,7
5; 62; f; 1,4,7
6; 54; m; 1,7
7; 49; m; 5
8; 27; f; 4
9; 39; f; 2,4,5
10; 44; m; 4,5
"""


def small_meeting():
    """Three schools: S3 submitted R-10, so may not vote on it."""
    projects = [Project("R-2", 1500_00), Project("R-10", 900_00), Project("R-1", 2500_00)]
    ballots = [
        Ballot("S1", {"R-2", "R-10"}, {"R-1", "R-2", "R-10"}),
        Ballot("S3", {"R-1"}, {"R-1", "R-2"}),
        Ballot("S2", set(), {"R-1", "R-2", "R-10"}),
    ]
    return Election(projects=projects, ballots=ballots, budget=4000_00)


MEETING_META = {"description": "Autumn funding meeting; Cluster A", "currency": "GBP", "cost_unit": "pence"}

PUBLIC_EXPORT = '''META
key;value
description;"Autumn funding meeting; Cluster A"
num_projects;3
num_votes;3
budget;400000
vote_type;approval
rule;equalshares/add1
currency;GBP
cost_unit;pence
lot;R-10,R-1,R-2
PROJECTS
project_id;cost;votes;name;selected
R-1;250000;1;"Speech therapy; two terms";1
R-2;150000;1;"The ""quiet room""";0
R-10;90000;1;;1
VOTES
voter_id;vote
V1;R-2,R-10
V2;
V3;R-1
'''


def export(**extra):
    return write_pabulib(
        small_meeting(),
        meta={**MEETING_META, "rule": "equalshares/add1"},
        names={"R-1": "Speech therapy; two terms", "R-2": 'The "quiet room"'},
        selected={"R-1", "R-10"},
        lot=["R-10", "R-1", "R-2"],
        voter_ids={"S1": "V1", "S2": "V2", "S3": "V3"},
        **extra,
    )


def test_reads_the_format_example_from_pabulib_org():
    pb = read_pabulib(FORMAT_EXAMPLE)
    assert pb.meta["budget"] == "2500"
    assert [(p.id, p.cost) for p in pb.election.projects] == [
        ("1", 600),
        ("2", 800),
        ("4", 1400),
        ("5", 1000),
        ("7", 1200),
    ]
    assert pb.election.budget == 2500
    assert len(pb.election.ballots) == 10
    assert pb.election.ballots[2].approves == {"2", "4", "5"}
    assert pb.election.ballots[2].eligible == {"1", "2", "4", "5", "7"}
    assert pb.project_fields["1"]["category"] == "culture, education"
    assert pb.selected is None
    assert pb.lot == ("1", "2", "4", "5", "7")
    assert pb.add1_step == 1
    # greedy by votes: 4 (6 votes, 1400), then 5 (5 votes, 1000) leaves 100, too little for 1, 2 or 7
    assert recount(pb, rule="greedy") == ("4", "5")


def test_the_public_export_is_canonical_text():
    assert export() == PUBLIC_EXPORT


def test_the_export_does_not_depend_on_the_order_things_came_in():
    election = small_meeting()
    shuffled = Election(
        projects=list(reversed(election.projects)),
        ballots=list(reversed(election.ballots)),
        budget=election.budget,
    )
    ours = write_pabulib(election, meta=MEETING_META)
    theirs = write_pabulib(shuffled, meta=dict(reversed(MEETING_META.items())))
    assert ours == theirs
    assert fingerprint(ours) == fingerprint(theirs)
    assert len(fingerprint(ours)) == 64


def test_fingerprint_is_the_sha256_of_the_utf8_text():
    assert fingerprint("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert fingerprint(PUBLIC_EXPORT) != fingerprint(PUBLIC_EXPORT.replace("V3", "V4"))


def test_the_public_export_leaves_eligibility_out_and_the_auditors_keeps_it():
    public = read_pabulib(export())
    assert not public.has_eligibility
    assert public.election.ballots[2].eligible == {"R-1", "R-2", "R-10"}

    text = export(include_eligibility=True)
    assert "voter_id;vote;eligible\nV1;R-2,R-10;R-1,R-2,R-10\nV2;;R-1,R-2,R-10\nV3;R-1;R-1,R-2\n" in text
    audit = read_pabulib(text)
    assert audit.has_eligibility
    assert {b.voter: b.eligible for b in audit.election.ballots}["V3"] == {"R-1", "R-2"}


def test_reading_an_export_gives_back_the_meeting():
    pb = read_pabulib(export(include_eligibility=True))
    assert pb.meta["rule"] == "equalshares/add1"
    assert pb.selected == ("R-1", "R-10")
    assert pb.lot == ("R-10", "R-1", "R-2")
    assert pb.add1_step == 100
    assert pb.project_fields["R-1"]["name"] == "Speech therapy; two terms"
    assert pb.project_fields["R-2"]["name"] == 'The "quiet room"'
    assert {p.id: p.cost for p in pb.election.projects} == {p.id: p.cost for p in small_meeting().projects}
    renamed = {"V1": "S1", "V2": "S2", "V3": "S3"}
    assert {renamed[b.voter]: (b.approves, b.eligible) for b in pb.election.ballots} == {
        b.voter: (b.approves, b.eligible) for b in small_meeting().ballots
    }


@settings(max_examples=150, deadline=None)
@given(meetings(), st.booleans(), st.text(alphabet='ab;" \n,é', max_size=12))
def test_any_meeting_survives_writing_and_reading(meeting, eligibility, name):
    election, lot = meeting
    names = {p.id: name for p in election.projects}
    text = write_pabulib(election, names=names, lot=lot, include_eligibility=eligibility)
    pb = read_pabulib(text)

    assert {p.id: p.cost for p in pb.election.projects} == {p.id: p.cost for p in election.projects}
    assert pb.election.budget == election.budget
    assert {b.voter: b.approves for b in pb.election.ballots} == {
        b.voter: b.approves for b in election.ballots
    }
    if eligibility:
        assert {b.voter: b.eligible for b in pb.election.ballots} == {
            b.voter: b.eligible for b in election.ballots
        }
    assert list(pb.lot) == lot
    assert all(fields["name"] == " ".join(name.split()) for fields in pb.project_fields.values())
    assert write_pabulib(pb.election, names=names, lot=lot, include_eligibility=eligibility) == text


def test_natural_order_puts_numbers_in_order():
    ids = ["R-10", "R-2", "R-1", "A", "R-02", "10", "9"]
    random.Random(1).shuffle(ids)
    assert sorted(ids, key=natural_key) == ["9", "10", "A", "R-1", "R-02", "R-2", "R-10"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace("vote_type;approval", "vote_type;cumulative"), "Only approval elections"),
        (lambda t: t.replace("budget;400000\n", ""), "no budget"),
        (lambda t: t.replace("budget;400000", "budget;4000.50"), "whole number"),
        (lambda t: t.replace("R-10;90000", "R-10;0"), "costs nothing"),
        (lambda t: t.replace("R-10;90000", "R-1;90000"), "same project_id"),
        (lambda t: t.replace("V3;R-1", "V3;R-99"), "unknown projects"),
        (lambda t: t.replace("V3;R-1", "V1;R-1"), "same voter id"),
        (lambda t: t.replace("lot;R-10,R-1,R-2", "lot;R-10,R-1"), "lot must list"),
        (lambda t: t[: t.index("VOTES")], "no VOTES section"),
        (lambda t: "hello\n" + t, "start with a META section"),
        (lambda t: t.replace("voter_id;vote", "voter;vote"), "voter_id and vote"),
    ],
)
def test_files_that_are_not_approval_elections_are_refused(change, message):
    with pytest.raises(PabulibError, match=message):
        read_pabulib(change(PUBLIC_EXPORT))


def test_writing_refuses_what_it_works_out_itself_and_clashing_voter_ids():
    with pytest.raises(ValueError, match="worked out from the election"):
        write_pabulib(small_meeting(), meta={"budget": "1"})
    with pytest.raises(ValueError, match="same voter id"):
        write_pabulib(small_meeting(), voter_ids={"S1": "V", "S2": "V", "S3": "W"})
    with pytest.raises(ValueError, match="lot must list"):
        write_pabulib(small_meeting(), lot=["R-1"])


def test_an_empty_selected_column_is_no_official_outcome():
    text = PUBLIC_EXPORT.replace(";1\n", ";\n").replace(";0\n", ";\n")
    assert read_pabulib(text).selected is None


def test_our_rules_recount_our_own_export_the_same_way():
    """The meeting counted from the election and from its published file gives the same result."""
    from clusterfund.voting import count

    text = export()
    pb = read_pabulib(text)
    direct = count(small_meeting(), rule="equal-shares", lot=["R-10", "R-1", "R-2"])
    assert recount(pb, rule="equal-shares") == tuple(p for p in ("R-1", "R-2", "R-10") if p in direct.funded)


# Real published elections ----------------------------------------------------------------------------------

RULES = {"greedy": ("greedy", None), "equalshares/add1": ("equal-shares", "add1")}
REAL = sorted(DATA.glob("*.pb"))


def test_the_real_elections_are_there():
    assert len(REAL) >= 2


@pytest.mark.parametrize("path", REAL, ids=[path.stem for path in REAL])
def test_recount_reproduces_the_official_outcome(path):
    pb = read_pabulib_file(path)
    assert pb.selected, "a real election file used here must record its official outcome"
    rule = pb.meta.get("rule", "")
    if rule not in RULES:
        pytest.skip(f"the official count used {rule!r}, which is not one of our rules")
    ours, completion = RULES[rule]
    assert recount(pb, rule=ours, completion=completion) == pb.selected


def test_wieliczka_was_not_counted_with_the_stop_at_the_first_exhaustive_result():
    """pabutools' default Add1 stops at the first result with nothing more that fits: 66 and 67, not 46."""
    pb = read_pabulib_file(DATA / "poland_wieliczka_2023_green-budget.pb")
    funded = set(recount(pb, rule="equal-shares", completion="add1-exhaustive"))
    assert funded ^ set(pb.selected) == {"46", "66", "67"}
