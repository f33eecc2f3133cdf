from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from portal.notifications.constants import Channel, Event, Status
from portal.notifications.models import Notification, NotificationTemplate
from tests.conftest import login_official

from .factories import QueuedEmailFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(client, django_user_model):
    admin = django_user_model.objects.create_superuser(email="quan.tri@example.vn", password="mat khau quan tri 1")
    login_official(client, admin)
    return client


def test_log_lists_filters_and_searches(admin_client_, django_assert_max_num_queries):
    for _ in range(5):
        QueuedEmailFactory(status=Status.FAILED)
    QueuedEmailFactory(status=Status.SENT, to_address="tim.toi@example.vn")
    url = reverse("admin:notifications_notification_changelist")
    with django_assert_max_num_queries(12):
        response = admin_client_.get(url, {"status__exact": "failed", "channel__exact": "email"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 5
    response = admin_client_.get(url, {"q": "tim.toi"})
    assert response.context["cl"].result_count == 1


def test_log_is_read_only(admin_client_):
    notification = QueuedEmailFactory()
    response = admin_client_.post(
        reverse("admin:notifications_notification_change", args=[notification.pk]), {"status": "sent"}
    )
    assert response.status_code == 403
    assert admin_client_.get(reverse("admin:notifications_notification_add")).status_code == 403


def test_resend_action_queues_a_copy(admin_client_, django_capture_on_commit_callbacks):
    failed = QueuedEmailFactory(status=Status.FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.post(
            reverse("admin:notifications_notification_changelist"),
            {"action": "resend", "_selected_action": [failed.pk]},
        )
    assert response.status_code == 302
    assert Notification.objects.filter(status=Status.SENT, subject=failed.subject).count() == 1
    assert len(mail.outbox) == 1


def test_template_preview_renders_sample_data(admin_client_):
    template = NotificationTemplate.objects.get(event=Event.DOSSIER_SUBMITTED, channel=Channel.EMAIL, language="vi")
    response = admin_client_.get(reverse("admin:notifications_notificationtemplate_preview", args=[template.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "000.00.12.H01-261129-0001" in body
    assert "UBND huyện Bình Minh" in body
    assert "srcdoc=" in body


def test_sms_template_preview_counts_segments(admin_client_):
    template = NotificationTemplate.objects.get(event=Event.DOSSIER_VALIDATED, channel=Channel.SMS, language="vi")
    response = admin_client_.get(reverse("admin:notifications_notificationtemplate_preview", args=[template.pk]))
    assert "UCS2" in response.content.decode()


def test_template_with_a_syntax_error_is_refused(admin_client_):
    template = NotificationTemplate.objects.get(event=Event.DOSSIER_SUBMITTED, channel=Channel.EMAIL, language="vi")
    response = admin_client_.post(
        reverse("admin:notifications_notificationtemplate_change", args=[template.pk]),
        {
            "event": template.event,
            "channel": template.channel,
            "language": template.language,
            "subject": "{{ code }",
            "body": "{% if %}",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors.keys() >= {"body"}
    template.refresh_from_db()
    assert template.body != "{% if %}"


def test_resend_needs_its_own_permission(client, django_user_model):
    from django.contrib.auth.models import Permission

    clerk = django_user_model.objects.create_user(
        email="can.bo@example.vn", password="mat khau can bo 1", is_staff=True
    )
    clerk.user_permissions.add(Permission.objects.get(codename="view_notification"))
    login_official(client, clerk)
    url = reverse("admin:notifications_notification_changelist")
    action_form = client.get(url).context["action_form"]
    assert action_form is None or "resend" not in str(action_form.fields["action"].choices)
    clerk.user_permissions.add(Permission.objects.get(codename="resend_notification"))
    assert "resend" in str(client.get(url).context["action_form"].fields["action"].choices)


def test_outbox_lists_waiting_events_and_processes_them_again(admin_client_, django_capture_on_commit_callbacks):
    from portal.notifications import services
    from portal.notifications.models import OutboxEvent
    from tests.applications.factories import SubmittedDossierFactory

    dossier = SubmittedDossierFactory()
    entry = services.outbox_add(dossier_id=dossier.pk, event="validated")  # its task has not run
    OutboxEvent.objects.filter(pk=entry.pk).update(attempts=services.OUTBOX_MAX_ATTEMPTS, last_error="wording broken")
    url = reverse("admin:notifications_outboxevent_changelist")
    response = admin_client_.get(url)
    assert response.status_code == 200
    assert "wording broken" in response.content.decode()
    assert admin_client_.post(reverse("admin:notifications_outboxevent_change", args=[entry.pk])).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.post(url, {"action": "process_again", "_selected_action": [entry.pk]}, follow=True)
    assert "1 sự kiện đã được xếp hàng lại" in response.content.decode()
    assert not OutboxEvent.objects.exists()
    assert mail.outbox[0].subject == f"Hồ sơ {dossier.code} hợp lệ"
