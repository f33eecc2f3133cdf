"""Django's Redis cache backend, keeping its ``redis.Redis`` client instead of making one a call.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every cache
operation; redis-py 8's constructor fills a case-insensitive table of about 170 response
callbacks each time, which was a third of the CPU of a cache read (the session, on every
request). A client only wraps its connection pool and is thread-safe, so one is kept per pool;
the pool itself notices a fork (gunicorn preloads the application) and opens new connections.
Django keeps a cache backend per thread, so nothing here is shared between threads anyway.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient

logger = logging.getLogger(__name__)


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(self._servers[index], **self._pool_options)
            client = self._clients[index] = self._client(connection_pool=self._pools[index])
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient


class SoftFailRedisCache(RedisCache):
    """The same backend, for a cache the portal can live without for a while.

    When Redis cannot be reached (refused, reset, timed out), a read is a miss, a write or a
    delete is dropped and logged, and ``incr`` raises ValueError as for a missing key; the
    callers already fall back (sessions to the database, rate limits to "not counted", render
    caches to rendering). After a failure this process does not ask Redis again for
    ``RETRY_AFTER`` seconds, so a hung Redis costs one request its connect timeout, not every
    request. Errors that mean a bug or a misconfiguration (a wrong command, a full Redis) are
    raised as before.

    What it costs while Redis is away, and after:
    - rate limits (sign-in lockouts, the public lookup) count nothing: they fail open;
    - an entry that could not be dropped (a user's row, a work queue) may be read again if the
      same Redis comes back with its data, until the entry's own timeout;
    - a session ended during the outage is gone from the database; if Redis kept its copy, it
      lives there until its expiry. Run Redis without persistence (as here) or flush the
      ``django.contrib.sessions.cache`` keys after a partition.
    """

    RETRY_AFTER = 5.0  # seconds
    _clock = staticmethod(time.monotonic)

    def __init__(self, server, params):
        super().__init__(server, params)
        self._down_until = 0.0

    def _attempt(self, call, fallback):
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError

        if self._clock() < self._down_until:
            return fallback()
        try:
            return call()
        except (RedisConnectionError, RedisTimeoutError) as error:
            self._down_until = self._clock() + self.RETRY_AFTER
            logger.warning(
                "cache: Redis unreachable (%s); working without it for %.0f s",
                error.__class__.__name__,
                self.RETRY_AFTER,
            )
            return fallback()

    def get(self, key, default=None, version=None):
        return self._attempt(lambda: super(SoftFailRedisCache, self).get(key, default, version), lambda: default)

    def get_many(self, keys, version=None):
        return self._attempt(lambda: super(SoftFailRedisCache, self).get_many(keys, version), dict)

    def has_key(self, key, version=None):
        return self._attempt(lambda: super(SoftFailRedisCache, self).has_key(key, version), lambda: False)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(lambda: super(SoftFailRedisCache, self).add(key, value, timeout, version), lambda: False)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(lambda: super(SoftFailRedisCache, self).set(key, value, timeout, version), lambda: None)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(lambda: super(SoftFailRedisCache, self).set_many(data, timeout, version), list)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(lambda: super(SoftFailRedisCache, self).touch(key, timeout, version), lambda: False)

    def delete(self, key, version=None):
        return self._attempt(lambda: super(SoftFailRedisCache, self).delete(key, version), lambda: False)

    def delete_many(self, keys, version=None):
        return self._attempt(lambda: super(SoftFailRedisCache, self).delete_many(keys, version), lambda: None)

    def incr(self, key, delta=1, version=None):
        def missing():
            raise ValueError(f"Key '{key}' not found (the cache is unreachable)")

        return self._attempt(lambda: super(SoftFailRedisCache, self).incr(key, delta, version), missing)

    def clear(self):
        return self._attempt(lambda: super(SoftFailRedisCache, self).clear(), lambda: False)
