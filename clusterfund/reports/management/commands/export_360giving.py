"""`clusterfund export-360giving`: write a council's cluster funding for one academic year as 360Giving
open data, JSON or the standard's flat CSV."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clusterfund.reports import exports


class Command(BaseCommand):
    help = (
        "Write a council's grants to schools for one academic year in the 360Giving Data Standard: "
        "one grant per school, summed over its awards."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--council", required=True, help="the council's slug or DfE LA code, e.g. kirklees or 382"
        )
        parser.add_argument("--year", required=True, help="the academic year, e.g. 2025/26")
        parser.add_argument("--output", required=True, help="the file to write")
        parser.add_argument(
            "--format", choices=["json", "csv"], help="json (the default) or csv; a .csv output means csv"
        )

    def handle(self, *args, council, year, output, format, **options):
        found = exports.find_council(council)
        if found is None:
            raise CommandError(f"--council: no council has the slug or LA code {council!r}")
        academic_year = exports.find_academic_year(found, year)
        if academic_year is None:
            raise CommandError(f"--year: {found.name} has no academic year {year!r} (write it like 2025/26)")
        try:
            package = exports.grants_package(council=found, academic_year=academic_year)
        except exports.NothingToPublish as error:
            raise CommandError(str(error)) from error
        path = Path(output)
        file_format = format or ("csv" if path.suffix.lower() == ".csv" else "json")
        text = exports.grants_csv(package) if file_format == "csv" else exports.package_json(package)
        try:
            path.write_text(text, encoding="utf-8", newline="")
        except OSError as error:
            raise CommandError(f"--output: cannot write {output}: {error.strerror}") from error
        self.stdout.write(
            f"Wrote {len(package['grants'])} grants from {found.name} for {academic_year.name} to {output} "
            f"({file_format.upper()}, {exports.licence_name(found.open_data_licence)})."
        )
