"""Sessions: a new id at sign-in, idle and absolute timeouts, ended on the server."""

from __future__ import annotations

import time
from importlib import import_module

import pytest
from django.conf import settings
from django.urls import reverse

from portal.security.constants import SESSION_LAST_ACTIVITY, SESSION_LOGIN_AT, AuditAction
from portal.security.models import AuditEntry
from tests.security.conftest import sign_in
from tests.security.factories import PASSWORD

pytestmark = pytest.mark.django_db


def session_exists(key: str) -> bool:
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    return store.exists(key)


def shift_clock(client, *, idle: float = 0, since_login: float = 0) -> None:
    """Pretend the last request was ``idle`` seconds ago and sign-in ``since_login`` ago."""
    session = client.session
    now = time.time()
    session[SESSION_LAST_ACTIVITY] = now - idle
    session[SESSION_LOGIN_AT] = now - max(since_login, idle)
    session.save()


def test_signing_in_gives_a_new_session_id(client, resident):
    session = client.session
    session["visited"] = True
    session.save()
    before = session.session_key
    assert session_exists(before)

    sign_in(client, resident)
    after = client.session.session_key
    assert client.session["_auth_user_id"] == str(resident.pk)
    assert after != before
    assert not session_exists(before)


def test_sign_in_stores_login_time_and_activity(client, resident):
    sign_in(client, resident)
    session = client.session
    assert abs(session[SESSION_LOGIN_AT] - time.time()) < 60
    assert session[SESSION_LAST_ACTIVITY] == session[SESSION_LOGIN_AT]


def test_citizen_idle_beyond_the_limit_is_signed_out(client, resident):
    sign_in(client, resident)
    key = client.session.session_key
    shift_clock(client, idle=settings.SESSION_IDLE_TIMEOUT_CITIZEN + 5)
    response = client.get(reverse("portal:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=" in response["Location"]
    assert not session_exists(key)
    assert "_auth_user_id" not in client.session


def test_citizen_idle_within_the_limit_stays_and_activity_is_refreshed(client, resident):
    sign_in(client, resident)
    shift_clock(client, idle=settings.SESSION_IDLE_TIMEOUT_CITIZEN - 120)
    assert client.get(reverse("portal:profile")).status_code == 200
    assert time.time() - client.session[SESSION_LAST_ACTIVITY] < 60


def test_official_idle_timeout_is_shorter(client, official):
    assert settings.SESSION_IDLE_TIMEOUT_STAFF < settings.SESSION_IDLE_TIMEOUT_CITIZEN
    sign_in(client, official)
    shift_clock(client, idle=settings.SESSION_IDLE_TIMEOUT_STAFF + 5)
    response = client.get(reverse("portal:profile"))
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.get(actor=official, action=AuditAction.SESSION_EXPIRED).changes == "idle"


def test_idle_timeouts_come_from_settings(client, resident, settings):
    settings.SESSION_IDLE_TIMEOUT_CITIZEN = 90
    sign_in(client, resident)
    shift_clock(client, idle=80)
    assert client.get(reverse("portal:profile")).status_code == 200
    shift_clock(client, idle=100)
    assert client.get(reverse("portal:profile")).status_code == 302


def test_absolute_lifetime_ends_even_an_active_session(client, resident):
    sign_in(client, resident)
    key = client.session.session_key
    shift_clock(client, idle=0, since_login=settings.SESSION_ABSOLUTE_LIFETIME + 5)
    # shift_clock keeps the last activity at "now": the user is active, yet the session is too old.
    session = client.session
    session[SESSION_LAST_ACTIVITY] = time.time()
    session.save()
    response = client.get(reverse("portal:profile"))
    assert response.status_code == 302
    assert not session_exists(key)


def test_logout_deletes_the_session_on_the_server(client, resident):
    sign_in(client, resident)
    key = client.session.session_key
    assert session_exists(key)
    client.post(reverse("account_logout"))
    assert not session_exists(key)


def test_password_change_ends_the_other_sessions(client, resident, django_user_model):
    from django.test import Client

    other = Client()
    sign_in(other, resident)
    other_key = other.session.session_key
    sign_in(client, resident)
    assert other.get(reverse("portal:profile")).status_code == 200

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "bon mua xuan ha thu dong", "password2": "bon mua xuan ha thu dong"},
    )
    assert response.status_code == 302
    # This device stays signed in; the other one is ended on the server.
    assert client.get(reverse("portal:profile")).status_code == 200
    assert not session_exists(other_key)
    response = other.get(reverse("portal:profile"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_password_reset_ends_every_session(client, resident):
    import re

    from django.core import mail
    from django.test import Client

    signed_in = Client()
    sign_in(signed_in, resident)
    key = signed_in.session.session_key

    client.post(reverse("account_reset_password"), {"email": resident.email})
    link = re.search(r"https?://[^/\s]+(/\S+)", mail.outbox[-1].body).group(1)
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
    response = client.post(form_url, {"password1": "bon mua xuan ha thu dong", "password2": "bon mua xuan ha thu dong"})
    assert response.status_code == 302
    assert not session_exists(key)


def test_expiry_explains_itself_in_vietnamese(client, resident):
    sign_in(client, resident)
    shift_clock(client, idle=settings.SESSION_IDLE_TIMEOUT_CITIZEN + 5)
    response = client.get(reverse("portal:profile"), follow=True)
    assert "Bạn đã được đăng xuất do không thao tác" in response.content.decode()


def test_citizen_sees_and_can_end_their_other_sessions(client, resident):
    from allauth.usersessions.models import UserSession
    from django.test import Client

    other = Client(HTTP_USER_AGENT="Other phone")
    sign_in(other, resident)
    other_key = other.session.session_key
    sign_in(client, resident)
    page = client.get(reverse("usersessions_list"))
    assert page.status_code == 200
    assert UserSession.objects.filter(user=resident).count() == 2
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.post(reverse("usersessions_list"), {"action": "end"})
    assert not session_exists(other_key)
    assert client.get(reverse("portal:profile")).status_code == 200
