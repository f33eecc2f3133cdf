"""Delivering one notification row on its channel; returns the provider's answer."""

from __future__ import annotations

import contextlib
import logging
import smtplib
from email.utils import make_msgid
from urllib.parse import urlparse

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from portal.notifications import sms
from portal.notifications.constants import Channel
from portal.notifications.models import Notification
from portal.notifications.sms import FAILED, RETRY, SENT, SmsResult

logger = logging.getLogger(__name__)


def request_id(notification: Notification) -> str:
    # Stable across retries and re-deliveries: the provider's duplicate check keys on it.
    return f"notif-{notification.pk}"


class Providers:
    """The providers of one batch: one e-mail connection (opened at the first message, kept
    open for the others, dropped after an error so the next message reconnects) and one SMS
    backend. Use as a context manager: the connection is closed at the end."""

    def __init__(self):
        self._mail = None
        self._sms: sms.BaseSmsBackend | None = None

    def mail(self):
        if self._mail is None:
            connection = get_connection()
            connection.open()
            self._mail = connection
        return self._mail

    def mail_failed(self) -> None:
        if self._mail is not None:
            with contextlib.suppress(Exception):
                self._mail.close()
            self._mail = None

    def sms(self) -> sms.BaseSmsBackend:
        if self._sms is None:
            self._sms = sms.get_backend()
        return self._sms

    def __enter__(self) -> Providers:
        return self

    def __exit__(self, *exc) -> None:
        self.mail_failed()


def deliver_email(notification: Notification, providers: Providers) -> SmsResult:
    domain = urlparse(settings.SITE_URL).hostname or "localhost"
    message_id = make_msgid(idstring=request_id(notification), domain=domain)
    try:
        message = EmailMultiAlternatives(
            subject=notification.subject,
            body=notification.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notification.to_address],
            headers={"Message-ID": message_id},
            connection=providers.mail(),
        )
        if notification.body_html:
            message.attach_alternative(notification.body_html, "text/html")
        message.send()
    except smtplib.SMTPRecipientsRefused as exc:
        return SmsResult(FAILED, error=f"recipient refused: {exc.recipients}")
    except (smtplib.SMTPException, OSError) as exc:
        providers.mail_failed()
        return SmsResult(RETRY, error=f"mail server: {exc}")
    return SmsResult(SENT, message_id=message_id, answer={"backend": settings.EMAIL_BACKEND.rsplit(".", 2)[-2]})


def deliver_sms(notification: Notification, providers: Providers) -> SmsResult:
    return providers.sms().send(
        to=notification.to_address, text=notification.body_text, request_id=request_id(notification)
    )


def deliver(notification: Notification, providers: Providers | None = None) -> SmsResult:
    if providers is None:
        with Providers() as own:
            return deliver(notification, own)
    try:
        if notification.channel == Channel.EMAIL:
            return deliver_email(notification, providers)
        if notification.channel == Channel.SMS:
            return deliver_sms(notification, providers)
    except Exception as exc:
        # A bug or an unforeseen library error must not roll back the attempt count: it is
        # recorded, retried with backoff and finally marked failed for an operator to see.
        logger.exception("notification %s: delivery raised", notification.pk)
        if notification.channel == Channel.EMAIL:
            providers.mail_failed()
        return SmsResult(RETRY, error=f"{type(exc).__name__}: {exc}")
    # The site channel is "delivered" when the row is written.
    return SmsResult(SENT, answer={"backend": "site"})
