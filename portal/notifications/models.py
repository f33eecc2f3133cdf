from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.notifications.constants import Channel, Event, Language, Status


class Notification(models.Model):
    """One message to one person on one channel: the outbox row written in the event's
    transaction. A worker sends it later; the row keeps the provider's answer."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    event = models.CharField(_("event"), max_length=40, choices=Event.choices)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, default=Language.VI)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML text"), blank=True)
    to_address = models.CharField(_("sent to"), max_length=254, blank=True, help_text=_("E-mail address or phone."))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    provider_message_id = models.CharField(_("provider message id"), max_length=200, blank=True)
    provider_answer = models.JSONField(_("provider answer"), default=dict, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    related_type = models.CharField(_("related object type"), max_length=100, blank=True)
    related_id = models.CharField(_("related object id"), max_length=64, blank=True)
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-queued_at", "-pk"]
        permissions = [("resend_notification", _("Can send a notification again"))]
        indexes = [
            # The outbox sweep: queued rows by age.
            models.Index(fields=["status", "updated_at"], name="notif_status_updated"),
            # The citizen's list and unread badge.
            models.Index(fields=["recipient", "channel", "read_at"], name="notif_recipient_unread"),
            models.Index(fields=["related_type", "related_id"], name="notif_related"),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} → {self.to_address or self.recipient_id} ({self.get_channel_display()})"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class NotificationTemplate(models.Model):
    """The wording of one event on one channel in one language, as Django template strings.

    Operators edit these in the admin; the shipped defaults (``defaults.py``) are loaded by a
    data migration and are used as a fallback when a row is missing."""

    event = models.CharField(_("event"), max_length=40, choices=Event.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, default=Language.VI)
    subject = models.CharField(_("subject"), max_length=255, blank=True, help_text=_("Not used for SMS."))
    body = models.TextField(
        _("body"),
        help_text=_(
            "Django template syntax, e.g. {{ code }}, {{ appointment_date|date:'d/m/Y' }}, {{ fee_amount|vnd }}."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True, help_text=_("Inactive: this channel is not used."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification template")
        verbose_name_plural = _("notification templates")
        ordering = ["event", "channel", "language"]
        constraints = [
            models.UniqueConstraint(fields=["event", "channel", "language"], name="unique_notification_template"),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} · {self.get_channel_display()} · {self.language}"


class NotificationPreference(models.Model):
    """A person's channels. E-mail is on by default; SMS goes only to a verified phone."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("user"),
    )
    email_enabled = models.BooleanField(_("by e-mail"), default=True)
    sms_enabled = models.BooleanField(_("by SMS"), default=False)
    language = models.CharField(_("language of messages"), max_length=5, choices=Language.choices, default=Language.VI)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        ordering = ["user_id"]

    def __str__(self) -> str:
        return str(self.user)


class OverdueNotice(models.Model):
    """One apology per dossier and missed appointment date (Decree 61/2018/NĐ-CP, art. 19:
    the agency apologises in writing and sets a new date). The unique constraint is what
    keeps a beat job that runs twice from apologising twice."""

    dossier_id = models.BigIntegerField(_("dossier id"))
    missed_date = models.DateField(_("missed appointment date"))
    new_date = models.DateField(_("new appointment date"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("overdue notice")
        verbose_name_plural = _("overdue notices")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["dossier_id", "missed_date"], name="unique_overdue_notice"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.missed_date} → {self.new_date}"


class OutboxEvent(models.Model):
    """A dossier event still to be told to people: the transactional outbox.

    The dossier, payment and delivery services write it in the transaction of the change it
    reports, so it exists exactly when the change does (a crash after the commit loses
    nothing); on commit one light task is queued. The worker renders the messages, writes
    their ``Notification`` rows and deletes this row in one transaction, so a second task for
    the same event (a re-delivery, the sweep) finds nothing to do. A row whose task never
    reached the broker (Redis down at commit) or was lost is queued again by the beat sweep;
    a row that keeps failing stays here with its error for an operator."""

    dossier_id = models.BigIntegerField(_("dossier id"))
    event = models.CharField(_("event"), max_length=40)
    # JSON primitives (strings, numbers): a date arrives in the template as its ISO text.
    extra = models.JSONField(_("extra template variables"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    include_officials = models.BooleanField(_("also the agency's officials"), default=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("event awaiting notification")
        verbose_name_plural = _("events awaiting notification")
        ordering = ["created_at", "pk"]
        indexes = [
            # The sweep: pending rows by age (processed rows are deleted, so the table stays small).
            models.Index(fields=["updated_at"], name="notif_outbox_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.event} #{self.dossier_id}"
