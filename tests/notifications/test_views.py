from __future__ import annotations

import pytest
from django.urls import reverse

from portal.notifications.constants import Channel
from portal.notifications.models import Notification, NotificationPreference

from .factories import SiteNotificationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_citizen(client, citizen):
    client.force_login(citizen)
    return client


def test_list_needs_login(client):
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_list_shows_own_notifications_and_unread_count(client_citizen, citizen, django_assert_max_num_queries):
    for i in range(25):
        SiteNotificationFactory(recipient=citizen, subject=f"Hồ sơ số {i} hợp lệ")
    SiteNotificationFactory(subject="Của người khác")
    with django_assert_max_num_queries(8):
        response = client_citizen.get(reverse("notifications:list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Hồ sơ số 24 hợp lệ" in body
    assert "Của người khác" not in body
    assert response.context["unread"] == 25
    assert len(response.context["page"].object_list) == 20


def test_mark_read_and_mark_all_read(client_citizen, citizen):
    first, second = SiteNotificationFactory(recipient=citizen), SiteNotificationFactory(recipient=citizen)
    response = client_citizen.post(reverse("notifications:read", args=[first.pk]))
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    client_citizen.post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(recipient=citizen, read_at__isnull=True).exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_other_citizens_notification_is_404(client_citizen, method):
    other = SiteNotificationFactory(recipient=UserFactory())
    response = getattr(client_citizen, method)(reverse("notifications:read", args=[other.pk]))
    assert response.status_code in {404, 405}
    other.refresh_from_db()
    assert other.read_at is None
    if method == "post":
        assert response.status_code == 404


def test_preferences_page_saves_choices(client_citizen, citizen):
    response = client_citizen.get(reverse("notifications:preferences"))
    assert response.status_code == 200
    assert response.context["form"].initial["email_enabled"] is True
    response = client_citizen.post(reverse("notifications:preferences"), {"language": "en"})
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=citizen)
    assert (preference.email_enabled, preference.sms_enabled, preference.language) == (False, False, "en")


def test_preferences_refuse_sms_without_verified_phone(client_citizen, citizen):
    response = client_citizen.post(
        reverse("notifications:preferences"), {"email_enabled": "on", "sms_enabled": "on", "language": "vi"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["sms_enabled"]
    assert 'id="error-summary"' in response.content.decode()
    assert not NotificationPreference.objects.filter(user=citizen).exists()


def test_preferences_accept_sms_with_verified_phone(client_citizen, citizen):
    citizen.phone_verified = True
    citizen.save()
    client_citizen.post(reverse("notifications:preferences"), {"sms_enabled": "on", "language": "vi"})
    assert NotificationPreference.objects.get(user=citizen).sms_enabled is True


def test_list_is_in_vietnamese(client_citizen, citizen):
    SiteNotificationFactory(recipient=citizen, channel=Channel.SITE)
    body = client_citizen.get(reverse("notifications:list")).content.decode()
    assert "Thông báo" in body
