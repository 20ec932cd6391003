import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clusterfund.organisations.imports import import_census, parse_census_month
from clusterfund.organisations.management.commands._report import finish


class Command(BaseCommand):
    help = "Record schools' counts from a DfE school census CSV (URN, NOR, TSENELK, TSENELSE, NUMFSM)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--census", required=True, help="the census month, e.g. 2019-01 or 'January 2019'"
        )

    def handle(self, *args, file: Path, census: str, **options):
        if not file.is_file():
            raise CommandError(f"{file} is not a file.")
        try:
            month = parse_census_month(census)
        except ValueError as error:
            raise CommandError(str(error)) from error
        if month > datetime.date.today():
            raise CommandError("The census month must be this month or earlier.")
        finish(
            self,
            import_census(data=file.read_bytes(), census_month=month, acting_user=None, source=file.name),
        )
