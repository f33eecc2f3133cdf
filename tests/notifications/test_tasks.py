from __future__ import annotations

from celery.fixups.django import DjangoWorkerFixup
from django.conf import settings

from portal.celery import app


def test_beat_schedule_names_registered_tasks():
    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks


def test_worker_keeps_its_database_connection_between_tasks():
    # Celery's Django fixup closes the connection around every task unless this is set.
    assert DjangoWorkerFixup(app).db_reuse_max == settings.CELERY_DB_REUSE_MAX >= 100


def test_send_task_retries_with_backoff_and_a_cap():
    from portal.notifications.exceptions import TransientDeliveryError
    from portal.notifications.tasks import send_notification

    assert send_notification.autoretry_for == (TransientDeliveryError,)
    assert send_notification.retry_backoff and send_notification.max_retries >= 3
    # Longest wait stays under the sweep's threshold, or the sweep would undercut the backoff.
    assert send_notification.retry_backoff_max < settings.NOTIFICATIONS_STUCK_AFTER_MINUTES * 60
