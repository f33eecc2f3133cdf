"""The officials' side: their agency's delivery requests and shipments, the day's manifest,
the tariff. The mock carrier's ledger is here too, for demos (advance a parcel)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from applications.selectors import official_for_user
from delivery import mock_carrier, services
from delivery.models import (
    DeliveryOrigin,
    DeliveryRequest,
    MockCarrierEvent,
    MockCarrierShipment,
    Province,
    Shipment,
    ShipmentEvent,
    TariffRate,
    Ward,
)
from delivery.selectors import delivery_requests_for_official, shipments_for_official
from portal.adminmixins import ReadOnlyInline
from procedures.models import Agency


class ShipmentEventInline(ReadOnlyInline):
    model = ShipmentEvent
    fields = ["occurred_at", "status", "applied", "event_id", "received_at", "note"]
    readonly_fields = fields


class ManifestForm(forms.Form):
    day = forms.DateField(label=_("Day"), input_formats=["%d/%m/%Y", "%Y-%m-%d"])
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.none(), required=False)


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin):
    list_display = ["tracking_number", "dossier", "agency", "status", "status_at", "manifest_date", "cod_amount"]
    list_filter = ["status", "manifest_date", "carrier"]
    search_fields = ["tracking_number", "dossier__code", "delivery_request__recipient_name"]
    date_hierarchy = "manifest_date"
    list_select_related = ["dossier", "agency"]
    readonly_fields = [
        "delivery_request",
        "dossier",
        "agency",
        "carrier",
        "tracking_number",
        "status",
        "status_at",
        "manifest_date",
        "cod_amount",
        "created_at",
        "updated_at",
    ]
    inlines = [ShipmentEventInline]
    actions = ["advance_mock"]
    change_list_template = "admin/delivery/shipment/change_list.html"

    def get_queryset(self, request):
        return shipments_for_official(user=request.user)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Another agency's parcel is a 404, not a redirect (or a 403) that confirms the id exists.
        if self.get_object(request, object_id) is None:
            raise Http404
        return super().change_view(request, object_id, form_url, extra_context)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Advance the parcel at the mock carrier (demo)"), permissions=["view"])
    def advance_mock(self, request, queryset):
        for shipment in queryset.filter(carrier="mock"):
            try:
                moved = mock_carrier.mock_shipment_advance(tracking_number=shipment.tracking_number)
            except mock_carrier.MockCarrierRefused as exc:
                self.message_user(request, str(exc), messages.WARNING)
            else:
                self.message_user(
                    request,
                    gettext("%(tracking)s: now “%(status)s” at the carrier.")
                    % {"tracking": moved.tracking_number, "status": moved.get_status_display()},
                )

    def get_urls(self):
        return [
            path("manifest/", self.admin_site.admin_view(self.manifest_view), name="delivery_shipment_manifest"),
            *super().get_urls(),
        ]

    def manifest_view(self, request):
        """The day's parcels of the official's agency as a PDF for the post office pickup."""
        if not self.has_view_permission(request):
            raise Http404
        official = official_for_user(user=request.user)
        form = ManifestForm(request.GET or None, initial={"day": timezone.localdate().strftime("%d/%m/%Y")})
        if request.user.is_superuser:
            form.fields["agency"].queryset = Agency.objects.filter(shipments__isnull=False).distinct()
        if request.GET and form.is_valid():
            agency = official.agency if official is not None else form.cleaned_data.get("agency")
            if agency is None:
                form.add_error("agency", gettext("Choose the agency."))
            else:
                day: dt.date = form.cleaned_data["day"]
                pdf = services.delivery_manifest_pdf(agency=agency, day=day)
                response = HttpResponse(pdf, content_type="application/pdf")
                response["Content-Disposition"] = f'attachment; filename="manifest-{agency.code}-{day:%Y%m%d}.pdf"'
                return response
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Parcel manifest"),
            "form": form,
        }
        return TemplateResponse(request, "admin/delivery/shipment/manifest.html", context)


@admin.register(DeliveryRequest)
class DeliveryRequestAdmin(admin.ModelAdmin):
    list_display = ["dossier", "recipient_name", "province", "ward", "zone", "fee", "payment_method", "state"]
    list_filter = ["state", "payment_method", "zone"]
    search_fields = ["dossier__code", "recipient_name", "phone"]
    date_hierarchy = "created_at"
    list_select_related = ["dossier", "province", "ward"]
    fields = [
        "dossier",
        "recipient_name",
        "phone",
        "street_address",
        "province",
        "ward",
        "zone",
        "weight_class",
        "fee",
        "payment_method",
        "state",
        "confirmed_at",
        "created_at",
        "updated_at",
    ]
    # Read-only: a change of address or weight goes through the services (fee re-quoted).
    readonly_fields = fields
    actions = ["create_shipments_now"]

    def get_queryset(self, request):
        return delivery_requests_for_official(user=request.user)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Another agency's parcel is a 404, not a redirect (or a 403) that confirms the id exists.
        if self.get_object(request, object_id) is None:
            raise Http404
        return super().change_view(request, object_id, form_url, extra_context)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Create shipments now"), permissions=["view"])
    def create_shipments_now(self, request, queryset):
        created = 0
        for dossier_id in queryset.values_list("dossier_id", flat=True):
            try:
                if services.delivery_dispatch_processed(dossier_id=dossier_id) is not None:
                    created += 1
            except services.DeliveryError as exc:
                self.message_user(request, exc.message, messages.WARNING)
        self.message_user(
            request, gettext("%(count)s shipment(s) exist for the processed dossiers chosen.") % {"count": created}
        )


@admin.register(TariffRate)
class TariffRateAdmin(admin.ModelAdmin):
    list_display = ["zone", "weight_class", "price", "updated_at"]
    list_editable = ["price"]
    list_filter = ["zone"]


@admin.register(DeliveryOrigin)
class DeliveryOriginAdmin(admin.ModelAdmin):
    list_display = ["agency", "province", "ward"]
    list_select_related = ["agency", "province", "ward"]
    autocomplete_fields = ["ward"]
    search_fields = ["agency__name"]


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["name", "code"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Ward)
class WardAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "province"]
    list_filter = ["province"]
    list_select_related = ["province"]
    search_fields = ["name", "code"]

    def has_change_permission(self, request, obj=None):
        return False


class MockCarrierEventInline(ReadOnlyInline):
    model = MockCarrierEvent
    fields = ["occurred_at", "status", "attempts", "acknowledged_at", "last_error"]
    readonly_fields = fields


@admin.register(MockCarrierShipment)
class MockCarrierShipmentAdmin(admin.ModelAdmin):
    list_display = ["tracking_number", "recipient_name", "status", "cod_amount", "updated_at", "portal_link"]
    list_filter = ["status"]
    search_fields = ["tracking_number", "reference"]
    readonly_fields = [f.name for f in MockCarrierShipment._meta.fields]
    inlines = [MockCarrierEventInline]
    actions = ["advance"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("In the portal"))
    def portal_link(self, obj):
        shipment = Shipment.objects.filter(tracking_number=obj.tracking_number).first()
        if shipment is None:
            return "-"
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:delivery_shipment_change", args=[shipment.pk]), shipment.status
        )

    @admin.action(description=_("Advance to the next status and send the webhook"))
    def advance(self, request, queryset):
        for parcel in queryset:
            try:
                moved = mock_carrier.mock_shipment_advance(tracking_number=parcel.tracking_number)
            except mock_carrier.MockCarrierRefused as exc:
                self.message_user(request, str(exc), messages.WARNING)
            else:
                self.message_user(request, f"{moved.tracking_number}: {moved.get_status_display()}")
