"""The IPN is the source of truth; every way it can be abused changes nothing."""

from __future__ import annotations

import datetime as dt
import threading
from functools import partial

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from applications.constants import DossierEventName
from applications.models import DossierEvent
from payments import services
from payments.constants import PaymentState
from payments.models import Payment, PaymentNotification, Receipt
from portal.notifications.services import enqueue_outbox
from tests.payments.factories import forged, fresh, ipn_params, paid_through_mock

pytestmark = pytest.mark.django_db


def _ipn(client, params):
    response = client.get(reverse("payments:ipn"), params)
    assert response.status_code == 200
    return response.json()


def _fee_events(dossier) -> int:
    return DossierEvent.objects.filter(dossier=dossier, action=DossierEventName.FEE_SETTLED).count()


def test_success_ipn_settles_the_dossier_issues_a_receipt_and_queues_the_event(
    client, dossier, citizen, django_capture_on_commit_callbacks
):
    payment, txn = paid_through_mock(dossier=dossier, actor=citizen)
    with django_capture_on_commit_callbacks() as callbacks:
        answer = _ipn(client, ipn_params(txn))
    assert answer == {"RspCode": "00", "Message": "Confirm Success"}
    payment = fresh(payment)
    dossier = fresh(dossier)
    assert payment.state == PaymentState.SUCCEEDED
    assert payment.gateway_transaction_no == txn.transaction_no
    assert payment.bank_code == "VIETCOMBANK"
    assert payment.paid_at is not None
    assert dossier.fee_settled and dossier.fee_reference == payment.reference
    assert payment.receipt.total == 50000
    assert payment.receipt.number.startswith(f"BL{timezone.localdate().year}-")
    assert _fee_events(dossier) == 1
    # One notification task queued on commit (the work queue's cache is dropped on commit too).
    assert len([c for c in callbacks if isinstance(c, partial) and c.func is enqueue_outbox]) == 1
    assert PaymentNotification.objects.get(counted=True).response_code == "00"


def test_ipn_by_post_is_accepted_without_csrf(dossier, citizen):
    from django.test import Client

    payment, txn = paid_through_mock(dossier=dossier, actor=citizen)
    response = Client(enforce_csrf_checks=True).post(reverse("payments:ipn"), ipn_params(txn))
    assert response.json()["RspCode"] == "00"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda p: {**p, "vnp_Amount": str(int(p["vnp_Amount"]) // 2)},
        lambda p: {**p, "vnp_ResponseCode": "00", "vnp_SecureHash": "0" * 128},
        lambda p: {**p, "vnp_SecureHash": p["vnp_SecureHash"][:-2] + "00"},
        lambda p: {k: v for k, v in p.items() if k != "vnp_SecureHash"},
        # Another reference: the last symbol changed (to one it is not already).
        lambda p: {**p, "vnp_TxnRef": p["vnp_TxnRef"][:-1] + ("Y" if p["vnp_TxnRef"].endswith("Z") else "Z")},
        lambda p: {**p, "vnp_Extra": "1"},
    ],
    ids=["amount", "zero-hash", "hash-edited", "no-hash", "other-ref", "extra-field"],
)
def test_tampered_ipn_gets_97_and_changes_nothing(client, dossier, citizen, tamper):
    payment, txn = paid_through_mock(dossier=dossier, actor=citizen)
    answer = _ipn(client, tamper(ipn_params(txn)))
    assert answer["RspCode"] == "97"
    payment = fresh(payment)
    dossier = fresh(dossier)
    assert payment.state == PaymentState.PENDING
    assert not dossier.fee_settled
    row = PaymentNotification.objects.get()
    assert row.signature_ok is False and row.counted is False and row.response_code == "97"


def test_secret_of_another_merchant_gets_97(client, dossier, citizen):
    from payments.gateways import vnpay_format as fmt

    payment, txn = paid_through_mock(dossier=dossier, actor=citizen)
    params = fmt.signed(ipn_params(txn), "someone-elses-secret")
    assert _ipn(client, params)["RspCode"] == "97"


def test_wrong_amount_gets_04(client, dossier, citizen):
    payment, txn = paid_through_mock(dossier=dossier, actor=citizen)
    for amount in ("100", "500000", "5000100", "5000001", "-5000000", "5e6"):
        answer = _ipn(client, forged(ipn_params(txn), vnp_Amount=amount))
        assert answer["RspCode"] == "04"
    payment = fresh(payment)
    assert payment.state == PaymentState.PENDING
    assert not Payment.objects.get().dossier.fee_settled


def test_unknown_reference_gets_01(client, dossier, citizen):
    payment, txn = paid_through_mock(dossier=dossier, actor=citizen)
    assert _ipn(client, forged(ipn_params(txn), vnp_TxnRef="PAYNOSUCHREFERENCE"))["RspCode"] == "01"
    payment = fresh(payment)
    assert payment.state == PaymentState.PENDING


def test_replayed_old_message_is_refused_and_changes_nothing(client, dossier, citizen):
    payment, txn = paid_through_mock(dossier=dossier, actor=citizen)
    old = ipn_params(txn, now=timezone.now() - dt.timedelta(minutes=11))
    answer = _ipn(client, old)
    assert answer == {"RspCode": "99", "Message": "Stale message"}
    future = ipn_params(txn, now=timezone.now() + dt.timedelta(minutes=30))
    assert _ipn(client, future)["RspCode"] == "99"
    payment = fresh(payment)
    assert payment.state == PaymentState.PENDING
    assert not PaymentNotification.objects.filter(counted=True).exists()


def test_replay_of_a_processed_message_later_is_refused(client, dossier, citizen):
    payment, txn = paid_through_mock(dossier=dossier, actor=citizen)
    params = ipn_params(txn)
    assert _ipn(client, params)["RspCode"] == "00"
    later = timezone.now() + dt.timedelta(minutes=20)
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=later):
        assert _ipn(client, params)["RspCode"] == "99"
    assert Receipt.objects.count() == 1


def test_duplicate_ipn_is_acknowledged_02_and_settles_once(client, dossier, citizen):
    payment, txn = paid_through_mock(dossier=dossier, actor=citizen)
    params = ipn_params(txn)
    assert _ipn(client, params)["RspCode"] == "00"
    assert _ipn(client, params)["RspCode"] == "02"
    # A genuine retry, re-signed later by the gateway, is a duplicate too.
    assert _ipn(client, ipn_params(txn))["RspCode"] == "02"
    assert Receipt.objects.count() == 1
    assert _fee_events(dossier) == 1
    assert PaymentNotification.objects.filter(counted=True).count() == 1
    assert PaymentNotification.objects.filter(response_code="02").count() == 2


def test_failure_after_success_changes_nothing(client, dossier, citizen):
    payment, txn = paid_through_mock(dossier=dossier, actor=citizen)
    assert _ipn(client, ipn_params(txn))["RspCode"] == "00"
    late_failure = forged(ipn_params(txn), vnp_ResponseCode="51", vnp_TransactionStatus="02")
    assert _ipn(client, forged(ipn_params(txn), vnp_ResponseCode="00", vnp_TransactionStatus="02"))["RspCode"] == "02"
    assert _ipn(client, late_failure)["RspCode"] == "02"
    late_cancel = forged(ipn_params(txn), vnp_ResponseCode="24", vnp_TransactionStatus="02")
    assert _ipn(client, late_cancel)["RspCode"] == "02"
    payment = fresh(payment)
    dossier = fresh(dossier)
    assert payment.state == PaymentState.SUCCEEDED and dossier.fee_settled


@pytest.mark.parametrize(
    ("result", "state"),
    [
        ("51", PaymentState.FAILED),
        ("12", PaymentState.FAILED),
        ("24", PaymentState.CANCELLED),
        ("11", PaymentState.EXPIRED),
    ],
)
def test_unsuccessful_outcomes_close_the_payment_without_settling(client, dossier, citizen, result, state):
    payment, txn = paid_through_mock(dossier=dossier, actor=citizen, result=result)
    assert _ipn(client, ipn_params(txn))["RspCode"] == "00"
    payment = fresh(payment)
    dossier = fresh(dossier)
    assert payment.state == state and payment.result_code == result
    assert not dossier.fee_settled
    assert not Receipt.objects.exists()
    # A success forged after the failure cannot be produced without the secret; a late one
    # that is genuinely signed finds the payment closed.
    assert _ipn(client, forged(ipn_params(txn), vnp_ResponseCode="00", vnp_TransactionStatus="00"))["RspCode"] == "02"


def test_success_for_an_expired_payment_still_settles(client, dossier, citizen):
    # The portal's clock expired the payment while the payer was still on the gateway's page
    # (the gateway had nothing final to say then); the payer finished just in time there.
    from payments.mockgateway import ledger
    from tests.payments.factories import open_gateway_page

    payment, url = services.payment_create(dossier=dossier, actor=citizen, method="bank")
    page = open_gateway_page(url)
    Payment.objects.filter(pk=payment.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert services.payment_expire_stale() == 1
    assert fresh(payment).state == PaymentState.EXPIRED
    txn = ledger.transaction_complete(page_token=page.page_token, result_code="00", method="bank", bank_code="ACB")
    assert _ipn(client, ipn_params(txn))["RspCode"] == "00"
    payment = fresh(payment)
    dossier = fresh(dossier)
    assert payment.state == PaymentState.SUCCEEDED and dossier.fee_settled


def test_success_for_a_dossier_closed_meanwhile_is_recorded_for_refund(client, dossier, citizen):
    from applications.models import Dossier

    payment, txn = paid_through_mock(dossier=dossier, actor=citizen)
    Dossier.objects.filter(pk=dossier.pk).update(state="withdrawn")
    assert _ipn(client, ipn_params(txn))["RspCode"] == "00"
    payment = fresh(payment)
    dossier = fresh(dossier)
    assert payment.state == PaymentState.SUCCEEDED
    assert not dossier.fee_settled


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_same_ipn_fired_concurrently_settles_once(citizen):
    from tests.payments.factories import submitted_dossier

    dossier = submitted_dossier(citizen=citizen)
    payment, txn = paid_through_mock(dossier=dossier, actor=citizen)
    params = ipn_params(txn)
    threads_count = 8
    barrier = threading.Barrier(threads_count)
    answers: list[str] = []
    lock = threading.Lock()

    def fire():
        try:
            barrier.wait()
            code, _message = services.payment_apply_notification(params=params)
            with lock:
                answers.append(code)
        finally:
            connection.close()

    threads = [threading.Thread(target=fire) for _ in range(threads_count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == ["00"] + ["02"] * (threads_count - 1)
    assert Receipt.objects.count() == 1
    assert _fee_events(dossier) == 1
    assert PaymentNotification.objects.filter(counted=True).count() == 1


def test_success_code_with_a_failed_transaction_status_is_a_failure(client, dossier, citizen):
    payment, txn = paid_through_mock(dossier=dossier, actor=citizen)
    assert _ipn(client, forged(ipn_params(txn), vnp_TransactionStatus="02"))["RspCode"] == "00"
    assert fresh(payment).state == PaymentState.FAILED
    assert not fresh(dossier).fee_settled
