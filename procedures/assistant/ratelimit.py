"""A fixed-window limit per client address, in the shared cache so that it holds across processes.

The hotline API counts an answer in the same Redis round trip that stores its turn
(``live.turn_push``), so the limit costs it no round trip of its own: ``Window`` names the
counter, ``count`` counts on its own (the chat page, a request refused unanswered, Redis
away), and ``exceeded`` remembers an address this process saw go over the limit, so that
its further requests in the window are refused before any work (``exceeded_here``).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from redis.exceptions import RedisError

from procedures.assistant import live

logger = logging.getLogger(__name__)
WINDOW_SECONDS = 60
# A window's counter outlives the window a little (clocks of the processes differ).
COUNTER_SECONDS = WINDOW_SECONDS + 30


@dataclass(frozen=True)
class Window:
    name: str
    limit: int


def window_for(request, *, scope: str) -> Window:
    address = request.META.get("REMOTE_ADDR", "unknown")
    return Window(
        name=f"assistant:rate:{scope}:{address}:{int(time.time() // WINDOW_SECONDS)}",
        limit=getattr(settings, "ASSISTANT_RATE_LIMIT_PER_MINUTE", 60),
    )


def limit_exceeded(request, *, scope: str) -> bool:
    """Count this request and say whether its address is over the limit (one round trip)."""
    window = window_for(request, scope=scope)
    return exceeded(window, count(window))


def count(window: Window) -> int:
    """Count a request in its window and return the count so far."""
    redis = live.client()
    if redis is None:
        return _cache_count(window.name)
    try:
        # One round trip (Django's cache.add + cache.incr took three: SET NX, EXISTS, INCR);
        # the window's first request gives its counter an expiry.
        key = live.key(window.name)
        counted = redis.incr(key)
        if counted == 1:
            redis.expire(key, COUNTER_SECONDS)
    except RedisError as error:
        # Redis down: the hotline keeps answering, limited per process until it is back.
        logger.warning("assistant rate limit without Redis: %s", error.__class__.__name__)
        counted = _here.count(window.name)
    return counted


def exceeded(window: Window, counted: int) -> bool:
    """Whether ``counted`` is over the limit; if so this process remembers it for the window."""
    if counted <= window.limit:
        return False
    _here.remember(window.name)
    return True


def exceeded_here(window: Window) -> bool:
    """This process already saw the address go over the limit in this window."""
    return _here.known(window.name)


def forget() -> None:
    """Drop this process's memory of the windows (with ``cache.clear()``, e.g. between tests)."""
    _here.clear()


def _cache_count(name: str) -> int:
    cache.add(name, 0, COUNTER_SECONDS)
    try:
        return cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, COUNTER_SECONDS)
        return 1


class _ProcessWindows:
    """This process's view of the current windows: counts while Redis is away, and the
    addresses known to be over the limit. Forgotten when the window turns."""

    def __init__(self):
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self._over: set[str] = set()
        self._window = 0

    def _turn(self) -> None:
        window = int(time.time() // WINDOW_SECONDS)
        if window != self._window:
            self._counts.clear()
            self._over.clear()
            self._window = window

    def count(self, name: str) -> int:
        with self._lock:
            self._turn()
            self._counts[name] = self._counts.get(name, 0) + 1
            return self._counts[name]

    def remember(self, name: str) -> None:
        with self._lock:
            self._turn()
            self._over.add(name)

    def known(self, name: str) -> bool:
        with self._lock:
            self._turn()
            return name in self._over

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()
            self._over.clear()


_here = _ProcessWindows()
