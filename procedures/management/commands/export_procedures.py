import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from procedures.services import catalogue_export


class Command(BaseCommand):
    help = "Export the catalogue in the portal's format (docs/catalogue-format.md)."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=("json", "csv"), default="json")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")
        parser.add_argument("--no-source", action="store_true", help="leave out the national source records")

    def handle(self, *args, **options):
        text = catalogue_export(fmt=options["format"], include_source=not options["no_source"])
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
