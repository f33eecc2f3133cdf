"""A visitor looks up a dossier by code and PIN without signing in; the core journey in
English; the main controls on a phone are visible and large enough to tap."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import assert_tappable, check_page, sign_in
from tests.e2e.journeys import household_dossier

pytestmark = pytest.mark.django_db(transaction=True)


def test_visitor_looks_up_the_status_by_code_and_pin(catalogue, page):
    dossier = household_dossier()
    page.goto("/")
    page.locator("nav").get_by_role("link", name="Tra cứu hồ sơ").click()
    check_page(page, "lookup")
    page.get_by_label("Mã hồ sơ").fill(dossier.code)
    page.get_by_label("Mã tra cứu", exact=False).fill("000000" if dossier.lookup_pin != "000000" else "111111")
    page.get_by_role("button", name="Tra cứu", exact=True).click()
    page.wait_for_load_state()
    # Refused without telling which half was wrong; the error is announced.
    assert page.get_by_role("alert").count() >= 1
    assert page.get_by_label("Mã hồ sơ").input_value() == dossier.code
    check_page(page, "lookup-refused")
    page.get_by_label("Mã tra cứu", exact=False).fill(dossier.lookup_pin)
    page.get_by_role("button", name="Tra cứu", exact=True).click()
    page.wait_for_load_state()
    result = page.locator("#result-heading").locator("xpath=..")
    assert dossier.code in result.inner_text()
    assert "Đã nộp" in result.inner_text() or "Đã tiếp nhận" in result.inner_text() or "Chờ" in result.inner_text()
    check_page(page, "lookup-result")


def test_core_journey_in_english(catalogue, page):
    page.goto("/")
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.lang") == "en"
    page.locator("nav").get_by_role("link", name="Administrative procedures").click()
    check_page(page, "catalogue-en")
    page.locator("main input[name=q]").fill("dang ky ho kinh doanh")
    page.locator("main").get_by_role("button", name="Search", exact=True).click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Đăng ký thành lập hộ kinh doanh").first.click()
    check_page(page, "procedure-en")
    facts = page.locator("dl.facts").first.inner_text()
    assert "Processing time" in facts and "3 working days" in facts
    assert "50,000 ₫" in facts or "50.000 đ" in facts
    page.locator("main").get_by_role("link", name="Submit online").click()
    # Signing in keeps the language and comes back to the dossier start.
    assert "/tai-khoan/login/" in page.url
    check_page(page, "login-en")
    page.locator("input[name=login]").fill("congdan@example.vn")
    page.locator("input[name=password]").fill("demo-congdan-2026")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Start a dossier"
    check_page(page, "dossier-start-en")
    page.get_by_role("button", name="Start the dossier").click()
    page.wait_for_url("**/nguoi-nop/")
    assert page.locator("h1").inner_text() == "Applicant"
    assert page.evaluate("document.documentElement.lang") == "en"
    check_page(page, "dossier-applicant-en")


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_main_controls_are_tappable_on_a_phone(catalogue, page):
    dossier = household_dossier(submit=False)
    page.goto("/")
    assert_tappable(page.locator("main input[type=search], main input[name=q]").first)
    assert_tappable(page.locator("main button[type=submit]").first)
    assert_tappable(page.get_by_role("link", name="English"))
    for link in page.locator("nav.main-nav a").all():
        assert_tappable(link)
    page.goto("/thu-tuc/1.001612/")
    assert_tappable(page.locator("main").get_by_role("link", name="Nộp hồ sơ trực tuyến"))
    sign_in(page)
    page.goto(f"/ho-so/{dossier.public_id}/giay-to/")
    for button in page.locator("main li.card form[enctype] button[type=submit]").all()[:3]:
        assert_tappable(button)
    assert_tappable(page.locator("main input[type=file]").first)
    assert_tappable(page.get_by_role("link", name="Tiếp tục để kiểm tra"))
    page.goto(f"/ho-so/{dossier.public_id}/xem-lai/")
    assert_tappable(page.get_by_role("button", name="Nộp hồ sơ", exact=True))
    check_page(page, "dossier-review-phone")
