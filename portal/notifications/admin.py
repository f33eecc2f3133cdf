from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.shortcuts import get_object_or_404
from django.template import Template, TemplateSyntaxError
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.adminmixins import ReadOnlyAdminMixin
from portal.notifications import services
from portal.notifications.constants import Channel
from portal.notifications.models import (
    Notification,
    NotificationPreference,
    NotificationTemplate,
    OutboxEvent,
    OverdueNotice,
)
from portal.notifications.rendering import render, sample_context
from portal.notifications.smstext import segments


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The log: read-only; the only action is to send a message again."""

    list_display = ["queued_at", "event", "channel", "recipient", "to_address", "status", "attempts", "sent_at"]
    list_filter = ["status", "channel", "event", "queued_at", "language"]
    search_fields = ["to_address", "recipient__email", "recipient__full_name", "subject", "related_id"]
    date_hierarchy = "queued_at"
    list_select_related = ["recipient"]
    ordering = ["-queued_at", "-pk"]
    actions = ["resend"]
    readonly_fields = [f.name for f in Notification._meta.fields]
    fieldsets = (
        (None, {"fields": ("recipient", "channel", "event", "language", "to_address", "status", "attempts")}),
        (_("Message"), {"fields": ("subject", "body_text", "body_html")}),
        (_("Provider"), {"fields": ("provider_message_id", "provider_answer", "last_error")}),
        (_("Related"), {"fields": ("related_type", "related_id")}),
        (_("Dates"), {"fields": ("queued_at", "sent_at", "read_at", "created_at", "updated_at")}),
    )

    def has_resend_permission(self, request) -> bool:
        return request.user.has_perm("notifications.resend_notification")

    @admin.action(description=_("Send the selected notifications again"), permissions=["resend"])
    def resend(self, request, queryset):
        count = 0
        for notification in queryset.exclude(channel=Channel.SITE):
            services.notification_resend(notification=notification)
            count += 1
        self.message_user(
            request,
            gettext("%(count)d notifications queued again.") % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )


class NotificationTemplateForm(forms.ModelForm):
    class Meta:
        model = NotificationTemplate
        fields = ["event", "channel", "language", "subject", "body", "is_active"]

    def _check_syntax(self, name: str) -> str:
        value = self.cleaned_data.get(name, "")
        try:
            Template(value)
        except TemplateSyntaxError as exc:
            raise forms.ValidationError(
                _("Template syntax error: %(error)s"), code="template_syntax", params={"error": exc}
            ) from None
        return value

    def clean_subject(self) -> str:
        return self._check_syntax("subject")

    def clean_body(self) -> str:
        return self._check_syntax("body")


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin):
    form = NotificationTemplateForm
    list_display = ["event", "channel", "language", "subject", "is_active", "updated_at", "preview_link"]
    list_filter = ["channel", "language", "is_active", "event"]
    search_fields = ["subject", "body"]
    readonly_fields = ["preview_link", "created_at", "updated_at"]
    date_hierarchy = "updated_at"

    def get_urls(self):
        return [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="notifications_notificationtemplate_preview",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=_("Preview"))
    def preview_link(self, obj):
        if not obj or not obj.pk:
            return "-"
        url = reverse("admin:notifications_notificationtemplate_preview", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Preview with sample data"))

    def preview_view(self, request, pk: int):
        template = get_object_or_404(NotificationTemplate, pk=pk)
        if not self.has_view_permission(request, template):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": template,
            "rendered": None,
            "error": "",
            "sms_info": "",
        }
        try:
            rendered = render(
                subject=template.subject,
                body=template.body,
                channel=template.channel,
                language=template.language,
                context=sample_context(),
            )
        except TemplateSyntaxError as exc:
            context["error"] = str(exc)
        else:
            context["rendered"] = rendered
            if template.channel == Channel.SMS:
                encoding, count = segments(rendered.body_text)
                context["sms_info"] = gettext("%(length)d characters, %(encoding)s, %(count)d SMS segment(s).") % {
                    "length": len(rendered.body_text),
                    "encoding": encoding.upper(),
                    "count": count,
                }
        return TemplateResponse(request, "notifications/admin_template_preview.html", context)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "email_enabled", "sms_enabled", "language", "updated_at"]
    list_filter = ["email_enabled", "sms_enabled", "language"]
    search_fields = ["user__email", "user__full_name", "user__phone"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(OverdueNotice)
class OverdueNoticeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["dossier_id", "missed_date", "new_date", "created_at"]
    search_fields = ["dossier_id"]
    date_hierarchy = "created_at"
    readonly_fields = ["dossier_id", "missed_date", "new_date", "created_at"]


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Dossier events whose messages are not written yet: normally empty within seconds. A
    row that stays has an error (a broken wording); once repaired, process it again."""

    list_display = ["created_at", "event", "dossier_id", "include_officials", "attempts", "updated_at", "last_error"]
    list_filter = ["event", "attempts"]
    search_fields = ["dossier_id"]
    date_hierarchy = "created_at"
    ordering = ["created_at", "pk"]
    readonly_fields = [f.name for f in OutboxEvent._meta.fields]
    actions = ["process_again"]

    def has_resend_permission(self, request) -> bool:
        return request.user.has_perm("notifications.resend_notification")

    @admin.action(description=_("Process the selected events again"), permissions=["resend"])
    def process_again(self, request, queryset):
        count = services.outbox_retry(outbox_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, gettext("%(count)d events queued again.") % {"count": count}, messages.SUCCESS)
