from __future__ import annotations

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def gateway_secret_is_set(app_configs, **kwargs):
    if settings.DEBUG or getattr(settings, "PAYMENT_GATEWAY_SECRET", ""):
        return []
    return [
        checks.Error(
            "PAYMENT_GATEWAY_SECRET is not set: payment callbacks cannot be verified.",
            hint="Set the secret shared with the payment gateway in the environment.",
            id="payments.E001",
        )
    ]
