"""Browser journey (Chromium, phone width): ask for postal delivery, see the fee, confirm, then
follow the parcel on the dossier page. Skipped without Chromium; E2E=0 switches it off."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connections
from django.test import Client

from delivery import services
from delivery.models import Shipment
from tests.applications.factories import ProcessedDossierFactory

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
HAVE_CHROMIUM = Path(CHROMIUM).exists() or shutil.which("chromium") is not None

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not HAVE_CHROMIUM or os.environ.get("E2E") == "0", reason="Chromium not available"),
]


@pytest.fixture
def phone_page(live_server, monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
        )
        context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN", base_url=live_server.url)
        context.set_default_timeout(15_000)
        yield context
        # Inside Playwright's sync API the test's ORM calls get their own connection (another
        # async context): close it, or PostgreSQL cannot drop the test database afterwards.
        connections.close_all()
        context.close()
        browser.close()


@pytest.mark.django_db(transaction=True)
def test_citizen_asks_for_postal_delivery_and_follows_the_parcel(
    phone_page, live_server, settings, citizen, units, tariff
):
    settings.DELIVERY_WEBHOOK_BASE_URL = live_server.url
    dossier = ProcessedDossierFactory(citizen=citizen)
    client = Client()
    client.force_login(citizen)
    phone_page.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )
    page = phone_page.new_page()
    page.goto(dossier.get_absolute_url())
    page.get_by_role("link", name="Nhận kết quả qua bưu điện").click()
    page.locator("#id_tinh").select_option(label="Thành phố Huế")
    page.get_by_role("button", name="Tiếp tục").click()
    page.get_by_label("Phường, xã").select_option(label="Phường Thuận Hóa")
    page.get_by_label("Số nhà, đường phố, thôn, ấp").fill("12 Lê Lợi")
    page.get_by_label("Trả tiền cho bưu tá khi nhận (COD)").check()
    page.get_by_role("button", name="Xem cước chuyển phát").click()
    assert "28.000 đ" in page.content()
    page.get_by_role("button", name="Xác nhận nhận qua bưu điện").click()
    # Confirming on a processed dossier books the parcel at once (eager task after commit).
    shipment = Shipment.objects.get(dossier=dossier)
    assert shipment.cod_amount == 28000
    for _ in range(2):
        call_command("advance_shipment", shipment.tracking_number)
    page.goto(dossier.get_absolute_url())
    timeline = page.locator("section[aria-labelledby=tracking-heading]")
    assert shipment.tracking_number in timeline.inner_text()
    assert "Đang vận chuyển" in timeline.inner_text()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    assert services.delivery_refusal(dossier=dossier, actor=citizen)  # booked: no more changes
