"""The citizen pays the fee through the mock gateway (whose IPN reaches the live server over
HTTP), asks for the result by post and follows the parcel to delivered. In another run the
first payment is cancelled at the gateway and paid again. Moved here from
tests/delivery/test_browser.py: the delivery fee is shown and a booked parcel can no longer be
changed."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tests.e2e.conftest import check_page, sign_in
from tests.e2e.journeys import household_dossier

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def online(settings, live_server):
    """The mock gateway's IPN and the mock carrier's webhooks go to the live server."""
    settings.SITE_URL = live_server.url
    settings.PAYMENT_MOCK_SEND_IPN = True
    settings.DELIVERY_WEBHOOK_BASE_URL = live_server.url
    settings.PAYMENT_GATEWAY_SECRET = "e2e-payment-secret-0123456789"  # noqa: S105
    settings.DELIVERY_CARRIER_SECRET = "e2e-carrier-secret-0123456789"  # noqa: S105


@pytest.fixture
def postal_units(transactional_db, settings):
    from delivery.models import TariffRate
    from tests.delivery.conftest import TARIFF
    from tests.delivery.factories import ProvinceFactory, WardFactory

    for (zone, weight_class), price in TARIFF.items():
        TariffRate.objects.update_or_create(zone=zone, weight_class=weight_class, defaults={"price": price})
    hanoi = ProvinceFactory(code="01", name="Thành phố Hà Nội")
    hue = ProvinceFactory(code="46", name="Thành phố Huế")
    settings.DELIVERY_DEFAULT_ORIGIN_PROVINCE = "01"
    WardFactory(code="00070", name="Phường Hoàn Kiếm", province=hanoi)
    WardFactory(code="19900", name="Phường Thuận Hóa", province=hue)


def pay_at_the_gateway(page, *, button: str, name: str) -> None:
    page.get_by_role("link", name="Nộp lệ phí").click()
    check_page(page, f"{name}-start")
    page.get_by_label("Ngân hàng trực tuyến hoặc thẻ ATM").check()
    page.get_by_role("button", name="Đến trang thanh toán").click()
    page.wait_for_load_state()
    check_page(page, f"{name}-gateway")
    if button == "Thanh toán":
        page.get_by_label("Vietcombank", exact=False).first.check()
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state()
    check_page(page, f"{name}-return")


def test_pay_ask_for_post_and_follow_the_parcel(catalogue, postal_units, online, page):
    from applications import services
    from applications.models import Official
    from delivery.models import Shipment

    dossier = household_dossier()
    sign_in(page)
    page.goto(dossier.get_absolute_url())
    check_page(page, "dossier-submitted-detail")
    pay_at_the_gateway(page, button="Thanh toán", name="payment")
    # The IPN was sent over HTTP before the gateway sent the citizen back.
    assert "đã được thanh toán" in page.content()
    dossier.refresh_from_db()
    assert dossier.fee_settled

    page.goto(dossier.get_absolute_url())
    page.get_by_role("link", name="Nhận kết quả qua bưu điện").click()
    check_page(page, "delivery-province")
    page.locator("#id_tinh").select_option(label="Thành phố Huế")
    page.get_by_role("button", name="Tiếp tục").click()
    check_page(page, "delivery-address")
    page.get_by_label("Phường, xã").select_option(label="Phường Thuận Hóa")
    page.get_by_label("Số nhà, đường phố, thôn, ấp").fill("12 Lê Lợi")
    page.get_by_label("Trả tiền cho bưu tá khi nhận (COD)").check()
    page.get_by_role("button", name="Xem cước chuyển phát").click()
    check_page(page, "delivery-quote")
    assert "28.000 đ" in page.content()
    page.get_by_role("button", name="Xác nhận nhận qua bưu điện").click()
    page.wait_for_load_state()

    # The agency validates and processes; the parcel is booked as the result is ready.
    official = Official.objects.get(agency=dossier.agency).user
    services.dossier_validate(dossier=dossier, actor=official)
    services.dossier_process(dossier=dossier, actor=official)
    from delivery.tasks import dispatch_processed_dossiers

    assert dispatch_processed_dossiers() == 1  # the beat job's sweep books the parcel
    shipment = Shipment.objects.get(dossier=dossier)
    assert shipment.cod_amount == 28000
    page.goto(dossier.get_absolute_url())
    timeline = page.locator("section[aria-labelledby=tracking-heading]")
    assert shipment.tracking_number in timeline.inner_text()
    from delivery import services as delivery_services

    assert delivery_services.delivery_refusal(dossier=dossier, actor=dossier.citizen)  # booked: no changes
    for _ in range(2):
        call_command("advance_shipment", shipment.tracking_number)
    page.reload()
    assert "Đang vận chuyển" in page.locator("section[aria-labelledby=tracking-heading]").inner_text()
    check_page(page, "dossier-in-transit")
    call_command("advance_shipment", shipment.tracking_number, to="out_for_delivery")
    call_command("advance_shipment", shipment.tracking_number, to="delivered")
    page.reload()
    dossier.refresh_from_db()
    assert dossier.state == "delivered"
    check_page(page, "dossier-delivered")


def test_cancel_at_the_gateway_then_pay_again(catalogue, online, page):
    from payments.models import Payment

    dossier = household_dossier()
    sign_in(page)
    page.goto(dossier.get_absolute_url())
    pay_at_the_gateway(page, button="Hủy thanh toán", name="payment-cancelled")
    assert Payment.objects.get().state == "cancelled"
    page.get_by_role("link", name="Thanh toán lại").click()
    page.wait_for_load_state()
    page.goto(dossier.get_absolute_url())
    pay_at_the_gateway(page, button="Thanh toán", name="payment-again")
    assert "đã được thanh toán" in page.content()
    dossier.refresh_from_db()
    assert dossier.fee_settled
