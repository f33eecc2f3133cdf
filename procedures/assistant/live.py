"""The live side of a phone call, in Redis (the shared cache): the conversation's state between
turns and the turns the database has not recorded yet.

A telephone system asks hundreds of questions a second and waits for each answer; a database
transaction per turn (lock the conversation row, update it, insert the two turns) was half of
an answer's cost. So the state a turn needs lives in Redis for as long as a call lasts, and
the turns are appended to a list that ``tasks.record_buffered_turns`` writes to the database
in batches, every few seconds. A batch is moved out of the list atomically and recorded in
one transaction with its id (``RecordedBatch``), so a worker killed at any point leads to
the batch being recorded once, never twice and never dropped.

Everything here raises ``redis.exceptions.RedisError`` when Redis cannot be reached: the
services then fall back to the database, synchronously.
"""

from __future__ import annotations

import json
import time
import uuid

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

STATE_PREFIX = "assistant:call:"
BUFFER = "assistant:turns"
BATCH_PREFIX = "assistant:turns:batch:"
# Batch id -> when it was claimed; a batch claimed long ago belongs to a worker that died.
CLAIMED = "assistant:turns:claimed"
# Records the database refused even one by one (kept for an operator, never dropped).
REFUSED = "assistant:turns:refused"

# One command rather than a MULTI pipeline: redis-py spends more on a pipeline than on the
# round trip. Atomic all the same (a script runs alone). The caller's rate-limit counter
# (KEYS[3], ARGV[4] the limit, "" for none) is counted first: over the limit, nothing is stored.
_PUSH = """
local counted = 0
if ARGV[4] ~= '' then
  counted = redis.call('INCR', KEYS[3])
  if counted == 1 then redis.call('EXPIRE', KEYS[3], ARGV[5]) end
  if counted > tonumber(ARGV[4]) then return {counted, -1} end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return {counted, redis.call('RPUSH', KEYS[2], ARGV[3])}
"""
_CLAIM = """
local items = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
if #items == 0 then return items end
redis.call('LTRIM', KEYS[1], #items, -1)
redis.call('RPUSH', KEYS[2], unpack(items))
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[3])
return items
"""


def client():
    """The shared cache's Redis client, or None when the cache is not Redis (embedded mode).

    Made once per connection pool (sharing the cache's connections) with this module's
    scripts registered: Django's own backend makes a ``redis.Redis`` for every operation,
    which costs more than the round trip itself (``portal.cache`` explains why).
    """
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return None
    pool = backend._cache._get_connection_pool(write=True)
    found = getattr(pool, "_assistant_client", None)
    if found is None:
        found = backend._cache._client(connection_pool=pool)
        found.assistant_scripts = {"push": found.register_script(_PUSH), "claim": found.register_script(_CLAIM)}
        pool._assistant_client = found
    return found


def key(name: str) -> str:
    """A key in the cache's namespace (its prefix and version), so ``cache.clear()`` and
    ``KEY_PREFIX`` apply to these keys as to the cache's own."""
    return caches["default"].make_key(name)


def state_get(redis, conversation_key: str) -> dict | None:
    raw = redis.get(key(STATE_PREFIX + conversation_key))
    return json.loads(raw) if raw else None


def turn_push(
    redis,
    conversation_key: str,
    *,
    state: dict,
    record: dict,
    ttl: int,
    counter: str = "",
    limit: int | None = None,
    counter_seconds: int = 90,
) -> tuple[int, int]:
    """The call's new state and its turn to record, together, and the caller counted in the
    rate-limit ``counter`` (one round trip, atomic). Returns (the caller's count, how many
    turns are waiting to be recorded); over the ``limit`` nothing is stored: (count, -1)."""
    push = redis.assistant_scripts["push"]
    counted, pending = push(
        keys=[key(STATE_PREFIX + conversation_key), key(BUFFER), key(counter or BUFFER)],
        args=[
            json.dumps(state, ensure_ascii=False),
            ttl,
            json.dumps(record, ensure_ascii=False),
            "" if limit is None else limit,
            counter_seconds,
        ],
    )
    return counted, pending


def pending_count(redis=None) -> int:
    redis = redis or client()
    return redis.llen(key(BUFFER)) if redis is not None else 0


def batch_claim(redis, size: int) -> tuple[str, list[dict]]:
    """Move up to ``size`` turns from the buffer to a new batch, atomically."""
    batch_id = uuid.uuid4().hex
    claim = redis.assistant_scripts["claim"]
    items = claim(keys=[key(BUFFER), key(BATCH_PREFIX + batch_id), key(CLAIMED)], args=[size, time.time(), batch_id])
    return batch_id, [_parsed(item) for item in items]


def batches_abandoned(redis, older_than: float) -> list[str]:
    """Batches claimed more than ``older_than`` seconds ago and never finished."""
    ids = redis.zrangebyscore(key(CLAIMED), "-inf", time.time() - older_than)
    return [i.decode() if isinstance(i, bytes) else i for i in ids]


def batch_reclaim(redis, batch_id: str) -> list[dict] | None:
    """Take over an abandoned batch (its claim time restarts); None if another worker finished it."""
    if not redis.zadd(key(CLAIMED), {batch_id: time.time()}, xx=True, ch=True):
        return None
    return [_parsed(item) for item in redis.lrange(key(BATCH_PREFIX + batch_id), 0, -1)]


def _parsed(item: bytes) -> dict:
    # Whatever is not a turn must not block the turns behind it: it is refused and kept.
    try:
        record = json.loads(item)
    except ValueError:
        record = None
    return record if isinstance(record, dict) else {"unreadable": item.decode(errors="replace")}


def batch_finish(redis, batch_id: str) -> None:
    pipe = redis.pipeline(transaction=True)
    pipe.delete(key(BATCH_PREFIX + batch_id))
    pipe.zrem(key(CLAIMED), batch_id)
    pipe.execute()


def records_refused(redis, records: list[dict]) -> None:
    if records:
        redis.rpush(key(REFUSED), *(json.dumps(r, ensure_ascii=False) for r in records))
