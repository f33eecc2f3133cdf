"""The mock carrier's own HTTP API (what a real carrier exposes), signed like the webhooks."""

from __future__ import annotations

import json
import time

import pytest
from django.urls import reverse

from delivery.carriers import s10
from delivery.carriers.base import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from delivery.models import MockCarrierShipment

pytestmark = pytest.mark.django_db

ORDER = {
    "reference": "REF-1",
    "recipient_name": "Nguyễn Văn An",
    "phone": "+84912345678",
    "address": "12 Lê Lợi, Phường Thuận Hóa, Thành phố Huế",
    "cod_amount": 28000,
    "callback_url": "http://127.0.0.1:9/delivery/webhook/",
}


def signed(client, url, payload, *, secret=None):
    body = json.dumps(payload).encode()
    ts = str(int(time.time()))
    headers = {
        f"HTTP_{TIMESTAMP_HEADER.upper().replace('-', '_')}": ts,
        f"HTTP_{SIGNATURE_HEADER.upper().replace('-', '_')}": sign(body=body, timestamp=ts, secret=secret),
    }
    return client.post(url, data=body, content_type="application/json", **headers)


def test_create_is_idempotent_on_the_reference(client, monkeypatch):
    from delivery import mock_carrier

    monkeypatch.setattr(mock_carrier, "post_webhook", lambda url, body, headers: 0)
    url = reverse("delivery:mock_carrier_create")
    first = signed(client, url, ORDER)
    again = signed(client, url, ORDER)
    assert first.status_code == again.status_code == 201
    assert first.json()["tracking_number"] == again.json()["tracking_number"]
    assert s10.is_valid(first.json()["tracking_number"])
    assert MockCarrierShipment.objects.count() == 1


def test_unsigned_or_bad_orders_are_refused(client):
    url = reverse("delivery:mock_carrier_create")
    assert signed(client, url, ORDER, secret="wrong").status_code == 401
    assert signed(client, url, {"reference": "x"}).status_code == 400
    assert not MockCarrierShipment.objects.exists()


def test_status_and_cancel(client, monkeypatch):
    from delivery import mock_carrier

    monkeypatch.setattr(mock_carrier, "post_webhook", lambda url, body, headers: 0)
    tracking = signed(client, reverse("delivery:mock_carrier_create"), ORDER).json()["tracking_number"]
    status = client.get(reverse("delivery:mock_carrier_status", args=[tracking]))
    assert status.json()["status"] == "accepted"
    cancel_url = reverse("delivery:mock_carrier_cancel", args=[tracking])
    assert signed(client, cancel_url, {}, secret="wrong").status_code == 401
    assert signed(client, cancel_url, {}).json()["status"] == "cancelled"
    assert signed(client, cancel_url, {}).status_code == 409  # nothing follows a cancellation
    assert client.get(reverse("delivery:mock_carrier_status", args=["EB000000005VN"])).status_code == 404


def test_api_is_absent_with_a_real_carrier(client, settings):
    settings.DELIVERY_CARRIER = "some.real.Carrier"
    assert signed(client, reverse("delivery:mock_carrier_create"), ORDER).status_code == 404
    assert client.get(reverse("delivery:mock_carrier_status", args=["EB000000005VN"])).status_code == 404
