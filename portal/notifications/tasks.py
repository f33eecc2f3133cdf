"""Celery tasks: thin wrappers over the services. acks_late, reject_on_worker_lost and
prefetch 1 are set in settings, so every task here is idempotent."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings

from portal.notifications import services
from portal.notifications.exceptions import TransientDeliveryError


@shared_task(
    bind=True,
    name="notifications.send_notification",
    # The row is the result; storing results would also make .delay() wait on Redis.
    ignore_result=True,
    autoretry_for=(TransientDeliveryError,),
    retry_backoff=5,
    # Keep the longest wait well under the sweep's threshold, or the sweep would bypass backoff.
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=6,
)
def send_notification(self, notification_id: int) -> str:
    return services.notification_send(
        notification_id=notification_id, final_attempt=self.request.retries >= self.max_retries
    )


@shared_task(name="notifications.send_notifications", ignore_result=True)
def send_notifications(notification_ids: list[int]) -> int:
    """A batch (``services.SEND_BATCH_SIZE`` rows): rows that fail transiently go on to
    ``send_notification`` with its backoff; no retry of the batch itself."""
    outcomes = services.notifications_send_batch(notification_ids=notification_ids)
    return sum(outcome.status == "sent" for outcome in outcomes.values())


@shared_task(name="notifications.process_outbox_events", ignore_result=True)
def process_outbox_events(outbox_ids: list[int]) -> int:
    """Render, write and send the notifications of dossier events (the outbox rows)."""
    return services.outbox_process(outbox_ids=outbox_ids)


@shared_task(name="notifications.requeue_stuck_notifications", ignore_result=True)
def requeue_stuck_notifications() -> int:
    """The beat sweep: dossier events whose task never ran, then message rows still queued."""
    older_than = timedelta(minutes=settings.NOTIFICATIONS_STUCK_AFTER_MINUTES)
    return services.outbox_requeue_stuck(older_than=older_than) + services.notifications_requeue_stuck(
        older_than=older_than
    )


@shared_task(name="notifications.send_due_soon_digests", ignore_result=True)
def send_due_soon_digests() -> int:
    return services.officials_send_due_soon_digest()


@shared_task(name="notifications.flag_overdue_dossiers", ignore_result=True)
def flag_overdue_dossiers() -> int:
    return services.dossiers_flag_overdue()
