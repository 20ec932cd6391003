"""`clusterfund decide-year-in-numbers`: decide what the public year-in-numbers pages hide, ahead of any
visitor, for each council's current academic year (or the one named)."""

import time

from django.core.management.base import BaseCommand, CommandError

from clusterfund.organisations.models import AcademicYear, Council
from clusterfund.reports import exports, figures


class Command(BaseCommand):
    help = (
        "Decide which of the public year-in-numbers figures are hidden and keep the decision, so that the "
        "first visitor after the figures change does not wait for it. Run it from cron, after the day's "
        "meetings; a page decides for itself if it finds no decision for its figures."
    )

    def add_arguments(self, parser):
        parser.add_argument("--council", help="one council's slug or DfE LA code (all councils by default)")
        parser.add_argument("--year", help="the academic year, e.g. 2025/26 (each council's current year)")

    def handle(self, *args, council, year, **options):
        councils = Council.objects.order_by("name")
        if council:
            found = exports.find_council(council)
            if found is None:
                raise CommandError(f"--council: no council has the slug or LA code {council!r}")
            councils = [found]
        for each in councils:
            if year:
                academic_year = exports.find_academic_year(each, year)
                if academic_year is None:
                    raise CommandError(
                        f"--year: {each.name} has no academic year {year!r} (write it like 2025/26)"
                    )
            else:
                academic_year = AcademicYear.objects.filter(council=each).current()
                if academic_year is None:
                    self.stdout.write(f"{each.name}: no current academic year, nothing to decide.")
                    continue
            started = time.perf_counter()
            numbers = figures.year_in_numbers(each, academic_year)
            hidden = sum(1 for figure in numbers.counts.values() if not figure.published)
            self.stdout.write(
                f"{each.name}, {academic_year.name}: {len(numbers.counts)} figures, {hidden} hidden "
                f"({time.perf_counter() - started:.1f} s)."
            )
