"""The small test override: fast hashing, files in a temporary folder, mail in memory."""

import os
import tempfile

os.environ.setdefault("DEBUG", "1")

from portal.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = tempfile.mkdtemp(prefix="portal-test-media-")
STATIC_ROOT = tempfile.mkdtemp(prefix="portal-test-static-")
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
SMS_BACKEND = "portal.notifications.sms.LocmemBackend"
# The mock gateway's shared secret (DEBUG is off under pytest, so the
# development defaults do not apply).
PAYMENT_GATEWAY_SECRET = "test-shared-secret-0123456789"
