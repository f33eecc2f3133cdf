"""Citizen pages and the gateway's IPN endpoint (thin: each calls one service)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from applications.models import Dossier
from applications.selectors import dossiers_for_citizen
from delivery.selectors import delivery_fee_payable_online
from payments import receipts, services
from payments.constants import PaymentState
from payments.forms import PaymentStartForm
from payments.models import Payment
from payments.selectors import payment_for_owner

REFRESH_SECONDS = 5
QUERY_EVERY_SECONDS = 10


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


@login_required
def start(request, public_id):
    # Ownership before the method: another citizen's dossier is a 404 for every method.
    try:
        dossier = dossiers_for_citizen(citizen=request.user).get(public_id=public_id)
    except Dossier.DoesNotExist as exc:
        raise Http404 from exc
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    form = PaymentStartForm(request.POST or None)
    error = ""
    # A postal delivery the citizen chose to pay online is paid together with the fee.
    delivery_fee = delivery_fee_payable_online(dossier=dossier)
    if request.method == "POST" and form.is_valid():
        try:
            _payment, url = services.payment_create(
                dossier=dossier,
                actor=request.user,
                method=form.cleaned_data["method"],
                extra_amount=delivery_fee,
                client_ip=_client_ip(request),
            )
        except services.PaymentPermissionDenied as exc:
            raise Http404 from exc
        except services.PaymentRejected as exc:
            error = exc.message
        else:
            return redirect(url)
    payments = dossier.payments.order_by("-created_at")[:10]
    return render(
        request,
        "payments/start.html",
        {
            "dossier": dossier,
            "form": form,
            "error": error,
            "payments": payments,
            "delivery_fee": delivery_fee,
            "total": dossier.fee_amount + delivery_fee,
        },
    )


@never_cache
@require_GET
def gateway_return(request):
    """Where the gateway sends the browser back: shows the portal's record, changes nothing."""
    view = services.payment_handle_return(params=request.GET.dict())
    payment = view.payment
    if payment is not None and not (request.user.is_authenticated and payment.dossier.citizen_id == request.user.pk):
        payment = None
    response = render(
        request,
        "payments/return.html",
        {"view": view, "payment": payment, "refresh_seconds": REFRESH_SECONDS},
        status=200 if view.signature_ok else 400,
    )
    return response


@never_cache
@login_required
def status(request, reference: str):
    try:
        payment = payment_for_owner(user=request.user, reference=reference)
    except Payment.DoesNotExist as exc:
        raise Http404 from exc
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    # While the payer waits, ask the gateway now and then in case the IPN is late.
    if payment.state == PaymentState.PENDING and cache.add(f"payments:query:{payment.pk}", 1, QUERY_EVERY_SECONDS):
        payment = services.payment_sync_with_gateway(payment=payment)
    return render(request, "payments/status.html", {"payment": payment, "refresh_seconds": REFRESH_SECONDS})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def ipn(request):
    params = (request.GET if request.method == "GET" else request.POST).dict()
    code, message = services.payment_apply_notification(params=params)
    return JsonResponse({"RspCode": code, "Message": message})


@login_required
def receipt_pdf(request, reference: str):
    try:
        payment = payment_for_owner(user=request.user, reference=reference)
        receipt = payment.receipt
    except (Payment.DoesNotExist, Payment.receipt.RelatedObjectDoesNotExist) as exc:
        raise Http404 from exc
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    with translation.override("vi"):
        pdf = receipts.render_receipt_pdf(receipt=receipt)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="bien-lai-{receipt.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
