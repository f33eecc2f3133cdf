"""Webhooks over a real socket: the mock carrier posts to a live portal on localhost."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from applications.constants import DossierState
from delivery import services
from delivery.constants import ShipmentStatus
from delivery.models import MockCarrierEvent, Shipment
from tests.delivery.factories import DeliveryRequestFactory


@pytest.mark.django_db(transaction=True)
def test_parcel_delivered_through_real_http_webhooks(live_server, settings, units, tariff):
    settings.DELIVERY_WEBHOOK_BASE_URL = live_server.url
    request = DeliveryRequestFactory(ward=units["phu_xuan"])
    shipment = services.delivery_dispatch_processed(dossier_id=request.dossier_id)
    assert shipment.status == ShipmentStatus.CREATED
    for _ in range(4):
        call_command("advance_shipment", shipment.tracking_number)
    shipment = Shipment.objects.select_related("dossier").get(pk=shipment.pk)
    assert shipment.status == ShipmentStatus.DELIVERED
    assert shipment.dossier.state == DossierState.DELIVERED
    assert MockCarrierEvent.objects.filter(acknowledged_at__isnull=False).count() == 5


def _database_url() -> str:
    from django.db import connection

    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_sends_the_webhooks_until_acknowledged(live_server, settings, units, tariff):
    """A Celery worker process on Redis sends the mock carrier's webhooks to the live portal;
    the first one fails (portal unreachable) and is retried until acknowledged."""
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path

    from portal.celery import app

    settings.DELIVERY_WEBHOOK_BASE_URL = "http://127.0.0.1:9"  # nothing listens: the first attempt fails
    request = DeliveryRequestFactory(ward=units["phu_xuan"])
    app.conf.task_always_eager = False
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "--loglevel=WARNING",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"delivery-{os.getpid()}@%h"],
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", "DATABASE_URL": _database_url()},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        shipment = services.delivery_dispatch_processed(dossier_id=request.dossier_id)
        event = MockCarrierEvent.objects.get()
        deadline = time.monotonic() + 60
        while MockCarrierEvent.objects.get(pk=event.pk).attempts < 1 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert MockCarrierEvent.objects.get(pk=event.pk).acknowledged_at is None
        # The portal comes up at its real address: the retry reaches it.
        from delivery.models import MockCarrierShipment

        MockCarrierShipment.objects.update(callback_url=live_server.url + "/delivery/webhook/")
        while MockCarrierEvent.objects.get(pk=event.pk).acknowledged_at is None and time.monotonic() < deadline:
            time.sleep(0.2)
        event.refresh_from_db()
        assert Shipment.objects.get(pk=shipment.pk).status == ShipmentStatus.ACCEPTED
        assert event.acknowledged_at is not None and event.attempts >= 2
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
