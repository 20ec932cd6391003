from django.core.management.base import CommandError


def finish(command, report) -> None:
    """Print an import report; fail with every problem listed when the file was refused."""
    if not report.ok:
        for problem in report.problems:
            command.stderr.write(str(problem))
        raise CommandError(f"{len(report.problems)} problem(s) found; nothing was changed.")
    for line in report.summary():
        command.stdout.write(line)
