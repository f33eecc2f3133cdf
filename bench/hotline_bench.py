"""Cost of one hotline API answer through the whole Django stack, counted rather than timed.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_x REDIS_URL=redis://127.0.0.1:6379/7 \\
        .venv/bin/python bench/hotline_bench.py [--rounds 2000] [--profile]

Calls the WSGI application as gunicorn does (every middleware, the request signals, the
view, JSON in and out) with the bundled catalogue (loaded when missing), in two mixes:
- "first": the questions of ``make bench`` (bench/run.py), each a new call (no conversation id);
- "calls": four-turn calls that carry their conversation id (follow-ups, yes, a choice).
and, for comparison, "bare": the bare view of ``make bench`` (/bench/bare/) through the same
middleware. It prints, per request: CPU ms of this process (the server's work; Redis's and PostgreSQL's
own CPU is not in it), database queries and transactions, Redis round trips; then, for the
turns buffered in Redis, the CPU ms a turn costs the Celery task that records them.
``--profile`` adds a cProfile breakdown (middleware, rate limit, engine, database, Redis).
The machine is shared: CPU ms are noisy (compare within a run); the counts are exact.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 60)
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("ASSISTANT_RATE_LIMIT_PER_MINUTE", str(10**9))
os.environ.setdefault("BENCH_BARE_VIEW", "1")  # /bench/bare/: the same stack's floor
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from run import QUESTIONS, wsgi_environ  # noqa: E402 - bench/ is the script's folder, on sys.path

# The same questions as bench/run.py (the lead's `make bench`).
FIRST = QUESTIONS
CALLS = [
    ["đăng ký kinh doanh hộ cá thể", "có", "còn giấy tờ thì sao", "mất mấy ngày"],
    ["xin giấy phép xây dựng cần giấy tờ gì", "cái thứ hai", "lệ phí bao nhiêu", "cảm ơn"],
    ["lệ phí bao nhiêu", "đăng ký kết hôn", "ở đâu", "không cần"],
]


class Counters:
    def __init__(self):
        self.queries = 0
        self.redis = 0

    def __call__(self, execute, sql, params, many, context):
        self.queries += 1
        return execute(sql, params, many, context)


def count_redis(counters: Counters) -> None:
    try:
        from redis.connection import AbstractConnection
    except ImportError:
        return
    original = AbstractConnection.send_packed_command

    def counted(self, command, check_health=True):
        counters.redis += 1  # one write to the socket: one round trip (a pipeline is one)
        return original(self, command, check_health)

    AbstractConnection.send_packed_command = counted


def make_environ(body: bytes, method: str = "POST", path: str = "/api/v1/assistant/") -> dict:
    return wsgi_environ(method, path, body=body, content_type="application/json")


def post(app, payload: dict) -> dict:
    status = []
    body = json.dumps(payload, ensure_ascii=False).encode()
    chunks = app(make_environ(body), lambda s, headers, exc_info=None: status.append(s))
    try:
        content = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()  # request_finished, as a WSGI server does
    if not status[0].startswith("200"):
        raise SystemExit(f"hotline answered {status[0]}: {content[:200]!r}")
    return json.loads(content)


def bare(app, rounds: int) -> None:
    """GET /bench/bare/ ("ok" through the same middleware): what any request costs here."""
    for _ in range(rounds):
        chunks = app(make_environ(b"", "GET", "/bench/bare/"), lambda s, headers, exc_info=None: None)
        b"".join(chunks)
        chunks.close()


def first_turns(app, rounds: int) -> None:
    for n in range(rounds):
        post(app, {"text": FIRST[n % len(FIRST)]})


def calls(app, rounds: int) -> None:
    done = 0
    while done < rounds:
        for call in CALLS:
            key = None
            for text in call:
                body = post(app, {"text": text, **({"conversation_id": key} if key else {})})
                key = body["conversation_id"]
                done += 1


def measure(name: str, run, app, rounds: int, counters: Counters, profile: bool) -> None:
    run(app, 30)  # warm: the index, the records, connections
    counters.queries = counters.redis = 0
    commits = _commits()
    # CPU time, not wall time: waiting on Redis or PostgreSQL costs this process nothing.
    profiler = cProfile.Profile(time.process_time) if profile else None
    started_cpu, started = time.process_time(), time.perf_counter()
    with connection.execute_wrapper(counters):
        if profiler:
            profiler.enable()
        run(app, rounds)
        if profiler:
            profiler.disable()
    cpu = (time.process_time() - started_cpu) * 1000 / rounds
    wall = (time.perf_counter() - started) * 1000 / rounds
    transactions = _commits() - commits
    print(
        f"{name:<6} {rounds} requests: CPU {cpu:5.2f} ms/request (wall {wall:5.2f}), "
        f"DB queries {counters.queries / rounds:4.2f}, transactions {transactions / rounds:4.2f}, "
        f"Redis round trips {counters.redis / rounds:4.2f}"
    )
    if profiler:
        breakdown(profiler, rounds)


COMMITS = [0]


def count_commits() -> None:
    from django.db.backends.base.base import BaseDatabaseWrapper

    original = BaseDatabaseWrapper.commit

    def counted(self):
        COMMITS[0] += 1
        return original(self)

    BaseDatabaseWrapper.commit = counted


def _commits() -> int:
    return COMMITS[0]


# (label, file suffix, function name): cumulative time of the first match.
PARTS = [
    ("whole request (WSGIHandler.__call__)", "django/core/handlers/wsgi.py", "__call__"),
    ("view procedures.assistant.views.api", "procedures/assistant/views.py", "api"),
    ("rate limit on its own (limit_exceeded)", "procedures/assistant/ratelimit.py", "limit_exceeded"),
    ("service conversation_reply (database)", "procedures/assistant/services.py", "conversation_reply"),
    ("service call_reply (Redis)", "procedures/assistant/services.py", "call_reply"),
    ("index version check (get_index)", "procedures/assistant/index.py", "get_index"),
    ("engine Assistant.respond", "procedures/assistant/engine.py", "respond"),
    ("database: cursor execute", "django/db/backends/utils.py", "_execute_with_wrappers"),
    ("database: commit", "django/db/backends/base/base.py", "commit"),
    ("redis: execute_command", "redis/client.py", "execute_command"),
    ("redis: pipeline execute", "redis/client.py", "execute"),
    ("JsonResponse", "django/http/response.py", "__init__"),
]


def breakdown(profiler: cProfile.Profile, rounds: int) -> None:
    stats = pstats.Stats(profiler)
    found: dict[str, float] = {}
    for (filename, _line, function), (_cc, _nc, _tt, cumulative, _callers) in stats.stats.items():
        for label, suffix, name in PARTS:
            if function == name and filename.endswith(suffix):
                found[label] = max(found.get(label, 0.0), cumulative)
    whole = found.get(PARTS[0][0], 0.0)
    view = found.get(PARTS[1][0], 0.0)
    print("        profile (cProfile inflates Python calls; read as shares):")
    for label, _suffix, _name in PARTS:
        if label in found:
            print(f"          {label:<40} {found[label] * 1000 / rounds:6.3f} ms  {found[label] / whole:6.1%}")
    outside = whole - view
    print(
        f"          {'outside the view (middleware, signals)':<40} {outside * 1000 / rounds:6.3f} ms  {outside / whole:6.1%}"
    )
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(18)
    print("\n".join("          " + line for line in out.getvalue().splitlines()[6:]))


def flush_cost(counters: Counters) -> None:
    """CPU a buffered turn costs the recording task (run here, in this process)."""
    try:
        from procedures.assistant import live
        from procedures.assistant.tasks import record_buffered_turns
    except ImportError:
        return
    pending = live.pending_count()
    if not pending:
        return
    counters.queries = counters.redis = 0
    started_cpu = time.process_time()
    with connection.execute_wrapper(counters):
        while live.pending_count():
            record_buffered_turns()
    cpu = (time.process_time() - started_cpu) * 1000 / pending
    print(
        f"record {pending} buffered turns (the Celery task): CPU {cpu:5.3f} ms/turn, "
        f"DB queries {counters.queries / pending:5.3f}/turn, Redis round trips {counters.redis / pending:5.3f}/turn"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    from procedures.models import Procedure

    call_command("migrate", verbosity=0)
    if not Procedure.objects.exists():
        call_command("load_catalogue", verbosity=0)
    redis_url = settings.REDIS_URL or "none (local-memory cache)"
    print(f"hotline API through WSGI: {connection.vendor} {settings.DATABASES['default']['NAME']}, Redis {redis_url}")
    counters = Counters()
    count_redis(counters)
    count_commits()
    app = get_wsgi_application()
    measure("bare", bare, app, args.rounds, counters, False)
    measure("first", first_turns, app, args.rounds, counters, args.profile)
    measure("calls", calls, app, args.rounds, counters, args.profile)
    flush_cost(counters)
    print(f"load average {', '.join(f'{x:.1f}' for x in os.getloadavg())} (2 cores shared: CPU ms are noisy)")


if __name__ == "__main__":
    main()
