from __future__ import annotations

import os

import pytest

from portal.servicecheck import reachable

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def pytest_collection_modifyitems(config, items):
    """Skip service tests where the environment names no such service. Where it names one
    that cannot be reached, skip too, or fail the run with REQUIRE_SERVICES=1."""
    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    redis_url = os.environ.get("REDIS_URL")
    status = {
        "postgres": (bool(os.environ.get("DATABASE_URL")), on_postgres),
        "redis": (bool(redis_url), bool(redis_url) and reachable(redis_url, 6379)),
    }
    status["celery_worker"] = status["redis"]
    for marker, (named, present) in status.items():
        if named and not present and REQUIRE_SERVICES and any(i.get_closest_marker(marker) for i in items):
            raise pytest.UsageError(f"REQUIRE_SERVICES=1 but the service for '{marker}' cannot be reached")
    for item in items:
        for marker, (_named, present) in status.items():
            if item.get_closest_marker(marker) and not present:
                item.add_marker(pytest.mark.skip(reason=f"{marker}: service not configured or not reachable"))


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path):
    from django.core.cache import cache

    from portal.rendercache import clear_local_layers
    from procedures.assistant import ratelimit

    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    clear_local_layers()
    ratelimit.forget()  # the hotline's per-process memory of addresses over its limit
    yield


@pytest.fixture
def citizen(django_user_model):
    from allauth.account.models import EmailAddress

    user = django_user_model.objects.create_user(
        email="an.nguyen@example.vn",
        password="correct horse battery staple",
        full_name="Nguyễn Văn An",
        citizen_id="001090012345",
        phone="+84912345678",
        address="12 Lê Lợi, Hà Nội",
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def login_official(client, user) -> None:
    """Log an official into the back office as if through the whole sign-in: the admin
    requires an activated second factor and its proof in the session (portal.security)."""
    import time

    from allauth.mfa.totp.internal import auth as totp_auth

    from portal.security.constants import SESSION_SECOND_FACTOR

    if not user.authenticator_set.exists():
        totp_auth.TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    client.force_login(user)
    session = client.session
    session[SESSION_SECOND_FACTOR] = {"user": str(user.pk), "at": time.time()}
    session.save()


@pytest.fixture
def official_login():
    return login_official


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's admin_client, signed in with the second factor the back office requires."""
    login_official(client, admin_user)
    return client


def unreachable_cache():
    """The portal's cache backend with Redis away: nothing listens on port 1, so every
    connection is refused at once (reads miss, writes are dropped: portal.cache)."""
    from portal.cache import SoftFailRedisCache

    return SoftFailRedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 2}})
