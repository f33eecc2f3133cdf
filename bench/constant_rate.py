"""A constant-rate (open-loop) HTTP load generator on asyncio streams, standard library only.

    .venv/bin/python bench/constant_rate.py --url http://127.0.0.1:8100/api/v1/assistant/ \\
        --rate 600 --duration 60 --json-bodies bodies.json

Why not wrk: wrk (Debian) is closed-loop: each connection waits for its answer before
sending the next request, so a slow server lowers the offered load and the latencies it
reports miss the queueing a real caller sees ("coordinated omission"). wrk2 fixes that but
Debian does not ship it; locust's constant_throughput is per simulated user on gevent and
needs a core of its own for a few hundred requests a second on this 2-core machine. This
generator starts request i at start + i / rate whatever happened before, and measures each
latency from that scheduled time, so a stall shows in the percentiles.

Each request uses a new connection (gunicorn's sync workers close it after each response, as
they do behind a proxy). Bounded: nothing is started after --duration, and whatever is still
running --grace seconds later is counted as an error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time
from urllib.parse import urlsplit


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, int(round(fraction * len(sorted_values))) - 1))
    return sorted_values[index]


async def one(host: str, port: int, payload: bytes, timeout: float) -> int:
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    try:
        writer.write(payload)
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), timeout)
        await asyncio.wait_for(reader.read(), timeout)  # the server closes: read to the end
        return int(status_line.split()[1])
    finally:
        writer.close()


async def run(*, url: str, rate: float, duration: float, bodies: list[bytes], timeout: float, grace: float) -> dict:
    parts = urlsplit(url)
    host, port = parts.hostname, parts.port or 80
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    payloads = [
        (
            f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode()
        + body
        for body in bodies
    ]
    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    errors: dict[str, int] = {}
    tasks: set[asyncio.Task] = set()

    async def fire(i: int, scheduled: float) -> None:
        try:
            status = await one(host, port, payloads[i % len(payloads)], timeout)
        except (TimeoutError, OSError, IndexError, ValueError) as exc:
            errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
            return
        if 200 <= status < 400:
            latencies.append(loop.time() - scheduled)
        else:
            errors[f"HTTP {status}"] = errors.get(f"HTTP {status}", 0) + 1

    total = int(rate * duration)
    start = loop.time() + 0.05
    i = 0
    while i < total:
        now = loop.time()
        while i < total and start + i / rate <= now:
            task = loop.create_task(fire(i, start + i / rate))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            i += 1
        if i < total:
            await asyncio.sleep(max(0.0, start + i / rate - loop.time()))
    sent_in = loop.time() - start
    if tasks:
        done, pending = await asyncio.wait(set(tasks), timeout=grace)
        for task in pending:
            task.cancel()
        if pending:
            errors["unfinished"] = errors.get("unfinished", 0) + len(pending)
    elapsed = loop.time() - start
    latencies.sort()
    return {
        "scheduled": total,
        "sent_in_s": round(sent_in, 2),
        "elapsed_s": round(elapsed, 2),
        "ok": len(latencies),
        "errors": sum(errors.values()),
        "error_kinds": errors,
        "rate_ok_per_s": round(len(latencies) / duration, 1),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "p90_ms": round(percentile(latencies, 0.90) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "max_ms": round((latencies[-1] if latencies else float("nan")) * 1000, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--rate", type=float, default=600.0, help="requests a second, constant")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of arrivals")
    parser.add_argument("--json-bodies", required=True, help="a JSON list of request bodies (objects), used in turn")
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--grace", type=float, default=15.0, help="seconds to wait for answers after the last send")
    args = parser.parse_args()
    with open(args.json_bodies, encoding="utf-8") as handle:
        bodies = [json.dumps(body, ensure_ascii=False).encode() for body in json.load(handle)]
    started = time.monotonic()
    try:
        # uvloop (requirements-dev.txt): a cheaper event loop leaves more of the shared CPU to the server.
        import uvloop

        loop_factory = uvloop.new_event_loop
    except ImportError:
        loop_factory = None
    runner = asyncio.Runner(loop_factory=loop_factory)
    result = runner.run(
        run(
            url=args.url,
            rate=args.rate,
            duration=args.duration,
            bodies=bodies,
            timeout=args.timeout,
            grace=args.grace,
        )
    )
    runner.close()
    result["wall_s"] = round(time.monotonic() - started, 1)
    result["event_loop"] = "uvloop" if loop_factory else "asyncio"
    # The generator shares the machine with the server: what it cost is part of the figure.
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["generator_cpu_s"] = round(usage.ru_utime + usage.ru_stime, 1)
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
