"""The catalogue's public pages are cached under a catalogue version (procedures.pagecache):
served again without a query, rendered anew after any change of the catalogue, and never
carrying one visitor's CSRF token, menu or messages to another."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.urls import reverse

from portal.rendercache import VersionedRenderCache
from procedures.pagecache import CATALOGUE_PAGES
from procedures.services import catalogue_changed
from tests.procedures.catalogue_factories import AgencyFactory, ProcedureFactory

pytestmark = pytest.mark.django_db
LIST_URL = reverse("procedures:list")
HOME_URL = reverse("portal:home")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def procedure(db):
    return ProcedureFactory(name="Cấp giấy phép xây dựng nhà ở riêng lẻ", popularity=99)


def test_procedure_page_is_served_again_without_a_query(client, procedure, django_assert_num_queries):
    assert "Cấp giấy phép xây dựng nhà ở riêng lẻ" in client.get(procedure.get_absolute_url()).content.decode()
    with django_assert_num_queries(0):
        again = client.get(procedure.get_absolute_url())
    assert "Cấp giấy phép xây dựng nhà ở riêng lẻ" in again.content.decode()


def test_a_catalogue_change_shows_at_once(client, procedure, django_capture_on_commit_callbacks):
    for url in (procedure.get_absolute_url(), HOME_URL, LIST_URL + "?q=xay+dung"):
        assert "nhà ở riêng lẻ" in client.get(url).content.decode(), url
    procedure.name = "Cấp giấy phép sửa chữa nhà ở"
    procedure.save()
    with django_capture_on_commit_callbacks(execute=True):
        catalogue_changed(procedure_ids=[procedure.pk])
    for url in (procedure.get_absolute_url(), HOME_URL, LIST_URL + "?q=sua+chua"):
        html = client.get(url).content.decode()
        assert "Cấp giấy phép sửa chữa nhà ở" in html and "nhà ở riêng lẻ" not in html, url


def test_an_agency_edited_in_the_admin_shows_on_the_procedure_page(
    admin_client, client, django_capture_on_commit_callbacks
):
    agency = AgencyFactory(name="Bộ phận Một cửa huyện Bình Sơn", phone="0281 3823 456")
    procedure = ProcedureFactory(agencies=[agency])
    assert "0281 3823 456" in client.get(procedure.get_absolute_url()).content.decode()
    change = reverse("admin:procedures_agency_change", args=[agency.pk])
    form = admin_client.get(change).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(phone="0281 3999 999", level=agency.level_id, parent="")
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(change, data).status_code == 302
    html = client.get(procedure.get_absolute_url()).content.decode()
    assert "0281 3999 999" in html and "0281 3823 456" not in html


def test_another_process_sees_the_change_through_the_shared_version(procedure):
    other = VersionedRenderCache(name=CATALOGUE_PAGES.name, timeout=300, local_entries=10, check_every=0)
    first = other.get_or_render(("probe",), lambda: "before")
    assert other.get_or_render(("probe",), lambda: "after") == first == "before"
    CATALOGUE_PAGES.bump()  # what catalogue_changed() does once its transaction commits
    assert other.get_or_render(("probe",), lambda: "after") == "after"


def test_an_unknown_code_is_a_404_and_is_not_cached(client, db):
    url = reverse("procedures:detail", kwargs={"code": "0.404404"})
    assert client.get(url).status_code == 404
    ProcedureFactory(code="0.404404", name="Thủ tục vừa thêm")
    assert "Thủ tục vừa thêm" in client.get(url).content.decode()


def test_search_results_stay_in_their_process_while_procedure_pages_are_shared(
    client, procedure, django_assert_num_queries, django_assert_max_num_queries
):
    html = client.get(LIST_URL, {"q": "xay dung", "utm_source": "zalo"}).content.decode()
    assert "nhà ở riêng lẻ" in html
    # Parameters the page does not read are neither in its content nor in its cache key.
    assert "utm_source" not in html[html.index("<main") : html.index("</main>")]
    with django_assert_num_queries(0):
        client.get(LIST_URL, {"q": "xay dung"})
    client.get(procedure.get_absolute_url())
    CATALOGUE_PAGES.clear_local()  # as another process sees it
    with django_assert_num_queries(0):
        assert "nhà ở riêng lẻ" in client.get(procedure.get_absolute_url()).content.decode()
    # Visitors choose the queries: their results never go to the shared cache.
    CATALOGUE_PAGES.clear_local()
    with django_assert_max_num_queries(10) as queries:
        client.get(LIST_URL, {"q": "xay dung"})
    assert len(queries) > 0


def test_the_search_title_escapes_the_query(client, db):
    html = client.get(LIST_URL, {"q": "<b>x</b>"}).content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert "&lt;b&gt;x&lt;/b&gt;" in title and "<b>" not in title


def test_cached_pages_carry_each_visitors_own_csrf_token(citizen, procedure):
    from django.test import Client

    # Anonymous pages have no form that needs one (tests/portal/test_pages.py); a signed-in
    # visitor's have the logout form.
    tokens = set()
    for _ in range(3):
        visitor = Client()
        visitor.force_login(citizen)
        for url in (procedure.get_absolute_url(), HOME_URL, LIST_URL + "?q=xay+dung"):
            html = visitor.get(url).content.decode()
            tokens.update(CSRF_INPUT.findall(html))
        assert visitor.cookies["csrftoken"].value
    assert len(tokens) == 9  # one masked token a page: never copied from a cached page


def test_the_language_link_returns_to_each_requests_own_path(client, procedure):
    from urllib.parse import quote

    switch = reverse("portal:switch_language", args=["en"])
    for url in (LIST_URL + "?q=xay+dung", LIST_URL + "?q=xay+dung&utm_source=zalo", procedure.get_absolute_url()):
        html = client.get(url).content.decode()
        assert f'href="{switch}?next={quote(url, safe="/")}"' in html, url


def test_signed_in_menu_and_messages_stay_with_their_visitor(client, citizen, procedure):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpRequest
    from django.test import Client

    client.force_login(citizen)
    client.cookies["messages"] = CookieStorage(HttpRequest())._encode([Message(constants.INFO, "Tin riêng của An")])
    signed_in = client.get(procedure.get_absolute_url()).content.decode()
    assert reverse("account_logout") in signed_in and reverse("applications:my_dossiers") in signed_in
    assert "Tin riêng của An" in signed_in
    anonymous = Client().get(procedure.get_absolute_url()).content.decode()
    assert reverse("account_logout") not in anonymous and reverse("applications:my_dossiers") not in anonymous
    assert reverse("account_login") in anonymous and "Tin riêng của An" not in anonymous
    assert "Tin riêng của An" not in client.get(procedure.get_absolute_url()).content.decode()  # shown once


def test_each_language_has_its_own_page(client, procedure):
    from django.conf import settings

    assert "Thủ tục hành chính" in client.get(LIST_URL).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(LIST_URL).content.decode()
    assert "Administrative procedures" in english and '<html lang="en">' in english
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    assert '<html lang="vi">' in client.get(LIST_URL).content.decode()


def test_a_memoised_fragment_refuses_a_csrf_token_or_a_block():
    with pytest.raises(TemplateSyntaxError, match="csrf_token"):
        Template('{% load portal_fragments %}{% memo "x" %}<form>{% csrf_token %}</form>{% endmemo %}')
    with pytest.raises(TemplateSyntaxError, match="block"):
        Template('{% load portal_fragments %}{% memo "x" %}{% block b %}{% endblock %}{% endmemo %}')


def test_a_memoised_fragment_varies_on_its_values_only():
    template = Template('{% load portal_fragments %}{% memo "test-vary" signed_in %}{{ name }}{% endmemo %}')
    assert template.render(Context({"signed_in": False, "name": "first"})) == "first"
    assert template.render(Context({"signed_in": False, "name": "second"})) == "first"
    assert template.render(Context({"signed_in": True, "name": "third"})) == "third"
