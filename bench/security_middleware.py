"""What portal.security's middlewares cost a request: time and queries.

Run: .venv/bin/python bench/security_middleware.py [requests]
Embedded mode (SQLite, test settings). Prints the mean time of a signed-in citizen's profile
page and of an official's admin index, with and without the two middlewares, and the
queries each makes.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings_test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

SECURITY = ["portal.security.middleware.SessionTimeoutMiddleware", "portal.security.middleware.AdminAccessMiddleware"]


def measure(client: Client, url: str, n: int) -> tuple[float, int]:
    client.get(url)  # warm up
    executed: list[str] = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    # Django empties connection.queries at each request start: count with a wrapper instead.
    with connection.execute_wrapper(count):
        status = client.get(url).status_code
    assert status == 200, (url, status)
    start = time.perf_counter()
    for _ in range(n):
        client.get(url)
    return (time.perf_counter() - start) / n * 1000, len(executed)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    setup_test_environment()
    from django.test.utils import get_runner

    runner = get_runner(settings)(verbosity=0)
    old = runner.setup_databases()
    try:
        from allauth.mfa.totp.internal.auth import TOTP
        from allauth.usersessions.models import UserSession  # noqa: F401

        from portal.models import User
        from portal.security.constants import SESSION_SECOND_FACTOR

        citizen = User.objects.create_user(email="bench@example.vn", password="x" * 12)
        official = User.objects.create_user(email="cb@example.vn", password="x" * 12, is_staff=True, is_superuser=True)
        TOTP.activate(official, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
        without = [m for m in settings.MIDDLEWARE if m not in SECURITY]
        admin = "/" + settings.ADMIN_URL
        # Alternate the two set-ups a few times: the machine is shared, so single runs are noisy.
        for label, middleware in (("with", settings.MIDDLEWARE), ("without", without)) * 3:
            with override_settings(MIDDLEWARE=middleware):
                c = Client()
                c.force_login(citizen)
                profile_ms, profile_q = measure(c, "/tai-khoan/ho-so-ca-nhan/", n)
                o = Client()
                o.force_login(official)
                session = o.session
                session[SESSION_SECOND_FACTOR] = {"user": str(official.pk), "at": time.time()}
                session.save()
                admin_ms, admin_q = measure(o, admin, n)
            print(
                f"{label:>7} security middlewares: profile {profile_ms:.2f} ms/request ({profile_q} queries), "
                f"admin index {admin_ms:.2f} ms/request ({admin_q} queries)  [n={n}]"
            )
    finally:
        runner.teardown_databases(old)


if __name__ == "__main__":
    main()
