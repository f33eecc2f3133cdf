from pathlib import Path

from django.core.management.base import BaseCommand

from delivery.admin_units import admin_units_load


class Command(BaseCommand):
    help = "Load the provinces and wards/communes after the 2025 reorganisation (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, help="A nested JSON file in the vietnam-provinces format.")

    def handle(self, *args, **options):
        result = admin_units_load(path=options.get("file"))
        self.stdout.write(f"Administrative units: {result.provinces} provinces, {result.wards} wards ({result.source})")
