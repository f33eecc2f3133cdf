"""PostgreSQL restarted under load: a scripted fault run with the real services.

    .venv/bin/python bench/fault_pg_restart.py [--rate 40] [--duration 30] [--restart-at 8]

It never touches the shared PostgreSQL server: it makes a server of its own (initdb in a
temporary folder, port 5439, trust on loopback only; as the postgres user when run as root),
prepares the portal on it (scripts/prod.sh --setup-only), serves it the production way
(scripts/prod.sh --no-setup: gunicorn, Celery worker and beat; 127.0.0.1:8101, Redis db 13),
sends requests that need the database at a constant rate (catalogue searches with words
never asked before, so no cache answers them; procedure pages; /healthz), and restarts
PostgreSQL (`pg_ctl restart -m fast`, what a package upgrade or a failover does) in the middle.

Checks (exit 1 when one fails):
- every answer is a 200, or a 503 whose page is the Vietnamese "Dịch vụ tạm thời gián đoạn"
  with Retry-After (JSON for /healthz) — never a 500, never a traceback, never a hang;
- once PostgreSQL accepts connections again, the portal answers 200 by itself (no restart of
  gunicorn or Celery) within --recover-within seconds.
Prints a timeline (answers per second by status) and the summary.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import glob
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from run import stop_group, wait_healthy  # bench/ is the script's folder, first on sys.path

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv" / "bin" / "python")
UNAVAILABLE = "Dịch vụ tạm thời gián đoạn".encode()
WORDS = ["khai", "sinh", "ket", "hon", "dat", "dai", "xay", "dung", "ho", "kinh", "doanh", "thue", "giay", "phep"]
CODES = ["1.001612", "1.001266", "1.001570", "3.000333", "3.000334"]  # in the bundled catalogue


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    if found:
        return found[-1]
    on_path = shutil.which(name)
    if not on_path:
        sys.exit(f"fault: {name} not found (PostgreSQL server binaries)")
    return on_path


class Server:
    """A throwaway PostgreSQL server in a temporary folder."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix="fault-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"
        self.as_root = os.geteuid() == 0

    def run(self, *command: str) -> subprocess.CompletedProcess:
        if self.as_root:
            command = ("runuser", "-u", "postgres", "--", *command)
        return subprocess.run(command, check=True, capture_output=True, text=True, cwd=self.dir)

    def init(self) -> None:
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")
        self.run(pg_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")
        self.start()

    def options(self) -> str:
        return f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"

    def start(self) -> None:
        self.run(pg_bin("pg_ctl"), "-D", str(self.data), "-o", self.options(), "-l", str(self.log), "-w", "start")

    def restart(self) -> None:
        self.run(
            pg_bin("pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            self.options(),
            "-l",
            str(self.log),
            "-w",
            "-m",
            "fast",
            "restart",
        )

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.run(pg_bin("pg_ctl"), "-D", str(self.data), "-w", "-m", "immediate", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


async def get(host: str, port: int, path: str, timeout: float) -> tuple[int, bytes, bytes]:
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    try:
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        raw = await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split()[1]), head, body


def path_for(i: int) -> str:
    kind = i % 4
    if kind == 0:
        return "/healthz"
    if kind == 1:
        return f"/thu-tuc/{CODES[i % len(CODES)]}/"
    words = "+".join(random.sample(WORDS, 2))
    return f"/thu-tuc/?q={words}+{i}"  # a query no one asked: answered by PostgreSQL, not a cache


async def drive(host: str, port: int, rate: float, duration: float, restart_at: float, server: Server) -> dict:
    loop = asyncio.get_running_loop()
    # (sent, seconds since start; path; status; problem; latency in seconds)
    answers: list[tuple[float, str, int, str, float]] = []
    marks: dict[str, float] = {}
    tasks: set[asyncio.Task] = set()
    start = loop.time()

    async def fire(i: int) -> None:
        path = path_for(i)
        sent = loop.time() - start
        problem = ""
        try:
            status, head, body = await get(host, port, path, timeout=10)
        except (TimeoutError, OSError, ValueError, IndexError) as exc:
            answers.append((sent, path, 0, type(exc).__name__, loop.time() - start - sent))
            return
        if b"Traceback" in body:
            problem = "traceback in the body"
        elif status == 503 and path != "/healthz":
            if UNAVAILABLE not in body:
                problem = "503 without the Vietnamese page"
            elif b"retry-after" not in head.lower():
                problem = "503 without Retry-After"
        elif status not in (200, 503):
            problem = f"HTTP {status}"
        answers.append((sent, path, status, problem, loop.time() - start - sent))

    async def restart() -> None:
        await asyncio.sleep(restart_at)
        marks["restart_command"] = loop.time() - start
        await asyncio.to_thread(server.restart)
        marks["postgres_back"] = loop.time() - start

    restarting = loop.create_task(restart())
    total = int(rate * duration)
    for i in range(total):
        delay = start + i / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        task = loop.create_task(fire(i))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    await restarting
    if tasks:
        await asyncio.wait(set(tasks), timeout=15)
    return {"answers": answers, "marks": marks}


def report(result: dict, recover_within: float) -> bool:
    answers, marks = result["answers"], result["marks"]
    answers.sort()
    back = marks.get("postgres_back", float("inf"))
    restart_at = marks.get("restart_command", float("inf"))
    print(f"fault: restart command at {restart_at:.1f} s; PostgreSQL accepting connections at {back:.1f} s")
    print("requests by the second they were sent in, and their slowest answer:")
    print(f"{'second':>6} {'200':>5} {'503':>5} {'other':>6} {'max ms':>7}")
    for second in range(int(max(a[0] for a in answers)) + 1):
        row = [a for a in answers if int(a[0]) == second]
        ok = sum(1 for a in row if a[2] == 200)
        unavailable = sum(1 for a in row if a[2] == 503)
        slowest = max((a[4] for a in row), default=0.0) * 1000
        print(f"{second:>6} {ok:>5} {unavailable:>5} {len(row) - ok - unavailable:>6} {slowest:>7.0f}")
    problems = [a for a in answers if a[3]]
    # Recovered: the first request sent after PostgreSQL was back from which every answer is 200.
    after = [a for a in answers if a[0] >= back]
    recovered_at = None
    for index, answer in enumerate(after):
        if all(a[2] == 200 for a in after[index:]):
            recovered_at = answer[0]
            break
    counts: dict[int, int] = {}
    for a in answers:
        counts[a[2]] = counts.get(a[2], 0) + 1
    print(f"fault: {len(answers)} answers by status: {dict(sorted(counts.items()))}")
    for sent, path, status, problem, _latency in problems[:10]:
        print(f"fault: PROBLEM at {sent:.2f} s {path} → {status}: {problem}")
    ok = not problems
    if recovered_at is None:
        print("fault: FAILED: the portal did not come back to 200 after PostgreSQL was back")
        ok = False
    else:
        lag = max(0.0, recovered_at - back)
        print(
            f"fault: every answer 200 again from {recovered_at:.1f} s, {lag:.1f} s after PostgreSQL was back "
            f"(limit {recover_within:.0f} s); outage seen by callers: "
            f"{sum(1 for a in answers if a[2] != 200)} answers not 200, all clean 503s"
            if not problems
            else f"fault: recovered {lag:.1f} s after PostgreSQL was back, but with the problems above"
        )
        if lag > recover_within:
            ok = False
    if not any(a[2] == 503 for a in answers):
        print("fault: note: no request met the outage (restart too quick for the rate?)")
    print("fault: PASSED" if ok else "fault: FAILED")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=40.0, help="requests a second, constant")
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--restart-at", type=float, default=8.0)
    parser.add_argument("--recover-within", type=float, default=10.0)
    parser.add_argument("--pg-port", type=int, default=5439)
    parser.add_argument("--bind", default="127.0.0.1:8101")
    parser.add_argument("--redis-url", default=os.environ.get("FAULT_REDIS_URL", "redis://127.0.0.1:6379/13"))
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    server = Server(args.pg_port)
    stack = None
    var = ROOT / "var" / "fault"
    var.mkdir(parents=True, exist_ok=True)
    try:
        print(f"fault: own PostgreSQL in {server.dir} on port {args.pg_port}", flush=True)
        server.init()
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{args.pg_port}/portal_fault",
            "REDIS_URL": args.redis_url,
            "BIND": args.bind,
            "SITE_URL": f"http://{args.bind}",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "WEB_CONCURRENCY": "2",
            "LOG_LEVEL": "WARNING",
            "ACCESS_LOG": str(var / "access.log"),
            "MEDIA_ROOT": str(var / "media"),
            "EMAIL_FILE_PATH": str(var / "mail"),
            "SMS_FILE_PATH": str(var / "sms.log"),
            "CELERY_NODE_NAME": "fault",
            "CELERY_BEAT_SCHEDULE_FILE": str(var / "celerybeat-schedule"),
        }
        print("fault: preparing the portal on it (scripts/prod.sh --setup-only)", flush=True)
        setup = subprocess.run(["scripts/prod.sh", "--setup-only"], cwd=ROOT, env=env, capture_output=True, text=True)
        if setup.returncode:
            print(setup.stdout[-3000:], setup.stderr[-3000:], sep="\n")
            return 1
        stack = subprocess.Popen(
            ["scripts/prod.sh", "--no-setup"],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=open(var / "server.log", "w"),  # noqa: SIM115 - the child keeps it; closed with the process
            stderr=subprocess.STDOUT,
        )
        wait_healthy(f"http://{args.bind}", 90)
        host, port = args.bind.rsplit(":", 1)
        print(
            f"fault: {args.rate:.0f} requests/s for {args.duration:.0f} s; PostgreSQL restarted at {args.restart_at:.0f} s",
            flush=True,
        )
        result = asyncio.run(drive(host, int(port), args.rate, args.duration, args.restart_at, server))
        return 0 if report(result, args.recover_within) else 1
    finally:
        if stack is not None:
            stop_group(stack)
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
