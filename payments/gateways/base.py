"""What the portal needs from a payment gateway, whatever the provider.

An adapter turns the provider's wire format into these small records. The portal's
services never see the provider's parameter names, only ``GatewayMessage`` and friends.
"""

from __future__ import annotations

import abc
import datetime as dt
from dataclasses import dataclass, field


class GatewayError(Exception):
    """The gateway could not be reached or refused a request (transient or not)."""


class SignatureInvalid(GatewayError):
    """A message does not carry a valid signature: nothing in it can be trusted."""


class MessageMalformed(GatewayError):
    """A signed message lacks a field the portal needs or has one it cannot read."""


@dataclass(frozen=True)
class GatewayMessage:
    """A verified notification (IPN) or browser return about one transaction."""

    txn_ref: str
    amount: int | None  # đồng; None when the wire amount is not a whole number of đồng
    outcome: str  # payments.constants.Outcome
    result_code: str
    transaction_no: str
    bank_code: str
    paid_at: dt.datetime | None
    signed_at: dt.datetime | None  # when the gateway signed this message (replay check)
    raw: dict = field(default_factory=dict)

    @property
    def event(self) -> str:
        return f"{self.outcome}:{self.result_code}"

    @property
    def provider_transaction_id(self) -> str:
        # Some gateways send "0" as the transaction number of a failed attempt.
        return self.transaction_no if self.transaction_no.strip("0") else f"ref:{self.txn_ref}"


@dataclass(frozen=True)
class GatewayTransaction:
    """One line of the gateway's records (a status query or the daily list)."""

    txn_ref: str
    amount: int
    outcome: str
    result_code: str
    transaction_no: str
    created_at: dt.datetime | None = None
    paid_at: dt.datetime | None = None


@dataclass(frozen=True)
class RefundResult:
    ok: bool
    refund_reference: str
    message: str


class PaymentGateway(abc.ABC):
    """The interface every adapter implements (``payments.gateways.mock.MockGateway`` for the
    mock; a VNPay adapter would post the same parameters to the real endpoints)."""

    name: str = ""

    @abc.abstractmethod
    def create_payment(self, *, payment, return_url: str, client_ip: str, order_info: str) -> str:
        """The URL to send the payer's browser to."""

    @abc.abstractmethod
    def parse_notification(self, params: dict[str, str]) -> GatewayMessage:
        """Verify and read a server-to-server notification; raises ``SignatureInvalid`` or
        ``MessageMalformed``."""

    @abc.abstractmethod
    def parse_return(self, params: dict[str, str]) -> GatewayMessage:
        """Verify and read the parameters of the browser's return (for display only)."""

    @abc.abstractmethod
    def query_transaction(self, *, payment) -> GatewayTransaction | None:
        """The gateway's current record of the payment, None when it has none."""

    @abc.abstractmethod
    def refund(self, *, payment, amount: int, reason: str, requested_by: str) -> RefundResult:
        """Ask the gateway to return ``amount`` đồng of a successful payment."""

    @abc.abstractmethod
    def list_transactions(self, *, day: dt.date) -> list[GatewayTransaction]:
        """Every transaction the gateway created on ``day`` (Vietnam time), for reconciliation."""
