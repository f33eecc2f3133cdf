"""A second worker, for the tests of what the first one does meanwhile."""

from __future__ import annotations

from contextlib import contextmanager


@contextmanager
def held_by_another_worker(notification_id: int):
    """While the block runs, another connection holds the notification's row locked (a second
    worker in the middle of sending it); released and joined afterwards."""
    import threading

    from django.db import connections, transaction

    from portal.notifications.models import Notification

    locked, release = threading.Event(), threading.Event()

    def other_worker():
        try:
            with transaction.atomic():
                Notification.objects.select_for_update().get(pk=notification_id)
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert locked.wait(10)
        yield
    finally:
        release.set()
        thread.join()
