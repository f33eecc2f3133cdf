"""The mock gateway's IPN sender: it keeps trying, with growing pauses, until the merchant
answers 00 or 02 (as VNPay does for a limited number of attempts)."""

from __future__ import annotations

from celery import shared_task

from payments.mockgateway.ledger import IpnNotAcknowledged, ipn_deliver


@shared_task(
    name="payments.send_mock_ipn",
    autoretry_for=(IpnNotAcknowledged, OSError),
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=10,
)
def send_mock_ipn(txn_id: int) -> str:
    return ipn_deliver(txn_id=txn_id)
