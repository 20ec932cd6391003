"""The `clusterfund` command: operational commands with the names the README uses.

`clusterfund import-schools FILE.csv` runs the Django management command `import_schools`, and so on;
anything that is not one of ours is passed to Django's manage.py unchanged.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clusterfund.settings")
    from django.core.management import execute_from_command_line

    if len(argv) > 1 and "-" in argv[1] and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    execute_from_command_line(["clusterfund", *argv[1:]])


if __name__ == "__main__":
    main()
