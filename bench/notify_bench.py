"""Throughput of a real Celery worker sending notifications (prefork, 2 processes, Redis).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_5 REDIS_URL=redis://127.0.0.1:6379/5 \
        .venv/bin/python bench/notify_bench.py [--count 5000] [--events 1000] [--db-reuse-max 1000]

1. Queues COUNT notifications (half e-mail, half SMS, to the file backends in a temporary
   folder) in one transaction; on commit they go to Redis in batch tasks
   (``SEND_BATCH_SIZE`` rows each). Then a worker is started and drains the queue. Prints
   the enqueue rate, the worker's rate (first → last sent_at, and from its start-up to the
   last row sent) and how many PostgreSQL sessions the worker opened
   (pg_stat_database.sessions), which shows whether connections are reused.
2. The path of a dossier's change: EVENTS dossier events written to the outbox
   (``outbox_add``, one task each on commit, as EVENTS submissions would queue), then a
   worker renders, writes and sends their messages (site, e-mail and SMS for each event).
   Prints events and notifications sent a second, from the worker's start-up.
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
    parser.add_argument(
        "--events", type=int, default=1000, help="dossier events through the outbox afterwards (0: skip)"
    )
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
    from portal.notifications.services import SEND_BATCH_SIZE, notification_queue

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
    pending = Notification.objects.filter(recipient=user).exclude(status=Status.SENT)
    finished = drain(env, args.concurrency, lambda: pending.exists(), ping)
    if finished is None:
        return 1
    sessions_after = sessions()

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
    tasks = -(-args.count // SEND_BATCH_SIZE)
    print(
        f"enqueue on commit: {args.count / max(committed - rows_written, 1e-9):.0f} notifications/s "
        f"({tasks} batch tasks of up to {SEND_BATCH_SIZE})"
    )
    print(f"worker start → last sent (start-up included): {n / (finished - worker_started):.0f} notifications/second")
    print(
        f"worker throughput (first → last sent_at, prefork x{args.concurrency}): "
        f"{(n - 1) / worker_seconds:.0f} notifications/second"
    )
    print(
        f"PostgreSQL sessions opened meanwhile: {sessions_after - sessions_before} (CELERY_DB_REUSE_MAX={args.db_reuse_max})"
    )
    ok = n == args.count and mails + sms_lines == args.count
    if args.events:
        ok = outbox_events(args, env, user, ping) and ok
    return 0 if ok else 1


def drain(env: dict, concurrency: int, busy, ping) -> float | None:
    """Start a worker, wait until ``busy()`` is false; returns the perf_counter at the end."""
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=prefork",
            f"--concurrency={concurrency}",
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
    started = time.perf_counter()
    try:
        while busy():
            if time.perf_counter() - started > 900:
                print("timed out waiting for the worker", file=sys.stderr)
                return None
            time.sleep(0.25)
        finished = time.perf_counter()
        assert ping.delay("done").get(timeout=60) == "done"
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    return finished


def outbox_events(args, env: dict, user, ping) -> bool:
    """Dossier events through the outbox: the worker renders, writes and sends."""
    from django.db import transaction

    from applications.constants import DossierState
    from applications.models import Dossier
    from portal.notifications.constants import Channel, Status
    from portal.notifications.models import Notification, OutboxEvent
    from portal.notifications.services import outbox_add
    from procedures.constants import LevelCode
    from procedures.models import AdministrativeLevel, Agency, Procedure

    level, _ = AdministrativeLevel.objects.get_or_create(code=LevelCode.COMMUNE, defaults={"name": "Cấp xã"})
    agency, _ = Agency.objects.get_or_create(code="BENCH-NOTIFY", defaults={"name": "UBND xã Thử Tải", "level": level})
    procedure, _ = Procedure.objects.get_or_create(code="B.NOTIFY", defaults={"name": "Đăng ký khai sinh"})
    dossier = Dossier.objects.filter(citizen=user, procedure=procedure).first() or Dossier.objects.create(
        procedure=procedure,
        agency=agency,
        citizen=user,
        state=DossierState.SUBMITTED,
        code="BENCH-NOTIFY-261129-0001",
        applicant_name=user.full_name,
    )
    Notification.objects.filter(recipient=user).delete()
    OutboxEvent.objects.filter(dossier_id=dossier.pk).delete()
    with transaction.atomic():
        for _ in range(args.events):
            outbox_add(dossier_id=dossier.pk, event="validated")
    started = time.perf_counter()
    rows = Notification.objects.filter(recipient=user).exclude(channel=Channel.SITE)
    outbox = OutboxEvent.objects.filter(dossier_id=dossier.pk)
    finished = drain(env, args.concurrency, lambda: outbox.exists() or rows.exclude(status=Status.SENT).exists(), ping)
    if finished is None:
        return False
    sent = rows.filter(status=Status.SENT)
    n = sent.count()
    first = sent.order_by("sent_at").values_list("sent_at", flat=True).first()
    last = sent.order_by("-sent_at").values_list("sent_at", flat=True).first()
    seconds = finished - started
    busy = max((last - first).total_seconds(), 1e-9)
    print(
        f"worker from the outbox (one task per dossier event: render, write, send), "
        f"{n} e-mails and SMS for {args.events} events (plus {args.events} on the portal): "
        f"{args.events / seconds:.0f} events/s, {n / seconds:.0f} notifications/s with start-up; "
        f"first → last sent_at {n / busy:.0f} notifications/s"
    )
    return n == 2 * args.events


if __name__ == "__main__":
    sys.exit(main())
