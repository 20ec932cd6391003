"""`clusterfund generate-large-council`: invent a council at scale in a separate database, for the benchmark.

Run it with DATABASE_URL pointing at a database of its own, e.g.
`DATABASE_URL=sqlite:///large-council.sqlite3 clusterfund generate-large-council --seed 1`.
"""

import datetime
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from clusterfund.demo.large_council import DatabaseNotEmpty, Identity, Scale, generate
from clusterfund.demo.loader import DEMO_PASSWORD


class Command(BaseCommand):
    help = (
        "Invent a council at scale (by default 200 schools in 20 clusters over ten academic years, about "
        "60,000 requests) from a seed, in the database DATABASE_URL names. Refuses a database that holds "
        "other councils unless --force."
    )

    def add_arguments(self, parser):
        defaults, identity = Scale(), Identity()
        parser.add_argument("--seed", type=int, default=1, help="the same seed gives the same council (1)")
        parser.add_argument("--schools", type=int, default=defaults.schools)
        parser.add_argument("--clusters", type=int, default=defaults.clusters)
        parser.add_argument("--years", type=int, default=defaults.years, help="academic years, to this one")
        parser.add_argument("--requests-per-school-year", type=int, default=defaults.requests_per_school_year)
        parser.add_argument("--name", default=identity.name, help="the invented council's name")
        parser.add_argument("--slug", default=identity.slug, help="its slug, the --council of other commands")
        parser.add_argument(
            "--la-code", type=int, default=identity.la_code, help="its DfE LA code: use 990 to 999"
        )
        parser.add_argument(
            "--as-of",
            type=datetime.date.fromisoformat,
            help="the day the council's history runs to, YYYY-MM-DD (today)",
        )
        parser.add_argument(
            "--force", action="store_true", help="write even though the database holds other councils"
        )
        parser.add_argument(
            "--migrate", action="store_true", help="migrate the database first if it needs it"
        )

    def handle(self, *args, **options):
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            if not options["migrate"]:
                raise CommandError(
                    "The database is not migrated: run `clusterfund migrate` with the same DATABASE_URL, "
                    "or add --migrate."
                )
            call_command("migrate", verbosity=0)
        if not 990 <= options["la_code"] <= 999:
            raise CommandError("--la-code: use 990 to 999, codes no English council has")
        scale = Scale(
            schools=options["schools"],
            clusters=options["clusters"],
            years=options["years"],
            requests_per_school_year=options["requests_per_school_year"],
        )
        identity = Identity(name=options["name"], slug=options["slug"], la_code=options["la_code"])
        database = connection.settings_dict["NAME"]
        self.stdout.write(f"Generating {identity.name} into {connection.vendor} database {database}")
        began = time.perf_counter()
        try:
            council = generate(
                seed=options["seed"],
                scale=scale,
                identity=identity,
                as_of=options["as_of"],
                force=options["force"],
                progress=lambda text: self.stdout.write(f"  {text} ({time.perf_counter() - began:.0f} s)"),
            )
        except (DatabaseNotEmpty, ValueError) as error:
            raise CommandError(str(error)) from error
        seconds = time.perf_counter() - began
        self.stdout.write(
            f"Made {council.name} ({council.slug}, LA code {council.la_code}) in {seconds:.0f} s:"
        )
        for model, count in sorted(council.row_counts.items()):
            self.stdout.write(f"  {model:<32} {count:>9,}")
        slug = identity.slug
        self.stdout.write(
            f"Accounts (password for all: {DEMO_PASSWORD}): send.admin@{slug}.example (council admin), "
        )
        self.stdout.write(
            f"  cluster01.admin@{slug}.example (cluster admin), chair01@{slug}.example (chair), "
            f"senco.<URN>@{slug}.example (each school's SENCO)"
        )
