"""Rendered parts of pages that are the same for every visitor, cached under a data version.

A page such as the catalogue's home or a procedure's page depends only on some data (the
catalogue), the language and the request's arguments; rendering it cost 8 to 35 ms of CPU
against 0.5 ms for a bare response. A ``VersionedRenderCache`` keeps what a render function
returns (the page's main content as HTML, its title) under a key made of a version, the
language and the arguments, in two layers:

- this process's memory (a bounded LRU): no round trip at all for a hit;
- the shared cache (Redis in production), for the other processes and servers; optional per
  call, so a key chosen by visitors (a search query) never grows the shared cache.

Whatever changes the data calls ``bump()`` (through ``transaction.on_commit``): a new version
in the shared cache makes every older entry unreachable at once, in every process. Each
process reads the version from the shared cache at most once every ``check_every`` seconds,
so another process's change shows here within that delay; entries also expire after
``timeout`` seconds, a safety net for changes made without ``bump()`` (a shell, a data
migration).

Only content that belongs to nobody may be cached here: render functions must not see the
request (no CSRF token, no user, no messages). The layout around the content, which does,
is rendered per request.
"""

from __future__ import annotations

import hashlib
import pickle
import threading
import time
import uuid
import zlib
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from django.core.cache import cache
from django.core.signals import setting_changed
from django.utils.translation import get_language

_instances: list[VersionedRenderCache] = []


class VersionedRenderCache:
    def __init__(
        self,
        *,
        name: str,
        timeout: int,
        local_entries: int,
        check_every: float = 1.0,
    ):
        self.name = name
        self.version_key = f"{name}:version"
        self.timeout = timeout
        self.local_entries = local_entries
        self.check_every = check_every
        self._lock = threading.Lock()
        self._local: OrderedDict[tuple, tuple[float, Any]] = OrderedDict()
        self._version: str | None = None
        self._checked_at = 0.0
        _instances.append(self)

    def version(self) -> str:
        now = time.monotonic()
        if self._version is not None and now - self._checked_at < self.check_every:
            return self._version
        version = cache.get(self.version_key)
        if version is None:
            cache.add(self.version_key, uuid.uuid4().hex, None)
            version = cache.get(self.version_key) or uuid.uuid4().hex
        with self._lock:
            if version != self._version:
                self._local.clear()  # entries of older versions can never be read again
                self._version = version
            self._checked_at = now
        return version

    def bump(self) -> str:
        """A new version: every entry cached so far, in every process, is out of date."""
        version = uuid.uuid4().hex
        cache.set(self.version_key, version, None)
        with self._lock:
            self._local.clear()
            self._version = version
            self._checked_at = time.monotonic()
        return version

    def clear_local(self) -> None:
        with self._lock:
            self._local.clear()
            self._version = None
            self._checked_at = 0.0

    def get_or_render(self, parts: tuple[Hashable, ...], render: Callable[[], Any], *, shared: bool = True) -> Any:
        """What ``render()`` returns for ``parts`` in the current language and data version.
        An exception in ``render`` (a 404) propagates and caches nothing."""
        version = self.version()
        key = (version, get_language(), *parts)
        now = time.monotonic()
        with self._lock:
            entry = self._local.get(key)
            if entry is not None:
                if entry[0] > now:
                    self._local.move_to_end(key)
                    return entry[1]
                del self._local[key]
        found = None
        shared_key = ""
        if shared:
            digest = hashlib.sha256(repr(key[1:]).encode()).hexdigest()
            shared_key = f"{self.name}:{version}:{digest}"
            # (wall-clock deadline, value), compressed: a copy taken late expires with the
            # original, and a whole catalogue of pages fits in a few tens of megabytes.
            stored = cache.get(shared_key)
            # Our own entry in our own cache, which Django's backend pickles anyway.
            found = pickle.loads(zlib.decompress(stored)) if stored is not None else None  # noqa: S301
        if found is not None and found[0] > time.time():
            deadline = now + found[0] - time.time()
            value = found[1]
        else:
            deadline = now + self.timeout
            value = render()
            if shared:
                stored = zlib.compress(pickle.dumps((time.time() + self.timeout, value)), 1)
                cache.set(shared_key, stored, self.timeout)
        with self._lock:
            if key[0] == self._version:
                self._local[key] = (deadline, value)
                while len(self._local) > self.local_entries:
                    self._local.popitem(last=False)
        return value


def clear_local_layers() -> None:
    """Forget every process-local entry and version (tests, after the shared cache is cleared)."""
    for instance in _instances:
        instance.clear_local()


def _on_setting_changed(**kwargs) -> None:
    clear_local_layers()


setting_changed.connect(_on_setting_changed, dispatch_uid="portal_rendercache_settings")
