"""Showing catalogue values: fees ("Miễn phí" for nothing to pay) and processing times."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from portal.money import format_vnd

register = template.Library()


@register.filter
def fee_amount(amount) -> str:
    """0 → "Miễn phí", 50000 → "50.000 đ", unknown → ""."""
    if amount is None or amount == "":
        return ""
    if int(amount) == 0:
        return _("Free of charge")
    return format_vnd(amount)


@register.filter
def fee_summary(fees) -> str:
    """The range of a procedure's fee lines: "Miễn phí", "50.000 đ" or "50.000 đ – 100.000 đ"."""
    amounts = [fee.amount for fee in fees if fee.amount is not None]
    if not amounts:
        return ""
    low, high = min(amounts), max(amounts)
    if low == high:
        return fee_amount(low)
    return f"{fee_amount(low)} – {fee_amount(high)}"


@register.filter
def days(value) -> str:
    """Decimal("3.0") → "3", Decimal("1.5") → "1,5" in Vietnamese."""
    if value is None:
        return ""
    value = Decimal(value)
    if value == value.to_integral_value():
        return str(int(value))
    return number_format(value, decimal_pos=1)


@register.simple_tag
def select_options(field) -> str:
    """The ``<option>``s of a bound choice field in one pass: the catalogue page has a hundred
    agencies, and Django's widget renders each option through its own template (half the
    page's rendering time)."""
    selected = str(field.value() or "")
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, mark_safe(" selected") if str(value) == selected else "", label)
            for value, label in field.field.choices
        ),  # noqa: S308 - a constant
    )
