"""portal.auth: the signed-in user's row comes from the cache, and every change to it shows."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.auth import user_cache_key

pytestmark = pytest.mark.django_db

PAGE = "applications:my_dossiers"


def _user_queries(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if 'FROM "portal_user"' in q["sql"]]


def test_signed_in_requests_read_the_user_row_once(client, citizen):
    from django.db import connection

    client.force_login(citizen)
    with CaptureQueriesContext(connection) as first:
        assert client.get(reverse(PAGE)).status_code == 200
    with CaptureQueriesContext(connection) as second:
        assert client.get(reverse(PAGE)).status_code == 200
    assert len(_user_queries(first)) == 1
    assert _user_queries(second) == []
    assert cache.get(user_cache_key(citizen.pk)).email == citizen.email


def test_a_password_change_signs_the_old_sessions_out_at_once(client, citizen):
    client.force_login(citizen)
    assert client.get(reverse(PAGE)).status_code == 200  # the row is now cached
    citizen.set_password("another long passphrase 2026")
    citizen.save()
    response = client.get(reverse(PAGE))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_a_deactivated_user_is_signed_out_at_once(client, citizen):
    client.force_login(citizen)
    assert client.get(reverse(PAGE)).status_code == 200
    citizen.is_active = False
    citizen.save()
    assert client.get(reverse(PAGE)).status_code == 302


def test_a_deleted_user_is_signed_out(client, citizen):
    client.force_login(citizen)
    assert client.get(reverse(PAGE)).status_code == 200
    citizen.delete()
    assert client.get(reverse(PAGE)).status_code == 302
    assert cache.get(user_cache_key(citizen.pk)) is None


def test_a_profile_edit_shows_on_the_next_page(client, citizen):
    client.force_login(citizen)
    assert client.get(reverse("portal:profile")).status_code == 200
    user = get_user_model().objects.get(pk=citizen.pk)
    user.full_name = "Trần Thị Bình"
    user.save()
    assert "Trần Thị Bình" in client.get(reverse("portal:profile")).content.decode()


def test_an_inactive_row_in_the_cache_is_refused(client, citizen):
    """A row cached before a deactivation that bypassed save() is refused once it is read
    afresh; one read from the cache as inactive is refused too."""
    client.force_login(citizen)
    assert client.get(reverse(PAGE)).status_code == 200
    stale = cache.get(user_cache_key(citizen.pk))
    stale.is_active = False
    cache.set(user_cache_key(citizen.pk), stale, 60)
    assert client.get(reverse(PAGE)).status_code == 302


def test_the_database_answers_when_the_cache_is_down(client, citizen, monkeypatch):
    client.force_login(citizen)

    from tests.conftest import unreachable_cache

    monkeypatch.setattr("portal.auth.cache", unreachable_cache())  # the sessions' cache stays up
    assert client.get(reverse(PAGE)).status_code == 200
    citizen.save()  # dropping the row fails quietly too
    assert client.get(reverse(PAGE)).status_code == 200


def test_each_user_gets_their_own_row(client, citizen, django_user_model):
    other = django_user_model.objects.create_user(email="binh@example.vn", password="another long passphrase")
    other_client = client.__class__()
    client.force_login(citizen)
    other_client.force_login(other)
    for _ in range(2):
        assert citizen.email in client.get(reverse("portal:profile")).content.decode()
        body = other_client.get(reverse("portal:profile")).content.decode()
        assert other.email in body and citizen.email not in body


def test_staff_rights_revoked_take_effect_on_the_next_request(client):
    from tests.applications.factories import OfficialFactory
    from tests.conftest import login_official

    user = OfficialFactory().user
    login_official(client, user)
    changelist = reverse("admin:applications_dossier_changelist")
    assert client.get(changelist).status_code == 200
    user.is_staff = False
    user.save()
    assert client.get(changelist).status_code == 404  # the admin is hidden from non-staff at once


def test_staff_rows_are_kept_a_shorter_time(client, citizen, monkeypatch):
    from portal.auth import USER_CACHE_TTL, USER_CACHE_TTL_STAFF
    from tests.applications.factories import OfficialFactory
    from tests.conftest import login_official

    timeouts = {}
    real_set = cache.set

    def recording(key, value, timeout=None, *args, **kwargs):
        if key.startswith("authuser:"):
            timeouts[key] = timeout
        return real_set(key, value, timeout, *args, **kwargs)

    monkeypatch.setattr(cache, "set", recording)
    official = OfficialFactory().user
    login_official(client, official)
    client.get(reverse(PAGE))
    other = client.__class__()
    other.force_login(citizen)
    other.get(reverse(PAGE))
    assert timeouts == {user_cache_key(official.pk): USER_CACHE_TTL_STAFF, user_cache_key(citizen.pk): USER_CACHE_TTL}
    assert USER_CACHE_TTL_STAFF < USER_CACHE_TTL
