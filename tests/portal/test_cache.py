"""portal.cache: Django's Redis cache with one redis-py client object per pool."""

from __future__ import annotations

import os

import pytest

from portal.cache import RedisCache


@pytest.mark.redis
def test_every_operation_goes_through_one_client_object():
    backend = RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": "test-rediscache"})
    client = backend._cache.get_client()
    assert backend._cache.get_client(write=True) is client  # one server: one pool, one client
    backend.set("k", {"a": 1}, 30)
    assert backend.get("k") == {"a": 1}
    assert backend.add("n", 1, 30) and not backend.add("n", 5, 30)
    assert backend.incr("n") == 2
    assert backend.get_many(["k", "n", "missing"]) == {"k": {"a": 1}, "n": 2}
    backend.delete_many(["k", "n"])
    assert backend.get("k") is None
    assert backend._cache.get_client() is client
