from __future__ import annotations

from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.utils.translation import gettext_lazy as _


class PortalMFAAdapter(DefaultMFAAdapter):
    """Officials keep their second factor: the back office is closed to them without it."""

    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": _(
            "Officials must keep two-factor authentication on. Add another authenticator "
            "app first, or ask an administrator to reset it."
        ),
    }

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        user = authenticator.user
        if not user.is_staff:
            return True
        return (
            Authenticator.objects.filter(
                user_id=user.pk, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
            )
            .exclude(pk=authenticator.pk)
            .exists()
        )
