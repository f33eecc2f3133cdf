from __future__ import annotations

from django.db.models import QuerySet

from applications.selectors import dossiers_for_official
from payments.models import Payment


def payments_for_citizen(*, citizen) -> QuerySet[Payment]:
    if citizen is None or not citizen.is_authenticated:
        return Payment.objects.none()
    return Payment.objects.filter(dossier__citizen=citizen).select_related("dossier", "dossier__procedure")


def payment_for_owner(*, user, reference: str) -> Payment:
    """Raises Payment.DoesNotExist for anything but the user's own payment (views answer 404)."""
    return payments_for_citizen(citizen=user).select_related("receipt").get(reference=reference)


def payments_for_official(*, official, user=None) -> QuerySet[Payment]:
    """Payments of the dossiers the official may see (their agency's)."""
    dossiers = dossiers_for_official(official=official, user=user)
    return Payment.objects.filter(dossier__in=dossiers.values("pk")).select_related(
        "dossier", "dossier__agency", "dossier__procedure", "payer"
    )
