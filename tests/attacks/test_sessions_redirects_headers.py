"""Session fixation, open redirects and the security headers."""

from __future__ import annotations

import os
import subprocess
import sys
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from tests.portal.test_settings import PROD_ENV, ROOT

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
EVIL = [
    "https://evil.example/",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "http:evil.example",
    "https://testserver.evil.example/",
    " //evil.example",
    "/%09/evil.example",
]


def assert_stays_on_site(response, label: str) -> None:
    if response.status_code not in (301, 302, 303, 307, 308):
        return
    location = response["Location"]
    parts = urlsplit(location)
    assert parts.scheme in ("", "http", "https"), (label, location)
    assert parts.netloc in ("", "testserver"), (label, location)
    assert not location.startswith(("//", "/\\", "\\")), (label, location)
    # Browsers drop literal tabs and newlines from URLs ("/\t/evil" becomes "//evil").
    assert not any(c in location for c in "\t\r\n"), (label, location)
    assert urlsplit(location.replace("\\", "/")).netloc in ("", "testserver"), (label, location)


def test_session_key_changes_at_login(client, citizen):
    client.get(reverse("account_login"))
    session = client.session
    session["planted"] = "by an attacker"
    session.save()
    planted = session.session_key
    client.cookies["sessionid"] = planted
    response = client.post(reverse("account_login"), {"login": citizen.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session.session_key != planted
    assert client.session["_auth_user_id"] == str(citizen.pk)
    # The planted key is no longer a valid session for anyone.
    from django.contrib.sessions.backends.cached_db import SessionStore

    assert not SessionStore().exists(planted)


@pytest.mark.parametrize("target", EVIL)
def test_login_next_never_leaves_the_site(citizen, target):
    client = Client()
    page = client.get(reverse("account_login"), {"next": target})
    assert page.status_code == 200
    response = client.post(
        reverse("account_login") + "?next=" + target, {"login": citizen.email, "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert_stays_on_site(response, "login")


@pytest.mark.parametrize("target", EVIL)
def test_logout_and_language_switch_next_never_leave_the_site(client, citizen, target):
    client.force_login(citizen)
    # The header's language links (GET), with next in the query string (encoded, and raw as
    # a forged link would carry it), as the Referer, and both.
    switch = reverse("portal:switch_language", args=["en"])
    assert_stays_on_site(client.get(switch, {"next": target}), "switch_language")
    assert_stays_on_site(client.get(switch + "?next=" + target), "switch_language raw")
    assert_stays_on_site(client.get(switch, HTTP_REFERER=target), "switch_language referer")
    assert_stays_on_site(client.get(switch, {"next": target}, HTTP_REFERER=target), "switch_language both")
    # Django's POST endpoint, still routed.
    assert_stays_on_site(client.post(reverse("set_language"), {"language": "en", "next": target}), "set_language")
    assert_stays_on_site(
        client.post(reverse("set_language"), {"language": "vi"}, HTTP_REFERER=target), "set_language referer"
    )
    assert_stays_on_site(client.post(reverse("account_logout"), {"next": target}), "logout")


@pytest.mark.parametrize("target", EVIL)
def test_payment_return_and_delivery_pages_ignore_next(client, citizen, target):
    from tests.applications.factories import ProcessedDossierFactory

    client.force_login(citizen)
    dossier = ProcessedDossierFactory(citizen=citizen)
    response = client.get(reverse("payments:return"), {"vnp_TxnRef": "PAYX", "next": target, "returnUrl": target})
    assert response.status_code in (200, 400)
    assert target not in response.content.decode()
    for url in (
        reverse("delivery:request", args=[dossier.public_id]),
        reverse("delivery:confirm", args=[dossier.public_id]),
    ):
        assert_stays_on_site(client.get(url, {"next": target}), url)
        assert_stays_on_site(client.post(url, {"next": target, "cancel": "1"}), url)


# --- Headers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/thu-tuc/",
        "/hoi-dap/",
        "/tra-cuu-ho-so/",
        "/tai-khoan/login/",
        "/api/v1/procedures/",
        "/api/v1/openapi.json",
    ],
)
def test_security_headers_on_pages_and_api(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_security_headers_on_the_assistant_api_and_errors(client):
    api = client.post(reverse("assistant:api"), data={"text": "lệ phí"}, content_type="application/json")
    assert api["X-Content-Type-Options"] == "nosniff" and "frame-ancestors 'none'" in api["Content-Security-Policy"]
    missing = client.get("/khong-co-trang-nay/")
    assert missing.status_code == 404 and missing["X-Frame-Options"] == "DENY"


# The production environment of the deploy check in tests/portal/test_settings.py, plus the carrier's secret.
PRODUCTION_ENV = {**PROD_ENV, "DELIVERY_CARRIER_SECRET": "carrier-secret-0123456789abcdef"}

PROBE = """
import django
django.setup()
from django.conf import settings
from django.test import Client
from django.test.utils import setup_test_environment
settings.ALLOWED_HOSTS.append("testserver")
settings.STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
client = Client()
plain = client.get("/tra-cuu-ho-so/")
print("plain", plain.status_code, plain.get("Location", ""))
secure = client.get("/tra-cuu-ho-so/", secure=True, HTTP_HOST="dichvucong.example.vn")
print("hsts", secure.get("Strict-Transport-Security", ""))
print("cookie_secure", settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE)
csrf = secure.cookies.get("csrftoken")
print("csrf_cookie", bool(csrf and csrf["secure"]))
"""


def test_https_request_under_production_settings_gets_hsts_and_secure_cookies(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DATABASE_URL", "REDIS_URL", "SECRET_KEY")}
    env.update(PRODUCTION_ENV, DJANGO_SETTINGS_MODULE="portal.settings")
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert out.returncode == 0, out.stderr[-2000:]
    lines = dict(line.split(" ", 1) for line in out.stdout.strip().splitlines() if " " in line)
    assert lines["plain"].startswith("301 https://"), lines
    assert lines["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert lines["cookie_secure"] == "True True"
    assert lines["csrf_cookie"] == "True"
