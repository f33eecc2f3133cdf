"""The officials' admin: 404 to everyone but staff, and only with a second factor."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from portal.security.constants import AuditAction
from portal.security.models import AuditEntry
from tests.security.conftest import SECRET, TIME_STEP, admin_url, authenticators, sign_in, totp_code
from tests.security.factories import PASSWORD, OfficialFactory

pytestmark = pytest.mark.django_db

ADMIN_PATHS = [
    "",
    "portal/user",  # without the slash: no APPEND_SLASH redirect that would reveal the admin
    "login/",
    "logout/",
    "password_change/",
    "portal/user/",
    "portal/user/add/",
    "security/auditentry/",
    "does-not-exist/",
]


@pytest.mark.parametrize("path", ADMIN_PATHS)
def test_anonymous_gets_404_on_every_admin_url(client, path):
    assert client.get(admin_url(path)).status_code == 404
    assert client.post(admin_url(path), {"username": "x", "password": "y"}).status_code == 404


def test_the_admin_prefix_without_slash_looks_like_any_unknown_page(client):
    assert client.get("/" + settings.ADMIN_URL.rstrip("/")).status_code == 404
    assert client.get("/khong-co-trang-nay").status_code == 404


@pytest.mark.parametrize("path", ADMIN_PATHS)
def test_citizen_gets_404_on_every_admin_url(client, resident, path):
    client.force_login(resident)
    assert client.get(admin_url(path)).status_code == 404


@pytest.mark.parametrize("path", ["", "portal/user/", "portal/user/add/", "security/auditentry/", "password_change/"])
def test_official_without_second_factor_is_sent_to_set_it_up(client, official, path):
    sign_in(client, official)
    response = client.get(admin_url(path))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    assert client.post(admin_url(path), {}).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_official_sets_up_totp_then_opens_the_admin(client, official):
    # A real transaction: allauth announces the new authenticator on commit, inside the request.
    sign_in(client, official)
    response = client.get(admin_url(), follow=True)
    # allauth asks for the password again before a second factor is added.
    assert response.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
    response = client.post(
        f"{reverse('account_reauthenticate')}?next={reverse('mfa_activate_totp')}", {"password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = page.context["form"].secret

    wrong = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret, TIME_STEP + 9)})
    assert wrong.status_code == 200 and authenticators(official) == []

    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_view_recovery_codes")  # recovery codes are on
    assert authenticators(official) == ["recovery_codes", "totp"]
    added = AuditEntry.objects.filter(actor=official, action=AuditAction.SECOND_FACTOR_ADDED)
    assert sorted(added.values_list("changes", flat=True)) == ["recovery_codes", "totp"]
    for path in ["", "portal/user/", "security/auditentry/"]:
        assert client.get(admin_url(path)).status_code in (200, 403), path
    assert client.get(admin_url()).status_code == 200


def test_official_with_totp_must_pass_the_second_factor_at_sign_in(client, official_with_totp):
    response = sign_in(client, official_with_totp)
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    assert client.get(admin_url()).status_code == 404

    wrong = client.post(reverse("mfa_authenticate"), {"code": totp_code(step=TIME_STEP - 1)})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session

    assert client.post(reverse("mfa_authenticate"), {"code": totp_code()}).status_code == 302
    assert client.session["_auth_user_id"] == str(official_with_totp.pk)
    assert client.get(admin_url()).status_code == 200


def test_a_used_totp_code_is_refused_the_second_time(client, official_with_totp):
    sign_in(client, official_with_totp)
    client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session

    sign_in(client, official_with_totp)
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_session_without_the_second_factor_is_asked_for_a_code(client, official_with_totp):
    # A session opened before the official turned on TOTP (force_login skips allauth's stages).
    from django.contrib.auth.models import Permission

    official_with_totp.user_permissions.add(Permission.objects.get(codename="view_user"))
    client.force_login(official_with_totp)
    response = client.get(admin_url("portal/user/"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    response = client.post(response["Location"], {"code": totp_code()})
    assert response["Location"] == admin_url("portal/user/")
    assert client.get(admin_url("portal/user/")).status_code == 200


def test_bare_admin_login_authenticates_nobody(official_with_totp):
    factory = RequestFactory()
    request = factory.post(
        admin_url("login/") + "?next=" + admin_url("portal/user/"),
        {"username": official_with_totp.email, "password": PASSWORD},
    )
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    request.session = {}
    response = admin.site.login(request)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=" in response["Location"]
    assert request.session == {}


def test_admin_login_sends_a_signed_in_official_on_without_switching_user(mfa_admin_client):
    other = OfficialFactory()
    response = mfa_admin_client.post(admin_url("login/"), {"username": other.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == admin_url()
    assert mfa_admin_client.session["_auth_user_id"] == str(mfa_admin_client.user.pk)


def test_official_cannot_turn_off_the_only_second_factor(mfa_admin_client):
    mfa_admin_client.post(f"{reverse('account_reauthenticate')}", {"password": PASSWORD})
    response = mfa_admin_client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 200
    assert "totp" in authenticators(mfa_admin_client.user)


def test_citizen_may_turn_off_the_second_factor(client, resident):
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(resident, SECRET)
    sign_in(client, resident)
    client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert "totp" not in authenticators(resident)


def test_official_is_told_in_vietnamese_why_the_admin_did_not_open(client, official):
    sign_in(client, official)
    response = client.get(admin_url(), follow=True)
    assert "Cán bộ phải bật xác thực hai lớp" in response.content.decode()


def test_admin_password_change_goes_through_allauth(mfa_admin_client):
    response = mfa_admin_client.get(admin_url("password_change/"))
    assert response.status_code == 302
    assert response["Location"] == reverse("account_change_password")
