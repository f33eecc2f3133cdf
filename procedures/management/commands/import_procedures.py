from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from procedures.services import FORMATS, CatalogueImportError, catalogue_import, guess_format


class Command(BaseCommand):
    help = "Import procedures from a catalogue file (portal JSON or CSV, or the national csdl JSON Lines)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of the file to import")
        parser.add_argument(
            "--format", choices=FORMATS, help="default: from the file name (.csv, .jsonl = csdl, else json)"
        )
        parser.add_argument("--dry-run", action="store_true", help="report what would change, change nothing")
        parser.add_argument("--report", help="also write the per-row report to this file")
        parser.add_argument("--quiet-rows", action="store_true", help="print only rejected rows and the totals")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        fmt = options["format"] or guess_format(path.name)
        try:
            report = catalogue_import(file=path, fmt=fmt, dry_run=options["dry_run"])
        except CatalogueImportError as exc:
            raise CommandError(str(exc)) from exc
        text = report.as_text(verbose=not options["quiet_rows"])
        if options["report"]:
            Path(options["report"]).write_text(report.as_text() + "\n", encoding="utf-8")
        self.stdout.write(text)
        self.stdout.write(_("Import time: %(seconds).1f s") % {"seconds": report.seconds})
        if not report.ok:
            raise CommandError(_("The import was rejected: nothing was changed."))
