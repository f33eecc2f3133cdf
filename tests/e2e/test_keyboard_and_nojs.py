"""The dossier submission with the keyboard alone (focus visible, a sensible order, Enter
submits), and the core pages with JavaScript switched off: catalogue search, dossier
submission, status lookup and the hotline chat."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import check_page, sign_in
from tests.e2e.files import pdf_bytes, upload, upload_paper
from tests.e2e.journeys import household_dossier

pytestmark = pytest.mark.django_db(transaction=True)

FOCUSED = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    return {tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name') || '',
            text: (el.innerText || el.value || '').trim().slice(0, 60),
            visible: (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2)
                     || (style.boxShadow && style.boxShadow !== 'none')};
}"""


def tab_until(page, wanted, *, limit: int = 60) -> list[dict]:
    """Press Tab until ``wanted(focused)`` holds; every stop must show where the focus is."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        assert focused["visible"], f"focus not visible on {focused}"
        stops.append(focused)
        if wanted(focused):
            return stops
    raise AssertionError(f"never reached the wanted control; stops: {stops}")


@pytest.mark.parametrize("viewport", ["desktop"], indirect=True)
def test_dossier_submission_with_the_keyboard_alone(catalogue, page):
    dossier = household_dossier(submit=False)
    sign_in(page)
    page.goto(f"/ho-so/{dossier.public_id}/nguoi-nop/")
    # The first stop is the skip link; following it puts the next Tab inside the page's content.
    first = tab_until(page, lambda f: True)[0]
    assert first["text"] == "Bỏ qua, đến nội dung chính"
    page.keyboard.press("Enter")
    fields = page.eval_on_selector_all(
        "main form[method=post] input:not([type=hidden]), main form[method=post] select, main form[method=post] textarea",
        "els => els.map(e => e.name)",
    )
    stops = tab_until(page, lambda f: f["tag"] == "button" and f["text"] == "Lưu và tiếp tục")
    reached = [s["name"] for s in stops if s["tag"] in {"input", "select", "textarea"}]
    assert reached == fields, "the fields are reached in the order they are read"
    # Back to the address field, correct it by typing, and submit with Enter from the field.
    for _ in range(10):
        page.keyboard.press("Shift+Tab")
        if page.evaluate("document.activeElement.name") == "applicant_address":
            break
    page.keyboard.press("Control+A")
    page.keyboard.type("25 Hai Bà Trưng, phường Hòa Bình")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/giay-to/(#.*)?$"))
    tab_until(page, lambda f: f["text"] == "Tiếp tục để kiểm tra", limit=120)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/xem-lai/(#.*)?$"))
    tab_until(page, lambda f: f["tag"] == "button" and f["text"] == "Nộp hồ sơ")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    dossier.refresh_from_db()
    assert dossier.state == "submitted"
    assert dossier.applicant_address == "25 Hai Bà Trưng, phường Hòa Bình"
    assert dossier.code in page.locator("main").inner_text()


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_without_javascript(catalogue, nojs_page):
    page = nojs_page
    assert page.evaluate("1 + 1") == 2  # Playwright's own evaluation still works
    page.goto("/thu-tuc/?q=dang+ky+ho+kinh+doanh")
    page.locator("main input[name=q]").fill("dang ky ho kinh doanh")
    page.locator("main").get_by_role("button", name="Tìm kiếm", exact=True).click()
    page.get_by_role("link", name="Đăng ký thành lập hộ kinh doanh").first.click()
    sign_in(page)
    page.goto("/nop-truc-tuyen/1.001612/")
    page.get_by_role("button", name="Bắt đầu lập hồ sơ").click()
    page.wait_for_url("**/nguoi-nop/")
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    page.wait_for_url("**/giay-to/")
    required = [card.get_attribute("id") for card in page.locator("li.card").all() if "Bắt buộc" in card.inner_text()]
    for number, slot in enumerate(required):
        upload_paper(page, slot, upload(f"giay-{number}.pdf", pdf_bytes(), "application/pdf"))
    page.get_by_role("link", name="Tiếp tục để kiểm tra").click()
    page.get_by_role("button", name="Nộp hồ sơ", exact=True).click()
    page.wait_for_load_state()
    from applications.models import Dossier

    dossier = Dossier.objects.get()
    assert dossier.state == "submitted"
    check_page(page, "nojs-submitted")

    page.goto("/tra-cuu-ho-so/")
    page.get_by_label("Mã hồ sơ").fill(dossier.code)
    page.get_by_label("Mã tra cứu", exact=False).fill(dossier.lookup_pin)
    page.get_by_role("button", name="Tra cứu", exact=True).click()
    assert dossier.code in page.locator("#result-heading").inner_text()

    page.goto("/hoi-dap/")
    page.get_by_label("Câu hỏi của ông/bà").fill("Lệ phí đăng ký hộ kinh doanh là bao nhiêu?")
    page.get_by_role("button", name="Hỏi", exact=True).click()
    assert "năm mươi nghìn đồng" in page.locator("#latest").inner_text()
    check_page(page, "nojs-hotline")


def test_other_dossier_is_not_shown_to_a_visitor(catalogue, nojs_page):
    dossier = household_dossier()
    nojs_page.goto(dossier.get_absolute_url())
    assert "/tai-khoan/login/" in nojs_page.url
