"""Payment settings, read when used (never at import time)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULT_GATEWAY = "payments.gateways.mock.MockGateway"
# Only for DEBUG: production must set PAYMENT_GATEWAY_SECRET (the deploy check says so).
DEV_SECRET = "dev-only-payment-secret-not-for-production"  # noqa: S105


def gateway_path() -> str:
    return getattr(settings, "PAYMENT_GATEWAY", "") or DEFAULT_GATEWAY


def gateway_secret() -> str:
    secret = getattr(settings, "PAYMENT_GATEWAY_SECRET", "") or ""
    if secret:
        return secret
    if settings.DEBUG:
        return DEV_SECRET
    raise ImproperlyConfigured("PAYMENT_GATEWAY_SECRET is missing: production needs the gateway's shared secret.")


def merchant_code() -> str:
    return getattr(settings, "PAYMENT_TMN_CODE", "") or "DVCBINHAN"


def payment_lifetime() -> dt.timedelta:
    return dt.timedelta(minutes=int(getattr(settings, "PAYMENT_EXPIRY_MINUTES", 15)))


def notification_max_age() -> dt.timedelta:
    return dt.timedelta(minutes=int(getattr(settings, "PAYMENT_NOTIFICATION_MAX_AGE_MINUTES", 10)))


def site_url() -> str:
    return settings.SITE_URL.rstrip("/")
