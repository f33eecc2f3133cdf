"""Periodic payment jobs (Celery beat) and the mock gateway's IPN sender."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.utils import timezone

from payments import services
from payments.mockgateway.tasks import send_mock_ipn

__all__ = ["expire_stale_payments", "reconcile_payments", "send_mock_ipn"]
logger = logging.getLogger(__name__)


@shared_task(name="payments.expire_stale_payments")
def expire_stale_payments() -> int:
    return services.payment_expire_stale()


@shared_task(name="payments.reconcile_payments")
def reconcile_payments(day: str | None = None) -> int:
    """Reconcile a day (default yesterday); logs each mismatch, returns how many."""
    on = dt.date.fromisoformat(day) if day else timezone.localdate() - dt.timedelta(days=1)
    report = services.payments_reconcile(day=on)
    for m in report.mismatches:
        logger.warning(
            "payment_mismatch day=%s ref=%s kind=%s portal=%s gateway=%s", on, m.reference, m.kind, m.portal, m.gateway
        )
    return len(report.mismatches)
