"""Helpers that drive the mock gateway as a payer would, and build its signed messages."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from payments import services
from payments.conf import gateway_secret
from payments.gateways import vnpay_format as fmt
from payments.mockgateway import ledger
from payments.models import MockGatewayTransaction, Payment
from tests.applications.factories import SubmittedDossierFactory


def submitted_dossier(*, citizen=None, fee_amount: int = 50000, factory=SubmittedDossierFactory, **kwargs):
    if citizen is not None:
        kwargs["citizen"] = citizen
    return factory(fee_amount=fee_amount, **kwargs)


def open_gateway_page(url: str) -> MockGatewayTransaction:
    """What the payer's browser does with the redirect: the mock opens its transaction."""
    from urllib.parse import parse_qsl, urlsplit

    return ledger.transaction_begin(params=dict(parse_qsl(urlsplit(url).query)))


def paid_through_mock(
    *, dossier, actor, result: str = "00", source: str = "bank:VIETCOMBANK", method: str = "bank"
) -> tuple[Payment, MockGatewayTransaction]:
    payment, url = services.payment_create(dossier=dossier, actor=actor, method=method)
    txn = open_gateway_page(url)
    kind, _sep, code = source.partition(":")
    txn = ledger.transaction_complete(page_token=txn.page_token, result_code=result, method=kind, bank_code=code)
    return payment, txn


def ipn_params(txn: MockGatewayTransaction, *, now: dt.datetime | None = None) -> dict[str, str]:
    return ledger.result_params(txn, now=now or timezone.now())


def forged(params: dict[str, str], **changes) -> dict[str, str]:
    """The params changed and re-signed with the real secret (as only the gateway could)."""
    return fmt.signed({**params, **changes}, gateway_secret())


def fresh(obj):
    """The row as stored now (protected FSM fields cannot be refreshed in place)."""
    return type(obj).objects.get(pk=obj.pk)
