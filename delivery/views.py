"""The citizen's delivery pages, the carrier's webhook and the mock carrier's small API."""

from __future__ import annotations

import json
import logging
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from applications.models import Dossier
from applications.selectors import dossiers_for_citizen
from delivery import mock_carrier, services
from delivery.carriers.base import CarrierError, ShipmentOrder, WebhookRejected, verify_signature
from delivery.forms import AddressForm, ProvinceForm
from delivery.models import MockCarrierShipment, Province
from delivery.selectors import delivery_request_for
from portal.validators import format_phone

logger = logging.getLogger(__name__)


def _own_dossier(request, public_id) -> Dossier:
    try:
        return dossiers_for_citizen(citizen=request.user).get(public_id=public_id)
    except Dossier.DoesNotExist as exc:
        raise Http404 from exc


@login_required
def request_delivery(request, public_id):
    dossier = _own_dossier(request, public_id)
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    existing = delivery_request_for(dossier=dossier)
    code = request.POST.get("province") if request.method == "POST" else request.GET.get("tinh")
    if code is None and existing is not None:
        code = existing.province.code
    province = Province.objects.filter(code=code or "").first()
    province_form = ProvinceForm(initial={"tinh": province.code if province else ""})
    form = None
    if province is not None:
        if request.method == "POST":
            form = AddressForm(request.POST, province=province)
            if form.is_valid():
                try:
                    services.delivery_request(dossier=dossier, actor=request.user, data=form.cleaned_data)
                except services.DeliveryPermissionDenied as exc:
                    raise Http404 from exc
                except services.DeliveryError as exc:
                    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                else:
                    return redirect("delivery:confirm", public_id=dossier.public_id)
        else:
            initial = {"recipient_name": dossier.applicant_name, "phone": format_phone(dossier.applicant_phone)}
            if existing is not None and existing.province_id == province.pk:
                initial.update(
                    recipient_name=existing.recipient_name,
                    phone=format_phone(existing.phone),
                    street_address=existing.street_address,
                    ward=existing.ward.code,
                    payment_method=existing.payment_method,
                )
            form = AddressForm(initial=initial, province=province)
    return render(
        request,
        "delivery/request.html",
        {
            "dossier": dossier,
            "province": province,
            "province_form": province_form,
            "form": form,
            "existing": existing,
            "refusal": services.delivery_refusal(dossier=dossier, actor=request.user),
        },
    )


@login_required
def confirm_delivery(request, public_id):
    dossier = _own_dossier(request, public_id)
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    delivery_request = delivery_request_for(dossier=dossier)
    if delivery_request is None:
        return redirect("delivery:request", public_id=dossier.public_id)
    if request.method == "POST":
        try:
            if "cancel" in request.POST:
                services.delivery_request_cancel(delivery_request=delivery_request, actor=request.user)
                messages.info(request, _("Postal delivery is cancelled: the result will wait at the counter."))
            else:
                services.delivery_request_confirm(delivery_request=delivery_request, actor=request.user)
                messages.success(request, _("Postal delivery is confirmed."))
        except services.DeliveryPermissionDenied as exc:
            raise Http404 from exc
        except services.DeliveryError as exc:
            messages.error(request, exc.message)
        return redirect(dossier)
    return render(request, "delivery/confirm.html", {"dossier": dossier, "delivery_request": delivery_request})


@csrf_exempt
@require_POST
def webhook(request):
    """The carrier's signed status report: 401 untrusted, 404 unknown parcel, else 200."""
    try:
        outcome = services.shipment_record_event(payload=request.body, headers=request.headers)
    except WebhookRejected as exc:
        logger.warning("delivery_webhook refused: %s", exc)
        return JsonResponse({"ok": False, "error": "invalid signature"}, status=401)
    except services.ShipmentUnknown:
        return JsonResponse({"ok": False, "error": "unknown shipment"}, status=404)
    return JsonResponse({"ok": True, "duplicate": outcome.duplicate, "applied": outcome.applied})


# --- The mock carrier's API (what a real carrier exposes; signed like the webhooks) ----------


MOCK_CARRIER = "delivery.carriers.mock.MockCarrier"


def mock_only(view):
    """The mock carrier's API exists only where the mock is the configured carrier."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if settings.DELIVERY_CARRIER != MOCK_CARRIER:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _verified_json(request) -> dict:
    verify_signature(body=request.body, headers=request.headers)
    return json.loads(request.body or b"{}")


@csrf_exempt
@mock_only
@require_POST
def mock_carrier_create(request):
    try:
        data = _verified_json(request)
        order = ShipmentOrder(
            reference=str(data["reference"])[:64],
            recipient_name=str(data["recipient_name"]),
            phone=str(data["phone"]),
            address=str(data["address"]),
            province_code=str(data.get("province_code", "")),
            ward_code=str(data.get("ward_code", "")),
            weight_class=str(data.get("weight_class", "")),
            cod_amount=int(data.get("cod_amount", 0)),
            callback_url=str(data["callback_url"]),
        )
    except WebhookRejected:
        return JsonResponse({"error": "invalid signature"}, status=401)
    except (KeyError, ValueError, TypeError):
        return JsonResponse({"error": "invalid order"}, status=400)
    shipment = mock_carrier.mock_shipment_create(order=order)
    return JsonResponse({"tracking_number": shipment.tracking_number, "status": shipment.status}, status=201)


@mock_only
@require_GET
def mock_carrier_status(request, tracking_number):
    shipment = MockCarrierShipment.objects.filter(tracking_number=tracking_number.upper()).first()
    if shipment is None:
        return JsonResponse({"error": "unknown tracking number"}, status=404)
    return JsonResponse(
        {"tracking_number": shipment.tracking_number, "status": shipment.status, "at": shipment.updated_at.isoformat()}
    )


@csrf_exempt
@mock_only
@require_POST
def mock_carrier_cancel(request, tracking_number):
    try:
        _verified_json(request)
        shipment = mock_carrier.mock_shipment_cancel(tracking_number=tracking_number.upper())
    except WebhookRejected:
        return JsonResponse({"error": "invalid signature"}, status=401)
    except CarrierError as exc:
        return JsonResponse({"error": str(exc)}, status=409)
    return JsonResponse({"tracking_number": shipment.tracking_number, "status": shipment.status})
