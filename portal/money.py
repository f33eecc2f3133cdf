"""Money in đồng: an integer with no minor unit, shown as ``50.000 đ``."""

from __future__ import annotations


def format_vnd(amount) -> str:
    if amount is None or amount == "":
        return ""
    value = int(amount)
    sign = "-" if value < 0 else ""
    return f"{sign}{abs(value):,}".replace(",", ".") + " đ"
