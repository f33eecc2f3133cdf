"""Which of the services named by the environment can be reached (used by ``make test``).

Prints shell lines for ``eval``: a service that is named but unreachable is unset so the
run falls back to the embedded mode (and the tests that need it skip), unless
``REQUIRE_SERVICES=1``, in which case the run fails here with one line saying why.
"""

from __future__ import annotations

import os
import socket
import sys
from urllib.parse import urlparse


def reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=3):
            return True
    except OSError:
        return False


def main() -> int:
    require = os.environ.get("REQUIRE_SERVICES") == "1"
    failed = False
    for name, port in (("DATABASE_URL", 5432), ("REDIS_URL", 6379)):
        url = os.environ.get(name)
        if not url or url.startswith("sqlite"):
            continue
        if reachable(url, port):
            print(f"echo 'services: {name} reachable' >&2")
        elif require:
            print(f"echo 'services: {name} is set but cannot be reached, and REQUIRE_SERVICES=1' >&2")
            failed = True
        else:
            print(f"echo 'services: {name} unreachable: falling back to the embedded mode' >&2; unset {name}")
    if failed:
        print("false")
    return 0


if __name__ == "__main__":
    sys.exit(main())
