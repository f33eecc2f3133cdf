"""Celery tasks of the delivery app: thin wrappers that take ids and call one service."""

from __future__ import annotations

from celery import shared_task

from delivery import mock_carrier, services


class WebhookNotAcknowledged(Exception):  # noqa: N818 - a retry signal, not an error
    pass


@shared_task(name="delivery.dispatch_processed_dossier")
def dispatch_processed_dossier(dossier_id: int) -> str | None:
    shipment = services.delivery_dispatch_processed(dossier_id=dossier_id)
    return shipment.tracking_number if shipment else None


@shared_task(name="delivery.dispatch_processed_dossiers")
def dispatch_processed_dossiers() -> int:
    return services.delivery_dispatch_pending()


@shared_task(
    bind=True,
    name="delivery.send_carrier_webhook",
    autoretry_for=(WebhookNotAcknowledged,),
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=12,
)
def send_carrier_webhook(self, event_pk: int) -> bool:
    """The mock carrier's webhook, sent until the portal answers 2xx."""
    if mock_carrier.mock_webhook_deliver(event_pk=event_pk):
        return True
    if self.request.is_eager:
        # Eager mode (no broker) cannot wait between attempts: the sweep below sends it again.
        return False
    raise WebhookNotAcknowledged(event_pk)


@shared_task(name="delivery.resend_carrier_webhooks")
def resend_carrier_webhooks() -> int:
    pending = mock_carrier.mock_webhooks_pending()
    return sum(mock_carrier.mock_webhook_deliver(event_pk=pk) for pk in pending)
