from __future__ import annotations

import html
import re
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_is_vietnamese_by_default_even_for_english_browsers(client):
    response = client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="vi">' in page
    assert "Tìm thủ tục hành chính" in page
    assert 'href="#main"' in page  # skip link


def _language_link(page: str, code: str) -> str:
    match = re.search(rf'<a href="([^"]+)" lang="{code}" hreflang="{code}"[^>]*class="lang-link"', page)
    assert match, f"no link to {code}"
    return html.unescape(match.group(1))


def test_language_switcher_shows_english(client):
    home = client.get(reverse("portal:home")).content.decode()
    link = _language_link(home, "en")
    assert link == reverse("portal:switch_language", args=["en"]) + "?next=/"
    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == "/"
    response = client.get(response["Location"])
    page = response.content.decode()
    assert '<html lang="en">' in page and response["Content-Language"] == "en"
    assert "Find an administrative procedure" in page
    # And back: the English page links to Vietnamese.
    response = client.get(_language_link(page, "vi"), follow=True)
    assert '<html lang="vi">' in response.content.decode() and response["Content-Language"] == "vi"


def test_language_link_comes_back_to_the_same_page_with_its_query(client):
    url = reverse("procedures:list") + "?q=xay+dung&page=2"
    link = _language_link(client.get(url).content.decode(), "en")
    assert link.endswith("?next=" + quote(url, safe="/"))
    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == url


@pytest.fixture
def procedure():
    from tests.procedures.catalogue_factories import ProcedureFactory

    return ProcedureFactory(name="Cấp giấy phép xây dựng nhà ở riêng lẻ")


def test_anonymous_catalogue_pages_set_no_cookie(procedure):
    """Nothing on these pages belongs to one visitor: no CSRF token, so no csrftoken cookie
    and no Set-Cookie at all, which lets a proxy cache them."""
    client = Client()
    for url in (reverse("portal:home"), reverse("procedures:list"), procedure.get_absolute_url()):
        for _ in range(2):  # the page rendered, then from the page cache
            response = client.get(url)
            assert response.status_code == 200, url
            assert "Set-Cookie" not in response.headers and not response.cookies, (url, response.cookies)
            assert "csrfmiddlewaretoken" not in response.content.decode(), url
    assert not client.cookies


def test_switch_language_sets_the_same_cookie_as_django_set_language(client, settings):
    settings.LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
    settings.LANGUAGE_COOKIE_PATH = "/"
    settings.LANGUAGE_COOKIE_DOMAIN = "testserver"
    settings.LANGUAGE_COOKIE_SECURE = True
    settings.LANGUAGE_COOKIE_HTTPONLY = True
    settings.LANGUAGE_COOKIE_SAMESITE = "Lax"
    ours = client.get(reverse("portal:switch_language", args=["en"])).cookies[settings.LANGUAGE_COOKIE_NAME]
    django = client.post(reverse("set_language"), {"language": "en"}).cookies[settings.LANGUAGE_COOKIE_NAME]
    assert ours.value == django.value == "en"
    attributes = ("max-age", "path", "domain", "secure", "httponly", "samesite")
    assert {a: ours[a] for a in attributes} == {a: django[a] for a in attributes}
    assert ours["max-age"] == 365 * 24 * 3600 and ours["samesite"] == "Lax" and ours["secure"] and ours["httponly"]


def test_switch_language_with_the_default_cookie_settings(client, settings):
    response = client.get(reverse("portal:switch_language", args=["en"]), {"next": "/thu-tuc/"})
    assert response.status_code == 302 and response["Location"] == "/thu-tuc/"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en" and cookie["path"] == settings.LANGUAGE_COOKIE_PATH
    # The only cookie: no session, no CSRF token.
    assert list(response.cookies) == [settings.LANGUAGE_COOKIE_NAME]
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("query", "referer", "location"),
    [
        ({"next": "/thu-tuc/"}, "http://testserver/hoi-dap/", "/thu-tuc/"),
        ({}, "http://testserver/hoi-dap/", "http://testserver/hoi-dap/"),
        ({"next": "https://evil.example/"}, "http://testserver/hoi-dap/", "http://testserver/hoi-dap/"),
        ({"next": "https://evil.example/"}, "https://evil.example/", "/"),
        ({}, None, "/"),
    ],
)
def test_switch_language_goes_back_to_next_then_the_referer_then_home(client, query, referer, location):
    headers = {"referer": referer} if referer else {}
    response = client.get(reverse("portal:switch_language", args=["en"]), query, headers=headers)
    assert response.status_code == 302 and response["Location"] == location


@pytest.mark.parametrize("language", ["fr", "xx", "EN", "en-us", "vi-x"])
def test_switch_language_to_an_unknown_language_is_404(client, settings, language):
    response = client.get(reverse("portal:switch_language", args=[language]), {"next": "/"})
    assert response.status_code == 404
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_switch_language_is_get_only(client, settings, method):
    response = getattr(client, method)(reverse("portal:switch_language", args=["en"]))
    assert response.status_code == 405
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


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
