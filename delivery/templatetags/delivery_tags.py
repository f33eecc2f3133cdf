"""Template tags other apps' templates use to show delivery without importing this app."""

from __future__ import annotations

from django import template
from django.urls import reverse

from delivery import services
from delivery.selectors import delivery_for_dossier_page

register = template.Library()


@register.inclusion_tag("delivery/_dossier_block.html", takes_context=True)
def shipment_timeline(context, dossier):
    """The delivery block of the citizen's dossier page: the request, a link to choose or
    change it while that is allowed, and the parcel's timeline."""
    user = getattr(context.get("request"), "user", None)
    delivery_request, shipment = delivery_for_dossier_page(dossier=dossier)
    can_request = not services.delivery_refusal(dossier=dossier, actor=user, shipped=shipment is not None)
    return {
        "delivery_request": delivery_request,
        "shipment": shipment,
        "can_request": can_request,
        "request_url": reverse("delivery:request", kwargs={"public_id": dossier.public_id}),
        "confirm_url": reverse("delivery:confirm", kwargs={"public_id": dossier.public_id}),
    }


@register.inclusion_tag("delivery/_lookup_status.html")
def shipment_status(dossier):
    """For the public lookup: the status and the tracking number only, never the address."""
    from applications.constants import DossierState
    from delivery.models import Shipment

    # A parcel is booked only for a processed dossier (delivery_dispatch_processed), which then
    # can only become delivered: for the other states there is nothing to ask the database.
    if dossier.state not in (DossierState.PROCESSED, DossierState.DELIVERED):
        return {"shipment": None}
    shipment = Shipment.objects.only("tracking_number", "status").filter(dossier_id=dossier.pk).first()
    return {"shipment": shipment}
