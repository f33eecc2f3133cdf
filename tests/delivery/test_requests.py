from __future__ import annotations

import pytest

from applications.constants import DossierState
from delivery import services
from delivery.constants import PaymentMethod, RequestState, Zone
from delivery.models import DeliveryRequest, Shipment
from tests.applications.factories import FACTORY_BY_STATE, ProcessedDossierFactory, UserFactory
from tests.delivery.factories import DeliveryRequestFactory

pytestmark = pytest.mark.django_db


def address(units, **overrides):
    data = {
        "recipient_name": "  Nguye\u0302\u0303n   Văn An ",
        "phone": "0912 345 678",
        "street_address": "12 Lê Lợi",
        "province": units["hue"].code,
        "ward": units["thuan_hoa"].code,
        "payment_method": PaymentMethod.COD,
    }
    return {**data, **overrides}


def test_request_normalises_and_quotes_the_fee(units, tariff, citizen):
    dossier = FACTORY_BY_STATE[DossierState.SUBMITTED](citizen=citizen)
    request = services.delivery_request(dossier=dossier, actor=citizen, data=address(units))
    assert request.recipient_name == "Nguyễn Văn An"
    assert request.phone == "+84912345678"
    assert (request.zone, request.fee, request.state) == (Zone.OTHER_PROVINCE, 28000, RequestState.PENDING)
    assert request.full_address == "12 Lê Lợi, Phường Thuận Hóa, Thành phố Huế"


def test_ward_of_another_province_is_refused_with_a_clear_message(units, tariff, citizen):
    dossier = FACTORY_BY_STATE[DossierState.SUBMITTED](citizen=citizen)
    with pytest.raises(services.DeliveryError) as excinfo:
        services.delivery_request(dossier=dossier, actor=citizen, data=address(units, ward=units["hoan_kiem"].code))
    assert excinfo.value.field == "ward"
    assert "Phường Hoàn Kiếm" in excinfo.value.message and "Thành phố Huế" in excinfo.value.message
    assert not DeliveryRequest.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"phone": "12345"}, "phone"),
        ({"ward": "99999"}, "ward"),
        ({"province": ""}, "province"),
        ({"recipient_name": " "}, "recipient_name"),
    ],
)
def test_bad_address_fields_are_refused(units, tariff, citizen, overrides, field):
    dossier = FACTORY_BY_STATE[DossierState.SUBMITTED](citizen=citizen)
    with pytest.raises(services.DeliveryError) as excinfo:
        services.delivery_request(dossier=dossier, actor=citizen, data=address(units, **overrides))
    assert excinfo.value.field == field


def test_only_the_owner_may_ask(units, tariff, citizen):
    dossier = FACTORY_BY_STATE[DossierState.SUBMITTED](citizen=citizen)
    with pytest.raises(services.DeliveryPermissionDenied):
        services.delivery_request(dossier=dossier, actor=UserFactory(), data=address(units))


@pytest.mark.parametrize("state", [DossierState.DELIVERED, DossierState.REJECTED, DossierState.WITHDRAWN])
def test_refused_once_the_dossier_is_closed(units, tariff, citizen, state):
    dossier = FACTORY_BY_STATE[state](citizen=citizen)
    with pytest.raises(services.DeliveryError, match="Không thể chọn nhận kết quả qua bưu điện nữa"):
        services.delivery_request(dossier=dossier, actor=citizen, data=address(units))


@pytest.mark.parametrize(
    "state",
    [
        DossierState.DRAFT,
        DossierState.SUBMITTED,
        DossierState.NEEDS_SUPPLEMENT,
        DossierState.VALIDATED,
        DossierState.PROCESSED,
    ],
)
def test_allowed_until_the_result_is_handed_over(units, tariff, citizen, state):
    dossier = FACTORY_BY_STATE[state](citizen=citizen)
    assert services.delivery_request(dossier=dossier, actor=citizen, data=address(units)).pk


def test_changing_the_address_asks_for_confirmation_again(units, tariff, citizen):
    dossier = FACTORY_BY_STATE[DossierState.SUBMITTED](citizen=citizen)
    request = services.delivery_request(dossier=dossier, actor=citizen, data=address(units))
    services.delivery_request_confirm(delivery_request=request, actor=citizen)
    request = services.delivery_request(
        dossier=dossier, actor=citizen, data=address(units, province="01", ward=units["ba_dinh"].code)
    )
    assert (request.state, request.zone, request.fee) == (RequestState.PENDING, Zone.SAME_PROVINCE, 20000)
    assert DeliveryRequest.objects.count() == 1


def test_confirming_on_a_processed_dossier_books_the_parcel_after_commit(
    units, tariff, citizen, django_capture_on_commit_callbacks
):
    dossier = ProcessedDossierFactory(citizen=citizen)
    request = services.delivery_request(dossier=dossier, actor=citizen, data=address(units))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.delivery_request_confirm(delivery_request=request, actor=citizen)
    assert callbacks
    assert Shipment.objects.get().delivery_request == request


def test_no_change_once_the_parcel_is_booked(confirmed_request, units):
    services.delivery_dispatch_processed(dossier_id=confirmed_request.dossier_id)
    owner = confirmed_request.dossier.citizen
    with pytest.raises(services.DeliveryError, match="đã được giao cho bưu điện"):
        services.delivery_request(dossier=confirmed_request.dossier, actor=owner, data=address(units))
    with pytest.raises(services.DeliveryError, match="đã được giao cho bưu điện"):
        services.delivery_request_cancel(delivery_request=confirmed_request, actor=owner)


def test_online_fee_for_the_payments_app(confirmed_request):
    from delivery.selectors import delivery_fee_payable_online

    assert delivery_fee_payable_online(dossier=confirmed_request.dossier) == 28000
    cod = DeliveryRequestFactory(payment_method=PaymentMethod.COD)
    assert delivery_fee_payable_online(dossier=cod.dossier) == 0
