"""Turning an event's template and context into the texts stored on a notification row."""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import translation

from portal.notifications.constants import Channel
from portal.notifications.defaults import default_template
from portal.notifications.models import NotificationTemplate
from portal.notifications.smstext import sms_text


@dataclass(frozen=True)
class Rendered:
    subject: str
    body_text: str
    body_html: str


def templates_for(*, event: str, channels: list[str], language: str) -> dict[str, tuple[str, str] | None]:
    """(subject, body) of the event on each channel, in one query: the operators' row if any
    (an inactive row switches the channel off), else the shipped default, in the language or
    else in Vietnamese; None when the channel has no wording for the event."""
    rows = {
        (row.channel, row.language): row
        for row in NotificationTemplate.objects.filter(event=event, channel__in=channels, language__in=[language, "vi"])
    }
    found: dict[str, tuple[str, str] | None] = {}
    for channel in channels:
        found[channel] = None
        for lang in dict.fromkeys([language, "vi"]):
            row = rows.get((channel, lang))
            if row is not None:
                found[channel] = (row.subject, row.body) if row.is_active else None
                break
            default = default_template(event, channel, lang)
            if default:
                found[channel] = default
                break
    return found


def template_for(*, event: str, channel: str, language: str) -> tuple[str, str] | None:
    return templates_for(event=event, channels=[channel], language=language)[channel]


@functools.lru_cache(maxsize=512)
def _compiled(source: str) -> Template:
    # Compiling cost as much as rendering; the wordings are few (events × channels ×
    # languages), and an operator's edit is a new source, hence a new entry. A compiled
    # template is safe to render again, as Django's cached template loader does.
    return Template(source)


def render_string(source: str, context: dict[str, Any]) -> str:
    # Plain text: no HTML escaping (the HTML e-mail escapes the result itself).
    return _compiled(source).render(Context(context, autoescape=False))


def variable_defaults() -> dict[str, Any]:
    """Every variable the shipped templates know, empty: a variable missing from the
    context renders as "" (Django raises when one is a filter's argument)."""
    return {name: ("" if not isinstance(value, int) else 0) for name, value in sample_context().items()}


def render(*, subject: str, body: str, channel: str, language: str, context: dict[str, Any]) -> Rendered:
    context = {**variable_defaults(), **context}
    with translation.override(language):
        subject_text = " ".join(render_string(subject, context).split())[:255] if subject else ""
        text = render_string(body, context).strip()
        if channel == Channel.SMS:
            return Rendered("", sms_text(text), "")
        html = ""
        if channel == Channel.EMAIL:
            html = render_to_string(
                "notifications/email.html",
                {
                    "subject": subject_text,
                    "body": text,
                    "PORTAL_NAME": settings.PORTAL_NAME,
                    "SITE_URL": settings.SITE_URL,
                },
            )
        return Rendered(subject_text, text, html)


def sample_context() -> dict[str, Any]:
    """Data for the admin's preview: every variable the shipped templates use."""
    today = datetime.date.today()
    return {
        "citizen_name": "Nguyễn Văn An",
        "official_name": "Trần Thị Bình",
        "code": "000.00.12.H01-261129-0001",
        "procedure_name": "Cấp giấy phép xây dựng nhà ở riêng lẻ",
        "agency_name": "UBND huyện Bình Minh",
        "appointment_date": today + datetime.timedelta(days=10),
        "new_appointment_date": today + datetime.timedelta(days=7),
        "missed_date": today - datetime.timedelta(days=1),
        "horizon": today + datetime.timedelta(days=2),
        "rejection_reason": "Thửa đất không phù hợp quy hoạch sử dụng đất.",
        "supplement_request": "Bản sao giấy chứng nhận quyền sử dụng đất có chứng thực.",
        "fee_amount": 75000,
        "amount": 75000,
        "receipt_number": "BL-2026-000123",
        "receipt_url": settings.SITE_URL + "/bien-lai/BL-2026-000123/",
        "tracking_number": "EB123456789VN",
        "carrier": "Bưu điện Việt Nam (VNPost)",
        "return_reason": "Không liên lạc được với người nhận.",
        "url": settings.SITE_URL + "/ho-so/000.00.12.H01-261129-0001/",
        "admin_url": settings.SITE_URL + "/" + settings.ADMIN_URL,
        "count": 2,
        "dossiers": [
            {
                "code": "000.00.12.H01-261120-0007",
                "procedure_name": "Đăng ký khai sinh",
                "appointment_date": today,
                "overdue": False,
            },
            {
                "code": "000.00.12.H01-261118-0003",
                "procedure_name": "Cấp giấy phép xây dựng nhà ở riêng lẻ",
                "appointment_date": today - datetime.timedelta(days=1),
                "overdue": True,
            },
        ],
        "portal_name": settings.PORTAL_NAME,
        "site_url": settings.SITE_URL,
    }
