"""Template tags other apps' templates use to show delivery without importing this app."""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string
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


@register.simple_tag
def shipment_status(dossier) -> str:
    """For the public lookup: the status and the tracking number only, never the address.
    ``dossier`` needs ``pk`` and ``state`` (applications.selectors.LookupResult)."""
    from applications.constants import DossierState
    from delivery.models import Shipment

    # A parcel is booked only for a processed dossier (delivery_dispatch_processed), which then
    # can only become delivered: for the other states there is nothing to ask or to render.
    if dossier.state not in (DossierState.PROCESSED, DossierState.DELIVERED):
        return ""
    shipment = Shipment.objects.only("tracking_number", "status").filter(dossier_id=dossier.pk).first()
    if shipment is None:
        return ""
    return render_to_string("delivery/_lookup_status.html", {"shipment": shipment})
