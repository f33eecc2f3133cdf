"""Every change to a payment goes through one of these functions.

The IPN (server-to-server notification) is the source of truth: the browser's return only
shows what an IPN settled. A notification is checked (signature, freshness, reference,
amount) before anything is written; the one that passes takes its unique slot
(gateway transaction id, event) first, inside the same transaction as its effects, so a
duplicate or a concurrent copy fails that insert and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from applications.constants import DossierEventName, DossierState
from applications.events import dossier_event_recorded
from applications.models import Dossier
from applications.services import DossierError, dossier_mark_fee_settled
from payments.conf import gateway_path, notification_max_age, payment_lifetime, site_url
from payments.constants import (
    RSP_ALREADY_CONFIRMED,
    RSP_BAD_SIGNATURE,
    RSP_OK,
    RSP_OTHER,
    RSP_UNKNOWN_ORDER,
    RSP_WRONG_AMOUNT,
    Outcome,
    PaymentMethod,
    PaymentState,
)
from payments.gateways import get_gateway
from payments.gateways.base import GatewayError, GatewayMessage, MessageMalformed, SignatureInvalid
from payments.models import Payment, PaymentNotification, Receipt, ReceiptSequence

logger = logging.getLogger(__name__)
P = PaymentState
PAYABLE_DOSSIER_STATES = (DossierState.SUBMITTED, DossierState.NEEDS_SUPPLEMENT, DossierState.VALIDATED)
# A signed message from further in the future than this is refused too (clock skew allowance).
FUTURE_SKEW = dt.timedelta(minutes=2)


class PaymentRejected(Exception):
    """A refusal with a message fit for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class PaymentPermissionDenied(PaymentRejected):
    """The actor may not act on this payment or dossier (views answer 404)."""


@dataclass
class ReturnView:
    """What the return page shows: never more than the portal's own records say."""

    payment: Payment | None
    signature_ok: bool
    gateway_says: str = ""
    refresh: bool = False


@dataclass
class Mismatch:
    reference: str
    kind: str
    portal: str
    gateway: str


@dataclass
class ReconciliationReport:
    day: dt.date
    portal_count: int = 0
    gateway_count: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches


# --- Creating a payment -------------------------------------------------------------------


def _lock_dossier(dossier: Dossier) -> Dossier:
    return Dossier.objects.select_for_update(of=("self",)).select_related("procedure", "agency").get(pk=dossier.pk)


def payment_create(
    *, dossier: Dossier, actor, method: str, extra_amount: int = 0, client_ip: str = ""
) -> tuple[Payment, str]:
    """A pending payment for the dossier's fee (plus ``extra_amount``, e.g. a delivery fee)
    and the URL of the gateway's page. An unexpired pending payment with the same amount and
    method is reused; any other pending one is expired first."""
    if method not in PaymentMethod.values:
        raise PaymentRejected(_("Choose a payment method."))
    if extra_amount < 0:
        raise PaymentRejected(_("The amount is not valid."))
    with transaction.atomic():
        dossier = _lock_dossier(dossier)
        if actor is None or dossier.citizen_id != actor.pk:
            raise PaymentPermissionDenied(_("You may not pay for this dossier."))
        if dossier.state not in PAYABLE_DOSSIER_STATES:
            raise PaymentRejected(_("The fee can be paid only after the dossier is submitted and before it is closed."))
        if dossier.fee_settled:
            raise PaymentRejected(_("The fee of this dossier is already paid."))
        if not dossier.fee_amount and not extra_amount:
            raise PaymentRejected(_("This dossier has no fee to pay."))
        now = timezone.now()
        amount = int(dossier.fee_amount) + int(extra_amount)
        payment = None
        for pending in Payment.objects.select_for_update().filter(dossier=dossier, state=P.PENDING):
            if pending.expires_at > now and pending.amount == amount and pending.method == method:
                payment = pending
            else:
                pending.expire(at=now)
                pending.save(update_fields=["state", "result_code", "closed_at", "updated_at"])
        if payment is None:
            payment = Payment.objects.create(
                dossier=dossier,
                payer=actor,
                fee_amount=dossier.fee_amount,
                extra_amount=extra_amount,
                amount=amount,
                method=method,
                gateway=gateway_path(),
                expires_at=now + payment_lifetime(),
            )
    with translation.override("vi"):
        order_info = _("Fee of dossier %(code)s") % {"code": dossier.code}
    url = get_gateway().create_payment(
        payment=payment,
        return_url=site_url() + reverse("payments:return"),
        client_ip=client_ip,
        order_info=order_info,
    )
    return payment, url


# --- The IPN ----------------------------------------------------------------------------


def _log_refusal(params: dict, *, code: str, message: str, signature_ok: bool, payment=None, msg=None) -> None:
    PaymentNotification.objects.create(
        payment=payment,
        txn_ref=str(params.get("vnp_TxnRef", ""))[:100],
        provider_transaction_id=(msg.provider_transaction_id if msg else "")[:100],
        event=(msg.event if msg else "")[:40],
        counted=False,
        signature_ok=signature_ok,
        response_code=code,
        message=message,
        payload=params,
    )


def payment_apply_notification(*, params: dict[str, str]) -> tuple[str, str]:
    """Apply a gateway notification; returns the (RspCode, Message) the gateway expects."""
    params = {str(k): str(v) for k, v in params.items()}
    gateway = get_gateway()
    try:
        msg = gateway.parse_notification(params)
    except SignatureInvalid:
        _log_refusal(params, code=RSP_BAD_SIGNATURE, message="Invalid Checksum", signature_ok=False)
        return RSP_BAD_SIGNATURE, "Invalid Checksum"
    except MessageMalformed:
        _log_refusal(params, code=RSP_OTHER, message="Invalid request", signature_ok=True)
        return RSP_OTHER, "Invalid request"
    now = timezone.now()
    if msg.signed_at is None or msg.signed_at < now - notification_max_age() or msg.signed_at > now + FUTURE_SKEW:
        _log_refusal(params, code=RSP_OTHER, message="Stale message", signature_ok=True, msg=msg)
        return RSP_OTHER, "Stale message"
    if msg.outcome in (Outcome.PENDING, Outcome.REFUNDED):
        _log_refusal(params, code=RSP_OTHER, message="Unexpected status", signature_ok=True, msg=msg)
        return RSP_OTHER, "Unexpected status"
    return _apply_verified(msg, params, now)


def _apply_verified(msg: GatewayMessage, params: dict, now: dt.datetime) -> tuple[str, str]:
    """Apply a message whose origin is proven (a signed IPN, or the gateway's API answer)."""
    try:
        with transaction.atomic():
            payment = Payment.objects.select_for_update().filter(reference=msg.txn_ref).first()
            if payment is None:
                _log_refusal(params, code=RSP_UNKNOWN_ORDER, message="Order not found", signature_ok=True, msg=msg)
                return RSP_UNKNOWN_ORDER, "Order not found"
            if msg.amount != payment.amount:
                _log_refusal(
                    params, code=RSP_WRONG_AMOUNT, message="Invalid amount", signature_ok=True, payment=payment, msg=msg
                )
                return RSP_WRONG_AMOUNT, "Invalid amount"
            # The unique slot first: a copy of this message (now or later) stops here.
            try:
                with transaction.atomic():
                    notification = PaymentNotification.objects.create(
                        payment=payment,
                        txn_ref=msg.txn_ref,
                        provider_transaction_id=msg.provider_transaction_id[:100],
                        event=msg.event[:40],
                        counted=True,
                        signature_ok=True,
                        response_code=RSP_OK,
                        payload=params,
                    )
            except IntegrityError:
                _log_refusal(
                    params,
                    code=RSP_ALREADY_CONFIRMED,
                    message="Duplicate notification",
                    signature_ok=True,
                    payment=payment,
                    msg=msg,
                )
                return RSP_ALREADY_CONFIRMED, "Order already confirmed"
            code, message = _apply(payment, msg, now)
            notification.response_code = code
            notification.message = message
            notification.save(update_fields=["response_code", "message"])
            return code, message
    except Exception:
        logger.exception("payment_ipn_error txn_ref=%s", msg.txn_ref)
        return RSP_OTHER, "Unknown error"


def _apply(payment: Payment, msg: GatewayMessage, now: dt.datetime) -> tuple[str, str]:
    """Move the locked payment forward once; anything that would move it back is ignored."""
    fields = ["state", "last_notification", "updated_at"]
    payment.last_notification = msg.raw
    if msg.outcome == Outcome.SUCCEEDED and can_proceed(payment.succeed):
        payment.succeed(
            at=now,
            transaction_no=msg.transaction_no,
            bank_code=msg.bank_code,
            result_code=msg.result_code,
            paid_at=msg.paid_at,
        )
        payment.save(
            update_fields=[*fields, "gateway_transaction_no", "bank_code", "result_code", "paid_at", "closed_at"]
        )
        _settle(payment)
        return RSP_OK, "Confirm Success"
    if payment.state != P.PENDING:
        # Already final: a late failure after a success, a second success, and so on.
        Payment.objects.filter(pk=payment.pk).update(last_notification=msg.raw, updated_at=now)
        return RSP_ALREADY_CONFIRMED, "Order already confirmed"
    if msg.outcome == Outcome.CANCELLED:
        payment.cancel(at=now, result_code=msg.result_code)
        payment.save(update_fields=[*fields, "result_code", "closed_at"])
    elif msg.outcome == Outcome.EXPIRED:
        payment.expire(at=now, result_code=msg.result_code)
        payment.save(update_fields=[*fields, "result_code", "closed_at"])
    else:
        payment.fail(at=now, transaction_no=msg.transaction_no, bank_code=msg.bank_code, result_code=msg.result_code)
        payment.save(update_fields=[*fields, "gateway_transaction_no", "bank_code", "result_code", "closed_at"])
    return RSP_OK, "Confirm Success"


def _settle(payment: Payment) -> None:
    dossier = payment.dossier
    try:
        already = Dossier.objects.filter(pk=dossier.pk, fee_settled=True).exists()
        dossier_mark_fee_settled(dossier=dossier, reference=payment.reference)
    except DossierError as exc:
        # The money is taken but the dossier was closed meanwhile: the payment stays
        # succeeded (the gateway's truth) and an official refunds it from the admin.
        logger.warning("payment_settle_refused ref=%s dossier=%s reason=%s", payment.reference, dossier.pk, exc)
    else:
        if already:
            logger.warning("payment_double ref=%s dossier=%s: paid twice, refund one", payment.reference, dossier.pk)
        else:
            dossier_event_recorded(dossier.pk, DossierEventName.FEE_SETTLED)
    receipt_issue(payment=payment)


def _next_receipt_number(year: int) -> str:
    sequence, _created = ReceiptSequence.objects.get_or_create(year=year)
    sequence = ReceiptSequence.objects.select_for_update().get(pk=sequence.pk)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"BL{year}-{sequence.last:06d}"


def receipt_issue(*, payment: Payment) -> Receipt:
    """Issue the electronic receipt of a successful payment (once)."""
    existing = Receipt.objects.filter(payment=payment).first()
    if existing is not None:
        return existing
    dossier = payment.dossier
    issued_at = timezone.now()
    # The receipt is an administrative document: its lines are written in Vietnamese.
    with translation.override("vi"):
        lines = [
            {
                "label": _("Fee: %(procedure)s") % {"procedure": dossier.procedure.name},
                "amount": int(payment.fee_amount),
            }
        ]
        if payment.extra_amount:
            lines.append({"label": _("Delivery of the result by post"), "amount": int(payment.extra_amount)})
    return Receipt.objects.create(
        payment=payment,
        number=_next_receipt_number(timezone.localtime(issued_at).year),
        issued_at=issued_at,
        payer_name=dossier.applicant_name or payment.payer.full_name,
        payer_address=dossier.applicant_address,
        lines=lines,
        total=payment.amount,
    )


FINAL_OUTCOMES = (Outcome.SUCCEEDED, Outcome.FAILED, Outcome.CANCELLED, Outcome.EXPIRED)


def payment_sync_with_gateway(*, payment: Payment) -> Payment:
    """Ask the gateway about a pending payment and apply a final answer, as an IPN would be
    (same checks, same unique slot: the IPN arriving later is a duplicate). Used when the
    IPN is late or lost: before expiring a payment, and while the payer waits."""
    if payment.state != P.PENDING:
        return payment
    try:
        record = get_gateway().query_transaction(payment=payment)
    except GatewayError:
        logger.warning("payment_query_failed ref=%s", payment.reference)
        return payment
    if record is None or record.outcome not in FINAL_OUTCOMES:
        return payment
    msg = GatewayMessage(
        txn_ref=record.txn_ref,
        amount=record.amount,
        outcome=record.outcome,
        result_code=record.result_code,
        transaction_no=record.transaction_no,
        bank_code="",
        paid_at=record.paid_at,
        signed_at=timezone.now(),
        raw={"source": "query", "txn_ref": record.txn_ref, "outcome": str(record.outcome), "code": record.result_code},
    )
    _apply_verified(msg, msg.raw, timezone.now())
    return Payment.objects.get(pk=payment.pk)


# --- The browser's return ----------------------------------------------------------------


def payment_handle_return(*, params: dict[str, str]) -> ReturnView:
    """Read the browser's return for display. It never changes a payment: only the IPN does."""
    params = {str(k): str(v) for k, v in params.items()}
    try:
        msg = get_gateway().parse_return(params)
    except (SignatureInvalid, MessageMalformed):
        return ReturnView(payment=None, signature_ok=False)
    payment = Payment.objects.select_related("dossier").filter(reference=msg.txn_ref).first()
    return ReturnView(
        payment=payment,
        signature_ok=True,
        gateway_says=msg.outcome,
        refresh=payment is not None and payment.state == P.PENDING,
    )


# --- Expiry, refund, reconciliation -------------------------------------------------------


def payment_expire_stale(*, now: dt.datetime | None = None) -> int:
    """Expire pending payments past their time (Celery beat). Returns how many.

    The gateway is asked first: a payment finished there whose IPN was lost is settled
    instead of expired."""
    now = now or timezone.now()
    count = 0
    for pk in Payment.objects.filter(state=P.PENDING, expires_at__lte=now).values_list("pk", flat=True):
        if payment_sync_with_gateway(payment=Payment.objects.get(pk=pk)).state != P.PENDING:
            continue
        with transaction.atomic():
            payment = Payment.objects.select_for_update().filter(pk=pk, state=P.PENDING).first()
            if payment is None or payment.expires_at > now:
                continue
            payment.expire(at=now)
            payment.save(update_fields=["state", "result_code", "closed_at", "updated_at"])
            count += 1
    return count


def _official_may_refund(payment: Payment, actor) -> bool:
    if actor is None or not actor.is_active or not actor.is_staff or not actor.has_perm("payments.refund_payment"):
        return False
    if actor.is_superuser:
        return True
    official = getattr(actor, "official", None)
    return official is not None and official.is_active and official.agency_id == payment.dossier.agency_id


def payment_refund(*, payment: Payment, actor, reason: str) -> Payment:
    """Return a rejected (or withdrawn) dossier's fee through the gateway."""
    reason = (reason or "").strip()
    if not reason:
        raise PaymentRejected(_("Give the reason for the refund."))
    with transaction.atomic():
        payment = Payment.objects.select_for_update().select_related("dossier").get(pk=payment.pk)
        if not _official_may_refund(payment, actor):
            raise PaymentPermissionDenied(_("You may not refund this payment."))
        if payment.state != P.SUCCEEDED:
            raise PaymentRejected(
                _("Only a successful payment can be refunded; this one is “%(state)s”.")
                % {"state": P(payment.state).label}
            )
        if payment.dossier.state not in (DossierState.REJECTED, DossierState.WITHDRAWN):
            raise PaymentRejected(_("A fee is refunded only for a rejected or withdrawn dossier."))
        try:
            result = get_gateway().refund(
                payment=payment, amount=payment.amount, reason=reason, requested_by=actor.email
            )
        except GatewayError as exc:
            raise PaymentRejected(_("The gateway could not be reached; try again later.")) from exc
        if not result.ok:
            raise PaymentRejected(_("The gateway refused the refund: %(message)s") % {"message": result.message})
        payment.refund(at=timezone.now(), actor=actor, reason=reason, refund_reference=result.refund_reference)
        payment.save(
            update_fields=["state", "refunded_at", "refunded_by", "refund_reason", "refund_reference", "updated_at"]
        )
    return payment


# The portal state each gateway outcome should have left behind.
EXPECTED_STATES = {
    Outcome.SUCCEEDED: {P.SUCCEEDED},
    Outcome.REFUNDED: {P.REFUNDED},
    Outcome.FAILED: {P.FAILED},
    Outcome.CANCELLED: {P.CANCELLED},
    Outcome.EXPIRED: {P.EXPIRED, P.FAILED},
    Outcome.PENDING: {P.PENDING, P.EXPIRED, P.CANCELLED},
}
# Portal states that only a gateway message can produce: the gateway must know them.
GATEWAY_MADE_STATES = {P.SUCCEEDED, P.REFUNDED, P.FAILED}


def payments_reconcile(*, day: dt.date) -> ReconciliationReport:
    """Compare the portal's payments created on ``day`` (Vietnam time) with the gateway's list."""
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    ours = {
        p.reference: p
        for p in Payment.objects.filter(created_at__gte=start, created_at__lt=start + dt.timedelta(days=1))
    }
    theirs = {t.txn_ref: t for t in get_gateway().list_transactions(day=day)}
    report = ReconciliationReport(day=day, portal_count=len(ours), gateway_count=len(theirs))
    for ref, txn in sorted(theirs.items()):
        payment = ours.get(ref) or Payment.objects.filter(reference=ref).first()
        if payment is None:
            report.mismatches.append(Mismatch(ref, "missing_in_portal", "-", f"{txn.outcome} {txn.amount}"))
            continue
        if payment.amount != txn.amount:
            report.mismatches.append(Mismatch(ref, "amount", str(payment.amount), str(txn.amount)))
        if payment.state not in EXPECTED_STATES.get(txn.outcome, set()):
            report.mismatches.append(Mismatch(ref, "status", payment.state, str(txn.outcome)))
    for ref, payment in sorted(ours.items()):
        if ref not in theirs and payment.state in GATEWAY_MADE_STATES:
            report.mismatches.append(Mismatch(ref, "missing_at_gateway", f"{payment.state} {payment.amount}", "-"))
    return report
