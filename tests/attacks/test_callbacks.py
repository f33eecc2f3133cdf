"""Tampered and replayed callbacks: the payment IPN and the carrier's webhook."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from delivery import services as delivery_services
from delivery.constants import ShipmentStatus
from delivery.models import ShipmentEvent
from payments.constants import PaymentState
from payments.models import Payment, Receipt
from tests.applications.factories import SubmittedDossierFactory
from tests.delivery.conftest import carrier_http, confirmed_request, tariff, units  # noqa: F401 - fixtures
from tests.delivery.helpers import signed_post
from tests.payments.factories import forged, ipn_params, paid_through_mock

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(citizen):
    dossier = SubmittedDossierFactory(citizen=citizen, fee_amount=50000)
    return paid_through_mock(dossier=dossier, actor=citizen)


def _ipn(client, params) -> str:
    return client.get(reverse("payments:ipn"), params).json()["RspCode"]


def test_ipn_with_a_bad_signature_gets_97(client, pending):
    payment, txn = pending
    params = ipn_params(txn)
    params["vnp_Amount"] = "100"  # the attacker pays 1 đồng and keeps the old signature
    assert _ipn(client, params) == "97"
    assert Payment.objects.get(pk=payment.pk).state == PaymentState.PENDING


def test_ipn_replayed_after_the_window_is_refused(client, pending):
    payment, txn = pending
    assert _ipn(client, ipn_params(txn, now=timezone.now() - dt.timedelta(minutes=30))) == "99"
    assert Payment.objects.get(pk=payment.pk).state == PaymentState.PENDING


def test_ipn_replayed_after_success_is_acknowledged_02_and_settles_once(client, pending):
    payment, txn = pending
    params = ipn_params(txn)
    assert _ipn(client, params) == "00"
    assert _ipn(client, params) == "02"
    # A re-signed "failure" for the same payment (as if the gateway were confused) changes nothing.
    assert _ipn(client, forged(ipn_params(txn), vnp_ResponseCode="51", vnp_TransactionStatus="02")) == "02"
    assert Payment.objects.get(pk=payment.pk).state == PaymentState.SUCCEEDED
    assert Receipt.objects.filter(payment=payment).count() == 1


def test_ipn_for_a_wrong_amount_gets_04(client, pending):
    payment, txn = pending
    params = forged(ipn_params(txn), vnp_Amount=str(100 * 100))
    assert _ipn(client, params) == "04"
    assert Payment.objects.get(pk=payment.pk).state == PaymentState.PENDING


@pytest.fixture
def shipment(confirmed_request, carrier_http):  # noqa: F811 - the imported fixture
    return delivery_services.delivery_dispatch_processed(dossier_id=confirmed_request.dossier_id)


def _status(shipment):
    shipment.refresh_from_db()
    return shipment.status, ShipmentEvent.objects.count()


def test_webhook_with_a_bad_signature_is_401(client, shipment):
    assert signed_post(client, tracking=shipment.tracking_number, status="picked_up", tamper=True).status_code == 401
    assert signed_post(client, tracking=shipment.tracking_number, status="picked_up", secret="guess").status_code == 401
    assert _status(shipment) == (ShipmentStatus.CREATED, 0)


def test_webhook_with_a_stale_timestamp_is_refused(client, shipment):
    stale = int(time.time()) - 3600
    response = signed_post(client, tracking=shipment.tracking_number, status="delivered", timestamp=stale)
    assert response.status_code == 401
    future = int(time.time()) + 3600
    assert (
        signed_post(client, tracking=shipment.tracking_number, status="delivered", timestamp=future).status_code == 401
    )
    assert _status(shipment) == (ShipmentStatus.CREATED, 0)


def test_duplicate_webhook_event_changes_nothing(client, shipment):
    first = signed_post(client, tracking=shipment.tracking_number, status="in_transit", event_id="evt-9")
    again = signed_post(client, tracking=shipment.tracking_number, status="delivered", event_id="evt-9")
    assert first.status_code == again.status_code == 200
    assert again.json()["duplicate"] is True
    assert _status(shipment) == (ShipmentStatus.IN_TRANSIT, 1)
