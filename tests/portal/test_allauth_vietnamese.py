"""django-allauth speaks Vietnamese through the portal's own catalogue (locale/allauth/vi),
and English again when the visitor chose English with the language switcher."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "allauth" / "vi" / "LC_MESSAGES" / "django.po"

# English that allauth shows when a message has no translation.
ENGLISH_LEFTOVERS = (
    "Sign In",
    "Sign Up",
    "Sign Out",
    "Password",
    "Forgot Password?",
    "Forgot your password?",
    "Remember Me",
    "Email address",
    "Email Addresses",
    "Reset My Password",
    "Two-Factor Authentication",
    "Recovery Codes",
    "Authenticator App",
    "Confirm Access",
)


def main_text(response) -> str:
    """The text of the page's <main>: allauth's part, without the layout's navigation."""
    assert response.status_code == 200
    html = response.content.decode()
    main = re.search(r"<main\b.*?</main>", html, re.DOTALL)
    assert main, "the page has no <main>"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main.group(0)))


def assert_vietnamese(text: str, *expected: str) -> None:
    for phrase in expected:
        assert phrase in text, f"{phrase!r} missing from: {text}"
    for english in ENGLISH_LEFTOVERS:
        assert english not in text, f"untranslated {english!r} in: {text}"


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_catalogue_is_complete_and_valid():
    # test_translations.py looks only under locale/vi/; this catalogue lives one level down.
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(CATALOGUE)],
        capture_output=True,
        text=True,
        env={"LC_ALL": "C"},
    )
    assert result.returncode == 0, result.stderr
    assert not re.search(r"\d+ (fuzzy|untranslated)", result.stderr), result.stderr
    text = CATALOGUE.read_text(encoding="utf-8")
    assert '"Plural-Forms: nplurals=1; plural=0;\\n"' in text
    assert "#, fuzzy" not in text


def test_login_page_is_vietnamese(client):
    text = main_text(client.get(reverse("account_login")))
    assert_vietnamese(text, "Đăng nhập", "Mật khẩu", "Quên mật khẩu?", "Ghi nhớ đăng nhập", "đăng ký tài khoản")


def test_login_error_is_vietnamese(client, citizen):
    response = client.post(reverse("account_login"), {"login": citizen.email, "password": "sai mat khau"})
    assert_vietnamese(main_text(response), "Địa chỉ e-mail hoặc mật khẩu không đúng.")


def test_signup_page_and_its_errors_are_vietnamese(client):
    assert_vietnamese(main_text(client.get(reverse("account_signup"))), "Đăng ký", "Nhập lại mật khẩu")
    response = client.post(
        reverse("account_signup"),
        {"email": "binh@example.vn", "password1": "mot hai ba bon nam", "password2": "mot hai ba bon sau"},
    )
    assert_vietnamese(main_text(response), "Hai lần nhập mật khẩu phải giống nhau.")


def test_signup_with_a_taken_address_sends_a_vietnamese_email(client, citizen):
    # allauth does not tell the page that the address is taken (no account enumeration):
    # it writes to the owner of the address instead.
    client.post(
        reverse("account_signup"),
        {"email": citizen.email, "password1": "mot hai ba bon nam", "password2": "mot hai ba bon nam"},
    )
    [message] = mail.outbox
    assert message.subject == "[Dịch vụ công] Tài khoản đã tồn tại"
    assert "đã có một tài khoản dùng địa chỉ e-mail này" in message.body
    assert "/tai-khoan/password/reset/" in message.body


def test_password_reset_page_is_vietnamese(client):
    text = main_text(client.get(reverse("account_reset_password")))
    assert_vietnamese(text, "Đặt lại mật khẩu", "Quên mật khẩu? Hãy nhập địa chỉ e-mail của bạn")


def test_email_management_page_is_vietnamese(client, citizen):
    client.force_login(citizen)
    text = main_text(client.get(reverse("account_email")))
    assert_vietnamese(text, "Địa chỉ e-mail", "Đã xác nhận", "Chính", "Thêm e-mail", citizen.email)


def test_password_change_page_is_vietnamese(client, citizen):
    client.force_login(citizen)
    text = main_text(client.get(reverse("account_change_password")))
    assert_vietnamese(text, "Đổi mật khẩu", "Mật khẩu hiện tại", "Nhập lại mật khẩu mới")
    response = client.post(
        reverse("account_change_password"), {"oldpassword": "sai", "password1": "ngan", "password2": "ngan"}
    )
    assert_vietnamese(
        main_text(response),
        "Vui lòng nhập đúng mật khẩu hiện tại.",
        "Mật khẩu quá ngắn. Mật khẩu phải có ít nhất 8 ký tự.",
    )
    assert "too short" not in main_text(response)


def test_mfa_pages_are_vietnamese(client, citizen):
    client.force_login(citizen)
    text = main_text(client.get(reverse("mfa_index")))
    assert_vietnamese(text, "Xác thực hai lớp", "Ứng dụng xác thực", "Chưa bật ứng dụng xác thực.", "Mã khôi phục")
    # Turning on TOTP asks for the password again first (force_login records no recent login).
    response = client.get(reverse("mfa_activate_totp"), follow=True)
    reauthenticate_url = response.redirect_chain[-1][0]
    assert_vietnamese(main_text(response), "Xác nhận quyền truy cập", "Nhập mật khẩu của bạn:")
    response = client.post(reauthenticate_url, {"password": "correct horse battery staple"}, follow=True)
    assert_vietnamese(
        main_text(response),
        "Bật ứng dụng xác thực",
        "quét mã QR",
        "Khóa bí mật của ứng dụng xác thực",
        "Mã từ ứng dụng xác thực",
    )
    response = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert_vietnamese(main_text(response), "Mã xác thực không đúng.")


def test_flash_messages_are_vietnamese(client, citizen):
    response = client.post(
        reverse("account_login"), {"login": citizen.email, "password": "correct horse battery staple"}, follow=True
    )
    assert f"Đăng nhập thành công với tài khoản {citizen.full_name}." in response.content.decode()
    response = client.post(reverse("account_logout"), follow=True)
    assert "Bạn đã đăng xuất." in response.content.decode()


def test_confirmation_email_is_vietnamese(client):
    client.post(
        reverse("account_signup"),
        {"email": "binh@example.vn", "password1": "mot hai ba bon nam", "password2": "mot hai ba bon nam"},
    )
    [message] = mail.outbox
    assert message.subject == "[Dịch vụ công] Xác nhận địa chỉ e-mail của bạn"
    assert message.body.startswith(f"{settings.PORTAL_NAME} xin kính chào!")
    assert "Để xác nhận địa chỉ e-mail, vui lòng mở đường dẫn sau:" in message.body
    assert re.search(r"^http://testserver/tai-khoan/confirm-email/\S+/$", message.body, re.MULTILINE)
    assert f"Cảm ơn bạn đã sử dụng {settings.PORTAL_NAME}!" in message.body
    assert "Hello" not in message.body and "Please" not in message.body


def test_password_reset_email_is_vietnamese(client, citizen):
    client.post(reverse("account_reset_password"), {"email": citizen.email})
    [message] = mail.outbox
    assert message.subject == "[Dịch vụ công] Đặt lại mật khẩu"
    assert "đã yêu cầu đặt lại mật khẩu cho tài khoản của bạn" in message.body
    assert "/tai-khoan/password/reset/key/" in message.body
    assert "password reset" not in message.body.lower()


def test_pages_are_english_with_the_english_cookie(english):
    text = main_text(english.get(reverse("account_login")))
    assert "Sign In" in text and "Password" in text and "Remember Me" in text
    assert "Đăng nhập" not in text
    text = main_text(english.get(reverse("account_signup")))
    assert "Sign Up" in text and "Password (again)" in text
    text = main_text(english.get(reverse("account_reset_password")))
    assert "Reset My Password" in text


def test_logged_in_pages_are_english_with_the_english_cookie(english, citizen):
    english.force_login(citizen)
    assert "Email Addresses" in main_text(english.get(reverse("account_email")))
    text = main_text(english.get(reverse("mfa_index")))
    assert "Two-Factor Authentication" in text and "Recovery Codes" in text
    assert "Xác thực" not in text


def test_emails_are_english_with_the_english_cookie(english, citizen):
    english.post(
        reverse("account_signup"),
        {"email": "binh@example.vn", "password1": "mot hai ba bon nam", "password2": "mot hai ba bon nam"},
    )
    english.post(reverse("account_reset_password"), {"email": citizen.email})
    confirmation, reset = mail.outbox
    assert confirmation.subject == "[Dịch vụ công] Please Confirm Your Email Address"
    assert confirmation.body.startswith(f"Hello from {settings.PORTAL_NAME}!")
    assert reset.subject == "[Dịch vụ công] Password Reset Email"
    assert "requested a password reset" in reset.body
