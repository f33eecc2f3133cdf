"""The mock gateway as an outside service: signing, VietQR, the IPN sender over HTTP."""

from __future__ import annotations

import pytest
from django.utils import timezone

from payments import services
from payments.constants import PaymentState
from payments.gateways import get_gateway
from payments.gateways import vnpay_format as fmt
from payments.gateways.mock import MockGateway
from payments.mockgateway import ledger, vietqr
from payments.models import MockGatewayTransaction
from portal.numwords import vietnamese_number_words, vnd_in_words
from tests.payments.factories import fresh, paid_through_mock, submitted_dossier


def test_signature_is_hmac_sha512_over_sorted_urlencoded_params():
    import hashlib
    import hmac

    params = {"vnp_TxnRef": "PAY1", "vnp_Amount": "5000000", "vnp_OrderInfo": "Le phi ho so A/B"}
    expected_data = "vnp_Amount=5000000&vnp_OrderInfo=Le+phi+ho+so+A%2FB&vnp_TxnRef=PAY1"
    assert fmt.signing_string(params) == expected_data
    digest = hmac.new(b"k", expected_data.encode(), hashlib.sha512).hexdigest()
    assert fmt.sign(params, "k") == digest
    assert fmt.verify({**params, "vnp_SecureHash": digest.upper()}, "k")
    assert not fmt.verify({**params, "vnp_SecureHash": digest}, "other")


def test_order_info_has_no_diacritics():
    assert fmt.ascii_text("Lệ phí hồ sơ Đăng ký") == "Le phi ho so Dang ky"


def test_vietqr_payload_and_crc():
    assert vietqr.crc16_ccitt(b"123456789") == 0x29B1
    payload = vietqr.payload(bank_bin="970436", account="0011001234567", amount=50000, reference="PAYX")
    fields = vietqr.parse(payload)
    assert fields["00"] == "01" and fields["53"] == "704" and fields["58"] == "VN" and fields["54"] == "50000"
    assert "A000000727" in fields["38"] and "970436" in fields["38"] and "QRIBFTTA" in fields["38"]
    assert fields["63"] == f"{vietqr.crc16_ccitt(payload[:-4].encode()):04X}"
    assert vietqr.svg_data_uri(payload).startswith("data:image/svg+xml;base64,")


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "không"),
        (15, "mười lăm"),
        (21, "hai mươi mốt"),
        (105, "một trăm linh năm"),
        (1005, "một nghìn không trăm linh năm"),
        (50000, "năm mươi nghìn"),
        (1250000, "một triệu hai trăm năm mươi nghìn"),
        (2001000, "hai triệu không trăm linh một nghìn"),
        (3000000000, "ba tỷ"),
    ],
)
def test_vietnamese_number_words(n, words):
    assert vietnamese_number_words(n) == words


def test_amount_in_words_on_receipts():
    assert vnd_in_words(50000) == "Năm mươi nghìn đồng"


def test_adapter_is_chosen_by_setting(settings):
    settings.PAYMENT_GATEWAY = "payments.gateways.mock.MockGateway"
    assert isinstance(get_gateway(), MockGateway)


def test_no_secret_without_debug_is_a_configuration_error(settings):
    from django.core.exceptions import ImproperlyConfigured

    from payments.checks import gateway_secret_is_set
    from payments.conf import gateway_secret

    settings.DEBUG = False
    settings.PAYMENT_GATEWAY_SECRET = ""
    with pytest.raises(ImproperlyConfigured):
        gateway_secret()
    assert [e.id for e in gateway_secret_is_set(None)] == ["payments.E001"]


@pytest.mark.django_db
def test_gateway_query_and_day_list(dossier, citizen):
    payment, txn = paid_through_mock(dossier=dossier, actor=citizen)
    gateway = get_gateway()
    status = gateway.query_transaction(payment=payment)
    assert status.outcome == "succeeded" and status.amount == 50000 and status.transaction_no == txn.transaction_no
    listed = gateway.list_transactions(day=timezone.localdate())
    assert [t.txn_ref for t in listed] == [payment.reference]
    other, _url = services.payment_create(dossier=submitted_dossier(citizen=citizen), actor=citizen, method="bank")
    assert gateway.query_transaction(payment=other) is None


@pytest.mark.django_db
def test_gateway_api_refuses_unsigned_requests(dossier, citizen):
    payment, _txn = paid_through_mock(dossier=dossier, actor=citizen)
    answer = ledger.api_request(
        params={"vnp_TmnCode": "DVCBINHAN", "vnp_Command": "refund", "vnp_TxnRef": payment.reference}
    )
    assert answer["vnp_ResponseCode"] == "97"
    assert MockGatewayTransaction.objects.get().status == "succeeded"


@pytest.mark.django_db(transaction=True)
def test_ipn_is_delivered_over_http_until_acknowledged(live_server, settings, citizen):
    settings.SITE_URL = live_server.url
    dossier = submitted_dossier(citizen=citizen)
    payment, txn = paid_through_mock(dossier=dossier, actor=citizen)
    assert ledger.ipn_deliver(txn_id=txn.pk) == "00"
    txn = MockGatewayTransaction.objects.get(pk=txn.pk)
    assert txn.ipn_attempts == 1 and txn.ipn_acknowledged_at is not None and '"00"' in txn.ipn_last_response
    assert fresh(payment).state == PaymentState.SUCCEEDED
    assert fresh(dossier).fee_settled
    # Once acknowledged, the sender stops.
    assert ledger.ipn_deliver(txn_id=txn.pk) == "02"


@pytest.mark.django_db(transaction=True)
def test_ipn_sender_retries_while_the_portal_refuses(live_server, settings, citizen):
    settings.SITE_URL = live_server.url
    dossier = submitted_dossier(citizen=citizen)
    payment, txn = paid_through_mock(dossier=dossier, actor=citizen)
    from unittest import mock

    with (
        mock.patch("payments.views.services.payment_apply_notification", return_value=("99", "Unknown error")),
        pytest.raises(ledger.IpnNotAcknowledged),
    ):
        ledger.ipn_deliver(txn_id=txn.pk)
    assert "99" in MockGatewayTransaction.objects.get(pk=txn.pk).ipn_last_response
    assert fresh(payment).state == PaymentState.PENDING
    # The next attempt, re-signed, is fresh and goes through.
    assert ledger.ipn_deliver(txn_id=txn.pk) == "00"
    assert MockGatewayTransaction.objects.get(pk=txn.pk).ipn_attempts == 2


@pytest.mark.django_db(transaction=True)
def test_completing_on_the_page_queues_the_ipn_task(live_server, settings, citizen):
    """With the sender on, finishing on the hosted page queues the IPN task after commit
    (run in this process here, whether or not Redis is configured)."""
    from unittest import mock

    from payments.mockgateway.tasks import send_mock_ipn

    settings.SITE_URL = live_server.url
    settings.PAYMENT_MOCK_SEND_IPN = True
    dossier = submitted_dossier(citizen=citizen)
    with mock.patch.object(send_mock_ipn, "delay", side_effect=lambda pk: send_mock_ipn.apply(args=[pk])) as delay:
        payment, txn = paid_through_mock(dossier=dossier, actor=citizen)
    delay.assert_called_once_with(txn.pk)
    assert fresh(payment).state == PaymentState.SUCCEEDED
