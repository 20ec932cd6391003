"""Rebuild gias_extract_kirklees_stoke.csv, a GIAS-shaped extract, from kirklees_stoke_schools_jan2019.csv.

GIAS extracts name their columns `URN`, `EstablishmentName`, `LA (code)` and so on. This writes the real
Kirklees and Stoke-on-Trent school rows under those names so that the import is tested on real data.
`TypeOfEstablishment (name)` carries the census school type, and the phase is derived from it.
"""

import csv
from pathlib import Path

HERE = Path(__file__).parent
PHASES = {
    "State-funded primary": "Primary",
    "State-funded secondary": "Secondary",
    "State-funded nursery": "Nursery",
}
COLUMNS = [
    "URN",
    "LA (code)",
    "LA (name)",
    "EstablishmentNumber",
    "EstablishmentName",
    "TypeOfEstablishment (name)",
    "EstablishmentStatus (name)",
    "PhaseOfEducation (name)",
    "Town",
    "Postcode",
]

with (
    open(HERE / "kirklees_stoke_schools_jan2019.csv", newline="", encoding="utf-8") as source,
    open(HERE / "gias_extract_kirklees_stoke.csv", "w", newline="", encoding="utf-8") as target,
):
    writer = csv.DictWriter(target, COLUMNS)
    writer.writeheader()
    for row in csv.DictReader(source):
        writer.writerow(
            {
                "URN": row["urn"],
                "LA (code)": row["la_code"],
                "LA (name)": row["la_name"],
                "EstablishmentNumber": row["estab"],
                "EstablishmentName": row["school_name"],
                "TypeOfEstablishment (name)": row["school_type"],
                "EstablishmentStatus (name)": "Closed" if row["close_date_as_at_2022_07"] else "Open",
                "PhaseOfEducation (name)": PHASES.get(row["school_type"], "Not applicable"),
                "Town": row["town"],
                "Postcode": row["postcode"],
            }
        )
