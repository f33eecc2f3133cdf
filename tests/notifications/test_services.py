from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from portal.notifications import services, sms
from portal.notifications.constants import Channel, Event, Status
from portal.notifications.models import Notification, NotificationPreference, NotificationTemplate
from portal.notifications.tasks import send_notification, send_notifications

from .factories import PreferenceFactory, QueuedEmailFactory, QueuedSmsFactory, UserFactory
from .locks import held_by_another_worker

pytestmark = pytest.mark.django_db

CONTEXT = {
    "code": "000.00.12.H01-261129-0001",
    "procedure_name": "Đăng ký khai sinh",
    "agency_name": "UBND xã Tân Phú",
    "appointment_date": timezone.localdate() + timedelta(days=5),
    "url": "http://127.0.0.1:8000/ho-so/abc/",
}


def queue(user, event=Event.DOSSIER_VALIDATED, **kwargs):
    return services.notification_queue(recipient=user, event=event, context=CONTEXT, **kwargs)


def test_default_preferences_give_site_and_email(citizen):
    rows = queue(citizen)
    assert {n.channel for n in rows} == {Channel.SITE, Channel.EMAIL}
    email = next(n for n in rows if n.channel == Channel.EMAIL)
    assert email.status == Status.QUEUED
    assert email.to_address == citizen.email
    assert email.subject == "Hồ sơ 000.00.12.H01-261129-0001 hợp lệ"
    assert "Nguyễn Văn An" in email.body_text
    assert CONTEXT["appointment_date"].strftime("%d/%m/%Y") in email.body_text
    assert "<html" in email.body_html and "hợp lệ" in email.body_html
    site = next(n for n in rows if n.channel == Channel.SITE)
    assert site.status == Status.SENT and site.read_at is None


def test_sms_needs_a_verified_phone(citizen):
    NotificationPreference.objects.create(user=citizen, sms_enabled=True)
    assert Channel.SMS not in {n.channel for n in queue(citizen)}
    citizen.phone_verified = True
    citizen.save()
    sms_row = next(n for n in queue(citizen) if n.channel == Channel.SMS)
    assert sms_row.to_address == "+84912345678"
    assert sms_row.body_text.startswith("Hồ sơ 000.00.12.H01-261129-0001 hợp lệ")


def test_email_switched_off_is_respected(citizen):
    NotificationPreference.objects.create(user=citizen, email_enabled=False)
    assert [n.channel for n in queue(citizen)] == [Channel.SITE]


def test_english_preference_uses_english_wording(citizen):
    NotificationPreference.objects.create(user=citizen, language="en")
    email = next(n for n in queue(citizen) if n.channel == Channel.EMAIL)
    assert email.subject == "Dossier 000.00.12.H01-261129-0001 is valid"


def test_operator_template_overrides_the_default_and_inactive_switches_off(citizen):
    NotificationTemplate.objects.update_or_create(
        event=Event.DOSSIER_VALIDATED,
        channel=Channel.EMAIL,
        language="vi",
        defaults={"subject": "HỢP LỆ: {{ code }}", "body": "Mã {{ code }}, phí {{ fee_amount|vnd }}"},
    )
    NotificationTemplate.objects.update_or_create(
        event=Event.DOSSIER_VALIDATED, channel=Channel.SITE, language="vi", defaults={"is_active": False, "body": "x"}
    )
    rows = services.notification_queue(
        recipient=citizen, event=Event.DOSSIER_VALIDATED, context={**CONTEXT, "fee_amount": 50000}
    )
    assert [n.channel for n in rows] == [Channel.EMAIL]
    assert rows[0].subject == "HỢP LỆ: 000.00.12.H01-261129-0001"
    assert rows[0].body_text == "Mã 000.00.12.H01-261129-0001, phí 50.000 đ"


def test_event_without_sms_wording_sends_no_sms(citizen):
    citizen.phone_verified = True
    citizen.save()
    rows = queue(citizen, event=Event.DOSSIER_WITHDRAWN, channels=[Channel.SMS, Channel.EMAIL])
    assert [n.channel for n in rows] == [Channel.EMAIL]


def test_unknown_event_is_refused(citizen):
    with pytest.raises(ValueError):
        queue(citizen, event="dossier_exploded")


def test_sends_happen_on_commit(citizen, django_capture_on_commit_callbacks):
    PreferenceFactory(user=citizen)
    citizen.phone_verified = True
    citizen.save()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queue(citizen)
    assert len(mail.outbox) == 0 and sms.outbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [citizen.email]
    assert message.alternatives[0][1] == "text/html"
    assert message.extra_headers["Message-ID"].startswith("<")
    assert [m["to"] for m in sms.outbox] == ["84912345678"]
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.SENT}


def test_rolled_back_transaction_sends_nothing(citizen, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queue(citizen)
        raise RuntimeError("the dossier transition failed")
    assert callbacks == []
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_send_twice_sends_once():
    notification = QueuedEmailFactory()
    assert send_notification.apply(args=[notification.pk], throw=False).get() == Status.SENT
    assert send_notification.apply(args=[notification.pk], throw=False).get() == Status.SENT
    notification.refresh_from_db()
    assert len(mail.outbox) == 1
    assert notification.attempts == 1
    assert notification.sent_at is not None
    assert notification.provider_message_id == mail.outbox[0].extra_headers["Message-ID"]


def test_provider_errors_twice_then_success_gives_one_sms_after_three_attempts(brandname, eager_retries):
    notification = QueuedSmsFactory()
    brandname.script += [(200, {"code": "20", "description": "throttled"}), (503, {"description": "busy"})]
    assert send_notification.apply(args=[notification.pk], throw=False).get() == Status.SENT
    notification.refresh_from_db()
    assert notification.attempts == 3
    assert notification.status == Status.SENT
    assert notification.provider_message_id == "MSG1"
    assert notification.provider_answer["code"] == "00"
    assert notification.last_error == ""
    assert len(brandname.requests) == 3
    assert len(brandname.accepted) == 1
    # Every attempt carried the same request id: the gateway can drop a duplicate.
    assert {r["json"]["request_id"] for r in brandname.requests} == {f"notif-{notification.pk}"}


def test_provider_error_on_every_attempt_ends_failed(brandname, eager_retries):
    notification = QueuedSmsFactory()
    brandname.script += [(200, {"code": "21", "description": "system busy"})] * 10
    result = send_notification.apply(args=[notification.pk], throw=False)
    assert result.get() == Status.FAILED
    notification.refresh_from_db()
    assert notification.status == Status.FAILED
    assert notification.attempts == send_notification.max_retries + 1
    assert "system busy" in notification.last_error


def test_permanent_provider_error_is_not_retried(brandname):
    notification = QueuedSmsFactory()
    brandname.script.append((200, {"code": "10", "description": "invalid phone"}))
    assert send_notification.apply(args=[notification.pk], throw=False).get() == Status.FAILED
    notification.refresh_from_db()
    assert notification.attempts == 1
    assert notification.provider_answer["code"] == "10"


def test_failed_row_is_not_sent_by_a_late_task():
    notification = QueuedEmailFactory(status=Status.FAILED)
    assert services.notification_send(notification_id=notification.pk) == Status.FAILED
    assert mail.outbox == []


def test_missing_row_is_skipped():
    assert services.notification_send(notification_id=987654) == "skipped"


def test_broker_down_at_commit_keeps_the_row_queued_and_the_sweep_sends_it(
    citizen, django_capture_on_commit_callbacks, caplog
):
    conf = send_notification.app.conf
    eager, conf.task_always_eager = conf.task_always_eager, False
    try:
        with (
            # The batch task is what commit hands the rows to.
            mock.patch.object(send_notifications, "apply_async", side_effect=OperationalError("Connection refused")),
            django_capture_on_commit_callbacks(execute=True),
        ):
            rows = queue(citizen)
    finally:
        conf.task_always_eager = eager
    email = next(n for n in rows if n.channel == Channel.EMAIL)
    email.refresh_from_db()
    assert email.status == Status.QUEUED
    assert mail.outbox == []
    assert "outbox sweep will send them" in caplog.text
    # Too recent for the sweep.
    assert services.notifications_requeue_stuck(older_than=timedelta(minutes=10)) == 0
    Notification.objects.filter(pk=email.pk).update(updated_at=timezone.now() - timedelta(minutes=11))
    assert services.notifications_requeue_stuck(older_than=timedelta(minutes=10)) == 1
    email.refresh_from_db()
    assert email.status == Status.SENT
    assert len(mail.outbox) == 1


def test_sweep_leaves_sent_failed_and_site_rows_alone():
    old = timezone.now() - timedelta(hours=1)
    QueuedEmailFactory(status=Status.SENT)
    QueuedEmailFactory(status=Status.FAILED)
    Notification.objects.update(updated_at=old)
    assert services.notifications_requeue_stuck(older_than=timedelta(minutes=10)) == 0


def test_resend_makes_a_new_row_and_sends_it(django_capture_on_commit_callbacks):
    original = QueuedEmailFactory(status=Status.FAILED, last_error="mail server down")
    with django_capture_on_commit_callbacks(execute=True):
        copy = services.notification_resend(notification=original)
    original.refresh_from_db()
    copy.refresh_from_db()
    assert original.status == Status.FAILED
    assert copy.pk != original.pk and copy.status == Status.SENT
    assert mail.outbox[0].subject == original.subject


def test_mark_read_only_own_site_notifications(citizen):
    rows = queue(citizen)
    site = next(n for n in rows if n.channel == Channel.SITE)
    other = UserFactory()
    assert services.notification_mark_read(user=other, notification_id=site.pk) is False
    assert services.notification_mark_read(user=citizen, notification_id=site.pk) is True
    site.refresh_from_db()
    assert site.read_at is not None


def test_preference_update_refuses_sms_without_verified_phone(citizen):
    with pytest.raises(ValueError):
        services.preference_update(user=citizen, email_enabled=True, sms_enabled=True, language="vi")
    citizen.phone_verified = True
    preference = services.preference_update(user=citizen, email_enabled=False, sms_enabled=True, language="en")
    assert (preference.email_enabled, preference.sms_enabled, preference.language) == (False, True, "en")


def test_default_templates_are_loaded_for_both_languages():
    assert NotificationTemplate.objects.filter(event=Event.DOSSIER_SUBMITTED, language="vi").count() == 3
    assert NotificationTemplate.objects.filter(event=Event.DOSSIER_SUBMITTED, language="en").count() == 3
    assert not NotificationTemplate.objects.filter(event=Event.OFFICIAL_DUE_SOON_DIGEST, channel=Channel.SMS).exists()


def test_missing_variables_render_empty(citizen):
    rows = services.notification_queue(
        recipient=citizen, event=Event.PAYMENT_RECEIVED, context={"code": "H01-0009"}, channels=[Channel.EMAIL]
    )
    assert rows[0].subject == "Đã nhận lệ phí hồ sơ H01-0009"
    assert "0 đ" in rows[0].body_text


def test_a_broken_operator_template_falls_back_to_the_shipped_wording(citizen):
    NotificationTemplate.objects.filter(event=Event.DOSSIER_VALIDATED, channel=Channel.EMAIL, language="vi").update(
        body="{{ code|date:nonexistent_filter_argument.x }}{% url 'no-such-view' %}"
    )
    rows = queue(citizen, channels=[Channel.EMAIL])
    assert "đã được kiểm tra và hợp lệ" in rows[0].body_text


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_task_finding_the_row_locked_by_another_worker_skips_it():
    notification = QueuedEmailFactory()
    with held_by_another_worker(notification.pk):
        assert services.notification_send(notification_id=notification.pk) == "skipped"
    assert mail.outbox == []
    notification.refresh_from_db()
    assert notification.status == Status.QUEUED and notification.attempts == 0
