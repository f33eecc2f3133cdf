from django.core.management.base import BaseCommand, CommandError

from delivery.constants import ShipmentStatus
from delivery.mock_carrier import MockCarrierRefused, mock_shipment_advance


class Command(BaseCommand):
    help = "Move a mock carrier parcel to its next status (or --to STATUS) and send the webhook."

    def add_arguments(self, parser):
        parser.add_argument("tracking_number")
        parser.add_argument("--to", choices=ShipmentStatus.values, help="The status to move to.")

    def handle(self, *args, **options):
        try:
            shipment = mock_shipment_advance(tracking_number=options["tracking_number"].upper(), to=options["to"])
        except MockCarrierRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{shipment.tracking_number}: {shipment.status}")
