from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentState(models.TextChoices):
    PENDING = "pending", _("Waiting for payment")
    SUCCEEDED = "succeeded", _("Paid")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")
    REFUNDED = "refunded", _("Refunded")


class PaymentMethod(models.TextChoices):
    BANK = "bank", _("Internet banking or ATM card")
    EWALLET = "ewallet", _("E-wallet")
    VIETQR = "vietqr", _("Bank transfer by QR code (VietQR)")


class Outcome(models.TextChoices):
    """What a gateway message says happened to a transaction."""

    SUCCEEDED = "succeeded", _("Paid")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Timed out")
    PENDING = "pending", _("Not finished")
    REFUNDED = "refunded", _("Refunded")


# The answers VNPay expects from the merchant's IPN endpoint (and the mock honours).
RSP_OK = "00"
RSP_UNKNOWN_ORDER = "01"
RSP_ALREADY_CONFIRMED = "02"
RSP_WRONG_AMOUNT = "04"
RSP_BAD_SIGNATURE = "97"
RSP_OTHER = "99"

# vnp_ResponseCode values of the payment itself.
RESULT_SUCCESS = "00"
RESULT_TIMEOUT = "11"
RESULT_CARD_LOCKED = "12"
RESULT_CANCELLED = "24"
RESULT_INSUFFICIENT_FUNDS = "51"

OUTCOME_BY_RESULT = {
    RESULT_SUCCESS: Outcome.SUCCEEDED,
    RESULT_TIMEOUT: Outcome.EXPIRED,
    RESULT_CARD_LOCKED: Outcome.FAILED,
    RESULT_CANCELLED: Outcome.CANCELLED,
    RESULT_INSUFFICIENT_FUNDS: Outcome.FAILED,
}
