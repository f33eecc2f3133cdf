"""The portal's adapter for the mock gateway (VNPay-shaped).

The payer's browser is sent to the mock's hosted page with signed ``vnp_*`` parameters; the
IPN and the browser's return come back signed the same way. Status queries, refunds and the
day's list go to the mock's merchant API: called in-process here (it runs in this Django),
where a VNPay adapter would POST the same signed fields to the gateway's API URL.
"""

from __future__ import annotations

import datetime as dt
import json

from django.urls import reverse
from django.utils import timezone

from payments.conf import gateway_secret, merchant_code
from payments.constants import OUTCOME_BY_RESULT, RESULT_SUCCESS, Outcome
from payments.gateways import vnpay_format as fmt
from payments.gateways.base import (
    GatewayError,
    GatewayMessage,
    GatewayTransaction,
    MessageMalformed,
    PaymentGateway,
    RefundResult,
    SignatureInvalid,
)

REQUIRED_RESULT_FIELDS = ("vnp_TmnCode", "vnp_TxnRef", "vnp_Amount", "vnp_ResponseCode", "vnp_TransactionNo")


def _outcome(response_code: str, transaction_status: str) -> str:
    if transaction_status == "06":
        return Outcome.REFUNDED
    if transaction_status == "01":
        return Outcome.PENDING
    if response_code == RESULT_SUCCESS:
        # VNPay: paid only when both the response code and the transaction status say so.
        return Outcome.SUCCEEDED if transaction_status == "00" else Outcome.FAILED
    return OUTCOME_BY_RESULT.get(response_code, Outcome.FAILED)


class MockGateway(PaymentGateway):
    name = "mock"

    def _pay_url(self) -> str:
        return reverse("mock_gateway:pay")

    def _api(self, params: dict[str, str]) -> dict[str, str]:
        from payments.mockgateway.ledger import api_request

        request = fmt.signed(
            {
                "vnp_Version": "2.1.0",
                "vnp_TmnCode": merchant_code(),
                "vnp_CreateDate": fmt.format_date(timezone.now()),
                **params,
            },
            gateway_secret(),
        )
        answer = api_request(params=request)
        if answer.get("vnp_ResponseCode") == "97" or not fmt.verify(answer, gateway_secret()):
            raise GatewayError(f"The gateway's answer is not signed correctly: {answer.get('vnp_Message', '')}")
        return answer

    # --- PaymentGateway ---------------------------------------------------------------

    def create_payment(self, *, payment, return_url: str, client_ip: str, order_info: str) -> str:
        created = timezone.localtime(payment.created_at)
        params = {
            "vnp_Version": "2.1.0",
            "vnp_Command": "pay",
            "vnp_TmnCode": merchant_code(),
            "vnp_Amount": fmt.to_wire_amount(payment.amount),
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": payment.reference,
            "vnp_OrderInfo": fmt.ascii_text(order_info)[:255],
            "vnp_OrderType": "billpayment",
            "vnp_Locale": "vn",
            "vnp_ReturnUrl": return_url,
            "vnp_IpAddr": client_ip or "127.0.0.1",
            "vnp_CreateDate": fmt.format_date(created),
            "vnp_ExpireDate": fmt.format_date(payment.expires_at),
        }
        return self._pay_url() + "?" + fmt.query_string(fmt.signed(params, gateway_secret()))

    def _parse(self, params: dict[str, str]) -> GatewayMessage:
        clean = {k: v for k, v in params.items() if isinstance(k, str) and k.startswith("vnp_")}
        if not fmt.verify(clean, gateway_secret()):
            raise SignatureInvalid("bad signature")
        if any(not clean.get(name) for name in REQUIRED_RESULT_FIELDS) or clean["vnp_TmnCode"] != merchant_code():
            raise MessageMalformed("missing or foreign fields")
        signed_at = fmt.parse_date(clean.get("vnp_SendDate", "")) or fmt.parse_date(clean.get("vnp_PayDate", ""))
        return GatewayMessage(
            txn_ref=clean["vnp_TxnRef"],
            amount=fmt.from_wire_amount(clean["vnp_Amount"]),
            outcome=_outcome(clean["vnp_ResponseCode"], clean.get("vnp_TransactionStatus", "")),
            result_code=clean["vnp_ResponseCode"],
            transaction_no=clean["vnp_TransactionNo"],
            bank_code=clean.get("vnp_BankCode", ""),
            paid_at=fmt.parse_date(clean.get("vnp_PayDate", "")),
            signed_at=signed_at,
            raw=clean,
        )

    def parse_notification(self, params: dict[str, str]) -> GatewayMessage:
        return self._parse(params)

    def parse_return(self, params: dict[str, str]) -> GatewayMessage:
        return self._parse(params)

    def query_transaction(self, *, payment) -> GatewayTransaction | None:
        answer = self._api({"vnp_Command": "querydr", "vnp_TxnRef": payment.reference})
        if answer.get("vnp_ResponseCode") == "91":
            return None
        if answer.get("vnp_ResponseCode") != "00":
            raise GatewayError(answer.get("vnp_Message", ""))
        return self._transaction(answer)

    def refund(self, *, payment, amount: int, reason: str, requested_by: str) -> RefundResult:
        answer = self._api(
            {
                "vnp_Command": "refund",
                "vnp_TransactionType": "02",  # full refund
                "vnp_TxnRef": payment.reference,
                "vnp_Amount": fmt.to_wire_amount(amount),
                "vnp_TransactionNo": payment.gateway_transaction_no,
                "vnp_OrderInfo": reason[:255],
                "vnp_CreateBy": requested_by[:100],
            }
        )
        ok = answer.get("vnp_ResponseCode") == "00"
        return RefundResult(
            ok=ok, refund_reference=answer.get("vnp_RefundNo", ""), message=answer.get("vnp_Message", "")
        )

    def list_transactions(self, *, day: dt.date) -> list[GatewayTransaction]:
        answer = self._api({"vnp_Command": "listday", "vnp_Date": day.strftime("%Y%m%d")})
        if answer.get("vnp_ResponseCode") != "00":
            raise GatewayError(answer.get("vnp_Message", ""))
        return [self._transaction(row) for row in json.loads(answer["vnp_Transactions"])]

    @staticmethod
    def _transaction(row: dict[str, str]) -> GatewayTransaction:
        return GatewayTransaction(
            txn_ref=row["vnp_TxnRef"],
            amount=fmt.from_wire_amount(row["vnp_Amount"]) or 0,
            outcome=_outcome(row.get("vnp_TxnResponseCode", ""), row.get("vnp_TransactionStatus", "")),
            result_code=row.get("vnp_TxnResponseCode", ""),
            transaction_no=row.get("vnp_TransactionNo", ""),
            created_at=fmt.parse_date(row.get("vnp_CreateDate", "")),
            paid_at=fmt.parse_date(row.get("vnp_PayDate", "")),
        )
