"""A fixed-window limit per client address, in the shared cache so that it holds across processes."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache


def limit_exceeded(request, *, scope: str) -> bool:
    per_minute = getattr(settings, "ASSISTANT_RATE_LIMIT_PER_MINUTE", 60)
    address = request.META.get("REMOTE_ADDR", "unknown")
    key = f"assistant:rate:{scope}:{address}:{int(time.time() // 60)}"
    cache.add(key, 0, 90)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, 90)
        count = 1
    return count > per_minute
