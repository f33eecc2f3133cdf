"""The seed conversation in a real browser, through the chat page (no JavaScript needed)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import check_page


@pytest.fixture
def seeded(transactional_db):
    # Before the browser starts: Playwright's event loop forbids database calls in its thread.
    from django.utils import translation

    from procedures.assistant.index import forget_index
    from tests.assistant.factories import small_catalogue

    with translation.override("vi"):
        small_catalogue()
    forget_index()


def test_seed_conversation_in_the_chat_page(seeded, page):
    page.goto("/hoi-dap/")
    check_page(page, "hotline-chat")
    page.get_by_label("Câu hỏi của ông/bà").fill("Tôi cần biết thông tin về thủ tục đăng ký kinh doanh hộ cá thể")
    page.get_by_role("button", name="Hỏi", exact=True).click()
    latest = page.locator("#latest")
    assert "ba ngày làm việc" in latest.inner_text()
    assert "năm mươi nghìn đồng" in latest.inner_text()
    assert "trình tự thực hiện" in latest.inner_text()

    page.get_by_label("Câu hỏi của ông/bà").fill("có")
    page.get_by_role("button", name="Hỏi", exact=True).click()
    assert "Bước một" in page.locator("#latest").inner_text()

    page.get_by_role("button", name="Cần giấy tờ gì?").click()
    assert "Giấy đề nghị đăng ký hộ kinh doanh" in page.locator("#latest").inner_text()
