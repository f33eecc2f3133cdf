"""A new citizen signs up, confirms the e-mail, fills in the profile and logs out."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from tests.e2e.conftest import assert_tappable, check_page

pytestmark = pytest.mark.django_db(transaction=True)


def test_signup_confirm_profile_logout(page, viewport):
    email = f"chi.le.{viewport}@example.vn"
    page.goto("/")
    check_page(page, "home")
    assert page.locator("h1").inner_text() == "Tìm thủ tục hành chính"
    page.get_by_role("link", name="Đăng nhập").click()
    check_page(page, "login")
    page.goto("/tai-khoan/signup/")
    check_page(page, "signup")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password1]").fill("mua xuan tren que huong")
    page.locator("input[name=password2]").fill("mua xuan tren que huong")
    submit = page.locator("main form button[type=submit]")
    assert_tappable(submit)
    submit.click()
    page.wait_for_load_state()
    assert "xác nhận" in page.content().lower() or "xác minh" in page.content().lower()

    message = next(m for m in mail.outbox if email in m.to)
    link = re.search(r"https?://[^\s]+/tai-khoan/confirm-email/[^\s]+/", message.body).group(0)
    page.goto(link)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/tai-khoan/ho-so-ca-nhan/")

    page.get_by_label("Họ và tên").fill("Lê Thị Chi")
    page.get_by_label("Số căn cước công dân (CCCD)").fill("12345")
    page.get_by_label("Ngày sinh").fill("02/09/1995")
    page.get_by_label("Số điện thoại di động").fill("0987 654 321")
    page.get_by_label("Địa chỉ thường trú").fill("8 Trần Hưng Đạo, xã Tân Lập")
    page.get_by_role("button", name="Lưu").click()
    # The error is explained next to the field and in the summary; nothing typed is lost.
    assert page.get_by_role("alert").is_visible()
    assert "12 chữ số" in page.locator("#id_citizen_id_error").inner_text()
    assert page.get_by_label("Địa chỉ thường trú").input_value() == "8 Trần Hưng Đạo, xã Tân Lập"
    check_page(page, "profile-error")
    page.get_by_label("Số căn cước công dân (CCCD)").fill("001195012345")
    page.get_by_role("button", name="Lưu").click()
    assert "Đã lưu thông tin cá nhân" in page.locator(".messages").inner_text()

    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_load_state()
    page.goto("/tai-khoan/ho-so-ca-nhan/")
    assert "/tai-khoan/login/" in page.url


def test_home_in_english(page):
    page.goto("/")
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Find an administrative procedure"
    assert page.evaluate("document.documentElement.lang") == "en"
    check_page(page, "home-en")
