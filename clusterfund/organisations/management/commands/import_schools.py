from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clusterfund.organisations.imports import import_schools
from clusterfund.organisations.management.commands._report import finish


class Command(BaseCommand):
    help = "Create or update schools from a Get Information About Schools (GIAS) CSV extract."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(f"{file} is not a file.")
        finish(self, import_schools(data=file.read_bytes(), acting_user=None))
