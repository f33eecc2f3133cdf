from __future__ import annotations

import pytest

from delivery import mock_carrier
from portal.celery import app
from tests.applications.factories import OfficialFactory, ProcessedDossierFactory
from tests.delivery.factories import DeliveryRequestFactory, ProvinceFactory, WardFactory
from tests.delivery.helpers import client_transport

TARIFF = {
    ("same_ward", "w250"): 15000,
    ("same_ward", "w500"): 18000,
    ("same_ward", "w1000"): 22000,
    ("same_province", "w250"): 20000,
    ("same_province", "w500"): 25000,
    ("same_province", "w1000"): 30000,
    ("other_province", "w250"): 28000,
    ("other_province", "w500"): 35000,
    ("other_province", "w1000"): 45000,
}


@pytest.fixture(autouse=True)
def _eager_celery():
    """These tests run the tasks inline, also when REDIS_URL points Celery at a broker."""
    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture
def tariff(db):
    from delivery.models import TariffRate

    # The data migration loads these; a transactional test before this one may have flushed them.
    for (zone, weight_class), price in TARIFF.items():
        TariffRate.objects.update_or_create(zone=zone, weight_class=weight_class, defaults={"price": price})
    return TARIFF


@pytest.fixture
def units(db, settings):
    """Two provinces with two wards each; the first is the default origin province."""
    hanoi = ProvinceFactory(code="01", name="Thành phố Hà Nội")
    hue = ProvinceFactory(code="46", name="Thành phố Huế")
    settings.DELIVERY_DEFAULT_ORIGIN_PROVINCE = "01"
    return {
        "hanoi": hanoi,
        "hue": hue,
        "hoan_kiem": WardFactory(code="00070", name="Phường Hoàn Kiếm", province=hanoi),
        "ba_dinh": WardFactory(code="00004", name="Phường Ba Đình", province=hanoi),
        "thuan_hoa": WardFactory(code="19900", name="Phường Thuận Hóa", province=hue),
        "phu_xuan": WardFactory(code="19774", name="Phường Phú Xuân", province=hue),
    }


@pytest.fixture
def confirmed_request(units, tariff):
    return DeliveryRequestFactory(ward=units["thuan_hoa"])


@pytest.fixture
def official_of(db):
    def make(dossier):
        return OfficialFactory(agency=dossier.agency).user

    return make


@pytest.fixture
def carrier_http(monkeypatch):
    """The mock carrier's webhooks reach the portal through Django's test client instead of a
    socket; the list records the HTTP status of every delivery attempt."""
    statuses: list[int] = []
    monkeypatch.setattr(mock_carrier, "post_webhook", client_transport(statuses))
    return statuses


@pytest.fixture
def processed_dossier(db, citizen):
    return ProcessedDossierFactory(citizen=citizen)
