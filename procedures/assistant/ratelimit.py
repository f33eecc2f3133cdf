"""A fixed-window limit per client address, in the shared cache so that it holds across processes."""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache
from redis.exceptions import RedisError

from procedures.assistant import live

logger = logging.getLogger(__name__)
WINDOW_SECONDS = 60


def limit_exceeded(request, *, scope: str) -> bool:
    per_minute = getattr(settings, "ASSISTANT_RATE_LIMIT_PER_MINUTE", 60)
    address = request.META.get("REMOTE_ADDR", "unknown")
    name = f"assistant:rate:{scope}:{address}:{int(time.time() // WINDOW_SECONDS)}"
    redis = live.client()
    if redis is None:
        return _cache_count(name) > per_minute
    try:
        # One round trip (Django's cache.add + cache.incr took three: SET NX, EXISTS, INCR);
        # the window's first request gives its counter an expiry.
        key = live.key(name)
        count = redis.incr(key)
        if count == 1:
            redis.expire(key, WINDOW_SECONDS + 30)
    except RedisError as error:
        # Redis down: the hotline keeps answering, limited per process until it is back.
        logger.warning("assistant rate limit without Redis: %s", error.__class__.__name__)
        count = _local.count(name)
    return count > per_minute


def _cache_count(name: str) -> int:
    cache.add(name, 0, WINDOW_SECONDS + 30)
    try:
        return cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, WINDOW_SECONDS + 30)
        return 1


class _ProcessWindows:
    """Counters of the current windows in this process only: the fallback while Redis is away."""

    def __init__(self):
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self._window = 0

    def count(self, name: str) -> int:
        window = int(time.time() // WINDOW_SECONDS)
        with self._lock:
            if window != self._window:
                self._counts.clear()
                self._window = window
            self._counts[name] = self._counts.get(name, 0) + 1
            return self._counts[name]

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()


_local = _ProcessWindows()
