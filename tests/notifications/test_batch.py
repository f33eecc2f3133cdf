"""Sending in batches: one locking SELECT, one e-mail connection and one UPDATE for many
rows, with the single-row semantics kept for failures."""

from __future__ import annotations

from functools import partial
from unittest import mock

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from portal.notifications import channels, services, sms
from portal.notifications.constants import Channel, Event, Status
from portal.notifications.models import Notification, NotificationPreference
from portal.notifications.tasks import send_notification, send_notifications

from .factories import QueuedEmailFactory, QueuedSmsFactory, UserFactory
from .locks import held_by_another_worker

pytestmark = pytest.mark.django_db

CONTEXT = {"code": "000.00.12.H01-261129-0001", "agency_name": "UBND xã Tân Phú"}


def test_a_batch_is_one_select_one_mail_connection_and_one_update(monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr(services, "SEND_COMMIT_WINDOW", 60.0)  # however slow this machine is
    user = UserFactory()
    rows = [QueuedEmailFactory(recipient=user) for _ in range(20)] + [
        QueuedSmsFactory(recipient=user) for _ in range(20)
    ]
    opened = []
    real_get_connection = channels.get_connection
    monkeypatch.setattr(channels, "get_connection", lambda: opened.append(1) or real_get_connection())
    with django_assert_max_num_queries(4):  # (savepoint) SELECT … FOR UPDATE, UPDATE, (release)
        outcomes = services.notifications_send_batch(notification_ids=[r.pk for r in rows])
    assert {o.status for o in outcomes.values()} == {Status.SENT}
    assert len(opened) == 1
    assert len(mail.outbox) == 20 and len(sms.outbox) == 20
    sent = Notification.objects.filter(pk__in=[r.pk for r in rows])
    assert set(sent.values_list("status", "attempts", "last_error")) == {(Status.SENT, 1, "")}
    # Each row keeps its own provider id: the e-mail's Message-ID, the SMS request id.
    emails = dict(sent.filter(channel=Channel.EMAIL).values_list("pk", "provider_message_id"))
    assert sorted(emails.values()) == sorted(m.extra_headers["Message-ID"] for m in mail.outbox)
    assert set(sent.filter(channel=Channel.SMS).values_list("provider_message_id", flat=True)) == {
        f"notif-{r.pk}" for r in rows[20:]
    }
    assert [a for a in sent.values_list("provider_answer", flat=True) if a != {"backend": "locmem"}] == []
    assert None not in set(sent.values_list("sent_at", flat=True))


def test_each_row_keeps_its_own_provider_answer(brandname):
    rows = [QueuedSmsFactory() for _ in range(3)]
    services.notifications_send_batch(notification_ids=[r.pk for r in rows])
    stored = Notification.objects.filter(pk__in=[r.pk for r in rows]).order_by("pk")
    assert [(n.provider_message_id, n.provider_answer["message_id"]) for n in stored] == [
        ("MSG1", "MSG1"),
        ("MSG2", "MSG2"),
        ("MSG3", "MSG3"),
    ]
    assert {n.provider_answer["http_status"] for n in stored} == {200}


def test_a_slow_provider_commits_each_row_as_it_goes(monkeypatch):
    # Past the commit window after every row: what a worker killed mid-batch could send
    # twice is the row in flight, not the batch.
    monkeypatch.setattr(services, "SEND_COMMIT_WINDOW", 0.0)
    rows = [QueuedSmsFactory() for _ in range(4)]
    with CaptureQueriesContext(connection) as queries:
        services.notifications_send_batch(notification_ids=[r.pk for r in rows])
    updates = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 4
    assert Notification.objects.filter(status=Status.SENT).count() == 4
    assert len(sms.outbox) == 4


def test_a_row_already_sent_or_failed_is_left_alone():
    sent, failed, queued = QueuedEmailFactory(status=Status.SENT), QueuedEmailFactory(status=Status.FAILED), None
    queued = QueuedEmailFactory()
    outcomes = services.notifications_send(notification_ids=[sent.pk, failed.pk, queued.pk, 987654])
    assert {pk: o.status for pk, o in outcomes.items()} == {
        sent.pk: Status.SENT,
        failed.pk: Status.FAILED,
        queued.pk: Status.SENT,
        987654: "skipped",
    }
    assert len(mail.outbox) == 1
    assert Notification.objects.get(pk=failed.pk).attempts == 0


def test_a_transient_failure_goes_to_the_single_row_task_and_defers_its_channel(brandname, eager_retries):
    user = UserFactory()
    texts = [QueuedSmsFactory(recipient=user) for _ in range(3)]
    emails = [QueuedEmailFactory(recipient=user) for _ in range(2)]
    brandname.script.append((200, {"code": "20", "description": "throttled"}))
    outcomes = services.notifications_send_batch(notification_ids=[r.pk for r in texts + emails])
    first, *rest = texts
    assert outcomes[first.pk].retry and "throttled" in outcomes[first.pk].error
    # The gateway just refused: the other SMS were not tried in this batch.
    assert all(outcomes[r.pk].deferred for r in rest)
    assert all(outcomes[r.pk].status == Status.SENT for r in emails)
    # Eager mode: the single-row task ran them straight away, once each.
    rows = {r.pk: r for r in Notification.objects.filter(pk__in=[r.pk for r in texts + emails])}
    assert {r.status for r in rows.values()} == {Status.SENT}
    assert rows[first.pk].attempts == 2
    assert {rows[r.pk].attempts for r in rest + emails} == {1}
    assert len(brandname.requests) == 4 and len(brandname.accepted) == 3
    assert len(mail.outbox) == 2


def test_a_transient_failure_every_time_ends_failed_after_the_single_row_budget(brandname, eager_retries):
    row = QueuedSmsFactory()
    brandname.script += [(200, {"code": "21", "description": "system busy"})] * 20
    services.notifications_send_batch(notification_ids=[row.pk])
    row.refresh_from_db()
    assert row.status == Status.FAILED
    # One attempt in the batch, then the single-row task's retries: as if queued alone.
    assert row.attempts == send_notification.max_retries + 1
    assert "system busy" in row.last_error


def test_with_a_broker_the_retry_is_queued_with_backoff_and_its_retry_count(brandname, not_eager):
    texts = [QueuedSmsFactory() for _ in range(2)]
    brandname.script.append((503, {"description": "busy"}))
    with mock.patch.object(send_notification, "apply_async") as queued:
        services.notifications_send_batch(notification_ids=[r.pk for r in texts])
    calls = {c.kwargs["args"][0]: c.kwargs for c in queued.call_args_list}
    assert calls[texts[0].pk]["retries"] == 1  # one attempt spent in the batch
    assert calls[texts[1].pk]["retries"] == 0  # deferred, not tried
    assert all(0 <= c["countdown"] <= send_notification.retry_backoff for c in calls.values())
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.QUEUED}


def test_enqueue_hands_the_ids_to_the_broker_fifty_a_task(not_eager):
    with mock.patch.object(send_notifications, "apply_async") as queued:
        assert services.enqueue_notifications(list(range(1, 121))) == 120
    assert [c.kwargs["args"][0] for c in queued.call_args_list] == [
        list(range(1, 51)),
        list(range(51, 101)),
        list(range(101, 121)),
    ]


def test_rows_queued_in_one_transaction_share_one_callback_even_across_savepoints(
    citizen, django_capture_on_commit_callbacks
):
    def queue(code):
        with transaction.atomic():  # a savepoint per event, as a loop of services would make
            return services.notification_queue(
                recipient=citizen, event=Event.DOSSIER_VALIDATED, context={**CONTEXT, "code": code}
            )

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = queue("A-1")
        with pytest.raises(RuntimeError), transaction.atomic():
            queue("B-1")
            raise RuntimeError("this part of the work is undone")
        last = queue("C-1")
    assert len(callbacks) == 1
    # B-1's id rode along (on SQLite, C-1's row may even have taken it over): harmless, a
    # send only ever takes rows that exist and are queued.
    assert {n.pk for n in first + last if n.channel == Channel.EMAIL} <= set(callbacks[0].ids)
    callbacks[0]()
    assert sorted(m.subject for m in mail.outbox) == ["Hồ sơ A-1 hợp lệ", "Hồ sơ C-1 hợp lệ"]
    assert set(Notification.objects.filter(channel=Channel.EMAIL).values_list("status", flat=True)) == {Status.SENT}


def test_a_rollback_of_the_savepoint_that_registered_the_callback_keeps_what_follows(
    citizen, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            services.notification_queue(recipient=citizen, event=Event.DOSSIER_VALIDATED, context=CONTEXT)
            raise RuntimeError("undone, with its callback")
        services.notification_queue(recipient=citizen, event=Event.DOSSIER_REJECTED, context=CONTEXT)
    assert [m.subject for m in mail.outbox] == [f"Hồ sơ {CONTEXT['code']} không được giải quyết"]


def test_a_callback_of_another_kind_in_between_starts_a_new_one(citizen, django_capture_on_commit_callbacks):
    NotificationPreference.objects.create(user=citizen, email_enabled=True)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.notification_queue(recipient=citizen, event=Event.DOSSIER_VALIDATED, context=CONTEXT)
        transaction.on_commit(partial(len, []))
        services.notification_queue(recipient=citizen, event=Event.DOSSIER_REJECTED, context=CONTEXT)
    assert len(callbacks) == 3
    assert len(mail.outbox) == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_batch_skips_the_rows_another_worker_holds():
    rows = [QueuedEmailFactory() for _ in range(3)]
    with held_by_another_worker(rows[1].pk):
        outcomes = services.notifications_send_batch(notification_ids=[r.pk for r in rows])
    assert [outcomes[r.pk].status for r in rows] == [Status.SENT, "skipped", Status.SENT]
    assert len(mail.outbox) == 2
    held = Notification.objects.get(pk=rows[1].pk)
    assert held.status == Status.QUEUED and held.attempts == 0
