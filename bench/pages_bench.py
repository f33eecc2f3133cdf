"""What each read page of `make bench` costs the server: CPU ms, SQL queries and Redis
commands a request, measured in one process through Django's WSGI handler (what gunicorn
calls), with the same requests bench/run.py sends.

    DATABASE_URL=... REDIS_URL=... SECRET_KEY=... DEBUG=0 \
        .venv/bin/python bench/pages_bench.py --plan var/bench/plan.json [--requests 300]
        [--only home,search] [--profile search]

The plan is the one bench/fill.py writes (run it first against the same database). Each page
is first warmed up (template and per-process caches, the connection), then measured over
``--requests`` requests; ``ratio`` is the bare view's CPU time over the page's, the figure
that predicts the page's share of the bare view's throughput under the same workers (CPU
time of this process is steadier on a shared machine; wall time also counts the time
PostgreSQL and Redis spend, which share the same cores under load). gunicorn's own work a
request (HTTP parsing, ~0.3 ms) is not in these figures, so the real ratios are higher. ``--profile PAGE``
prints the top of a cProfile of that page instead.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ["BENCH_BARE_VIEW"] = "1"

import django  # noqa: E402

django.setup()
from django.conf import settings  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.db import connection  # noqa: E402
from run import wsgi_environ  # noqa: E402 - bench/ is the script's folder, on sys.path


class Request:
    def __init__(self, method: str, path: str, *, cookies: dict[str, str] | None = None, form: dict | None = None):
        self.method = method
        self.path, _, self.query = path.partition("?")
        self.cookie = "; ".join(f"{k}={v}" for k, v in (cookies or {}).items())
        self.body = urlencode(form).encode() if form is not None else b""

    def environ(self) -> dict:
        content_type = "application/x-www-form-urlencoded" if self.body else ""
        return wsgi_environ(
            self.method, self.path, query=self.query, body=self.body, content_type=content_type, cookie=self.cookie
        )


def build_pages(plan: dict) -> dict[str, list[Request]]:
    session, csrf, token = plan["session_cookie"], plan["csrf_cookie"], plan["csrf_secret"]
    return {
        "bare": [Request("GET", "/bench/bare/")],
        "home": [Request("GET", "/")],
        "search": [Request("GET", "/thu-tuc/?" + urlencode({"q": q})) for q in plan["searches"]],
        "procedure": [Request("GET", f"/thu-tuc/{quote(code)}/") for code in plan["procedures"]],
        "lookup": [
            Request(
                "POST",
                "/tra-cuu-ho-so/",
                cookies={csrf: token},
                form={"csrfmiddlewaretoken": token, "code": code, "secret": pin},
            )
            for code, pin in plan["lookups"]
        ],
        "my_dossiers": [Request("GET", "/ho-so-cua-toi/", cookies={session: c}) for c in plan["citizen_cookies"]],
        "admin_queue": [
            Request(
                "GET", plan["admin_url"] + "applications/dossier/queue/", cookies={session: plan["official_cookie"]}
            )
        ],
        "admin_changelist": [
            Request("GET", plan["admin_url"] + "applications/dossier/", cookies={session: plan["official_cookie"]})
        ],
    }


class Counter:
    """SQL statements through the connection, Redis commands through redis-py."""

    def __init__(self):
        self.queries = 0
        self.redis = 0

    def __enter__(self):
        import redis.connection

        self._wrapper = connection.execute_wrapper(self._count_sql)
        self._wrapper.__enter__()
        self._original = redis.connection.AbstractConnection.send_packed_command
        counter = self

        def send(conn, command, check_health=True):
            counter.redis += 1
            return counter._original(conn, command, check_health)

        redis.connection.AbstractConnection.send_packed_command = send
        return self

    def __exit__(self, *exc):
        import redis.connection

        redis.connection.AbstractConnection.send_packed_command = self._original
        self._wrapper.__exit__(*exc)

    def _count_sql(self, execute, sql, params, many, context):
        self.queries += 1
        return execute(sql, params, many, context)


def call(handler: WSGIHandler, request: Request) -> int:
    status: list[str] = []

    def start_response(s, headers, exc_info=None):
        status.append(s)

    body = handler(request.environ(), start_response)
    for _chunk in body:
        pass
    if hasattr(body, "close"):
        body.close()
    return int(status[0].split()[0])


def measure(handler: WSGIHandler, requests: list[Request], n: int) -> dict:
    for request in requests[:500] * 2:  # warm-up: every distinct request, twice
        status = call(handler, request)
        if status >= 400:
            raise SystemExit(f"{request.method} {request.path}?{request.query} answered {status}")
    with Counter() as counted:
        cpu, wall = time.process_time(), time.perf_counter()
        for i in range(n):
            call(handler, requests[i % len(requests)])
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {
        "cpu_ms": cpu / n * 1000,
        "wall_ms": wall / n * 1000,
        "queries": counted.queries / n,
        "redis": counted.redis / n,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plan", default=str(ROOT / "var" / "bench" / "plan.json"))
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--only", default="")
    parser.add_argument("--profile", default="", help="a page to profile (cProfile) instead of the table")
    parser.add_argument("--sort", default="cumulative")
    args = parser.parse_args()
    if settings.DEBUG:
        print("warning: DEBUG is on (template loaders not cached, queries kept): set DEBUG=0", file=sys.stderr)
    plan = json.loads(Path(args.plan).read_text())
    pages = build_pages(plan)
    handler = WSGIHandler()
    if args.profile:
        requests = pages[args.profile]
        measure(handler, requests, 20)
        profiler = cProfile.Profile(time.process_time)  # CPU time: the machine is shared
        profiler.enable()
        for i in range(args.requests):
            call(handler, requests[i % len(requests)])
        profiler.disable()
        stats = pstats.Stats(profiler)
        stats.sort_stats(args.sort).print_stats(45)
        return 0
    wanted = [name for name in pages if not args.only or name == "bare" or name in args.only.split(",")]
    results = {name: measure(handler, pages[name], args.requests) for name in wanted}
    bare = results["bare"]["cpu_ms"]
    bare_wall = results["bare"]["wall_ms"]
    print(f"{'page':<17} {'cpu ms':>7} {'wall ms':>8} {'queries':>8} {'redis':>6} {'cpu ratio':>10} {'wall ratio':>11}")
    for name, r in results.items():
        print(
            f"{name:<17} {r['cpu_ms']:>7.2f} {r['wall_ms']:>8.2f} {r['queries']:>8.1f} {r['redis']:>6.1f}"
            f" {bare / r['cpu_ms']:>10.0%} {bare_wall / r['wall_ms']:>11.0%}"
        )
    print(
        f"({args.requests} requests a page, one process, no HTTP server; ratio = the bare view's time over the "
        "page's; wall time includes PostgreSQL and Redis)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
