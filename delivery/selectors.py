from __future__ import annotations

from django.db.models import QuerySet

from applications.selectors import dossiers_for_official, official_for_user
from delivery.constants import PaymentMethod, RequestState
from delivery.models import DeliveryRequest, Province, Shipment, ShipmentEvent, Ward


def provinces() -> QuerySet[Province]:
    return Province.objects.order_by("name")


def wards_of(*, province: Province) -> QuerySet[Ward]:
    return Ward.objects.filter(province=province).order_by("name")


def delivery_request_for(*, dossier) -> DeliveryRequest | None:
    return DeliveryRequest.objects.select_related("province", "ward").filter(dossier=dossier).first()


def delivery_for_dossier_page(*, dossier) -> tuple[DeliveryRequest | None, Shipment | None]:
    """The request and its parcel (with its events) in one query, plus one for the events."""
    request = (
        DeliveryRequest.objects.select_related("province", "ward", "shipment").filter(dossier_id=dossier.pk).first()
    )
    if request is None:
        return None, None
    try:
        shipment = request.shipment
    except Shipment.DoesNotExist:
        return request, None
    shipment.timeline = list(ShipmentEvent.objects.filter(shipment=shipment).order_by("occurred_at", "id"))
    return request, shipment


def delivery_fee_payable_online(*, dossier) -> int:
    """What the payments app adds to the online payment: the confirmed request's fee unless
    the citizen chose to pay the postman (COD)."""
    request = DeliveryRequest.objects.filter(
        dossier=dossier, state=RequestState.CONFIRMED, payment_method=PaymentMethod.ONLINE
    ).first()
    return request.fee if request else 0


def shipments_for_official(*, user) -> QuerySet[Shipment]:
    dossiers = dossiers_for_official(official=official_for_user(user=user), user=user)
    return Shipment.objects.filter(dossier__in=dossiers.values("pk")).select_related(
        "dossier", "agency", "delivery_request", "delivery_request__province", "delivery_request__ward"
    )


def delivery_requests_for_official(*, user) -> QuerySet[DeliveryRequest]:
    dossiers = dossiers_for_official(official=official_for_user(user=user), user=user)
    return DeliveryRequest.objects.filter(dossier__in=dossiers.values("pk")).select_related(
        "dossier", "dossier__agency", "province", "ward"
    )
