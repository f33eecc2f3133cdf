"""The gateway adapter in use is chosen by the ``PAYMENT_GATEWAY`` setting (a dotted path)."""

from __future__ import annotations

from django.utils.module_loading import import_string

from payments.conf import gateway_path
from payments.gateways.base import PaymentGateway


def get_gateway() -> PaymentGateway:
    return import_string(gateway_path())()
