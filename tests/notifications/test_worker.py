"""With the real services: PostgreSQL, Redis and a Celery worker process.

The worker is a separate process, so it sends through the file e-mail backend and the
file SMS backend in a temporary folder, and the test reads what arrived there."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.utils import timezone

from portal.celery import app, ping
from portal.notifications import services
from portal.notifications.constants import Channel, Event, Status
from portal.notifications.models import Notification, NotificationPreference
from portal.notifications.tasks import send_notification

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
]

CONTEXT = {
    "code": "000.00.12.H01-261129-0042",
    "procedure_name": "Đăng ký khai sinh",
    "agency_name": "UBND xã Tân Phú",
    "appointment_date": "2026-12-05",
    "url": "http://127.0.0.1:8000/ho-so/42/",
}


def _test_database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def outbox(tmp_path):
    mail_dir, sms_file = tmp_path / "mail", tmp_path / "sms.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": _test_database_url(),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "SMS_BACKEND": "portal.notifications.sms.FileBackend",
        "SMS_FILE_PATH": str(sms_file),
        "PYTHONPATH": str(ROOT),
    }

    class Outbox:
        def __init__(self):
            self.env = env

        def emails(self) -> list[str]:
            if not mail_dir.exists():
                return []
            return [
                part
                for f in sorted(mail_dir.iterdir())
                for part in f.read_text().split("\n" + "-" * 79 + "\n")
                if "Message-ID:" in part
            ]

        def sms(self) -> list[dict]:
            if not sms_file.exists():
                return []
            return [json.loads(line) for line in sms_file.read_text(encoding="utf-8").splitlines()]

    app.control.purge()
    return Outbox()


@contextmanager
def celery_worker(env: dict, *, pool: str = "solo"):
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            f"--pool={pool}",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"notif-test-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def wait_until(condition, *, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


@pytest.fixture
def sms_citizen(citizen):
    citizen.phone_verified = True
    citizen.save(update_fields=["phone_verified"])
    NotificationPreference.objects.create(user=citizen, email_enabled=True, sms_enabled=True)
    return citizen


QUEUE_WITH_DEAD_BROKER = """
import sys, time, django
django.setup()
from django.db import transaction
from portal.models import User
from portal.notifications.services import notification_queue
started = time.monotonic()
with transaction.atomic():
    rows = notification_queue(recipient=User.objects.get(pk=int(sys.argv[1])), event="dossier_validated",
                              context={"code": "000.00.12.H01-261129-0042", "agency_name": "UBND xã Tân Phú"})
print(",".join(str(r.pk) for r in rows if r.channel != "site"), round(time.monotonic() - started, 2))
"""


def test_redis_down_at_commit_then_sweep_and_worker_send_each_message_once(sms_citizen, outbox):
    # 1. A separate process whose broker is a dead port commits the event: rows saved, queued.
    dead = {**outbox.env, "REDIS_URL": "redis://127.0.0.1:1/5"}
    done = subprocess.run(
        [sys.executable, "-c", QUEUE_WITH_DEAD_BROKER, str(sms_citizen.pk)],
        cwd=ROOT,
        env=dead,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "outbox sweep will send them" in done.stderr
    ids_text, seconds = done.stdout.split()
    ids = [int(i) for i in ids_text.split(",")]
    assert float(seconds) < 10, "a broker outage must not hang the request"
    rows = Notification.objects.filter(pk__in=ids)
    assert sorted(rows.values_list("channel", flat=True)) == [Channel.EMAIL, Channel.SMS]
    assert set(rows.values_list("status", flat=True)) == {Status.QUEUED}

    # 2. Redis is back: the sweep queues them again and a real worker sends them.
    Notification.objects.filter(pk__in=ids).update(updated_at=timezone.now() - timedelta(minutes=11))
    assert services.notifications_requeue_stuck(older_than=timedelta(minutes=10)) == 2
    with celery_worker(outbox.env) as worker:
        arrived = wait_until(lambda: not rows.filter(status=Status.QUEUED).exists())
        assert arrived, worker.stdout.read1().decode() if worker.poll() is not None else "worker still busy"
        # 3. A duplicate task (a re-delivery, a second sweep) changes nothing.
        for notification_id in ids:
            send_notification.delay(notification_id)
        # The solo worker takes messages in order: once the ping is back, the duplicates ran.
        assert ping.delay("after duplicates").get(timeout=60) == "after duplicates"
        assert services.notifications_requeue_stuck(older_than=timedelta(0)) == 0
    assert len(outbox.emails()) == 1
    assert "000.00.12.H01-261129-0042" in outbox.emails()[0]
    assert [m["to"] for m in outbox.sms()] == ["84912345678"]
    assert set(rows.values_list("status", flat=True)) == {Status.SENT}
    assert set(rows.values_list("attempts", flat=True)) == {1}


def test_every_event_arrives_through_a_real_worker(citizen, outbox):
    events = [e for e in Event.values if not e.startswith("official_")]
    with transaction.atomic():
        for event in events:
            services.notification_queue(recipient=citizen, event=event, context=CONTEXT, channels=[Channel.EMAIL])
    with celery_worker(outbox.env):
        assert wait_until(lambda: len(outbox.emails()) >= len(events))
    subjects = "\n".join(outbox.emails())
    assert len(outbox.emails()) == len(events)
    assert "Hồ sơ 000.00.12.H01-261129-0042 hợp lệ" in subjects or "=?utf-8?" in subjects
    assert Notification.objects.filter(status=Status.SENT, channel=Channel.EMAIL).count() == len(events)


def test_rolled_back_event_queues_nothing_for_the_worker(citizen, outbox):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.notification_queue(recipient=citizen, event=Event.DOSSIER_SUBMITTED, context=CONTEXT)
        raise RuntimeError("transition refused")
    with celery_worker(outbox.env):
        # A task that would have been queued would have run by the time this round trip does.
        assert ping.delay("ok").get(timeout=60) == "ok"
    assert outbox.emails() == []
    assert not Notification.objects.exists()


def test_dossier_event_through_the_outbox_and_a_real_worker_once(sms_citizen, outbox):
    from portal.notifications.models import OutboxEvent
    from portal.notifications.tasks import process_outbox_events
    from tests.applications.factories import SubmittedDossierFactory

    dossier = SubmittedDossierFactory(citizen=sms_citizen)
    with transaction.atomic():
        entry = services.outbox_add(dossier_id=dossier.pk, event="validated")
    assert not Notification.objects.exists()  # the commit only queued the task
    rows = Notification.objects.filter(recipient=sms_citizen).exclude(channel=Channel.SITE)
    with celery_worker(outbox.env):
        assert wait_until(lambda: rows.count() == 2 and not rows.filter(status=Status.QUEUED).exists())
        # A re-delivered task for the same event finds nothing to do.
        process_outbox_events.delay([entry.pk])
        assert ping.delay("after the duplicate").get(timeout=60) == "after the duplicate"
    assert not OutboxEvent.objects.exists()
    assert Notification.objects.filter(recipient=sms_citizen).count() == 3
    assert len(outbox.emails()) == 1 and dossier.code in outbox.emails()[0]
    assert [m["to"] for m in outbox.sms()] == ["84912345678"]
