"""A citizen finds household business registration without typing diacritics, reads the
procedure page, builds a dossier (a refused file on the way), submits it and downloads the
receipt PDF."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import assert_tappable, check_page, sign_in
from tests.e2e.files import exe_bytes, pdf_bytes, png_bytes, upload, upload_paper

pytestmark = pytest.mark.django_db(transaction=True)


def test_find_start_upload_submit_and_download_the_receipt(catalogue, page):
    sign_in(page, check="login")
    page.goto("/thu-tuc/")
    check_page(page, "catalogue")
    search = page.get_by_role("searchbox").or_(page.locator("input[name=q]")).first
    search.fill("dang ky ho kinh doanh")
    search.press("Enter")
    page.wait_for_load_state()
    check_page(page, "catalogue-results")
    page.get_by_role("link", name="Đăng ký thành lập hộ kinh doanh").first.click()
    check_page(page, "procedure")
    facts = page.locator("dl.facts").first.inner_text()
    assert "50.000 đ" in facts
    assert "3 ngày làm việc" in facts
    start = page.locator("main").get_by_role("link", name="Nộp hồ sơ trực tuyến")
    assert_tappable(start)
    start.click()
    check_page(page, "dossier-start")
    page.get_by_role("button", name="Bắt đầu lập hồ sơ").click()
    page.wait_for_url("**/nguoi-nop/")
    check_page(page, "dossier-applicant")
    assert page.get_by_label("Họ và tên").input_value() == "Nguyễn Văn An"
    page.get_by_label("Địa chỉ").first.fill("25 Hai Bà Trưng, phường Hòa Bình")
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    page.wait_for_url("**/giay-to/")
    check_page(page, "dossier-papers")

    required = [card.get_attribute("id") for card in page.locator("li.card").all() if "Bắt buộc" in card.inner_text()]
    assert len(required) >= 2
    upload_paper(page, required[0], upload("giay-de-nghi.pdf", pdf_bytes(), "application/pdf"))
    assert "giay-de-nghi.pdf" in page.locator(f"#{required[0]}").inner_text()

    # A program renamed to .pdf is refused with an explanation next to the field; the paper
    # already uploaded stays.
    upload_paper(page, required[1], upload("giay-to.pdf", exe_bytes(), "application/pdf"))
    card = page.locator(f"#{required[1]}")
    assert "không phải tài liệu PDF, JPEG hoặc PNG" in card.get_by_role("alert").inner_text()
    assert card.locator("input[type=file]").get_attribute("aria-describedby").endswith("-file-error")
    assert "giay-de-nghi.pdf" in page.locator(f"#{required[0]}").inner_text()
    check_page(page, "dossier-papers-refused")

    upload_paper(page, required[1], upload("cccd.png", png_bytes(), "image/png"))
    assert "cccd.png" in page.locator(f"#{required[1]}").inner_text()
    for number, slot in enumerate(required[2:], start=2):
        upload_paper(page, slot, upload(f"giay-to-{number}.pdf", pdf_bytes(), "application/pdf"))

    page.get_by_role("link", name="Tiếp tục để kiểm tra").click()
    check_page(page, "dossier-review")
    page.get_by_role("button", name="Nộp hồ sơ", exact=True).click()
    page.wait_for_load_state()
    check_page(page, "dossier-submitted")
    from applications.models import Dossier

    dossier = Dossier.objects.get()
    assert dossier.state == "submitted"
    assert dossier.code in page.locator("main").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải giấy tiếp nhận hồ sơ (PDF)").click()
    from pypdf import PdfReader

    pdf = PdfReader(download.value.path())
    assert dossier.code in "".join(p.extract_text() for p in pdf.pages)
