"""Django's Redis cache backend, keeping its ``redis.Redis`` client instead of making one a call.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every cache
operation; redis-py 8's constructor fills a case-insensitive table of about 170 response
callbacks each time, which was a third of the CPU of a cache read (the session, on every
request). A client only wraps its connection pool and is thread-safe, so one is kept per pool;
the pool itself notices a fork (gunicorn preloads the application) and opens new connections.
Django keeps a cache backend per thread, so nothing here is shared between threads anyway.
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


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
