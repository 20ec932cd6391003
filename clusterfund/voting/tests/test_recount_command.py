"""`clusterfund recount`: the one part of the counting tests that goes through Django, to run the command."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from clusterfund.voting import Ballot, Election, Project
from clusterfund.voting.pabulib import read_pabulib_file, write_pabulib

DATA = Path(__file__).parent / "data"


def recount(*args, **options):
    out = io.StringIO()
    call_command("recount", *map(str, args), stdout=out, **options)
    return out.getvalue().splitlines()


def test_recount_prints_the_official_outcome_of_a_real_greedy_election():
    path = DATA / "poland_warszawa_2024_ursynow.pb"
    assert recount(path, rule="greedy") == list(read_pabulib_file(path).selected)


def test_recount_of_a_meeting_export_in_pence_raises_shares_a_pound_at_a_time(tmp_path):
    """£150 between A, B and C: W £100 (A, C), X £40 (A), Y £30 (A, C). Add1 £1 at a time funds Y and W;
    stopping at the first result with nothing more that fits gives Y and X; without completion only Y."""
    projects = [Project("W", 100_00), Project("X", 40_00), Project("Y", 30_00)]
    everything = {"W", "X", "Y"}
    ballots = [
        Ballot("A", everything, everything),
        Ballot("B", set(), everything),
        Ballot("C", {"W", "Y"}, everything),
    ]
    path = tmp_path / "meeting.pb"
    text = write_pabulib(
        Election(projects, ballots, 150_00), meta={"cost_unit": "pence"}, lot=["W", "X", "Y"]
    )
    path.write_text(text, encoding="utf-8")

    assert recount(path, rule="equal-shares") == ["W", "Y"]
    assert recount(path, rule="equal-shares", completion="add1") == ["W", "Y"]
    assert recount(path, rule="equal-shares", completion="add1-exhaustive") == ["X", "Y"]
    assert recount(path, rule="equal-shares", completion="none") == ["Y"]
    assert recount(path, rule="greedy") == ["W", "Y"]


def test_recount_refuses_what_it_cannot_count(tmp_path):
    with pytest.raises(CommandError, match="cannot be read"):
        recount(tmp_path / "missing.pb", rule="greedy")
    scored = tmp_path / "scored.pb"
    scored.write_text(
        "META\nkey;value\nbudget;10\nvote_type;scoring\nPROJECTS\nproject_id;cost\n1;5\nVOTES\n"
    )
    with pytest.raises(CommandError, match="Only approval elections"):
        recount(scored, rule="greedy")
    with pytest.raises(CommandError, match="equal-shares only"):
        recount(DATA / "poland_warszawa_2024_ursynow.pb", rule="greedy", completion="add1")
