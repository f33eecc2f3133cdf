"""Creating, expiring, refunding and reconciling payments."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from applications.constants import DossierState
from payments import services
from payments.constants import PaymentState
from payments.gateways import vnpay_format as fmt
from payments.models import MockGatewayTransaction, Payment
from tests.applications.factories import (
    FACTORY_BY_STATE,
    OfficialFactory,
    RejectedDossierFactory,
    UserFactory,
)
from tests.payments.factories import fresh, ipn_params, paid_through_mock, submitted_dossier

pytestmark = pytest.mark.django_db


def _ipn(client, txn) -> str:
    return client.get(reverse("payments:ipn"), ipn_params(txn)).json()["RspCode"]


# --- payment_create ------------------------------------------------------------------------


@pytest.mark.parametrize("state", [DossierState.SUBMITTED, DossierState.NEEDS_SUPPLEMENT, DossierState.VALIDATED])
def test_create_is_allowed_while_the_dossier_is_open(citizen, state):
    dossier = submitted_dossier(citizen=citizen, factory=FACTORY_BY_STATE[state])
    payment, url = services.payment_create(dossier=dossier, actor=citizen, method="ewallet", extra_amount=25000)
    assert payment.amount == 75000 and payment.fee_amount == 50000 and payment.extra_amount == 25000
    assert payment.expires_at - timezone.now() == pytest.approx(dt.timedelta(minutes=15), abs=dt.timedelta(seconds=5))
    assert payment.reference.startswith("PAY") and len(payment.reference) == 19
    assert "vnp_Amount=7500000" in url


@pytest.mark.parametrize(
    "state",
    [
        DossierState.DRAFT,
        DossierState.PROCESSED,
        DossierState.DELIVERED,
        DossierState.REJECTED,
        DossierState.WITHDRAWN,
    ],
)
def test_create_is_refused_before_submission_and_after_closing(citizen, state):
    dossier = submitted_dossier(citizen=citizen, factory=FACTORY_BY_STATE[state])
    with pytest.raises(services.PaymentRejected):
        services.payment_create(dossier=dossier, actor=citizen, method="bank")
    assert not Payment.objects.exists()


def test_create_by_someone_else_is_refused(dossier):
    with pytest.raises(services.PaymentPermissionDenied):
        services.payment_create(dossier=dossier, actor=UserFactory(), method="bank")


def test_create_for_a_settled_or_zero_fee_dossier_is_refused(client, dossier, citizen):
    zero = submitted_dossier(citizen=citizen, fee_amount=0)
    with pytest.raises(services.PaymentRejected):
        services.payment_create(dossier=zero, actor=citizen, method="bank")
    payment, txn = paid_through_mock(dossier=dossier, actor=citizen)
    assert _ipn(client, txn) == "00"
    with pytest.raises(services.PaymentRejected):
        services.payment_create(dossier=dossier, actor=citizen, method="bank")


def test_unexpired_pending_payment_is_reused_and_a_different_one_expires_it(dossier, citizen):
    first, _url = services.payment_create(dossier=dossier, actor=citizen, method="bank")
    again, _url = services.payment_create(dossier=dossier, actor=citizen, method="bank")
    assert again.pk == first.pk
    other, _url = services.payment_create(dossier=dossier, actor=citizen, method="vietqr")
    assert other.pk != first.pk
    assert fresh(first).state == PaymentState.EXPIRED
    assert Payment.objects.filter(state=PaymentState.PENDING).count() == 1


def test_expiry_then_a_new_payment(client, dossier, citizen):
    first, _url = services.payment_create(dossier=dossier, actor=citizen, method="bank")
    Payment.objects.filter(pk=first.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert services.payment_expire_stale() == 1
    assert services.payment_expire_stale() == 0
    assert fresh(first).state == PaymentState.EXPIRED
    second, txn = paid_through_mock(dossier=dossier, actor=citizen)
    assert second.pk != first.pk
    assert _ipn(client, txn) == "00"
    assert fresh(second).state == PaymentState.SUCCEEDED and fresh(dossier).fee_settled


def test_expired_request_is_refused_by_the_gateway(dossier, citizen):
    from payments.mockgateway.ledger import MockGatewayError
    from tests.payments.factories import open_gateway_page

    _payment, url = services.payment_create(dossier=dossier, actor=citizen, method="bank")
    # The URL carries its own signed ExpireDate: the mock refuses it once past.
    later = timezone.now() + dt.timedelta(minutes=16)
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=later), pytest.raises(MockGatewayError) as exc:
        open_gateway_page(url)
    assert exc.value.code == "11"


def test_paying_after_the_deadline_on_the_page_times_out(client, dossier, citizen):
    from unittest import mock

    from payments.mockgateway import ledger
    from tests.payments.factories import open_gateway_page

    payment, url = services.payment_create(dossier=dossier, actor=citizen, method="bank")
    txn = open_gateway_page(url)
    later = timezone.now() + dt.timedelta(minutes=16)
    with mock.patch("django.utils.timezone.now", return_value=later):
        txn = ledger.transaction_complete(page_token=txn.page_token, result_code="00", method="bank", bank_code="BIDV")
    assert txn.status == "expired" and txn.response_code == "11"
    assert _ipn(client, txn) == "00"
    assert fresh(payment).state == PaymentState.EXPIRED


def test_cancel_then_pay_again(client, dossier, citizen):
    cancelled, txn = paid_through_mock(dossier=dossier, actor=citizen, result="24")
    assert _ipn(client, txn) == "00"
    assert fresh(cancelled).state == PaymentState.CANCELLED
    paid, txn2 = paid_through_mock(dossier=dossier, actor=citizen, source="ewallet:MOMO", method="ewallet")
    assert paid.pk != cancelled.pk
    assert _ipn(client, txn2) == "00"
    assert fresh(paid).state == PaymentState.SUCCEEDED and fresh(paid).bank_code == "MOMO"
    assert fresh(dossier).fee_settled


def test_browser_return_service_only_reads(dossier, citizen):
    payment, txn = paid_through_mock(dossier=dossier, actor=citizen)
    view = services.payment_handle_return(params=ipn_params(txn))
    assert view.signature_ok and view.refresh and view.gateway_says == "succeeded"
    assert view.payment.state == PaymentState.PENDING
    assert not services.payment_handle_return(params={**ipn_params(txn), "vnp_Amount": "1"}).signature_ok


# --- Refund ------------------------------------------------------------------------------


def _refunder(agency):
    official = OfficialFactory(agency=agency)
    official.user.user_permissions.add(Permission.objects.get(codename="refund_payment"))
    return official.user


def _paid_rejected(client, citizen):
    dossier = submitted_dossier(citizen=citizen)
    payment, txn = paid_through_mock(dossier=dossier, actor=citizen)
    assert _ipn(client, txn) == "00"
    from applications.models import Dossier

    # Rejected by an official afterwards (the applications service is tested there).
    Dossier.objects.filter(pk=dossier.pk).update(state=DossierState.REJECTED)
    return fresh(payment), txn


def test_refund_by_an_official_of_the_agency(client, citizen):
    payment, txn = _paid_rejected(client, citizen)
    official = _refunder(payment.dossier.agency)
    refunded = services.payment_refund(payment=payment, actor=official, reason="Hồ sơ bị từ chối")
    assert refunded.state == PaymentState.REFUNDED and refunded.refunded_by == official
    assert refunded.refund_reference
    assert MockGatewayTransaction.objects.get(pk=txn.pk).status == "refunded"
    with pytest.raises(services.PaymentRejected):
        services.payment_refund(payment=refunded, actor=official, reason="again")


def test_refund_is_refused_to_other_agencies_and_without_permission(client, citizen):
    payment, _txn = _paid_rejected(client, citizen)
    stranger = _refunder(OfficialFactory().agency)
    without_perm = OfficialFactory(agency=payment.dossier.agency).user
    for actor in (stranger, without_perm, citizen):
        with pytest.raises(services.PaymentPermissionDenied):
            services.payment_refund(payment=payment, actor=actor, reason="x")
    assert fresh(payment).state == PaymentState.SUCCEEDED


def test_refund_of_an_open_dossier_or_a_failed_payment_is_refused(client, dossier, citizen):
    payment, txn = paid_through_mock(dossier=dossier, actor=citizen)
    assert _ipn(client, txn) == "00"
    official = _refunder(dossier.agency)
    with pytest.raises(services.PaymentRejected):
        services.payment_refund(payment=fresh(payment), actor=official, reason="x")
    rejected = RejectedDossierFactory(citizen=citizen, fee_amount=50000)
    failed = Payment.objects.create(
        dossier=rejected, payer=citizen, fee_amount=50000, amount=50000, method="bank", expires_at=timezone.now()
    )
    with pytest.raises(services.PaymentRejected):
        services.payment_refund(payment=failed, actor=_refunder(rejected.agency), reason="x")


# --- Reconciliation ----------------------------------------------------------------------


def test_reconciliation_of_a_clean_day(client, dossier, citizen):
    payment, txn = paid_through_mock(dossier=dossier, actor=citizen)
    assert _ipn(client, txn) == "00"
    report = services.payments_reconcile(day=timezone.localdate())
    assert report.ok and report.portal_count == 1 and report.gateway_count == 1
    call_command("reconcile_payments", "--date", timezone.localdate().isoformat())


def test_reconciliation_reports_every_kind_of_mismatch(client, citizen, capsys):
    from payments.conf import gateway_secret

    # 1. Paid at the gateway, the IPN never arrived: the portal still says pending.
    lost, _txn = paid_through_mock(dossier=submitted_dossier(citizen=citizen), actor=citizen)
    # 2. Different amounts on each side.
    differs, txn2 = paid_through_mock(dossier=submitted_dossier(citizen=citizen), actor=citizen)
    assert _ipn(client, txn2) == "00"
    MockGatewayTransaction.objects.filter(pk=txn2.pk).update(amount=60000)
    # 3. A gateway transaction the portal never created.
    MockGatewayTransaction.objects.create(
        tmn_code=txn2.tmn_code,
        txn_ref="PAYUNKNOWNTOPORTAL1",
        transaction_no="11112222",
        page_token="t-unknown",
        amount=10000,
        order_info="x",
        return_url="http://testserver/",
        create_date="20260101000000",
        expire_date="20260101001500",
        status="succeeded",
        response_code="00",
    )
    # 4. Succeeded in the portal, unknown to the gateway (a genuinely signed IPN for a
    #    transaction missing from the gateway's list).
    ghost, _url = services.payment_create(dossier=submitted_dossier(citizen=citizen), actor=citizen, method="bank")
    params = fmt.signed(
        {
            "vnp_TmnCode": txn2.tmn_code,
            "vnp_Amount": "5000000",
            "vnp_ResponseCode": "00",
            "vnp_TransactionStatus": "00",
            "vnp_TransactionNo": "99998888",
            "vnp_TxnRef": ghost.reference,
            "vnp_PayDate": fmt.format_date(timezone.now()),
            "vnp_SendDate": fmt.format_date(timezone.now()),
        },
        gateway_secret(),
    )
    assert client.get(reverse("payments:ipn"), params).json()["RspCode"] == "00"

    report = services.payments_reconcile(day=timezone.localdate())
    kinds = {(m.reference, m.kind) for m in report.mismatches}
    assert kinds == {
        (lost.reference, "status"),
        (differs.reference, "amount"),
        ("PAYUNKNOWNTOPORTAL1", "missing_in_portal"),
        (ghost.reference, "missing_at_gateway"),
    }
    with pytest.raises(SystemExit) as exit_info:
        call_command("reconcile_payments", "--date", timezone.localdate().isoformat())
    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    assert "mismatches 4" in out and "PAYUNKNOWNTOPORTAL1" in out


def test_reconcile_task_returns_the_mismatch_count(dossier, citizen):
    from payments.tasks import reconcile_payments

    paid_through_mock(dossier=dossier, actor=citizen)
    assert reconcile_payments.apply(args=[timezone.localdate().isoformat()]).get() == 1


# --- Asking the gateway when the IPN is late or lost ---------------------------------------


def test_lost_ipn_is_repaired_by_the_expiry_job_asking_the_gateway(client, dossier, citizen):
    payment, txn = paid_through_mock(dossier=dossier, actor=citizen)  # the IPN never arrives
    Payment.objects.filter(pk=payment.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert services.payment_expire_stale() == 0
    assert fresh(payment).state == PaymentState.SUCCEEDED and fresh(dossier).fee_settled
    # The IPN arriving at last is a duplicate of what the query applied.
    assert _ipn(client, txn) == "02"
    assert fresh(payment).receipt.total == 50000


def test_status_page_asks_the_gateway_while_the_payer_waits(citizen_client, dossier, citizen):
    payment, txn = paid_through_mock(dossier=dossier, actor=citizen, result="51")
    page = citizen_client.get(reverse("payments:status", kwargs={"reference": payment.reference}))
    assert fresh(payment).state == PaymentState.FAILED
    assert 'http-equiv="refresh"' not in page.content.decode()


def test_status_page_of_a_payment_never_opened_at_the_gateway_stays_pending(citizen_client, dossier, citizen):
    payment, _url = services.payment_create(dossier=dossier, actor=citizen, method="bank")
    page = citizen_client.get(reverse("payments:status", kwargs={"reference": payment.reference}))
    assert 'http-equiv="refresh"' in page.content.decode()
    assert fresh(payment).state == PaymentState.PENDING
