"""The whole parcel life over the mock carrier, its webhooks signed and posted to the portal."""

from __future__ import annotations

import importlib.util
import logging

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from applications.constants import DossierState
from applications.models import DossierEvent
from delivery import services
from delivery.carriers import s10
from delivery.constants import ShipmentStatus
from delivery.models import MockCarrierEvent, MockCarrierShipment, Shipment
from delivery.tasks import dispatch_processed_dossiers
from tests.applications.factories import ValidatedDossierFactory
from tests.delivery.factories import DeliveryRequestFactory
from tests.delivery.helpers import client_transport

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(confirmed_request, carrier_http, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        shipment = services.delivery_dispatch_processed(dossier_id=confirmed_request.dossier_id)
    return shipment


def advance(tracking, to=None, *, capture):
    with capture(execute=True):
        if to:
            call_command("advance_shipment", tracking, to=to)
        else:
            call_command("advance_shipment", tracking)


def test_dispatch_books_a_parcel_with_an_s10_number_once(booked, confirmed_request, carrier_http):
    assert s10.is_valid(booked.tracking_number) and booked.tracking_number.startswith("EB")
    assert booked.tracking_number.endswith("VN")
    assert booked.agency == confirmed_request.dossier.agency
    again = services.delivery_dispatch_processed(dossier_id=confirmed_request.dossier_id)
    assert again.pk == booked.pk
    assert Shipment.objects.count() == 1 and MockCarrierShipment.objects.count() == 1
    # The carrier's "accepted" report came back through the signed webhook.
    booked.refresh_from_db()
    assert booked.status == ShipmentStatus.ACCEPTED
    assert carrier_http == [200]


def test_dispatch_tells_the_citizen_the_tracking_number(
    confirmed_request, carrier_http, caplog, django_capture_on_commit_callbacks
):
    with caplog.at_level(logging.INFO), django_capture_on_commit_callbacks(execute=True):
        shipment = services.delivery_dispatch_processed(dossier_id=confirmed_request.dossier_id)
    if importlib.util.find_spec("portal.notifications") is None:
        assert any(
            "shipment_dispatched" in r.getMessage() and shipment.tracking_number in r.getMessage()
            for r in caplog.records
        )
    else:
        from portal.notifications.models import Notification

        assert Notification.objects.filter(
            event="shipment_dispatched", recipient=confirmed_request.dossier.citizen
        ).exists()


def test_happy_path_reaches_delivered_and_closes_the_dossier(booked, carrier_http, django_capture_on_commit_callbacks):
    for status in ["picked_up", "in_transit", "out_for_delivery", "delivered"]:
        advance(booked.tracking_number, capture=django_capture_on_commit_callbacks)
        booked.refresh_from_db()
        assert booked.status == status
    dossier = booked.dossier
    dossier.refresh_from_db()
    assert dossier.state == DossierState.DELIVERED
    assert dossier.delivery_channel == "post"
    event = DossierEvent.objects.get(dossier=dossier, action="delivered")
    assert event.actor is None and booked.tracking_number in event.note
    assert list(booked.events.values_list("status", flat=True)) == [
        "accepted",
        "picked_up",
        "in_transit",
        "out_for_delivery",
        "delivered",
    ]
    assert carrier_http == [200] * 5
    assert not MockCarrierEvent.objects.filter(acknowledged_at__isnull=True).exists()


def test_returned_parcel_tells_citizen_and_official(
    booked, carrier_http, official_of, caplog, django_capture_on_commit_callbacks
):
    official = official_of(booked.dossier)
    for to in ["picked_up", "in_transit", "out_for_delivery", "failed_attempt", "returned_to_sender"]:
        advance(booked.tracking_number, to, capture=django_capture_on_commit_callbacks)
    booked.refresh_from_db()
    assert booked.status == ShipmentStatus.RETURNED_TO_SENDER
    booked.dossier.refresh_from_db()
    assert booked.dossier.state == DossierState.PROCESSED  # the result waits at the counter
    if importlib.util.find_spec("portal.notifications") is None:
        record = next(r for r in caplog.records if "shipment_returned" in r.getMessage())
        assert record.levelno == logging.WARNING
        assert str(official.pk) in record.getMessage() and booked.dossier.code in record.getMessage()
    else:
        from portal.notifications.models import Notification

        recipients = set(Notification.objects.filter(event="shipment_returned").values_list("recipient_id", flat=True))
        assert {booked.dossier.citizen_id, official.pk} <= recipients


def test_mock_refuses_a_jump_backwards(booked):
    with pytest.raises(CommandError, match="cannot go"):
        call_command("advance_shipment", booked.tracking_number, to="accepted")


def test_beat_job_books_only_processed_dossiers_with_a_confirmed_request(units, tariff, carrier_http):
    ready = DeliveryRequestFactory(ward=units["phu_xuan"])
    DeliveryRequestFactory(ward=units["phu_xuan"], state="pending")
    DeliveryRequestFactory(ward=units["phu_xuan"], dossier=ValidatedDossierFactory())
    assert dispatch_processed_dossiers.delay().get() == 1
    assert dispatch_processed_dossiers.delay().get() == 0
    assert list(Shipment.objects.values_list("delivery_request", flat=True)) == [ready.pk]


def test_unreachable_portal_is_retried_by_the_sweep(confirmed_request, monkeypatch, django_capture_on_commit_callbacks):
    from delivery import mock_carrier
    from delivery.tasks import resend_carrier_webhooks

    monkeypatch.setattr(mock_carrier, "post_webhook", lambda url, body, headers: 0)
    with django_capture_on_commit_callbacks(execute=True):
        shipment = services.delivery_dispatch_processed(dossier_id=confirmed_request.dossier_id)
    event = MockCarrierEvent.objects.get()
    assert (event.attempts, event.acknowledged_at, event.last_error) == (1, None, "HTTP unreachable")
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.CREATED

    monkeypatch.setattr(mock_carrier, "post_webhook", client_transport())
    MockCarrierEvent.objects.update(occurred_at=event.occurred_at.replace(year=2020))
    assert resend_carrier_webhooks.delay().get() == 1
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.ACCEPTED
    assert resend_carrier_webhooks.delay().get() == 0
