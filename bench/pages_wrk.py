"""The read pages of `make bench` under wrk, against gunicorn alone, on a database you filled.

    DATABASE_URL=... REDIS_URL=... SECRET_KEY=... .venv/bin/python bench/pages_wrk.py \
        --plan var/bench/plan.json [--bind 127.0.0.1:8109] [--duration 10] [--only home,search]

For a developer's own database and port while others use the machine (bench/run.py takes the
whole production stack with its own database, Redis db and port): gunicorn is started as
scripts/prod.sh starts it (portal/gunicorn.conf.py, 2 sync workers, DEBUG off,
BENCH_BARE_VIEW=1), without Celery; the requests are the ones bench/run.py builds from the
plan bench/fill.py writes. The bare view is measured between the pages and the
ratio of each page uses the mean of the bare runs just before and after it: on a shared
machine only ratios taken close together mean something.
Everything started here is stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from run import build_targets, ensure_wrk, lua_script, parse_wrk, stop_group, wait_healthy  # noqa: E402

PAGES = ("home", "search", "procedure", "lookup", "my_dossiers", "admin_queue", "admin_changelist")


def run_wrk(wrk: str, script: Path, base: str, *, connections: int, duration: int) -> dict:
    subprocess.run([wrk, "-t2", "-c2", "-d2s", "-s", str(script), base], capture_output=True)  # warm-up
    command = [wrk, f"-t{connections}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s"]
    done = subprocess.run([*command, "-s", str(script), base], capture_output=True, text=True, timeout=duration + 60)
    return parse_wrk(done.stdout + done.stderr)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plan", default=str(ROOT / "var" / "bench" / "plan.json"))
    parser.add_argument("--bind", default="127.0.0.1:8109")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--bare-duration", type=int, default=5)
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    wrk = ensure_wrk()
    plan = json.loads(Path(args.plan).read_text())
    out = ROOT / "var" / "pages-wrk"
    out.mkdir(parents=True, exist_ok=True)
    base = f"http://{args.bind}"
    env = {
        **os.environ,
        "DEBUG": "0",
        "BIND": args.bind,
        "BENCH_BARE_VIEW": "1",
        "ACCESS_LOG": str(out / "access.log"),
        "LOG_LEVEL": "WARNING",
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "portal.wsgi:application", "-c", "portal/gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=open(out / "server.log", "w"),  # noqa: SIM115 - the child keeps it
        stderr=subprocess.STDOUT,
    )
    results: dict[str, dict] = {}
    bares: list[float] = []
    try:
        wait_healthy(base, 60, path="/bench/bare/")
        targets = build_targets(plan, connections=args.connections)
        wanted = [p for p in PAGES if not args.only or p in args.only.split(",")]
        scripts = {}
        for name in ["bare", *wanted]:
            scripts[name] = out / f"{name}.lua"
            scripts[name].write_text(lua_script(targets[name], args.connections))
        # The bare view before and after each page: the machine's load drifts during a run.
        bares.append(
            run_wrk(wrk, scripts["bare"], base, connections=args.connections, duration=args.bare_duration)["rps"]
        )
        for name in wanted:
            results[name] = run_wrk(wrk, scripts[name], base, connections=args.connections, duration=args.duration)
            bares.append(
                run_wrk(wrk, scripts["bare"], base, connections=args.connections, duration=args.bare_duration)["rps"]
            )
            results[name]["bare"] = (bares[-2] + bares[-1]) / 2
            print(f"{name}: {results[name]}", flush=True)
    finally:
        stop_group(server)
    print(f"\n{'endpoint':<17} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'bare':>7} {'ratio':>6}")
    for name, r in results.items():
        print(
            f"{name:<17} {r['rps']:>8.0f} {r['p50']:>8.1f} {r['p99']:>8.1f} {r['errors']:>7} {r['bare']:>7.0f}"
            f" {r['rps'] / r['bare']:>6.0%}"
        )
    print(
        f"(wrk {args.connections} connections, {args.duration} s a page; bare = the mean of the bare view's runs "
        f"just before and after the page, {', '.join(f'{b:.0f}' for b in bares)} req/s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
