"""The mock carrier: plays the outside postal service in development and tests.

It keeps its own ledger (``MockCarrierShipment``), issues S10 tracking numbers, moves parcels
through the postal pipeline when told to (command, admin action, or its API), and reports
each move to the portal as a signed webhook over real HTTP, sent by a Celery task that
retries until the portal answers 2xx. Nothing here reads the portal's own delivery tables:
the mock knows only what a carrier would.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
import time
import urllib.error
import urllib.request
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone

from delivery.carriers import s10
from delivery.carriers.base import SIGNATURE_HEADER, TIMESTAMP_HEADER, CarrierError, ShipmentOrder, sign
from delivery.constants import MOCK_ALLOWED, MOCK_NEXT, ShipmentStatus
from delivery.models import MockCarrierEvent, MockCarrierShipment

logger = logging.getLogger(__name__)

TRACKING_PREFIX = "EB"
WEBHOOK_TIMEOUT_SECONDS = 10


class MockCarrierRefused(CarrierError):
    pass


def _new_tracking_number() -> str:
    return s10.make(TRACKING_PREFIX, secrets.randbelow(10**8))


def mock_shipment_create(*, order: ShipmentOrder) -> MockCarrierShipment:
    """Book a parcel; the same reference always gives back the same parcel."""
    existing = MockCarrierShipment.objects.filter(reference=order.reference).first()
    if existing is not None:
        return existing
    for _attempt in range(5):
        try:
            with transaction.atomic():
                shipment = MockCarrierShipment.objects.create(
                    tracking_number=_new_tracking_number(),
                    reference=order.reference,
                    recipient_name=order.recipient_name,
                    address=order.address,
                    phone=order.phone,
                    cod_amount=order.cod_amount,
                    status=ShipmentStatus.ACCEPTED,
                    callback_url=order.callback_url,
                )
                _queue_event(shipment, ShipmentStatus.ACCEPTED)
                return shipment
        except IntegrityError:
            existing = MockCarrierShipment.objects.filter(reference=order.reference).first()
            if existing is not None:
                return existing
    raise MockCarrierRefused("could not allocate a tracking number")


def mock_shipment_advance(*, tracking_number: str, to: str | None = None) -> MockCarrierShipment:
    """Move a parcel one step along the pipeline (or to ``to``) and queue the webhook."""
    with transaction.atomic():
        shipment = MockCarrierShipment.objects.select_for_update().filter(tracking_number=tracking_number).first()
        if shipment is None:
            raise MockCarrierRefused(f"unknown tracking number {tracking_number}")
        target = to or MOCK_NEXT.get(shipment.status)
        if target is None or target not in MOCK_ALLOWED.get(shipment.status, ()):
            raise MockCarrierRefused(f"{tracking_number}: cannot go from {shipment.status} to {target or '-'}")
        shipment.status = target
        shipment.save(update_fields=["status", "updated_at"])
        _queue_event(shipment, target)
    return shipment


def mock_shipment_cancel(*, tracking_number: str) -> MockCarrierShipment:
    return mock_shipment_advance(tracking_number=tracking_number, to=ShipmentStatus.CANCELLED)


def _queue_event(shipment: MockCarrierShipment, status: str) -> MockCarrierEvent:
    event = MockCarrierEvent.objects.create(shipment=shipment, status=status, occurred_at=timezone.now())
    transaction.on_commit(partial(_enqueue_webhook, event.pk))
    return event


def _enqueue_webhook(event_pk: int) -> None:
    from delivery.tasks import send_carrier_webhook

    send_carrier_webhook.delay(event_pk)


def webhook_body(event: MockCarrierEvent) -> bytes:
    return json.dumps(
        {
            "event_id": str(event.event_id),
            "tracking_number": event.shipment.tracking_number,
            "status": event.status,
            "occurred_at": event.occurred_at.isoformat(),
        },
        separators=(",", ":"),
    ).encode()


def post_webhook(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST over HTTP; returns the status code (0 when the portal cannot be reached)."""
    if not url.startswith(("http://", "https://")):
        raise MockCarrierRefused(f"webhook URL must be http(s): {url}")
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - scheme checked
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, OSError) as exc:
        logger.info("mock_carrier webhook url=%s unreachable: %s", url, exc)
        return 0


def mock_webhook_deliver(*, event_pk: int) -> bool:
    """Send one webhook; True once the portal has acknowledged it (then never again)."""
    event = MockCarrierEvent.objects.select_related("shipment").filter(pk=event_pk).first()
    if event is None or event.acknowledged_at is not None:
        return True
    body = webhook_body(event)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(body=body, timestamp=timestamp),
    }
    status = post_webhook(event.shipment.callback_url, body, headers)
    acknowledged = 200 <= status < 300
    MockCarrierEvent.objects.filter(pk=event.pk, acknowledged_at__isnull=True).update(
        attempts=event.attempts + 1,
        acknowledged_at=timezone.now() if acknowledged else None,
        last_error="" if acknowledged else f"HTTP {status or 'unreachable'}",
    )
    logger.info(
        "mock_carrier webhook event=%s tracking=%s status=%s http=%s",
        event.event_id,
        event.shipment.tracking_number,
        event.status,
        status,
    )
    return acknowledged


def mock_webhooks_pending(*, older_than_seconds: int = 60) -> list[int]:
    """Unacknowledged webhooks whose task gave up or never ran (sent again by the sweep)."""
    limit = timezone.now() - dt.timedelta(seconds=older_than_seconds)
    return list(
        MockCarrierEvent.objects.filter(acknowledged_at__isnull=True, occurred_at__lt=limit)
        .order_by("occurred_at")
        .values_list("pk", flat=True)[:500]
    )
