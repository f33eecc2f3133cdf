"""Health endpoint, security headers and the clean 503 page while the database is down."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_health_reports_database_and_services(client, settings):
    response = client.get(reverse("portal:health") + "?workers=0")
    assert response.status_code == 200
    body = response.json()
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"] in {"ok", "not configured"}


def test_security_headers_on_pages(client):
    response = client.get(reverse("portal:home"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_database_outage_gives_a_clean_vietnamese_503(client, monkeypatch):
    from portal import views

    def broken(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(views, "render", broken)
    response = client.get(reverse("portal:home"))
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    page = response.content.decode()
    assert "Traceback" not in page
    assert "Dịch vụ tạm thời gián đoạn" in page


def test_unknown_page_is_a_vietnamese_404(client):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()
