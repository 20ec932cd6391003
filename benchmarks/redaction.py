"""How well and how fast the blind-paper redaction reads the test corpus of request paragraphs.

Run from the checkout: `.venv/bin/python benchmarks/redaction.py`. Pure Python, no Django. It prints how many
planted names were caught, how many ordinary words were wrongly removed, the median time per paragraph, the
time to redact 5,000 characters, and the time to build a redactor over every school in the GIAS extract
(Kirklees and Stoke-on-Trent).
"""

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from clusterfund.triage.redaction import TOKENS, KnownNames, Redactor  # noqa: E402
from clusterfund.triage.tests.redaction_corpus import CORPUS, contexts, gias_schools  # noqa: E402

RUNS = 20


def _median_seconds(action, runs: int = RUNS) -> float:
    """The median time of a number of runs, in seconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    redactors = {name: Redactor(names) for name, names in contexts().items()}
    planted = caught = wrong_kind = kept = removed = unexpected = 0
    misses, removals = [], []
    for paragraph in CORPUS:
        found = redactors[paragraph.context].find(paragraph.text)
        marks = paragraph.planted()
        for kind, start, end in marks:
            planted += 1
            covering = [r for r in found if r.start <= start and end <= r.end]
            if covering:
                caught += 1
                wrong_kind += covering[0].token != TOKENS[kind]
            else:
                misses.append(paragraph.text[start:end])
        for word, start, end in paragraph.kept_words():
            kept += 1
            if any(r.start < end and start < r.end for r in found):
                removed += 1
                removals.append(word)
        unexpected += sum(not any(r.start < e and s < r.end for _, s, e in marks) for r in found)

    per_paragraph = [
        _median_seconds(lambda p=p: redactors[p.context].redact(p.text), runs=50) for p in CORPUS
    ]
    long_text = "\n\n".join(p.text for p in CORPUS if p.context == "st_thomas")[:5000]
    five_thousand = _median_seconds(lambda: redactors["st_thomas"].redact(long_text), runs=50)
    every_school = gias_schools()
    build = _median_seconds(lambda: Redactor(KnownNames(schools=every_school)))
    council_redactor = Redactor(KnownNames(schools=every_school, **_people(contexts()["st_thomas"])))
    five_thousand_all = _median_seconds(lambda: council_redactor.redact(long_text), runs=50)

    print(f"paragraphs:                  {len(CORPUS)}")
    print(f"planted names:               {planted}")
    print(f"names caught:                {caught} ({100 * caught / planted:.1f}% recall)")
    print(f"  of which the wrong token:  {wrong_kind}")
    print(f"ordinary words checked:      {kept}")
    print(f"false redactions:            {removed} ({100 * removed / kept:.1f}%)")
    print(f"redactions of nothing known: {unexpected}")
    print(f"known failures in corpus:    {sum(bool(p.known_failure) for p in CORPUS)}")
    if misses:
        print(f"  missed:  {', '.join(repr(m) for m in misses)}")
    if removals:
        print(f"  removed: {', '.join(repr(r) for r in removals)}")
    print(f"time per paragraph:          median {1000 * statistics.median(per_paragraph):.3f} ms")
    print(f"5,000 characters:            {1000 * five_thousand:.2f} ms (one council's schools)")
    print(f"5,000 characters:            {1000 * five_thousand_all:.2f} ms ({len(every_school)} schools)")
    print(f"build a redactor:            {1000 * build:.1f} ms for {len(every_school)} schools")


def _people(names: KnownNames) -> dict:
    return {
        "staff": names.staff,
        "pupils": names.pupils,
        "pupil_references": names.pupil_references,
        "places": names.places,
    }


if __name__ == "__main__":
    main()
