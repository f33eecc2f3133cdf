"""A citizen pays through the mock gateway in a real browser (Chromium): pay, fail, cancel.

The mock's IPN goes over HTTP to the live server (eagerly, from the gateway's request).
Runs where Chromium is present (tests/e2e/conftest.py)."""

from __future__ import annotations

import pytest

from payments.constants import PaymentState
from payments.models import Payment
from tests.payments.factories import fresh, submitted_dossier

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def browser_page(browser, live_server, settings, citizen, client):
    """A phone-width page without JavaScript, signed in as the citizen (on the shared browser)."""
    settings.SITE_URL = live_server.url
    settings.PAYMENT_MOCK_SEND_IPN = True
    client.force_login(citizen)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    yield context.new_page()
    context.close()


def _pay(page, live_server, dossier, *, button: str, source_label: str | None = "Vietcombank"):
    page.goto(live_server.url + dossier.get_absolute_url())
    page.get_by_role("link", name="Nộp lệ phí").click()
    assert "50.000 đ" in page.content()
    page.get_by_label("Ngân hàng trực tuyến hoặc thẻ ATM").check()
    page.get_by_role("button", name="Đến trang thanh toán").click()
    assert page.get_by_role("img", name="Mã VietQR").count() == 1 or "data:image/svg+xml" in page.content()
    if source_label:
        page.get_by_label(source_label, exact=False).first.check()
    page.get_by_role("button", name=button, exact=True).click()


def test_citizen_pays_in_a_browser_and_downloads_the_receipt(browser_page, live_server, citizen):
    dossier = submitted_dossier(citizen=citizen)
    _pay(browser_page, live_server, dossier, button="Thanh toán")
    # The IPN was sent over HTTP before the gateway redirected back: the page shows it paid.
    assert "đã được thanh toán" in browser_page.content()
    assert fresh(dossier).fee_settled
    with browser_page.expect_download() as download:
        browser_page.get_by_role("link", name="Tải biên lai lệ phí (PDF)").click()
    assert download.value.suggested_filename.startswith("bien-lai-BL")


@pytest.mark.parametrize(
    ("button", "state"),
    [("Không đủ số dư (51)", PaymentState.FAILED), ("Hủy thanh toán", PaymentState.CANCELLED)],
)
def test_failed_or_cancelled_payment_in_a_browser_can_be_retried(browser_page, live_server, citizen, button, state):
    dossier = submitted_dossier(citizen=citizen)
    _pay(browser_page, live_server, dossier, button=button, source_label=None if "Hủy" in button else "Vietcombank")
    assert Payment.objects.get().state == state
    assert not fresh(dossier).fee_settled
    browser_page.get_by_role("link", name="Thanh toán lại").click()
    assert browser_page.get_by_role("heading", name="Nộp lệ phí").count() == 1
