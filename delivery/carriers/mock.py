"""The adapter for the mock carrier.

The mock runs inside this project, so the adapter calls its functions directly where a real
adapter would call the carrier's HTTP API (``/delivery/mock-carrier/api/`` exposes the same
functions over HTTP for demos). Status reports still come back the real way: signed
webhooks over HTTP.
"""

from __future__ import annotations

import datetime as dt
import json

from delivery import mock_carrier
from delivery.carriers.base import Carrier, CarrierError, CarrierEvent, CarrierStatus, ShipmentOrder
from delivery.constants import ShipmentStatus
from delivery.models import MockCarrierShipment


class MockCarrier(Carrier):
    code = "mock"

    def create_shipment(self, order: ShipmentOrder) -> str:
        return mock_carrier.mock_shipment_create(order=order).tracking_number

    def cancel_shipment(self, tracking_number: str) -> None:
        mock_carrier.mock_shipment_cancel(tracking_number=tracking_number)

    def query_status(self, tracking_number: str) -> CarrierStatus:
        shipment = MockCarrierShipment.objects.filter(tracking_number=tracking_number).first()
        if shipment is None:
            raise CarrierError(f"unknown tracking number {tracking_number}")
        return CarrierStatus(tracking_number=tracking_number, status=shipment.status, at=shipment.updated_at)

    def parse_webhook(self, body: bytes) -> CarrierEvent:
        data = json.loads(body)
        status = str(data["status"])
        if status not in ShipmentStatus.values:
            raise ValueError(f"unknown status {status!r}")
        return CarrierEvent(
            event_id=str(data["event_id"])[:64],
            tracking_number=str(data["tracking_number"])[:30],
            status=status,
            occurred_at=dt.datetime.fromisoformat(data["occurred_at"]),
            note=str(data.get("note", ""))[:255],
        )
