"""A Celery worker killed with SIGKILL in the middle of a batch of SMS.

What the design guarantees (``services.notifications_send``): the task locks its rows
(``SELECT … FOR UPDATE SKIP LOCKED``), calls the provider while holding the locks, and marks
the rows sent in the same transaction, committing at least every ``SEND_COMMIT_WINDOW``
(one row at a time with a provider as slow as this test's). So:

- a row committed ``sent`` is never sent again (any later task sees "sent" and stops);
- a row whose task died before the provider call stays ``queued`` and is sent once later;
- a row whose task died after the provider accepted the message but before the commit is
  rolled back by PostgreSQL (the connection closes with the process) and stays ``queued``:
  it is sent a second time after the restart. Its ``request_id`` (``notif-<pk>``) is the same
  both times, which is what lets a real gateway drop the duplicate (the brandname gateways
  do, see ``FakeBrandnameServer``).

Hence: every notification reaches the provider at least once, and at most one per
pool process at the kill (the worker's concurrency) reaches it twice, never one that was
already committed sent; whether each event was its own task or the rows went in batches.

The messages in flight at the kill stay in Redis's ``unacked`` set for the visibility
timeout (an hour): the outbox sweep (``notifications_requeue_stuck``) is what recovers them.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.db import transaction

from portal.celery import app
from portal.notifications import services
from portal.notifications.constants import Channel, Event, Status
from portal.notifications.models import Notification, NotificationPreference
from tests.notifications.test_worker import CONTEXT, ROOT, _test_database_url, wait_until

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
]

BATCH = 60
CONCURRENCY = 2


def _start_worker(env: dict, name: str) -> subprocess.Popen:
    # Its own session: os.killpg reaches the main process and its pool children at once.
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=prefork",
            f"--concurrency={CONCURRENCY}",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"{name}-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _kill_group(worker: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=20)


def _forget_unacked() -> None:
    """Drop what the killed worker left in Redis's unacked set (our Redis database only),
    so it is not redelivered into a later test run an hour from now."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete("unacked", "unacked_index", "unacked_mutex")


def _locked_queued_rows() -> int:
    with transaction.atomic():
        queued = Notification.objects.filter(status=Status.QUEUED)
        return queued.count() - len(queued.select_for_update(skip_locked=True).values_list("pk", flat=True))


@pytest.mark.parametrize("queued_together", [False, True], ids=["a-transaction-per-event", "one-transaction"])
def test_worker_killed_mid_batch_every_sms_arrives_duplicates_only_in_flight(citizen, tmp_path, queued_together):
    citizen.phone_verified = True
    citizen.save(update_fields=["phone_verified"])
    NotificationPreference.objects.create(user=citizen, email_enabled=False, sms_enabled=True)
    sms_file = tmp_path / "sms.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": _test_database_url(),
        "SMS_BACKEND": "tests.notifications.slow_backend.SlowFileBackend",
        "SMS_FILE_PATH": str(sms_file),
        "SMS_SLOW_SECONDS": "0.1",
        "PYTHONPATH": str(ROOT),
    }

    def request_ids() -> list[str]:
        if not sms_file.exists():
            return []
        return [json.loads(line)["request_id"] for line in sms_file.read_text(encoding="utf-8").splitlines()]

    app.control.purge()
    _forget_unacked()
    ids = []
    # One committed transaction per event (each queues a task of one row on commit), or all
    # in one (batch tasks of services.SEND_BATCH_SIZE rows).
    with transaction.atomic() if queued_together else contextlib.nullcontext():
        for _ in range(BATCH):
            with transaction.atomic():
                rows = services.notification_queue(
                    recipient=citizen, event=Event.DOSSIER_VALIDATED, context=CONTEXT, channels=[Channel.SMS]
                )
            ids.extend(r.pk for r in rows)
    assert len(ids) == BATCH
    rows = Notification.objects.filter(pk__in=ids)
    sent = rows.filter(status=Status.SENT)

    workers: list[subprocess.Popen] = []
    try:
        first = _start_worker(env, "doomed")
        workers.append(first)
        assert wait_until(lambda: sent.count() >= BATCH // 6, timeout=60), "the first worker sent nothing"
        _kill_group(first)
        # PostgreSQL rolls back the dead connections' transactions and frees their row locks
        # (a COMMIT already on the wire completes first): only then is the split final.
        assert wait_until(lambda: _locked_queued_rows() == 0, timeout=30)
        sent_at_kill = set(sent.values_list("pk", flat=True))
        lines_at_kill = Counter(request_ids())
        assert 0 < len(sent_at_kill) < BATCH, "the kill must land mid-batch"
        # Provider accepted, commit lost: at most one such message per pool process.
        in_flight = {f"notif-{pk}" for pk in ids if pk not in sent_at_kill} & set(lines_at_kill)
        assert len(in_flight) <= CONCURRENCY
        assert all(n == 1 for n in lines_at_kill.values())

        # The beat sweep, with no waiting: re-queues every row still queued (the messages
        # the dead worker had taken stay unacked in Redis for the visibility timeout).
        assert services.notifications_requeue_stuck(older_than=timedelta(0)) == BATCH - len(sent_at_kill)
        workers.append(_start_worker(env, "fresh"))
        assert wait_until(lambda: sent.count() == BATCH, timeout=60), f"{sent.count()} of {BATCH} sent"
    finally:
        for worker in workers:
            _kill_group(worker)
        app.control.purge()
        _forget_unacked()

    assert set(rows.values_list("status", flat=True)) == {Status.SENT}
    arrived = Counter(request_ids())
    assert set(arrived) == {f"notif-{pk}" for pk in ids}
    twice = {request_id for request_id, n in arrived.items() if n > 1}
    assert all(n <= 2 for n in arrived.values())
    assert twice == in_flight
    # Reported by `pytest -s`: how the batch split around the kill.
    print(f"\nsent before kill {len(sent_at_kill)}, after {BATCH - len(sent_at_kill)}, duplicates {len(twice)}")
