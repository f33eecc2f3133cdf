"""Officials see the payments of their own agency's dossiers; refunds go through the service."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from applications.selectors import official_for_user
from payments import services
from payments.constants import PaymentState
from payments.models import Payment, PaymentNotification, Receipt
from payments.selectors import payments_for_official
from portal.adminmixins import ReadOnlyAdminMixin, ReadOnlyInline
from portal.money import format_vnd

DAILY_TOTAL_DAYS = 31


class RefundForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the refund"), widget=forms.Textarea(attrs={"rows": 3}), max_length=500)


class NotificationInline(ReadOnlyInline):
    model = PaymentNotification
    fields = ["received_at", "event", "provider_transaction_id", "signature_ok", "counted", "response_code", "message"]
    readonly_fields = fields


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["reference", "dossier", "amount_vnd", "method", "state", "created_at", "paid_at", "receipt_number"]
    list_filter = ["state", "method", "created_at", "paid_at"]
    search_fields = ["reference", "dossier__code", "gateway_transaction_no"]
    date_hierarchy = "created_at"
    list_select_related = ["dossier", "receipt"]
    readonly_fields = [
        "reference",
        "dossier",
        "payer",
        "fee_amount",
        "extra_amount",
        "amount",
        "method",
        "gateway",
        "state",
        "gateway_transaction_no",
        "bank_code",
        "result_code",
        "paid_at",
        "expires_at",
        "closed_at",
        "refunded_at",
        "refunded_by",
        "refund_reason",
        "refund_reference",
        "last_notification",
        "created_at",
        "updated_at",
    ]
    fields = readonly_fields
    inlines = [NotificationInline]
    actions = ["refund_selected"]
    change_list_template = "admin/payments/payment/change_list.html"

    @admin.display(description=_("amount"), ordering="amount")
    def amount_vnd(self, obj: Payment) -> str:
        return format_vnd(obj.amount)

    @admin.display(description=_("receipt"))
    def receipt_number(self, obj: Payment) -> str:
        receipt = getattr(obj, "receipt", None) if obj.state in ("succeeded", "refunded") else None
        return receipt.number if receipt else ""

    def get_queryset(self, request):
        return payments_for_official(official=official_for_user(user=request.user), user=request.user).select_related(
            "receipt"
        )

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm("payments.refund_payment"):
            actions.pop("refund_selected", None)
        return actions

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Another agency's payment is a 404, not a redirect that confirms the id exists.
        if self.get_object(request, object_id) is None:
            raise Http404
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        urls = [
            path(
                "<path:object_id>/hoan-tien/",
                self.admin_site.admin_view(self.refund_view),
                name="payments_payment_refund",
            )
        ]
        return urls + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl") if hasattr(response, "context_data") else None
        if changelist is not None:
            response.context_data["daily_totals"] = self.daily_totals(changelist.queryset)
        return response

    @staticmethod
    def daily_totals(queryset) -> list[dict]:
        """Money received per day (successful payments, by payment time) of the filtered list."""
        rows = (
            queryset.filter(state=PaymentState.SUCCEEDED, paid_at__isnull=False)
            .annotate(day=TruncDate("paid_at"))
            .values("day")
            .annotate(count=Count("id"), total=Sum("amount"))
            .order_by("-day")[:DAILY_TOTAL_DAYS]
        )
        return list(rows)

    @admin.action(description=_("Refund the selected payments"))
    def refund_selected(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, gettext("Refund one payment at a time."), messages.WARNING)
            return None
        return redirect("admin:payments_payment_refund", queryset.get().pk)

    def refund_view(self, request, object_id):
        payment = self.get_queryset(request).filter(pk=object_id).first()
        if payment is None or not request.user.has_perm("payments.refund_payment"):
            raise Http404
        form = RefundForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.payment_refund(payment=payment, actor=request.user, reason=form.cleaned_data["reason"])
            except services.PaymentPermissionDenied as exc:
                raise Http404 from exc
            except services.PaymentRejected as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(
                    request, gettext("Payment %(ref)s refunded.") % {"ref": payment.reference}, messages.SUCCESS
                )
                return redirect(reverse("admin:payments_payment_change", args=[payment.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": payment,
            "title": gettext("Refund %(ref)s") % {"ref": payment.reference},
            "form": form,
        }
        return TemplateResponse(request, "admin/payments/payment/refund.html", context)


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["number", "payment", "payer_name", "total", "issued_at"]
    search_fields = ["number", "payment__reference", "payment__dossier__code"]
    date_hierarchy = "issued_at"
    list_select_related = ["payment"]
    readonly_fields = ["number", "payment", "payer_name", "payer_address", "lines", "total", "issued_at"]
    fields = readonly_fields

    def get_queryset(self, request):
        scoped = payments_for_official(official=official_for_user(user=request.user), user=request.user)
        return super().get_queryset(request).filter(payment__in=scoped.values("pk"))
