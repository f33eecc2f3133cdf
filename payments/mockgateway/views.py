"""The mock gateway's pages: an outside service that happens to live in this process."""

from __future__ import annotations

import json

from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from payments.forms import MockPayForm
from payments.gateways import vnpay_format as fmt
from payments.mockgateway import ledger, vietqr
from payments.mockgateway.banks import COLLECTION_ACCOUNT, COLLECTION_BANK_BIN
from payments.models import MockGatewayTransaction


def _page(request, txn: MockGatewayTransaction, form: MockPayForm, status: int = 200):
    qr_payload = vietqr.payload(
        bank_bin=COLLECTION_BANK_BIN, account=COLLECTION_ACCOUNT, amount=txn.amount, reference=txn.txn_ref
    )
    return render(
        request,
        "mock_gateway/pay.html",
        {
            "txn": txn,
            "form": form,
            "qr_payload": qr_payload,
            "qr_image": vietqr.svg_data_uri(qr_payload),
            "account": COLLECTION_ACCOUNT,
            "expires_at": fmt.parse_date(txn.expire_date),
        },
        status=status,
    )


@require_GET
def pay(request):
    try:
        txn = ledger.transaction_begin(params=request.GET.dict())
    except ledger.MockGatewayError as exc:
        return render(request, "mock_gateway/error.html", {"error": exc}, status=400)
    return _page(request, txn, MockPayForm())


@require_POST
def complete(request, page_token: str):
    txn = MockGatewayTransaction.objects.filter(page_token=page_token).first()
    if txn is None:
        raise Http404
    form = MockPayForm(request.POST)
    if not form.is_valid():
        return _page(request, txn, form, status=400)
    method, _sep, code = (form.cleaned_data.get("source") or ":").partition(":")
    try:
        txn = ledger.transaction_complete(
            page_token=page_token, result_code=form.cleaned_data["result"], method=method, bank_code=code
        )
    except ledger.MockGatewayError as exc:
        return render(request, "mock_gateway/error.html", {"error": exc}, status=400)
    return redirect(ledger.return_url(txn))


@csrf_exempt
@require_POST
def api(request):
    try:
        params = json.loads(request.body)
    except ValueError:
        return HttpResponseBadRequest()
    if not isinstance(params, dict):
        return HttpResponseBadRequest()
    return JsonResponse(ledger.api_request(params={str(k): str(v) for k, v in params.items()}))
