"""The payer's path through the pages: portal → mock gateway → portal."""

from __future__ import annotations

import io
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.urls import reverse

from payments.constants import PaymentState
from payments.mockgateway import vietqr
from payments.models import MockGatewayTransaction, Payment
from tests.applications.factories import UserFactory
from tests.payments.factories import fresh, ipn_params, paid_through_mock, submitted_dossier

pytestmark = pytest.mark.django_db


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_happy_path_through_the_pages(citizen_client, dossier):
    start_url = reverse("payments:start", kwargs={"public_id": dossier.public_id})
    page = citizen_client.get(start_url)
    assert page.status_code == 200
    assert "50.000 đ" in page.content.decode()

    # The amount is the dossier's: a posted amount is ignored.
    response = citizen_client.post(start_url, {"method": "vietqr", "amount": "1", "vnp_Amount": "100"})
    assert response.status_code == 302
    gateway_url = response["Location"]
    assert gateway_url.startswith(reverse("mock_gateway:pay"))
    sent = dict(parse_qsl(urlsplit(gateway_url).query))
    assert sent["vnp_Amount"] == "5000000" and sent["vnp_CurrCode"] == "VND"
    payment = Payment.objects.get()
    assert payment.amount == 50000 and payment.state == PaymentState.PENDING
    assert sent["vnp_TxnRef"] == payment.reference

    gateway_page = citizen_client.get(gateway_url)
    html = gateway_page.content.decode()
    assert gateway_page.status_code == 200
    assert "Vietcombank" in html and "VietinBank" in html and "Ví MoMo" in html
    assert 'src="data:image/svg+xml;base64,' in html
    txn = MockGatewayTransaction.objects.get()
    payload = vietqr.payload(bank_bin="970418", account="8600123456789", amount=50000, reference=payment.reference)
    assert payload in html and vietqr.parse(payload)["54"] == "50000"

    back = citizen_client.post(
        reverse("mock_gateway:complete", kwargs={"page_token": txn.page_token}),
        {"source": "bank:VIETCOMBANK", "result": "00"},
    )
    assert back.status_code == 302
    assert back["Location"].startswith("http://testserver" + reverse("payments:return"))

    # Back on the portal before the IPN: "processing", refreshing, nothing marked paid.
    returned = citizen_client.get(_path(back["Location"]))
    assert returned.status_code == 200
    text = returned.content.decode()
    assert 'http-equiv="refresh"' in text
    assert fresh(payment).state == PaymentState.PENDING
    assert not fresh(dossier).fee_settled

    answer = citizen_client.get(reverse("payments:ipn"), ipn_params(MockGatewayTransaction.objects.get()))
    assert answer.json()["RspCode"] == "00"
    assert fresh(dossier).fee_settled

    status_page = citizen_client.get(reverse("payments:status", kwargs={"reference": payment.reference}))
    assert 'http-equiv="refresh"' not in status_page.content.decode()
    receipt_url = reverse("payments:receipt", kwargs={"reference": payment.reference})
    assert receipt_url in status_page.content.decode()

    pdf = citizen_client.get(receipt_url)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = _pdf_text(pdf.content)
    receipt = fresh(payment).receipt
    for expected in (
        receipt.number,
        dossier.code,
        payment.reference,
        "Năm mươi nghìn đồng",
        "50.000 đ",
        "Nguyễn Văn An",
    ):
        assert expected in text


def test_browser_return_never_marks_paid(citizen_client, dossier, citizen):
    payment, txn = paid_through_mock(dossier=dossier, actor=citizen)
    from payments.mockgateway.ledger import return_url

    for _ in range(3):
        response = citizen_client.get(_path(return_url(txn)))
        assert response.status_code == 200
    assert fresh(payment).state == PaymentState.PENDING
    assert not fresh(dossier).fee_settled
    # Nor does the return URL posted to the IPN endpoint... only because it is a genuine IPN.
    assert not payment.notifications.exists()


def test_return_with_a_bad_signature_says_so_and_changes_nothing(citizen_client, dossier, citizen):
    payment, txn = paid_through_mock(dossier=dossier, actor=citizen)
    params = {**ipn_params(txn), "vnp_ResponseCode": "00", "vnp_SecureHash": "ab" * 64}
    response = citizen_client.get(reverse("payments:return"), params)
    assert response.status_code == 400
    assert fresh(payment).state == PaymentState.PENDING


@pytest.mark.parametrize("result", ["51", "24"])
def test_failed_or_cancelled_payment_offers_to_pay_again(citizen_client, dossier, citizen, result):
    payment, txn = paid_through_mock(dossier=dossier, actor=citizen, result=result)
    citizen_client.get(reverse("payments:ipn"), ipn_params(txn))
    page = citizen_client.get(reverse("payments:status", kwargs={"reference": payment.reference}))
    assert reverse("payments:start", kwargs={"public_id": dossier.public_id}) in page.content.decode()


def test_another_citizens_dossier_payment_and_receipt_are_404(client, dossier, citizen):
    payment, txn = paid_through_mock(dossier=dossier, actor=citizen)
    client.get(reverse("payments:ipn"), ipn_params(txn))
    stranger = UserFactory()
    client.force_login(stranger)
    urls = [
        reverse("payments:start", kwargs={"public_id": dossier.public_id}),
        reverse("payments:status", kwargs={"reference": payment.reference}),
        reverse("payments:receipt", kwargs={"reference": payment.reference}),
    ]
    for url in urls:
        assert client.get(url).status_code == 404
    assert client.post(urls[0], {"method": "bank"}).status_code == 404
    assert Payment.objects.count() == 1
    # The return page shows a stranger nothing of the payment.
    from payments.mockgateway.ledger import return_url

    page = client.get(_path(return_url(txn)))
    # (The URL itself comes back in the language switch's "next" field; nothing else does.)
    assert "50.000 đ" not in page.content.decode()
    assert reverse("payments:receipt", kwargs={"reference": payment.reference}) not in page.content.decode()


def test_anonymous_visitor_is_sent_to_login(client, dossier):
    response = client.get(reverse("payments:start", kwargs={"public_id": dossier.public_id}))
    assert response.status_code == 302 and "dang-nhap" in response["Location"] or "login" in response["Location"]


def test_zero_fee_dossier_has_no_payment_button_and_no_payment(citizen_client, citizen):
    dossier = submitted_dossier(citizen=citizen, fee_amount=0)
    detail = citizen_client.get(dossier.get_absolute_url()).content.decode()
    start_url = reverse("payments:start", kwargs={"public_id": dossier.public_id})
    assert start_url not in detail
    response = citizen_client.post(start_url, {"method": "bank"})
    assert response.status_code == 200
    assert not Payment.objects.exists()


def test_dossier_page_shows_the_pay_button_until_paid(citizen_client, dossier, citizen):
    start_url = reverse("payments:start", kwargs={"public_id": dossier.public_id})
    assert start_url in citizen_client.get(dossier.get_absolute_url()).content.decode()
    payment, txn = paid_through_mock(dossier=dossier, actor=citizen)
    citizen_client.get(reverse("payments:ipn"), ipn_params(txn))
    assert start_url not in citizen_client.get(dossier.get_absolute_url()).content.decode()


def test_mock_gateway_refuses_a_tampered_request(client, dossier, citizen):
    from payments import services

    _payment, url = services.payment_create(dossier=dossier, actor=citizen, method="bank")
    tampered = url.replace("vnp_Amount=5000000", "vnp_Amount=100")
    response = client.get(tampered)
    assert response.status_code == 400
    assert "97" in response.content.decode()
    assert not MockGatewayTransaction.objects.exists()


def test_mock_gateway_page_needs_a_source_to_pay(client, dossier, citizen):
    from payments import services

    _payment, url = services.payment_create(dossier=dossier, actor=citizen, method="bank")
    client.get(url)
    txn = MockGatewayTransaction.objects.get()
    response = client.post(reverse("mock_gateway:complete", kwargs={"page_token": txn.page_token}), {"result": "00"})
    assert response.status_code == 400
    assert MockGatewayTransaction.objects.get().status == "pending"


def test_mock_gateway_merchant_api_over_http(client, dossier, citizen):
    import json

    from payments.conf import gateway_secret, merchant_code
    from payments.gateways import vnpay_format as fmt

    payment, txn = paid_through_mock(dossier=dossier, actor=citizen)
    request = fmt.signed(
        {"vnp_Command": "querydr", "vnp_TmnCode": merchant_code(), "vnp_TxnRef": payment.reference}, gateway_secret()
    )
    answer = client.post(reverse("mock_gateway:api"), json.dumps(request), content_type="application/json").json()
    assert answer["vnp_TransactionStatus"] == "00" and fmt.verify(answer, gateway_secret())
    bad = client.post(
        reverse("mock_gateway:api"), json.dumps({**request, "vnp_TxnRef": "X"}), content_type="application/json"
    )
    assert bad.json()["vnp_ResponseCode"] == "97"
