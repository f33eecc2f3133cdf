"""The outbox of dossier events: written in the transition's transaction, turned into
messages by the worker (inline when Celery is eager), exactly once."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from unittest import mock

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from applications import services as dossier_services
from portal.notifications import services, sms
from portal.notifications.constants import Channel, Event, Status
from portal.notifications.models import Notification, NotificationPreference, NotificationTemplate, OutboxEvent
from portal.notifications.tasks import process_outbox_events
from tests.applications.factories import DossierFactory, OfficialFactory, SubmittedDossierFactory

pytestmark = pytest.mark.django_db


def sms_too(user):
    user.phone_verified = True
    user.save(update_fields=["phone_verified"])
    NotificationPreference.objects.update_or_create(user=user, defaults={"sms_enabled": True})


def test_submit_writes_one_outbox_row_and_renders_nothing_in_the_request(citizen, django_capture_on_commit_callbacks):
    dossier = DossierFactory(citizen=citizen)
    with (
        django_capture_on_commit_callbacks() as callbacks,
        CaptureQueriesContext(connection) as queries,
    ):
        dossier_services.dossier_submit(dossier=dossier, actor=citizen)
    touched = [q["sql"] for q in queries if "notifications_" in q["sql"]]
    assert len(touched) == 1 and touched[0].startswith("INSERT INTO") and "notifications_outboxevent" in touched[0]
    assert not Notification.objects.exists()
    entry = OutboxEvent.objects.get()
    assert (entry.dossier_id, entry.event, entry.attempts) == (dossier.pk, "submitted", 0)
    assert [(c.func, c.args) for c in callbacks if isinstance(c, partial)] == [(services.enqueue_outbox, ([entry.pk],))]


def test_on_commit_the_worker_writes_and_sends_the_messages_and_drops_the_row(
    citizen, django_capture_on_commit_callbacks
):
    sms_too(citizen)
    dossier = DossierFactory(citizen=citizen)
    with django_capture_on_commit_callbacks(execute=True):
        dossier = dossier_services.dossier_submit(dossier=dossier, actor=citizen)
    rows = Notification.objects.filter(recipient=citizen, event=Event.DOSSIER_SUBMITTED)
    assert sorted(rows.values_list("channel", flat=True)) == [Channel.EMAIL, Channel.SITE, Channel.SMS]
    assert set(rows.values_list("status", flat=True)) == {Status.SENT}
    assert set(rows.values_list("related_id", flat=True)) == {str(dossier.pk)}
    assert len(mail.outbox) == 1 and dossier.code in mail.outbox[0].subject
    assert [m["to"] for m in sms.outbox] == ["84912345678"]
    assert not OutboxEvent.objects.exists()


def test_rolled_back_transition_leaves_no_outbox_row(citizen, django_capture_on_commit_callbacks):
    dossier = DossierFactory(citizen=citizen)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        dossier_services.dossier_submit(dossier=dossier, actor=citizen)
        raise RuntimeError("the request failed after the transition")
    assert callbacks == []
    assert not OutboxEvent.objects.exists()
    assert not Notification.objects.exists() and mail.outbox == []


def test_a_second_task_for_the_same_event_sends_nothing_more(citizen, django_capture_on_commit_callbacks):
    dossier = SubmittedDossierFactory(citizen=citizen)
    with django_capture_on_commit_callbacks(execute=True):
        entry = services.outbox_add(dossier_id=dossier.pk, event="validated")
    assert not OutboxEvent.objects.exists()
    assert services.outbox_process(outbox_ids=[entry.pk, entry.pk]) == 0
    assert process_outbox_events.apply(args=[[entry.pk]]).get() == 0
    assert Notification.objects.filter(recipient=citizen).count() == 2  # site and e-mail
    assert len(mail.outbox) == 1


def test_one_task_takes_the_events_waiting_and_their_own_tasks_find_nothing(citizen, django_assert_max_num_queries):
    dossiers = [SubmittedDossierFactory(citizen=citizen) for _ in range(5)]
    # Five events committed (the test's transaction never commits: their tasks wait).
    entries = [services.outbox_add(dossier_id=d.pk, event="validated") for d in dossiers]
    # The first task runs: one transaction for the five events, one send batch.
    with django_assert_max_num_queries(12):
        assert services.outbox_process(outbox_ids=[entries[0].pk]) == 5
    assert not OutboxEvent.objects.exists()
    assert len(mail.outbox) == 5
    assert {m.subject for m in mail.outbox} == {f"Hồ sơ {d.code} hợp lệ" for d in dossiers}
    for entry in entries[1:]:
        assert services.outbox_process(outbox_ids=[entry.pk]) == 0
    assert Notification.objects.filter(channel=Channel.EMAIL, status=Status.SENT).count() == 5


def test_a_broken_event_does_not_hold_back_the_others_and_is_recorded(citizen):
    dossiers = [SubmittedDossierFactory(citizen=citizen) for _ in range(3)]
    good, bad, also_good = (services.outbox_add(dossier_id=d.pk, event="validated") for d in dossiers)
    real_render = services.render

    def render(**kwargs):
        # A fault injected for one dossier's messages: the wording and the fallback both fail.
        if kwargs["context"]["code"] == dossiers[1].code:
            raise RuntimeError("wording broken")
        return real_render(**kwargs)

    with mock.patch.object(services, "render", render):
        assert services.outbox_process(outbox_ids=[good.pk]) == 2
    assert list(OutboxEvent.objects.values_list("pk", flat=True)) == [bad.pk]
    bad.refresh_from_db()
    assert bad.attempts == 1 and "wording broken" in bad.last_error
    assert {m.subject for m in mail.outbox} == {f"Hồ sơ {d.code} hợp lệ" for d in (dossiers[0], dossiers[2])}
    assert also_good.pk not in OutboxEvent.objects.values_list("pk", flat=True)
    # The sweep retries it; after too many failures it is left for an operator.
    OutboxEvent.objects.update(updated_at=timezone.now() - timedelta(hours=1))
    OutboxEvent.objects.filter(pk=bad.pk).update(attempts=services.OUTBOX_MAX_ATTEMPTS)
    assert services.outbox_requeue_stuck(older_than=timedelta(minutes=10)) == 0
    OutboxEvent.objects.filter(pk=bad.pk).update(attempts=1)
    assert services.outbox_requeue_stuck(older_than=timedelta(minutes=10)) == 1  # repaired: it goes out
    assert not OutboxEvent.objects.exists()
    assert f"Hồ sơ {dossiers[1].code} hợp lệ" in {m.subject for m in mail.outbox}


def test_broker_down_at_commit_the_event_waits_and_the_sweep_sends_it(
    citizen, not_eager, django_capture_on_commit_callbacks, caplog
):
    dossier = DossierFactory(citizen=citizen)
    with (
        mock.patch.object(process_outbox_events, "apply_async", side_effect=OperationalError("Connection refused")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        dossier = dossier_services.dossier_submit(dossier=dossier, actor=citizen)
    assert dossier.state == "submitted"  # the citizen's submission stands
    assert "could not queue 1 of 1 dossier events" in caplog.text
    assert OutboxEvent.objects.filter(dossier_id=dossier.pk).exists()
    assert mail.outbox == []
    assert services.outbox_requeue_stuck(older_than=timedelta(minutes=10)) == 0  # too recent
    OutboxEvent.objects.update(updated_at=timezone.now() - timedelta(minutes=11))
    process_outbox_events.app.conf.task_always_eager = True  # Redis is back: the task runs
    assert services.outbox_requeue_stuck(older_than=timedelta(minutes=10)) == 1
    assert not OutboxEvent.objects.exists()
    assert len(mail.outbox) == 1 and dossier.code in mail.outbox[0].subject


def test_the_beat_sweep_takes_outbox_events_and_stuck_rows(citizen):
    from portal.notifications.tasks import requeue_stuck_notifications

    dossier = SubmittedDossierFactory(citizen=citizen)
    services.outbox_add(dossier_id=dossier.pk, event="rejected")  # its task never ran
    OutboxEvent.objects.update(updated_at=timezone.now() - timedelta(hours=1))
    assert requeue_stuck_notifications.apply().get() == 1
    assert not OutboxEvent.objects.exists()
    assert Notification.objects.get(channel=Channel.EMAIL).event == Event.DOSSIER_REJECTED


def test_silent_and_unknown_events_write_no_outbox_row(caplog):
    assert services.outbox_add(dossier_id=1, event="rated") is None
    assert services.outbox_add(dossier_id=1, event="exploded") is None
    assert "unknown dossier event 'exploded'" in caplog.text
    assert not OutboxEvent.objects.exists()


def test_shipment_returned_tells_the_citizen_and_the_agency_officials(citizen, django_capture_on_commit_callbacks):
    dossier = SubmittedDossierFactory(citizen=citizen)
    official = OfficialFactory(agency=dossier.agency)
    OfficialFactory(agency=dossier.agency, is_active=False)
    OfficialFactory()  # another agency
    with django_capture_on_commit_callbacks(execute=True):
        services.outbox_add(
            dossier_id=dossier.pk,
            event="shipment_returned",
            extra={"tracking_number": "EB123456789VN", "return_reason": "Không liên lạc được"},
            include_officials=True,
        )
    recipients = set(
        Notification.objects.filter(event=Event.SHIPMENT_RETURNED, channel=Channel.EMAIL).values_list(
            "recipient_id", flat=True
        )
    )
    assert recipients == {citizen.pk, official.user_id}
    assert len(mail.outbox) == 2 and all("Lý do: Không liên lạc được." in m.body for m in mail.outbox)


def test_outbox_events_use_the_operators_wording_in_the_citizens_language(citizen, django_capture_on_commit_callbacks):
    NotificationPreference.objects.create(user=citizen, language="en")
    NotificationTemplate.objects.update_or_create(
        event=Event.DOSSIER_VALIDATED,
        channel=Channel.EMAIL,
        language="en",
        defaults={"subject": "Valid: {{ code }}", "body": "{{ procedure_name }}"},
    )
    dossier = SubmittedDossierFactory(citizen=citizen)
    with django_capture_on_commit_callbacks(execute=True):
        services.outbox_add(dossier_id=dossier.pk, event="validated")
    assert mail.outbox[0].subject == f"Valid: {dossier.code}"
    assert mail.outbox[0].body == dossier.procedure.name


def test_submit_view_request_touches_the_notifications_tables_once(
    client, citizen, not_eager, django_capture_on_commit_callbacks
):
    dossier = DossierFactory(citizen=citizen)
    client.force_login(citizen)
    url = reverse("applications:submit", kwargs={"public_id": dossier.public_id})
    with (
        mock.patch.object(process_outbox_events, "apply_async") as queued,  # the broker
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(url)
    assert response.status_code == 302
    assert [q["sql"].split()[0] for q in queries if "notifications_" in q["sql"]] == ["INSERT"]
    assert queued.call_count == 1
    assert not Notification.objects.exists()
