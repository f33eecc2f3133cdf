from __future__ import annotations

import threading

import pytest
from django.db import connections

from delivery import services
from delivery.models import MockCarrierShipment, Shipment
from tests.delivery.factories import DeliveryRequestFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_dispatch_books_one_parcel(units, tariff, monkeypatch):
    from delivery import mock_carrier

    monkeypatch.setattr(mock_carrier, "post_webhook", lambda url, body, headers: 0)
    request = DeliveryRequestFactory(ward=units["phu_xuan"])
    barrier = threading.Barrier(4)
    results, errors = [], []

    def dispatch():
        try:
            barrier.wait()
            results.append(services.delivery_dispatch_processed(dossier_id=request.dossier_id).tracking_number)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=dispatch) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(set(results)) == 1
    assert Shipment.objects.count() == 1 and MockCarrierShipment.objects.count() == 1
