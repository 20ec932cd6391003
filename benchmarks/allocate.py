"""How long `clusterfund allocate` takes to share a pot over every school in England's January 2019 census.

Run from the checkout: `.venv/bin/python benchmarks/allocate.py`. It runs the command in-process 20 times
(grouped by local authority, £500,000,000 by SEN support, EHC plans, free school meals and pupils on roll),
then once more as a separate process, as a council would run it.
"""

import csv
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[1]
CENSUS = ROOT / "data" / "dfe" / "dfe_census_by_school_jan2019.csv"
POT = "500,000,000"
POT_PENCE = 500_000_000 * 100
WEIGHTS = "sen_support=1,ehc_plans=4,free_school_meals=0.5,pupils_on_roll=0.1"
RUNS = 20


def in_process() -> tuple[float, list[dict[str, str]]]:
    """One run through call_command: seconds taken, and the table it wrote."""
    from django.core.management import call_command

    stdout, stderr = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    call_command(
        "allocate", census=str(CENSUS), pot=POT, weights=WEIGHTS, group_by="la", stdout=stdout, stderr=stderr
    )
    seconds = time.perf_counter() - started
    return seconds, list(csv.DictReader(io.StringIO(stdout.getvalue())))


def as_a_process() -> float:
    """One run of `.venv/bin/clusterfund allocate` in its own process, Django start-up and all."""
    command = ROOT / ".venv" / "bin" / "clusterfund"
    if not command.exists():
        command = Path(sys.executable).parent / "clusterfund"
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "shares.csv"
        argv = [str(command), "allocate", "--census", str(CENSUS), "--pot", POT, "--weights", WEIGHTS]
        started = time.perf_counter()
        subprocess.run(
            [*argv, "--group-by", "la", "--out", str(out)], check=True, capture_output=True, cwd=ROOT
        )
        seconds = time.perf_counter() - started
        with out.open(newline="") as file:
            total = sum(int(row["amount_pence"]) for row in csv.DictReader(file))
    if total != POT_PENCE:
        raise SystemExit(f"The separate process allocated {total} pence, not the pot of {POT_PENCE}")
    return seconds


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clusterfund.settings")
    django.setup()
    timings = []
    for _ in range(RUNS):
        seconds, table = in_process()
        timings.append(seconds)
        if sum(int(row["amount_pence"]) for row in table) != POT_PENCE:
            raise SystemExit("The shares do not add up to the pot")
    print(f"census:         {CENSUS.relative_to(ROOT)}")
    print(f"schools read:   {sum(int(row['schools']) for row in table):,}")
    print(f"groups:         {len(table)} local authorities")
    print(f"pot:            £{POT}, every penny allocated")
    print(f"in-process x{RUNS}: median {statistics.median(timings):.3f} s, ", end="")
    print(f"min {min(timings):.3f} s, max {max(timings):.3f} s per run")
    print(f"separate process: {as_a_process():.3f} s for one full run (Python and Django start-up included)")


if __name__ == "__main__":
    main()
