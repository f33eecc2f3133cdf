"""The interface between the portal and a postal carrier.

A real adapter (VNPost, Viettel Post...) implements ``Carrier`` over the carrier's API; the
portal only ever talks to ``get_carrier()``. The adapter is chosen by the setting
``DELIVERY_CARRIER`` (a dotted path) and signs or verifies with ``DELIVERY_CARRIER_SECRET``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

SIGNATURE_HEADER = "X-Carrier-Signature"
TIMESTAMP_HEADER = "X-Carrier-Timestamp"
# A signed webhook older (or further in the future) than this is refused as a possible replay.
MAX_WEBHOOK_AGE_SECONDS = 300


class CarrierError(Exception):
    """The carrier refused or could not be reached; the caller may retry later."""


class WebhookRejected(Exception):  # noqa: N818 - the name says what the caller answers
    """A webhook whose signature, timestamp or body cannot be trusted (answered 401)."""


@dataclass(frozen=True)
class ShipmentOrder:
    reference: str  # ours, unique: creating twice with one reference returns the same parcel
    recipient_name: str
    phone: str
    address: str
    province_code: str
    ward_code: str
    weight_class: str
    cod_amount: int
    callback_url: str


@dataclass(frozen=True)
class CarrierStatus:
    tracking_number: str
    status: str
    at: dt.datetime


@dataclass(frozen=True)
class CarrierEvent:
    event_id: str
    tracking_number: str
    status: str
    occurred_at: dt.datetime
    note: str = ""


class Carrier(ABC):
    code: str = ""

    @abstractmethod
    def create_shipment(self, order: ShipmentOrder) -> str:
        """Book the parcel; return its tracking number. Idempotent on ``order.reference``."""

    @abstractmethod
    def cancel_shipment(self, tracking_number: str) -> None:
        """Cancel a parcel not yet picked up; raise CarrierError otherwise."""

    @abstractmethod
    def query_status(self, tracking_number: str) -> CarrierStatus:
        """Ask the carrier where the parcel is (for reconciliation)."""

    @abstractmethod
    def parse_webhook(self, body: bytes) -> CarrierEvent:
        """Read a webhook body already verified by ``verify_webhook``."""

    def verify_webhook(self, *, body: bytes, headers: Mapping[str, str], now: float | None = None) -> CarrierEvent:
        """Check the signature and the timestamp, then read the event."""
        verify_signature(body=body, headers=headers, now=now)
        try:
            return self.parse_webhook(body)
        except (ValueError, KeyError, TypeError) as exc:
            raise WebhookRejected("unreadable body") from exc


def verify_signature(*, body: bytes, headers: Mapping[str, str], now: float | None = None) -> None:
    """The HMAC over the timestamp and the exact raw body, compared in constant time, then the
    timestamp's age (a replay of an old, validly signed request is refused)."""
    if not settings.DELIVERY_CARRIER_SECRET:
        raise WebhookRejected("DELIVERY_CARRIER_SECRET is not set: every webhook is refused")
    timestamp = headers.get(TIMESTAMP_HEADER, "")
    signature = headers.get(SIGNATURE_HEADER, "")
    if not timestamp or not signature:
        raise WebhookRejected("signature or timestamp header missing")
    expected = sign(body=body, timestamp=timestamp)
    if not hmac.compare_digest(expected, signature.strip().lower()):
        raise WebhookRejected("bad signature")
    try:
        sent_at = int(timestamp)
    except ValueError as exc:
        raise WebhookRejected("bad timestamp") from exc
    now = time.time() if now is None else now
    if abs(now - sent_at) > MAX_WEBHOOK_AGE_SECONDS:
        raise WebhookRejected("stale timestamp")


def sign(*, body: bytes, timestamp: str, secret: str | None = None) -> str:
    key = (secret if secret is not None else settings.DELIVERY_CARRIER_SECRET).encode()
    return hmac.new(key, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def get_carrier() -> Carrier:
    return import_string(settings.DELIVERY_CARRIER)()
