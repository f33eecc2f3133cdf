"""Delivering one notification row on its channel; returns the provider's answer."""

from __future__ import annotations

import logging
import smtplib
from email.utils import make_msgid
from urllib.parse import urlparse

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from portal.notifications import sms
from portal.notifications.constants import Channel
from portal.notifications.models import Notification
from portal.notifications.sms import FAILED, RETRY, SENT, SmsResult

logger = logging.getLogger(__name__)


def request_id(notification: Notification) -> str:
    # Stable across retries and re-deliveries: the provider's duplicate check keys on it.
    return f"notif-{notification.pk}"


def deliver_email(notification: Notification) -> SmsResult:
    domain = urlparse(settings.SITE_URL).hostname or "localhost"
    message_id = make_msgid(idstring=request_id(notification), domain=domain)
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.to_address],
        headers={"Message-ID": message_id},
    )
    if notification.body_html:
        message.attach_alternative(notification.body_html, "text/html")
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as exc:
        return SmsResult(FAILED, error=f"recipient refused: {exc.recipients}")
    except (smtplib.SMTPException, OSError) as exc:
        return SmsResult(RETRY, error=f"mail server: {exc}")
    return SmsResult(SENT, message_id=message_id, answer={"backend": settings.EMAIL_BACKEND.rsplit(".", 2)[-2]})


def deliver_sms(notification: Notification) -> SmsResult:
    return sms.get_backend().send(
        to=notification.to_address, text=notification.body_text, request_id=request_id(notification)
    )


def deliver(notification: Notification) -> SmsResult:
    try:
        if notification.channel == Channel.EMAIL:
            return deliver_email(notification)
        if notification.channel == Channel.SMS:
            return deliver_sms(notification)
    except Exception as exc:
        # A bug or an unforeseen library error must not roll back the attempt count: it is
        # recorded, retried with backoff and finally marked failed for an operator to see.
        logger.exception("notification %s: delivery raised", notification.pk)
        return SmsResult(RETRY, error=f"{type(exc).__name__}: {exc}")
    # The site channel is "delivered" when the row is written.
    return SmsResult(SENT, answer={"backend": "site"})
