from __future__ import annotations

import pytest

from delivery import services
from delivery.constants import WeightClass, Zone
from delivery.models import TariffRate
from tests.applications.factories import ProcessedDossierFactory
from tests.delivery.factories import DeliveryOriginFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(units):
    dossier = ProcessedDossierFactory()
    DeliveryOriginFactory(agency=dossier.agency, province=units["hanoi"], ward=units["hoan_kiem"])
    return dossier


@pytest.mark.parametrize(
    ("ward", "zone", "price"),
    [
        ("hoan_kiem", Zone.SAME_WARD, 15000),
        ("ba_dinh", Zone.SAME_PROVINCE, 20000),
        ("thuan_hoa", Zone.OTHER_PROVINCE, 28000),
    ],
)
def test_quote_by_zone_from_the_agency_origin(dossier, units, tariff, ward, zone, price):
    ward = units[ward]
    assert services.delivery_quote(
        dossier=dossier, province=ward.province, ward=ward, weight_class=WeightClass.UP_TO_250G
    ) == (zone, price)


@pytest.mark.parametrize(
    ("weight_class", "price"),
    [(WeightClass.UP_TO_250G, 28000), (WeightClass.UP_TO_500G, 35000), (WeightClass.UP_TO_1KG, 45000)],
)
def test_quote_by_weight_class(dossier, units, tariff, weight_class, price):
    ward = units["phu_xuan"]
    assert (
        services.delivery_quote(dossier=dossier, province=ward.province, ward=ward, weight_class=weight_class)[1]
        == price
    )


def test_agency_without_origin_sends_from_the_default_province(units, tariff):
    dossier = ProcessedDossierFactory()
    ward = units["hoan_kiem"]
    # No origin ward is known, so even the same ward counts as the same province.
    assert services.delivery_quote(dossier=dossier, province=ward.province, ward=ward, weight_class="w250") == (
        Zone.SAME_PROVINCE,
        20000,
    )


def test_price_edited_in_the_admin_is_used(dossier, units, tariff):
    TariffRate.objects.filter(zone=Zone.OTHER_PROVINCE, weight_class="w250").update(price=31000)
    ward = units["thuan_hoa"]
    assert services.delivery_quote(dossier=dossier, province=ward.province, ward=ward, weight_class="w250")[1] == 31000


def test_missing_rate_is_refused(dossier, units, tariff):
    TariffRate.objects.filter(zone=Zone.OTHER_PROVINCE).delete()
    ward = units["thuan_hoa"]
    with pytest.raises(services.DeliveryError, match="Chưa có giá cước"):
        services.delivery_quote(dossier=dossier, province=ward.province, ward=ward, weight_class="w250")


def test_default_tariff_rows_come_from_the_data_migration():
    # pytest-django runs transactional tests (which flush) after these ones.
    assert TariffRate.objects.count() == 9
    assert TariffRate.objects.get(zone=Zone.SAME_WARD, weight_class="w250").price == 15000
