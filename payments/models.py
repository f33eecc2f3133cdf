"""Fee payments, every gateway notification received, and the electronic receipts.

``MockGatewayTransaction`` at the end is not the portal's data: it is the ledger of the mock
gateway (an outside service that happens to run in this process). The portal never reads it
except through the gateway adapter, as it would a real gateway's API.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from payments.constants import PaymentMethod, PaymentState

P = PaymentState
# Crockford-like alphabet: no 0/O or 1/I to misread when a citizen reads it on the phone.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def new_reference() -> str:
    # 16 random symbols of 32: 80 bits, not guessable, and within VNPay's 100-character TxnRef.
    return "PAY" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(16))


def not_closed_by_gateway(payment: Payment) -> bool:
    # A payment the portal expired on its own clock may still succeed (the payer finished at
    # the last second); one the gateway itself reported as timed out may not.
    return payment.state == P.PENDING or not payment.result_code


class Payment(models.Model):
    reference = models.CharField(_("reference"), max_length=40, unique=True, default=new_reference, editable=False)
    dossier = models.ForeignKey(
        "applications.Dossier", on_delete=models.PROTECT, related_name="payments", verbose_name=_("dossier")
    )
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payments", verbose_name=_("payer")
    )
    fee_amount = models.PositiveBigIntegerField(_("fee (đồng)"), editable=False)
    extra_amount = models.PositiveBigIntegerField(_("delivery fee (đồng)"), default=0, editable=False)
    amount = models.PositiveBigIntegerField(_("amount (đồng)"), editable=False)
    method = models.CharField(_("method"), max_length=20, choices=PaymentMethod.choices)
    gateway = models.CharField(_("gateway"), max_length=100, editable=False)
    state = FSMField(_("status"), default=P.PENDING, choices=P.choices, protected=True, db_index=True)

    gateway_transaction_no = models.CharField(_("gateway transaction no."), max_length=50, blank=True)
    bank_code = models.CharField(_("bank"), max_length=30, blank=True)
    result_code = models.CharField(_("gateway result code"), max_length=4, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    refunded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)
    refunded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("refunded by"),
    )
    refund_reason = models.TextField(_("reason for the refund"), blank=True)
    refund_reference = models.CharField(_("refund reference"), max_length=50, blank=True)
    last_notification = models.JSONField(_("last notification"), null=True, blank=True, editable=False)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at"]
        permissions = [("refund_payment", _("Can refund payments"))]
        constraints = [
            # At most one successful payment per dossier is expected, but money taken twice must
            # still be recorded (then refunded), so this is not a constraint: only one pending.
            models.UniqueConstraint(fields=["dossier"], condition=Q(state="pending"), name="one_pending_payment"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_expired(self) -> bool:
        return self.state == P.PENDING and self.expires_at <= timezone.now()

    # --- Transitions: fields of this row, in memory only -----------------------------------

    @transition(field=state, source=[P.PENDING, P.EXPIRED], target=P.SUCCEEDED, conditions=[not_closed_by_gateway])
    def succeed(self, *, at, transaction_no, bank_code, result_code, paid_at):
        # An expired payment can still succeed: the gateway is the truth about money taken.
        self.gateway_transaction_no = transaction_no
        self.bank_code = bank_code
        self.result_code = result_code
        self.paid_at = paid_at or at
        self.closed_at = at

    @transition(field=state, source=P.PENDING, target=P.FAILED)
    def fail(self, *, at, transaction_no, bank_code, result_code):
        self.gateway_transaction_no = transaction_no
        self.bank_code = bank_code
        self.result_code = result_code
        self.closed_at = at

    @transition(field=state, source=P.PENDING, target=P.CANCELLED)
    def cancel(self, *, at, result_code):
        self.result_code = result_code
        self.closed_at = at

    @transition(field=state, source=P.PENDING, target=P.EXPIRED)
    def expire(self, *, at, result_code=""):
        self.result_code = result_code or self.result_code
        self.closed_at = at

    @transition(field=state, source=P.SUCCEEDED, target=P.REFUNDED)
    def refund(self, *, at, actor, reason, refund_reference):
        self.refunded_at = at
        self.refunded_by = actor
        self.refund_reason = reason
        self.refund_reference = refund_reference


class PaymentNotification(models.Model):
    """Every server-to-server notification received, good or bad, in the order received.

    A notification that passed the checks holds the unique slot (provider transaction id,
    event) before anything else happens in its transaction: a duplicate fails the insert and
    changes nothing. Refused ones (bad signature, stale, unknown) are kept for the record but
    outside the constraint, so a forged message cannot take a genuine one's slot.
    """

    payment = models.ForeignKey(
        Payment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("payment"),
    )
    txn_ref = models.CharField(_("reference"), max_length=100, blank=True, db_index=True)
    provider_transaction_id = models.CharField(_("gateway transaction id"), max_length=100, blank=True)
    event = models.CharField(_("event"), max_length=40, blank=True)
    counted = models.BooleanField(_("accepted for processing"), default=False)
    signature_ok = models.BooleanField(_("signature valid"))
    response_code = models.CharField(_("response code"), max_length=4)
    message = models.CharField(_("response message"), max_length=200, blank=True)
    payload = models.JSONField(_("payload"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        verbose_name = _("payment notification")
        verbose_name_plural = _("payment notifications")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider_transaction_id", "event"],
                condition=Q(counted=True),
                name="unique_counted_notification",
            )
        ]

    def __str__(self) -> str:
        return f"{self.txn_ref} {self.event} → {self.response_code}"


class ReceiptSequence(models.Model):
    """The per-year counter of receipt numbers (locked while incremented)."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("receipt number sequence")
        verbose_name_plural = _("receipt number sequences")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Receipt(models.Model):
    """Biên lai điện tử: issued once, when the payment succeeds."""

    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="receipt", verbose_name=_("payment"))
    number = models.CharField(_("receipt number"), max_length=30, unique=True)
    issued_at = models.DateTimeField(_("issued at"))
    payer_name = models.CharField(_("payer"), max_length=150)
    payer_address = models.CharField(_("address"), max_length=300, blank=True)
    lines = models.JSONField(_("lines"))
    total = models.PositiveBigIntegerField(_("total (đồng)"))

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return self.number


class MockGatewayTransaction(models.Model):
    """The mock gateway's own ledger: the outside service's state, not the portal's."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Not finished")
        SUCCEEDED = "succeeded", _("Paid")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Timed out")
        REFUNDED = "refunded", _("Refunded")

    tmn_code = models.CharField(max_length=20)
    txn_ref = models.CharField(max_length=100)
    transaction_no = models.CharField(max_length=20, unique=True)
    # The hosted page's address: random, so nobody else can finish someone's payment.
    page_token = models.CharField(max_length=64, unique=True)
    amount = models.PositiveBigIntegerField(help_text="in đồng (the wire format is ×100)")
    order_info = models.CharField(max_length=255)
    return_url = models.URLField(max_length=500)
    create_date = models.CharField(max_length=14)
    expire_date = models.CharField(max_length=14)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    response_code = models.CharField(max_length=4, blank=True)
    method = models.CharField(max_length=20, blank=True)
    bank_code = models.CharField(max_length=30, blank=True)
    pay_date = models.DateTimeField(null=True, blank=True)
    refunded_amount = models.PositiveBigIntegerField(default=0)
    refund_transaction_no = models.CharField(max_length=20, blank=True)
    ipn_attempts = models.PositiveSmallIntegerField(default=0)
    ipn_last_response = models.CharField(max_length=200, blank=True)
    ipn_acknowledged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mock gateway transaction")
        verbose_name_plural = _("mock gateway transactions")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["tmn_code", "txn_ref"], name="mock_unique_txn_ref")]

    def __str__(self) -> str:
        return f"{self.transaction_no} {self.txn_ref}"
