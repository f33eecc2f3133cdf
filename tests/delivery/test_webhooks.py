"""Refused, duplicated and out-of-order reports from the carrier."""

from __future__ import annotations

import time

import pytest

from applications.constants import DossierState
from delivery import services
from delivery.constants import ShipmentStatus
from delivery.models import Shipment, ShipmentEvent
from tests.delivery.helpers import signed_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipment(confirmed_request, carrier_http):
    # on_commit does not run here: the "accepted" webhook is not sent, the tests send theirs.
    return services.delivery_dispatch_processed(dossier_id=confirmed_request.dossier_id)


def state_of(shipment):
    shipment.refresh_from_db()
    shipment.dossier.refresh_from_db()
    return shipment.status, shipment.dossier.state, ShipmentEvent.objects.count()


def test_good_webhook_moves_the_shipment(client, shipment):
    response = signed_post(client, tracking=shipment.tracking_number, status="picked_up")
    assert response.status_code == 200 and response.json()["applied"] is True
    assert state_of(shipment) == (ShipmentStatus.PICKED_UP, DossierState.PROCESSED, 1)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"secret": "not-the-secret"},
        {"tamper": True},
        {"age": 301},
        {"age": -310},
    ],
    ids=["bad-signature", "tampered-body", "stale-timestamp", "future-timestamp"],
)
def test_untrusted_webhook_is_refused_and_changes_nothing(client, shipment, kwargs):
    if "age" in kwargs:
        kwargs = {"timestamp": int(time.time()) - kwargs["age"]}
    response = signed_post(client, tracking=shipment.tracking_number, status="out_for_delivery", **kwargs)
    assert response.status_code == 401
    assert state_of(shipment) == (ShipmentStatus.CREATED, DossierState.PROCESSED, 0)


def test_missing_signature_is_refused(client, shipment):
    response = client.post("/delivery/webhook/", data=b"{}", content_type="application/json")
    assert response.status_code == 401


def test_empty_secret_refuses_everything(client, shipment, settings):
    settings.DELIVERY_CARRIER_SECRET = ""
    response = signed_post(client, tracking=shipment.tracking_number, status="picked_up", secret="")
    assert response.status_code == 401


def test_unknown_shipment_is_404_and_changes_nothing(client, shipment):
    response = signed_post(client, tracking="EB000000005VN", status="delivered")
    assert response.status_code == 404
    assert state_of(shipment) == (ShipmentStatus.CREATED, DossierState.PROCESSED, 0)


def test_webhook_accepts_post_only(client):
    assert client.get("/delivery/webhook/").status_code == 405


def test_duplicate_is_acknowledged_and_changes_nothing(client, shipment):
    first = signed_post(client, tracking=shipment.tracking_number, status="in_transit", event_id="evt-1")
    # The same event again, even one claiming another status, is recognised by its id.
    again = signed_post(client, tracking=shipment.tracking_number, status="delivered", event_id="evt-1")
    assert first.status_code == again.status_code == 200
    assert again.json()["duplicate"] is True
    assert state_of(shipment) == (ShipmentStatus.IN_TRANSIT, DossierState.PROCESSED, 1)


def test_out_of_order_reports_never_move_backwards(client, shipment):
    signed_post(
        client, tracking=shipment.tracking_number, status="out_for_delivery", occurred_at="2026-11-29T11:00:00+07:00"
    )
    late = signed_post(
        client, tracking=shipment.tracking_number, status="picked_up", occurred_at="2026-11-29T09:00:00+07:00"
    )
    assert late.status_code == 200 and late.json()["applied"] is False
    assert state_of(shipment)[0] == ShipmentStatus.OUT_FOR_DELIVERY
    statuses = list(ShipmentEvent.objects.values_list("status", "applied"))
    assert statuses == [("picked_up", False), ("out_for_delivery", True)]  # the timeline keeps both, in time order


def test_nothing_moves_after_an_end_state(client, shipment):
    signed_post(client, tracking=shipment.tracking_number, status="delivered")
    signed_post(client, tracking=shipment.tracking_number, status="returned_to_sender")
    assert state_of(shipment)[:2] == (ShipmentStatus.DELIVERED, DossierState.DELIVERED)


def test_delivered_after_counter_handover_keeps_the_dossier(client, shipment):
    from applications.services import dossier_deliver

    dossier_deliver(dossier=shipment.dossier, actor=None, channel="post")
    response = signed_post(client, tracking=shipment.tracking_number, status="delivered")
    assert response.status_code == 200
    assert Shipment.objects.get().status == ShipmentStatus.DELIVERED
