from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from portal.notifications.constants import Channel, Event, Status
from portal.notifications.models import Notification, NotificationPreference


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"nguoi.dan{n}@example.vn")
    full_name = "Trần Thị Bình"
    phone = factory.Sequence(lambda n: f"+8491{n:07d}")
    phone_verified = True
    password = factory.PostGenerationMethodCall("set_password", "mat khau rat dai 123")


class PreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NotificationPreference

    user = factory.SubFactory(UserFactory)
    email_enabled = True
    sms_enabled = True


class QueuedEmailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    channel = Channel.EMAIL
    event = Event.DOSSIER_VALIDATED
    subject = "Hồ sơ H01-0001 hợp lệ"
    body_text = "Hồ sơ H01-0001 đã được kiểm tra và hợp lệ."
    to_address = factory.LazyAttribute(lambda o: o.recipient.email)
    status = Status.QUEUED


class QueuedSmsFactory(QueuedEmailFactory):
    channel = Channel.SMS
    subject = ""
    body_text = "Hồ sơ H01-0001 hợp lệ."
    to_address = factory.LazyAttribute(lambda o: o.recipient.phone)


class SiteNotificationFactory(QueuedEmailFactory):
    channel = Channel.SITE
    status = Status.SENT
    to_address = ""
