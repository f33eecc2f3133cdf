from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from procedures.services import catalogue_load_bundled


class Command(BaseCommand):
    help = "Load the bundled province catalogue (procedures/data/catalogue.json); safe to run again."

    def handle(self, *args, **options):
        report = catalogue_load_bundled()
        self.stdout.write(report.as_text(verbose=False))
        if not report.ok:
            raise CommandError(_("The import was rejected: nothing was changed."))
