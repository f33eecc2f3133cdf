"""Failed-attempt counters in the cache (shared by every web process when the cache is Redis)."""

from __future__ import annotations

import hashlib

from django.core.cache import cache

LOOKUP_WINDOW_SECONDS = 600
LOOKUP_MAX_FAILURES = 10


def _key(kind: str, value: str) -> str:
    return "lookup-fail:" + kind + ":" + hashlib.sha256(value.encode()).hexdigest()[:32]


def lookup_blocked(*, ip: str, code: str) -> bool:
    counts = cache.get_many([_key("ip", ip), _key("code", code.lower())])
    return any(n >= LOOKUP_MAX_FAILURES for n in counts.values())


def lookup_failed(*, ip: str, code: str) -> None:
    for key in (_key("ip", ip), _key("code", code.lower())):
        # add() starts the window; incr() keeps its expiry.
        if not cache.add(key, 1, LOOKUP_WINDOW_SECONDS):
            try:
                cache.incr(key)
            except ValueError:
                cache.add(key, 1, LOOKUP_WINDOW_SECONDS)


def client_ip(request) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy rewrites it.
    return request.META.get("REMOTE_ADDR", "")
