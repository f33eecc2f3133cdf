"""The mock gateway's side: what a VNPay-like service does with a merchant's requests.

It knows one merchant (``PAYMENT_TMN_CODE``) and its copy of the shared secret. It keeps its
own ledger (``MockGatewayTransaction``), sends the IPN to the merchant over HTTP until the
merchant acknowledges it, and answers a merchant API (status query, refund, the day's list)
with signed JSON-like dicts. Nothing here touches the portal's payments.

One deliberate extension of VNPay's format: every IPN delivery and API answer carries
``vnp_SendDate`` (signed), the moment of sending, so the merchant can refuse an old message
replayed later while genuine retries, re-signed at each attempt, stay fresh.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
import urllib.error
import urllib.request
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from payments.conf import gateway_secret, merchant_code, site_url
from payments.constants import (
    RESULT_CANCELLED,
    RESULT_CARD_LOCKED,
    RESULT_INSUFFICIENT_FUNDS,
    RESULT_SUCCESS,
    RESULT_TIMEOUT,
)
from payments.gateways import vnpay_format as fmt
from payments.mockgateway.banks import BANK_CODES, EWALLET_CODES
from payments.models import MockGatewayTransaction

logger = logging.getLogger(__name__)
T = MockGatewayTransaction.Status

STATUS_BY_RESULT = {
    RESULT_SUCCESS: T.SUCCEEDED,
    RESULT_INSUFFICIENT_FUNDS: T.FAILED,
    RESULT_CARD_LOCKED: T.FAILED,
    RESULT_CANCELLED: T.CANCELLED,
    RESULT_TIMEOUT: T.EXPIRED,
}
# vnp_TransactionStatus as VNPay reports it.
TRANSACTION_STATUS = {
    T.PENDING: "01",
    T.SUCCEEDED: "00",
    T.FAILED: "02",
    T.CANCELLED: "02",
    T.EXPIRED: "02",
    T.REFUNDED: "06",
}
REQUIRED_PAY_FIELDS = (
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_Amount",
    "vnp_CurrCode",
    "vnp_TxnRef",
    "vnp_OrderInfo",
    "vnp_ReturnUrl",
    "vnp_CreateDate",
    "vnp_ExpireDate",
    "vnp_IpAddr",
)


class MockGatewayError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class IpnNotAcknowledged(Exception):
    """The merchant did not answer 00 or 02: the gateway will try again later."""


def _secret_for(tmn_code: str) -> str:
    if tmn_code != merchant_code():
        raise MockGatewayError("02", "Merchant không hợp lệ")
    return gateway_secret()


def _new_transaction_no() -> str:
    return str(secrets.randbelow(90_000_000) + 10_000_000)


# --- The hosted page -------------------------------------------------------------------


def transaction_begin(*, params: dict[str, str]) -> MockGatewayTransaction:
    """Check a payment request from the merchant and open (or reopen) its transaction."""
    missing = [name for name in REQUIRED_PAY_FIELDS if not params.get(name)]
    if missing:
        raise MockGatewayError("03", "Dữ liệu gửi sang không đúng định dạng")
    secret = _secret_for(params["vnp_TmnCode"])
    if not fmt.verify(params, secret):
        raise MockGatewayError("97", "Chữ ký không hợp lệ")
    if params["vnp_Command"] != "pay" or params["vnp_CurrCode"] != "VND":
        raise MockGatewayError("03", "Dữ liệu gửi sang không đúng định dạng")
    amount = fmt.from_wire_amount(params["vnp_Amount"])
    if not amount:
        raise MockGatewayError("04", "Số tiền không hợp lệ")
    expire = fmt.parse_date(params["vnp_ExpireDate"])
    if expire is None or fmt.parse_date(params["vnp_CreateDate"]) is None:
        raise MockGatewayError("03", "Dữ liệu gửi sang không đúng định dạng")
    if expire <= timezone.now():
        raise MockGatewayError("11", "Đã hết hạn chờ thanh toán")
    with transaction.atomic():
        existing = (
            MockGatewayTransaction.objects.select_for_update()
            .filter(tmn_code=params["vnp_TmnCode"], txn_ref=params["vnp_TxnRef"])
            .first()
        )
        if existing is not None:
            if existing.status != T.PENDING or existing.amount != amount:
                raise MockGatewayError("94", "Giao dịch đã tồn tại")
            return existing
        try:
            with transaction.atomic():
                return MockGatewayTransaction.objects.create(
                    tmn_code=params["vnp_TmnCode"],
                    txn_ref=params["vnp_TxnRef"],
                    transaction_no=_new_transaction_no(),
                    page_token=secrets.token_urlsafe(24),
                    amount=amount,
                    order_info=params["vnp_OrderInfo"][:255],
                    return_url=params["vnp_ReturnUrl"][:500],
                    create_date=params["vnp_CreateDate"],
                    expire_date=params["vnp_ExpireDate"],
                )
        except IntegrityError as exc:
            raise MockGatewayError("94", "Giao dịch đã tồn tại") from exc


def transaction_complete(*, page_token: str, result_code: str, method: str, bank_code: str) -> MockGatewayTransaction:
    """The payer finished on the hosted page: record the result and notify the merchant."""
    if result_code not in STATUS_BY_RESULT:
        raise MockGatewayError("99", "Kết quả không hợp lệ")
    if result_code == RESULT_SUCCESS and bank_code not in BANK_CODES | EWALLET_CODES | {"VIETQR"}:
        raise MockGatewayError("03", "Vui lòng chọn ngân hàng hoặc ví điện tử")
    with transaction.atomic():
        txn = MockGatewayTransaction.objects.select_for_update().filter(page_token=page_token).first()
        if txn is None:
            raise MockGatewayError("01", "Không tìm thấy giao dịch")
        if txn.status != T.PENDING:
            return txn
        expire = fmt.parse_date(txn.expire_date)
        if expire is not None and expire <= timezone.now():
            result_code = RESULT_TIMEOUT
        txn.status = STATUS_BY_RESULT[result_code]
        txn.response_code = result_code
        txn.method = method
        txn.bank_code = bank_code if result_code != RESULT_TIMEOUT else ""
        txn.pay_date = timezone.now()
        txn.save(update_fields=["status", "response_code", "method", "bank_code", "pay_date", "updated_at"])
        if getattr(settings, "PAYMENT_MOCK_SEND_IPN", True):
            transaction.on_commit(partial(_queue_ipn, txn.pk), robust=True)
    return txn


def _queue_ipn(txn_id: int) -> None:
    from payments.mockgateway.tasks import send_mock_ipn

    send_mock_ipn.delay(txn_id)


def result_params(txn: MockGatewayTransaction, *, now: dt.datetime | None = None) -> dict[str, str]:
    """The signed parameters of an IPN or a browser return for ``txn``."""
    params = {
        "vnp_TmnCode": txn.tmn_code,
        "vnp_Amount": fmt.to_wire_amount(txn.amount),
        "vnp_BankCode": txn.bank_code,
        "vnp_CardType": {"bank": "ATM", "ewallet": "EWALLET", "vietqr": "QRCODE"}.get(txn.method, ""),
        "vnp_OrderInfo": txn.order_info,
        "vnp_PayDate": fmt.format_date(txn.pay_date) if txn.pay_date else "",
        "vnp_ResponseCode": txn.response_code,
        "vnp_TransactionNo": txn.transaction_no,
        "vnp_TransactionStatus": TRANSACTION_STATUS[txn.status],
        "vnp_TxnRef": txn.txn_ref,
        "vnp_SendDate": fmt.format_date(now or timezone.now()),
    }
    if txn.status == T.SUCCEEDED:
        params["vnp_BankTranNo"] = f"{txn.bank_code[:4]}{txn.transaction_no}"
    return fmt.signed(params, _secret_for(txn.tmn_code))


def return_url(txn: MockGatewayTransaction) -> str:
    separator = "&" if "?" in txn.return_url else "?"
    return txn.return_url + separator + fmt.query_string(result_params(txn))


# --- The IPN sender --------------------------------------------------------------------


def ipn_url() -> str:
    return site_url() + reverse("payments:ipn")


def ipn_deliver(*, txn_id: int, timeout: float = 10.0) -> str:
    """One delivery attempt over HTTP; returns the merchant's RspCode.

    Raises ``IpnNotAcknowledged`` (or an ``OSError``) when the merchant must be asked again.
    """
    txn = MockGatewayTransaction.objects.get(pk=txn_id)
    if txn.ipn_acknowledged_at is not None:
        return "02"
    url = ipn_url() + "?" + fmt.query_string(result_params(txn))
    MockGatewayTransaction.objects.filter(pk=txn_id).update(ipn_attempts=txn.ipn_attempts + 1)
    request = urllib.request.Request(url, headers={"User-Agent": "MockGateway-IPN/1.0"})  # noqa: S310 - SITE_URL
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - our own SITE_URL
            body = response.read(4096).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        body = f"HTTP {exc.code}"
    try:
        code = str(json.loads(body).get("RspCode", ""))
    except (ValueError, AttributeError):
        code = ""
    fields = {"ipn_last_response": body[:200]}
    if code in ("00", "02"):
        fields["ipn_acknowledged_at"] = timezone.now()
    MockGatewayTransaction.objects.filter(pk=txn_id).update(**fields)
    logger.info("mock_ipn txn=%s attempt=%s rsp=%s", txn.txn_ref, txn.ipn_attempts + 1, code or body[:40])
    if code not in ("00", "02"):
        raise IpnNotAcknowledged(body[:200])
    return code


# --- The merchant API (querydr, refund, the day's list) -------------------------------


def _record(txn: MockGatewayTransaction) -> dict[str, str]:
    # vnp_ResponseCode of an API answer is the request's result; the transaction's own
    # result code travels as vnp_TxnResponseCode.
    return {
        "vnp_TxnRef": txn.txn_ref,
        "vnp_Amount": fmt.to_wire_amount(txn.amount),
        "vnp_TxnResponseCode": txn.response_code,
        "vnp_TransactionNo": txn.transaction_no,
        "vnp_TransactionStatus": TRANSACTION_STATUS[txn.status],
        "vnp_CreateDate": txn.create_date,
        "vnp_PayDate": fmt.format_date(txn.pay_date) if txn.pay_date else "",
    }


def api_request(*, params: dict[str, str]) -> dict:
    """Answer a signed merchant API request with a signed answer (or an error answer)."""
    try:
        secret = _secret_for(params.get("vnp_TmnCode", ""))
    except MockGatewayError as exc:
        return {"vnp_ResponseCode": exc.code, "vnp_Message": exc.message}
    if not fmt.verify(params, secret):
        return {"vnp_ResponseCode": "97", "vnp_Message": "Chữ ký không hợp lệ"}
    command = params.get("vnp_Command")
    tmn = params["vnp_TmnCode"]
    answer: dict[str, str] = {"vnp_TmnCode": tmn, "vnp_Command": command or ""}
    if command == "querydr":
        txn = MockGatewayTransaction.objects.filter(tmn_code=tmn, txn_ref=params.get("vnp_TxnRef", "")).first()
        if txn is None:
            answer.update(vnp_ResponseCode="91", vnp_Message="Không tìm thấy giao dịch")
        else:
            answer.update(_record(txn), vnp_ResponseCode="00", vnp_Message="OK")
    elif command == "refund":
        answer.update(_refund(tmn, params))
    elif command == "listday":
        day = fmt.parse_date((params.get("vnp_Date") or "")[:8] + "000000")
        if day is None:
            answer.update(vnp_ResponseCode="03", vnp_Message="Ngày không hợp lệ")
        else:
            start = day
            rows = MockGatewayTransaction.objects.filter(
                tmn_code=tmn, created_at__gte=start, created_at__lt=start + dt.timedelta(days=1)
            ).order_by("created_at")
            # Lists travel as one signed JSON field, so the signature covers every line.
            answer.update(
                vnp_ResponseCode="00",
                vnp_Message="OK",
                vnp_Transactions=json.dumps([_record(t) for t in rows], sort_keys=True),
            )
    else:
        answer.update(vnp_ResponseCode="03", vnp_Message="Lệnh không hợp lệ")
    answer["vnp_SendDate"] = fmt.format_date(timezone.now())
    return fmt.signed(answer, secret)


def _refund(tmn: str, params: dict[str, str]) -> dict[str, str]:
    amount = fmt.from_wire_amount(params.get("vnp_Amount", ""))
    with transaction.atomic():
        txn = (
            MockGatewayTransaction.objects.select_for_update()
            .filter(tmn_code=tmn, txn_ref=params.get("vnp_TxnRef", ""))
            .first()
        )
        if txn is None:
            return {"vnp_ResponseCode": "91", "vnp_Message": "Không tìm thấy giao dịch"}
        if txn.status == T.REFUNDED:
            return {**_record(txn), "vnp_ResponseCode": "00", "vnp_Message": "Đã hoàn tiền trước đó"}
        if txn.status != T.SUCCEEDED:
            return {"vnp_ResponseCode": "95", "vnp_Message": "Giao dịch không thành công, không thể hoàn tiền"}
        if amount is None or amount <= 0 or amount > txn.amount:
            return {"vnp_ResponseCode": "94", "vnp_Message": "Số tiền hoàn không hợp lệ"}
        txn.status = T.REFUNDED
        txn.refunded_amount = amount
        txn.refund_transaction_no = _new_transaction_no()
        txn.save(update_fields=["status", "refunded_amount", "refund_transaction_no", "updated_at"])
    return {**_record(txn), "vnp_ResponseCode": "00", "vnp_Message": "OK", "vnp_RefundNo": txn.refund_transaction_no}
