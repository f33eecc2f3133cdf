"""Every change to delivery requests and shipments goes through these functions.

The dossier itself changes only through ``applications.services`` (``dossier_deliver`` with
the system actor and ``channel="post"`` when the carrier reports the parcel delivered).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.constants import DeliveryChannel, DossierState
from applications.models import Dossier
from applications.services import DossierError, dossier_deliver
from delivery.carriers.base import ShipmentOrder, WebhookRejected, get_carrier
from delivery.constants import (
    FINAL_STATUSES,
    STATUS_RANK,
    PaymentMethod,
    RequestState,
    ShipmentStatus,
    WeightClass,
    Zone,
)
from delivery.models import DeliveryOrigin, DeliveryRequest, Province, Shipment, ShipmentEvent, TariffRate, Ward
from portal.notifications.services import outbox_add
from portal.validators import normalize_phone, normalize_text

logger = logging.getLogger(__name__)

# Until the result is handed over (and never for a closed dossier).
REQUESTABLE_STATES = (
    DossierState.DRAFT,
    DossierState.SUBMITTED,
    DossierState.NEEDS_SUPPLEMENT,
    DossierState.VALIDATED,
    DossierState.PROCESSED,
)


class DeliveryError(Exception):
    """A refusal with a message fit for the user."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class DeliveryPermissionDenied(DeliveryError):
    """Not the owner (views answer 404)."""


class ShipmentUnknown(Exception):  # noqa: N818 - answered 404
    pass


# --- Tariff ------------------------------------------------------------------------------


def origin_for(*, agency) -> tuple[Province, Ward | None]:
    origin = DeliveryOrigin.objects.select_related("province", "ward").filter(agency=agency).first()
    if origin is not None:
        return origin.province, origin.ward
    province = Province.objects.filter(code=settings.DELIVERY_DEFAULT_ORIGIN_PROVINCE).first()
    if province is None:
        raise DeliveryError(_("Postal delivery is not available yet: the administrative units are not loaded."))
    return province, None


def zone_for(*, origin_province: Province, origin_ward: Ward | None, province: Province, ward: Ward) -> str:
    if origin_ward is not None and origin_ward.pk == ward.pk:
        return Zone.SAME_WARD
    if origin_province.pk == province.pk:
        return Zone.SAME_PROVINCE
    return Zone.OTHER_PROVINCE


def tariff_price(*, zone: str, weight_class: str) -> int:
    rate = TariffRate.objects.filter(zone=zone, weight_class=weight_class).first()
    if rate is None:
        raise DeliveryError(_("No delivery price is set for this destination yet."))
    return rate.price


def delivery_quote(*, dossier: Dossier, province: Province, ward: Ward, weight_class: str) -> tuple[str, int]:
    origin_province, origin_ward = origin_for(agency=dossier.agency)
    zone = zone_for(origin_province=origin_province, origin_ward=origin_ward, province=province, ward=ward)
    return zone, tariff_price(zone=zone, weight_class=weight_class)


# --- The citizen's request ---------------------------------------------------------------


def _check_requestable(dossier: Dossier, actor, *, shipped: bool | None = None) -> None:
    """``shipped`` spares the query when the caller already knows whether a parcel exists."""
    if actor is None or dossier.citizen_id != actor.pk:
        raise DeliveryPermissionDenied(_("You may not act on this dossier."))
    if dossier.state not in REQUESTABLE_STATES:
        raise DeliveryError(
            _("Postal delivery can no longer be chosen: the dossier is “%(state)s”.")
            % {"state": DossierState(dossier.state).label}
        )
    if shipped if shipped is not None else Shipment.objects.filter(dossier=dossier).exists():
        raise DeliveryError(_("The result has already been handed to the post office."))


def delivery_refusal(*, dossier: Dossier, actor, shipped: bool | None = None) -> str:
    """Why the actor may not choose postal delivery now ("" when they may)."""
    try:
        _check_requestable(dossier, actor, shipped=shipped)
    except DeliveryError as exc:
        return exc.message
    return ""


def clean_address(data: Mapping) -> dict:
    """Normalise and check the address; raises DeliveryError naming the field at fault."""
    name = normalize_text(data.get("recipient_name", ""))
    if not name:
        raise DeliveryError(_("Enter the recipient's full name."), field="recipient_name")
    try:
        phone = normalize_phone(data.get("phone", ""))
    except ValidationError as exc:
        raise DeliveryError(exc.messages[0], field="phone") from exc
    street = normalize_text(data.get("street_address", ""))
    if not street:
        raise DeliveryError(_("Enter the house number and street, or the hamlet."), field="street_address")
    province = data.get("province")
    if not isinstance(province, Province):
        province = Province.objects.filter(code=str(province or "")).first()
    if province is None:
        raise DeliveryError(_("Choose a province or city."), field="province")
    ward = data.get("ward")
    if not isinstance(ward, Ward):
        ward = Ward.objects.filter(code=str(ward or "")).first()
    if ward is None:
        raise DeliveryError(_("Choose a ward or commune."), field="ward")
    if ward.province_id != province.pk:
        raise DeliveryError(
            _("%(ward)s is not in %(province)s: choose a ward or commune of that province.")
            % {"ward": ward.name, "province": province.name},
            field="ward",
        )
    payment = data.get("payment_method") or PaymentMethod.ONLINE
    if payment not in PaymentMethod.values:
        raise DeliveryError(_("Choose how to pay the delivery fee."), field="payment_method")
    return {
        "recipient_name": name,
        "phone": phone,
        "street_address": street,
        "province": province,
        "ward": ward,
        "payment_method": payment,
    }


def delivery_request(*, dossier: Dossier, actor, data: Mapping) -> DeliveryRequest:
    """Create or change the request; it waits for the citizen's confirmation of the fee."""
    cleaned = clean_address(data)
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update(of=("self",)).select_related("agency").get(pk=dossier.pk)
        # The request row is locked before the "already booked?" check: the dispatcher locks
        # it too, so an address cannot change under a parcel being booked.
        existing = DeliveryRequest.objects.select_for_update().filter(dossier=dossier).first()
        _check_requestable(dossier, actor)
        weight_class = existing.weight_class if existing else WeightClass.UP_TO_250G
        zone, fee = delivery_quote(
            dossier=dossier, province=cleaned["province"], ward=cleaned["ward"], weight_class=weight_class
        )
        fields = {**cleaned, "zone": zone, "weight_class": weight_class, "fee": fee}
        if existing is None:
            request = DeliveryRequest.objects.create(dossier=dossier, state=RequestState.PENDING, **fields)
        else:
            for name, value in fields.items():
                setattr(existing, name, value)
            existing.state = RequestState.PENDING
            existing.confirmed_at = None
            existing.save(update_fields=[*fields, "state", "confirmed_at", "updated_at"])
            request = existing
    logger.info("delivery_request dossier=%s zone=%s fee=%s", dossier.pk, zone, fee)
    return request


def delivery_request_confirm(*, delivery_request: DeliveryRequest, actor) -> DeliveryRequest:
    with transaction.atomic():
        request = DeliveryRequest.objects.select_for_update().select_related("dossier").get(pk=delivery_request.pk)
        _check_requestable(request.dossier, actor)
        if request.state == RequestState.CANCELLED:
            raise DeliveryError(_("This delivery request was cancelled: fill in the address again."))
        if request.state == RequestState.PENDING:
            request.state = RequestState.CONFIRMED
            request.confirmed_at = timezone.now()
            request.save(update_fields=["state", "confirmed_at", "updated_at"])
        if request.dossier.state == DossierState.PROCESSED:
            # The result is already waiting: book the parcel now rather than at the next sweep.
            transaction.on_commit(partial(_enqueue_dispatch, request.dossier_id))
    return request


def delivery_request_cancel(*, delivery_request: DeliveryRequest, actor) -> DeliveryRequest:
    with transaction.atomic():
        request = DeliveryRequest.objects.select_for_update().select_related("dossier").get(pk=delivery_request.pk)
        _check_requestable(request.dossier, actor)
        request.state = RequestState.CANCELLED
        request.save(update_fields=["state", "updated_at"])
    return request


def _enqueue_dispatch(dossier_id: int) -> None:
    from delivery.tasks import dispatch_processed_dossier

    dispatch_processed_dossier.delay(dossier_id)


# --- Shipments ---------------------------------------------------------------------------


def webhook_url() -> str:
    return settings.DELIVERY_WEBHOOK_BASE_URL + reverse("delivery:webhook")


def delivery_dispatch_processed(*, dossier_id: int) -> Shipment | None:
    """Book the parcel for a processed dossier whose citizen confirmed postal delivery.

    Idempotent: the request row is locked and a second call finds the shipment; the carrier
    is called with our reference, so a retry after a crash gets the same tracking number."""
    with transaction.atomic():
        request = (
            DeliveryRequest.objects.select_for_update(of=("self",))
            .select_related("dossier", "dossier__agency", "province", "ward")
            .filter(dossier_id=dossier_id, state=RequestState.CONFIRMED)
            .first()
        )
        if request is None or request.dossier.state != DossierState.PROCESSED:
            return None
        existing = Shipment.objects.filter(delivery_request=request).first()
        if existing is not None:
            return existing
        carrier = get_carrier()
        cod = request.fee if request.payment_method == PaymentMethod.COD else 0
        tracking = carrier.create_shipment(
            ShipmentOrder(
                reference=f"DR{request.pk}-{request.dossier.public_id}",
                recipient_name=request.recipient_name,
                phone=request.phone,
                address=request.full_address,
                province_code=request.province.code,
                ward_code=request.ward.code,
                weight_class=request.weight_class,
                cod_amount=cod,
                callback_url=webhook_url(),
            )
        )
        now = timezone.now()
        shipment = Shipment.objects.create(
            delivery_request=request,
            dossier=request.dossier,
            agency=request.dossier.agency,
            carrier=carrier.code,
            tracking_number=tracking,
            status=ShipmentStatus.CREATED,
            status_at=now,
            manifest_date=timezone.localdate(now),
            cod_amount=cod,
        )
        _notify(shipment, "shipment_dispatched")
    logger.info("shipment_created dossier=%s tracking=%s", dossier_id, tracking)
    return shipment


def dossiers_awaiting_shipment() -> list[int]:
    return list(
        DeliveryRequest.objects.filter(
            state=RequestState.CONFIRMED, dossier__state=DossierState.PROCESSED, shipment__isnull=True
        )
        .order_by("dossier_id")
        .values_list("dossier_id", flat=True)
    )


def delivery_dispatch_pending() -> int:
    """The beat job and the admin's "create shipments now": returns how many were booked."""
    created = 0
    for dossier_id in dossiers_awaiting_shipment():
        try:
            if delivery_dispatch_processed(dossier_id=dossier_id) is not None:
                created += 1
        except Exception:
            # One carrier refusal must not stop the others; the next sweep tries again.
            logger.exception("shipment_create_failed dossier=%s", dossier_id)
    return created


@dataclass(frozen=True)
class EventOutcome:
    event: ShipmentEvent | None
    duplicate: bool
    applied: bool


def shipment_record_event(*, payload: bytes, headers: Mapping[str, str]) -> EventOutcome:
    """Apply one signed status report from the carrier.

    The signature is checked first (WebhookRejected → 401), then the shipment (ShipmentUnknown
    → 404): neither changes anything. The carrier's event id goes in under a unique
    constraint before any side effect, so a repeated report is acknowledged and ignored. A
    status only moves forward (by rank); a late report is kept in the timeline."""
    carrier = get_carrier()
    event_data = carrier.verify_webhook(body=payload, headers=headers)
    with transaction.atomic():
        # The shipment row alone: the dossier is loaded (and locked) by dossier_deliver only
        # when the parcel is delivered; joining it here tripled the cost of every report.
        shipment = (
            Shipment.objects.select_for_update()
            .filter(tracking_number=event_data.tracking_number, carrier=carrier.code)
            .first()
        )
        if shipment is None:
            raise ShipmentUnknown(event_data.tracking_number)
        forward = (
            shipment.status not in FINAL_STATUSES and STATUS_RANK[event_data.status] > STATUS_RANK[shipment.status]
        )
        try:
            with transaction.atomic():
                event = ShipmentEvent.objects.create(
                    shipment=shipment,
                    carrier=carrier.code,
                    event_id=event_data.event_id,
                    status=event_data.status,
                    occurred_at=event_data.occurred_at,
                    note=event_data.note,
                    applied=forward,
                )
        except IntegrityError:
            logger.info("shipment_event duplicate event=%s", event_data.event_id)
            return EventOutcome(event=None, duplicate=True, applied=False)
        if forward:
            shipment.status = event.status
            shipment.status_at = event.occurred_at
            shipment.save(update_fields=["status", "status_at", "updated_at"])
            if event.status == ShipmentStatus.DELIVERED:
                _dossier_delivered(shipment)
            elif event.status == ShipmentStatus.RETURNED_TO_SENDER:
                _notify(shipment, "shipment_returned")
    logger.info(
        "shipment_event tracking=%s status=%s applied=%s", shipment.tracking_number, event.status, event.applied
    )
    return EventOutcome(event=event, duplicate=False, applied=event.applied)


def _dossier_delivered(shipment: Shipment) -> None:
    try:
        dossier_deliver(
            dossier=shipment.dossier,
            actor=None,
            channel=DeliveryChannel.POST,
            note=_("Delivered by post, tracking number %(tracking)s.") % {"tracking": shipment.tracking_number},
        )
    except DossierError as exc:
        # Handed over at the counter meanwhile: the parcel's report is kept, the dossier stays.
        logger.warning("shipment_delivered dossier=%s not moved: %s", shipment.dossier_id, exc.message)


def _notify(shipment: Shipment, event: str) -> None:
    """In the shipment's transaction: "shipment_dispatched" tells the citizen the tracking
    number; "shipment_returned" tells the citizen and the agency's officials. The messages
    go through the notifications outbox (written now, rendered and sent by a worker)."""
    returned = event == "shipment_returned"
    extra = {"tracking_number": shipment.tracking_number, "carrier": ""}  # no carrier: the templates say "bưu điện"
    if returned:
        extra["return_reason"] = _("The post office could not deliver the parcel.")
    outbox_add(dossier_id=shipment.dossier_id, event=event, extra=extra, include_officials=returned)


# --- The day's manifest ------------------------------------------------------------------


def manifest_shipments(*, agency, day):
    return (
        Shipment.objects.filter(agency=agency, manifest_date=day)
        .select_related("delivery_request", "delivery_request__province", "delivery_request__ward", "dossier")
        .order_by("created_at", "id")
    )


def delivery_manifest_pdf(*, agency, day) -> bytes:
    from portal.pdf import render_pdf

    shipments = list(manifest_shipments(agency=agency, day=day))
    return render_pdf(
        "delivery/manifest.html",
        {
            "agency": agency,
            "day": day,
            "shipments": shipments,
            "total_cod": sum(s.cod_amount for s in shipments),
            "portal_name": settings.PORTAL_NAME,
        },
    )


__all__ = [
    "DeliveryError",
    "DeliveryPermissionDenied",
    "ShipmentUnknown",
    "WebhookRejected",
    "delivery_dispatch_pending",
    "delivery_dispatch_processed",
    "delivery_manifest_pdf",
    "delivery_quote",
    "delivery_request",
    "delivery_request_cancel",
    "delivery_request_confirm",
    "shipment_record_event",
]
