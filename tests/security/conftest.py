from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal import auth as totp_auth
from django.conf import settings
from django.urls import reverse

from tests.security.factories import PASSWORD, CitizenFactory, OfficialFactory

# A fixed TOTP time step: the server sees the same "now" for codes as the test that makes
# them, so a test never straddles a 30-second boundary.
TIME_STEP = 58_000_000
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(secret: str = SECRET, step: int = TIME_STEP) -> str:
    return totp_auth.format_hotp_value(totp_auth.hotp_value(secret, step))


def admin_url(path: str = "") -> str:
    return "/" + settings.ADMIN_URL + path


def sign_in(client, user, password: str = PASSWORD):
    return client.post(reverse("account_login"), {"login": user.email, "password": password})


@pytest.fixture(autouse=True)
def _fixed_totp_step(monkeypatch):
    monkeypatch.setattr(totp_auth, "yield_hotp_counters_from_time", lambda: iter([TIME_STEP]))


@pytest.fixture
def official(db):
    return OfficialFactory()


@pytest.fixture
def official_with_totp(db):
    user = OfficialFactory()
    totp_auth.TOTP.activate(user, SECRET)
    return user


@pytest.fixture
def resident(db):
    return CitizenFactory()


@pytest.fixture
def mfa_admin_client(client, official_with_totp):
    """An official signed in through allauth with password and a TOTP code."""
    sign_in(client, official_with_totp)
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert response.status_code == 302, response
    assert client.session["_auth_user_id"] == str(official_with_totp.pk)
    client.user = official_with_totp
    return client


def authenticators(user) -> list[str]:
    return sorted(Authenticator.objects.filter(user=user).values_list("type", flat=True))
