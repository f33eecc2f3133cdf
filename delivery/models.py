"""Postal delivery of results: administrative units, tariff, delivery requests, shipments and
their event trail, plus the mock carrier's own ledger (the outside service it plays)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from delivery.constants import (
    DEFAULT_WEIGHT_CLASS,
    PaymentMethod,
    RequestState,
    ShipmentStatus,
    WeightClass,
    Zone,
)


class Province(models.Model):
    """A province or centrally-run city after 1 July 2025 (34 units)."""

    code = models.CharField(_("code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Ward(models.Model):
    """A ward (phường), commune (xã) or special zone (đặc khu): the level under the province."""

    code = models.CharField(_("code"), max_length=5, unique=True)
    name = models.CharField(_("name"), max_length=100)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="wards", verbose_name=_("province"))

    class Meta:
        verbose_name = _("ward or commune")
        verbose_name_plural = _("wards and communes")
        ordering = ["province", "name"]

    def __str__(self) -> str:
        return self.name


class DeliveryOrigin(models.Model):
    """Where an agency's parcels leave from (kept here so that Agency needs no new field)."""

    agency = models.OneToOneField(
        "procedures.Agency", on_delete=models.CASCADE, related_name="delivery_origin", verbose_name=_("agency")
    )
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("province"))
    ward = models.ForeignKey(
        Ward, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("ward or commune")
    )

    class Meta:
        verbose_name = _("delivery origin")
        verbose_name_plural = _("delivery origins")
        ordering = ["agency"]

    def __str__(self) -> str:
        return f"{self.agency} – {self.ward or self.province}"


class TariffRate(models.Model):
    zone = models.CharField(_("zone"), max_length=20, choices=Zone.choices)
    weight_class = models.CharField(_("weight class"), max_length=10, choices=WeightClass.choices)
    price = models.PositiveIntegerField(_("price (đồng)"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("tariff rate")
        verbose_name_plural = _("tariff rates")
        ordering = ["zone", "weight_class"]
        constraints = [models.UniqueConstraint(fields=["zone", "weight_class"], name="unique_tariff_zone_weight")]

    def __str__(self) -> str:
        return f"{self.get_zone_display()} / {self.get_weight_class_display()}"


class DeliveryRequest(models.Model):
    """The citizen's wish to receive the result by post, with the fee quoted from the tariff."""

    dossier = models.OneToOneField(
        "applications.Dossier", on_delete=models.PROTECT, related_name="delivery_request", verbose_name=_("dossier")
    )
    recipient_name = models.CharField(_("recipient's full name"), max_length=150)
    phone = models.CharField(_("recipient's mobile phone"), max_length=12)
    street_address = models.CharField(_("house number, street, hamlet"), max_length=255)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("province"))
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="+", verbose_name=_("ward or commune"))
    zone = models.CharField(_("zone"), max_length=20, choices=Zone.choices)
    weight_class = models.CharField(
        _("weight class"), max_length=10, choices=WeightClass.choices, default=DEFAULT_WEIGHT_CLASS
    )
    fee = models.PositiveIntegerField(_("delivery fee (đồng)"))
    payment_method = models.CharField(_("payment of the delivery fee"), max_length=10, choices=PaymentMethod.choices)
    state = models.CharField(
        _("status"), max_length=20, choices=RequestState.choices, default=RequestState.PENDING, db_index=True
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("delivery request")
        verbose_name_plural = _("delivery requests")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.dossier} → {self.recipient_name}"

    @property
    def full_address(self) -> str:
        return f"{self.street_address}, {self.ward.name}, {self.province.name}"


class Shipment(models.Model):
    delivery_request = models.OneToOneField(
        DeliveryRequest, on_delete=models.PROTECT, related_name="shipment", verbose_name=_("delivery request")
    )
    # Denormalised from the request for the officials' scoping and the daily manifest.
    dossier = models.OneToOneField(
        "applications.Dossier", on_delete=models.PROTECT, related_name="shipment", verbose_name=_("dossier")
    )
    agency = models.ForeignKey(
        "procedures.Agency", on_delete=models.PROTECT, related_name="shipments", verbose_name=_("agency")
    )
    carrier = models.CharField(_("carrier"), max_length=30)
    tracking_number = models.CharField(_("tracking number"), max_length=30, unique=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ShipmentStatus.choices, default=ShipmentStatus.CREATED, db_index=True
    )
    status_at = models.DateTimeField(_("status since"))
    manifest_date = models.DateField(_("manifest date"), db_index=True)
    cod_amount = models.PositiveIntegerField(_("to collect on delivery (đồng)"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["agency", "manifest_date"], name="shipment_agency_day")]

    def __str__(self) -> str:
        return self.tracking_number


class ShipmentEvent(models.Model):
    """One status report from the carrier, kept even when it did not move the shipment."""

    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, related_name="events", verbose_name=_("shipment"))
    carrier = models.CharField(_("carrier"), max_length=30)
    event_id = models.CharField(_("carrier's event id"), max_length=64)
    status = models.CharField(_("status"), max_length=20, choices=ShipmentStatus.choices)
    occurred_at = models.DateTimeField(_("happened at"))
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    applied = models.BooleanField(
        _("moved the status"), default=False, help_text=_("False for a late or out-of-order report.")
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("shipment event")
        verbose_name_plural = _("shipment events")
        ordering = ["occurred_at", "id"]
        constraints = [models.UniqueConstraint(fields=["carrier", "event_id"], name="unique_carrier_event")]

    def __str__(self) -> str:
        return f"{self.shipment} {self.status}"


# --- The mock carrier's side (an outside service in real life) ----------------------------


class MockCarrierShipment(models.Model):
    tracking_number = models.CharField(_("tracking number"), max_length=13, unique=True)
    reference = models.CharField(_("sender's reference"), max_length=64, unique=True)
    recipient_name = models.CharField(_("recipient"), max_length=150)
    address = models.CharField(_("address"), max_length=400)
    phone = models.CharField(_("phone"), max_length=12)
    cod_amount = models.PositiveIntegerField(_("to collect on delivery (đồng)"), default=0)
    status = models.CharField(_("status"), max_length=20, choices=ShipmentStatus.choices)
    callback_url = models.URLField(_("webhook URL"), max_length=300)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("mock carrier shipment")
        verbose_name_plural = _("mock carrier shipments")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.tracking_number


class MockCarrierEvent(models.Model):
    """The mock carrier's outbox: one webhook to send until the portal acknowledges it."""

    shipment = models.ForeignKey(MockCarrierShipment, on_delete=models.CASCADE, related_name="events")
    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=ShipmentStatus.choices)
    occurred_at = models.DateTimeField(_("happened at"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("mock carrier webhook")
        verbose_name_plural = _("mock carrier webhooks")
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.shipment} {self.status}"
