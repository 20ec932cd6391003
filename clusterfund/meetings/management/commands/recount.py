"""`clusterfund recount FILE.pb --rule equal-shares|greedy [--completion add1|add1-exhaustive|none]`.

Recounts any pabulib approval election, one of ours or a published one, with the counting rules the
meetings use, and prints the funded project ids one a line in the file's project order. Anyone holding a
meeting's published `.pb` file can check its result this way. Ties are broken by lower cost, then more
support, then the file's META `lot` (or its project order when it has none). Add1 raises each share by
one unit of the file's costs (£1 when META says `cost_unit;pence`).
"""

from django.core.management.base import BaseCommand, CommandError

from clusterfund.voting.pabulib import PabulibError, read_pabulib_file, recount
from clusterfund.voting.rules import Completion, Rule


class Command(BaseCommand):
    help = "Recount a pabulib approval election (.pb) and print the funded project ids, one a line."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .pb file")
        parser.add_argument("--rule", required=True, choices=[Rule.EQUAL_SHARES.value, Rule.GREEDY.value])
        parser.add_argument(
            "--completion",
            choices=[c.value for c in Completion],
            help="equal shares only: add1 (the default), add1-exhaustive or none",
        )

    def handle(self, *args, file, rule, completion, **options):
        if rule == Rule.GREEDY and completion not in (None, Completion.NONE):
            raise CommandError("--completion applies to equal-shares only")
        try:
            election = read_pabulib_file(file)
        except OSError as error:
            raise CommandError(f"{file}: cannot be read ({error.strerror or error})") from error
        except (PabulibError, UnicodeDecodeError) as error:
            raise CommandError(f"{file}: {error}") from error
        if rule == Rule.GREEDY:
            completion = None
        for project in recount(election, rule=rule, completion=completion):
            self.stdout.write(project)
