from __future__ import annotations

from django.db.models import QuerySet

from portal.models import User
from portal.notifications.constants import Channel
from portal.notifications.models import Notification


def site_notifications_for_user(*, user: User) -> QuerySet[Notification]:
    """The person's own notifications on the portal, newest first."""
    return Notification.objects.filter(recipient=user, channel=Channel.SITE).order_by("-queued_at", "-pk")


def unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, channel=Channel.SITE, read_at__isnull=True).count()
