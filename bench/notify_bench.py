"""Throughput of a real Celery worker sending notifications (prefork, 2 processes, Redis).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_5 REDIS_URL=redis://127.0.0.1:6379/5 \
        .venv/bin/python bench/notify_bench.py [--count 5000] [--db-reuse-max 1000]

Queues COUNT notifications (half e-mail, half SMS, to the file backends in a temporary
folder) in one transaction; on commit their tasks go to Redis. Then a worker is started and
drains the queue. Prints the enqueue rate, the worker's rate (first → last sent_at, and
from its start-up to the last row sent) and how many PostgreSQL sessions the worker opened
(pg_stat_database.sessions), which shows whether connections are reused.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=5000, help="notifications to send (even number)")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument(
        "--db-reuse-max",
        default="1000",
        help="CELERY_DB_REUSE_MAX for the worker (0: Celery's default, close per task)",
    )
    args = parser.parse_args()
    if not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")):
        print("Set DATABASE_URL (PostgreSQL) and REDIS_URL: the benchmark needs the real services.", file=sys.stderr)
        return 2

    out = Path(tempfile.mkdtemp(prefix="notify-bench-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        # Production-like: DEBUG off (no query log growing in the worker).
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "localhost",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(out / "mail"),
        "SMS_BACKEND": "portal.notifications.sms.FileBackend",
        "SMS_FILE_PATH": str(out / "sms.log"),
        "CELERY_DB_REUSE_MAX": str(args.db_reuse_max),
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from portal.celery import app, ping
    from portal.models import User
    from portal.notifications.constants import Channel, Event, Status
    from portal.notifications.models import Notification, NotificationPreference
    from portal.notifications.services import notification_queue

    call_command("migrate", verbosity=0)
    user, _ = User.objects.get_or_create(
        email="bench.notify@example.vn",
        defaults={"full_name": "Người Dùng Thử Tải", "phone": "+84912000111", "phone_verified": True},
    )
    NotificationPreference.objects.update_or_create(user=user, defaults={"email_enabled": True, "sms_enabled": True})
    Notification.objects.filter(recipient=user).delete()
    app.control.purge()

    def sessions() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
            return cursor.fetchone()[0]

    context = {
        "code": "000.00.12.H01-261129-0001",
        "procedure_name": "Đăng ký khai sinh",
        "agency_name": "UBND xã Tân Phú",
        "url": "http://127.0.0.1:8000/ho-so/1/",
    }
    # 1. Rows and tasks first, with no worker running, so the worker's rate is its own.
    started = time.perf_counter()
    with transaction.atomic():
        for _ in range(args.count // 2):
            notification_queue(
                recipient=user, event=Event.DOSSIER_VALIDATED, context=context, channels=[Channel.EMAIL, Channel.SMS]
            )
        rows_written = time.perf_counter()
    committed = time.perf_counter()  # on_commit has handed every id to Redis
    # 2. A real worker drains the queue.
    sessions_before = sessions()
    worker_started = time.perf_counter()
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=prefork",
            f"--concurrency={args.concurrency}",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"bench-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        pending = Notification.objects.filter(recipient=user).exclude(status=Status.SENT)
        while pending.exists():
            if time.perf_counter() - worker_started > 900:
                print("timed out waiting for the worker", file=sys.stderr)
                return 1
            time.sleep(0.25)
        finished = time.perf_counter()
        sessions_after = sessions()
        assert ping.delay("done").get(timeout=60) == "done"
    finally:
        worker.terminate()
        worker.wait(timeout=60)

    sent = Notification.objects.filter(recipient=user, status=Status.SENT)
    first, last = (
        sent.order_by("sent_at").values_list("sent_at", flat=True).first(),
        sent.order_by("-sent_at").values_list("sent_at", flat=True).first(),
    )
    mails = sum(f.read_text().count("Message-ID:") for f in (out / "mail").iterdir())
    sms_lines = len((out / "sms.log").read_text(encoding="utf-8").splitlines())
    n = sent.count()
    worker_seconds = (last - first).total_seconds()
    print(f"notifications: {n} sent ({mails} e-mails in files, {sms_lines} SMS lines); files in {out}")
    print(f"queueing (render + insert, one transaction): {(rows_written - started):.1f} s")
    print(f"enqueue on commit: {args.count / max(committed - rows_written, 1e-9):.0f} tasks/s")
    print(f"worker start → last sent (start-up included): {n / (finished - worker_started):.0f} notifications/second")
    print(
        f"worker throughput (first → last sent_at, prefork x{args.concurrency}): "
        f"{(n - 1) / worker_seconds:.0f} notifications/second"
    )
    print(
        f"PostgreSQL sessions opened meanwhile: {sessions_after - sessions_before} (CELERY_DB_REUSE_MAX={args.db_reuse_max})"
    )
    return 0 if n == args.count and mails + sms_lines == args.count else 1


if __name__ == "__main__":
    sys.exit(main())
