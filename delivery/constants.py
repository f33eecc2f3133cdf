from django.db import models
from django.utils.translation import gettext_lazy as _


class Zone(models.TextChoices):
    SAME_WARD = "same_ward", _("Same ward or commune")
    SAME_PROVINCE = "same_province", _("Same province")
    OTHER_PROVINCE = "other_province", _("Another province")


class WeightClass(models.TextChoices):
    UP_TO_250G = "w250", _("Up to 250 g")
    UP_TO_500G = "w500", _("250 g to 500 g")
    UP_TO_1KG = "w1000", _("500 g to 1 kg")


# A result is a few sheets of paper in an envelope: the lightest class unless an official
# changes it in the admin before the shipment is created.
DEFAULT_WEIGHT_CLASS = WeightClass.UP_TO_250G


class PaymentMethod(models.TextChoices):
    ONLINE = "online", _("Add it to the online payment")
    COD = "cod", _("Pay the postman on delivery (COD)")


class RequestState(models.TextChoices):
    PENDING = "pending", _("Waiting for your confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    CANCELLED = "cancelled", _("Cancelled")


class ShipmentStatus(models.TextChoices):
    CREATED = "created", _("Shipment created")
    ACCEPTED = "accepted", _("Accepted by the post office")
    PICKED_UP = "picked_up", _("Picked up")
    IN_TRANSIT = "in_transit", _("In transit")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    FAILED_ATTEMPT = "failed_attempt", _("Delivery attempt failed")
    DELIVERED = "delivered", _("Delivered")
    RETURNED_TO_SENDER = "returned_to_sender", _("Returned to the agency")
    CANCELLED = "cancelled", _("Cancelled")


S = ShipmentStatus
# Events never move a shipment backwards: a status applies only when its rank is higher than
# the current one. The three end states share the top rank, so none replaces another.
STATUS_RANK: dict[str, int] = {
    S.CREATED: 0,
    S.ACCEPTED: 10,
    S.PICKED_UP: 20,
    S.IN_TRANSIT: 30,
    S.OUT_FOR_DELIVERY: 40,
    S.FAILED_ATTEMPT: 50,
    S.DELIVERED: 100,
    S.RETURNED_TO_SENDER: 100,
    S.CANCELLED: 100,
}
FINAL_STATUSES = frozenset({S.DELIVERED, S.RETURNED_TO_SENDER, S.CANCELLED})

# The mock carrier's own pipeline: the next status for "advance" without --to, and which
# statuses may follow each one.
MOCK_NEXT: dict[str, str] = {
    S.ACCEPTED: S.PICKED_UP,
    S.PICKED_UP: S.IN_TRANSIT,
    S.IN_TRANSIT: S.OUT_FOR_DELIVERY,
    S.OUT_FOR_DELIVERY: S.DELIVERED,
    S.FAILED_ATTEMPT: S.RETURNED_TO_SENDER,
}
MOCK_ALLOWED: dict[str, tuple[str, ...]] = {
    S.ACCEPTED: (S.PICKED_UP, S.CANCELLED),
    S.PICKED_UP: (S.IN_TRANSIT,),
    S.IN_TRANSIT: (S.OUT_FOR_DELIVERY,),
    S.OUT_FOR_DELIVERY: (S.DELIVERED, S.FAILED_ATTEMPT),
    S.FAILED_ATTEMPT: (S.RETURNED_TO_SENDER, S.DELIVERED),
}
