from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_is_vietnamese_by_default_even_for_english_browsers(client):
    response = client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="vi">' in page
    assert "Tìm thủ tục hành chính" in page
    assert 'href="#main"' in page  # skip link


def test_language_switcher_shows_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    page = client.get(reverse("portal:home")).content.decode()
    assert '<html lang="en">' in page
    assert "Find an administrative procedure" in page


def test_account_pages_use_the_portal_layout_in_vietnamese(client):
    for name in ("account_login", "account_signup", "account_reset_password"):
        page = client.get(reverse(name)).content.decode()
        assert "skip-link" in page, name
        assert '<html lang="vi">' in page


def test_seed_demo_is_idempotent(django_user_model, settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    count = django_user_model.objects.count()
    call_command("seed_demo")
    assert django_user_model.objects.count() == count
    out = capsys.readouterr().out
    assert "congdan@example.vn" in out


def test_seed_demo_hides_passwords_without_debug(settings, capsys):
    settings.DEBUG = False
    call_command("seed_demo")
    assert "demo-congdan" not in capsys.readouterr().out
