"""Filters every template can use (registered as builtins): money in đồng, phones."""

from __future__ import annotations

from django import template

from portal.money import format_vnd
from portal.validators import format_phone

register = template.Library()


@register.filter(name="vnd")
def vnd(amount) -> str:
    """50000 → "50.000 đ"."""
    return format_vnd(amount)


@register.filter(name="phone")
def phone(value: str) -> str:
    return format_phone(value)
