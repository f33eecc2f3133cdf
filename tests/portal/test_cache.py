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


# --- SoftFailRedisCache: the portal goes on while Redis is away ---------------------------------

DEAD = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connections are refused at once


def _dead_cache():
    from portal.cache import SoftFailRedisCache

    return SoftFailRedisCache(DEAD, {"OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2}})


def test_an_unreachable_redis_reads_as_misses_and_drops_writes(caplog):
    import time

    backend = _dead_cache()
    started = time.monotonic()
    assert backend.get("k", "fallback") == "fallback"
    assert backend.get_many(["a", "b"]) == {}
    assert backend.has_key("k") is False
    assert backend.add("k", 1, 30) is False
    backend.set("k", 1, 30)
    backend.set_many({"a": 1}, 30)
    assert backend.touch("k") is False
    backend.delete("k")
    backend.delete_many(["a", "b"])
    with pytest.raises(ValueError):  # as for a missing key: callers already handle it
        backend.incr("n")
    assert backend.get_or_set("k", "computed", 30) == "computed"
    assert time.monotonic() - started < 1.5
    assert "Redis unreachable" in caplog.text


def test_after_a_failure_redis_is_left_alone_a_few_seconds(monkeypatch):
    from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
    from redis.exceptions import ConnectionError as RedisConnectionError

    calls = []

    def refused(self, key, default=None, version=None):
        calls.append(key)
        raise RedisConnectionError("Connection refused")

    monkeypatch.setattr(DjangoRedisCache, "get", refused)
    now = [1000.0]
    backend = _dead_cache()
    backend._clock = lambda: now[0]
    assert backend.get("a") is None and backend.get("b") is None
    assert calls == ["a"]  # the second read did not wait on Redis
    now[0] += backend.RETRY_AFTER + 0.1
    assert backend.get("c") is None
    assert calls == ["a", "c"]  # tried again once the pause is over


def test_a_redis_error_that_is_not_an_outage_is_raised(monkeypatch):
    from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
    from redis.exceptions import ResponseError

    def misconfigured(self, key, value, timeout=None, version=None):
        raise ResponseError("OOM command not allowed when used memory > 'maxmemory'")

    monkeypatch.setattr(DjangoRedisCache, "set", misconfigured)
    with pytest.raises(ResponseError):
        _dead_cache().set("k", 1, 30)
